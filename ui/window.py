"""The one window: a stack of screens, full screen and locked down in kiosk mode."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QPushButton, QStackedWidget, QVBoxLayout, QWidget

from kiosk.home import home_summary
from kiosk.terminal import Terminal
from ui import theme
from ui.home import HomeScreen
from ui.i18n import tr


class PendingScreen(QWidget):
    """Stands in for a section whose screen has not been built yet; always offers the way home."""

    def __init__(self, lang: str, large: bool, on_home: object) -> None:
        super().__init__()
        scale = theme.scale_for(large)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        label = QLabel(tr("coming", lang))
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setStyleSheet(f"color: {theme.INK}; font-size: {scale.title_px}px;")
        layout.addWidget(label)
        home = QPushButton(tr("back_home", lang))
        home.setObjectName("back-home")
        home.setMinimumSize(scale.min_touch_px * 4, scale.min_touch_px)
        home.setStyleSheet(
            f"QPushButton {{ background: {theme.HEADER}; color: {theme.PAPER}; border-radius: 12px;"
            f" font-size: {scale.title_px}px; }}"
        )
        home.clicked.connect(on_home)  # type: ignore[arg-type]
        layout.addWidget(home, alignment=Qt.AlignmentFlag.AlignCenter)
        layout.addStretch(1)


class MainWindow(QMainWindow):
    def __init__(self, terminal: Terminal, *, lang: str = "zh_CN", large: bool = False, lockdown: bool = False) -> None:
        super().__init__()
        self.terminal = terminal
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
        self._pending: PendingScreen | None = None
        self.refresh()

    def refresh(self) -> None:
        zone = ZoneInfo(self.terminal.settings["terminal.timezone"])
        self.home.show_summary(home_summary(self.terminal), lang=self.lang, large=self.large, zone=zone)

    def show_screen(self, name: str) -> None:
        if name == "home":
            self.stack.setCurrentWidget(self.home)
            return
        if self._pending is not None:
            self.stack.removeWidget(self._pending)
            self._pending.deleteLater()
        self._pending = PendingScreen(self.lang, self.large, lambda: self.show_screen("home"))
        self.stack.addWidget(self._pending)
        self.stack.setCurrentWidget(self._pending)

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
