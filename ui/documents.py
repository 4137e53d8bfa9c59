"""Policy library: a filtered list of documents; the document itself is a ReadingScreen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.browse import Browser, DocumentFilter
from ui import theme
from ui.chooser import Chooser
from ui.listing import ListScreen, filter_rows
from ui.widgets import Row, big_button, chip_group

VALIDITY_CHOICES = ("现行有效", "已修改", "已废止")
YEAR_CHIPS = 4
LABEL_CHARS = 10


def document_row(document: dict[str, Any]) -> Row:
    parts = [document.get("doc_number") or "", document["issuer"], document["published_date"]]
    badge = "" if document["validity"] == "现行有效" else document["validity"]
    return Row(document["title"], "  ·  ".join(p for p in parts if p), badge, document["id"])


class DocumentListScreen(ListScreen):
    """政策文件 (or 政策解读 when ``interpreted_only``): newest first, with year and validity filters."""

    def __init__(self, browser: Browser, scale: theme.Scale, lang: str, *, interpreted_only: bool = False,
                 on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        self.browser = browser
        self.filters = DocumentFilter(interpreted_only=interpreted_only)
        title = ("政策解读" if interpreted_only else "政策文件") if lang != "en" else ("Interpretations" if interpreted_only else "Policy documents")
        bar, (year_row, validity_row, source_row) = filter_rows(scale, 3)
        super().__init__("interpretations" if interpreted_only else "documents", title, self._fetch, scale, lang, on_back=on_back, on_home=on_home, top=bar)
        years = [value for value, _count in browser.document_facets(("year",))["year"]][:YEAR_CHIPS]
        year_choices = [("全部年份" if lang != "en" else "All years", None), *[(f"{y}年", int(y)) for y in years]]
        self._year_group = chip_group(self, year_row, scale, "year", year_choices, lambda v: self._set(year=v))
        year_row.addStretch(1)
        validity_choices = [("全部" if lang != "en" else "All", None), *[(v, v) for v in VALIDITY_CHOICES]]
        self._validity_group = chip_group(self, validity_row, scale, "validity", validity_choices, lambda v: self._set(validity=v))
        validity_row.addStretch(1)
        self._lang = lang
        self._scale = scale
        self.issuer_button = big_button(self._label("issuer"), scale, name="choose-issuer", width_factor=3)
        self.issuer_button.clicked.connect(lambda: self._choose("issuer"))
        self.level_button = big_button(self._label("level"), scale, name="choose-level", width_factor=2.4)
        self.level_button.clicked.connect(lambda: self._choose("level"))
        source_row.addWidget(self.issuer_button)
        source_row.addWidget(self.level_button)
        source_row.addStretch(1)

    def _label(self, facet: str) -> str:
        value = getattr(self.filters, facet)
        if value and len(value) > LABEL_CHARS:
            value = value[: LABEL_CHARS - 1] + "…"  # the chooser shows it whole; the button must not outgrow a portrait screen
        if self._lang == "en":
            return f"{'Issuer' if facet == 'issuer' else 'Level'}: {value or 'all'} ▾"
        return f"{'发文机关' if facet == 'issuer' else '文件层级'}：{value or '全部'} ▾"

    def _choose(self, facet: str) -> None:
        """Issuers and levels are many and long: a chooser, with how many documents each has."""
        values = self.browser.document_facets((facet,))[facet]
        options: list[tuple[str, Any]] = [("全部" if self._lang != "en" else "All", None), *[(f"{v}（{n}）", v) for v, n in values]]
        title = ("选择发文机关" if facet == "issuer" else "选择文件层级") if self._lang != "en" else f"Choose {facet}"
        Chooser(self, title, options, lambda v: self._set(**{facet: v}), self._scale, self._lang)

    def _set(self, **changes: Any) -> None:
        self.filters = DocumentFilter(**{**self.filters.__dict__, **changes})
        self.model.reload()
        self.issuer_button.setText(self._label("issuer"))
        self.level_button.setText(self._label("level"))

    def _fetch(self, offset: int, limit: int) -> tuple[list[Row], int]:
        page = self.browser.documents(self.filters, offset=offset, limit=limit)
        return [document_row(d) for d in page.rows], page.total
