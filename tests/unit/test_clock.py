"""The terminal's clock: what KIOSK_NOW accepts and refuses, and that injected clocks reach the store."""

from __future__ import annotations

import datetime as dt

import pytest

from kiosk import clock as clocks
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.helpers.records import make

pytestmark = pytest.mark.clock

CHINA = dt.timezone(dt.timedelta(hours=8))


def test_kiosk_now_starts_the_clock_at_that_instant_and_lets_it_run() -> None:
    ticks = iter([100.0, 100.0, 190.5])
    start = clocks.running_from(dt.datetime(2027, 1, 1, 0, 30, tzinfo=CHINA), monotonic=lambda: next(ticks))
    assert start() == dt.datetime(2027, 1, 1, 0, 30, tzinfo=CHINA)
    assert start() == dt.datetime(2027, 1, 1, 0, 31, 30, 500000, tzinfo=CHINA)


def test_kiosk_now_from_the_environment() -> None:
    moment = clocks.from_environment({"KIOSK_NOW": "2028-02-29T12:00:00+08:00"})()
    assert moment.astimezone(CHINA).date() == dt.date(2028, 2, 29)
    assert clocks.from_environment({}) is clocks.system_clock
    assert clocks.from_environment({"KIOSK_NOW": "  "}) is clocks.system_clock


@pytest.mark.parametrize("text", ["tomorrow", "2026-13-01T00:00:00+08:00", "2026-11-21T10:00:00", "2026-11-21"])
def test_kiosk_now_refuses_what_is_not_an_instant_with_an_offset(text: str) -> None:
    with pytest.raises(ValueError, match="KIOSK_NOW: expected"):
        clocks.from_environment({"KIOSK_NOW": text})


def test_clocks_refuse_naive_datetimes() -> None:
    naive = dt.datetime(2026, 11, 21, 10, 0)
    for build in (clocks.fixed_clock, clocks.SteppedClock, clocks.running_from):
        with pytest.raises(ValueError, match="naive"):
            build(naive)


def test_the_terminal_clock_decides_which_notices_are_expired_and_stamps_changes(tmp_path) -> None:
    stepped = clocks.SteppedClock(TEST_NOW)
    with Terminal(tmp_path / "t", stepped) as terminal:
        notice = make("notice", "n-1", publish_at="2026-11-01T08:00:00+08:00", expire_at="2026-11-22T00:00:00+08:00")
        terminal.store.apply([notice])
        assert terminal.store.meta("data_changed_at").startswith("2026-11-21")
        assert terminal.store.counts_by_kind(terminal.scope()).get("notice") == 1
        assert [hit.record_id for hit in terminal.search.search("森林防火")] == ["n-1"]
        stepped.advance(hours=14)  # 2026-11-22 00:32 in 溪源县: expired
        assert terminal.store.counts_by_kind(terminal.scope()).get("notice", 0) == 0
        assert terminal.search.search("森林防火") == []


def test_every_part_of_a_process_shares_one_kiosk_now_clock() -> None:
    env = {"KIOSK_NOW": "2027-01-01T00:30:00+08:00"}
    assert clocks.from_environment(env) is clocks.from_environment(dict(env))
