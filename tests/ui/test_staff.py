"""Staff mode with one finger: the 5-second press, the PIN pad, the panel's actions, the lockout, the locks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk.clock import SteppedClock
from kiosk.staff import IDLE_LOCK_S, LOCK_AFTER, delay_after
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.helpers.qt import button, current, open_window, tap, visible
from ui.staff import HOLD_S, PinPad, staff_lock
from ui.staff_panel import RESTART_EXIT, StaffPanel
from ui.staff_settings import EDITABLE
from ui.window import MainWindow

PIN = "246810"


class Seconds:
    """The idle watcher's monotonic clock, stepped by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def staff_terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A demo terminal of its own (the PIN and the lockout live in its data folder), on a clock the test steps."""
    clock = SteppedClock(TEST_NOW)
    with Terminal(tmp_path / "terminal", clock) as terminal:
        terminal.ensure_demo_content()
        terminal.settings.set_local("printing.backend", "file")
        terminal.reload_settings()
        yield terminal


def open_staff_window(qtbot, terminal: Terminal, **options) -> tuple[MainWindow, Seconds]:
    window = open_window(qtbot, terminal, **options)
    seconds = Seconds()
    window.idle.clock = seconds
    window.idle.touched()
    window.staff_gesture.start()
    qtbot.addWidget(window)
    return window, seconds


def hold_terminal_name(qtbot, window: MainWindow, seconds: Seconds, held_s: float) -> None:
    name = visible(window, QLabel, "terminal-name")
    assert name is not None
    qtbot.mousePress(name, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    seconds.now += held_s
    window.staff_gesture.check()
    qtbot.mouseRelease(name, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def type_pin(qtbot, window: MainWindow, pin: str) -> None:
    for digit in pin:
        tap(qtbot, button(window, f"pin-{digit}"))
    tap(qtbot, button(window, "pin-ok"))


def open_panel(qtbot, window: MainWindow, seconds: Seconds) -> StaffPanel:
    hold_terminal_name(qtbot, window, seconds, HOLD_S)
    type_pin(qtbot, window, PIN)
    panel = current(window)
    assert isinstance(panel, StaffPanel)
    return panel


def test_a_tap_or_a_short_press_opens_nothing_five_seconds_open_the_pad(qtbot, staff_terminal: Terminal) -> None:
    window, seconds = open_staff_window(qtbot, staff_terminal)
    tap(qtbot, visible(window, QLabel, "terminal-name"))
    hold_terminal_name(qtbot, window, seconds, HOLD_S - 0.5)
    assert current(window) is window.home
    hold_terminal_name(qtbot, window, seconds, HOLD_S)
    assert isinstance(current(window), PinPad)


def test_the_pin_opens_the_panel_and_says_why_data_is_stale(qtbot, staff_terminal: Terminal, tmp_path: Path) -> None:
    staff_lock(open_staff_window(qtbot, staff_terminal)[0]).set_pin(PIN)
    window, seconds = open_staff_window(qtbot, staff_terminal)
    staff_terminal.store.note_sync("county", at=TEST_NOW.isoformat(), error="certificate verify failed", error_kind="tls")
    panel = open_panel(qtbot, window, seconds)
    words = {label.objectName(): label.text() for label in panel.findChildren(QLabel) if label.objectName().startswith("status-")}
    assert "内容可能不是最新的" in words["status-data"] or "暂时连不上" in words["status-data"]
    assert "上次出错" in words["status-channel-county"]
    assert words["status-printer-a4"].startswith("可以打印") and words["status-printer-receipt"].startswith("可以打印")


def test_wrong_pins_slow_the_pad_then_lock_it_and_the_lock_survives_a_restart(qtbot, staff_terminal: Terminal) -> None:
    window, seconds = open_staff_window(qtbot, staff_terminal)
    lock = staff_lock(window)
    lock.set_pin(PIN)
    hold_terminal_name(qtbot, window, seconds, HOLD_S)
    for _ in range(LOCK_AFTER):
        staff_terminal.clock.advance(seconds=delay_after(lock.failures()))
        current(window).show_wait()  # the pad's one-second tick, now
        type_pin(qtbot, window, "000000")
    message = visible(window, QLabel, "pin-message").text()
    assert "已锁定" in message and not visible(window, QPushButton, "pin-ok").isEnabled()
    window.close()
    again, seconds = open_staff_window(qtbot, staff_terminal)  # a restart: a new window on the same data folder
    hold_terminal_name(qtbot, again, seconds, HOLD_S)
    assert not visible(again, QPushButton, "pin-1").isEnabled()
    assert "已锁定" in visible(again, QLabel, "pin-message").text()


def test_test_pages_go_to_the_a4_and_the_receipt_printer(qtbot, staff_terminal: Terminal) -> None:
    window, seconds = open_staff_window(qtbot, staff_terminal)
    staff_lock(window).set_pin(PIN)
    open_panel(qtbot, window, seconds)
    printed = staff_terminal.data_dir / "printed"
    for role in ("a4", "receipt"):
        tap(qtbot, button(window, f"staff-test-{role}"))
        qtbot.waitUntil(lambda r=role: any((printed / r).glob("*.pdf")), timeout=20_000)
        qtbot.waitUntil(lambda: "测试页已送到打印机" in visible(window, QLabel, "staff-message").text(), timeout=5_000)
    assert [p.read_bytes()[:5] for p in printed.glob("*/*.pdf")] == [b"%PDF-", b"%PDF-"]


def test_the_panel_locks_itself_after_two_idle_minutes_and_a_residents_reset_closes_it(qtbot, staff_terminal: Terminal) -> None:
    window, seconds = open_staff_window(qtbot, staff_terminal)
    staff_lock(window).set_pin(PIN)
    panel = open_panel(qtbot, window, seconds)
    seconds.now = window.idle.last_touch + IDLE_LOCK_S - 1
    panel.check_idle()
    assert current(window) is panel
    seconds.now = window.idle.last_touch + IDLE_LOCK_S
    panel.check_idle()
    assert current(window) is window.home
    open_panel(qtbot, window, seconds)
    window.reset_session()  # what the residents' idle timeout does
    assert current(window) is window.home and not window.history


def test_sync_now_exit_kiosk_mode_restart_and_lock(qtbot, staff_terminal: Terminal, monkeypatch) -> None:
    window, seconds = open_staff_window(qtbot, staff_terminal, lockdown=True)
    staff_lock(window).set_pin(PIN)
    open_panel(qtbot, window, seconds)
    tap(qtbot, button(window, "staff-sync"))
    assert "后台同步没有开启" in visible(window, QLabel, "staff-message").text()  # no background sync in this window
    tap(qtbot, button(window, "staff-exit-kiosk"))
    assert not window.lockdown and not window.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    codes: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(codes.append))
    tap(qtbot, button(window, "staff-restart"))
    assert codes == [RESTART_EXIT]
    tap(qtbot, button(window, "staff-lock"))
    assert current(window) is window.home


def setting_row(qtbot, window: MainWindow, key: str) -> QPushButton:
    """The settings editor's row for ``key``, paging on with 下一页 until it shows."""
    for _ in range(10):
        row = visible(window, QPushButton, f"setting-{key}")
        if row is not None:
            return row
        tap(qtbot, button(window, "settings-next"))
    raise AssertionError(f"no row for {key}")


def test_staff_change_the_printer_queue_and_numbers_on_screen_with_the_clis_words(qtbot, staff_terminal: Terminal) -> None:
    window, seconds = open_staff_window(qtbot, staff_terminal)
    staff_lock(window).set_pin(PIN)
    open_panel(qtbot, window, seconds)
    tap(qtbot, button(window, "staff-settings"))
    tap(qtbot, setting_row(qtbot, window, "printing.queue"))
    for key in ("key-K", "key-I", "key-O", "key-S", "key-K", "key-symbol-0", "key-A", "key-4"):
        tap(qtbot, button(window, key))
    tap(qtbot, button(window, "keyboard-done"))
    assert staff_terminal.settings["printing.queue"] == "kiosk-a4"
    assert "已保存：printing.queue = kiosk-a4" in visible(window, QLabel, "settings-message").text()
    tap(qtbot, setting_row(qtbot, window, "printing.receipt_width_mm"))
    tap(qtbot, button(window, "choice-1"))
    assert staff_terminal.settings["printing.receipt_width_mm"] == 58
    tap(qtbot, setting_row(qtbot, window, "sync.interval_s"))
    for _ in range(4):
        tap(qtbot, button(window, "num-delete"))
    tap(qtbot, button(window, "num-5"))
    tap(qtbot, button(window, "num-done"))
    assert visible(window, QLabel, "settings-message").text() == "setting 'sync.interval_s': expected a number from 15 to 86400 (found 5)"
    assert staff_terminal.settings["sync.interval_s"] == 900
    assert "staff.pin_hash" not in {setting.key for setting in EDITABLE} and "printing.queue" in {s.key for s in EDITABLE}


def test_sync_now_runs_the_windows_background_sync_and_says_when_it_ends(qtbot, staff_terminal: Terminal) -> None:
    from app.background import make_background

    window, seconds = open_staff_window(qtbot, staff_terminal)
    window.attach_sync(make_background(staff_terminal, first_delay_s=3600))  # no cycle until 立即同步 wakes it
    try:
        staff_lock(window).set_pin(PIN)
        open_panel(qtbot, window, seconds)
        assert window.background.scheduler.last_report is None
        tap(qtbot, button(window, "staff-sync"))  # says 正在同步…… until the cycle's report arrives
        qtbot.waitUntil(lambda: visible(window, QLabel, "staff-message").text() == "同步结束。", timeout=30_000)
        assert window.background.scheduler.last_report is not None
    finally:
        window.shutdown()


def test_a_signed_feed_on_a_usb_stick_is_imported_and_plain_records_are_refused(qtbot, staff_terminal: Terminal, tmp_path: Path,
                                                                                 monkeypatch) -> None:
    from app.background import make_background
    from sync.enroll import root_path
    from tests.security.provenance_support import built_feed

    mounts = tmp_path / "media"
    feed = built_feed(mounts / "USER" / "STICK")  # the feed folder, and its plain record source beside it
    monkeypatch.setenv("KIOSK_USB_ROOTS", str(mounts))
    root_path(staff_terminal.data_dir).parent.mkdir(parents=True, exist_ok=True)
    root_path(staff_terminal.data_dir).write_bytes(feed.root)  # enrolled: the county's root is anchored
    window, seconds = open_staff_window(qtbot, staff_terminal)
    window.attach_sync(make_background(staff_terminal, first_delay_s=3600))
    try:
        staff_lock(window).set_pin(PIN)
        open_panel(qtbot, window, seconds)
        assert "签名数据包" in visible(window, QLabel, "staff-usb-line").text()
        tap(qtbot, button(window, "staff-usb"))
        tap(qtbot, button(window, "choice-1"))  # the plain record files
        assert "不能导入普通记录文件" in visible(window, QLabel, "staff-message").text()
        assert not staff_terminal.store.channel_states()
        tap(qtbot, button(window, "staff-usb"))
        tap(qtbot, button(window, "choice-0"))  # the signed feed, feeds first
        qtbot.waitUntil(lambda: visible(window, QLabel, "staff-message").text().startswith(("导入完成", "导入失败")), timeout=60_000)
        assert visible(window, QLabel, "staff-message").text().startswith("导入完成"), visible(window, QLabel, "staff-message").text()
        assert staff_terminal.store.channel_states()
    finally:
        window.shutdown()


def type_on_keyboard(qtbot, window: MainWindow, text: str) -> None:
    """Each character with one finger on the on-screen keyboard (letters, digits and the -_.:/ row), then 确定."""
    for ch in text:
        name = f"key-{ch.upper()}" if ch.isalnum() else f"key-symbol-{'-_.:/'.index(ch)}"
        tap(qtbot, button(window, name))
    tap(qtbot, button(window, "keyboard-done"))


def test_enrolment_from_the_screen_goes_through_enrols_checks(qtbot, staff_terminal: Terminal) -> None:
    from app.background import make_background
    from kiosk.credentials import credentials_path

    window, seconds = open_staff_window(qtbot, staff_terminal)
    window.attach_sync(make_background(staff_terminal, first_delay_s=3600))
    try:
        staff_lock(window).set_pin(PIN)
        open_panel(qtbot, window, seconds)
        tap(qtbot, button(window, "staff-enroll"))
        type_on_keyboard(qtbot, window, "http://portal.example.gov.cn")  # a remote portal over plain http
        type_on_keyboard(qtbot, window, "k7qm-3xhp-abcd")
        type_on_keyboard(qtbot, window, "ab" * 32)
        qtbot.waitUntil(lambda: visible(window, QLabel, "staff-message").text().startswith("接入失败"), timeout=30_000)
        assert "must be https://" in visible(window, QLabel, "staff-message").text()
        assert not credentials_path(staff_terminal.data_dir).exists()
    finally:
        window.shutdown()


def test_a_wrong_pin_is_logged_and_the_panel_shows_the_recent_warnings(qtbot, staff_terminal: Terminal) -> None:
    window, seconds = open_staff_window(qtbot, staff_terminal)
    staff_lock(window).set_pin(PIN)
    hold_terminal_name(qtbot, window, seconds, HOLD_S)
    type_pin(qtbot, window, "000000")
    type_pin(qtbot, window, PIN)  # after one wrong PIN there is no wait yet
    assert isinstance(current(window), StaffPanel)
    assert "wrong staff PIN (1 in a row)" in visible(window, QLabel, "staff-log").text()
