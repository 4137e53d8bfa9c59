"""Our search against the offline search people know: Kiwix's (libzim's Xapian full-text index), on the same content.

Why: "fast and relevant" means little without a peer. Kiwix serves offline content from ZIM files and
searches them with the Xapian index libzim builds; a county could put its disclosure pages in a ZIM
and hand out Kiwix instead of this kiosk. So both are asked the same questions in one run.

How:
- the demo county is loaded as the 桃源村 terminal sees it (``Terminal.ensure_demo_content`` at the
  demo's anchor instant); every record our search can return (its region chain, not expired, not a
  region or profile) becomes one HTML article of a ZIM: title, keywords (the record's aliases, so
  Kiwix is given every word our search is given) and the text our index holds (``search_fts.body``);
- the ZIM is written with ``libzim.writer.Creator`` and ``config_indexing(True, "zho")`` (ISO 639-3
  Chinese: libzim's Xapian indexer and query parser then use CJK n-grams, Xapian's
  ``FLAG_CJK_NGRAM``), checked with libzim 3.13.1 (python-libzim) on this machine, which prints "No
  stemming for language 'zh'" while indexing: it took the code as Chinese, which has no stemmer;
- each query of the relevance file (``query<TAB>kind<TAB>expected ids``, a header line) goes through
  ``libzim.search.Searcher`` (Kiwix's full-text search) and through ``SearchService.search`` (what the
  search screen calls), top 10 each; also through libzim's ``SuggestionSearcher`` (the title search
  Kiwix's search box offers while typing), reported on its own row;
- relevance: hit@1 and hit@3 (an expected id among the first 1 or 3), MRR over the first 10, and
  the share of queries with no result at all; latency: every query ``--repeat`` times per engine,
  interleaved, p50 and p95 of single calls (warm caches: all engines are in-process; each Kiwix call also
  reads its results' titles, since a result list shows them and ours returns titles and excerpts).

Usage: python bench/bench_kiwix.py [--queries PATH] [--repeat 20] [--out bench/out] [--write-doc]
Needs the bench extra: pip install -e '.[bench]' (libzim is not part of a terminal's install).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_store import machine, write_section  # noqa: E402
from kiosk.clock import fixed_clock  # noqa: E402
from kiosk.records.text import utc_text  # noqa: E402
from kiosk.search import UNSEARCHED_KINDS  # noqa: E402
from kiosk.terminal import Terminal  # noqa: E402

#: The demo county's anchor instant (tests/helpers/clock.py TEST_NOW): 10:32 on 21 November 2026 in 溪源县.
ANCHOR = dt.datetime(2026, 11, 21, 10, 32, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TOP = 10
ALIAS_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class Query:
    text: str
    kind: str
    expected: frozenset[str]


def read_queries(path: Path) -> list[Query]:
    """The relevance file: a header line, then ``query<TAB>kind<TAB>id,id,…``; a bad line is named and stops the run."""
    queries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not fields[0].strip() or not fields[2].strip():
            raise SystemExit(f"{path}:{number}: expected query<TAB>kind<TAB>expected ids (found {line!r})")
        queries.append(Query(fields[0].strip(), fields[1].strip(), frozenset(i.strip() for i in fields[2].split(",") if i.strip())))
    return queries


def visible_articles(terminal: Terminal) -> list[tuple[str, str, str, str]]:
    """(record id, title, aliases, indexed text) of every record the terminal's search can return."""
    scope = terminal.search.scope
    return terminal.store.sql(
        "SELECT r.record_id, f.title, f.aliases, f.body FROM record r JOIN search_fts f ON f.rowid = r.pk "
        f"WHERE r.deleted = 0 AND r.region IN ({','.join('?' * len(scope))}) "
        f"AND r.kind NOT IN ({','.join('?' * len(UNSEARCHED_KINDS))}) AND (r.expires_utc = '' OR r.expires_utc > ?) ORDER BY r.record_id",
        (*scope, *UNSEARCHED_KINDS, utc_text(terminal.clock())),
    )


def article_html(title: str, aliases: str, body: str) -> str:
    keywords = "、".join(alias for alias in aliases.split(ALIAS_SEPARATOR) if alias)
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in body.splitlines() if line.strip())
    return (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f'<meta name="keywords" content="{html.escape(keywords)}"></head><body><h1>{html.escape(title)}</h1>'
            + (f"<p>关键词：{html.escape(keywords)}</p>" if keywords else "") + paragraphs + "</body></html>")


def build_zim(path: Path, articles: list[tuple[str, str, str, str]]) -> float:
    """Write the ZIM with a Chinese full-text index; seconds taken."""
    from libzim.writer import Creator, Hint, Item, StringProvider

    class Article(Item):
        def __init__(self, record_id: str, title: str, text: str) -> None:
            super().__init__()
            self.record_id, self.title, self.text = record_id, title, text

        def get_path(self) -> str:
            return self.record_id

        def get_title(self) -> str:
            return self.title

        def get_mimetype(self) -> str:
            return "text/html"

        def get_contentprovider(self) -> StringProvider:
            return StringProvider(self.text)

        def get_hints(self) -> dict:
            return {Hint.FRONT_ARTICLE: True}

    started = time.perf_counter()
    with Creator(str(path)).config_indexing(True, "zho") as creator:
        creator.set_mainpath(articles[0][0])
        for name, value in (("Title", "溪源县政务公开（桃源村终端）"), ("Language", "zho"), ("Creator", "disclosure-kiosk bench"),
                            ("Publisher", "disclosure-kiosk"), ("Date", ANCHOR.date().isoformat()), ("Description", "demo county")):
            creator.add_metadata(name, value)
        for record_id, title, aliases, body in articles:
            creator.add_item(Article(record_id, title, article_html(title, aliases, body)))
    return time.perf_counter() - started


def score(ranked: list[str], expected: frozenset[str]) -> tuple[bool, bool, float]:
    rank = next((index for index, record_id in enumerate(ranked[:TOP], start=1) if record_id in expected), None)
    return rank == 1, rank is not None and rank <= 3, 1 / rank if rank else 0.0


def relevance(name: str, engine: Callable[[str], list[str]], queries: list[Query]) -> dict[str, object]:
    hits1 = hits3 = zero = 0
    mrr = 0.0
    misses = []
    by_kind: dict[str, list[float]] = {}
    for query in queries:
        ranked = engine(query.text)
        at1, at3, reciprocal = score(ranked, query.expected)
        hits1 += at1
        hits3 += at3
        mrr += reciprocal
        zero += not ranked
        by_kind.setdefault(query.kind, []).append(reciprocal)
        if not at3:
            misses.append(query.text)
    n = len(queries)
    return {"engine": name, "queries": n, "hit@1": hits1 / n, "hit@3": hits3 / n, "mrr": mrr / n, "zero_rate": zero / n,
            "mrr_by_kind": {kind: sum(values) / len(values) for kind, values in sorted(by_kind.items())}, "missed_top3": misses}


def latencies(engines: list[Callable[[str], object]], queries: list[Query], repeat: int) -> list[list[float]]:
    """Milliseconds of single calls per engine, interleaved (each query goes to every engine in turn, the
    order rotating each round), so a noisy neighbour on a shared machine slows all engines alike."""
    times: list[list[float]] = [[] for _ in engines]
    for round_number in range(repeat):
        for query in queries:
            for offset in range(len(engines)):
                index = (round_number + offset) % len(engines)
                started = time.perf_counter()
                engines[index](query.text)
                times[index].append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def run(queries_path: Path, repeat: int, work: Path) -> dict[str, object]:
    import libzim
    from libzim.reader import Archive
    from libzim.search import Query as ZimQuery
    from libzim.search import Searcher
    from libzim.suggestion import SuggestionSearcher

    queries = read_queries(queries_path)
    with Terminal(work / "terminal", fixed_clock(ANCHOR)) as terminal:
        terminal.ensure_demo_content()
        articles = visible_articles(terminal)
        zim_path = work / "taoyuan.zim"
        build_s = build_zim(zim_path, articles)
        archive = Archive(str(zim_path))
        searcher = Searcher(archive)
        suggester = SuggestionSearcher(archive)

        # A result list shows titles: both Kiwix paths read each result's entry title, as ours returns titles (and excerpts).
        def kiwix_fulltext(text: str) -> list[str]:
            paths = list(searcher.search(ZimQuery().set_query(text)).getResults(0, TOP))
            [archive.get_entry_by_path(path).title for path in paths]
            return paths

        def kiwix_titles(text: str) -> list[str]:
            paths = list(suggester.suggest(text).getResults(0, TOP))
            [archive.get_entry_by_path(path).title for path in paths]
            return paths

        def ours(text: str) -> list[str]:
            return [hit.record_id for hit in terminal.search.search(text, limit=TOP)]

        engines = {"ours (SearchService.search)": ours, "Kiwix full text (libzim Searcher)": kiwix_fulltext,
                   "Kiwix title suggestions (libzim SuggestionSearcher)": kiwix_titles}
        rows = [relevance(name, engine, queries) for name, engine in engines.items()]  # also the untimed warm-up pass
        for row, times in zip(rows, latencies(list(engines.values()), queries, repeat), strict=True):
            row["p50_ms"], row["p95_ms"] = statistics.median(times), percentile(times, 0.95)
        return {
            "date": "2026-12-04", "machine": machine(), "libzim": getattr(libzim, "__version__", "3.13.1"),
            "articles": len(articles), "article_chars": sum(len(a[1]) + len(a[2]) + len(a[3]) for a in articles),
            "zim_bytes": zim_path.stat().st_size, "zim_articles": archive.article_count,
            "zim_fulltext": archive.has_fulltext_index, "store_bytes": (terminal.data_dir / "content.sqlite").stat().st_size,
            "zim_build_s": build_s, "queries_file": str(queries_path.relative_to(ROOT) if queries_path.is_relative_to(ROOT) else queries_path),
            "repeat": repeat, "load_average": os.getloadavg(), "engines": rows,
        }


def markdown(results: dict[str, object]) -> str:
    lines = [
        f"## Search against Kiwix (libzim), {results['date']}",
        "",
        f"Machine: {results['machine']}; libzim {results['libzim']} (python-libzim).",
        f"Content: the demo county as the 桃源村 terminal sees it, {results['articles']} records "
        f"({results['article_chars']:,} characters of title, keywords and text); our store "
        f"{results['store_bytes'] / 2**20:.1f} MB, the ZIM with its Chinese full-text index {results['zim_bytes'] / 2**20:.1f} MB "
        f"(built in {results['zim_build_s']:.1f} s). Queries: `{results['queries_file']}`, top {TOP}, "
        f"latency over {results['repeat']} interleaved rounds of single calls; load average at the end "
        f"{' / '.join(f'{x:.1f}' for x in results['load_average'])} (2 cores shared with other jobs: p95 is mostly the scheduler).",
        "",
        "| engine | queries | hit@1 | hit@3 | MRR | zero-result rate | p50 (ms) | p95 (ms) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["engines"]:  # type: ignore[union-attr]
        lines.append(f"| {row['engine']} | {row['queries']} | {row['hit@1']:.2f} | {row['hit@3']:.2f} | {row['mrr']:.2f} | "
                     f"{row['zero_rate']:.2f} | {row['p50_ms']:.2f} | {row['p95_ms']:.2f} |")
    kinds = sorted({kind for row in results["engines"] for kind in row["mrr_by_kind"]})  # type: ignore[union-attr]
    lines += ["", "MRR by query kind:", "", "| engine | " + " | ".join(kinds) + " |", "| --- |" + " ---: |" * len(kinds)]
    for row in results["engines"]:  # type: ignore[union-attr]
        lines.append(f"| {row['engine']} | " + " | ".join(f"{row['mrr_by_kind'].get(kind, 0):.2f}" for kind in kinds) + " |")
    lines.append("")
    for row in results["engines"]:  # type: ignore[union-attr]
        missed = row["missed_top3"]
        lines.append(f"- {row['engine']} missed the top 3 for {len(missed)}: {'、'.join(missed) if missed else 'none'}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = ROOT / "bench" / "relevance_queries.tsv"
    parser.add_argument("--queries", type=Path, default=default if default.exists() else ROOT / "bench" / "relevance_queries_sample.tsv",
                        help="relevance queries (default bench/relevance_queries.tsv, else the sample beside it)")
    parser.add_argument("--repeat", type=int, default=20, help="timed rounds over all queries, per engine")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--write-doc", action="store_true", help="replace this section in docs/BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-kiwix-") as work:
        results = run(args.queries.resolve(), args.repeat, Path(work))
    text = markdown(results)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "kiwix.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    if args.write_doc:
        write_section(ROOT / "docs" / "BENCHMARKS.md", "kiwix", text)


if __name__ == "__main__":
    main()
