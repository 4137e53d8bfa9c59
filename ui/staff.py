"""Getting into staff mode: a 5-second press on the terminal name in the home header, then the PIN pad.

A resident taps; nobody holds a finger on a name for five seconds by accident, so the gesture
opens nothing they could stumble into, and what it opens asks for the PIN anyway. The gesture is
watched application-wide (an event filter on the widget named ``terminal-name``), so the home
screen needs no hook and a rebuilt header keeps working. The pad is a screen pushed like any
other: the residents' idle reset (``MainWindow.reset_session``, via ``ui/session.py``) drops it
with everything else, and so it drops the panel. The PIN, its throttle and the lockout are
``kiosk/staff.py``'s; the pad only shows what they say. The panel itself is ``ui/staff_panel.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import tr
from kiosk.staff import PIN_DIGITS, StaffLock, recent_log
from ui import theme
from ui.widgets import big_button, plain_label, screen_column

if TYPE_CHECKING:
    from ui.window import MainWindow

log = logging.getLogger(__name__)

HOLD_S = 5.0  # how long the terminal name must be held
POLL_MS = 200
GESTURE_TARGET = "terminal-name"  # the label's objectName in ui/home.py's header
PRESS = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)
RELEASE = (QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd, QEvent.Type.TouchCancel)


def staff_lock(window: MainWindow) -> StaffLock:
    terminal = window.terminal
    return StaffLock(terminal.data_dir, lambda: terminal.settings["staff.pin_hash"], terminal.clock)


class HoldGesture(QObject):
    """Emits ``held`` once a press that began on the terminal name has lasted ``HOLD_S`` seconds.

    ``clock`` (monotonic seconds) is injectable, so a test holds a real press and steps time.
    Any release, anywhere, ends the hold.
    """

    held = Signal()

    def __init__(self, clock: Callable[[], float], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.pressed_at: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.check)

    def start(self) -> None:
        QApplication.instance().installEventFilter(self)

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in PRESS and isinstance(watched, QWidget) and watched.objectName() == GESTURE_TARGET:
            self.pressed_at = self.clock()
            self._timer.start()
        elif kind in RELEASE and self.pressed_at is not None:
            self.check()
            self.pressed_at = None
            self._timer.stop()
        return False

    def check(self) -> None:
        if self.pressed_at is not None and self.clock() - self.pressed_at >= HOLD_S:
            self.pressed_at = None
            self._timer.stop()
            self.held.emit()


class PinPad(QWidget):
    """工作人员登录: ten digit keys, 删除, 清空 and 确定; what the lock says in words; keys off while it makes one wait."""

    opened = Signal()  # the right PIN

    def __init__(self, lock: StaffLock, scale: theme.Scale, lang: str, *, on_back: Callable[[], None],
                 on_home: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("staff-pin")
        self.lock, self.lang, self.scale = lock, lang, scale
        self.digits = ""
        layout = screen_column(self, tr("工作人员登录", lang), scale, lang, on_back, on_home)
        body = QVBoxLayout()
        body.setContentsMargins(scale.spacing_px, scale.spacing_px, scale.spacing_px, scale.spacing_px)
        body.setSpacing(scale.spacing_px // 2)
        body.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(body, 1)
        prompt = plain_label(tr("请输入工作人员密码（{low}–{high} 位数字）", lang, low=PIN_DIGITS[0], high=PIN_DIGITS[1]))
        prompt.setObjectName("pin-prompt")
        prompt.setStyleSheet(f"color: {theme.INK}; font-size: {scale.title_px}px; font-weight: bold;")
        prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display = plain_label()
        self.display.setObjectName("pin-display")
        self.display.setMinimumWidth(scale.min_touch_px * 6)
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setStyleSheet(f"color: {theme.INK}; background: {theme.PAPER}; border: 3px solid {theme.HEADER};"
                                   f" font-size: {scale.headline_px}px; min-height: {scale.min_touch_px}px; padding: 4px;")
        self.message = plain_label()
        self.message.setObjectName("pin-message")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet(f"color: {theme.URGENT}; font-size: {scale.body_px}px; font-weight: bold;")
        body.addWidget(prompt)
        self.display.setMaximumWidth(scale.min_touch_px * 8)
        body.addWidget(self.display, 0, Qt.AlignmentFlag.AlignHCenter)
        body.addWidget(self.message)
        grid = QGridLayout()
        grid.setSpacing(scale.spacing_px // 2)
        self.keys = []
        for index, digit in enumerate("123456789"):
            key = big_button(digit, scale, name=f"pin-{digit}", width_factor=1.6)
            key.clicked.connect(lambda _checked=False, d=digit: self.type_digit(d))
            grid.addWidget(key, index // 3, index % 3)
            self.keys.append(key)
        clear = big_button(tr("清空", lang), scale, name="pin-clear", width_factor=1.6)
        clear.clicked.connect(self.clear)
        zero = big_button("0", scale, name="pin-0", width_factor=1.6)
        zero.clicked.connect(lambda: self.type_digit("0"))
        delete = big_button(tr("删除", lang), scale, name="pin-delete", width_factor=1.6)
        delete.clicked.connect(self.backspace)
        grid.addWidget(clear, 3, 0)
        grid.addWidget(zero, 3, 1)
        grid.addWidget(delete, 3, 2)
        self.keys += [clear, zero, delete]
        row = QHBoxLayout()
        row.addStretch(1)
        row.addLayout(grid)
        row.addStretch(1)
        body.addLayout(row)
        self.ok = big_button(tr("确定", lang), scale, name="pin-ok", primary=True, width_factor=5.2)
        self.ok.clicked.connect(self.submit)
        self.keys.append(self.ok)
        body.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignHCenter)
        body.addStretch(1)
        self._waiting = False
        self._wait = QTimer(self)
        self._wait.setInterval(1000)
        self._wait.timeout.connect(self.show_wait)
        self.show_wait()

    def _show_digits(self) -> None:
        self.display.setText("●" * len(self.digits))

    def type_digit(self, digit: str) -> None:
        if len(self.digits) < PIN_DIGITS[1]:
            self.digits += digit
        self._show_digits()

    def backspace(self) -> None:
        self.digits = self.digits[:-1]
        self._show_digits()

    def clear(self) -> None:
        self.digits = ""
        self._show_digits()

    def _enable(self, enabled: bool) -> None:
        for key in self.keys:
            key.setEnabled(enabled)

    def show_wait(self) -> None:
        """Keys off, with the seconds or minutes left, while the lock makes the pad wait; on again after."""
        wait = self.lock.wait_s()
        if wait <= 0:
            self._wait.stop()
            self._enable(True)
            if self._waiting:
                self._waiting = False
                self.message.setText(tr("请重新输入。", self.lang))
            return
        self._enable(False)
        self._waiting = True
        if self.lock.locked():
            minutes = (wait + 59) // 60
            self.message.setText(tr("密码错误次数太多，已锁定。请 {minutes} 分钟后再试。", self.lang, minutes=minutes))
        else:
            self.message.setText(tr("密码错误。请 {seconds} 秒后再试。", self.lang, seconds=wait))
        if not self._wait.isActive():
            self._wait.start()

    def submit(self) -> None:
        pin, self.digits = self.digits, ""
        self._show_digits()
        attempt = self.lock.try_pin(pin)
        if attempt.ok:
            self.opened.emit()
            return
        if attempt.no_pin:
            self.message.setText(tr("本机还没有设置工作人员密码，请用 kiosk staff set-pin 设置。", self.lang))
        elif attempt.wait_s:
            self.show_wait()
        else:
            self.message.setText(tr("密码错误，请重新输入。", self.lang))


def open_pin_pad(window: MainWindow) -> None:
    """The gesture's target: the PIN pad on top of whatever is open; the right PIN swaps it for the panel."""
    from ui.staff_panel import open_panel

    if any(isinstance(screen, PinPad) for screen in window.history):
        return
    pad = PinPad(staff_lock(window), window.scale, window.lang, on_back=window.back, on_home=window.go_home)

    def opened() -> None:
        window.back()
        open_panel(window)

    pad.opened.connect(opened)
    window.push(pad)


def install(window: MainWindow) -> HoldGesture:
    """The gesture for ``window``, not yet watching (``start()``; its idle clock steps the hold, so tests step both)."""
    recent_log()  # from now on the panel can show the warnings logged (kiosk/staff.py)
    gesture = HoldGesture(lambda: window.idle.clock(), window)
    gesture.held.connect(lambda: open_pin_pad(window))
    return gesture
