"""Store and search benchmark on a synthetic county- or province-scale data set.

Measures what the foundation issue promises, each beside a baseline run on the same database in
the same process, because this machine is noisy and ratios travel better than milliseconds:
- search p95 for 3+ character queries vs. a raw FTS5 MATCH of the same terms;
- search p95 for first-letter and 1–2 character queries vs. a raw scan of the title column;
- applying 1,000 changed records (one transaction, index included);
- bulk import time, and store size on disk vs. the raw JSONL size.

Usage: python bench/bench_store.py [--scale province|county] [--out bench/out] [--write-doc]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.records.files import read_records  # noqa: E402
from kiosk.search import SearchService  # noqa: E402
from kiosk.store import ContentStore  # noqa: E402

QUERIES_PER_PATH = 150


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, Python {platform.python_version()}, SQLite {__import__('sqlite3').sqlite_version}"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


def timed(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def generate(scale: str, out: Path) -> Path:
    target = out / scale
    if not (target / "changes.jsonl").exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "synth.py"), "--scale", scale, "--out", str(target), "--changes", "1000"],
                       check=True)
    return target


def load(store: ContentStore, folder: Path) -> tuple[float, int, int]:
    """Import every record file except the change set; returns (seconds, records, raw bytes)."""
    files = sorted(p for p in folder.glob("*.jsonl") if p.name != "changes.jsonl")
    start = time.perf_counter()
    total = 0
    for file in files:
        batch: list[tuple[object, str]] = []
        for pair in read_records(file):
            batch.append(pair)
            if len(batch) == 5000:
                total += store.apply(batch).added  # type: ignore[arg-type]
                batch = []
        if batch:
            total += store.apply(batch).added  # type: ignore[arg-type]
    return time.perf_counter() - start, total, sum(p.stat().st_size for p in files)


def sample_queries(store: ContentStore, rng: random.Random) -> dict[str, list[str]]:
    titles = [row[0] for row in store.sql("SELECT title FROM record WHERE deleted = 0 AND kind != 'region' ORDER BY random() LIMIT 2000")]
    # What a first-letter pad sends: runs of letters (initials also hold the digits of years).
    initials = [run for row in store.sql("SELECT initials FROM record WHERE length(initials) >= 6 ORDER BY random() LIMIT 2000")
                for run in re.findall(r"[a-z]{5,}", row[0])]
    cjk = [t for t in titles if len(t) >= 8]

    def piece(text: str, low: int, high: int) -> str:
        size = rng.randint(low, high)
        start = rng.randrange(0, max(1, len(text) - size))
        return text[start : start + size]

    return {
        "text (3+ chars)": [piece(rng.choice(cjk), 3, 6) for _ in range(QUERIES_PER_PATH)],
        "short (1–2 chars)": [piece(rng.choice(cjk), 1, 2) for _ in range(QUERIES_PER_PATH)],
        "first letters": [piece(rng.choice(initials), 3, 5) for _ in range(QUERIES_PER_PATH)],
    }


def baseline(store: ContentStore, path: str, query: str, limit: int) -> Callable[[], object]:
    if path.startswith("text"):
        phrase = '"' + query.replace('"', '""') + '"'
        return lambda: store.sql("SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT ?", (phrase, limit))
    column = "initials" if path == "first letters" else "title"
    return lambda: store.sql(f"SELECT pk FROM record WHERE instr({column}, ?) > 0 LIMIT ?", (query, limit))


def run(scale: str, out: Path) -> dict[str, object]:
    folder = generate(scale, out)
    db_path = out / f"{scale}-store" / "content.sqlite"
    if db_path.parent.exists():
        for file in db_path.parent.iterdir():
            file.unlink()
    store = ContentStore(db_path)
    load_seconds, records, raw_bytes = load(store, folder)
    store.sql("PRAGMA wal_checkpoint(TRUNCATE)")
    rng = random.Random(7)
    region = store.sql("SELECT region FROM record WHERE kind = 'subsidy_payment' LIMIT 1")[0][0]
    search = SearchService(store, region)
    results: dict[str, object] = {"scale": scale, "records": records, "load_s": load_seconds, "raw_mb": raw_bytes / 2**20}
    rows = []
    for path, queries in sample_queries(store, rng).items():
        for query in queries[:10]:  # warm the page cache for both sides alike
            search.search(query, limit=20)
            baseline(store, path, query, 20)()
        ours, raw = [], []
        for query in queries:
            ours.append(timed(lambda q=query: search.search(q, limit=20)))
            raw.append(timed(baseline(store, path, query, 20)))
        rows.append({"path": path, "p95_ms": p95(ours), "median_ms": statistics.median(ours), "raw_p95_ms": p95(raw),
                     "ratio": p95(ours) / max(p95(raw), 1e-6), "queries": len(queries)})
    results["search"] = rows
    changes = [pair for pair in read_records(folder / "changes.jsonl")]
    start = time.perf_counter()
    applied = store.apply(changes)  # type: ignore[arg-type]
    results["apply_1000_s"] = time.perf_counter() - start
    results["apply_changed"] = applied.changed
    store.sql("PRAGMA wal_checkpoint(TRUNCATE)")
    results["store_mb"] = sum(p.stat().st_size for p in db_path.parent.glob("content.sqlite*")) / 2**20
    store.close()
    results["machine"] = machine()
    results["date"] = time.strftime("%Y-%m-%d")
    return results


def markdown(results: dict[str, object]) -> str:
    lines = [
        f"### Store and search — {results['scale']} scale ({results['records']:,} records), {results['date']}",
        "",
        f"Machine: {results['machine']}.",
        "",
        "| search path | p95 (ms) | median (ms) | raw baseline p95 (ms) | ratio to baseline | goal |",
        "| --- | ---: | ---: | ---: | ---: | --- |",
    ]
    goals = {"text (3+ chars)": "≤ 30 ms", "short (1–2 chars)": "≤ 20 ms", "first letters": "≤ 20 ms"}
    baselines = {"text (3+ chars)": "FTS5 MATCH, LIMIT 20", "short (1–2 chars)": "title scan", "first letters": "initials scan"}
    for row in results["search"]:  # type: ignore[union-attr]
        lines.append(
            f"| {row['path']} ({baselines[row['path']]}) | {row['p95_ms']:.1f} | {row['median_ms']:.1f} | {row['raw_p95_ms']:.2f} | "
            f"{row['ratio']:.1f}× | {goals[row['path']]} |"
        )
    lines += [
        "",
        f"- Apply 1,000 changed records (validate + one transaction incl. index): **{results['apply_1000_s']:.2f} s** "
        f"({results['apply_changed']} changed; goal ≤ 1 s).",
        f"- Bulk import of all {results['records']:,} records: {results['load_s']:.0f} s.",
        f"- Store on disk {results['store_mb']:.0f} MB for {results['raw_mb']:.0f} MB of raw JSONL "
        f"({results['store_mb'] / results['raw_mb']:.2f}×: record JSON + trigram index + stored FTS text).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=["county", "province"], default="province")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--write-doc", action="store_true", help="replace this section in docs/BENCHMARKS.md")
    args = parser.parse_args()
    results = run(args.scale, args.out)
    text = markdown(results)
    print(text)
    (args.out / f"store-{args.scale}.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if args.write_doc:
        write_section(ROOT / "docs" / "BENCHMARKS.md", f"store-{args.scale}", text)


def write_section(doc: Path, name: str, text: str) -> None:
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    current = doc.read_text(encoding="utf-8") if doc.exists() else "# Benchmarks\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in current:
        head, rest = current.split(begin, 1)
        current = head + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    doc.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
