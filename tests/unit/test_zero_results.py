"""Searches that found nothing: normalised, filtered for personal data, counted per local day (issue 14 item 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.clock import fixed_clock
from kiosk.heartbeat import usage_payload
from kiosk.protocol import ZERO_RESULT_QUERY_CHARS, ZERO_RESULTS_PER_ITEM
from kiosk.terminal import Terminal
from kiosk.usage import ZERO_RESULT_QUERIES_PER_DAY, UsageLog
from kiosk.zeroresults import PendingZeroResult, normalise, payment_recipients, personal_reason, record_zero_result
from tests.helpers.clock import TEST_NOW
from tests.helpers.records import make

RECIPIENTS = frozenset({"张*明", "欧阳*华", "李*", "买*力"})

# Every split form kiosk/privacy.py reads an ID as (tests/security/test_masking_gaps.py), and cards and mobiles.
NUMBERS = [
    "430521198001011234", "43052119800101123X", "430521 19800101 1234", "430521-19800101-1234", "430521.19800101.1234",
    "430521_19800101_1234", "430521/19800101/1234", "４３０５２１１９８００１０１１２３４", "4305211980\u200b01011234",
    "430521\u300019800101\u30001234", "张三明 430521198001011234", "430521800101123",  # the 15-digit ID issued before 1999
    "6222021234567890123", "6222 0212 3456 7890 123", "13812345678", "138-1234-5678", "138 1234 5678", "电话13812345678",
    "5213001", "0739-5213001",  # a phone number typed into a search box is somebody's
]


@pytest.mark.parametrize("query", NUMBERS)
def test_numbers_are_dropped(query: str) -> None:
    assert personal_reason(normalise(query), RECIPIENTS) == "number"


@pytest.mark.parametrize("query", ["张三明", "张四明", "张*明", "查张三明的低保", "张三明 低保", "欧阳振华", "李四", "买买提·艾力", "ＺＨＡＮＧ 张三明"])
def test_names_on_a_payment_list_are_dropped(query: str) -> None:
    assert personal_reason(normalise(query), RECIPIENTS) == "name"


@pytest.mark.parametrize("query", ["临时救助", "高龄津贴怎么领", "2026年耕地补贴", "dibao", "5.2亩", "80周岁", "张家界", "王三明"])
def test_ordinary_queries_are_kept(query: str) -> None:
    assert personal_reason(normalise(query), RECIPIENTS) is None


def test_normalise_folds_trims_and_caps() -> None:
    assert normalise("  临时\u200b救助\t\n ") == "临时救助"
    assert normalise("ｄｉｂａｏ") == "dibao"
    assert normalise("a\x1b[2Jb  c") == "a [2Jb c"
    assert len(normalise("补" * 100)) == ZERO_RESULT_QUERY_CHARS
    assert normalise(" \u3000 ") == ""


def test_recipients_come_from_the_store_masked(terminal: Terminal) -> None:
    terminal.store.apply([make("subsidy_payment", "p1", recipient="赵大刚"), make("subsidy_payment", "p2", recipient="钱小红")])
    assert payment_recipients(terminal) == {"赵*刚", "钱*红"}
    assert record_zero_result(terminal, "赵大刚") is None
    assert record_zero_result(terminal, "赵大刚补贴") is None
    assert record_zero_result(terminal, " 临时救助 ") == "临时救助"
    assert record_zero_result(terminal, "430521198001011234") is None
    assert record_zero_result(terminal, "临时救助") == "临时救助"
    log = UsageLog(terminal.data_dir / "usage.sqlite")
    try:
        assert log.zero_results(TEST_NOW.date(), 10) == [("临时救助", 2)]
    finally:
        log.close()


def test_counted_on_the_terminals_local_day(tmp_path: Path) -> None:
    late = dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.UTC)  # 00:30 on 22 November in 溪源县
    with Terminal(tmp_path / "t", fixed_clock(late)) as terminal:
        record_zero_result(terminal, "临时救助")
        assert usage_payload(terminal, dt.date(2026, 11, 21))["zero_results"] == []
        assert usage_payload(terminal, dt.date(2026, 11, 22))["zero_results"] == [{"query": "临时救助", "searches": 1}]


def test_the_day_and_the_item_are_bounded(tmp_path: Path) -> None:
    day = TEST_NOW.date()
    log = UsageLog(tmp_path / "usage.sqlite")
    try:
        for number in range(ZERO_RESULT_QUERIES_PER_DAY):
            assert log.record_zero_result(day, f"词{number}")
        assert not log.record_zero_result(day, "one too many")
        assert log.record_zero_result(day, "词7")  # one already counted still grows
        top = log.zero_results(day, ZERO_RESULTS_PER_ITEM)
    finally:
        log.close()
    assert len(top) == ZERO_RESULTS_PER_ITEM and top[0] == ("词7", 2)


def test_only_the_query_a_reader_ends_on_is_counted() -> None:
    counted: list[str] = []
    pending = PendingZeroResult(counted.append)
    for query, found in [("临", True), ("临时", True), ("临时救", False), ("临时救助x", False), ("临时救助", False)]:
        pending.searched(query, found)
    assert counted == []  # still typing (and deleting back) the same search
    pending.searched("", False)  # cleared
    assert counted == ["临时救助"]
    pending.searched("gd", False)
    pending.searched("gdz", True)  # found something after all
    pending.searched("耕地", True)
    pending.flush()
    assert counted == ["临时救助"]
    pending.searched("不存在的词", False)
    pending.flush()  # left the screen
    assert counted == ["临时救助", "不存在的词"]
