"""Policy library: a filtered list of documents; the document itself is a ReadingScreen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.browse import Browser, DocumentFilter
from ui import theme
from ui.listing import ListScreen, filter_rows
from ui.widgets import Row, chip_group

VALIDITY_CHOICES = ("现行有效", "已修改", "已废止")
YEAR_CHIPS = 4


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
        bar, (year_row, validity_row) = filter_rows(scale, 2)
        super().__init__("interpretations" if interpreted_only else "documents", title, self._fetch, scale, lang, on_back=on_back, on_home=on_home, top=bar)
        years = [value for value, _count in browser.document_facets(("year",))["year"]][:YEAR_CHIPS]
        year_choices = [("全部年份" if lang != "en" else "All years", None), *[(f"{y}年", int(y)) for y in years]]
        self._year_group = chip_group(self, year_row, scale, "year", year_choices, lambda v: self._set(year=v))
        year_row.addStretch(1)
        validity_choices = [("全部" if lang != "en" else "All", None), *[(v, v) for v in VALIDITY_CHOICES]]
        self._validity_group = chip_group(self, validity_row, scale, "validity", validity_choices, lambda v: self._set(validity=v))
        validity_row.addStretch(1)

    def _set(self, **changes: Any) -> None:
        self.filters = DocumentFilter(**{**self.filters.__dict__, **changes})
        self.model.reload()

    def _fetch(self, offset: int, limit: int) -> tuple[list[Row], int]:
        page = self.browser.documents(self.filters, offset=offset, limit=limit)
        return [document_row(d) for d in page.rows], page.total
