"""The one window: a router over a stack of screens, full screen and locked down in kiosk mode.

Navigation is a history: opening a screen pushes it, 返回 pops one level, 首页 drops them all.
Screens are built when opened and destroyed when left, so memory stays flat however long the
terminal runs. What a name or a record kind opens is looked up in ``ui/routes.py``; what a screen
shows comes from ``kiosk/`` (``Browser``), never from SQL here.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk.browse import Browser
from kiosk.home import home_summary
from kiosk.terminal import Terminal
from ui import routes, theme
from ui.home import HomeScreen
from ui.idle import AttractScreen, IdleWarning, IdleWatcher
from ui.keyboard import ime_for
from ui.printing import PrintDesk, PrintStatus
from ui.speech import Speaker

log = logging.getLogger(__name__)
#: Every screen name ``show_screen`` (and ``kiosk run --screen``) accepts.
SCREENS = tuple(routes.SCREENS)


class NoContextMenus(QObject):
    """Swallows every context-menu request in the application (a long press must not open a menu)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() == QEvent.Type.ContextMenu


class SyncBridge(QObject):
    """Carries sync results from the sync thread to the window (a queued signal)."""

    finished = Signal(bool)
    progress = Signal(int)  # percent of the bytes being downloaded


def _throttled_progress(bridge: SyncBridge) -> Callable[[Any], None]:
    """Only downloads worth watching (over 256 kB), and only when the percent moves by 5."""
    last = {"shown": -1}

    def report(progress: Any) -> None:
        if progress.stage not in ("bundle", "blobs") or progress.total_bytes < 256 * 1024:
            return
        step = progress.percent // 5 * 5
        if step != last["shown"]:
            last["shown"] = step
            bridge.progress.emit(step)

    return report


class MainWindow(QMainWindow):
    def __init__(self, terminal: Terminal, *, lang: str = "zh_CN", large: bool = False, lockdown: bool = False,
                 speaker: Speaker | None = None) -> None:
        super().__init__()
        self.terminal = terminal
        self.browser = Browser(terminal.store, terminal.scope())
        self.lang = lang
        self.large = large
        self.lockdown = lockdown
        self.setWindowTitle("政务公开自助终端")
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        if lockdown:
            self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
            self._no_menus = NoContextMenus(self)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.home = HomeScreen(clock=self.terminal.clock)
        self.home.large_toggled.connect(self.toggle_large)
        self.home.language_toggled.connect(self.toggle_language)
        self.home.tile_selected.connect(self.show_screen)
        self.home.search_requested.connect(lambda: self.show_screen("search"))
        self.stack.addWidget(self.home)
        self.history: list[QWidget] = []
        self._speaker: Speaker | None = speaker
        self._vocabulary: list[str] | None = None
        self.default_lang, self.default_large = lang, large
        settings = terminal.settings
        self.idle = IdleWatcher(settings["ui.idle_timeout_s"], settings["ui.idle_warning_s"], settings["ui.attract_after_s"],
                                needs_reset=self.session_dirty, parent=self)
        self.idle.warn.connect(self._warn_idle)
        self.idle.reset.connect(self.reset_session)
        self.idle.attract.connect(self._show_attract)
        self.idle.active.connect(self._close_idle_warning)
        self._idle_warning: IdleWarning | None = None
        self._attract: AttractScreen | None = None
        self._desk: PrintDesk | None = None
        self._print_status: PrintStatus | None = None
        self.refresh()

    @property
    def scale(self) -> theme.Scale:
        return theme.scale_for(self.large)

    def attach_sync(self, background: Any) -> None:
        """Hear from the background sync: its callbacks run on the sync thread, so they only emit
        signals; the window re-reads the store on its own thread."""
        bridge = self._sync_bridge = SyncBridge(self)
        bridge.finished.connect(self.content_synced)
        bridge.progress.connect(self.home.show_sync_progress)
        background.on_finished = lambda report: bridge.finished.emit(
            bool(report.feed and any(c.status == "updated" for c in report.feed.channels)))
        background.on_progress = _throttled_progress(bridge)
        background.start()

    def content_synced(self, changed: bool) -> None:
        """New content (or a new status) from the portal: home shows it; an open page stays as it is."""
        if changed:
            self.terminal.reload_settings()
            self.browser = Browser(self.terminal.store, self.terminal.scope())
        self.refresh()

    def refresh(self) -> None:
        zone = ZoneInfo(self.terminal.settings["terminal.timezone"])
        self.home.show_summary(home_summary(self.terminal), lang=self.lang, large=self.large, zone=zone)

    # ------------------------------------------------------------------ navigation
    def push(self, screen: QWidget) -> None:
        self.history.append(screen)
        self.stack.addWidget(screen)
        self.stack.setCurrentWidget(screen)

    def back(self) -> None:
        if self.history:
            self._drop(self.history.pop())
        self.stack.setCurrentWidget(self.history[-1] if self.history else self.home)

    def go_home(self) -> None:
        while self.history:
            self._drop(self.history.pop())
        self.stack.setCurrentWidget(self.home)

    def _drop(self, screen: QWidget) -> None:
        self.stack.removeWidget(screen)
        screen.setParent(None)
        screen.deleteLater()

    def show_screen(self, name: str) -> None:
        """Open a screen by name (tiles, ``kiosk run --screen``); SCREENS lists the names."""
        opener = routes.SCREENS.get(name)
        if opener is None:
            raise ValueError(f"unknown screen {name!r}; known: {', '.join(SCREENS)}")
        opener(self)

    def open_record(self, record_id: str) -> None:
        """Open any record on the screen made for its kind (list rows, search results, linked documents)."""
        record = self.terminal.store.get(record_id) if record_id else None
        opener = routes.RECORDS.get(record["kind"]) if record is not None else None
        if opener is not None:
            opener(self, record)

    # ------------------------------------------------------------------ printing
    @property
    def desk(self) -> PrintDesk:
        """The terminal's printers and print queue, started on first use."""
        if self._desk is None:
            self._desk = PrintDesk(self.terminal, self)
            self._desk.updated.connect(self._print_update)
        return self._desk

    def _print_update(self, update: object) -> None:
        if self._print_status is None:
            self._print_status = PrintStatus(self.centralWidget(), self.scale, self.lang)
            self._print_status.destroyed.connect(self._print_status_closed)
        self._print_status.show_update(update)  # type: ignore[arg-type]

    def _print_status_closed(self) -> None:
        self._print_status = None

    # ------------------------------------------------------------------ shared services
    def now(self) -> dt.datetime:
        return self.terminal.clock()

    @property
    def speaker(self) -> Speaker | None:
        """One speech engine for the whole window, started on first use."""
        if self._speaker is None:
            self._speaker = Speaker(voice=self.terminal.settings["speech.voice"])
            if not self._speaker.available:
                log.warning("read-aloud hidden: %s", self._speaker.unavailable_reason)
        return self._speaker

    def vocabulary(self) -> list[str]:
        """What the pinyin keyboard ranks words by: the titles of what this terminal shows (kept until content changes)."""
        if self._vocabulary is None:
            self._vocabulary = self.browser.vocabulary()
        return self._vocabulary

    def warm_up(self) -> None:
        """Build the pinyin keyboard's engine off the GUI thread, so the first 搜索 tap opens at once."""
        vocabulary = self.vocabulary()
        threading.Thread(target=ime_for, args=(vocabulary,), name="ime-warm-up", daemon=True).start()
        _ = self.speaker  # start the speech engine now rather than on the first 朗读 page

    # ------------------------------------------------------------------ idle
    def session_dirty(self) -> bool:
        """Whether the last person left anything behind: a screen open, a mode changed, speech running."""
        speaking = self._speaker is not None and self._speaker.speaking
        return bool(self.history) or speaking or (self.lang, self.large) != (self.default_lang, self.default_large)

    def _warn_idle(self, seconds_left: int) -> None:
        if self._idle_warning is None:
            self._idle_warning = IdleWarning(self.centralWidget(), self.scale, self.lang, self.idle.touched)
        self._idle_warning.show_left(seconds_left)

    def _close_idle_warning(self) -> None:
        if self._idle_warning is not None:
            self._idle_warning.close_overlay()
            self._idle_warning = None

    def reset_session(self) -> None:
        """A clean kiosk for the next person: home, covers closed, typed text gone, speech stopped, default modes."""
        self._close_idle_warning()
        if self._speaker is not None:
            self._speaker.stop()
        self.go_home()  # screens (and the covers and keyboards on them) are destroyed with their typed text
        if self._print_status is not None:
            self._print_status.close_overlay()
            self._print_status = None
        if self._desk is not None:
            self._desk.reset_session()
        self.lang, self.large = self.default_lang, self.default_large
        self.refresh()

    def _show_attract(self) -> None:
        if self._attract is None:
            summary = home_summary(self.terminal)
            self._attract = AttractScreen(self.centralWidget(), summary.notices, self.scale, self.lang, summary.place_name)
            self._attract.dismissed.connect(self._attract_dismissed)

    def _attract_dismissed(self) -> None:
        self._attract = None

    # ------------------------------------------------------------------ modes
    def toggle_large(self) -> None:
        self.large = not self.large
        self.refresh()

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh_CN" else "zh_CN"
        self.refresh()

    def enter_kiosk_mode(self) -> None:
        """Full screen over everything; together with the flags above, nothing of the desktop shows."""
        self.showFullScreen()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.lockdown:
            event.ignore()  # the way out is the staff PIN, not the window manager
        else:
            super().closeEvent(event)
