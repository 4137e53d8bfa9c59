"""Slips for the 80 mm and 58 mm receipt rolls: a query slip, a request receipt, a thank-you slip.

A slip is what a villager takes home instead of a stack of A4: the title, where to find the item
again, and a QR code to open it on a phone. Heights are measured from the content.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer

from kiosk.i18n import format_day, tr
from kiosk.labels import labelled
from printing.fonts import PrintFonts
from printing.layout import RECEIPT_SIZES, RULE, Styles, qr_block
from printing.pdf import RenderedPdf, receipt_pdf

QR_SIZE_MM = {80: 40, 58: 36}


@dataclass(frozen=True)
class SlipHeader:
    terminal_name: str
    printed_at: str  # 2026-11-21 10:32
    lang: str = "zh_CN"  # the language of the screen that asked for the slip: our words on it follow that screen


@dataclass(frozen=True)
class QuerySlip:
    title: str
    where: str  # 本机：政策文件 → 标题
    detail_lines: tuple[str, ...] = ()  # e.g. 发文字号, 有效性
    qr_url: str | None = None


@dataclass(frozen=True)
class RequestReceipt:
    """依申请公开 receipt: the tracking number and the date an answer is due by law."""

    tracking_number: str
    subject: str
    submitted_at: str
    deadline: str  # 答复期限, e.g. 2026-12-19 (20 working days, 条例第三十三条)
    contact: str = ""
    qr_url: str | None = None


@dataclass(frozen=True)
class ThanksSlip:
    rating: int  # 1..5
    topic: str


def _frame(styles: Styles, header: SlipHeader, heading: str, body: list[Flowable], printable: float) -> list[Flowable]:
    return [
        styles.para(heading, styles.title),
        styles.para(header.terminal_name, styles.meta),
        HRFlowable(width="100%", thickness=0.8, color=RULE, spaceBefore=2 * mm, spaceAfter=2 * mm),
        *body,
        HRFlowable(width="100%", thickness=0.8, color=RULE, spaceBefore=2 * mm, spaceAfter=1 * mm),
        styles.para(tr("打印于 {when}", header.lang, when=header.printed_at), styles.small),
    ]


def _qr(styles: Styles, url: str | None, width_mm: int, caption: str) -> list[Flowable]:
    return [Spacer(1, 2 * mm), qr_block(styles, url, QR_SIZE_MM[width_mm] * mm, caption)] if url else []


def query_slip(fonts: PrintFonts, header: SlipHeader, slip: QuerySlip, width_mm: int) -> RenderedPdf:
    def build(printable: float) -> list[Flowable]:
        styles = Styles(fonts, RECEIPT_SIZES[width_mm])
        lang = header.lang
        body = [styles.para(slip.title, styles.heading), *[styles.para(line, styles.plain) for line in slip.detail_lines],
                styles.para(labelled("查找位置", slip.where, lang), styles.plain),
                *_qr(styles, slip.qr_url, width_mm, tr("手机扫码，带走这份信息", lang))]
        return _frame(styles, header, tr("信息查询凭条", lang), body, printable)

    return receipt_pdf(fonts, build, width_mm=width_mm, title=slip.title)


def request_receipt(fonts: PrintFonts, header: SlipHeader, receipt: RequestReceipt, width_mm: int) -> RenderedPdf:
    def build(printable: float) -> list[Flowable]:
        styles = Styles(fonts, RECEIPT_SIZES[width_mm])
        lang = header.lang
        body = [
            styles.para(tr("受理编号", lang), styles.small),
            styles.para(receipt.tracking_number, styles.big),
            styles.para(labelled("申请内容", receipt.subject, lang), styles.plain),
            styles.para(labelled("提交时间", receipt.submitted_at, lang), styles.plain),
            styles.para(tr("答复期限：{deadline} 前", lang, deadline=format_day(receipt.deadline, lang)), styles.plain),
            styles.para(tr("依据《中华人民共和国政府信息公开条例》第三十三条，行政机关自收到申请之日起20个工作日内予以答复。", lang), styles.small),
            *([styles.para(labelled("联系电话", receipt.contact, lang), styles.plain)] if receipt.contact else []),
            *_qr(styles, receipt.qr_url, width_mm, tr("手机扫码查询办理进度", lang)),
            styles.para(tr("请妥善保管本回执，凭受理编号查询。", lang), styles.small),
        ]
        return _frame(styles, header, tr("政府信息公开申请回执", lang), body, printable)

    return receipt_pdf(fonts, build, width_mm=width_mm, title=tr("申请回执 {number}", header.lang, number=receipt.tracking_number))


def thanks_slip(fonts: PrintFonts, header: SlipHeader, slip: ThanksSlip, width_mm: int) -> RenderedPdf:
    def build(printable: float) -> list[Flowable]:
        styles = Styles(fonts, RECEIPT_SIZES[width_mm])
        stars = "★" * slip.rating + "☆" * (5 - slip.rating)
        lang = header.lang
        body = [styles.para(tr("感谢您的评价！", lang), styles.heading), styles.para(stars, styles.big),
                styles.para(labelled("评价内容", slip.topic, lang), styles.plain),
                styles.para(tr("您的意见将转交有关部门，帮助我们改进服务。", lang), styles.plain)]
        return _frame(styles, header, tr("服务评价", lang), body, printable)

    return receipt_pdf(fonts, build, width_mm=width_mm, title=tr("服务评价", header.lang))
