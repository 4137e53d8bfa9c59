"""Make kiosk/data/segment-words.txt.gz, the query segmenter's general dictionary (kiosk/query.py).

rjieba's built-in dictionary (jieba's dict.txt, 349,046 words) costs ~33 MB resident once loaded, more than the
kiosk's whole memory headroom (issue 14, docs/BENCHMARKS.md). Most of it is rare words a resident never types;
the store's own titles, keywords, region names and synonyms are added on top at run time anyway. This keeps
jieba's most frequent words, with their frequencies, so the segmenter cuts common text the same way.

Source: jieba 0.42.1 (MIT licence, https://github.com/fxsjy/jieba), ``jieba/dict.txt`` from its sdist
(``pip download jieba==0.42.1 --no-deps``). Usage:
    python tools/segment_words.py path/to/jieba/dict.txt [--words 100000]
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kiosk" / "data" / "segment-words.txt.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dict_txt", type=Path, help="jieba's dict.txt (word freq tag per line)")
    parser.add_argument("--words", type=int, default=100_000, help="how many of the most frequent words to keep")
    args = parser.parse_args()
    rows = []
    for number, line in enumerate(args.dict_txt.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if len(parts) < 2 or not parts[1].isdigit():
            raise SystemExit(f"{args.dict_txt}:{number}: expected 'word frequency [tag]', found {line!r}")
        rows.append((parts[0], int(parts[1])))
    rows.sort(key=lambda row: (-row[1], row[0]))
    kept = rows[: args.words]
    text = "".join(f"{word} {freq}\n" for word, freq in kept)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(gzip.compress(text.encode("utf-8"), 9, mtime=0))
    print(f"{OUT}: {len(kept):,} of {len(rows):,} words (lowest frequency kept {kept[-1][1]}), {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
