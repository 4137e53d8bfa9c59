"""One person's session at the kiosk: the idle warning, the print status, the reset, then the attract screen.

The timing is ``IdleWatcher``'s (ui/idle.py); this decides what a warning, a reset and the attract screen do
to the window, so the window itself stays a router. The timeouts follow the ``ui.idle_*`` settings at once
(``configure``), and a reset returns to the terminal's default language and 大字模式 as they are then.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from kiosk.home import home_summary
from kiosk.settings import Settings
from printing.service import PrintUpdate
from ui.idle import AttractScreen, IdleWarning, IdleWatcher
from ui.printing import PrintStatus

if TYPE_CHECKING:
    from ui.window import MainWindow


class Session(QObject):
    """Owns the window's ``IdleWatcher`` and the covers it shows; ``start()``/``stop()`` like the other workers."""

    def __init__(self, window: MainWindow, settings: Settings) -> None:
        super().__init__(window)
        self.window = window
        self.idle = IdleWatcher(settings["ui.idle_timeout_s"], settings["ui.idle_warning_s"], settings["ui.attract_after_s"],
                                needs_reset=self.dirty, parent=self)
        self.idle.warn.connect(self.warn)
        self.idle.reset.connect(window.reset_session)
        self.idle.attract.connect(self.show_attract)
        self.idle.active.connect(self.close_warning)
        self.warning: IdleWarning | None = None
        self.attract: AttractScreen | None = None
        self.print_status: PrintStatus | None = None

    def start(self) -> None:
        self.idle.start()

    def stop(self) -> None:
        self.idle.stop()

    def configure(self, settings: Settings) -> None:
        """The ``ui.idle_*`` settings as they are now (a staff or portal change), from the watcher's next tick."""
        self.idle.configure(settings["ui.idle_timeout_s"], settings["ui.idle_warning_s"], settings["ui.attract_after_s"])

    def dirty(self) -> bool:
        """Whether the last person left anything behind: a screen open, a mode changed, speech running."""
        window = self.window
        speaker = window._speaker
        speaking = speaker is not None and speaker.speaking
        return bool(window.history) or speaking or (window.lang, window.large) != (window.default_lang, window.default_large)

    def warn(self, seconds_left: int) -> None:
        if self.warning is None:
            self.warning = IdleWarning(self.window.centralWidget(), self.window.scale, self.window.lang, self.idle.touched)
        self.warning.show_left(seconds_left)

    def close_warning(self) -> None:
        if self.warning is not None:
            self.warning.close_overlay()
            self.warning = None

    def show_attract(self) -> None:
        if self.attract is None:
            window = self.window
            summary = home_summary(window.terminal)
            self.attract = AttractScreen(window.centralWidget(), summary.notices, window.scale, window.lang, summary.place_name)
            self.attract.dismissed.connect(self._attract_dismissed)

    def close_attract(self) -> None:
        if self.attract is not None:
            self.attract.close_overlay()
            self.attract = None

    def _attract_dismissed(self) -> None:
        self.attract = None

    def print_update(self, update: PrintUpdate) -> None:
        """正在打印 → 打印完成 (or what went wrong) over whatever screen this person is on."""
        if self.print_status is None:
            self.print_status = PrintStatus(self.window.centralWidget(), self.window.scale, self.window.lang)
            self.print_status.destroyed.connect(self._print_status_closed)
        self.print_status.show_update(update)

    def close_print_status(self) -> None:
        if self.print_status is not None:
            self.print_status.close_overlay()
            self.print_status = None

    def _print_status_closed(self) -> None:
        self.print_status = None
