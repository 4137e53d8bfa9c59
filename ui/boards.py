"""三务公开: pick a board type and a period; party and village boards read as pages, finance
boards as a chart, the ledger table and the explanation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton

from kiosk.browse import Browser, ledger_summary
from kiosk.home import section_name
from kiosk.i18n import joined, ptr, tr
from kiosk.labels import period_label
from ui import theme
from ui.chart import LedgerChart, chart_area
from ui.chooser import Chooser, choose_village
from ui.listing import filter_rows
from ui.pages import BOARD_TYPES, board_meta, board_parts, ledger_columns, ledger_html, ledger_speech, sections_html, sections_speech
from ui.reading import Part, ReadingScreen, esc
from ui.widgets import big_button, clear_layout

if TYPE_CHECKING:
    from ui.speech import Speaker

def finance_parts(board: dict[str, Any], scale: theme.Scale, lang: str) -> list[Part]:
    head = f"<h1>{esc(board['title'])}</h1><p class='meta'>{esc(joined(board_meta(board, lang), lang))}</p>"
    chart = chart_area(LedgerChart(ledger_summary(board), scale, lang), scale)
    speech = ledger_speech(board, lang)
    return [Part(ptr("reading tab", "收支图", lang), speech, widget=chart),
            Part(ptr("reading tab", "收支明细", lang), speech, head + ledger_html(board, lang), columns=ledger_columns(lang)),
            Part(ptr("reading tab", "情况说明", lang), sections_speech(board), head + sections_html(board))]


class BoardScreen(ReadingScreen):
    """The newest finance board first; type buttons and period buttons above the page."""

    board_shown = Signal()  # a new board (or none) is on screen: the print buttons follow it

    def __init__(self, browser: Browser, village_names: dict[str, str], home_village: str, scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None], speaker: Speaker | None = None) -> None:
        self.browser = browser
        self.villages, self.village = browser.starting_village("board", home_village)
        self.village_names = village_names
        self.board_type = "finance"
        self.period = ""
        self._bar, (self._type_row, self._period_row) = filter_rows(scale, 2)
        super().__init__("boards", section_name("boards", lang), [], scale, lang,
                         on_back=on_back, on_home=on_home, speaker=speaker, top=self._bar)
        self._type_group = QButtonGroup(self)
        self._period_group = QButtonGroup(self)
        self._rebuild_bar()
        self.choose(self.board_type)

    def _rebuild_bar(self) -> None:
        for button in self._type_group.buttons() + self._period_group.buttons():
            self._type_group.removeButton(button)
            self._period_group.removeButton(button)
        clear_layout(self._type_row)
        clear_layout(self._period_row)
        if len(self.villages) > 1:
            village = big_button(f"{self.village_names.get(self.village, self.village)} ▾", self.scale, name="choose-village", width_factor=2.2)
            village.clicked.connect(self._choose_village)
            self._type_row.addWidget(village)
        for key, label in BOARD_TYPES:
            button = self._chip(self._type_row, tr(label, self.lang), f"type-{key}", self._type_group, key == self.board_type)
            button.clicked.connect(lambda _checked=False, k=key: self.choose(k))
        self._type_row.addStretch(1)
        periods = self.browser.board_periods(self.village, self.board_type)
        if not periods:
            return
        # 上一期 · [period ▾] · 下一期: three buttons fit any screen, however many periods there are
        position = periods.index(self.period) if self.period in periods else 0
        older = big_button(tr("‹ 上一期", self.lang), self.scale, name="period-older", width_factor=1.6)
        older.setEnabled(position + 1 < len(periods))
        older.clicked.connect(lambda: self.show_period(periods[position + 1]))
        shown = period_label(self.period, self.lang)
        current = big_button(f"{shown} ▾" if self.period else "—", self.scale, name="period-choose", width_factor=2.6)
        current.setAccessibleName(tr("{period}，点按选择其他期间", self.lang, period=shown))
        current.clicked.connect(lambda: Chooser(self, tr("选择公开期间", self.lang), [(period_label(p, self.lang), p) for p in periods],
                                                self.show_period, self.scale, self.lang, columns=3, current=self.period))
        newer = big_button(tr("下一期 ›", self.lang), self.scale, name="period-newer", width_factor=1.6)
        newer.setEnabled(position > 0)
        newer.clicked.connect(lambda: self.show_period(periods[position - 1]))
        for button in (older, current, newer):
            self._period_row.addWidget(button)
        self._period_row.addStretch(1)

    def _chip(self, row: QHBoxLayout, label: str, name: str, group: QButtonGroup, checked: bool) -> QPushButton:
        button = big_button(label, self.scale, name=name, width_factor=1.6)
        button.setCheckable(True)
        button.setChecked(checked)
        group.addButton(button)
        row.addWidget(button)
        return button

    def choose(self, board_type: str) -> None:
        """Show the newest board of a type."""
        self.board_type = board_type
        periods = self.browser.board_periods(self.village, board_type)
        self.show_period(periods[0] if periods else "")

    def show_period(self, period: str) -> None:
        self.period = period
        self._rebuild_bar()
        board = self.browser.board(self.village, self.board_type, period) if period else None
        if board is None:
            empty = tr("本村暂未公开该类信息", self.lang)
            self.set_parts([Part(empty, empty, f"<h1>{esc(empty)}</h1>")])
        elif board["board_type"] == "finance":
            self.set_parts(finance_parts(board, self.scale, self.lang))
        else:
            self.set_parts(board_parts(board, self.lang))
        self.board = board
        self.board_shown.emit()

    def _choose_village(self) -> None:
        choose_village(self, self.villages, self.village_names, self._set_village, self.scale, self.lang)

    def _set_village(self, village: str) -> None:
        self.village = village
        self.choose(self.board_type)


