"""The one window: a router over a stack of screens, full screen and locked down in kiosk mode.

Navigation is a history: opening a screen pushes it, 返回 pops one level, 首页 drops them all.
Screens are built when opened and destroyed when left, so memory stays flat however long the
terminal runs. What a name or a record kind opens is looked up in ``ui/routes.py``; what a screen
shows comes from ``kiosk/`` (``Browser``), never from SQL here. Idle handling is ``ui/session.py``'s.

The window also owns the terminal's long-lived workers (print queue, speech, background sync, the
task pool, the settings watch) and stops them all in one place, ``shutdown()``, on quit. It hears
what changed as values (``ContentChanges`` from sync, changed setting keys from ``settings.json``)
and refreshes what depends on them; an open page is never swapped under a reader's finger.
"""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk.browse import Browser
from kiosk.changes import ContentChanges
from kiosk.home import home_summary
from kiosk.settings import BY_KEY
from kiosk.terminal import Terminal
from ui import routes, theme
from ui.home import HomeScreen, window_title
from ui.keyboard import ime_for
from ui.lifeevents import CallStaffPanel, add_call_button
from ui.printing import PrintDesk
from ui.session import Session
from ui.settingswatch import SettingsWatcher
from ui.speech import Speaker
from ui.staff import install as install_staff_gesture
from ui.tasks import SyncService, Tasks, Worker

#: Every screen name ``show_screen`` (and ``kiosk run --screen``) accepts.
SCREENS = tuple(routes.SCREENS)
#: Settings that change what this terminal shows: a new Browser (and vocabulary) when one changes.
SCOPE_SETTINGS = frozenset({"terminal.region", "content.show_other_villages"})
#: Settings of how sync reaches the portal: a change starts a sync with them at once.
SYNC_SETTINGS = frozenset(key for key in BY_KEY if key.startswith("sync.")) - {"sync.stale_after_h"}


class NoContextMenus(QObject):
    """Swallows every context-menu request in the application (a long press must not open a menu)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        return event.type() == QEvent.Type.ContextMenu


class MainWindow(QMainWindow):
    def __init__(self, terminal: Terminal, *, lang: str = "zh_CN", large: bool = False, lockdown: bool = False,
                 speaker: Speaker | None = None) -> None:
        super().__init__()
        self.terminal = terminal
        self.browser = Browser(terminal.store, terminal.scope())
        self.lang, self.large, self.lockdown = lang, large, lockdown
        self.default_lang, self.default_large = lang, large
        self.setWindowTitle(window_title(lang))
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        if lockdown:
            self.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
            self._no_menus = NoContextMenus(self)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.home = HomeScreen(clock=self.terminal.clock)
        self.home.large_toggled.connect(self.toggle_large)
        self.home.language_chosen.connect(self.set_language)
        self.home.tile_selected.connect(self.show_screen)
        self.home.search_requested.connect(lambda: self.show_screen("search"))
        self.home.entrance_selected.connect(self.open_record)
        self.home.notice_selected.connect(self.open_record)
        self.home.call_requested.connect(self.call_staff)
        self.stack.addWidget(self.home)
        self.history: list[QWidget] = []
        self.tasks = Tasks(self)
        self.settings_watch = SettingsWatcher(terminal.settings.path, self)
        self.settings_watch.changed.connect(lambda: self.apply_settings(self.terminal.reload_settings()))
        self.background: SyncService | None = None
        self._speaker, self._desk, self._vocabulary = speaker, None, None
        self.session = Session(self, terminal.settings)
        self.idle = self.session.idle
        self.staff_gesture = install_staff_gesture(self)  # the 5-second press on the terminal name (ui/staff.py)
        self._stopped = False
        self.refresh()

    @property
    def scale(self) -> theme.Scale:
        return theme.scale_for(self.large)

    # ------------------------------------------------------------------ life
    def start(self, background: SyncService | None = None) -> None:
        """Run as a kiosk: idle timers, the settings watch, the keyboard's warm-up and, if given, background sync."""
        self.session.start()
        self.staff_gesture.start()
        self.settings_watch.start()
        self.warm_up()
        if background is not None:
            self.attach_sync(background)

    def attach_sync(self, background: SyncService) -> None:
        """Hear from background sync (its signals arrive on this thread) and start it; shutdown() stops it."""
        self.background = background
        background.synced.connect(self.on_synced)
        background.percent.connect(self.home.show_sync_progress)
        background.start()

    def shutdown(self) -> None:
        """Stop every worker, once (QApplication.aboutToQuit): sync first, then printing, speech and the task pool."""
        if self._stopped:
            return
        self._stopped = True
        workers: list[Worker | None] = [self.session, self.staff_gesture, self.settings_watch, self.background, self._desk, self._speaker, self.tasks]
        for worker in filter(None, workers):
            worker.stop()

    # ------------------------------------------------------------------ what changed
    def on_synced(self, changes: ContentChanges) -> None:
        """A sync finished: home shows its status and counts, and what depends on the changed kinds or settings follows."""
        if changes:
            keys = self.terminal.reload_settings()  # profiles, and the search's place names
            if changes.kinds:
                self._content_changed()
            self.apply_settings(keys)
        self.refresh()

    def apply_settings(self, keys: frozenset[str]) -> None:
        """Make changed settings take effect, each at its moment (``Setting.applies``, docs/SETTINGS.md)."""
        if not keys or self._stopped:
            return
        settings = self.terminal.settings
        self.session.configure(settings)
        if self._speaker is not None:
            self._speaker.set_voice(settings["speech.voice"])
        if keys & {"ui.language", "ui.large_text"}:  # the next person's modes; this person keeps theirs
            self.default_lang, self.default_large = settings["ui.language"], settings["ui.large_text"]
        if self._desk is not None:
            self._desk.settings_changed(keys)
        if keys & SCOPE_SETTINGS:
            self._content_changed()
        if keys & SYNC_SETTINGS and self.background is not None:
            self.background.sync_now()
        self.refresh()

    def _content_changed(self) -> None:
        """New content or a new scope: screens opened from now on read it; the keyboard learns the new titles."""
        self.browser = Browser(self.terminal.store, self.terminal.scope())
        self._vocabulary = None
        self.warm_up(speech=False)

    def refresh(self) -> None:
        zone = ZoneInfo(self.terminal.settings["terminal.timezone"])
        self.home.show_summary(home_summary(self.terminal), lang=self.lang, large=self.large, zone=zone)

    # ------------------------------------------------------------------ navigation
    def push(self, screen: QWidget) -> None:
        add_call_button(screen, self.scale, self.lang, self.call_staff)  # 呼叫工作人员 on every screen
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

    def call_staff(self) -> None:
        """呼叫工作人员: a cover over the screen on show with this hall's phone and 12345."""
        CallStaffPanel(self.stack.currentWidget(), self.terminal.settings["terminal.phone"], self.scale, self.lang)

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
        if record is not None and (opener := routes.RECORDS.get(record["kind"])) is not None:
            opener(self, record)

    # ------------------------------------------------------------------ shared services
    @property
    def desk(self) -> PrintDesk:
        """The terminal's printers and print queue, started on first use."""
        if self._desk is None:
            self._desk = PrintDesk(self.terminal, self.tasks, self)
            self._desk.updated.connect(self.session.print_update)
            self._desk.start()
        return self._desk

    @property
    def speaker(self) -> Speaker | None:
        """One speech engine for the whole window, started on first use."""
        if self._speaker is None:
            self._speaker = Speaker(voice=self.terminal.settings["speech.voice"])
        self._speaker.start()  # once (later calls do nothing); it logs why read-aloud is hidden when it must be
        return self._speaker

    def vocabulary(self) -> list[str]:
        """What the pinyin keyboard ranks words by: the titles of what this terminal shows (kept until content changes)."""
        if self._vocabulary is None:
            self._vocabulary = self.browser.vocabulary()
        return self._vocabulary

    def warm_up(self, *, speech: bool = True) -> None:
        """Build the pinyin keyboard's engine off the GUI thread (at start, after new content): 搜索 opens at once."""
        self.tasks.run(functools.partial(ime_for, self.vocabulary()))
        if speech:
            _ = self.speaker  # start the speech engine now rather than on the first 朗读 page

    # ------------------------------------------------------------------ session and modes
    def reset_session(self) -> None:
        """A clean kiosk for the next person: home, covers closed, typed text gone, speech stopped, default modes."""
        self.session.close_warning()
        for panel in self.findChildren(CallStaffPanel):
            panel.close_overlay()
        if self._speaker is not None:
            self._speaker.silence()
        self.go_home()  # screens (and the covers and keyboards on them) are destroyed with their typed text
        self.session.close_print_status()
        if self._desk is not None:
            self._desk.reset_session()
        self.lang, self.large = self.default_lang, self.default_large
        self.refresh()

    def toggle_large(self) -> None:
        self.large = not self.large
        self.refresh()

    def set_language(self, lang: str) -> None:
        self.lang = lang  # one of kiosk.i18n.LANGUAGES, from the home screen's buttons
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
