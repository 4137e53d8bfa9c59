"""Printing through Qt's QPrinter: the backend for Windows terminals, where there is no CUPS.

Each PDF page is rendered by PDFium at 300 dpi (1200 dpi A4 would be a 0.5 GB image) on a white
fill — a transparent background prints QR codes that phones cannot read — and painted onto the
page edge to edge. With ``output_file`` the same path writes a PDF, which is how it is tested.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2
from PySide6.QtCore import QMarginsF, QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from kiosk.i18n import N_
from printing.backend import JobResult, Media, PrinterError, PrinterStatus

UNAVAILABLE_ZH = N_("打印机暂时无法使用，请联系工作人员")
UNAVAILABLE_EN = "The printer is not available; please ask staff."


class QtBackend:
    name = "qt"

    def __init__(self, printer_name: str = "", *, dpi: int = 300, output_file: Path | None = None) -> None:
        self.printer_name = printer_name
        self.dpi = min(dpi, 300)
        self.output_file = output_file

    def status(self) -> PrinterStatus:
        if self.output_file is not None:
            return PrinterStatus(True)
        info = QPrinterInfo.printerInfo(self.printer_name) if self.printer_name else QPrinterInfo.defaultPrinter()
        if info.isNull():
            return PrinterStatus(False, ("offline",), UNAVAILABLE_ZH, UNAVAILABLE_EN, f"qt backend: no printer named {self.printer_name!r}")
        if info.state() == QPrinter.PrinterState.Error:
            return PrinterStatus(False, ("stopped",), UNAVAILABLE_ZH, UNAVAILABLE_EN, f"qt backend: printer {info.printerName()!r} reports an error")
        return PrinterStatus(True)

    def _printer(self, media: Media, landscape: bool, title: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        if self.output_file is not None:
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(self.output_file))
        elif self.printer_name:
            printer.setPrinterName(self.printer_name)
        printer.setResolution(self.dpi)
        printer.setDocName(title)
        printer.setFullPage(True)
        size = QPageSize(QPageSize.PageSizeId.A4) if media.name == "A4" else QPageSize(
            QSizeF(media.width_mm, media.height_mm), QPageSize.Unit.Millimeter, "", QPageSize.SizeMatchPolicy.ExactMatch)
        orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        printer.setPageLayout(QPageLayout(size, orientation, QMarginsF(0, 0, 0, 0)))
        return printer

    def print_pdf(self, pdf: Path, media: Media, title: str, timeout_s: float) -> JobResult:
        status = self.status()
        if not status.ready:
            raise PrinterError(status)
        document = pypdfium2.PdfDocument(str(pdf))
        try:
            first = document[0]
            width, height = first.get_size()
            printer = self._printer(media, width > height and media.name == "A4", title)
            painter = QPainter()
            if not painter.begin(printer):
                raise PrinterError(PrinterStatus(False, ("offline",), UNAVAILABLE_ZH, UNAVAILABLE_EN,
                                                 f"qt backend: cannot start a job on {self.printer_name or self.output_file}"))
            try:
                for index in range(len(document)):
                    if index:
                        printer.newPage()
                    bitmap = document[index].render(scale=self.dpi / 72, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
                    image = QImage(bitmap.tobytes("raw", "RGB"), bitmap.width, bitmap.height, 3 * bitmap.width, QImage.Format.Format_RGB888)
                    painter.drawImage(QRectF(painter.viewport()), image)
            finally:
                painter.end()
        finally:
            document.close()
        return JobResult(True, job_id=title, state="completed", detail=str(self.output_file or self.printer_name))
