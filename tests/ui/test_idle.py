"""Idle: the warning counts down ≥ 20 s with 继续使用, then the kiosk resets for the next person; later the notices rotate."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton

from kiosk.terminal import Terminal
from tests.helpers.qt import open_window, visible
from ui.window import MainWindow


class SteppedClock:
    """Time the test moves by hand, so two minutes of idleness take no time."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _window(qtbot, terminal: Terminal) -> tuple[MainWindow, SteppedClock]:
    window = open_window(qtbot, terminal)
    clock = SteppedClock()
    window.idle.clock = clock
    window.idle.touched()
    return window, clock


def _idle_for(window: MainWindow, clock: SteppedClock, seconds: float) -> None:
    clock.now = window.idle.last_touch + seconds
    window.idle.tick()


def test_warning_counts_down_and_continue_keeps_the_session(qtbot, demo_terminal: Terminal, shots: Path) -> None:
    window, clock = _window(qtbot, demo_terminal)
    settings = demo_terminal.settings
    timeout, warning = settings["ui.idle_timeout_s"], settings["ui.idle_warning_s"]
    assert warning >= 20
    window.show_screen("search")
    search = window.stack.currentWidget()
    for letter in "DB":
        qtbot.mouseClick(visible(window, QPushButton, f"key-{letter}"), Qt.MouseButton.LeftButton)
    _idle_for(window, clock, timeout - 1)
    assert visible(window, QLabel, "idle-countdown") is None
    _idle_for(window, clock, timeout + 0.2)
    countdown = visible(window, QLabel, "idle-countdown")
    assert countdown is not None and countdown.text() == f"{warning} 秒后返回首页"
    _idle_for(window, clock, timeout + warning - 5)
    assert countdown.text() == "5 秒后返回首页"
    window.grab().save(str(shots / "idle-warning.png"))
    qtbot.mouseClick(visible(window, QPushButton, "idle-continue"), Qt.MouseButton.LeftButton)
    assert visible(window, QLabel, "idle-countdown") is None
    assert window.stack.currentWidget() is search and search.keyboard.text == "db"


def test_reset_returns_home_clears_typing_closes_covers_and_restores_modes(qtbot, demo_terminal: Terminal) -> None:
    window, clock = _window(qtbot, demo_terminal)
    window.toggle_large()
    window.show_screen("subsidies")
    screen = window.stack.currentWidget()
    screen.show_payments()
    qtbot.mouseClick(visible(window, QPushButton, "filters-toggle"), Qt.MouseButton.LeftButton)  # landscape 大字模式 folds them
    qtbot.mouseClick(visible(window, QPushButton, "find-name"), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(visible(window, QPushButton, "key-L"), Qt.MouseButton.LeftButton)
    assert visible(window, QLabel, "typed-text").text() == "l"
    timeout, warning = demo_terminal.settings["ui.idle_timeout_s"], demo_terminal.settings["ui.idle_warning_s"]
    _idle_for(window, clock, timeout + 1)
    _idle_for(window, clock, timeout + warning + 0.1)
    QApplication.processEvents()
    assert window.stack.currentWidget() is window.home and window.history == []
    assert visible(window, QLabel, "typed-text") is None and visible(window, QLabel, "idle-countdown") is None
    assert window.large is False and not window.session.dirty()
    window.show_screen("search")
    assert window.stack.currentWidget().keyboard.text == ""  # the next person starts with nothing typed


@pytest.mark.clock
def test_attract_screen_rotates_notices_and_the_waking_touch_presses_nothing(qtbot, demo_terminal: Terminal, shots: Path) -> None:
    window, clock = _window(qtbot, demo_terminal)
    attract_after = demo_terminal.settings["ui.attract_after_s"]
    _idle_for(window, clock, demo_terminal.settings["ui.idle_timeout_s"] + 1)
    assert visible(window, QLabel, "idle-countdown") is None  # nothing to clear at home: no warning
    _idle_for(window, clock, attract_after + 1)
    notice = visible(window, QLabel, "attract-notice")
    assert notice is not None
    urgent = next(n for n in demo_terminal.store.list_records("notice", demo_terminal.scope(), limit=50) if n["priority"] == "urgent")
    assert notice.text() == urgent["title"]
    window.session.attract.next_notice()
    assert notice.text() != urgent["title"]
    window.grab().save(str(shots / "attract.png"))
    tile = window.findChild(QPushButton, "tile-documents")
    qtbot.mouseClick(window.session.attract, Qt.MouseButton.LeftButton, pos=tile.mapTo(window.session.attract.parentWidget(), tile.rect().center()))
    QApplication.processEvents()
    assert visible(window, QLabel, "attract-notice") is None
    assert window.stack.currentWidget() is window.home and window.history == []
    assert window.idle.state == "active"
