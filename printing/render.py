"""From "print this" to a finished PDF: looks the record up, picks its layout, adds the footer.

Used by the screens (through the print queue) and by ``kiosk print``; both get the same pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.browse import Browser, PaymentFilter
from kiosk.errors import ExitCode, KioskError
from kiosk.home import kind_section_name, section_name
from kiosk.i18n import format_day, format_moment, tr
from kiosk.labels import labelled, local_day, period_label, value_label
from kiosk.records.text import title_of
from kiosk.share import record_url
from kiosk.terminal import Terminal
from printing import stories
from printing.fonts import PrintFonts, load_fonts
from printing.layout import A4_SIZES, Styles
from printing.pdf import Footer, RenderedPdf, a4_pdf
from printing.receipts import QuerySlip, SlipHeader, query_slip

PRINTABLE_KINDS = ("document", "board", "subsidy_policy", "service_guide", "notice", "catalogue_item")
MAX_LIST_ROWS = 20_000


class NothingToPrint(KioskError):
    """The record does not exist, is deleted, or is of a kind that has no printed form."""

    exit_code = ExitCode.NOT_FOUND


@dataclass(frozen=True)
class PrintContext:
    terminal: Terminal
    now: dt.datetime  # in the terminal's time zone
    lang: str = "zh_CN"  # our words on the paper follow the screen that asked; the record's text is printed as published

    @classmethod
    def of(cls, terminal: Terminal, now: dt.datetime | None = None, lang: str = "zh_CN") -> PrintContext:
        zone = ZoneInfo(terminal.settings["terminal.timezone"])
        moment = (now or terminal.clock()).astimezone(zone)
        return cls(terminal, moment, lang)

    @functools.cached_property
    def fonts(self) -> PrintFonts:
        """Loaded when something is drawn, not when a context is made: a screen asks one for its QR link only, and the
        parsed CJK font is ~30 MB of Python objects a kiosk that never prints should not carry (docs/BENCHMARKS.md).
        Raises :class:`NoPrintFont` then."""
        return load_fonts(self.terminal.settings["printing.font_path"])

    def data_date(self) -> str:
        """How current the content is: the day of the newest record's ``updated_at`` (store meta ``content_updated_at``) on
        the terminal's calendar, not the day this terminal imported it (``data_changed_at``, the fallback for a store
        written before that meta existed)."""
        stamp = self.terminal.store.meta("content_updated_at") or self.terminal.store.meta("data_changed_at")
        return local_day(stamp, self.now.tzinfo) or "—"

    def footer(self) -> Footer:
        updated = format_day(self.data_date(), self.lang)
        printed = format_moment(self.now, self.lang)
        return Footer(self.terminal.settings["terminal.name"], tr("打印于 {printed} · 内容截至 {updated}", self.lang, printed=printed, updated=updated),
                      self.lang)

    def slip_header(self) -> SlipHeader:
        return SlipHeader(self.terminal.settings["terminal.name"], format_moment(self.now, self.lang), self.lang)

    def url(self, record_id: str) -> str | None:
        return record_url(record_id, self.terminal.settings)


def _record(context: PrintContext, record_id: str) -> dict[str, Any]:
    record = context.terminal.store.get(record_id)
    if record is None or record.get("deleted"):
        raise NothingToPrint(f"no record {record_id!r} on this terminal")
    if record["kind"] not in PRINTABLE_KINDS:
        raise NothingToPrint(f"record {record_id!r} is a {record['kind']}, which has no printed form (printable: {', '.join(PRINTABLE_KINDS)})")
    if record["region"] not in context.terminal.scope():
        raise NothingToPrint(f"record {record_id!r} belongs to region {record['region']}, which this terminal does not show")
    return record


def render_record(context: PrintContext, record_id: str, *, with_interpretation: bool = False) -> RenderedPdf:
    """The A4 printout of one record."""
    record = _record(context, record_id)
    styles = Styles(context.fonts, A4_SIZES)
    url = context.url(record_id)
    kind, lang = record["kind"], context.lang
    if kind == "document":
        story = stories.document_story(styles, record, url, with_interpretation=with_interpretation, lang=lang)
    elif kind == "board":
        story = stories.board_story(styles, record, context.terminal.region_name(record["region"]), url, lang)
    elif kind == "subsidy_policy":
        story = stories.policy_story(styles, record, url, lang)
    elif kind == "service_guide":
        story = stories.guide_story(styles, record, url, lang)
    elif kind == "notice":
        story = stories.notice_story(styles, record, url, lang)
    else:
        domain = context.terminal.store.get(record["domain_id"]) or {}
        story = stories.catalogue_story(styles, record, domain.get("name", ""), url, lang)
    footer = context.footer()
    if kind == "document" and record["validity"] != "现行有效":
        footer = dataclasses.replace(footer, mark=value_label(record["validity"], lang))
    return a4_pdf(context.fonts, story.flowables, title=story.title, footer=footer, wide=story.wide)


def render_payments(context: PrintContext, village: str, filters: PaymentFilter | None = None) -> RenderedPdf:
    """A village's payment list as the screen shows it (same filters), masked names, with the total."""
    filters = filters or PaymentFilter()
    browser = Browser(context.terminal.store, context.terminal.scope())
    page = browser.payments(village, filters, limit=MAX_LIST_ROWS)
    lang = context.lang
    policy_name = next((name for pid, name, _count in browser.payment_policies(village) if pid == filters.policy_id),
                       section_name("subsidies", lang))
    place = context.terminal.region_name(village)
    if filters.year:
        title = tr("{place}{year}年{policy}发放名单", lang, place=place, year=filters.year, policy=policy_name)
    else:
        title = tr("{place}{policy}发放名单", lang, place=place, policy=policy_name)
    if filters.name:
        title += tr("（姓名含“{name}”）", lang, name=filters.name)
    if filters.surname:
        title += tr("（姓“{surname}”）", lang, surname=filters.surname)
    styles = Styles(context.fonts, A4_SIZES)
    story = stories.payments_story(styles, title, page.rows, page.total, page.extra["totals"], None, lang)
    return a4_pdf(context.fonts, story.flowables, title=title, footer=context.footer(), wide=True)


def where_to_find(record: dict[str, Any], lang: str = "zh_CN") -> str:
    section = kind_section_name(record["kind"], lang)
    if record["kind"] == "board":
        return tr("本机“{section}” → {period}", lang, section=section, period=period_label(record["period"], lang))
    return tr("本机“{section}”，或在“{search}”中输入标题首字母", lang, section=section, search=section_name("search", lang))


def render_query_slip(context: PrintContext, record_id: str, width_mm: int) -> RenderedPdf:
    """The receipt-roll slip of a record: title, where to find it again, QR code."""
    record = _record(context, record_id)
    lang = context.lang
    details: list[str] = []
    if record["kind"] == "document":
        details = [piece for piece in (record.get("doc_number", ""), f"{record['issuer']} {format_day(record['published_date'], lang)}",
                                       labelled("有效性", value_label(record["validity"], lang), lang)) if piece]
    elif record["kind"] == "service_guide":
        details = [labelled("办理地点", record["place"], lang), labelled("咨询电话", record["phone"], lang)]
    elif record["kind"] == "subsidy_policy":
        details = [labelled("主管部门", record["department"], lang), labelled("咨询电话", record["phone"], lang)]
    slip = QuerySlip(title_of(record), where_to_find(record, lang), tuple(details), context.url(record_id))
    return query_slip(context.fonts, context.slip_header(), slip, width_mm)


@dataclass(frozen=True)
class PrintSubject:
    """What a screen offers to print: one record, or a village's payment list under the screen's filters."""

    record_id: str = ""
    village: str = ""
    filters: PaymentFilter | None = None

    @property
    def is_list(self) -> bool:
        return not self.record_id

    @property
    def log_id(self) -> str:
        return self.record_id or f"payments:{self.village}"

    def has_interpretation(self, context: PrintContext) -> bool:
        record = context.terminal.store.get(self.record_id) if self.record_id else None
        return bool(record and record.get("interpretation"))

    def render(self, context: PrintContext, *, with_interpretation: bool = False) -> RenderedPdf:
        if self.is_list:
            return render_payments(context, self.village, self.filters)
        return render_record(context, self.record_id, with_interpretation=with_interpretation)

    def slip(self, context: PrintContext, width_mm: int) -> RenderedPdf:
        if self.is_list:
            raise NothingToPrint("a payment list has no receipt slip; print it on A4")
        return render_query_slip(context, self.record_id, width_mm)

    def qr_url(self, context: PrintContext) -> str | None:
        return None if self.is_list else context.url(self.record_id)
