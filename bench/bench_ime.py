"""Pinyin input (kiosk/ime.py): resident memory, build time and candidates() latency.

Each figure comes from fresh processes (memory cannot be measured twice in one), median of ``--runs``:
- the shared dictionary alone: RSS before and after ``load_dictionary()``, with pypinyin, kiosk.pinyin and
  the titles already loaded: as the build leaves the process, then after gc.collect(), then after
  malloc_trim(0) too (what glibc holds free but has not handed back);
- the dictionary plus a ``PinyinIme`` over 20,000 realistic titles (the province store's newest), same;
- build times of both;
- candidates() latency on a 20,000-title engine, the answer memo bypassed, over three kinds of input:
  every prefix of the pinyin of words cut from the titles (someone typing a word they see), syllable
  sequences cut anywhere (as tests/unit/test_ime.py generates them), and random letters.

``--impl path/to/ime.py`` measures another copy of the module (e.g. an older version) the same way.

Usage: python bench/bench_ime.py [--store bench/out/province-store] [--runs 3] [--impl FILE]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import importlib.util
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLES_SQL = "SELECT title FROM record WHERE kind NOT IN ('subsidy_payment','region') ORDER BY sort_date DESC LIMIT ?"
SYLLABLES = (  # common syllables, as in tests/unit/test_ime.py
    *("a", "ai", "an", "ang", "ba", "bao", "bei", "bu", "cai", "cun", "chang", "da", "dang", "di", "fang", "fan", "gan", "geng"),
    *("gong", "guo", "hu", "ji", "jia", "kai", "lv", "li", "min", "nong", "nv", "qu", "shan", "sheng", "wu", "xi", "xian"),
    *("xiang", "yang", "yi", "zheng", "zhi", "zhu"),
)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _trim() -> None:
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def _titles(store: Path, count: int) -> list[str]:
    with sqlite3.connect(f"file:{store / 'content.sqlite'}?mode=ro", uri=True) as con:
        return [title for (title,) in con.execute(TITLES_SQL, (count,))]


def _load(impl: str | None) -> ModuleType:
    import pypinyin  # pypinyin's own dictionaries: loaded by kiosk.pinyin anyway, not ours
    import pypinyin.contrib.tone_convert  # noqa: F401

    import kiosk.pinyin

    if not impl:
        import kiosk.ime

        return kiosk.ime
    spec = importlib.util.spec_from_file_location("kiosk.ime", impl)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["kiosk.ime"] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------- child side
def child_memory(impl: str | None, titles: list[str], with_ime: bool) -> dict[str, float]:
    ime = _load(impl)
    _trim()
    before = _rss_mb()
    started = time.perf_counter()
    ime.load_dictionary()
    result = {"dictionary_s": time.perf_counter() - started}
    if with_ime:
        started = time.perf_counter()
        engine = ime.PinyinIme(titles)
        result["ime_s"] = time.perf_counter() - started
        engine.candidates("gengdi")
    result["delta_mb"] = _rss_mb() - before
    gc.collect()
    result["delta_collected_mb"] = _rss_mb() - before
    _trim()
    result["delta_trimmed_mb"] = _rss_mb() - before
    return result


def _typed_words(titles: list[str], rng: random.Random, count: int) -> list[str]:
    """Every prefix of the pinyin of 1–4 character runs cut from titles, deduplicated."""
    from pypinyin import lazy_pinyin

    from kiosk.ime import normalize_letters

    seen: dict[str, None] = {}
    while len(seen) < count:
        title = rng.choice(titles)
        size = rng.randint(1, 4)
        start = rng.randint(0, max(0, len(title) - size))
        letters = normalize_letters("".join(lazy_pinyin(title[start : start + size], v_to_u=False)))
        for end in range(1, len(letters) + 1):
            seen.setdefault(letters[:end])
    return list(seen)[:count]


def child_speed(impl: str | None, titles: list[str], count: int) -> dict[str, dict[str, float]]:
    ime = _load(impl)
    engine = ime.PinyinIme(titles)
    rng = random.Random(20261121)
    syllable_cuts = []
    for _ in range(count):
        joined = "".join(rng.choices(SYLLABLES, k=rng.randint(1, 5)))
        syllable_cuts.append(joined[: rng.randint(1, len(joined))])
    inputs = {
        "typed words": _typed_words(titles, rng, count),
        "syllables cut": syllable_cuts,
        "random letters": ["".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=rng.randint(1, 30))) for _ in range(count)],
    }
    report: dict[str, dict[str, float]] = {}
    for name, cases in inputs.items():
        times = []
        for letters in cases:
            engine._memo.clear()  # every key press is a new input; the memo only serves syllables() after candidates()
            started = time.perf_counter()
            engine.candidates(letters)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        report[name] = {"p95_ms": times[int(len(times) * 0.95)], "median_ms": statistics.median(times), "max_ms": times[-1], "n": len(times)}
    return report


# ---------------------------------------------------------------------------------- parent side
def _run_child(args: argparse.Namespace, mode: str) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--store", str(args.store), "--titles", str(args.titles), "--cases", str(args.cases)]
    if args.impl:
        command += ["--impl", args.impl]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=ROOT / "bench/out/province-store")
    parser.add_argument("--titles", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", type=int, default=2000, help="inputs per kind for the latency figures")
    parser.add_argument("--impl", help="path of another copy of kiosk/ime.py to measure instead")
    parser.add_argument("--child", choices=["dictionary", "ime", "speed"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        titles = _titles(args.store, args.titles)
        if args.child == "speed":
            print(json.dumps(child_speed(args.impl, titles, args.cases)))
        else:
            print(json.dumps(child_memory(args.impl, titles, args.child == "ime")))
        return

    print(f"kiosk.ime from {args.impl or 'kiosk/ime.py'}; {args.titles:,} titles; median of {args.runs} fresh processes")
    for mode, label in (("dictionary", "dictionary alone"), ("ime", f"dictionary + PinyinIme({args.titles:,} titles)")):
        runs = [_run_child(args, mode) for _ in range(args.runs)]
        line = f"{label}: RSS +{statistics.median(r['delta_mb'] for r in runs):.1f} MB"
        line += f" (+{statistics.median(r['delta_collected_mb'] for r in runs):.1f} MB after gc.collect(),"
        line += f" +{statistics.median(r['delta_trimmed_mb'] for r in runs):.1f} MB after malloc_trim too)"
        line += f", dictionary build {statistics.median(r['dictionary_s'] for r in runs):.2f} s"
        if mode == "ime":
            line += f", PinyinIme build {statistics.median(r['ime_s'] for r in runs):.2f} s"
        print(line)
    speed = _run_child(args, "speed")
    for name, figures in speed.items():
        print(f"candidates() {name} ({figures['n']:,}): p95 {figures['p95_ms']:.2f} ms, median {figures['median_ms']:.2f} ms, max {figures['max_ms']:.1f} ms")


if __name__ == "__main__":
    main()
