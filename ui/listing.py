"""A list screen: header, an optional filter bar, and a lazy touch list whose rows open records."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from kiosk.i18n import tr
from ui import theme
from ui.widgets import LazyListModel, Row, TouchList, big_button, screen_column

Fetch = Callable[[int, int], tuple[list[Row], int]]


def filter_bar(scale: theme.Scale) -> tuple[QWidget, QHBoxLayout]:
    """A tinted strip for a chip row, so filters read as separate from the list."""
    bar, (row,) = filter_rows(scale, 1)
    return bar, row


def filter_rows(scale: theme.Scale, count: int, *, lang: str | None = None) -> tuple[QWidget, list[QHBoxLayout]]:
    """The strip with several chip rows (what, then when), so chips never squeeze on a portrait screen.

    With ``lang`` the strip folds on a landscape screen in 大字模式, where three chip rows left room for three or
    four list rows: the chips hide behind one 筛选 ▾ button, and a tap shows them again (see :class:`FilterBar`)."""
    bar = FilterBar(scale, count, lang)
    return bar, bar.rows


class FilterBar(QWidget):
    """A tinted strip of chip rows; foldable (a ``lang`` given) behind a 筛选 toggle when the screen is short and wide."""

    def __init__(self, scale: theme.Scale, count: int, lang: str | None) -> None:
        super().__init__()
        self.setObjectName("filter-bar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(f"QWidget#filter-bar {{ background: {theme.BACKDROP}; }}")
        self.scale, self.lang, self.opened = scale, lang, False
        column = QVBoxLayout(self)
        column.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
        column.setSpacing(scale.spacing_px // 2)
        self.toggle: QPushButton | None = None
        if lang is not None:
            self.toggle = big_button(tr("筛选 ▾", lang), scale, name="filters-toggle", width_factor=2.0)
            self.toggle.clicked.connect(self._flip)
            self.toggle.hide()
            column.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignLeft)
        self.chips = QWidget()
        chips = QVBoxLayout(self.chips)
        chips.setContentsMargins(0, 0, 0, 0)
        chips.setSpacing(scale.spacing_px // 2)
        self.rows = [QHBoxLayout() for _ in range(count)]
        for row in self.rows:
            chips.addLayout(row)
        column.addWidget(self.chips)

    def folds(self) -> bool:
        """Landscape in 大字模式: the chips would take the list's room."""
        window = self.window()
        return self.toggle is not None and self.scale.body_px >= theme.LARGE.body_px and window.width() > window.height()

    def _flip(self) -> None:
        self.opened = not self.opened
        self._apply()

    def _apply(self) -> None:
        if self.toggle is None:
            return
        fold = self.folds()
        self.toggle.setVisible(fold)
        self.chips.setVisible(not fold or self.opened)
        self.toggle.setText(tr("收起筛选 ▴", self.lang) if self.opened else tr("筛选 ▾", self.lang))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._apply()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply()


class ListScreen(QWidget):
    """Rows come from ``fetch(offset, limit)``; tapping one emits ``opened`` with its payload."""

    opened = Signal(object)

    def __init__(self, name: str, title: str, fetch: Fetch, scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None], top: QWidget | None = None) -> None:
        super().__init__()
        self.setObjectName(name)
        self.scale = scale
        self.lang = lang
        self.layout_ = screen_column(self, title, scale, lang, on_back, on_home)
        if top is not None:
            self.layout_.addWidget(top)
        self.model = LazyListModel(fetch)
        self.list = TouchList(self.model, scale, lang)
        self.list.activated.connect(self.opened)
        body = QVBoxLayout()
        body.setContentsMargins(scale.spacing_px, 0, scale.spacing_px, scale.spacing_px // 2)
        body.addWidget(self.list)
        self.layout_.addLayout(body, 1)
