"""打印 / 打印凭条 / 扫码带走 on the reading screens: preview, the print status, and the QR cover.

Nothing here blocks the screen: the PDF and its preview images are made on a thread, printing
runs on the print queue's worker, and both report back through Qt signals. A failure is always a
sentence a person can act on (打印机缺纸，请联系工作人员), never a hang or a silent nothing.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.share import qr_matrix
from kiosk.terminal import Terminal
from kiosk.usage import UsageLog
from printing.backend import PrinterStatus
from printing.backends import printer_for
from printing.fonts import NoPrintFont
from printing.pdf import RenderedPdf
from printing.render import NothingToPrint, PrintContext, PrintSubject
from printing.service import DONE, PrintOrder, PrintQueue, PrintUpdate
from ui import theme
from ui.attachments import render_pdf
from ui.chooser import Overlay
from ui.widgets import TouchScroll, big_button

log = logging.getLogger(__name__)
PREVIEW_PAGE_LIMIT = 40
DONE_CLOSES_AFTER_MS = 8000


@dataclass(frozen=True)
class Prepared:
    """A finished PDF and its page images, or the reason there is none."""

    token: int
    pdf: RenderedPdf | None
    images: list[QImage]
    error_zh: str = ""
    error_en: str = ""
    printer: PrinterStatus | None = None  # the printer's state while the preview was made


class PrintDesk(QObject):
    """One per window: the terminal's printers, the print queue and the thread that prepares previews."""

    updated = Signal(object)  # PrintUpdate, from the queue's worker thread
    prepared = Signal(object)  # Prepared, from a preview thread

    def __init__(self, terminal: Terminal, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        settings = terminal.settings
        self.usage = UsageLog(terminal.data_dir / "usage.sqlite")
        self.printers = {role: printer_for(settings, terminal.data_dir, role) for role in ("a4", "receipt")}
        self.queue = PrintQueue(settings, self.usage, self.printers, self.updated.emit, clock=terminal.clock)
        self._tokens = count(1)

    def can_print(self, layout: str) -> bool:
        return self.queue.available(layout)

    @property
    def receipt_width_mm(self) -> int:
        return int(self.terminal.settings["printing.receipt_width_mm"])

    def context(self) -> PrintContext:
        return PrintContext.of(self.terminal)

    def prepare(self, subject: PrintSubject, layout: str, *, with_interpretation: bool, image_width_px: int) -> int:
        """Make the PDF and its preview images on a thread; ``prepared`` carries them back."""
        token = next(self._tokens)

        def work() -> None:
            try:
                context = self.context()
                pdf = subject.slip(context, self.receipt_width_mm) if layout == "receipt" else subject.render(
                    context, with_interpretation=with_interpretation)
                images = page_images(pdf, image_width_px)
                printer = self.printers.get(layout)
                status = printer.status() if printer is not None else None
                if status is not None and not status.ready:
                    log.warning("printer not ready: %s", status.staff_alert)
                result = Prepared(token, pdf, images, printer=status)
            except NoPrintFont as error:
                log.error("printing unavailable: %s", error)
                result = Prepared(token, None, [], "本机暂时无法打印（缺少中文字体），请联系工作人员",
                                  "Printing is unavailable (no Chinese font); please ask staff.")
            except NothingToPrint as error:
                log.warning("nothing to print: %s", error)
                result = Prepared(token, None, [], "这项内容不能打印", "This item cannot be printed.")
            except Exception:
                log.exception("preparing a printout failed")
                result = Prepared(token, None, [], "生成打印内容时出错，请联系工作人员", "Could not prepare the printout; please ask staff.")
            with contextlib.suppress(RuntimeError):  # the window closed while the thread worked
                self.prepared.emit(result)

        threading.Thread(target=work, name=f"print-preview-{token}", daemon=True).start()
        return token

    def submit(self, pdf: RenderedPdf, subject: PrintSubject, layout: str) -> PrintUpdate:
        return self.queue.submit(PrintOrder(pdf, subject.log_id, layout))

    def reset_session(self) -> None:
        self.queue.reset_session()

    def close(self) -> None:
        self.queue.close()
        self.usage.close()


def page_images(pdf: RenderedPdf, width_px: int) -> list[QImage]:
    """The pages as images ``width_px`` wide on white (the first PREVIEW_PAGE_LIMIT of them)."""
    return render_pdf(pdf.data, width_px, PREVIEW_PAGE_LIMIT)[0]


def _label(text: str, px: int, *, bold: bool = False, name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    label.setStyleSheet(f"color: {theme.INK}; font-size: {px}px;{' font-weight: bold;' if bold else ''}")
    return label


class PrintPreview(Overlay):
    """打印预览: the pages as they will print, the page count, 打印 N 页 and 取消."""

    def __init__(self, parent: QWidget, desk: PrintDesk, subject: PrintSubject, layout: str, scale: theme.Scale, lang: str) -> None:
        super().__init__(parent, "print-preview", "rgba(0, 0, 0, 150)")
        self.desk, self.subject, self.layout_kind, self.scale, self.lang = desk, subject, layout, scale, lang
        self.pdf: RenderedPdf | None = None
        self.with_interpretation = False
        zh = lang != "en"
        inner = self.add_panel(scale, margin=scale.spacing_px * 2)
        inner.addWidget(_label("打印预览" if zh else "Print preview", scale.title_px, bold=True, name="preview-title"))
        self.info = _label("正在准备，请稍候……" if zh else "Preparing, please wait…", scale.body_px, name="preview-info")
        inner.addWidget(self.info)
        self.pages_host = QWidget()
        self.pages_host.setStyleSheet(f"background: {theme.PREVIEW_DESK};")
        self.pages_layout = QVBoxLayout(self.pages_host)
        self.pages_layout.setSpacing(scale.spacing_px)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        scroll = QScrollArea()
        scroll.setWidget(self.pages_host)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._touch = TouchScroll(scroll.viewport(), slop_px=scale.min_touch_px // 4)
        inner.addWidget(scroll, 1)
        buttons = QHBoxLayout()
        self.interpretation_toggle: QPushButton | None = None
        if layout == "a4" and subject.has_interpretation(desk.context()):
            toggle = big_button("同时打印政策解读" if zh else "Include the interpretation", scale, name="print-with-interpretation", width_factor=3.6)
            toggle.setCheckable(True)
            toggle.toggled.connect(self._toggle_interpretation)
            buttons.addWidget(toggle)
            self.interpretation_toggle = toggle
        buttons.addStretch(1)
        cancel = big_button("取消" if zh else "Cancel", scale, name="print-cancel")
        cancel.clicked.connect(self.close_overlay)
        buttons.addWidget(cancel)
        self.print_button = big_button("打印" if zh else "Print", scale, name="print-confirm", primary=True, width_factor=3)
        self.print_button.setEnabled(False)
        self.print_button.clicked.connect(self._print)
        buttons.addWidget(self.print_button)
        inner.addLayout(buttons)
        desk.prepared.connect(self._prepared)
        self.present()
        self._prepare()

    def _page_width(self) -> int:
        return max(320, int(self.width() * 0.5)) if self.layout_kind == "a4" else max(280, int(self.width() * 0.3))

    def _prepare(self) -> None:
        self.print_button.setEnabled(False)
        self._token = self.desk.prepare(self.subject, self.layout_kind, with_interpretation=self.with_interpretation,
                                        image_width_px=self._page_width())

    def _toggle_interpretation(self, checked: bool) -> None:
        self.with_interpretation = checked
        self.info.setText("正在准备，请稍候……" if self.lang != "en" else "Preparing, please wait…")
        self._prepare()

    def _prepared(self, result: Prepared) -> None:
        if result.token != self._token:
            return
        zh = self.lang != "en"
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if result.pdf is None:
            self.info.setText(result.error_zh if zh else result.error_en)
            return
        self.pdf = result.pdf
        pages = result.pdf.pages
        paper = "A4 纸" if self.layout_kind == "a4" else f"{result.pdf.media.width_mm:g} 毫米凭条"
        self.info.setText(f"共 {pages} 页（{paper}）。请看清内容后点“打印 {pages} 页”。" if zh else f"{pages} page(s). Check them, then tap Print.")
        for number, image in enumerate(result.images, 1):
            page = QLabel()
            page.setObjectName(f"preview-page-{number}")
            page.setPixmap(QPixmap.fromImage(image))
            page.setFixedSize(image.size())  # a page is never squeezed or cropped by the layout
            page.setAccessibleName(f"第 {number} 页" if zh else f"Page {number}")
            self.pages_layout.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pages_layout.activate()  # place the pages now, not on the next turn of the event loop
        self.print_button.setText(f"打印 {pages} 页" if zh else f"Print {pages} page(s)")
        self.print_button.setAccessibleName(self.print_button.text())
        if result.printer is not None and not result.printer.ready:  # out of paper now: say so before the tap
            self.info.setText(result.printer.message_zh if zh else result.printer.message_en)
            return
        per_job = self.desk.terminal.settings["printing.max_pages_per_job"]
        if pages > per_job:  # say it now rather than after the tap
            self.info.setText(f"这份材料共 {pages} 页，超过每次最多打印 {per_job} 页的限制。请联系工作人员打印，或扫码在手机上查看。" if zh
                              else f"{pages} pages; at most {per_job} can be printed at once. Please ask staff, or scan the QR code.")
            return
        self.print_button.setEnabled(True)

    def _print(self) -> None:
        if self.pdf is None:
            return
        pdf = self.pdf
        self.close_overlay()
        self.desk.submit(pdf, self.subject, self.layout_kind)

    def close_overlay(self) -> None:
        with contextlib.suppress(RuntimeError, TypeError):
            self.desk.prepared.disconnect(self._prepared)
        super().close_overlay()


class PrintStatus(Overlay):
    """正在打印 / 打印完成 / what went wrong, large, with 知道了; a finished print closes by itself."""

    def __init__(self, parent: QWidget, scale: theme.Scale, lang: str) -> None:
        super().__init__(parent, "print-status", "rgba(0, 0, 0, 150)")
        self.lang = lang
        inner = self.add_panel(scale, margin=scale.spacing_px * 4, centred=True)
        self.message = _label("", scale.title_px, bold=True, name="print-message")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setFixedWidth(min(parent.width() - scale.spacing_px * 12, scale.title_px * 22))
        inner.addWidget(self.message)
        self.ok = big_button("知道了" if lang != "en" else "OK", scale, name="print-ok", primary=True, width_factor=3)
        self.ok.clicked.connect(self.close_overlay)
        inner.addWidget(self.ok, 0, Qt.AlignmentFlag.AlignCenter)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.close_overlay)
        self.stage = ""
        self.present()

    def show_update(self, update: PrintUpdate) -> None:
        self.stage = update.stage
        self.message.setText(update.message(self.lang))
        self.message.setFixedHeight(self.message.heightForWidth(self.message.width()))  # the whole sentence, never clipped
        self.message.parentWidget().layout().activate()
        self.layout().activate()
        self.message.setAccessibleName(self.message.text())
        if update.stage == DONE:
            self._timer.start(DONE_CLOSES_AFTER_MS)
        else:
            self._timer.stop()


class QrView(QWidget):
    """A QR code drawn module by module on white, with the quiet zone phones need."""

    def __init__(self, url: str, side_px: int) -> None:
        super().__init__()
        self.setObjectName("qr-code")
        self.url = url
        self.matrix = qr_matrix(url)
        self.setFixedSize(QSize(side_px, side_px))
        self.setAccessibleName("二维码：" + url)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        modules = len(self.matrix) + 8
        unit = self.width() / modules
        for row_index, row in enumerate(self.matrix):
            for column, dark in enumerate(row):
                if dark:
                    painter.fillRect(QRectF((column + 4) * unit, (row_index + 4) * unit, unit + 0.5, unit + 0.5), QColor("black"))
        painter.end()


class QrCover(Overlay):
    """扫码带走: a QR code large enough to scan from 30 cm, and a line saying what it opens."""

    def __init__(self, parent: QWidget, url: str, title: str, scale: theme.Scale, lang: str) -> None:
        super().__init__(parent, "qr-cover", "rgba(0, 0, 0, 150)")
        zh = lang != "en"
        inner = self.add_panel(scale, margin=scale.spacing_px * 2, centred=True)
        heading = _label("用手机扫一扫，把这份信息带回家" if zh else "Scan with your phone to take this home", scale.title_px, bold=True,
                         name="qr-heading")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(heading)
        side = max(360, min(parent.width(), parent.height()) // 2)
        self.code = QrView(url, side)
        inner.addWidget(self.code, 0, Qt.AlignmentFlag.AlignCenter)
        what = _label(f"打开的是：{title}（网上原文）" if zh else f"Opens: {title} (online copy)", scale.body_px, name="qr-what")
        what.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(what)
        address = _label(url, scale.small_px, name="qr-url")
        address.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(address)
        close = big_button("关闭" if zh else "Close", scale, name="qr-close", primary=True)
        close.clicked.connect(self.close_overlay)
        inner.addWidget(close, 0, Qt.AlignmentFlag.AlignCenter)
        self.present()


class PrintButtons(QWidget):
    """The buttons a reading screen shows: 打印, 打印凭条 (with a receipt printer) and 扫码带走 (with a portal)."""

    def __init__(self, desk: PrintDesk, subject: Callable[[], PrintSubject], host: QWidget, scale: theme.Scale, lang: str,
                 title: Callable[[], str]) -> None:
        super().__init__()
        self.setObjectName("print-buttons")
        self.desk, self.subject, self.host, self.scale, self.lang, self.title = desk, subject, host, scale, lang, title
        zh = lang != "en"
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.print_button = big_button("打印" if zh else "Print", scale, name="print")
        self.print_button.clicked.connect(lambda: self._preview("a4"))
        row.addWidget(self.print_button)
        self.slip_button = big_button("打印凭条" if zh else "Print slip", scale, name="print-slip", width_factor=2.4)
        self.slip_button.clicked.connect(lambda: self._preview("receipt"))
        row.addWidget(self.slip_button)
        self.qr_button = big_button("扫码带走" if zh else "Take it by QR", scale, name="qr-take", width_factor=2.4)
        self.qr_button.clicked.connect(self._show_qr)
        row.addWidget(self.qr_button)
        self.refresh()

    def refresh(self) -> None:
        """Show only what works for what is on screen now (a list has no slip and no QR; an empty board nothing)."""
        subject = self.subject()
        empty = subject.is_list and not subject.village
        self.print_button.setVisible(self.desk.can_print("a4") and not empty)
        self.slip_button.setVisible(self.desk.can_print("receipt") and not subject.is_list)
        self.qr_button.setVisible(not empty and subject.qr_url(self.desk.context()) is not None)

    def _preview(self, layout: str) -> None:
        PrintPreview(self.host, self.desk, self.subject(), layout, self.scale, self.lang)

    def _show_qr(self) -> None:
        url = self.subject().qr_url(self.desk.context())
        if url:
            QrCover(self.host, url, self.title(), self.scale, self.lang)
