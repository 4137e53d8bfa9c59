"""On whatever day it is, the kiosk is right about the day (issue 11).

Two kinds of test live here, all marked ``clock`` so that ``make test`` runs them again at awkward
instants under libfaketime (``scripts/test-clock.sh``):

- tests that take the machine's clock on purpose and check what must hold on every date: the demo
  loaded "today" is current. Under faketime "today" is 1 January in China while UTC still says
  31 December, or 29 February, or two years ahead;
- tests that set the instant themselves and check the arithmetic at those awkward instants: notice
  expiry across midnight, staleness, the dates printed on paper.

Nothing here hard-codes an answer that is only true on some day.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk import clock as clocks
from kiosk.home import home_summary
from kiosk.store import ChannelCommit
from kiosk.syncstatus import data_status
from kiosk.terminal import Terminal
from printing.render import PrintContext
from tests.helpers.records import VILLAGE, make

pytestmark = pytest.mark.clock

CHINA = ZoneInfo("Asia/Shanghai")
AWKWARD = [
    pytest.param(dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), id="new-year-in-china-still-31-december-in-utc"),
    pytest.param(dt.datetime(2028, 2, 29, 2, 0, tzinfo=dt.UTC), id="29-february"),
    pytest.param(dt.datetime(2028, 11, 21, 2, 32, tzinfo=dt.UTC), id="two-years-ahead"),
]
DATE_FIELDS = ("published_date", "written_date", "paid_date")  # effective_date may lie ahead: 自…起施行


def _quarter(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _previous(quarter: tuple[int, int]) -> tuple[int, int]:
    year, number = quarter
    return (year - 1, 4) if number == 1 else (year, number - 1)


def _check_current(terminal: Terminal) -> None:
    """What a resident must see on the day the demo is loaded, whatever day that is."""
    now = terminal.clock()
    today = now.astimezone(CHINA).date()
    summary = home_summary(terminal)
    urgent = [line for line in summary.notices if line.urgent]
    assert urgent, f"no urgent notice on {today}"
    assert len(summary.notices) >= 2, f"fewer than two current notices on {today}"
    stored = terminal.store.sql("SELECT COUNT(*) FROM record WHERE kind = 'notice' AND deleted = 0")[0][0]
    assert stored > len(summary.notices), f"no expired notice held back on {today}"
    for line in summary.notices:
        assert dt.datetime.fromisoformat(line.expire_at) > now

    payments = terminal.store.list_records("subsidy_payment", [VILLAGE], limit=500)
    this_year = [p for p in payments if p["period"] == str(today.year)]
    assert this_year, f"no payments for {today.year} on {today}"
    assert all(p.get("paid_date", "") <= today.isoformat() for p in payments)

    boards = terminal.store.list_records("board", [VILLAGE], limit=200)
    finance = {tuple(map(int, b["period"].split("-Q"))) for b in boards if b["board_type"] == "finance"}
    current = _quarter(today)
    assert finance & {current, _previous(current)}, f"no finance board for {current} or the quarter before on {today}"

    for kind in ("document", "subsidy_policy", "board", "subsidy_payment", "notice", "service_guide"):
        for record in terminal.store.list_records(kind, terminal.scope(), limit=1000):
            for field in DATE_FIELDS:
                if field in record:
                    assert record[field] <= today.isoformat(), f"{record['id']} {field} {record[field]} is after {today}"
            assert dt.datetime.fromisoformat(record["updated_at"]) <= now, f"{record['id']} updated_at is in the future"


def test_the_demo_loaded_today_is_current(tmp_path: Path) -> None:
    """The machine's own clock, on purpose: under faketime this is each awkward instant in turn."""
    with Terminal(tmp_path / "t", clocks.system_clock) as terminal:
        assert terminal.ensure_demo_content() is not None
        _check_current(terminal)


@pytest.mark.parametrize("instant", AWKWARD)
def test_the_demo_loaded_at_an_awkward_instant_is_current(tmp_path: Path, instant: dt.datetime) -> None:
    with Terminal(tmp_path / "t", clocks.fixed_clock(instant)) as terminal:
        terminal.ensure_demo_content()
        _check_current(terminal)


def test_a_notice_that_ends_at_midnight_in_china_is_gone_at_half_past_midnight(terminal: Terminal) -> None:
    """expire_at is compared as an instant: 00:00 +08:00 on 1 January is 16:00 UTC on 31 December."""
    notice = make("notice", "n-new-year", publish_at="2026-12-01T08:00:00+08:00", expire_at="2027-01-01T00:00:00+08:00")
    terminal.store.apply([notice])
    scope = terminal.scope()
    before = dt.datetime(2026, 12, 31, 15, 59, tzinfo=dt.UTC)  # 23:59 on New Year's Eve in China
    after = dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC)  # 00:30 on New Year's Day in China, still the 31st in UTC
    assert terminal.store.counts_by_kind(scope, now=before).get("notice") == 1
    assert terminal.store.counts_by_kind(scope, now=after).get("notice", 0) == 0
    assert [hit.record_id for hit in terminal.search.search("森林防火", now=before)] == ["n-new-year"]
    assert terminal.search.search("森林防火", now=after) == []


@pytest.mark.parametrize("instant", AWKWARD)
def test_staleness_counts_hours_not_calendar_days(tmp_path: Path, instant: dt.datetime) -> None:
    clock = clocks.SteppedClock(instant)
    with Terminal(tmp_path / "t", clock) as terminal:
        synced = instant.astimezone(CHINA).isoformat(timespec="seconds")
        terminal.store.apply([], commit=ChannelCommit("990121000000", 1, synced, False, synced))
        assert data_status(terminal).kind == "fresh"
        clock.advance(hours=int(terminal.settings["sync.stale_after_h"]) - 1)
        assert data_status(terminal).kind == "fresh"
        clock.advance(hours=2)
        assert data_status(terminal).kind == "stale"


@pytest.mark.parametrize("instant", AWKWARD)
def test_paper_carries_the_terminals_date_and_time(terminal: Terminal, instant: dt.datetime) -> None:
    context = PrintContext.of(terminal, instant)
    local = instant.astimezone(CHINA)
    assert context.footer().right.startswith(f"打印于 {local:%Y-%m-%d %H:%M}")
    assert context.slip_header().printed_at == f"{local:%Y-%m-%d %H:%M}"
    assert PrintContext.of(terminal).now == terminal.clock().astimezone(CHINA)  # without an instant: the terminal's clock


def test_a_demo_store_from_an_earlier_day_is_brought_to_today(tmp_path: Path) -> None:
    """kiosk run --demo on a data folder whose demo was loaded months ago shows today's county."""
    clock = clocks.SteppedClock(dt.datetime(2026, 11, 21, 2, 32, tzinfo=dt.UTC))
    with Terminal(tmp_path / "t", clock) as terminal:
        terminal.ensure_demo_content()
        old_ids = {row[0] for row in terminal.store.sql("SELECT record_id FROM record WHERE deleted = 0")}
        assert terminal.ensure_demo_content() is None  # the same day: nothing to do
        clock.advance(days=116)  # 2027-03-17
        report = terminal.ensure_demo_content()
        assert report is not None and report.result.changed > 0
        _check_current(terminal)
        live = {row[0] for row in terminal.store.sql("SELECT record_id FROM record WHERE deleted = 0")}
        assert live != old_ids and not any("-2025Q4-" in record_id for record_id in live)
        assert terminal.store.meta("demo_day") == "2027-03-17"


def test_a_store_with_other_content_is_never_replaced_by_the_demo(tmp_path: Path) -> None:
    clock = clocks.SteppedClock(dt.datetime(2026, 11, 21, 2, 32, tzinfo=dt.UTC))
    with Terminal(tmp_path / "t", clock) as terminal:
        terminal.ensure_demo_content()
        source = tmp_path / "mine.jsonl"
        source.write_text(json.dumps(make("notice", "notice-staff-1", title="工作人员导入的通知"), ensure_ascii=False) + "\n", encoding="utf-8")
        terminal.import_path(source)
        clock.advance(days=200)
        assert terminal.ensure_demo_content() is None
        assert terminal.store.get("notice-staff-1") is not None
