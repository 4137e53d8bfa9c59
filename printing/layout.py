"""Paragraph styles, tables and the QR block shared by every printed page and receipt.

Sizes are chosen for elderly readers: A4 body text is 14 pt (四号), receipts never go below
9 pt even on a 58 mm roll. Everything is drawn with the embedded fonts of :mod:`printing.fonts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Table, TableStyle

from kiosk.share import qr_matrix
from printing import reportlab_fixes
from printing.fonts import PrintFonts

reportlab_fixes.apply()

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#4A4F55")
RULE = colors.HexColor("#9AA0A6")
MARK_RED = colors.HexColor("#B3261E")
HEAD_FILL = colors.HexColor("#E8EEF5")


@dataclass(frozen=True)
class Sizes:
    title: float
    heading: float
    body: float
    small: float
    table: float


A4_SIZES = Sizes(title=20, heading=15, body=14, small=10.5, table=11)
RECEIPT_SIZES = {80: Sizes(title=13, heading=11, body=10.5, small=9, table=9.5), 58: Sizes(title=11.5, heading=10, body=9.5, small=9, table=9)}


class Styles:
    """The paragraph styles of one page kind, all in the embedded font with CJK line breaking."""

    def __init__(self, fonts: PrintFonts, sizes: Sizes) -> None:
        self.fonts = fonts
        self.sizes = sizes
        font = fonts.name

        def style(name: str, size: float, **extra: object) -> ParagraphStyle:
            options: dict[str, object] = {"textColor": INK, "leading": round(size * 1.45, 1), **extra}
            return ParagraphStyle(name, fontName=font, fontSize=size, wordWrap="CJK", **options)

        self.title = style("title", sizes.title, alignment=TA_CENTER, spaceAfter=sizes.title * 0.5)
        # keepWithNext: a heading goes to the next page with its first paragraph, never left alone at a page's foot
        # or cut in half across the break
        self.heading = style("heading", sizes.heading, spaceBefore=sizes.heading * 0.8, spaceAfter=sizes.heading * 0.3, keepWithNext=1)
        # above a long table keepWithNext would carry the whole table to the next page: table_heading instead, after a
        # CondPageBreak that leaves room for the heading and the table's first rows
        self.table_heading = style("table_heading", sizes.heading, spaceBefore=sizes.heading * 0.8, spaceAfter=sizes.heading * 0.3)
        self.body = style("body", sizes.body, firstLineIndent=2 * sizes.body, spaceAfter=sizes.body * 0.35)
        self.plain = style("plain", sizes.body, spaceAfter=sizes.body * 0.25)
        self.meta = style("meta", sizes.small, textColor=MUTED, alignment=TA_CENTER)
        self.small = style("small", sizes.small, textColor=MUTED)
        self.cell = style("cell", sizes.table)
        self.cell_right = style("cell_right", sizes.table, alignment=TA_RIGHT)
        self.cell_head = style("cell_head", sizes.table, alignment=TA_CENTER)
        self.qr_caption = style("qr_caption", sizes.small, textColor=MUTED, alignment=TA_CENTER)
        self.mark = style("mark", sizes.heading, textColor=MARK_RED, alignment=TA_CENTER)
        self.big = style("big", sizes.title * 1.3, alignment=TA_CENTER, leading=round(sizes.title * 1.8, 1))

    def para(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """A paragraph of plain text (escaped, rare characters in a fallback font)."""
        return Paragraph(self.fonts.markup(text), style or self.body)

    def paras(self, text: str, style: ParagraphStyle | None = None) -> list[Paragraph]:
        """One paragraph per non-empty line: record bodies separate paragraphs with newlines."""
        return [self.para(line.strip(), style) for line in text.splitlines() if line.strip()]

    def table(self, data: list[list[Any]], widths: list[float], commands: list[tuple[Any, ...]], **options: Any) -> Table:
        """A Table in the embedded font: its default (Helvetica, unembedded) would otherwise be referenced."""
        table = Table(data, colWidths=widths, **{"hAlign": "LEFT", **options})
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), self.fonts.name), *commands]))
        return table

    def fields(self, pairs: list[tuple[str, str]], width: float, label_share: float = 0.24) -> Table:
        """A two-column label/value table for the header block of a page."""
        rows = [[self.para(label, self.cell), self.para(value, self.cell)] for label, value in pairs if value]
        return self.table(rows, [width * label_share, width * (1 - label_share)], [
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BACKGROUND", (0, 0), (0, -1), HEAD_FILL),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ])

    def grid(self, header: list[str], rows: list[list[str]], widths: list[float], numeric: set[int], *,
             total_rows: int = 0) -> Table:
        """A data table whose header repeats on every page; ``numeric`` columns align right."""

        def cell(text: str, column: int) -> Paragraph:
            return self.para(text, self.cell_right if column in numeric else self.cell)

        data = [[self.para(text, self.cell_head) for text in header]]
        data += [[cell(text, column) for column, text in enumerate(row)] for row in rows]
        style: list[tuple[Any, ...]] = [
            ("GRID", (0, 0), (-1, -1), 0.5, RULE),
            ("BACKGROUND", (0, 0), (-1, 0), HEAD_FILL),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        if total_rows:
            style.append(("BACKGROUND", (0, len(data) - total_rows), (-1, -1), HEAD_FILL))
        return self.table(data, widths, style, repeatRows=1)


class QrCode(Flowable):
    """A QR code drawn as filled squares with a four-module quiet zone; ``size`` in points.

    Drawn straight on the canvas: a reportlab ``Drawing`` would reference an unembedded
    Helvetica, and every font in our PDFs must be embedded.
    """

    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        self.url = url
        self.matrix = qr_matrix(url)
        self.width = self.height = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        unit = self.width / (len(self.matrix) + 8)
        canvas = self.canv
        canvas.setFillColor(colors.white)
        canvas.rect(0, 0, self.width, self.height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        for row_index, row in enumerate(self.matrix):
            y = self.height - (row_index + 5) * unit
            column = 0
            while column < len(row):  # one rectangle per run of dark modules keeps the PDF small
                if not row[column]:
                    column += 1
                    continue
                run_end = column
                while run_end < len(row) and row[run_end]:
                    run_end += 1
                canvas.rect((column + 4) * unit, y, (run_end - column) * unit, unit, stroke=0, fill=1)
                column = run_end


def qr_block(styles: Styles, url: str, size: float, caption: str) -> Table:
    """The QR code with a line under it saying what it is, as one unsplittable block."""
    return styles.table([[QrCode(url, size)], [styles.para(caption, styles.qr_caption)]], [max(size, 30 * mm)],
                        [("ALIGN", (0, 0), (-1, -1), "CENTER"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                         ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)], hAlign="CENTER")


class Stamp(Flowable):
    """A red boxed mark such as 已废止, drawn so it cannot be missed on a printed page."""

    def __init__(self, styles: Styles, text: str) -> None:
        super().__init__()
        self.text = text
        self.font = styles.fonts.name
        self.size = styles.sizes.heading * 1.4
        self.width = stringWidth(text, self.font, self.size) + self.size * 1.2  # measured: 已废止 and "Repealed" differ in width
        self.height = self.size * 1.6

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.available = available_width
        return available_width, self.height + 4

    def draw(self) -> None:
        left = (self.available - self.width) / 2
        self.canv.setStrokeColor(MARK_RED)
        self.canv.setFillColor(MARK_RED)
        self.canv.setLineWidth(2)
        self.canv.rect(left, 2, self.width, self.height, stroke=1, fill=0)
        self.canv.setFont(self.font, self.size)
        self.canv.drawCentredString(left + self.width / 2, 2 + self.height * 0.3, self.text)
