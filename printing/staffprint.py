"""测试打印 and the printers as staff see them: a page that proves a printer works, tied to no record.

It names the terminal, the printer's role and the time, so a page found in the tray later says
where and when it came from. It goes straight to the printer (not the print queue): a staff test
counts against no person's limits and no record's print count, and waits at most
``printing.job_timeout_s`` like any job.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from reportlab.platypus import Flowable

from kiosk.i18n import format_moment, tr
from kiosk.staffstatus import PrinterLine
from kiosk.terminal import Terminal
from printing.backend import JobResult, PrinterError, PrinterStatus
from printing.backends import printer_for
from printing.layout import A4_SIZES, RECEIPT_SIZES, Styles
from printing.pdf import RenderedPdf, a4_pdf, receipt_pdf
from printing.render import PrintContext

ROLES = ("a4", "receipt")


def staff_test_page(context: PrintContext, role: str) -> RenderedPdf:
    """The test page for ``role`` ("a4" or "receipt"), in the words of ``context.lang``."""
    lang = context.lang
    name = context.terminal.settings["terminal.name"]
    title = tr("打印测试页", lang)
    lines = [labelled_line(tr("终端", lang), name), labelled_line(tr("打印时间", lang), format_moment(context.now, lang)),
             tr("看到这一页，说明这台打印机可以正常打印。", lang), tr("字体测试：中文 ABC 0123456789 ¥", lang)]
    if role == "receipt":
        width_mm = int(context.terminal.settings["printing.receipt_width_mm"])

        def build(printable: float) -> list[Flowable]:
            styles = Styles(context.fonts, RECEIPT_SIZES[width_mm])
            return [styles.para(title, styles.title), *[styles.para(line, styles.plain) for line in lines]]

        return receipt_pdf(context.fonts, build, width_mm=width_mm, title=title)
    styles = Styles(context.fonts, A4_SIZES)
    return a4_pdf(context.fonts, [styles.para(title, styles.title), *[styles.para(line, styles.plain) for line in lines]],
                  title=title, footer=context.footer())


def labelled_line(label: str, value: str) -> str:
    return f"{label}：{value}"


def print_test_page(terminal: Terminal, role: str, lang: str = "zh_CN") -> JobResult:
    """Print the test page on ``role``'s printer; raises PrinterError (with its words for staff) when it cannot."""
    if role not in ROLES:
        raise ValueError(f"printer role: expected one of {', '.join(ROLES)} (found {role!r})")
    printer = printer_for(terminal.settings, terminal.data_dir, role)
    if printer is None:
        raise PrinterError(PrinterStatus(False, ("none-configured",), tr("本机没有连接这种打印机", lang), "", f"no {role} printer configured"))
    pdf = staff_test_page(PrintContext.of(terminal, lang=lang), role)
    with tempfile.TemporaryDirectory(prefix="kiosk-test-page-") as folder:
        path = Path(folder) / "test.pdf"
        path.write_bytes(pdf.data)
        return printer.print_pdf(path, pdf.media, pdf.title, float(terminal.settings["printing.job_timeout_s"]))


def printer_lines(terminal: Terminal) -> list[PrinterLine]:
    """Every printer this terminal has (A4 and receipt), as staff mode and ``kiosk info`` describe them."""
    settings = terminal.settings
    lines = []
    for role in ROLES:
        printer = printer_for(settings, terminal.data_dir, role)
        if printer is None:
            lines.append(PrinterLine(role, "", False))
            continue
        queue = settings["printing.queue"] if role == "a4" else settings["printing.receipt_queue"]
        if settings["printing.backend"] == "file":
            queue = str(getattr(printer, "folder", "")) or queue
        status = printer.status()
        lines.append(PrinterLine(role, queue, True, status.ready, tuple(status.reasons), status.message_zh))
    return lines
