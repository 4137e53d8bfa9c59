"""搜索: the on-screen keyboard, live results grouped by kind, suggestions and hot searches.

Results follow every tap (after a short pause, so a fast finger doesn't queue searches). Letters
alone search first letters (gdzb → 耕地地力保护补贴); the candidate bar turns pinyin into words.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QFont, QFontMetrics, QHideEvent, QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QWidget

from kiosk.home import section_name
from kiosk.i18n import format_day, ptr, tr
from kiosk.labels import value_label
from kiosk.records.schema import KIND_LABELS_ZH
from kiosk.search import SearchHit, SearchService
from kiosk.zeroresults import PendingZeroResult
from ui import theme
from ui.keyboard import Keyboard, ime_for
from ui.widgets import BUTTON_PADDING_PX, LazyListModel, Row, TouchList, big_button, clear_layout, plain_label, screen_column

KIND_ORDER = ("document", "subsidy_policy", "service_guide", "notice", "board", "catalogue_item", "catalogue_domain", "subsidy_payment")
RESULT_LIMIT = 60
DEBOUNCE_MS = 150
CHIPS = 5


def grouped(hits: list[SearchHit]) -> list[SearchHit]:
    """Hits grouped by kind, groups in the order of their best hit, rank kept inside a group."""
    first_seen: dict[str, int] = {}
    for position, hit in enumerate(hits):
        first_seen.setdefault(hit.kind, position)
    return sorted(hits, key=lambda hit: (first_seen[hit.kind], KIND_ORDER.index(hit.kind) if hit.kind in KIND_ORDER else 99))


def hit_row(hit: SearchHit, lang: str) -> Row:
    label = ptr("record kind", KIND_LABELS_ZH[hit.kind], lang) if hit.kind in KIND_LABELS_ZH else hit.kind
    badge = value_label(hit.validity, lang) if hit.validity and hit.validity != "现行有效" else ""
    details = "  ·  ".join(x for x in (label, format_day(hit.date, lang) if hit.date else "", badge, hit.excerpt) if x)
    return Row(hit.title, details, label, hit.record_id, badge_colour=theme.TILE_COLOURS["search"])


class SearchScreen(QWidget):
    """Typed text on top, results and the keyboard side by side (stacked on a portrait screen)."""

    opened = Signal(object)  # a record id

    def __init__(self, search: SearchService, vocabulary: list[str], hot: list[str], scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None], limit: int = RESULT_LIMIT, portrait: bool = False,
                 on_zero_result: Callable[[str], object] | None = None) -> None:
        super().__init__()
        # the query a reader ends on without finding anything is counted for the county (kiosk/zeroresults.py)
        self.zero_results = PendingZeroResult(on_zero_result or (lambda _query: None))
        self.setObjectName("search")
        self.search_service = search
        self.scale = scale
        self.lang = lang
        self.limit = limit
        self.hot = hot
        self.hits: list[SearchHit] = []
        layout = screen_column(self, section_name("search", lang), scale, lang, on_back, on_home)
        self.query_label = plain_label()
        self.query_label.setObjectName("search-query")
        self.query_label.setWordWrap(True)
        self._query_style = (f"background: {theme.PAPER}; border: 3px solid {theme.HEADER}; font-size: {scale.title_px}px;"
                             f" padding: 8px; min-height: {scale.min_touch_px}px; color: ")
        query_row = QHBoxLayout()
        query_row.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, 0)
        query_row.addWidget(self.query_label, 1)
        layout.addLayout(query_row)
        self.chip_row = QHBoxLayout()
        self.chip_row.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, 0)
        chips = QWidget()  # its height kept with or without chips, so the keyboard never moves under the finger
        chips.setObjectName("search-chips")
        chips.setLayout(self.chip_row)
        chips.setFixedHeight(scale.min_touch_px + scale.spacing_px // 2)
        layout.addWidget(chips)
        # decided now as well as on resize: side by side, the pair is wider than a portrait screen and would stretch the window
        self.body = QBoxLayout(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
        self.body.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
        self.body.setSpacing(scale.spacing_px)
        self.model = LazyListModel(self._fetch)
        self.results = TouchList(self.model, scale, lang)
        self.results.activated.connect(self.opened)
        self.keyboard = Keyboard(scale, lang, ime_for(vocabulary))
        self.keyboard.text_changed.connect(self._typed)
        self.keyboard.mode_changed.connect(self._show_query)
        self.body.addWidget(self.results, 1)
        self.body.addWidget(self.keyboard, 0)
        layout.addLayout(self.body, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_search)
        self.run_search()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        portrait = self.height() > self.width()
        self.body.setDirection(QBoxLayout.Direction.TopToBottom if portrait else QBoxLayout.Direction.LeftToRight)
        if event.oldSize().width() != event.size().width():
            self._show_chips(self.query())  # how many chips fit depends on the width

    def query(self) -> str:
        """Committed words win over letters still being spelled (耕 + 'd' searches 耕 while 'd' offers words)."""
        keyboard = self.keyboard
        return keyboard.committed if keyboard.committed and keyboard.pending else keyboard.text

    def _typed(self, _text: str) -> None:
        self._show_query()
        self._timer.start()

    def _show_query(self) -> None:
        text = self.keyboard.text
        hint = (tr("请在手写板上写一个字，再点选认出的字", self.lang) if self.keyboard.handwriting
                else tr("请点下方字母输入拼音或首字母，如 dibao 或 db", self.lang))
        self.query_label.setText(text or hint)
        self.query_label.setStyleSheet(self._query_style + (theme.INK if text else theme.MUTED))

    def run_search(self) -> None:
        self._timer.stop()
        query = self.query()
        self.hits = grouped(self.search_service.search(query, limit=self.limit)) if query else []
        self.zero_results.searched(query, bool(self.hits))
        self.model.reload()
        self._show_chips(query)
        self._show_query()

    def _fetch(self, offset: int, limit: int) -> tuple[list[Row], int]:
        rows = [hit_row(hit, self.lang) for hit in self.hits[offset:offset + limit]]
        return rows, len(self.hits)

    def _show_chips(self, query: str) -> None:
        """Hot searches while nothing is typed, suggestions (联想) while typing."""
        clear_layout(self.chip_row)
        if query:
            words, caption = self.search_service.suggest(query, limit=CHIPS), (tr("猜您想找：", self.lang))
            words = [w for w in words if w != query][:CHIPS]
        else:
            words, caption = self.hot[:CHIPS], (tr("热门搜索：", self.lang))
        if not words:
            return
        label = plain_label(caption)
        label.setStyleSheet(f"color: {theme.INK}; font-size: {self.scale.body_px}px;")
        self.chip_row.addWidget(label)
        font = QFont(self.font())
        font.setPixelSize(self.scale.body_px)
        font.setBold(True)
        metrics = QFontMetrics(font)
        room = max(self.width(), self.window().width() if self.window() is not self else 0) - 2 * self.scale.spacing_px
        room -= metrics.horizontalAdvance(caption) + self.scale.spacing_px
        for index, word in enumerate(words):
            shown = word if len(word) <= 12 else word[:11] + "…"
            room -= max(metrics.horizontalAdvance(shown) + BUTTON_PADDING_PX, int(self.scale.min_touch_px * 1.2)) + self.chip_row.spacing()
            if room < 0:
                break  # only chips that fit whole: a squeezed chip clips its words
            chip = big_button(shown, self.scale, name=f"suggestion-{index}", width_factor=1.2)
            chip.setAccessibleName(word)
            chip.clicked.connect(lambda _checked=False, w=word: self.keyboard.set_text(w))
            self.chip_row.addWidget(chip)
        self.chip_row.addStretch(1)

    def hideEvent(self, event: QHideEvent) -> None:
        """Leaving the screen (another screen, going home, idling) ends the reader's search."""
        self.zero_results.flush()
        super().hideEvent(event)

    def clear(self) -> None:
        self.keyboard.clear()
        self.run_search()
