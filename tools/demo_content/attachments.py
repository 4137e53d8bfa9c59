"""Demo attachments: a two-page PDF form and a PNG flow chart for a few documents, drawn with Qt.

Pages are drawn with Qt (the system CJK font) and the PDF is assembled with pypdfium2. PDFium
writes a random /ID into every file, so existing files are kept and reused: the committed demo
blobs, and the sha256 in the records, stay the same from one run to the next. Which documents get
attachments, the manifest and its reuse are ``kiosk/demo/county.py``'s (the terminal reuses the
checked-in files without Qt); only the drawing is here.
"""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from typing import Any

from kiosk.demo import county

Record = dict[str, Any]
PAGE_PX = (1240, 1754)  # A4 at 150 dpi


def _qt() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    if QGuiApplication.instance() is None:
        QGuiApplication([])
        from ui.fonts import install_cjk_font

        install_cjk_font(QGuiApplication.instance())


def _page(title: str, lines: list[str], boxes: int = 0) -> bytes:
    """One page as a JPEG: a heading, lines of text, and empty boxes to fill in."""
    from PySide6.QtCore import QBuffer, QByteArray, QRect, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

    image = QImage(*PAGE_PX, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(48)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(QColor("#1A1A1A"))
    painter.drawText(QRect(0, 120, PAGE_PX[0], 80), Qt.AlignmentFlag.AlignCenter, title)
    font.setPixelSize(30)
    font.setBold(False)
    painter.setFont(font)
    y = 260
    for line in lines:
        painter.drawText(QRect(120, y, PAGE_PX[0] - 240, 50), int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), line)
        y += 64
    painter.setPen(QPen(QColor("#1A1A1A"), 3))
    for index in range(boxes):
        painter.drawRect(120, y + 20 + index * 110, PAGE_PX[0] - 240, 90)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "JPEG", 85)
    return bytes(data)


def _pdf(pages: list[bytes]) -> bytes:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    width, height = 595, 842
    for jpeg in pages:
        page = pdf.new_page(width, height)
        image = pdfium.PdfImage.new(pdf)
        image.load_jpeg(io.BytesIO(jpeg), inline=True)
        image.set_matrix(pdfium.PdfMatrix().scale(width, height))
        page.insert_obj(image)
        page.gen_content()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _flow_chart(steps: list[str]) -> bytes:
    """A PNG of the steps as boxes joined by arrows, the way halls print them on the wall."""
    from PySide6.QtCore import QBuffer, QByteArray, QRect, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen

    width, box_h, gap = 900, 110, 60
    image = QImage(width, 80 + len(steps) * (box_h + gap), QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    font = QFont()
    font.setPixelSize(34)
    painter.setFont(font)
    painter.setPen(QPen(QColor("#8E1B1B"), 4))
    for index, step in enumerate(steps):
        top = 40 + index * (box_h + gap)
        painter.drawRoundedRect(60, top, width - 120, box_h, 16, 16)
        painter.drawText(QRect(80, top, width - 160, box_h), Qt.AlignmentFlag.AlignCenter, step)
        if index + 1 < len(steps):
            painter.drawLine(width // 2, top + box_h, width // 2, top + box_h + gap - 8)
            painter.drawLine(width // 2 - 14, top + box_h + gap - 24, width // 2, top + box_h + gap - 8)
            painter.drawLine(width // 2 + 14, top + box_h + gap - 24, width // 2, top + box_h + gap - 8)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data)


def _store(blobs: Path, data: bytes) -> tuple[str, int]:
    sha = hashlib.sha256(data).hexdigest()
    target = blobs / "sha256" / sha[:2] / sha
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        target.write_bytes(data)
    return sha, len(data)


def attach(documents: list[Record], out: Path) -> None:
    """Give the first few current documents (by id) a PDF form and a PNG flow chart, in place.

    Files already in ``out/blobs`` (by the manifest) are reused; missing ones are drawn and added.
    """
    known = county.read_manifest(out)
    blobs = out / "blobs"
    for number, document in enumerate(county.attached_documents(documents), start=1):
        form_name, chart_name = county.attachment_names(number)
        if form_name not in known or chart_name not in known:
            _qt()
            title = document["title"][:24]
            pdf = _pdf([_page("申请表", [f"依据：{title}", "申请人姓名：", "身份证号码：", "联系电话：", "家庭住址："], boxes=4),
                        _page("申请表（续）", ["村（居）委会意见：", "乡镇（街道）审核意见：", "县级主管部门审批意见："], boxes=3)])
            png = _flow_chart(["申请人提出申请", "村（居）委会受理并公示", "乡镇（街道）审核", "县级部门审批", "资金发放到户"])
            for name, data, media_type in ((form_name, pdf, "application/pdf"), (chart_name, png, "image/png")):
                sha, size = _store(blobs, data)
                known[name] = {"name": name, "sha256": sha, "size": size, "media_type": media_type}
    county.attach(documents, known)
    blobs.mkdir(parents=True, exist_ok=True)
    lines = [f"{a['name']}|{a['sha256']}|{a['size']}|{a['media_type']}" for a in sorted(known.values(), key=lambda a: a["name"])]
    (blobs / county.MANIFEST).write_text("\n".join(lines) + "\n", encoding="utf-8")
