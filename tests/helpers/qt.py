"""The kiosk window as a finger sees it: open one, tap, find the button or screen on show.

Six UI test files each carried their own copy of these; now they import them from here, and the
``kiosk_window`` fixture opens a shown window the test's ``qtbot`` cleans up. A plugin loaded for every
test (``pytest_plugins`` in tests/conftest.py), so Qt is imported inside the helpers, only when a UI test
uses them: tests of the core do not load Qt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from PySide6.QtWidgets import QListView, QPushButton, QWidget

    from kiosk.terminal import Terminal
    from ui.window import MainWindow

FULL_HD = (1920, 1080)


def open_window(qtbot: Any, terminal: Terminal, *, size: tuple[int, int] = FULL_HD, large: bool = False, lang: str = "zh_CN",
                **options: Any) -> MainWindow:
    """A MainWindow over ``terminal``, resized, shown and exposed; ``qtbot`` closes it after the test."""
    from ui.window import MainWindow

    window = MainWindow(terminal, lang=lang, large=large, **options)
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture
def kiosk_window(qtbot: Any) -> Callable[..., MainWindow]:
    """``kiosk_window(terminal, size=(1080, 1920), large=True, lang="en")``: a shown window, as :func:`open_window`."""
    def make(terminal: Terminal, **options: Any) -> MainWindow:
        return open_window(qtbot, terminal, **options)

    return make


def current(window: MainWindow) -> QWidget:
    """The screen on show (the top of the window's stack)."""
    return window.stack.currentWidget()


def visible(window: QWidget, cls: type, name: str) -> Any:
    """The last visible child of that class and name (covers sit on top), or None; events are processed first,
    since widgets added to a shown layout appear on the next loop turn, as a finger would see them."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    found = [widget for widget in window.findChildren(cls, name) if widget.isVisible()]
    return found[-1] if found else None


def button(window: MainWindow, name: str) -> QPushButton:
    """The visible button of that name on the current screen (overlays included); fails the test if there is none."""
    from PySide6.QtWidgets import QPushButton

    found = visible(current(window), QPushButton, name)
    assert found is not None, f"no visible button {name!r} on {current(window).objectName()}"
    return found


def tap(qtbot: Any, widget: QWidget | None) -> None:
    """One finger on ``widget``, which must be there, visible and enabled."""
    from PySide6.QtCore import Qt

    assert widget is not None and widget.isVisible() and widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def tap_row(qtbot: Any, view: QListView, row: int) -> None:
    """A tap in the middle of a list row."""
    from PySide6.QtCore import Qt

    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def press(qtbot: Any, window: QWidget, name: str) -> None:
    """Tap the visible button of that name anywhere in the window (covers such as the print preview included)."""
    from PySide6.QtWidgets import QPushButton

    found = visible(window, QPushButton, name)
    assert found is not None, f"no visible button {name!r}"
    tap(qtbot, found)
