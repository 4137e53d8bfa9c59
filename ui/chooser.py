"""Covers over a screen, and the chooser built on one: a title, one big button per option, 取消.

Used where a chip row would overflow (a village's subsidy policies, older board periods). It is a
child widget, not a dialog, so leaving the screen (or the idle reset) always takes it away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.i18n import tr
from ui import theme
from ui.widgets import BUTTON_PADDING_PX, big_button, plain_label, wrap_text


class Overlay(QWidget):
    """A child widget covering its parent and following its size; ``close_overlay`` removes it."""

    def __init__(self, parent: QWidget, name: str, background: str) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"QWidget#{name} {{ background: {background}; }}")
        parent.installEventFilter(self)

    def present(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def add_panel(self, scale: theme.Scale, *, margin: int, centred: bool = False) -> QVBoxLayout:
        """A rounded paper panel on the dimmed cover; returns the panel's layout to fill."""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(margin, margin, margin, margin)
        if centred:
            outer.setAlignment(Qt.AlignmentFlag.AlignCenter)
        panel = QWidget()
        name = f"{self.objectName()}-panel"
        panel.setObjectName(name)
        panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        panel.setStyleSheet(f"QWidget#{name} {{ background: {theme.PAPER}; border-radius: 12px; }}")
        outer.addWidget(panel)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(scale.spacing_px, scale.spacing_px, scale.spacing_px, scale.spacing_px)
        inner.setSpacing(scale.spacing_px // 2)
        return inner

    def close_overlay(self) -> None:
        self.parentWidget().removeEventFilter(self)
        self.hide()
        self.deleteLater()


NO_CURRENT = object()


class Chooser(Overlay):
    """Options as ``(label, value)``; tapping one calls ``on_choose(value)`` and closes. The option whose value is
    ``current`` shows checked (the screen's current choice: the period on show); the panel is as tall as its options
    (centred on the cover), scrolling only when they are more than the screen holds."""

    def __init__(self, parent: QWidget, title: str, options: list[tuple[str, Any]], on_choose: Callable[[Any], None],
                 scale: theme.Scale, lang: str, *, columns: int = 2, current: Any = NO_CURRENT) -> None:
        super().__init__(parent, "chooser", "rgba(0, 0, 0, 150)")
        self._on_choose = on_choose
        outer = QVBoxLayout(self)
        margin = scale.spacing_px * 3
        outer.setContentsMargins(margin, margin, margin, margin)
        panel = QWidget()
        panel.setObjectName("chooser-panel")
        panel.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        panel.setStyleSheet(f"QWidget#chooser-panel {{ background: {theme.PAPER}; border-radius: 12px; }}")
        outer.addWidget(panel, 0, Qt.AlignmentFlag.AlignVCenter)  # full width, as tall as it needs
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(scale.spacing_px, scale.spacing_px, scale.spacing_px, scale.spacing_px)
        heading = plain_label(title)
        heading.setObjectName("chooser-title")
        heading.setWordWrap(True)
        heading.setStyleSheet(f"color: {theme.INK}; font-size: {scale.title_px}px; font-weight: bold;")
        layout.addWidget(heading)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setSpacing(scale.spacing_px // 2)
        font = QFont(self.font())
        font.setPixelSize(scale.body_px)
        font.setBold(True)
        metrics = QFontMetrics(font)
        inner_width = parent.width() - 2 * margin - 4 * scale.spacing_px
        widest = max((metrics.horizontalAdvance(label) for label, _value in options), default=0)
        columns = max(1, min(columns, inner_width // (widest + BUTTON_PADDING_PX + scale.spacing_px)))
        cell_text_width = (inner_width - (columns - 1) * grid.spacing()) // columns - BUTTON_PADDING_PX
        for position, (label, value) in enumerate(options):
            lines = wrap_text(label, metrics, cell_text_width)
            button = big_button("\n".join(lines), scale, name=f"choice-{position}", width_factor=3)
            button.setMinimumHeight(max(scale.min_touch_px, len(lines) * metrics.lineSpacing() + scale.spacing_px))
            button.setAccessibleName(label)
            if current is not NO_CURRENT and value == current:
                button.setCheckable(True)
                button.setChecked(True)  # the current choice, in the checked colours of a chip
                button.setAccessibleName(tr("{label}（当前）", lang, label=label))
            button.clicked.connect(lambda _checked=False, v=value: self.choose(v))
            grid.addWidget(button, position // columns, position % columns)
        scroll = QScrollArea()
        scroll.setWidget(grid_host)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        cancel = big_button(tr("取消", lang), scale, name="chooser-cancel")
        room = parent.height() - 2 * margin - 2 * scale.spacing_px - heading.heightForWidth(inner_width) - cancel.minimumHeight() - 2 * scale.spacing_px
        scroll.setMinimumHeight(max(min(grid_host.sizeHint().height(), room), scale.min_touch_px))  # as tall as the options
        layout.addWidget(scroll, 1)
        cancel.clicked.connect(self.close_overlay)
        layout.addWidget(cancel, 0, Qt.AlignmentFlag.AlignRight)
        self.present()

    def choose(self, value: Any) -> None:
        self.close_overlay()
        self._on_choose(value)


def choose_village(parent: QWidget, villages: list[str], names: dict[str, str], on_choose: Callable[[str], None],
                   scale: theme.Scale, lang: str) -> Chooser:
    """The village chooser a county-hall terminal shows on village-level screens (payments, boards)."""
    options = [(names.get(code, code), code) for code in villages]
    return Chooser(parent, tr("选择村（社区）", lang), options, on_choose, scale, lang, columns=3)
