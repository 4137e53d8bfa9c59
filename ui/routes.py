"""The router's two tables: what each screen name opens, and which screen reads a record of each kind.

``MainWindow`` only looks names up here, so adding a screen or a kind is one entry, not another branch
in a dispatcher. Reading pages take their title from the one table of section names (``kiosk.home``),
the same names the home tiles, printed pages and the portal use. Every opener builds a fresh screen
and pushes it; screens are destroyed when left.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from kiosk.home import kind_section_name
from kiosk.i18n import format_moment, speech_language, tr
from kiosk.labels import labelled
from kiosk.lifeevents import contents, entrances, village_payments
from kiosk.links import list_named_by, policies_for_guide
from kiosk.records.text import title_of
from kiosk.zeroresults import record_zero_result
from printing.render import PrintSubject
from ui.attachments import AttachmentView
from ui.boards import BoardScreen
from ui.catalogue import CatalogueItemScreen, CatalogueItemsScreen, CatalogueScreen
from ui.documents import DocumentListScreen, document_row
from ui.guides import GuideListScreen, NoticeListScreen
from ui.lifeevents import LifeEventScreen
from ui.pages import document_parts, guide_parts, notice_parts, policy_parts
from ui.printing import PrintButtons
from ui.reading import Part, ReadingScreen
from ui.search import SearchScreen
from ui.staff import open_pin_pad
from ui.staff_panel import open_panel, open_settings
from ui.subsidies import SubsidyScreen, policy_row
from ui.widgets import LazyListModel, Row, TouchList, big_button

if TYPE_CHECKING:
    from ui.window import MainWindow

Record = dict[str, Any]
ScreenOpener = Callable[["MainWindow"], None]
RecordOpener = Callable[["MainWindow", Record], None]

#: Screens that show the newest record of a kind (for ``kiosk run --screen`` screenshots and the accessibility audit).
SAMPLE_RECORDS = {"document": "document", "attachments": "document", "policy": "subsidy_policy", "guide": "service_guide",
                  "notice": "notice", "catalogue-item": "catalogue_item"}


def _nav(window: MainWindow) -> dict[str, Callable[[], None]]:
    return {"on_back": window.back, "on_home": window.go_home}


def _push_list(window: MainWindow, screen: QWidget) -> None:
    """A screen whose rows open records (lists, a catalogue item's linked documents)."""
    screen.opened.connect(window.open_record)  # type: ignore[attr-defined]
    window.push(screen)


# ---------------------------------------------------------------------- print buttons
def add_print_buttons(window: MainWindow, screen: QWidget, subject: Callable[[], PrintSubject],
                      title: Callable[[], str]) -> PrintButtons | None:
    """打印 / 打印凭条 / 扫码带走 in the screen's action row, when this terminal can do any of them."""
    settings = window.terminal.settings
    if settings["printing.backend"] == "none" and not settings["share.portal_url"]:
        return None
    buttons = PrintButtons(window.desk, subject, screen, window.scale, window.lang, title)
    screen.actions.addWidget(buttons)  # type: ignore[attr-defined]
    if isinstance(screen, ReadingScreen):
        screen.put_actions_above(window.width() < window.height())
    return buttons


def _board_screen(window: MainWindow, village: str) -> BoardScreen:
    screen = BoardScreen(window.browser, window.terminal.store.region_names(), village, window.scale, window.lang,
                         speaker=window.speaker, **_nav(window))

    def subject() -> PrintSubject:
        return PrintSubject(record_id=screen.board["id"]) if screen.board else PrintSubject()

    buttons = add_print_buttons(window, screen, subject, lambda: screen.board["title"] if screen.board else "")
    if buttons is not None:
        screen.board_shown.connect(buttons.refresh)
    return screen


def _subsidy_screen(window: MainWindow, village: str) -> SubsidyScreen:
    screen = SubsidyScreen(window.browser, window.terminal.store.region_names(), village, window.scale, window.lang, **_nav(window))
    screen.opened.connect(window.open_record)
    buttons = add_print_buttons(window, screen, lambda: PrintSubject(village=screen.village, filters=screen.filters), lambda: "")
    if buttons is not None:
        screen.filters_changed.connect(buttons.refresh)
    return screen


# ---------------------------------------------------------------------- records
def _reading(window: MainWindow, record: Record, name: str, parts: list[Part], top: QWidget | None = None) -> None:
    """A reading page titled with its section's name, with the print buttons for the record."""
    screen = ReadingScreen(name, kind_section_name(record["kind"], window.lang), parts, window.scale, window.lang,
                           speaker=window.speaker, top=top, **_nav(window))
    add_print_buttons(window, screen, lambda: PrintSubject(record_id=record["id"]), lambda: title_of(record))
    window.push(screen)


def _document(window: MainWindow, record: Record) -> None:
    parts = document_parts(record, window.lang)
    attachments = record.get("attachments") or []
    if attachments:
        names = "、".join(a["name"] for a in attachments)
        label = tr("附件（{count}）", window.lang, count=len(attachments))
        view = AttachmentView(attachments, window.terminal.blobs, window.scale, window.lang)
        parts.append(Part(label, tr("本文件的附件有：{names}", speech_language(window.lang), names=names), widget=view))
    _reading(window, record, "document", parts)


def _notice(window: MainWindow, record: Record) -> None:
    when = labelled("发布时间", format_moment(record["publish_at"], window.lang), window.lang)
    _reading(window, record, "notice", notice_parts(record, window.lang, when))


def _catalogue_item(window: MainWindow, record: Record) -> None:
    domain = window.terminal.store.get(record["domain_id"]) or {"name": ""}
    screen = CatalogueItemScreen(window.browser, record, domain["name"], window.scale, window.lang, speaker=window.speaker,
                                 **_nav(window))
    add_print_buttons(window, screen, lambda: PrintSubject(record_id=record["id"]), lambda: record["name"])
    named = list_named_by(record)
    if named is not None and window.browser.villages_with("subsidy_payment" if named == "payments" else "board"):
        text = tr("查看本村发放名单", window.lang) if named == "payments" else tr("查看本村三务公开", window.lang)
        link = big_button(text, window.scale, name="item-list", primary=True, width_factor=3)
        link.clicked.connect(lambda: window.show_screen(named))
        screen.actions.insertWidget(0, link)
        screen.put_actions_above(window.width() < window.height())
    _push_list(window, screen)


def _board(window: MainWindow, record: Record) -> None:
    screen = _board_screen(window, record["region"])
    screen.board_type = record["board_type"]
    screen.show_period(record["period"])
    window.push(screen)


def _payment(window: MainWindow, record: Record) -> None:
    screen = _subsidy_screen(window, record["region"])
    screen.show_payments()
    screen.find_name(record["recipient"])
    window.push(screen)


def _held(window: MainWindow, ids: list[str], kind: str) -> list[Record]:
    """The records of ``kind`` among ``ids`` that this terminal shows (withdrawn or out-of-region ones left out)."""
    scope = set(window.terminal.scope())
    records = (window.terminal.store.get(record_id) for record_id in dict.fromkeys(ids))
    return [r for r in records if r is not None and r["kind"] == kind and r["region"] in scope]


def _linked_part(window: MainWindow, label: str, rows: list[Row], titles: list[str], name: str) -> Part:
    """A tab listing linked records; a tap opens one on its own page."""
    linked = TouchList(LazyListModel(lambda offset, limit: (rows[offset:offset + limit], len(rows))), window.scale, window.lang)
    linked.setObjectName(name)
    linked.activated.connect(window.open_record)
    return Part(label, "\n".join(titles), widget=linked)


def _policy(window: MainWindow, record: Record) -> None:
    """A subsidy policy with its 政策依据 documents; when this village has payments of it, a button straight to them."""
    top = None
    village = window.terminal.region
    paid = village_payments(window.terminal.store, village, [record["id"]])
    if paid:
        place = window.terminal.store.region_names().get(village, village)
        top = big_button(tr("查看{place}本政策发放名单（钱是否到账）", window.lang, place=place), window.scale,
                         name="policy-payments", primary=True, width_factor=4)
        top.clicked.connect(lambda: _policy_payments(window, record["id"]))
    parts = policy_parts(record, window.lang)
    basis = _held(window, record.get("basis_document_ids", []), "document")
    if basis:
        parts.append(_linked_part(window, tr("政策依据（{count}）", window.lang, count=len(basis)),
                                  [document_row(d, window.lang) for d in basis], [d["title"] for d in basis], "basis-documents"))
    _reading(window, record, "subsidy-policy", parts, top)


def _guide(window: MainWindow, record: Record) -> None:
    """A service guide with the subsidy policies it belongs with (the county's life-event mapping)."""
    parts = guide_parts(record, window.lang)
    policies = policies_for_guide(window.terminal.store, window.terminal.scope(), record["id"])
    if policies:
        parts.append(_linked_part(window, tr("相关补贴政策（{count}）", window.lang, count=len(policies)),
                                  [policy_row(p, window.lang) for p in policies], [p["name"] for p in policies], "guide-policies"))
    _reading(window, record, "guide", parts)


def _policy_payments(window: MainWindow, policy_id: str) -> None:
    """This village's payment list, showing only the payments of one policy."""
    screen = _subsidy_screen(window, window.terminal.region)
    screen.show_payments()
    screen.show_policy(policy_id)
    window.push(screen)


def _life_event(window: MainWindow, record: Record) -> None:
    village = window.terminal.region
    gathered = contents(window.terminal.store, window.terminal.scope(), record, village)
    place = window.terminal.store.region_names().get(village, village)
    screen = LifeEventScreen(gathered, place, window.scale, window.lang, **_nav(window))
    screen.opened.connect(window.open_record)
    screen.payments_requested.connect(lambda policy_id: _policy_payments(window, policy_id))
    window.push(screen)


def _first_life_event(window: MainWindow) -> None:
    """The first entrance (for ``kiosk run --screen life-event`` and the audit)."""
    shown = entrances(window.terminal.store, window.terminal.scope())
    if shown:
        window.open_record(shown[0].record_id)


#: Which screen reads a record of each kind (list rows, search results, linked documents all open through it).
RECORDS: dict[str, RecordOpener] = {
    "document": _document,
    "subsidy_policy": _policy,
    "service_guide": _guide,
    "notice": _notice,
    "catalogue_domain": lambda w, r: _push_list(w, CatalogueItemsScreen(w.browser, r, w.scale, w.lang, **_nav(w))),
    "catalogue_item": _catalogue_item,
    "board": _board,
    "subsidy_payment": _payment,
    "life_event": _life_event,
}


# ---------------------------------------------------------------------- screens
def _subsidies(window: MainWindow, *, payments: bool) -> None:
    screen = _subsidy_screen(window, window.terminal.region)
    if payments:
        screen.show_payments()
    window.push(screen)


def _search(window: MainWindow) -> None:
    screen = SearchScreen(window.terminal.search, window.vocabulary(), window.browser.hot_searches(), window.scale, window.lang,
                          limit=window.terminal.settings["search.result_limit"], portrait=window.height() > window.width(),
                          on_zero_result=lambda query: record_zero_result(window.terminal, query), **_nav(window))
    screen.results.set_empty_text("")  # the search screen says itself why nothing was found and what to try
    screen.opened.connect(window.open_record)
    window.push(screen)


def _sample(name: str, kind: str) -> ScreenOpener:
    def open_sample(window: MainWindow) -> None:
        record_id = window.browser.sample(kind, with_attachments=name == "attachments")
        if record_id:
            window.open_record(record_id)
        if name == "attachments" and window.history:
            window.history[-1].show_part(len(window.history[-1].parts) - 1)  # type: ignore[attr-defined]

    return open_sample


#: What each screen name opens: the home tiles and ``kiosk run --screen`` go through this table.
SCREENS: dict[str, ScreenOpener] = {
    "home": lambda w: w.go_home(),
    "catalogue": lambda w: _push_list(w, CatalogueScreen(w.browser, w.scale, w.lang, **_nav(w))),
    "documents": lambda w: _push_list(w, DocumentListScreen(w.browser, w.scale, w.lang, **_nav(w))),
    "interpretations": lambda w: _push_list(w, DocumentListScreen(w.browser, w.scale, w.lang, interpreted_only=True, **_nav(w))),
    "subsidies": lambda w: _subsidies(w, payments=False),
    "payments": lambda w: _subsidies(w, payments=True),
    "boards": lambda w: w.push(_board_screen(w, w.terminal.region)),
    "guides": lambda w: _push_list(w, GuideListScreen(w.browser, w.scale, w.lang, **_nav(w))),
    "notices": lambda w: _push_list(w, NoticeListScreen(w.browser, w.terminal.clock, w.scale, w.lang, **_nav(w))),
    "search": _search,
    "life-event": _first_life_event,
    "staff-pin": open_pin_pad,  # what the 5-second press on the terminal name opens (ui/staff.py)
    "staff": open_panel,  # the panel behind the PIN, for `kiosk run --screenshot --screen staff` and the audit
    "staff-settings": open_settings,
    **{name: _sample(name, kind) for name, kind in SAMPLE_RECORDS.items()},
}
