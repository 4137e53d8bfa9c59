"""政务公开目录: domains → items → an item with every field and the documents it links to."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal

from kiosk.browse import Browser, Page
from kiosk.home import section_name
from kiosk.i18n import ntr, tr
from ui import theme
from ui.documents import document_row
from ui.listing import ListScreen
from ui.pages import catalogue_item_parts
from ui.reading import Part, ReadingScreen
from ui.widgets import LazyListModel, Row, TouchList

if TYPE_CHECKING:
    from ui.speech import Speaker


def domain_rows(browser: Browser, lang: str) -> list[Row]:
    return [Row(domain["name"], domain.get("description", ""), "", domain["id"], ntr("{n} 项", "{n} 项", count, lang))
            for domain, count in browser.catalogue_domains()]


class CatalogueScreen(ListScreen):
    """The domains, in the standard's order, each with how many items it holds."""

    def __init__(self, browser: Browser, scale: theme.Scale, lang: str, *, on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        rows = domain_rows(browser, lang)
        super().__init__("catalogue", section_name("catalogue", lang),
                         lambda offset, limit: (rows[offset:offset + limit], len(rows)), scale, lang, on_back=on_back, on_home=on_home)


class CatalogueItemsScreen(ListScreen):
    def __init__(self, browser: Browser, domain: dict[str, Any], scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None]) -> None:
        def fetch(offset: int, limit: int) -> tuple[list[Row], int]:
            page: Page = browser.catalogue_items(domain["id"], offset=offset, limit=limit)
            rows = [Row(item["name"], "  ·  ".join(x for x in (item.get("sub_domain", ""), item["subject"], item["deadline"]) if x), "", item["id"])
                    for item in page.rows]
            return rows, page.total

        super().__init__("catalogue-items", domain["name"], fetch, scale, lang, on_back=on_back, on_home=on_home)


class CatalogueItemScreen(ReadingScreen):
    """Every field of the item; its documents in a second tab, each opening the document."""

    opened = Signal(object)

    def __init__(self, browser: Browser, item: dict[str, Any], domain_name: str, scale: theme.Scale, lang: str, *,
                 on_back: Callable[[], None], on_home: Callable[[], None], speaker: Speaker | None = None) -> None:
        parts = catalogue_item_parts(item, domain_name, lang)
        documents = browser.linked_documents(item)
        if documents:
            rows = [document_row(d, lang) for d in documents]
            linked = TouchList(LazyListModel(lambda offset, limit: (rows[offset:offset + limit], len(rows))), scale, lang)
            linked.setObjectName("linked-documents")
            linked.activated.connect(lambda record_id: self.opened.emit(record_id))
            label = tr("相关文件（{count}）", lang, count=len(documents))
            parts.append(Part(label, "\n".join(d["title"] for d in documents), widget=linked))
        super().__init__("catalogue-item", section_name("catalogue", lang), parts, scale, lang,
                         on_back=on_back, on_home=on_home, speaker=speaker)
