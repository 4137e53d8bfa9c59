"""Turn a list of flowables into PDF bytes: A4 pages with a numbered footer, or a receipt whose
height is measured from its content.

The footer says "第 x / y 页", so pages are kept until the end and numbered once the total is
known (reportlab's two-pass canvas recipe). Every page is drawn in the embedded fonts: the
canvas starts in the CJK font, so no unembedded Helvetica is ever referenced.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.pagesizes import A4 as A4_POINTS
from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, PageTemplate
from reportlab.platypus.doctemplate import BaseDocTemplate

from kiosk.i18n import tr
from printing.backend import A4, Media
from printing.fonts import PrintFonts
from printing.layout import MARK_RED, MUTED, RULE

A4_MARGIN = 18 * mm
FOOTER_HEIGHT = 12 * mm
RECEIPT_PRINTABLE_MM = {80: 72.0, 58: 48.0}


@dataclass(frozen=True)
class RenderedPdf:
    """A finished PDF, with what the print queue and the preview need to know about it."""

    data: bytes
    pages: int
    media: Media
    title: str
    landscape: bool = False


@dataclass(frozen=True)
class Footer:
    left: str  # terminal name
    right: str  # 打印于 … · 内容截至 …
    lang: str = "zh_CN"  # for 第 x / y 页
    mark: str = ""  # 已废止 / 已失效: repeated at the top of every page after the first (the first has the stamp)


def _fit(text: str, font: str, size: float, room: float) -> str:
    """``text`` shortened with an ellipsis so it fits ``room`` points (a long terminal name in the footer)."""
    if stringWidth(text, font, size) <= room:
        return text
    while text and stringWidth(text + "…", font, size) > room:
        text = text[:-1]
    return text + "…"


def _numbering_canvas(fonts: PrintFonts, footer: Footer, page_size: tuple[float, float], pages_out: list[int]) -> type[Canvas]:
    def draw_footer(canvas: Canvas, number: int, total: int) -> None:
        width, _height = page_size
        y = A4_MARGIN - FOOTER_HEIGHT + 2 * mm
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(A4_MARGIN, y + 5 * mm, width - A4_MARGIN, y + 5 * mm)
        canvas.setFillColor(MUTED)
        canvas.setFont(fonts.name, 9)
        centre = tr("第 {number} / {total} 页", footer.lang, number=number, total=total)
        room = width / 2 - stringWidth(centre, fonts.name, 9) / 2 - A4_MARGIN - 4 * mm
        canvas.drawString(A4_MARGIN, y, _fit(footer.left, fonts.name, 9, room))
        canvas.drawCentredString(width / 2, y, centre)
        canvas.drawRightString(width - A4_MARGIN, y, footer.right)
        if footer.mark and number > 1:  # a page read on its own still says the rule is no longer in force
            canvas.setFillColor(MARK_RED)
            canvas.setFont(fonts.name, 14)
            canvas.drawRightString(width - A4_MARGIN, page_size[1] - A4_MARGIN + 3 * mm, footer.mark)
        canvas.restoreState()

    class NumberingCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._kept: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._kept.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._kept)
            for state in self._kept:
                self.__dict__.update(state)
                draw_footer(self, self._pageNumber, total)
                super().showPage()
            pages_out.append(total)
            super().save()

    return NumberingCanvas


def a4_pdf(fonts: PrintFonts, story: Sequence[Flowable], *, title: str, footer: Footer, wide: bool = False) -> RenderedPdf:
    """A4 pages (landscape when ``wide``), margins 18 mm, the footer on every page."""
    page_size = landscape(A4_POINTS) if wide else A4_POINTS
    buffer = io.BytesIO()
    pages: list[int] = []
    document = BaseDocTemplate(buffer, pagesize=page_size, title=title, author=footer.left, creator="disclosure-kiosk",
                               leftMargin=A4_MARGIN, rightMargin=A4_MARGIN, topMargin=A4_MARGIN, bottomMargin=A4_MARGIN,
                               initialFontName=fonts.name, initialFontSize=10)
    frame = Frame(A4_MARGIN, A4_MARGIN + FOOTER_HEIGHT - 6 * mm, page_size[0] - 2 * A4_MARGIN,
                  page_size[1] - 2 * A4_MARGIN - FOOTER_HEIGHT + 6 * mm, id="body")
    document.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    document.build(list(story), canvasmaker=_numbering_canvas(fonts, footer, page_size, pages))
    return RenderedPdf(buffer.getvalue(), pages[-1], A4, title, landscape=wide)


def content_width(wide: bool = False) -> float:
    """Usable width of an A4 page in points (what tables are sized against)."""
    return (landscape(A4_POINTS) if wide else A4_POINTS)[0] - 2 * A4_MARGIN - 12  # Frame padding 6 pt each side


def receipt_pdf(fonts: PrintFonts, build: Callable[[float], list[Flowable]], *, width_mm: int, title: str) -> RenderedPdf:
    """One receipt page exactly as tall as its content: no blank paper fed, nothing cut off.

    ``build`` gets the printable width in points and returns the flowables, which are measured
    at that width; the page is the roll width by the measured height plus a small margin.
    """
    printable = RECEIPT_PRINTABLE_MM[width_mm] * mm
    side = (width_mm * mm - printable) / 2
    story = build(printable)
    height = sum(flowable.wrap(printable, 10_000)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter() for flowable in story)
    margin = 4 * mm
    page_height = height + 2 * margin + 6 * mm  # a little room to tear the paper off
    height_mm = round(page_height / mm + 0.5)
    page_size = (width_mm * mm, height_mm * mm)
    buffer = io.BytesIO()
    document = BaseDocTemplate(buffer, pagesize=page_size, title=title, creator="disclosure-kiosk",
                               leftMargin=side, rightMargin=side, topMargin=margin, bottomMargin=margin,
                               initialFontName=fonts.name, initialFontSize=9)
    frame = Frame(side, margin, printable, page_size[1] - 2 * margin, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate(id="receipt", frames=[frame])])
    document.build(build(printable))  # fresh flowables: wrapped ones keep state from the measuring pass
    return RenderedPdf(buffer.getvalue(), 1, Media(width_mm, height_mm), title)
