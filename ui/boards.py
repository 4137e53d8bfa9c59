"""三务公开: pick a board type and a period; party and village boards read as pages, finance
boards as a chart, the ledger table and the explanation."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPushButton

from kiosk.browse import Browser, ledger_summary
from kiosk.labels import period_label
from ui import theme
from ui.chart import LedgerChart, chart_area
from ui.chooser import Chooser, choose_village
from ui.listing import filter_rows
from ui.pages import BOARD_TYPES, board_meta, board_parts, ledger_html, ledger_speech, sections_html, sections_speech
from ui.reading import Part, ReadingScreen, esc
from ui.widgets import big_button, clear_layout

if TYPE_CHECKING:
    from ui.speech import Speaker

def finance_parts(board: dict[str, Any], scale: theme.Scale, lang: str) -> list[Part]:
    head = f"<h1>{esc(board['title'])}</h1><p class='meta'>{esc('　'.join(m for m in board_meta(board) if m))}</p>"
    chart = chart_area(LedgerChart(ledger_summary(board), scale, lang), scale)
    zh = lang != "en"
    return [Part("收支图" if zh else "Chart", ledger_speech(board), widget=chart),
            Part("收支明细" if zh else "Ledger", ledger_speech(board), head + ledger_html(board)),
            Part("情况说明" if zh else "Notes", sections_speech(board), head + sections_html(board))]


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
        super().__init__("boards", "三务公开" if lang != "en" else "Village affairs", [], scale, lang,
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
        zh = self.lang != "en"
        if len(self.villages) > 1:
            village = big_button(f"{self.village_names.get(self.village, self.village)} ▾", self.scale, name="choose-village", width_factor=2.2)
            village.clicked.connect(self._choose_village)
            self._type_row.addWidget(village)
        for key, label_zh, label_en in BOARD_TYPES:
            button = self._chip(self._type_row, label_zh if zh else label_en, f"type-{key}", self._type_group, key == self.board_type)
            button.clicked.connect(lambda _checked=False, k=key: self.choose(k))
        self._type_row.addStretch(1)
        periods = self.browser.board_periods(self.village, self.board_type)
        if not periods:
            return
        # 上一期 · [period ▾] · 下一期: three buttons fit any screen, however many periods there are
        position = periods.index(self.period) if self.period in periods else 0
        older = big_button("‹ 上一期" if zh else "‹ Earlier", self.scale, name="period-older", width_factor=1.6)
        older.setEnabled(position + 1 < len(periods))
        older.clicked.connect(lambda: self.show_period(periods[position + 1]))
        current = big_button(f"{period_label(self.period)} ▾" if self.period else "—", self.scale, name="period-choose", width_factor=2.6)
        current.setAccessibleName(f"{period_label(self.period)}，点按选择其他期间" if zh else period_label(self.period))
        current.clicked.connect(lambda: Chooser(self, "选择公开期间" if zh else "Choose a period",
                                                [(period_label(p), p) for p in periods], self.show_period, self.scale, self.lang, columns=3))
        newer = big_button("下一期 ›" if zh else "Later ›", self.scale, name="period-newer", width_factor=1.6)
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
            empty = "本村暂未公开该类信息" if self.lang != "en" else "Nothing published yet"
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


