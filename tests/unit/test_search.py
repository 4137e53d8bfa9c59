from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.search import MAX_QUERY_CHARS, normalize_query
from kiosk.terminal import Terminal
from tests.helpers.records import OTHER_VILLAGE, VILLAGE, make


@pytest.fixture
def searchable(terminal: Terminal) -> Terminal:
    terminal.store.apply([
        make("region", "region-v", region=VILLAGE),
        make("subsidy_policy", "pol-gd"),
        make("subsidy_policy", "pol-db", name="农村最低生活保障（低保）", keywords=["低保"], standard="每人每月420元"),
        make("document", "doc-gd", title="溪源县人民政府办公室关于印发《溪源县2026年耕地地力保护补贴实施方案》的通知",
             body="耕地地力保护补贴资金直接发放到户。", published_date="2026-03-01"),
        make("document", "doc-gd-old", title="溪源县人民政府办公室关于印发《溪源县2024年耕地地力保护补贴实施方案》的通知",
             body="耕地地力保护补贴资金直接发放到户。", published_date="2024-03-01", validity="已废止"),
        make("document", "doc-gd-village", region=VILLAGE, title="桃源村关于耕地地力保护补贴面积核实结果的公示",
             body="经核实，耕地地力保护补贴面积如下。", published_date="2025-05-01"),
        make("document", "doc-body", title="溪源县农业农村局关于春季农业生产的工作要点",
             body="一、落实耕地地力保护补贴政策，做好春播。", published_date="2026-02-01"),
        make("subsidy_payment", "pay-1"),
        make("subsidy_payment", "pay-other", region=OTHER_VILLAGE, recipient="李四光"),
        make("notice", "n-expired", title="停水通知：溪源镇耕地灌溉渠检修", publish_at="2026-01-01T00:00:00+08:00",
             expire_at="2026-01-05T00:00:00+08:00"),
        make("service_guide", "guide-1"),
    ])
    return terminal


def _ids(terminal: Terminal, query: str, **kwargs: object) -> list[str]:
    return [hit.record_id for hit in terminal.search.search(query, **kwargs)]


def test_three_character_query_uses_full_text_and_ranks_title_over_body(searchable: Terminal) -> None:
    ids = _ids(searchable, "耕地地力")
    assert ids[0] == "pol-gd"
    assert ids.index("doc-gd") < ids.index("doc-body")  # title hit over body hit
    assert ids.index("doc-gd") < ids.index("doc-gd-old")  # current over repealed
    assert ids.index("doc-gd-village") < ids.index("doc-gd")  # own village first, among current title hits
    assert ids[-1] == "doc-body" or ids.index("doc-body") > ids.index("doc-gd-old")
    assert ids.index("pay-1") > ids.index("doc-gd")  # personal payment lines after documents
    assert "pay-other" not in ids  # another village's payments are not shown
    assert "n-expired" not in ids


def test_two_character_query_finds_titles_and_aliases(searchable: Terminal) -> None:
    assert _ids(searchable, "耕地")[0] == "pol-gd"
    assert _ids(searchable, "低保")[0] == "pol-db"
    assert _ids(searchable, "保")  # one character still finds something


def test_first_letters_find_titles_and_popular_aliases(searchable: Terminal) -> None:
    assert _ids(searchable, "gdzb")[0] == "pol-gd"  # 耕地直补
    assert _ids(searchable, "GDDL")[0] == "pol-gd"  # 耕地地力…, case and width folded
    assert _ids(searchable, "ｇｄｚｂ")[0] == "pol-gd"
    hit = searchable.search.search("gljt")[0]  # 高龄津贴
    assert (hit.record_id, hit.match) == ("guide-1", "initials")


def test_multiple_terms_must_all_match(searchable: Terminal) -> None:
    assert _ids(searchable, "2024年 耕地地力") == ["doc-gd-old"]
    assert _ids(searchable, "耕地 桃源") == ["doc-gd-village"]


def test_hits_carry_what_a_result_row_shows(searchable: Terminal) -> None:
    hit = next(h for h in searchable.search.search("做好春播") if h.record_id == "doc-body")
    assert hit.kind == "document" and hit.match == "body"
    assert hit.date == "2026-02-01" and hit.validity == "现行有效" and hit.region == "990121000000"
    start, length = hit.highlights[0]
    assert hit.excerpt[start : start + length] == "做好春播"
    village_hit = next(h for h in searchable.search.search("面积核实") if h.record_id == "doc-gd-village")
    assert village_hit.region_name == "桃源村"
    assert village_hit.title[village_hit.title_highlights[0][0]:][:4] == "面积核实"


def test_kind_filter_and_limit(searchable: Terminal) -> None:
    assert set(_ids(searchable, "耕地地力", kinds=["document"])) == {"doc-gd", "doc-gd-old", "doc-gd-village", "doc-body"}
    assert len(_ids(searchable, "耕地地力", limit=2)) == 2


def test_expired_notice_reappears_only_for_a_clock_before_expiry(searchable: Terminal) -> None:
    early = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    assert "n-expired" in _ids(searchable, "灌溉渠", now=early)
    assert "n-expired" not in _ids(searchable, "灌溉渠")


def test_suggestions_complete_titles_and_aliases(searchable: Terminal) -> None:
    assert searchable.search.suggest("耕地")[0] == "耕地直补" or searchable.search.suggest("耕地")[0] == "耕地地力保护补贴"
    assert "耕地地力保护补贴" in searchable.search.suggest("耕地")
    assert "高龄津贴申领" in searchable.search.suggest("gl")
    assert all("张*明" not in s for s in searchable.search.suggest("耕地"))  # no personal lines


@pytest.mark.parametrize(
    "query",
    ['"', '""', "'", "AND", "OR NOT", "NEAR(a b)", "title:耕地", "耕地*", "^耕地", "(耕地", "耕地)", "{}", "[]",
     "-", "--", "%", "_", "\\", "😀😀😀", "\x00耕地", "\ud800", " ", "", "a" * 5000, "耕地" * 2500],
)
def test_hostile_queries_do_not_crash(searchable: Terminal, query: str) -> None:
    hits = searchable.search.search(query)
    assert isinstance(hits, list)
    searchable.search.suggest(query)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_no_string_crashes_search(searchable: Terminal, query: str) -> None:
    hits = searchable.search.search(query, limit=5)
    assert len(hits) <= 5
    assert all(len(t) <= MAX_QUERY_CHARS for t in normalize_query(query))
    searchable.search.suggest(query)


def test_a_long_paste_is_bounded() -> None:
    terms = normalize_query("耕 地 " * 3000)
    assert sum(map(len, terms)) <= MAX_QUERY_CHARS and len(terms) <= 6
