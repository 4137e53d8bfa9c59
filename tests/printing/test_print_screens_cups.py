"""From the screens through real CUPS: a document, a finance board and a receipt come out of a
cups-pdf queue at the right paper size with a QR code a phone can read, and an empty paper tray
on a simulated IPP printer becomes 打印机缺纸，请联系工作人员 on the screen."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PySide6.QtWidgets import QApplication

from kiosk.clock import fixed_clock
from kiosk.share import record_url
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.helpers.qt import open_window, press
from tests.printing.cups_server import CupsServer, PdfQueue, SimPrinter
from ui.printing import PrintPreview, PrintStatus
from ui.window import MainWindow

MM = 72 / 25.4


@pytest.fixture(scope="module")
def cups_terminal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Terminal]:
    with Terminal(tmp_path_factory.mktemp("cups-terminal"), fixed_clock(TEST_NOW)) as term:
        term.ensure_demo_content()
        yield term


def _window(qtbot, terminal: Terminal, server: CupsServer, queue: str) -> MainWindow:
    for key, value in (("printing.backend", "cups"), ("printing.queue", queue), ("printing.receipt_queue", queue),
                       ("printing.cups_server", server.server), ("printing.job_timeout_s", 30)):
        terminal.settings.set_local(key, value)
    terminal.reload_settings()
    return open_window(qtbot, terminal)


def _print_from_screen(qtbot, window: MainWindow, button: str, expect: str) -> str:
    press(qtbot, window, button)
    QApplication.processEvents()
    preview = next(p for p in window.findChildren(PrintPreview, "print-preview") if p.isVisible())
    qtbot.waitUntil(lambda: preview.print_button.isEnabled(), timeout=15000)
    press(qtbot, window, "print-confirm")

    def finished() -> bool:
        status = window.findChild(PrintStatus, "print-status")
        return status is not None and status.stage in ("done", "failed", "refused")

    qtbot.waitUntil(finished, timeout=45000)
    message = window.findChild(PrintStatus, "print-status").message.text()
    assert expect in message, message
    window.reset_session()
    return message


def _new_output(queue: PdfQueue, before: set[Path], qtbot) -> Path:
    found: list[Path] = []

    def appeared() -> bool:
        found[:] = [p for p in queue.out_dir.glob("*.pdf") if p not in before and p.stat().st_size > 0]
        return bool(found)

    qtbot.waitUntil(appeared, timeout=15000)
    return found[0]


def _qr_texts(pdf_path: Path) -> list[str]:
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        image = document[0].render(scale=200 / 72, fill_color=(255, 255, 255, 255)).to_pil()
    finally:
        document.close()
    return [barcode.text for barcode in zxingcpp.read_barcodes(image)]


def _page_size(pdf_path: Path) -> tuple[float, float]:
    document = pypdfium2.PdfDocument(str(pdf_path))
    try:
        return document[0].get_size()
    finally:
        document.close()


def _first(terminal: Terminal, where: str) -> str:
    return terminal.store.sql(f"SELECT record_id FROM record_full WHERE deleted = 0 AND {where} ORDER BY record_id LIMIT 1")[0][0]


def test_document_board_and_receipt_print_through_cups(qtbot, cups_terminal: Terminal, cups_server: CupsServer, pdf_queue: PdfQueue) -> None:
    window = _window(qtbot, cups_terminal, cups_server, pdf_queue.name)
    expected_url = {}

    document_id = _first(cups_terminal, "kind = 'document'")
    expected_url["document"] = record_url(document_id, cups_terminal.settings)
    before = set(pdf_queue.out_dir.glob("*.pdf"))
    window.open_record(document_id)
    _print_from_screen(qtbot, window, "print", "打印完成")
    output = _new_output(pdf_queue, before, qtbot)
    width, height = _page_size(output)
    assert (round(width), round(height)) == (595, 842)  # A4
    assert expected_url["document"] in _qr_texts(output)

    window.show_screen("boards")
    board = window.stack.currentWidget().board
    assert board["board_type"] == "finance"
    before = set(pdf_queue.out_dir.glob("*.pdf"))
    _print_from_screen(qtbot, window, "print", "打印完成")
    output = _new_output(pdf_queue, before, qtbot)
    assert sorted(round(side) for side in _page_size(output)) == [595, 842]  # A4, landscape content
    assert record_url(board["id"], cups_terminal.settings) in _qr_texts(output)

    guide_id = _first(cups_terminal, "kind = 'service_guide'")
    window.open_record(guide_id)
    before = set(pdf_queue.out_dir.glob("*.pdf"))
    _print_from_screen(qtbot, window, "print-slip", "打印完成")
    output = _new_output(pdf_queue, before, qtbot)
    width, height = _page_size(output)
    assert abs(width - 80 * MM) < 1.5 and height < 250 * MM  # the roll width, not centred on A4
    assert record_url(guide_id, cups_terminal.settings) in _qr_texts(output)


def test_an_empty_paper_tray_is_said_in_words(qtbot, cups_terminal: Terminal, cups_server: CupsServer, sim_printer: SimPrinter,
                                               ipp_queue: str) -> None:
    window = _window(qtbot, cups_terminal, cups_server, ipp_queue)
    window.open_record(_first(cups_terminal, "kind = 'notice'"))
    sim_printer.set_media_empty()
    press(qtbot, window, "print")
    QApplication.processEvents()
    preview = next(p for p in window.findChildren(PrintPreview, "print-preview") if p.isVisible())
    qtbot.waitUntil(lambda: "打印机缺纸，请联系工作人员" in preview.info.text(), timeout=20000)  # said before the tap
    assert not preview.print_button.isEnabled()
    press(qtbot, window, "print-cancel")
    sim_printer.set_media_ready()
    sim_printer.wait_idle()
    _print_from_screen(qtbot, window, "print", "打印完成")
