"""Policy library: a filtered list of documents; the document itself is a ReadingScreen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.browse import Browser, DocumentFilter
from kiosk.home import section_name
from kiosk.i18n import N_, format_day, tr
from kiosk.labels import period_label, value_label
from ui import theme
from ui.chooser import Chooser
from ui.listing import ListScreen, filter_rows
from ui.widgets import Row, big_button, button_text, chip_group

VALIDITY_CHOICES = (N_("现行有效"), N_("已修改"), N_("已废止"))
YEAR_CHIPS = 4
LABEL_CHARS = 10
FACETS = {"issuer": (N_("发文机关"), N_("选择发文机关")), "level": (N_("文件层级"), N_("选择文件层级"))}  # (button, chooser title)


def document_row(document: dict[str, Any], lang: str) -> Row:
    parts = [document.get("doc_number") or "", document["issuer"], format_day(document["published_date"], lang)]
    badge = "" if document["validity"] == "现行有效" else value_label(document["validity"], lang)
    return Row(document["title"], "  ·  ".join(p for p in parts if p), badge, document["id"])


class DocumentListScreen(ListScreen):
    """政策文件 (or 政策解读 when ``interpreted_only``): newest first, with year and validity filters."""

    def __init__(self, browser: Browser, scale: theme.Scale, lang: str, *, interpreted_only: bool = False,
                 on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        self.browser = browser
        self.filters = DocumentFilter(interpreted_only=interpreted_only)
        title = section_name("interpretations" if interpreted_only else "documents", lang)
        bar, (year_row, validity_row, source_row) = filter_rows(scale, 3, lang=lang)
        super().__init__("interpretations" if interpreted_only else "documents", title, self._fetch, scale, lang, on_back=on_back, on_home=on_home, top=bar)
        years = [value for value, _count in browser.document_facets(("year",))["year"]][:YEAR_CHIPS]
        year_choices = [(tr("全部年份", lang), None), *[(period_label(str(y), lang), int(y)) for y in years]]
        self._year_group = chip_group(self, year_row, scale, "year", year_choices, lambda v: self._set(year=v))
        year_row.addStretch(1)
        validity_choices = [(tr("全部", lang), None), *[(tr(v, lang), v) for v in VALIDITY_CHOICES]]
        self._validity_group = chip_group(self, validity_row, scale, "validity", validity_choices, lambda v: self._set(validity=v))
        validity_row.addStretch(1)
        self._scale = scale
        self.issuer_button = big_button(self._label("issuer"), scale, name="choose-issuer", width_factor=3)
        self.issuer_button.clicked.connect(lambda: self._choose("issuer"))
        self.level_button = big_button(self._label("level"), scale, name="choose-level", width_factor=2.4)
        self.level_button.clicked.connect(lambda: self._choose("level"))
        source_row.addWidget(self.issuer_button)
        source_row.addWidget(self.level_button)
        source_row.addStretch(1)

    def _shown(self, facet: str, value: str) -> str:
        """A facet value as people read it: levels are fixed words (translated), issuers are names (as published)."""
        return value_label(value, self.lang) if facet == "level" else value

    def _label(self, facet: str) -> str:
        value = self._shown(facet, getattr(self.filters, facet) or "")
        if value and len(value) > LABEL_CHARS:
            value = value[: LABEL_CHARS - 1] + "…"  # the chooser shows it whole; the button must not outgrow a portrait screen
        return tr("{facet}：{value} ▾", self.lang, facet=tr(FACETS[facet][0], self.lang), value=value or tr("全部", self.lang))

    def _choose(self, facet: str) -> None:
        """Issuers and levels are many and long: a chooser, with how many documents each has."""
        values = self.browser.document_facets((facet,))[facet]
        options: list[tuple[str, Any]] = [(tr("全部", self.lang), None)]
        options += [(tr("{name}（{count}）", self.lang, name=self._shown(facet, v), count=n), v) for v, n in values]
        Chooser(self, tr(FACETS[facet][1], self.lang), options, lambda v: self._set(**{facet: v}), self._scale, self.lang)

    def _set(self, **changes: Any) -> None:
        self.filters = DocumentFilter(**{**self.filters.__dict__, **changes})
        self.model.reload()
        self.issuer_button.setText(button_text(self._label("issuer")))
        self.level_button.setText(button_text(self._label("level")))

    def _fetch(self, offset: int, limit: int) -> tuple[list[Row], int]:
        page = self.browser.documents(self.filters, offset=offset, limit=limit)
        return [document_row(d, self.lang) for d in page.rows], page.total
