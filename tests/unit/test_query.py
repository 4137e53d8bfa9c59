"""The query pipeline (kiosk/query.py, issue 14): folding, words, pinyin, synonyms, places, corrections."""

from __future__ import annotations

import pytest

from kiosk.query import canonical_doc_numbers, fold, split_word
from kiosk.terminal import Terminal
from tests.helpers.records import VILLAGE, make


@pytest.mark.parametrize("typed", ["溪政发(2025)5号", "溪政发[2025]5号", "溪政发（2025）5号", "溪政发2025 5号", "溪政发20255号",
                                   "溪政发〔2025〕5号", "溪政发2025年5号", "溪政发【2025】第5号", "溪政发 2025 5", "溪政發(2025)5號"])
def test_document_numbers_fold_to_one_form(typed: str) -> None:
    assert fold(typed) == "溪政发〔2025〕5号"


def test_folding_keeps_other_numbers_and_simplifies() -> None:
    assert canonical_doc_numbers("2026年第三季度") == "2026年第三季度"
    assert fold("臨時救助申請") == "临时救助申请"
    assert fold("ＬＩＮＳＨＩ") == "linshi"
    assert split_word("两癌筛查") == ["两癌", "筛查"] and split_word("低保") == ["低保"]


@pytest.fixture
def county(terminal: Terminal) -> Terminal:
    terminal.store.apply([
        make("region", "region-v", region=VILLAGE),
        make("service_guide", "guide-temp", name="临时救助申请", keywords=["急难救助"]),
        make("document", "doc-temp", title="溪源县人民政府关于印发《溪源县临时救助实施办法》的通知", doc_number="溪政发〔2025〕5号",
             body="各乡镇人民政府，县直各有关单位：现将《溪源县临时救助实施办法》印发给你们。"),
        make("document", "doc-elder", title="溪源县民政局关于老年人优待证办理的通知", body="老年人优待证免费办理。"),
        {"id": "synonym-elder", "kind": "synonym", "version": 1, "region": "990121000000",
         "updated_at": "2026-10-20T09:00:00+08:00", "terms": ["老年人优待证", "老年证", "老人证"]},
    ])
    return terminal


def _ids(terminal: Terminal, query: str) -> list[str]:
    return [hit.record_id for hit in terminal.search.search(query)]


def test_question_words_are_dropped_and_the_topic_is_found(county: Terminal) -> None:
    plan = county.search.parser.parse("申请临时救助要什么材料")
    words = [g.word for g in plan.groups]
    assert "申请" in words and "材料" in words and not {"要", "什么"} & set(words)  # 要, 什么 are how people ask
    assert _ids(county, "申请临时救助要什么材料")[0] == "guide-temp"


def test_full_pinyin_same_sound_typos_and_traditional_find_the_words(county: Terminal) -> None:
    for query in ("linshijiuzhu", "lin shi jiu zhu", "临时就助", "臨時救助"):
        assert _ids(county, query)[:1] in (["guide-temp"], ["doc-temp"]), query
    result = county.search.run("临时就助")
    assert result.mode == "corrected" and result.did_you_mean == ["临时救助"]


def test_a_synonym_record_makes_the_everyday_word_find_the_official_name(county: Terminal) -> None:
    assert _ids(county, "老年证") == ["doc-elder"]  # before: nothing, 老年证 is nowhere in the content
    assert "synonym-elder" not in _ids(county, "老人证")  # a synonym group is never a result itself


def test_a_place_name_ranks_its_own_content_first(county: Terminal) -> None:
    county.store.apply([make("document", "doc-village-temp", region=VILLAGE, title="桃源村关于临时救助对象的公示", body="临时救助。")])
    county.search.search("预热")  # new content is noticed
    plan = county.search.parser.parse("桃源村 临时救助")
    assert plan.regions == [VILLAGE] and "桃源村" not in [g.word for g in plan.groups]  # the place filters, it is not a word
    assert _ids(county, "桃源村 临时救助")[0] == "doc-village-temp"


def test_nothing_found_says_so_and_offers_nothing_false(county: Terminal) -> None:
    result = county.search.run("qqqqzzzz")
    assert result.hits == [] and result.mode == "none" and result.did_you_mean == []


def test_the_segmenter_uses_the_packed_word_list_not_rjiebas_full_dictionary() -> None:
    """``import rjieba`` builds a 349,046-word instance (~33 MB) at import; the kiosk loads the compiled module alone over
    jieba's 100,000 most frequent words (kiosk/data/segment-words.txt.gz), in a fresh process so nothing else imported it."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from kiosk.query import WORDS_FILE, segment, _segmenter\n"
        "print(segment('怎么申请农村最低生活保障'))\n"
        "print('rjieba' in sys.modules, _segmenter().has_word('保障'), _segmenter().has_word('第三季度'))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120).stdout.splitlines()
    assert out[0] == str(["怎么", "申请", "农村", "最低", "生活", "保障"])
    # the package's own default instance was never built; a common word is known, one of jieba's rarest (freq 3) is not
    assert out[1] == "False True False"
