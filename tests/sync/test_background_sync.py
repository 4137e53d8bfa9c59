"""The running kiosk syncs by itself: the scheduler thread fetches from nginx, the window shows it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from app.background import changes_of, make_background
from kiosk.changes import NO_CHANGES, ContentChanges
from kiosk.clock import running_from
from kiosk.terminal import Terminal
from sync.client import ChannelOutcome, SyncReport
from sync.cycle import CycleReport
from sync.scheduler import next_delay
from tests.helpers.clock import TEST_NOW
from tests.sync.feed_support import FeedFixture, edit_record, first_id, make_source
from tests.sync.nginx import NginxServer
from ui.window import MainWindow


def status_text(window: MainWindow) -> str:
    labels = [label for label in window.findChildren(QLabel, "data-status") if label.isVisible()]
    return labels[0].text() if labels else ""


def test_the_window_shows_what_the_background_sync_brings(qtbot, nginx_root: Path, nginx: NginxServer, tmp_path: Path) -> None:
    feed = FeedFixture(nginx_root, tmp_path / "keys", make_source(tmp_path / "source"))
    feed.build()
    data_dir = tmp_path / "terminal"
    clock = running_from(TEST_NOW)  # the demo notices' day; TUF checks the system clock
    with Terminal(data_dir, clock) as terminal:
        terminal.settings.set_local("sync.feed_url", nginx.base_url + "/")
        terminal.reload_settings()
        (data_dir / "sync").mkdir(parents=True, exist_ok=True)
        (data_dir / "sync" / "root.json").write_bytes(feed.root)
        window = MainWindow(terminal)
        qtbot.addWidget(window)
        window.show()
        assert status_text(window).endswith("尚未与县级门户同步")  # a feed is set but nothing came yet: not 离线, not 未连接门户
        background = make_background(terminal, first_delay_s=0.1)
        scheduler = background.scheduler
        heard: list[ContentChanges] = []
        background.synced.connect(heard.append)
        window.attach_sync(background)
        shown: list[str] = []
        background.percent.connect(lambda _percent: shown.append(status_text(window)))
        try:
            qtbot.waitUntil(lambda: "已与县级门户同步" in status_text(window), timeout=30_000)
            # the half-megabyte attachment was worth a progress line on the way
            assert shown and all("正在更新" in text for text in shown)
            assert any(text.endswith("正在更新\u00a0100%") for text in shown)
            notice_id = first_id(feed.source, "notice.jsonl")
            assert terminal.store.get(notice_id) is not None
            # the window heard what changed as a typed value, not sync's report: the kinds, and no profile among them
            qtbot.waitUntil(lambda: bool(heard), timeout=5_000)
            assert {"notice", "document"} <= heard[0].kinds and heard[0].settings is False
            assert window.vocabulary() and window.browser.sample("notice") is not None

            edit_record(feed.source, "notice.jsonl", notice_id, title="后台同步送来的更正通知")
            feed.build()
            scheduler.trigger()  # what 立即更新 would do; otherwise the next interval brings it
            qtbot.waitUntil(lambda: terminal.store.get(notice_id)["title"] == "后台同步送来的更正通知", timeout=30_000)
            assert scheduler.last_report is not None and scheduler.last_report.feed.status == "updated"
            qtbot.waitUntil(lambda: "后台同步送来的更正通知" in window.vocabulary(), timeout=10_000)  # the keyboard learns it
            assert heard[-1] == ContentChanges(frozenset({"notice"}), settings=False)
        finally:
            window.shutdown()
        assert not scheduler._thread.is_alive()


def test_intervals_are_spread_by_jitter() -> None:
    import random

    rng = random.Random(1)
    delays = [next_delay(900, rng) for _ in range(1000)]
    assert 810 <= min(delays) < 830 and 970 < max(delays) <= 990
    assert len({round(d) for d in delays}) > 100


def test_a_cycle_report_becomes_the_changes_the_screens_need() -> None:
    def report(*channels: ChannelOutcome) -> CycleReport:
        return CycleReport(SyncReport(status="updated", started_at="", channels=list(channels)), None)

    assert changes_of(CycleReport(None, None, "nothing to do")) == NO_CHANGES and not NO_CHANGES
    assert changes_of(report(ChannelOutcome("990121000000", "current"))) == NO_CHANGES
    county = ChannelOutcome("990121000000", "updated", 4, kinds=("document", "notice"))
    village = ChannelOutcome("990121101201", "updated", 2, kinds=("terminal_profile",))
    failed = ChannelOutcome("990121101000", "failed", kinds=("board",))  # a failed channel changed nothing
    changes = changes_of(report(county, village, failed))
    assert changes.kinds == frozenset({"document", "notice", "terminal_profile"}) and changes.settings is True
