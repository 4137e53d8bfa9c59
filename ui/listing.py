"""A list screen: header, an optional filter bar, and a lazy touch list whose rows open records."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from ui import theme
from ui.widgets import LazyListModel, Row, TouchList, screen_column

Fetch = Callable[[int, int], tuple[list[Row], int]]


def filter_bar(scale: theme.Scale) -> tuple[QWidget, QHBoxLayout]:
    """A tinted strip for a chip row, so filters read as separate from the list."""
    bar, (row,) = filter_rows(scale, 1)
    return bar, row


def filter_rows(scale: theme.Scale, count: int) -> tuple[QWidget, list[QHBoxLayout]]:
    """The strip with several chip rows (what, then when), so chips never squeeze on a portrait screen."""
    bar = QWidget()
    bar.setObjectName("filter-bar")
    bar.setStyleSheet(f"QWidget#filter-bar {{ background: {theme.BACKDROP}; }}")
    column = QVBoxLayout(bar)
    column.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
    column.setSpacing(scale.spacing_px // 2)
    rows = [QHBoxLayout() for _ in range(count)]
    for row in rows:
        column.addLayout(row)
    return bar, rows


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
