"""bench/bench_kiwix.py (issue 14 item 6): the ZIM holds what the terminal's search sees, with a Chinese full-text
index Kiwix's searcher finds words in, and both engines are scored on the same queries.

A real run over the demo county (about ten seconds) with a three-query file; skipped where the bench extra
(libzim) is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("libzim")

from bench.bench_kiwix import read_queries, run


def test_both_engines_answer_from_the_same_content(tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text("query\tkind\texpected\n林长制\ttitle\tdoc-990121-2025-0090\n"
                       "gddlbhbt\tinitials\tpolicy-990121-2026-farmland\n并不存在的词语\tnone\tnothing-1\n", encoding="utf-8")
    results = run(queries, 1, tmp_path / "work")
    assert results["zim_fulltext"] and results["zim_articles"] == results["articles"] > 500
    ours, kiwix, _titles = results["engines"]
    assert ours["engine"].startswith("ours") and kiwix["engine"].startswith("Kiwix full text")
    assert kiwix["mrr_by_kind"]["title"] == 1.0  # Xapian's CJK n-grams found 林长制 inside a long title: the index is Chinese
    assert ours["mrr_by_kind"] == {"initials": 1.0, "none": 0.0, "title": 1.0}
    assert kiwix["zero_rate"] == pytest.approx(2 / 3) and ours["zero_rate"] == pytest.approx(1 / 3)
    assert all(row["p50_ms"] > 0 for row in results["engines"])


def test_a_malformed_query_line_is_named(tmp_path: Path) -> None:
    queries = tmp_path / "q.tsv"
    queries.write_text("query\tkind\texpected\n低保\tshort\n", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"q.tsv:2: expected query<TAB>kind<TAB>expected ids \(found '低保\\tshort'\)"):
        read_queries(queries)
