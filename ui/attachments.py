"""Attachments shown on screen: PDF pages rendered with PDFium, images scaled to the width.

Nothing opens an outside viewer. Pages render when the 附件 tab is first shown, at the width of
the screen; a missing or damaged file says so in words instead of failing.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from kiosk.blobs import BlobStore
from kiosk.i18n import tr
from ui import theme
from ui.widgets import TouchScroll, plain_label

log = logging.getLogger(__name__)
PDFIUM_FORMATS = {1: QImage.Format.Format_Grayscale8, 2: QImage.Format.Format_BGR888, 3: QImage.Format.Format_RGB32, 4: QImage.Format.Format_ARGB32}
MAX_PAGES = 30  # longer files are summarised: a kiosk, not an archive
MAX_PAGE_WIDTH_PX = 1200  # wider than this, an A4 page shows only a few lines per screen


def render_pdf(source: str | bytes, width_px: int, max_pages: int = MAX_PAGES) -> tuple[list[QImage], int]:
    """Pages of a PDF (a path, or the bytes of one) as images ``width_px`` wide on white, and how many pages it has."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(source)
    try:
        images = []
        for index in range(min(len(pdf), max_pages)):
            page = pdf[index]
            bitmap = page.render(scale=width_px / page.get_width())
            layout = PDFIUM_FORMATS[bitmap.format]  # PDFium picks gray, BGR or BGRx/BGRA per page
            images.append(QImage(bytes(bitmap.buffer), bitmap.width, bitmap.height, bitmap.stride, layout).copy())
            page.close()
        return images, len(pdf)
    finally:
        pdf.close()


class AttachmentView(QScrollArea):
    """Every attachment of a record in one scrolling column: its name, then its pages."""

    def __init__(self, attachments: list[dict[str, Any]], blobs: BlobStore, scale: theme.Scale, lang: str) -> None:
        super().__init__()
        self.setObjectName("attachments")
        self.attachments = attachments
        self.blobs = blobs
        self.scale = scale
        self.lang = lang
        self.rendered = False
        self.column = QWidget()
        self.column.setObjectName("attachment-column")
        self.column.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # touches reach the viewport, which scrolls
        self.column.setStyleSheet(f"QWidget#attachment-column {{ background: {theme.PAPER}; }}")
        self.layout_ = QVBoxLayout(self.column)
        self.layout_.setSpacing(scale.spacing_px)
        self.setWidget(self.column)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._touch = TouchScroll(self.viewport(), slop_px=scale.min_touch_px // 4)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.rendered:
            self.rendered = True
            self.render_all()

    def _label(self, text: str, *, heading: bool = False) -> QLabel:
        label = plain_label(text)
        label.setWordWrap(True)
        size = self.scale.title_px if heading else self.scale.body_px
        label.setStyleSheet(f"color: {theme.INK}; font-size: {size}px;{' font-weight: bold;' if heading else ''}")
        self.layout_.addWidget(label)
        return label

    def render_all(self) -> None:
        width = min(max(self.viewport().width() - 3 * self.scale.spacing_px, 400), MAX_PAGE_WIDTH_PX)
        for attachment in self.attachments:
            self._label(attachment["name"], heading=True).setObjectName("attachment-name")
            path = self.blobs.path(attachment["sha256"])
            if not self.blobs.has(attachment["sha256"], attachment["size"]):
                self._label(tr("该附件尚未下载到本机，请联系工作人员", self.lang)).setObjectName("attachment-missing")
                continue
            try:
                if attachment["media_type"] == "application/pdf":
                    images, total = render_pdf(str(path), width)
                else:
                    image = QImage(str(path))
                    if image.isNull():
                        raise ValueError("not a readable image")
                    images, total = [image.scaledToWidth(min(width, image.width() * 2), Qt.TransformationMode.SmoothTransformation)], 1
            except Exception as exc:  # a damaged file must not take the screen down
                log.warning("attachment %s (%s) cannot be shown: %s", attachment["name"], attachment["sha256"], exc)
                self._label(tr("该附件无法显示，请联系工作人员", self.lang)).setObjectName("attachment-broken")
                continue
            for number, image in enumerate(images, start=1):
                page = plain_label()
                page.setObjectName("attachment-page")
                page.setPixmap(QPixmap.fromImage(image))
                page.setMinimumHeight(image.height() + 4)  # a label with a picture would otherwise be squeezed by the column
                page.setAlignment(Qt.AlignmentFlag.AlignHCenter)
                page.setStyleSheet(f"border: 2px solid {theme.MUTED};" if attachment["media_type"] == "application/pdf" else "")
                self.layout_.addWidget(page)
                if total > 1:
                    self._label(tr("第 {number} / {total} 页", self.lang, number=number, total=total)).setAlignment(Qt.AlignmentFlag.AlignHCenter)
            if total > len(images):
                self._label(tr("共 {total} 页，此处显示前 {shown} 页", self.lang, total=total, shown=len(images)))
        self.layout_.addStretch(1)
        self.layout_.activate()  # lay the pages out now, not on a later pass, so nothing is painted on top of each other
        self.column.adjustSize()
