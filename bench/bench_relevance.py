"""Search relevance on the demo county, as the 桃源村 terminal sees it (issue 14 item 7).

Reads bench/relevance_queries.tsv (UTF-8, header line, ``query<TAB>kind<TAB>expected ids``, ids
comma-separated; any one of them in the top k counts as a hit) and reports, overall and per kind:
hit@1, hit@3, MRR (reciprocal rank of the first expected id in the top 20, 0 if none) and the
zero-result rate. Also the time a search takes end to end on this small store.

Usage: python bench/bench_relevance.py [--queries FILE] [--json OUT] [--misses]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.clock import fixed_clock  # noqa: E402
from kiosk.terminal import Terminal  # noqa: E402

#: The demo county's anchor day (tests.helpers.clock.TEST_NOW), so the store is resources/demo/records.
ANCHOR = dt.datetime(2026, 11, 21, 10, 32, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TAOYUAN = "990121101201"
DEPTH = 20


def read_queries(path: Path) -> list[tuple[str, str, list[str]]]:
    rows = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not parts[2].strip():
            raise SystemExit(f"{path}:{number}: expected query<TAB>kind<TAB>ids, found {line!r}")
        rows.append((parts[0], parts[1], [i.strip() for i in parts[2].split(",") if i.strip()]))
    return rows


def score(ranked: list[str], expected: list[str]) -> tuple[int, int, float, bool]:
    rank = next((index + 1 for index, rid in enumerate(ranked) if rid in expected), 0)
    return int(rank == 1), int(0 < rank <= 3), (1 / rank if rank else 0.0), not ranked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=Path, default=ROOT / "bench" / "relevance_queries.tsv")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--misses", action="store_true", help="print every query whose expected ids are not in the top 3")
    args = parser.parse_args()
    queries = read_queries(args.queries)
    with tempfile.TemporaryDirectory() as folder, Terminal(Path(folder), fixed_clock(ANCHOR)) as terminal:
        if terminal.region != TAOYUAN:
            raise SystemExit(f"the demo terminal stands in {terminal.region}, expected {TAOYUAN} (桃源村)")
        terminal.ensure_demo_content()
        service = terminal.search
        service.search("预热")  # first-use costs (dictionaries) are not a query's cost
        per_kind: dict[str, list[tuple[int, int, float, bool]]] = defaultdict(list)
        times: list[float] = []
        parse_times: list[float] = []
        parser = getattr(service, "parser", None)  # the query pipeline (kiosk/query.py); absent before issue 14
        misses = []
        for query, kind, expected in queries:
            start = time.perf_counter()
            hits = service.search(query, limit=DEPTH)
            times.append((time.perf_counter() - start) * 1000)
            if parser is not None:
                start = time.perf_counter()
                parser.parse(query)
                parse_times.append((time.perf_counter() - start) * 1000)
            ranked = [hit.record_id for hit in hits]
            result = score(ranked, expected)
            per_kind[kind].append(result)
            if not result[1]:
                misses.append((kind, query, ranked[:3], expected[:3]))
        records = terminal.store.count()

    def summary(results: list[tuple[int, int, float, bool]]) -> dict[str, float]:
        n = len(results)
        return {
            "n": n,
            "hit@1": sum(r[0] for r in results) / n,
            "hit@3": sum(r[1] for r in results) / n,
            "mrr": sum(r[2] for r in results) / n,
            "zero": sum(r[3] for r in results) / n,
        }

    everything = [r for results in per_kind.values() for r in results]
    report = {"all": summary(everything), "kinds": {k: summary(v) for k, v in sorted(per_kind.items())},
              "records": records, "p50_ms": statistics.median(times),
              "p95_ms": statistics.quantiles(times, n=20)[18], "max_ms": max(times),
              "parse_p95_ms": statistics.quantiles(parse_times, n=20)[18] if parse_times else None}
    print(f"{len(everything)} queries, {records} records in the store, terminal {TAOYUAN} (桃源村)")
    print(f"{'kind':<14}{'n':>4}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}{'zero':>8}")
    for name, row in [("ALL", report["all"]), *report["kinds"].items()]:
        print(f"{name:<14}{row['n']:>4}{row['hit@1']:>8.2f}{row['hit@3']:>8.2f}{row['mrr']:>8.2f}{row['zero']:>8.1%}")
    print(f"search time: p50 {report['p50_ms']:.1f} ms, p95 {report['p95_ms']:.1f} ms, max {report['max_ms']:.1f} ms")
    if parse_times:
        print(f"of which the query pipeline alone (parse): p95 {report['parse_p95_ms']:.2f} ms")
    if args.misses:
        for kind, query, got, want in misses:
            print(f"MISS [{kind}] {query!r}: got {got} want one of {want}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
