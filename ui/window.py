"""The one window: a stack of screens, full screen and locked down in kiosk mode.

Navigation is a history: opening a screen pushes it, 返回 pops one level, 首页 drops them all.
Screens are built when opened and destroyed when left, so memory stays flat however long the
terminal runs.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from kiosk.browse import Browser
from kiosk.home import home_summary
from kiosk.terminal import Terminal
from ui import theme
from ui.documents import DocumentListScreen, DocumentScreen
from ui.home import HomeScreen
from ui.i18n import tr
from ui.widgets import ScreenHeader


class PendingScreen(QWidget):
    """Stands in for a section whose screen has not been built yet; always offers the way back."""

    def __init__(self, title: str, lang: str, large: bool, window: MainWindow) -> None:
        super().__init__()
        scale = theme.scale_for(large)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = ScreenHeader(title, scale, lang)
        header.back.connect(window.back)
        header.home.connect(window.go_home)
        layout.addWidget(header)
        label = QLabel(tr("coming", lang))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet(f"color: {theme.INK}; font-size: {scale.title_px}px;")
        layout.addWidget(label, 1)


class MainWindow(QMainWindow):
    def __init__(self, terminal: Terminal, *, lang: str = "zh_CN", large: bool = False, lockdown: bool = False) -> None:
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
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.home = HomeScreen()
        self.home.large_toggled.connect(self.toggle_large)
        self.home.language_toggled.connect(self.toggle_language)
        self.home.tile_selected.connect(self.show_screen)
        self.home.search_requested.connect(lambda: self.show_screen("search"))
        self.stack.addWidget(self.home)
        self.history: list[QWidget] = []
        self.refresh()

    @property
    def scale(self) -> theme.Scale:
        return theme.scale_for(self.large)

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
        """Open a screen by name (tiles, ``kiosk run --screen``)."""
        if name == "home":
            self.go_home()
        elif name in ("documents", "interpretations"):
            screen = DocumentListScreen(self.browser, self.scale, self.lang, interpreted_only=name == "interpretations",
                                        on_back=self.back, on_home=self.go_home)
            screen.opened.connect(self.open_record)
            self.push(screen)
        elif name == "document":  # the newest document, for screenshots
            rows = self.browser.documents(limit=1).rows
            if rows:
                self.open_record(rows[0]["id"])
        else:
            titles = {tile.key: (tile.label_en if self.lang == "en" else tile.label_zh) for tile in home_summary(self.terminal).tiles}
            self.push(PendingScreen(titles.get(name, name), self.lang, self.large, self))

    def open_record(self, record_id: str) -> None:
        record = self.terminal.store.get(record_id)
        if record is None:
            return
        if record["kind"] == "document":
            self.push(DocumentScreen(record, self.scale, self.lang, on_back=self.back, on_home=self.go_home))

    # ------------------------------------------------------------------ modes
    def toggle_large(self) -> None:
        self.large = not self.large
        self.refresh()

    def toggle_language(self) -> None:
        self.lang = "en" if self.lang == "zh_CN" else "zh_CN"
        self.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.lockdown:
            event.ignore()  # the way out is the staff PIN, not the window manager
        else:
            super().closeEvent(event)
