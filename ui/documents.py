"""Policy library: a filtered list of documents, and a document page readable at large size."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

from kiosk.browse import Browser, DocumentFilter
from ui import theme
from ui.widgets import LazyListModel, PageBar, Row, ScreenHeader, TouchList, TouchScroll, big_button, chip_group

VALIDITY_CHOICES = ("现行有效", "已修改", "已废止")


def document_row(document: dict[str, Any]) -> Row:
    parts = [document.get("doc_number") or "", document["issuer"], document["published_date"]]
    badge = "" if document["validity"] == "现行有效" else document["validity"]
    return Row(document["title"], "  ·  ".join(p for p in parts if p), badge, document["id"])


class DocumentListScreen(QWidget):
    """政策文件 (or 政策解读 when ``interpreted_only``): newest first, with year and validity filters."""

    opened = Signal(object)  # a record id

    def __init__(self, browser: Browser, scale: theme.Scale, lang: str, *, interpreted_only: bool = False,
                 on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("documents")
        self.browser = browser
        self.filters = DocumentFilter(interpreted_only=interpreted_only)
        title = ("政策解读" if interpreted_only else "政策文件") if lang != "en" else ("Interpretations" if interpreted_only else "Policy documents")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = ScreenHeader(title, scale, lang)
        header.back.connect(on_back)
        header.home.connect(on_home)
        layout.addWidget(header)
        layout.addWidget(self._filter_bar(scale, lang))
        self.model = LazyListModel(self._fetch)
        self.list = TouchList(self.model, scale, lang)
        self.list.activated.connect(self.opened)
        body = QVBoxLayout()
        body.setContentsMargins(scale.spacing_px, 0, scale.spacing_px, scale.spacing_px // 2)
        body.addWidget(self.list)
        layout.addLayout(body, 1)

    def _filter_bar(self, scale: theme.Scale, lang: str) -> QWidget:
        bar = QWidget()
        bar.setStyleSheet(f"background: {theme.BACKDROP};")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
        years = [value for value, _count in self.browser.document_facets()["year"]][:4]
        year_choices = [("全部年份" if lang != "en" else "All years", None), *[(f"{y}年", int(y)) for y in years]]
        self._year_group = chip_group(self, layout, scale, "year", year_choices, lambda v: self._set(year=v))
        layout.addStretch(1)
        validity_choices = [("全部" if lang != "en" else "All", None), *[(v, v) for v in VALIDITY_CHOICES]]
        self._validity_group = chip_group(self, layout, scale, "validity", validity_choices, lambda v: self._set(validity=v))
        return bar

    def _set(self, **changes: Any) -> None:
        values = {**self.filters.__dict__, **changes}
        self.filters = DocumentFilter(**values)
        self.model.reload()

    def _fetch(self, offset: int, limit: int) -> tuple[list[Row], int]:
        page = self.browser.documents(self.filters, offset=offset, limit=limit)
        return [document_row(d) for d in page.rows], page.total


def _paragraphs(text: str) -> str:
    return "".join(f"<p>{html.escape(line.strip())}</p>" for line in text.splitlines() if line.strip())


def reading_style(scale: theme.Scale) -> str:
    """CSS for QTextBrowser's default style sheet (an inline <style> does not size body text)."""
    return (
        f"p {{ line-height: 150%; margin-bottom: {scale.body_px // 2}px; font-size: {scale.body_px}px; color: {theme.INK}; }}"
        f" h1 {{ font-size: {scale.title_px}px; color: {theme.INK}; }}"
        f" .meta {{ color: {theme.MUTED}; font-size: {scale.small_px}px; }}"
        f" .mark {{ color: {theme.PAPER}; background-color: {theme.URGENT}; font-weight: bold; }}"
    )


def document_html(document: dict[str, Any], scale: theme.Scale, *, interpretation: bool) -> str:
    """The readable page: header block then either the body or the interpretation."""
    style = ""  # sizes come from the browser's default font and style sheet (see reading_style)
    meta = [document.get("doc_number"), document["issuer"], f"发布日期：{document['published_date']}"]
    if document.get("written_date"):
        meta.append(f"成文日期：{document['written_date']}")
    mark = ""
    if document["validity"] != "现行有效":
        note = document.get("validity_note") or ""
        mark = f"<p><span class='mark'>&nbsp;{html.escape(document['validity'])}&nbsp;</span> {html.escape(note)}</p>"
    head = f"<h1>{html.escape(document['title'])}</h1><p class='meta'>{html.escape('　'.join(m for m in meta if m))}</p>{mark}"
    if not interpretation:
        return style + head + _paragraphs(document["body"])
    interp = document["interpretation"]
    qa = "".join(f"<p><b>问：{html.escape(item['q'])}</b></p><p>答：{html.escape(item['a'])}</p>" for item in interp.get("qa", []))
    who = f"<p class='meta'>解读人：{html.escape(interp['interpreter'])}　联系电话：{html.escape(interp['interpreter_phone'])}</p>"
    return style + head + f"<h1>{html.escape(interp.get('title') or '政策解读')}</h1>" + who + _paragraphs(interp["text"]) + qa


class DocumentScreen(QWidget):
    """One document: 正文 / 政策解读 tabs, text at the reading size, 上一页/下一页 to turn pages."""

    def __init__(self, document: dict[str, Any], scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("document")
        self.document = document
        self.scale = scale
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = ScreenHeader("政策文件" if lang != "en" else "Policy document", scale, lang)
        header.back.connect(on_back)
        header.home.connect(on_home)
        layout.addWidget(header)
        tabs = QHBoxLayout()
        tabs.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, 0)
        group = QButtonGroup(self)
        self.body_tab = big_button("正文" if lang != "en" else "Text", scale, name="tab-body")
        self.interp_tab = big_button("政策解读" if lang != "en" else "Interpretation", scale, name="tab-interpretation")
        for tab in (self.body_tab, self.interp_tab):
            tab.setCheckable(True)
            group.addButton(tab)
            tabs.addWidget(tab)
        tabs.addStretch(1)
        self.body_tab.setChecked(True)
        self.interp_tab.setVisible(bool(document.get("interpretation")))
        self.body_tab.clicked.connect(lambda: self.show_part(interpretation=False))
        self.interp_tab.clicked.connect(lambda: self.show_part(interpretation=True))
        layout.addLayout(tabs)
        self.text = QTextBrowser()
        self.text.setObjectName("document-text")
        self.text.setOpenLinks(False)
        self.text.setOpenExternalLinks(False)
        self.text.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self.text.setStyleSheet(f"QTextBrowser {{ background: {theme.PAPER}; border: none; padding: {scale.spacing_px}px; }}")
        reading_font = QFont(self.text.font())
        reading_font.setPixelSize(scale.body_px)
        self.text.document().setDefaultFont(reading_font)
        self.text.document().setDefaultStyleSheet(reading_style(scale))
        self._touch = TouchScroll(self.text.viewport(), slop_px=scale.min_touch_px // 4)
        body = QVBoxLayout()
        body.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, 0)
        body.addWidget(self.text, 1)
        layout.addLayout(body, 1)
        pages = PageBar(scale, lang, "page-position")
        pages.setContentsMargins(scale.spacing_px, scale.spacing_px // 2, scale.spacing_px, scale.spacing_px // 2)
        pages.turned.connect(self.turn)
        self.up, self.down, self.position = pages.up, pages.down, pages.status
        layout.addWidget(pages)
        self.text.verticalScrollBar().valueChanged.connect(self._update_position)
        self.text.verticalScrollBar().rangeChanged.connect(self._update_position)
        self.show_part(interpretation=False)

    def show_part(self, *, interpretation: bool) -> None:
        self.text.setHtml(document_html(self.document, self.scale, interpretation=interpretation))
        self.text.verticalScrollBar().setValue(0)
        self._update_position()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        QTimer.singleShot(0, self._update_position)  # after the browser itself has been laid out

    def _stride(self) -> int:
        """One page turn: a screenful less two lines, so the reader keeps their place."""
        return max(self.text.verticalScrollBar().pageStep() - self.scale.body_px * 2, self.scale.body_px)

    def turn(self, direction: int) -> None:
        bar = self.text.verticalScrollBar()
        bar.setValue(bar.value() + direction * self._stride())

    def _update_position(self) -> None:
        bar = self.text.verticalScrollBar()
        stride = self._stride()
        pages = -(-bar.maximum() // stride) + 1
        current = pages if bar.value() >= bar.maximum() else min(pages, round(bar.value() / stride) + 1)
        self.position.setText(f"第 {current} / {pages} 页")
        self.up.setEnabled(bar.value() > 0)
        self.down.setEnabled(bar.value() < bar.maximum())
