"""Idle handling: warn, then give the next person a clean kiosk; later, show the notices.

After ``ui.idle_timeout_s`` without a touch, a warning counts down ``ui.idle_warning_s`` (≥ 20 s,
WCAG 2.2.1) with one big 继续使用 button. When it reaches zero the window resets: home, every
cover closed, typed text gone, speech stopped, 大字模式 and language back to the terminal's
defaults. After ``ui.attract_after_s`` the attract screen rotates the current notices; a touch
anywhere dismisses it without reaching the button underneath.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from kiosk.home import NoticeLine
from kiosk.i18n import ptr, tr
from ui import theme
from ui.chooser import Overlay
from ui.widgets import big_button, plain_label

TICK_MS = 250
ATTRACT_ROTATE_S = 8
ACTIVITY_EVENTS = (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress, QEvent.Type.Wheel)


class IdleWatcher(QObject):
    """Counts seconds since the last touch anywhere in the application; drives warning, reset and attract.

    ``clock`` is injectable so tests step time instead of waiting two minutes.
    """

    warn = Signal(int)  # seconds left before the reset
    reset = Signal()
    attract = Signal()
    active = Signal()  # a touch after any of the above

    def __init__(self, timeout_s: int, warning_s: int, attract_after_s: int, *, needs_reset: Callable[[], bool],
                 clock: Callable[[], float] = time.monotonic, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timeout_s = timeout_s
        self.warning_s = max(20, warning_s)
        self.attract_after_s = attract_after_s
        self.needs_reset = needs_reset
        self.clock = clock
        self.last_touch = clock()
        self.state = "active"  # active → warning → (reset) → attract
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        QApplication.instance().installEventFilter(self)

    def configure(self, timeout_s: int, warning_s: int, attract_after_s: int) -> None:
        """New timeouts (a changed ``ui.idle_*`` setting), from the next tick on; the idle time so far still counts."""
        self.timeout_s = timeout_s
        self.warning_s = max(20, warning_s)
        self.attract_after_s = attract_after_s

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in ACTIVITY_EVENTS:
            self.touched()
        return False

    def touched(self) -> None:
        self.last_touch = self.clock()
        if self.state != "active":
            self.state = "active"
            self.active.emit()

    def idle_s(self) -> float:
        return self.clock() - self.last_touch

    def tick(self) -> None:
        idle = self.idle_s()
        if self.state == "active" and idle >= self.timeout_s:
            if self.needs_reset():
                self.state = "warning"
            else:
                self.state = "reset"  # nothing to clear: wait quietly for the attract screen
        if self.state == "warning":
            left = self.timeout_s + self.warning_s - idle
            if left > 0:
                self.warn.emit(int(left + 0.999))
            else:
                self.state = "reset"
                self.reset.emit()
        if self.state == "reset" and idle >= self.attract_after_s:
            self.state = "attract"
            self.attract.emit()


class IdleWarning(Overlay):
    """还有 N 秒返回首页 with one big 继续使用; any touch keeps the session (the watcher sees it)."""

    def __init__(self, parent: QWidget, scale: theme.Scale, lang: str, on_continue: Callable[[], None]) -> None:
        super().__init__(parent, "idle-warning", "rgba(0, 0, 0, 170)")
        self.lang = lang
        layout = QVBoxLayout(self)
        layout.setAlignment(Qt.AlignmentFlag.AlignCenter)
        panel = QWidget()
        panel.setObjectName("idle-panel")
        panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        panel.setStyleSheet(f"QWidget#idle-panel {{ background: {theme.PAPER}; border-radius: 16px; }}")
        inner = QVBoxLayout(panel)
        pad = scale.spacing_px * 2
        inner.setContentsMargins(pad, pad, pad, pad)
        inner.setSpacing(scale.spacing_px)
        self.message = plain_label()
        self.message.setObjectName("idle-countdown")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setStyleSheet(f"color: {theme.INK}; font-size: {scale.headline_px}px; font-weight: bold;")
        hint = plain_label(tr("为保护您的隐私，长时间无操作将返回首页", lang))
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setStyleSheet(f"color: {theme.INK}; font-size: {scale.body_px}px;")
        keep = big_button(tr("继续使用", lang), scale, name="idle-continue", primary=True, width_factor=4)
        keep.setMinimumHeight(int(scale.min_touch_px * 1.4))
        keep.clicked.connect(on_continue)
        inner.addWidget(self.message)
        inner.addWidget(hint)
        inner.addWidget(keep, 0, Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(panel)
        self.present()

    def show_left(self, seconds: int) -> None:
        self.message.setText(tr("{seconds} 秒后返回首页", self.lang, seconds=seconds))


class AttractScreen(Overlay):
    """The current notices one at a time, large, and 轻触屏幕开始使用; a touch only dismisses it."""

    dismissed = Signal()

    def __init__(self, parent: QWidget, notices: list[NoticeLine], scale: theme.Scale, lang: str, place: str) -> None:
        super().__init__(parent, "attract", theme.HEADER)
        self.notices = notices
        self.index = 0
        layout = QVBoxLayout(self)
        pad = scale.spacing_px * 3
        layout.setContentsMargins(pad, pad, pad, pad)
        layout.setSpacing(scale.spacing_px * 2)
        heading = plain_label(tr("{place}　政务公开", lang, place=place))
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading.setStyleSheet(f"color: {theme.PAPER}; font-size: {scale.headline_px}px; font-weight: bold;")
        self.kind = plain_label()
        self.kind.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.kind.setStyleSheet(f"color: {theme.PAPER}; font-size: {scale.title_px}px;")
        self.title = plain_label()
        self.title.setObjectName("attract-notice")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setStyleSheet(f"color: {theme.PAPER}; font-size: {scale.headline_px}px; font-weight: bold;")
        prompt = plain_label(tr("轻触屏幕开始使用", lang))
        prompt.setObjectName("attract-prompt")
        prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        prompt.setStyleSheet(f"color: {theme.HEADER}; background: {theme.PAPER}; border-radius: 12px;"
                             f" font-size: {scale.title_px}px; font-weight: bold; padding: {scale.spacing_px}px;")
        layout.addWidget(heading)
        layout.addStretch(1)
        layout.addWidget(self.kind)
        layout.addWidget(self.title)
        layout.addStretch(1)
        layout.addWidget(prompt)
        self.lang = lang
        self._rotate = QTimer(self)
        self._rotate.setInterval(ATTRACT_ROTATE_S * 1000)
        self._rotate.timeout.connect(self.next_notice)
        self._rotate.start()
        self._show_current()
        self.present()

    def _show_current(self) -> None:
        if not self.notices:
            self.kind.setText("")
            self.title.setText(tr("欢迎查阅政府信息", self.lang))
            return
        notice = self.notices[self.index % len(self.notices)]
        label = tr("紧急通知", self.lang) if notice.urgent else ptr("record kind", "通知公告", self.lang)
        self.kind.setText(f"【{label}】")
        self.title.setText(notice.title)

    def next_notice(self) -> None:
        self.index += 1
        self._show_current()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        event.accept()  # swallowed: the touch that wakes the kiosk must not press what lies beneath
        self._rotate.stop()
        self.close_overlay()
        self.dismissed.emit()
