"""Every "at once" setting takes effect on a running kiosk without a restart (issue 13, item 1).

Each change is written to ``settings.json`` from outside the window, as ``kiosk config set`` in another
process would, and the window finds it through its settings watch; one test runs the real command.
A probe per setting looks for the effect where a person (or the print queue) meets it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from app.background import BackgroundSync
from kiosk.changes import ContentChanges
from kiosk.clock import fixed_clock
from kiosk.settings import AT_ONCE, NEXT_SCREEN, SETTINGS, Settings
from kiosk.store import ChannelCommit
from kiosk.terminal import Terminal
from printing.backend import Media
from printing.pdf import RenderedPdf
from printing.service import REFUSED
from sync.scheduler import SyncScheduler
from tests.helpers.clock import TEST_ENV, TEST_NOW
from tests.helpers.paths import ROOT
from tests.helpers.records import COUNTY, OTHER_VILLAGE, make
from ui.settingswatch import SettingsWatcher
from ui.speech import NULL_PLAYER, Speaker
from ui.window import MainWindow

WATCH_TIMEOUT_MS = 5_000  # "within seconds": the watch settles in 0.3 s, its poll backs it up every 2 s


class CountingScheduler(SyncScheduler):
    """The real scheduler, except that a nudge is counted instead of run (a cycle would go to the network)."""

    triggered = 0

    def trigger(self) -> None:
        self.triggered += 1


@dataclass
class Kiosk:
    window: MainWindow
    terminal: Terminal
    scheduler: CountingScheduler

    def set(self, key: str, value: Any) -> None:
        """Change a setting the way another process does: a fresh Settings writes settings.json (write_atomic)."""
        Settings(self.terminal.data_dir / "settings.json").set_local(key, value)

    def label(self, name: str) -> str:
        labels = [label for label in self.window.findChildren(QLabel, name) if label.isVisible()]
        return labels[0].text() if labels else ""

    def tile_count(self, tile: str) -> str:
        """The count on a home tile ("" while the home screen is being rebuilt and shows none)."""
        button = next((b for b in self.window.findChildren(QPushButton, f"tile-{tile}") if b.isVisible()), None)
        return button.findChild(QLabel, "tile-count").text() if button is not None else ""

    def refused(self, pages: int) -> str:
        """Which limit the running print queue applies to a print of ``pages`` pages ("" when it accepts it)."""
        pdf = RenderedPdf(b"%PDF-1.4 test\n%%EOF\n", pages, Media(210, 297, "A4"), "测试")
        update = self.window.desk.submit(pdf, _Subject(), "a4")
        self.window.desk.reset_session()
        return update.alert.removeprefix("limit ").removesuffix(" reached") if update.stage == REFUSED else ""


class _Subject:
    log_id = "doc-1"


def _records() -> list[dict[str, Any]]:
    other = make("region", "region-other", region=OTHER_VILLAGE, name="李家村", full_name="溪源县河口乡李家村", parent="990121102000")
    profile = make("document", "profile-other")
    profile = {**{k: profile[k] for k in ("id", "version", "region", "updated_at")}, "kind": "terminal_profile", "region": COUNTY,
               "name": "另一台终端", "settings": {"ui.idle_timeout_s": 333}, "terminal_ids": ["terminal-elsewhere"]}
    return [make("region", "region-village"), other, make("notice", "notice-1"), make("board", "board-other", region=OTHER_VILLAGE),
            profile]


@pytest.fixture
def kiosk(qtbot, tmp_path: Path) -> Kiosk:
    terminal = Terminal(tmp_path / "terminal", fixed_clock(TEST_NOW))
    terminal.store.apply(_records(), origin=COUNTY)  # as the county channel's sync stores them
    synced_at = (TEST_NOW - dt.timedelta(hours=2)).isoformat(timespec="seconds")
    terminal.store.apply([], commit=ChannelCommit(COUNTY, 1, synced_at, False, synced_at))
    terminal.reload_settings()
    speaker = Speaker(player=NULL_PLAYER)
    window = MainWindow(terminal, speaker=speaker)
    qtbot.addWidget(window)
    window.resize(1920, 1080)
    window.show()
    scheduler = CountingScheduler(terminal.data_dir, first_delay_s=3600, clock=terminal.clock)
    window.start(BackgroundSync(scheduler))
    yield Kiosk(window, terminal, scheduler)
    window.shutdown()
    terminal.close()


@dataclass(frozen=True)
class Probe:
    value: Any
    applied: Callable[[Kiosk], bool]
    setup: Callable[[Kiosk], None] = lambda kiosk: None


def _sync_probe(value: Any) -> Probe:
    return Probe(value, lambda k: k.scheduler.triggered == 1)  # a sync starts with the new way to reach the portal


#: Where each "at once" setting shows on the running kiosk.
def _phone_on_call_cover(k: Kiosk, phone: str) -> bool:
    """Open 呼叫工作人员 afresh (a cover shows the phone as it was when opened) and read its phone line."""
    for cover in k.window.findChildren(QWidget, "call-cover"):
        cover.setParent(None)
        cover.deleteLater()
    k.window.call_staff()
    return phone in k.label("call-phone")


PROBES: dict[str, Probe] = {
    "terminal.id": Probe("terminal-elsewhere", lambda k: k.window.idle.timeout_s == 333),  # a profile for that id applies
    "terminal.name": Probe("河口乡便民服务中心自助终端", lambda k: k.label("terminal-name") == "河口乡便民服务中心自助终端"),
    "terminal.region": Probe(OTHER_VILLAGE, lambda k: k.label("place-name") == "李家村" and k.tile_count("boards").startswith("1")),
    "terminal.phone": Probe("0739-5213101", lambda k: _phone_on_call_cover(k, "0739-5213101")),
    "terminal.timezone": Probe("Asia/Urumqi", lambda k: "08:32" in k.label("clock")),  # 10:32 in Beijing is 08:32 in Ürümqi
    "content.show_other_villages": Probe(True, lambda k: k.tile_count("boards").startswith("1"),
                                         setup=lambda k: k.set("terminal.region", COUNTY)),
    "ui.language": Probe("en", lambda k: k.window.default_lang == "en" and k.window.lang == "zh_CN"),  # the next person's
    "ui.large_text": Probe(True, lambda k: k.window.default_large is True and k.window.large is False),
    "ui.idle_timeout_s": Probe(300, lambda k: k.window.idle.timeout_s == 300),
    "ui.idle_warning_s": Probe(45, lambda k: k.window.idle.warning_s == 45),
    "ui.attract_after_s": Probe(900, lambda k: k.window.idle.attract_after_s == 900),
    "speech.voice": Probe("yue", lambda k: k.window.speaker is not None and k.window.speaker.voice == "yue"),
    "printing.max_pages_per_job": Probe(5, lambda k: k.refused(6) == "job"),
    "printing.max_pages_per_session": Probe(3, lambda k: k.refused(4) == "session"),
    "printing.daily_page_budget": Probe(2, lambda k: k.refused(3) == "day"),
    "printing.job_timeout_s": Probe(15, lambda k: k.window.desk.queue.settings()["printing.job_timeout_s"] == 15),
    "sync.portal_url": _sync_probe("https://zwgk.example.gov.cn"),
    "sync.feed_url": _sync_probe("https://cdn.example.gov.cn/xiyuan/"),
    "sync.interval_s": _sync_probe(60),
    "sync.max_bundle_mb": _sync_probe(64),
    "sync.proxy": _sync_probe("http://10.0.0.1:3128"),
    "sync.ca_bundle": _sync_probe("/etc/ssl/county-ca.pem"),
    "sync.connect_timeout_s": _sync_probe(5),
    "sync.read_timeout_s": _sync_probe(60),
    "sync.stale_after_h": Probe(1, lambda k: "数据可能不是最新" in k.label("data-status")),  # the last sync was 2 h ago
}


def test_every_at_once_setting_has_a_probe() -> None:
    assert set(PROBES) == {setting.key for setting in SETTINGS if setting.applies == AT_ONCE}


@pytest.mark.parametrize("key", sorted(PROBES))
def test_an_at_once_setting_applies_to_the_running_kiosk(qtbot, kiosk: Kiosk, key: str) -> None:
    probe = PROBES[key]
    probe.setup(kiosk)
    qtbot.wait(50)
    assert kiosk.window.desk.queue.running  # the print queue at work, as after the first print
    assert not probe.applied(kiosk), f"{key} already shows its new value"
    kiosk.set(key, probe.value)
    qtbot.waitUntil(lambda: probe.applied(kiosk), timeout=WATCH_TIMEOUT_MS)


def test_a_page_being_read_is_not_changed_under_the_readers_finger(qtbot, kiosk: Kiosk) -> None:
    kiosk.window.show_screen("notices")
    page = kiosk.window.stack.currentWidget()
    kiosk.set("terminal.region", OTHER_VILLAGE)
    qtbot.waitUntil(lambda: kiosk.window.terminal.region == OTHER_VILLAGE, timeout=WATCH_TIMEOUT_MS)
    assert kiosk.window.stack.currentWidget() is page and kiosk.window.history == [page]
    kiosk.window.go_home()
    assert kiosk.label("place-name") == "李家村"


def test_next_screen_settings_reach_the_next_screen(qtbot, kiosk: Kiosk) -> None:
    kiosk.set("search.result_limit", 7)
    kiosk.set("printing.backend", "none")
    kiosk.set("share.portal_url", "")
    kiosk.set("printing.receipt_width_mm", 58)
    qtbot.waitUntil(lambda: kiosk.window.terminal.settings["printing.receipt_width_mm"] == 58, timeout=WATCH_TIMEOUT_MS)
    assert kiosk.window.desk.receipt_width_mm == 58 and not kiosk.window.desk.can_print("a4")  # printers swapped in place
    kiosk.window.show_screen("search")
    assert kiosk.window.stack.currentWidget().limit == 7
    kiosk.window.show_screen("notice")
    assert not kiosk.window.stack.currentWidget().findChildren(QPushButton, "print")  # printing off: no buttons
    assert {setting.key for setting in SETTINGS if setting.applies == NEXT_SCREEN} >= {
        "search.result_limit", "printing.backend", "share.portal_url", "printing.receipt_width_mm"}


def test_kiosk_config_set_from_another_process_shows_on_the_running_kiosks_header(qtbot, kiosk: Kiosk, shots: Path) -> None:
    """The issue's check: a real `kiosk config set terminal.name …` on the same data folder, the real window, a screenshot."""
    assert kiosk.label("terminal-name") == "桃源村便民服务站自助终端"
    command = [sys.executable, "-m", "app.main", "config", "set", "terminal.name", "桃源村党群服务中心自助终端",
               "--data-dir", str(kiosk.terminal.data_dir)]
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, **TEST_ENV}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    qtbot.waitUntil(lambda: kiosk.label("terminal-name") == "桃源村党群服务中心自助终端", timeout=WATCH_TIMEOUT_MS)
    kiosk.window.grab().save(str(shots / "settings-terminal-name-at-once.png"))


def test_a_page_limit_the_portal_pushes_is_enforced_by_the_running_queue_and_said_by_the_preview(qtbot, kiosk: Kiosk) -> None:
    """The reproduced defect: a terminal_profile set printing.max_pages_per_job to 5; the preview said 5, the queue kept 30."""
    assert kiosk.refused(6) == ""
    profile = make("document", "profile-county")
    profile = {**{k: profile[k] for k in ("id", "version", "region", "updated_at")}, "kind": "terminal_profile", "region": COUNTY,
               "name": "全县终端", "settings": {"printing.max_pages_per_job": 5}, "terminal_ids": []}
    result = kiosk.terminal.store.apply([profile], origin=COUNTY)  # what a sync's apply does (on its own connection)
    kiosk.window.on_synced(ContentChanges.of_kinds(result.kinds))  # and what app/background.py then tells the window
    assert kiosk.refused(6) == "job"
    assert kiosk.window.terminal.settings["printing.max_pages_per_job"] == 5  # what the preview reads


def test_the_settings_watch_sees_a_new_file_a_replace_and_an_in_place_write_but_not_other_files(qtbot, tmp_path: Path) -> None:
    """Without its poll (a day apart), so the file-system watch alone must notice: write_atomic and editors replace the file."""
    path = tmp_path / "settings.json"
    watch = SettingsWatcher(path, poll_ms=86_400_000)
    watch.start()
    try:
        with qtbot.waitSignal(watch.changed, timeout=3_000):
            Settings(path).set_local("terminal.name", "一号终端")  # the file appears
        with qtbot.waitSignal(watch.changed, timeout=3_000):
            Settings(path).set_local("terminal.name", "二号终端")  # replaced: a new inode
        with qtbot.waitSignal(watch.changed, timeout=3_000):
            path.write_text('{"terminal.name": "三号终端"}', encoding="utf-8")  # written in place
        with qtbot.assertNotEmitted(watch.changed, wait=1_000):
            (tmp_path / "usage.sqlite-journal").write_bytes(b"x")  # SQLite's journals come and go beside it
            (tmp_path / "usage.sqlite-journal").unlink()
    finally:
        watch.stop()
