"""The finance board at a glance: four big figures and one bar per category, income and spending.

Painted, not a chart library: a villager should read it from a step away, so it is a few large
bars with the amount written beside each, sorted largest first, nothing else.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QScrollArea, QWidget

from kiosk.browse import LedgerSummary
from kiosk.i18n import tr
from kiosk.money import format_fen
from ui import theme
from ui.widgets import TouchScroll

INCOME_COLOUR = theme.OK_GREEN
EXPENSE_COLOUR = "#B23A00"  # deep orange: not red-for-danger, still 5.6:1 on white


class LedgerChart(QWidget):
    """Figures row (期初 · 收入 · 支出 · 期末), then 收入 bars and 支出 bars."""

    def __init__(self, summary: LedgerSummary, scale: theme.Scale, lang: str) -> None:
        super().__init__()
        self.setObjectName("ledger-chart")
        self.summary = summary
        self.scale = scale
        self.lang = lang
        self.row_px = int(scale.body_px * 2.0)
        self.figure_px = int(scale.title_px * 3.2)  # one row of figure cells

    def _groups(self) -> list[tuple[str, str, list[tuple[str, int]]]]:
        return [(tr("本期收入", self.lang), INCOME_COLOUR, self.summary.income_by_category),
                (tr("本期支出", self.lang), EXPENSE_COLOUR, self.summary.expense_by_category)]

    def _figures(self) -> list[tuple[str, int, str]]:
        return [(tr("期初余额", self.lang), self.summary.opening_fen, theme.INK),
                (tr("本期收入", self.lang), self.summary.income_fen, INCOME_COLOUR),
                (tr("本期支出", self.lang), self.summary.expense_fen, EXPENSE_COLOUR),
                (tr("期末余额", self.lang), self.summary.closing_fen, theme.INK)]

    def _figure_cells(self, width: int) -> list[tuple[QRect, str, int, str]]:
        """(cell, label, fen, colour): four in a row when each label and amount fits its cell, else two rows of two,
        so an amount is never cut (a portrait screen in 大字模式, or English labels, are wider than a quarter)."""
        pad = self.scale.spacing_px
        area_width = max(width - 2 * pad, 1)
        label_metrics = QFontMetrics(self._font(self.scale.body_px))
        amount_metrics = QFontMetrics(self._font(self.scale.title_px, bold=True))
        needed = max(max(label_metrics.horizontalAdvance(label), amount_metrics.horizontalAdvance(format_fen(fen)))
                     for label, fen, _colour in self._figures()) + pad
        columns = 4 if needed <= area_width // 4 - pad // 2 else 2
        cell_width = area_width // columns
        cells = []
        for index, (label, fen, colour) in enumerate(self._figures()):
            row, column = divmod(index, columns)
            cells.append((QRect(pad + column * cell_width, pad // 2 + row * (self.figure_px + pad // 2), cell_width - pad // 2,
                                self.figure_px), label, fen, colour))
        return cells

    def _figures_height(self, width: int) -> int:
        return max(cell.bottom() for cell, *_rest in self._figure_cells(width)) + 1

    def overflow(self) -> list[str]:
        """Figure texts wider than their cells at the current width (the accessibility audit cannot see painted text)."""
        label_metrics = QFontMetrics(self._font(self.scale.body_px))
        amount_metrics = QFontMetrics(self._font(self.scale.title_px, bold=True))
        return [text for cell, label, fen, _colour in self._figure_cells(self.width())
                for text, metrics in ((label, label_metrics), (format_fen(fen), amount_metrics))
                if metrics.horizontalAdvance(text) > cell.width()]

    def sizeHint(self) -> QSize:
        rows = sum(len(items) + 1 for _t, _c, items in self._groups())
        return QSize(800, self._figures_height(self.width()) + rows * self.row_px + self.scale.spacing_px * 3)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.updateGeometry()  # the figures take two rows on a narrow screen: the height follows the width

    def minimumSizeHint(self) -> QSize:
        return self.sizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(theme.PAPER))
        pad = self.scale.spacing_px
        self._paint_figures(painter)
        top = self._figures_height(self.width()) + pad
        largest = max([amount for _t, _c, items in self._groups() for _k, amount in items] or [1])
        for title, colour, items in self._groups():
            top = self._paint_group(painter, title, colour, items, largest, top)
        painter.end()

    def _font(self, px: int, bold: bool = False) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(px)
        font.setBold(bold)
        return font

    def _paint_figures(self, painter: QPainter) -> None:
        for cell, label, fen, colour in self._figure_cells(self.width()):
            painter.fillRect(cell, QColor(theme.BACKDROP))
            painter.setPen(QColor(theme.MUTED))
            painter.setFont(self._font(self.scale.body_px))
            painter.drawText(cell.adjusted(0, 8, 0, -cell.height() // 2), Qt.AlignmentFlag.AlignCenter, label)
            painter.setPen(QColor(colour))
            painter.setFont(self._font(self.scale.title_px, bold=True))
            painter.drawText(cell.adjusted(0, cell.height() // 2 - 8, 0, -8), Qt.AlignmentFlag.AlignCenter, format_fen(fen))

    def _paint_group(self, painter: QPainter, title: str, colour: str, items: list[tuple[str, int]], largest: int, top: int) -> int:
        pad = self.scale.spacing_px
        painter.setPen(QColor(colour))
        painter.setFont(self._font(self.scale.body_px + 4, bold=True))
        painter.drawText(QRect(pad, top, self.width() - 2 * pad, self.row_px), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), title)
        top += self.row_px
        label_width = int(self.scale.body_px * 8.5)
        amount_width = int(self.scale.body_px * 7.5)
        bar_space = max(self.width() - 2 * pad - label_width - amount_width, 40)
        painter.setFont(self._font(self.scale.body_px))
        for category, amount in items:
            painter.setPen(QColor(theme.INK))
            label_rect = QRect(pad, top, label_width - pad // 2, self.row_px)
            elided = painter.fontMetrics().elidedText(category, Qt.TextElideMode.ElideRight, label_rect.width())
            painter.drawText(label_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), elided)
            bar_width = max(int(bar_space * amount / largest), 4)
            bar = QRect(pad + label_width, top + self.row_px // 5, bar_width, self.row_px * 3 // 5)
            painter.fillRect(bar, QColor(colour))
            painter.drawText(QRect(bar.right() + pad // 2, top, amount_width, self.row_px),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), format_fen(amount))
            top += self.row_px
        return top + pad // 2


def chart_area(chart: LedgerChart, scale: theme.Scale) -> QScrollArea:
    """The chart in a one-finger scroll area: long category lists still fit at 大字模式."""
    chart.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # touches reach the viewport, which scrolls
    area = QScrollArea()
    area.setObjectName("ledger-chart-area")
    area.setWidget(chart)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setStyleSheet(f"QScrollArea {{ background: {theme.PAPER}; }}")
    area._touch = TouchScroll(area.viewport(), slop_px=scale.min_touch_px // 4)  # type: ignore[attr-defined]
    return area
