"""搜索: the on-screen keyboard, live results grouped by kind, suggestions and hot searches.

Results follow every tap (after a short pause, so a fast finger doesn't queue searches). Letters
alone search first letters (gdzb → 耕地地力保护补贴); the candidate bar turns pinyin into words.
Results people can tell apart (issue 14 item 4): each row's excerpt is centred on the matched words and
highlights them; suggestions that would truncate alike show where they differ; a count at the cap says
"50+"; a search that finds nothing says what to try instead of showing an empty panel, and a corrected
spelling is offered as 您是不是要找.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QRect, Qt, QTimer, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QFont, QFontMetrics, QHideEvent, QPainter, QPalette, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QStyleOptionViewItem, QWidget

from kiosk.home import section_name
from kiosk.i18n import format_day, ptr, tr
from kiosk.labels import value_label
from kiosk.records.schema import KIND_LABELS_ZH
from kiosk.search import SearchHit, SearchResult, SearchService
from kiosk.zeroresults import PendingZeroResult
from ui import theme
from ui.keyboard import Keyboard, ime_for
from ui.widgets import BUTTON_PADDING_PX, LazyListModel, Row, RowDelegate, TouchList, big_button, clear_layout, plain_label, screen_column

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


CHIP_CHARS = 12
HIGHLIGHT = "#B3261E"


@dataclass(frozen=True)
class HitRow(Row):
    """A result row: ``marks`` are (start, length) of the matched words in ``subtitle``."""

    marks: tuple[tuple[int, int], ...] = field(default_factory=tuple)


def hit_row(hit: SearchHit, lang: str) -> HitRow:
    label = ptr("record kind", KIND_LABELS_ZH[hit.kind], lang) if hit.kind in KIND_LABELS_ZH else hit.kind
    badge = value_label(hit.validity, lang) if hit.validity and hit.validity != "现行有效" else ""
    head = "  ·  ".join(x for x in (label, format_day(hit.date, lang) if hit.date else "", badge) if x)
    details = f"{head}  ·  {hit.excerpt}" if hit.excerpt else head
    offset = len(details) - len(hit.excerpt) if hit.excerpt else 0
    marks = tuple((offset + start, length) for start, length in hit.highlights) if hit.excerpt else ()
    return HitRow(hit.title, details, label, hit.record_id, badge_colour=theme.TILE_COLOURS["search"], marks=marks)


def marked_html(text: str, marks: tuple[tuple[int, int], ...] | list[tuple[int, int]]) -> str:
    """Rich text of ``text`` with the marked spans bold and red. Every piece of content goes through
    html.escape; the only markup is our own <b> and <span>, so record text can never become markup."""
    out: list[str] = []
    at = 0
    for start, length in sorted(marks):
        if start < at or start >= len(text):
            continue
        out.append(html.escape(text[at:start]))
        out.append(f'<b><span style="color:{HIGHLIGHT}">{html.escape(text[start:start + length])}</span></b>')
        at = start + length
    out.append(html.escape(text[at:]))
    return "".join(out)


class HitDelegate(RowDelegate):
    """RowDelegate's row, with the excerpt line drawn as escaped rich text so the matched words stand out."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:  # noqa: ANN001 - Qt's index types
        row = index.data(Qt.ItemDataRole.UserRole)
        if not isinstance(row, HitRow) or not row.marks:
            super().paint(painter, option, index)
            return
        plain = replace(row, subtitle="")
        proxy = _RowIndex(index, plain)
        super().paint(painter, option, proxy)
        pad = self.scale.spacing_px
        rect: QRect = option.rect
        text_rect = rect.adjusted(pad, pad // 2, -pad, -pad // 2)
        top = text_rect.top() + int(self.scale.body_px * 1.5)
        document = QTextDocument()
        font = QFont(option.font)
        font.setPixelSize(self.scale.small_px)
        document.setDefaultFont(font)
        document.setDocumentMargin(0)
        document.setDefaultStyleSheet(f"body {{ color: {theme.MUTED}; }}")
        # Rich text on purpose: marked_html escapes every character of the record (html.escape) and adds only <b>/<span>.
        document.setHtml(f"<body style=\"white-space:pre\">{marked_html(row.subtitle, row.marks)}</body>")
        painter.save()
        painter.setClipRect(QRect(text_rect.left(), top, text_rect.width(), text_rect.bottom() - top))
        painter.translate(text_rect.left(), top)
        context = QAbstractTextDocumentLayout.PaintContext()
        context.palette.setColor(QPalette.ColorRole.Text, QColor(theme.MUTED))
        document.documentLayout().draw(painter, context)
        painter.restore()


class _RowIndex:
    """An index stand-in that answers UserRole with another row (the delegate paints the rest as usual)."""

    def __init__(self, index, row: Row) -> None:  # noqa: ANN001
        self._index, self._row = index, row

    def data(self, role: int) -> object:
        return self._row if role == Qt.ItemDataRole.UserRole else self._index.data(role)

    def __getattr__(self, name: str) -> object:
        return getattr(self._index, name)


def chip_labels(words: list[str], limit: int = CHIP_CHARS) -> list[str]:
    """Short labels for suggestion chips that stay distinguishable: two titles that would truncate to the
    same text show their start, then where they differ (溪源县…2024年耕地…, 溪源县…2026年耕地…)."""
    def cut(word: str) -> str:
        return word if len(word) <= limit else word[: limit - 1] + "…"

    plain = [cut(w) for w in words]
    labels = list(plain)
    for i, word in enumerate(words):
        twins = [other for j, other in enumerate(words) if j != i and plain[j] == plain[i]]
        if not twins:
            continue
        common = max(_common_prefix(word, other) for other in twins)
        head = word[:4]
        start = max(common - 3, len(head))  # a little before the first difference: 2024年 rather than 4年
        tail = word[start : start + limit - len(head) - 2]
        labels[i] = f"{head}…{tail}" + ("…" if start + len(tail) < len(word) else "")
    return labels


def _common_prefix(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


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
        self.results.view.setItemDelegate(HitDelegate(scale))
        self.result: SearchResult | None = None
        # Shown instead of the list when a search finds nothing: what to try, as plain text (the typed query is in it).
        self.empty = plain_label()
        self.empty.setObjectName("search-empty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setStyleSheet(f"background: {theme.PAPER}; color: {theme.INK}; font-size: {scale.body_px}px; padding: {scale.spacing_px}px;")
        self.empty.hide()
        ime = ime_for(vocabulary)
        search.parser.use_ime(ime)  # one pinyin engine in the process: the keyboard's, built at start (MainWindow.warm_up)
        self.keyboard = Keyboard(scale, lang, ime)
        self.keyboard.text_changed.connect(self._typed)
        self.keyboard.mode_changed.connect(self._show_query)
        self.body.addWidget(self.results, 1)
        self.body.addWidget(self.empty, 1)
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
        self.result = self.search_service.run(query, limit=self.limit) if query else None
        self.hits = grouped(self.result.hits) if self.result else []
        self.zero_results.searched(query, bool(self.hits))
        self.model.reload()
        self._show_count()
        self._show_empty(query)
        self._show_chips(query)
        self._show_query()

    def _show_count(self) -> None:
        """共 N 条, or 找到 N+ 条 when the search stopped at its limit (there may be more)."""
        if self.result is not None and self.result.capped:
            self.results.count.setText(tr("找到 {n}+ 条，请再加一个词缩小范围", self.lang, n=len(self.hits)))

    def _show_empty(self, query: str) -> None:
        nothing = bool(query) and not self.hits
        self.results.setVisible(not nothing)
        self.empty.setVisible(nothing)
        if not nothing:
            return
        lines = [
            tr("没有找到“{query}”的内容。您可以：", self.lang, query=query),
            tr("· 点选键盘上方的汉字，或换个说法，比如“低保”“养老金”“种粮补贴”", self.lang),
            tr("· 少输几个字，只输最要紧的词", self.lang),
            tr("· 请大厅工作人员帮您查找", self.lang),
        ]
        self.empty.setText("\n".join(lines))

    def _fetch(self, offset: int, limit: int) -> tuple[list[Row], int]:
        rows = [hit_row(hit, self.lang) for hit in self.hits[offset:offset + limit]]
        return rows, len(self.hits)

    def _show_chips(self, query: str) -> None:
        """Hot searches while nothing is typed, suggestions (联想) while typing."""
        clear_layout(self.chip_row)
        corrected = self.result.did_you_mean if self.result is not None and query else []
        if corrected:
            words, caption = [" ".join(corrected)], tr("您是不是要找：", self.lang)
        elif query:
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
        for index, (word, shown) in enumerate(zip(words, chip_labels(words), strict=True)):
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
