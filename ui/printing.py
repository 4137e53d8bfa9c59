"""打印 / 打印凭条 / 扫码带走 on the reading screens: preview, the print status, and the QR cover.

Nothing here blocks the screen: the PDF and its preview images are made on a thread, printing
runs on the print queue's worker, and both report back through Qt signals. A failure is always a
sentence a person can act on (打印机缺纸，请联系工作人员), never a hang or a silent nothing.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import count

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kiosk.i18n import N_, ntr, tr
from kiosk.share import qr_matrix
from kiosk.terminal import Terminal
from kiosk.usage import UsageLog
from printing.backend import PrinterBackend, PrinterStatus
from printing.backends import printer_for
from printing.fonts import NoPrintFont
from printing.pdf import RenderedPdf
from printing.render import NothingToPrint, PrintContext, PrintSubject
from printing.service import DONE, PrintOrder, PrintQueue, PrintUpdate
from ui import theme
from ui.attachments import render_pdf
from ui.chooser import Overlay
from ui.tasks import Tasks
from ui.widgets import TouchScroll, big_button, plain_label

log = logging.getLogger(__name__)
PREVIEW_PAGE_LIMIT = 40
#: Settings that choose the printers: a change swaps them for the next preview and job.
PRINTER_SETTINGS = frozenset({"printing.backend", "printing.queue", "printing.receipt_queue", "printing.cups_server",
                              "printing.output_dir"})
DONE_CLOSES_AFTER_MS = 8000


@dataclass(frozen=True)
class Prepared:
    """A finished PDF and its page images, or the reason there is none."""

    token: int
    pdf: RenderedPdf | None
    images: list[QImage]
    error_zh: str = ""  # a catalogue id: the screen shows it in its language
    printer: PrinterStatus | None = None  # the printer's state while the preview was made


class PrintDesk(QObject):
    """One per window: the terminal's printers, the print queue, and previews made through the window's ``Tasks``.

    A long-lived worker like the others: ``start()`` starts the queue's thread, ``stop()`` ends it (on quit,
    from ``MainWindow.shutdown()``). The queue reads the settings at every job and the printers per job, so
    limits apply at once and a changed printer from the next preview on (``settings_changed``).
    """

    updated = Signal(object)  # PrintUpdate, from the queue's worker thread
    prepared = Signal(object)  # Prepared, on the GUI thread

    def __init__(self, terminal: Terminal, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal = terminal
        self.tasks = tasks
        self.usage = UsageLog(terminal.data_dir / "usage.sqlite")
        self.printers = self._printers()
        self.queue = PrintQueue(lambda: terminal.settings, self.usage, self.printers, self.updated.emit, clock=terminal.clock)
        self._tokens = count(1)

    def _printers(self) -> dict[str, PrinterBackend | None]:
        return {role: printer_for(self.terminal.settings, self.terminal.data_dir, role) for role in ("a4", "receipt")}

    def start(self) -> None:
        self.queue.start()

    def stop(self) -> None:
        self.queue.stop()
        self.usage.close()

    def settings_changed(self, keys: frozenset[str]) -> None:
        """A printer setting changed: swap the printers in place (the queue holds this dict) for the next preview and job."""
        if keys & PRINTER_SETTINGS:
            self.printers.update(self._printers())

    def can_print(self, layout: str) -> bool:
        return self.queue.available(layout)

    @property
    def receipt_width_mm(self) -> int:
        return int(self.terminal.settings["printing.receipt_width_mm"])

    def context(self, lang: str = "zh_CN") -> PrintContext:
        return PrintContext.of(self.terminal, lang=lang)

    def prepare(self, subject: PrintSubject, layout: str, *, with_interpretation: bool, image_width_px: int, lang: str = "zh_CN") -> int:
        """Make the PDF and its preview images off the GUI thread; ``prepared`` carries them back (or why there are none)."""
        token = next(self._tokens)

        def work() -> Prepared:
            context = self.context(lang)  # our words on the paper in the language of the screen that asked
            pdf = subject.slip(context, self.receipt_width_mm) if layout == "receipt" else subject.render(
                context, with_interpretation=with_interpretation)
            images = page_images(pdf, image_width_px)
            printer = self.printers.get(layout)
            status = printer.status() if printer is not None else None
            if status is not None and not status.ready:
                log.warning("printer not ready: %s", status.staff_alert)
            return Prepared(token, pdf, images, printer=status)

        self.tasks.run(work, self.prepared.emit, lambda error: self.prepared.emit(_cannot_prepare(token, error)), owner=self)
        return token

    def submit(self, pdf: RenderedPdf, subject: PrintSubject, layout: str) -> PrintUpdate:
        return self.queue.submit(PrintOrder(pdf, subject.log_id, layout))

    def reset_session(self) -> None:
        self.queue.reset_session()


def _cannot_prepare(token: int, error: BaseException) -> Prepared:
    """Why a preview could not be made, for the person at the kiosk (the task helper has logged it for staff)."""
    if isinstance(error, NoPrintFont):
        return Prepared(token, None, [], N_("本机暂时无法打印（缺少中文字体），请联系工作人员"))
    if isinstance(error, NothingToPrint):
        return Prepared(token, None, [], N_("这项内容不能打印"))
    return Prepared(token, None, [], N_("生成打印内容时出错，请联系工作人员"))


def page_images(pdf: RenderedPdf, width_px: int) -> list[QImage]:
    """The pages as images ``width_px`` wide on white (the first PREVIEW_PAGE_LIMIT of them)."""
    return render_pdf(pdf.data, width_px, PREVIEW_PAGE_LIMIT)[0]


def _label(text: str, px: int, *, bold: bool = False, name: str = "") -> QLabel:
    label = plain_label(text)
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
        inner = self.add_panel(scale, margin=scale.spacing_px * 2)
        inner.addWidget(_label(tr("打印预览", lang), scale.title_px, bold=True, name="preview-title"))
        self.info = _label(tr("正在准备，请稍候……", lang), scale.body_px, name="preview-info")
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
            toggle = big_button(tr("同时打印政策解读", lang), scale, name="print-with-interpretation", width_factor=3.6)
            toggle.setCheckable(True)
            toggle.toggled.connect(self._toggle_interpretation)
            buttons.addWidget(toggle)
            self.interpretation_toggle = toggle
        buttons.addStretch(1)
        cancel = big_button(tr("取消", lang), scale, name="print-cancel")
        cancel.clicked.connect(self.close_overlay)
        buttons.addWidget(cancel)
        self.print_button = big_button(tr("打印", lang), scale, name="print-confirm", primary=True, width_factor=3)
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
                                        image_width_px=self._page_width(), lang=self.lang)

    def _toggle_interpretation(self, checked: bool) -> None:
        self.with_interpretation = checked
        self.info.setText(tr("正在准备，请稍候……", self.lang))
        self._prepare()

    def _prepared(self, result: Prepared) -> None:
        if result.token != self._token:
            return
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        lang = self.lang
        if result.pdf is None:
            self.info.setText(tr(result.error_zh, lang))
            return
        self.pdf = result.pdf
        pages = result.pdf.pages
        width = f"{result.pdf.media.width_mm:g}"
        paper = tr("A4 纸", lang) if self.layout_kind == "a4" else tr("{width} 毫米凭条", lang, width=width)
        self.info.setText(ntr("共 {n} 页（{paper}）。请看清内容后点“打印 {n} 页”。", "共 {n} 页（{paper}）。请看清内容后点“打印 {n} 页”。", pages, lang,
                              paper=paper))
        for number, image in enumerate(result.images, 1):
            page = plain_label()
            page.setObjectName(f"preview-page-{number}")
            page.setPixmap(QPixmap.fromImage(image))
            page.setFixedSize(image.size())  # a page is never squeezed or cropped by the layout
            page.setAccessibleName(tr("第 {number} 页", lang, number=number))
            self.pages_layout.addWidget(page, 0, Qt.AlignmentFlag.AlignHCenter)
        self.pages_layout.activate()  # place the pages now, not on the next turn of the event loop
        self.print_button.setText(ntr("打印 {n} 页", "打印 {n} 页", pages, lang))
        self.print_button.setAccessibleName(self.print_button.text())
        if result.printer is not None and not result.printer.ready:  # out of paper now: say so before the tap
            self.info.setText(tr(result.printer.message_zh, lang))
            return
        per_job = self.desk.terminal.settings["printing.max_pages_per_job"]
        if pages > per_job:  # say it now rather than after the tap
            self.info.setText(tr("这份材料共 {pages} 页，超过每次最多打印 {per_job} 页的限制。请联系工作人员打印，或扫码在手机上查看。", lang,
                                 pages=pages, per_job=per_job))
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
        self.ok = big_button(tr("知道了", lang), scale, name="print-ok", primary=True, width_factor=3)
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

    def __init__(self, url: str, side_px: int, lang: str) -> None:
        super().__init__()
        self.setObjectName("qr-code")
        self.url = url
        self.matrix = qr_matrix(url)
        self.setFixedSize(QSize(side_px, side_px))
        self.setAccessibleName(tr("二维码：{url}", lang, url=url))

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
        inner = self.add_panel(scale, margin=scale.spacing_px * 2, centred=True)
        heading = _label(tr("用手机扫一扫，把这份信息带回家", lang), scale.title_px, bold=True,
                         name="qr-heading")
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(heading)
        side = max(360, min(parent.width(), parent.height()) // 2)
        self.code = QrView(url, side, lang)
        inner.addWidget(self.code, 0, Qt.AlignmentFlag.AlignCenter)
        what = _label(tr("打开的是：{title}（网上原文）", lang, title=title), scale.body_px, name="qr-what")
        what.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(what)
        address = _label(url, scale.small_px, name="qr-url")
        address.setAlignment(Qt.AlignmentFlag.AlignCenter)
        inner.addWidget(address)
        close = big_button(tr("关闭", lang), scale, name="qr-close", primary=True)
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
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.print_button = big_button(tr("打印", lang), scale, name="print")
        self.print_button.clicked.connect(lambda: self._preview("a4"))
        row.addWidget(self.print_button)
        self.slip_button = big_button(tr("打印凭条", lang), scale, name="print-slip", width_factor=2.4)
        self.slip_button.clicked.connect(lambda: self._preview("receipt"))
        row.addWidget(self.slip_button)
        self.qr_button = big_button(tr("扫码带走", lang), scale, name="qr-take", width_factor=2.4)
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
