"""The print queue and its limits with real parts: a real usage log, real PDFs, the file printer."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kiosk.settings import Settings
from kiosk.terminal import Terminal
from kiosk.usage import UsageLog
from printing.backend import JobResult, Media
from printing.filebackend import FileBackend
from printing.limits import check_limits
from printing.pdf import RenderedPdf
from printing.service import DONE, FAILED, QUEUED, REFUSED, PrintOrder, PrintQueue, PrintUpdate
from tests.helpers.records import VILLAGE, make

pytestmark = pytest.mark.clock

# 2026-11-21 23:30 in Shanghai is 15:30 UTC: the local day, not the UTC day, is what the budget counts
LATE_EVENING = dt.datetime(2026, 11, 21, 15, 30, tzinfo=dt.UTC)


def _pdf(pages: int) -> RenderedPdf:
    return RenderedPdf(b"%PDF-1.4 test\n%%EOF\n", pages, Media(210, 297, "A4"), f"{pages} 页测试")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(tmp_path / "settings.json")


@pytest.fixture
def usage(tmp_path: Path) -> UsageLog:
    log = UsageLog(tmp_path / "usage.sqlite")
    yield log
    log.close()


def test_each_limit_refuses_with_its_own_reason(settings: Settings, usage: UsageLog) -> None:
    for key, value in (("printing.max_pages_per_job", 5), ("printing.max_pages_per_session", 8), ("printing.daily_page_budget", 10)):
        settings.set_local(key, value)
    today = LATE_EVENING.astimezone(dt.timezone(dt.timedelta(hours=8))).date()
    assert check_limits(settings, usage, 5, 0, today) is None
    assert check_limits(settings, usage, 6, 0, today).limit == "job"
    refusal = check_limits(settings, usage, 4, 5, today)
    assert refusal.limit == "session" and "您还可以打印 3 页" in refusal.message_zh
    usage.record_print(LATE_EVENING, "doc-1", "a4", 7, "printed")
    usage.record_print(LATE_EVENING, "doc-1", "a4", 50, "failed")  # failed pages do not use the budget
    refusal = check_limits(settings, usage, 4, 0, today)
    assert refusal.limit == "day" and "剩余 3 页" in refusal.message_zh
    assert check_limits(settings, usage, 4, 0, today + dt.timedelta(days=1)) is None


def test_the_local_day_not_the_utc_day(usage: UsageLog) -> None:
    just_after_midnight = dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.UTC).astimezone(ZoneInfo("Asia/Shanghai"))  # 00:30 on the 22nd
    usage.record_print(just_after_midnight, "doc-1", "a4", 2, "printed")
    assert usage.pages_printed_on(dt.date(2026, 11, 22)) == 2
    assert usage.pages_printed_on(dt.date(2026, 11, 21)) == 0
    with pytest.raises(ValueError, match="timezone-aware"):
        usage.record_print(dt.datetime(2026, 11, 21, 12, 0), "doc-1", "a4", 1, "printed")


@pytest.mark.parametrize(("utc_evening", "china_day"), [
    (dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.UTC), dt.date(2026, 11, 22)),  # the 21st in UTC, the 22nd in China
    (dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC), dt.date(2027, 1, 1)),  # New Year's Eve in UTC, New Year in China
    (dt.datetime(2028, 2, 28, 16, 30, tzinfo=dt.UTC), dt.date(2028, 2, 29)),  # a leap day
])
def test_the_queue_counts_on_the_terminals_day(settings: Settings, usage: UsageLog, tmp_path: Path,
                                               utc_evening: dt.datetime, china_day: dt.date) -> None:
    updates: queue.Queue[PrintUpdate] = queue.Queue()
    service = PrintQueue(lambda: settings, usage, {"a4": FileBackend(tmp_path / "out")}, updates.put, clock=lambda: utc_evening)
    service.start()
    try:
        ticket = service.submit(PrintOrder(_pdf(3), "doc-1", "a4")).ticket
        assert _wait_final(updates, ticket).stage == DONE
        assert usage.pages_printed_on(china_day) == 3
        assert usage.pages_printed_on(utc_evening.date()) == 0
    finally:
        service.stop()


class CrashingDriver:
    """A printer driver that throws something no one expected (the Windows spooler boundary)."""

    name = "crashing"

    def status(self) -> None:
        raise AssertionError("not called")

    def print_pdf(self, pdf: Path, media: Media, title: str, timeout_s: float) -> JobResult:
        raise RuntimeError("driver fell over")


def _wait_final(updates: queue.Queue[PrintUpdate], ticket: int) -> PrintUpdate:
    while True:
        update = updates.get(timeout=20)
        if update.ticket == ticket and update.final:
            return update


def test_jobs_print_in_order_and_are_counted(settings: Settings, usage: UsageLog, tmp_path: Path) -> None:
    updates: queue.Queue[PrintUpdate] = queue.Queue()
    printer = FileBackend(tmp_path / "out")
    service = PrintQueue(lambda: settings, usage, {"a4": printer, "receipt": None}, updates.put, clock=lambda: LATE_EVENING)
    service.start()
    try:
        first = service.submit(PrintOrder(_pdf(2), "doc-1", "a4"))
        second = service.submit(PrintOrder(_pdf(3), "doc-2", "a4"))
        assert first.stage == QUEUED and second.stage == QUEUED and service.session_pages == 5
        assert _wait_final(updates, first.ticket).stage == DONE
        assert _wait_final(updates, second.ticket).stage == DONE
        assert len(list((tmp_path / "out").glob("*.pdf"))) == 2
        assert usage.pages_printed_on(dt.date(2026, 11, 21)) == 5
        refused = service.submit(PrintOrder(_pdf(1), "slip", "receipt"))
        assert refused.stage == REFUSED and "没有连接" in refused.message_zh
        service.reset_session()
        assert service.session_pages == 0
    finally:
        service.stop()


def test_a_crashing_driver_fails_the_job_not_the_queue(settings: Settings, usage: UsageLog, tmp_path: Path) -> None:
    updates: queue.Queue[PrintUpdate] = queue.Queue()
    printers = {"a4": CrashingDriver(), "receipt": FileBackend(tmp_path / "receipts")}
    service = PrintQueue(lambda: settings, usage, printers, updates.put, clock=lambda: LATE_EVENING)
    service.start()
    try:
        crashed = service.submit(PrintOrder(_pdf(4), "doc-1", "a4"))
        result = _wait_final(updates, crashed.ticket)
        assert result.stage == FAILED and result.message_zh == "打印没有完成，请联系工作人员" and "driver fell over" in result.alert
        assert service.session_pages == 0  # the person's allowance is given back
        after = service.submit(PrintOrder(_pdf(1), "slip", "receipt"))
        assert _wait_final(updates, after.ticket).stage == DONE  # the worker survived
        counts = {(c.layout, c.outcome): c.pages for c in usage.counts()}
        assert counts == {("a4", "failed"): 4, ("receipt", "printed"): 1}
    finally:
        service.stop()


def test_close_does_not_wait_for_jobs_still_queued(settings: Settings, usage: UsageLog, tmp_path: Path) -> None:
    release = threading.Event()

    class SlowPrinter(FileBackend):
        def print_pdf(self, pdf: Path, media: Media, title: str, timeout_s: float) -> JobResult:
            release.wait(5)
            return super().print_pdf(pdf, media, title, timeout_s)

    service = PrintQueue(lambda: settings, usage, {"a4": SlowPrinter(tmp_path / "out")}, lambda _u: None, clock=lambda: LATE_EVENING)
    service.start()
    for number in range(5):
        service.submit(PrintOrder(_pdf(1), f"doc-{number}", "a4"))
    release.set()
    service.stop(timeout_s=10)
    assert not service.running
    assert len(list((tmp_path / "out").glob("*.pdf"))) <= 2  # the job in hand finished, the waiting ones were dropped


def test_a_limit_the_portal_pushes_is_enforced_by_the_running_queue_at_once(terminal: Terminal, usage: UsageLog, tmp_path: Path) -> None:
    """The reproduced defect: a terminal_profile set printing.max_pages_per_job to 5; the preview said 5, the queue kept 30."""
    updates: queue.Queue[PrintUpdate] = queue.Queue()
    service = PrintQueue(lambda: terminal.settings, usage, {"a4": FileBackend(tmp_path / "out")}, updates.put, clock=terminal.clock)
    service.start()
    try:
        assert service.submit(PrintOrder(_pdf(6), "doc-1", "a4")).stage == QUEUED
        assert _wait_final(updates, 1).stage == DONE
        profile = make("document", "profile-1", region=VILLAGE)
        profile = {**{k: profile[k] for k in ("id", "version", "region", "updated_at")}, "kind": "terminal_profile",
                   "name": "每次最多 5 页", "settings": {"printing.max_pages_per_job": 5}, "terminal_ids": []}
        terminal.store.apply([profile], origin="990121000000")  # as the county channel's sync stores it
        assert "printing.max_pages_per_job" in terminal.reload_settings()  # what a sync that brings the profile does
        refused = service.submit(PrintOrder(_pdf(6), "doc-1", "a4"))
        assert refused.stage == REFUSED and refused.alert == "limit job reached" and "最多打印 5 页" in refused.message_zh
        terminal.settings.set_local("printing.job_timeout_s", 15)  # and a staff value, from settings.json
        terminal.reload_settings()
        assert service.settings()["printing.job_timeout_s"] == 15
    finally:
        service.stop()


def test_a_queue_is_not_started_by_its_constructor_and_stops_cleanly(settings: Settings, usage: UsageLog, tmp_path: Path) -> None:
    updates: queue.Queue[PrintUpdate] = queue.Queue()
    before = set(threading.enumerate())
    service = PrintQueue(lambda: settings, usage, {"a4": FileBackend(tmp_path / "out")}, updates.put, clock=lambda: LATE_EVENING)
    assert not service.running and set(threading.enumerate()) <= before
    service.stop()  # never started: nothing to stop
    ticket = service.submit(PrintOrder(_pdf(1), "doc-1", "a4")).ticket  # accepted, printed once the worker runs
    service.start()
    service.start()  # once is enough
    started = set(threading.enumerate()) - before
    assert [thread.name for thread in started] == ["print-queue"]
    assert _wait_final(updates, ticket).stage == DONE
    service.stop()
    service.stop()
    assert not service.running and not any(thread.is_alive() for thread in started)
