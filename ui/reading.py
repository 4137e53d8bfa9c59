"""The reading page every detail screen shares: tabs, large text, page turning, 朗读.

A detail screen is a list of :class:`Part` s (正文, 政策解读, 明细 …). A part is either HTML
shown in a read-only text browser at the reading size, or a widget (the finance chart). Whatever
part is showing, 朗读 reads that part's ``speech`` text, and 上一页/下一页 turn its pages.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QHideEvent, QResizeEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QBoxLayout,
    QButtonGroup,
    QHBoxLayout,
    QPushButton,
    QScrollBar,
    QStackedWidget,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from kiosk.i18n import tr
from ui import theme
from ui.widgets import PageBar, TouchScroll, big_button, clear_layout, plain_label, screen_column, style_button

if TYPE_CHECKING:
    from ui.speech import Speaker


@dataclass(frozen=True)
class Part:
    """One tab of a detail screen; ``speech`` is what 朗读 reads (title first, then content)."""

    label: str
    speech: str
    html: str = ""
    widget: QWidget | None = None
    mark: str = ""  # 已废止 and its note: a strip above the page that stays on every page, not only the first
    columns: tuple[tuple[str, int], ...] = ()  # a table's column names and width shares: repeated above pages 2 and on


def esc(text: object) -> str:
    return html.escape(str(text))


def paragraphs(text: str) -> str:
    return "".join(f"<p>{esc(line.strip())}</p>" for line in text.splitlines() if line.strip())


def reading_style(scale: theme.Scale) -> str:
    """CSS for QTextBrowser's default style sheet (an inline <style> does not size body text)."""
    return (
        f"p {{ line-height: 150%; margin-bottom: {scale.body_px // 2}px; font-size: {scale.body_px}px; color: {theme.INK}; }}"
        f" li {{ line-height: 150%; font-size: {scale.body_px}px; color: {theme.INK}; margin-bottom: {scale.body_px // 3}px; }}"
        f" h1 {{ font-size: {scale.title_px}px; color: {theme.INK}; }}"
        f" h2 {{ font-size: {scale.body_px + 4}px; color: {theme.HEADER}; margin-top: {scale.body_px}px; }}"
        f" td, th {{ font-size: {scale.body_px}px; color: {theme.INK}; padding: 6px; }}"
        f" th {{ background-color: {theme.BACKDROP}; }}"
        f" .meta {{ color: {theme.MUTED}; font-size: {scale.small_px}px; }}"
        f" .mark {{ color: {theme.PAPER}; background-color: {theme.URGENT}; font-weight: bold; }}"
        f" .num {{ text-align: right; }}"
    )


def field_rows(pairs: list[tuple[str, str]]) -> str:
    """Label/value pairs as headed paragraphs, which read better at large size than a two-column table."""
    return "".join(f"<h2>{esc(label)}</h2>{paragraphs(value)}" for label, value in pairs if value)


class ReadAloudButton(QPushButton):
    """朗读 / 停止朗读 toggle bound to the window's one speaker; hidden when no engine exists.

    Its two states look different, not only in words: 朗读 is the filled red of every primary button, 停止朗读 is black with the
    amber frame of the strip that shows what is being read (the dynamic property ``speaking`` says which, for tests). Read-aloud is Chinese-only:
    record content is Chinese, and so is what the voices speak; the English label says so ("Read aloud (Chinese)").
    """

    speaking_changed = Signal(bool)

    def __init__(self, speaker: Speaker | None, scale: theme.Scale, lang: str, text_source: Callable[[], str]) -> None:
        self._labels = (tr("朗读", lang), tr("停止朗读", lang))
        super().__init__(self._labels[0])
        self._scale = scale
        style_button(self, scale, name="read-aloud", primary=True, width_factor=2.2)
        self._idle_style = self.styleSheet()
        self._speaking_style = (
            f"QPushButton {{ background: {theme.INK}; color: {theme.PAPER}; border: 5px solid {theme.STALE};"
            f" border-radius: 10px; font-size: {scale.body_px}px; font-weight: bold; padding: 4px 16px; }}"
            f"QPushButton:pressed {{ background: {theme.HEADER}; color: {theme.PAPER}; }}"
        )
        self.setProperty("speaking", False)
        self.speaker = speaker
        self._text_source = text_source
        self._mine = False  # the speaker is shared: only react to speech this button started
        self._generation = -1  # the speaker's generation of that speech
        self.setVisible(bool(speaker and speaker.available))
        self.clicked.connect(self._toggle)
        if speaker is not None:
            speaker.finished.connect(self._speech_ended)

    @property
    def mine(self) -> bool:
        """True while the speaker reads what this button asked for."""
        return self._mine

    def _toggle(self) -> None:
        if self.speaker is None:
            return
        if self._mine and self.speaker.speaking:
            self.stop()
            return
        self._mine = True
        self._show_state(True)
        self.speaker.say(self._text_source())
        self._generation = self.speaker.generation

    def stop(self) -> None:
        if self.speaker is not None and self._mine:
            self.speaker.silence()
        self._finished()

    def _speech_ended(self) -> None:
        """A speech ended; a late end of one this button replaced (stop, then 朗读 again) must not reset the one playing now."""
        if self._mine and self.speaker is not None and self.speaker.speaking and self.speaker.generation == self._generation:
            return
        self._finished()

    def _finished(self) -> None:
        self._mine = False
        self._show_state(False)

    def _show_state(self, speaking: bool) -> None:
        self.setText(self._labels[1] if speaking else self._labels[0])
        self.setAccessibleName(self.text())
        self.setProperty("speaking", speaking)
        self.setStyleSheet(self._speaking_style if speaking else self._idle_style)
        self.speaking_changed.emit(speaking)


class ReadingScreen(QWidget):
    """Header, optional tabs, the part on show, and a bar with 上一页 · 第 x / y 页 · 下一页 · 朗读."""

    def __init__(self, name: str, title: str, parts: list[Part], scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None], speaker: Speaker | None = None,
                 top: QWidget | None = None) -> None:
        super().__init__()
        self.setObjectName(name)
        self.parts: list[Part] = []
        self.scale = scale
        self.lang = lang
        self.current = 0
        layout = screen_column(self, title, scale, lang, on_back, on_home)
        if top is not None:
            layout.addWidget(top)
        self.tab_row = QWidget()
        tab_layout = QHBoxLayout(self.tab_row)
        tab_layout.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, 0)
        self.tabs: list[QPushButton] = []
        self._followed: list[QWidget] = []  # widget parts whose scroll bar drives the page counter
        self._tab_group = QButtonGroup(self)
        layout.addWidget(self.tab_row)
        self.text = self._browser(scale)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.text)
        body = QVBoxLayout()
        body.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, 0)
        self.mark = plain_label()
        self.mark.setObjectName("reading-mark")
        self.mark.setWordWrap(True)
        self.mark.setStyleSheet(f"background: {theme.URGENT}; color: {theme.PAPER}; font-size: {scale.body_px}px; font-weight: bold;"
                                f" padding: 6px {scale.spacing_px}px;")
        self.mark.hide()
        body.addWidget(self.mark)
        self.columns = QWidget()  # the ledger's column header, pinned above the page once its own has scrolled away
        self.columns.setObjectName("reading-columns")
        self.columns.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.columns.setStyleSheet(f"QWidget#reading-columns {{ background: {theme.BACKDROP}; }}")
        self._column_row = QHBoxLayout(self.columns)
        self._column_row.setContentsMargins(scale.spacing_px // 2, 4, scale.spacing_px, 4)
        self.columns.hide()
        body.addWidget(self.columns)
        body.addWidget(self.stack, 1)
        layout.addLayout(body, 1)
        # 打印 / 扫码带走 (self.actions) sit left of the page bar, or above it on a portrait screen where one row is too narrow
        self._bar = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._bar.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
        self.actions = QHBoxLayout()
        self._bar.addLayout(self.actions)
        navigation = QHBoxLayout()
        self.pages = PageBar(scale, lang, "page-position")
        self.pages.turned.connect(self.turn)
        self.up, self.down, self.position = self.pages.up, self.pages.down, self.pages.status
        navigation.addWidget(self.pages, 1)
        self.read_aloud = ReadAloudButton(speaker, scale, lang, lambda: self.parts[self.current].speech if self.parts else "")
        navigation.addWidget(self.read_aloud)
        self._bar.addLayout(navigation, 1)
        # While 朗读 reads: the sentence being read, in a strip above the bar, and highlighted in the text when it is shown there
        self.now_reading = plain_label()  # the sentence is record text: shown as typed
        self.now_reading.setObjectName("now-reading")
        self.now_reading.setWordWrap(True)
        self.now_reading.setStyleSheet(f"QLabel {{ background: {theme.STALE}; color: {theme.INK}; font-size: {scale.body_px}px;"
                                       f" padding: {scale.spacing_px // 2}px {scale.spacing_px}px; }}")
        self.now_reading.hide()
        layout.addWidget(self.now_reading)
        layout.addLayout(self._bar)
        self.read_aloud.speaking_changed.connect(self._speaking_changed)
        if speaker is not None:
            speaker.reading.connect(self._reading)
            speaker.failed.connect(self._speech_failed)
        self.text.verticalScrollBar().valueChanged.connect(self._update_position)
        self.text.verticalScrollBar().rangeChanged.connect(self._update_position)
        self.set_parts(parts)

    def set_parts(self, parts: list[Part]) -> None:
        """Show new content (a board screen switching period) with tabs rebuilt and speech stopped."""
        self.read_aloud.stop()
        for part in self.parts:
            if part.widget is not None:
                self.stack.removeWidget(part.widget)
                part.widget.deleteLater()
        for tab in self.tabs:
            self._tab_group.removeButton(tab)
        self.tabs = []
        self.parts = parts
        tab_layout = self.tab_row.layout()
        clear_layout(tab_layout)
        for index, part in enumerate(parts):
            tab = big_button(part.label, self.scale, name=f"tab-{index}")
            tab.setCheckable(True)
            tab.clicked.connect(lambda _checked=False, i=index: self.show_part(i))
            self._tab_group.addButton(tab)
            tab_layout.addWidget(tab)
            self.tabs.append(tab)
            if part.widget is not None:
                self.stack.addWidget(part.widget)
        tab_layout.addStretch(1)
        self.tab_row.setVisible(len(parts) > 1)
        self.current = 0
        if parts:
            self.show_part(0)

    def _browser(self, scale: theme.Scale) -> QTextBrowser:
        text = QTextBrowser()
        text.setObjectName("reading-text")
        text.setOpenLinks(False)  # a link must never open a browser on a kiosk
        text.setOpenExternalLinks(False)
        text.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        text.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        text.setStyleSheet(f"QTextBrowser {{ background: {theme.PAPER}; border: none; padding: {scale.spacing_px}px; }}")
        font = QFont(text.font())
        font.setPixelSize(scale.body_px)
        text.document().setDefaultFont(font)
        text.document().setDefaultStyleSheet(reading_style(scale))
        self._touch = TouchScroll(text.viewport(), slop_px=scale.min_touch_px // 4)
        return text

    def show_part(self, index: int) -> None:
        if index != self.current:
            self.read_aloud.stop()
        self.current = index
        part = self.parts[index]
        self.mark.setText(part.mark)
        self.mark.setVisible(bool(part.mark))
        clear_layout(self._column_row)
        for name, share in part.columns:
            label = plain_label(name)
            label.setObjectName("reading-column")
            label.setStyleSheet(f"color: {theme.INK}; font-size: {self.scale.body_px}px; font-weight: bold;")
            self._column_row.addWidget(label, share)
        self.columns.hide()
        if self.tabs:
            self.tabs[index].setChecked(True)
        if part.widget is not None:
            self.stack.setCurrentWidget(part.widget)
            scrolls = isinstance(part.widget, QAbstractScrollArea)  # the chart and attachments turn pages too
            self.pages.setVisible(scrolls)
            if scrolls and part.widget not in self._followed:
                bar = part.widget.verticalScrollBar()
                bar.valueChanged.connect(self._update_position)
                bar.rangeChanged.connect(self._update_position)
                self._followed.append(part.widget)
            if scrolls:
                self._update_position()
            return
        self.pages.setVisible(True)
        self.stack.setCurrentWidget(self.text)
        self.text.setHtml(part.html)
        self.text.verticalScrollBar().setValue(0)
        self._update_position()

    def _speaking_changed(self, speaking: bool) -> None:
        if not speaking:
            self.now_reading.hide()
            self.text.setExtraSelections([])

    def _reading(self, _index: int, piece: str) -> None:
        """The speaker started a piece: show it in the strip and mark it in the text if this screen's button asked for it."""
        if not self.read_aloud.mine:
            return
        self.now_reading.setText(tr("正在朗读：{text}", self.lang, text=piece))
        self.now_reading.show()
        self.text.setExtraSelections(self._marks(piece))

    def _speech_failed(self, _message: str) -> None:
        if self.read_aloud.mine:
            self.now_reading.setText(tr("无法朗读：这台终端放不出声音，请工作人员检查。", self.lang))
            self.now_reading.show()

    def _marks(self, piece: str) -> list[QTextEdit.ExtraSelection]:
        """The piece (or, when labels make the spoken text differ, its longest start found) highlighted and scrolled into view."""
        if self.stack.currentWidget() is not self.text:
            return []
        document = self.text.document()
        needle = piece.strip()
        while needle:
            cursor = document.find(needle, 0, QTextDocument.FindFlag.FindCaseSensitively)
            if not cursor.isNull():
                break
            needle = needle[: len(needle) * 2 // 3] if len(needle) > 6 else ""
        if not needle:
            return []
        mark = QTextEdit.ExtraSelection()
        mark.cursor = cursor
        mark.format.setBackground(QColor(theme.STALE))
        view = QTextCursor(cursor)
        view.setPosition(cursor.selectionStart())
        self.text.setTextCursor(view)
        self.text.ensureCursorVisible()
        return [mark]

    def _scroll_bar(self) -> QScrollBar:
        """The scroll bar of whatever part is on show: the text, or a scrolling widget part."""
        current = self.stack.currentWidget()
        return current.verticalScrollBar() if isinstance(current, QAbstractScrollArea) else self.text.verticalScrollBar()

    def put_actions_above(self, above: bool) -> None:
        """On a portrait screen the actions get their own row above the page bar, so nothing is pushed off screen."""
        self._bar.setDirection(QBoxLayout.Direction.TopToBottom if above else QBoxLayout.Direction.LeftToRight)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._update_position)  # after the browser itself has been laid out

    def hideEvent(self, event: QHideEvent) -> None:
        self.read_aloud.stop()  # leaving the page stops its speech
        super().hideEvent(event)

    def _stride(self) -> int:
        """One page turn: a screenful less two lines, so the reader keeps their place."""
        return max(self._scroll_bar().pageStep() - self.scale.body_px * 2, self.scale.body_px)

    def _slack(self) -> int:
        """Less than a line of overflow (a bottom margin, a border) is not another page: 下一页 never shifts 4 px."""
        return self.scale.body_px

    def turn(self, direction: int) -> None:
        bar = self._scroll_bar()
        target = bar.value() + direction * self._stride()
        bar.setValue(bar.maximum() if bar.maximum() - target <= self._slack() else target)

    def _update_position(self, *_args: int) -> None:
        bar = self._scroll_bar()
        stride, slack = self._stride(), self._slack()
        pages = 1 if bar.maximum() <= slack else 1 - (-(bar.maximum() - slack) // stride)
        # the last page is said only at the end, where 下一页 turns off: the count and the buttons never disagree
        current = pages if bar.value() >= bar.maximum() - slack else min(pages - 1, round(bar.value() / stride) + 1)
        self.position.setText(tr("第 {current} / {pages} 页", self.lang, current=current, pages=pages))
        self.up.setEnabled(bar.value() > 0)
        self.down.setEnabled(bar.maximum() - bar.value() > slack)
        part = self.parts[self.current] if self.parts else None
        self.columns.setVisible(bool(part and part.columns and part.widget is None and bar.value() > 0))
