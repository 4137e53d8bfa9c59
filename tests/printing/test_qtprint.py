"""The Qt (Windows) printing path, run here into a PDF file: pages, paper size and a readable QR code."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
import zxingcpp

from kiosk.clock import fixed_clock
from kiosk.share import record_url
from kiosk.terminal import Terminal
from printing.backend import A4
from printing.qtprint import QtBackend
from printing.render import PrintContext, render_query_slip, render_record
from tests.helpers.clock import TEST_NOW


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> PrintContext:
    terminal = Terminal(tmp_path_factory.mktemp("qt-print"), fixed_clock(TEST_NOW))
    terminal.ensure_demo_content()
    yield PrintContext.of(terminal)
    terminal.close()


def _pages(path: Path) -> list[tuple[float, float]]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def _qr(path: Path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [code.text for code in zxingcpp.read_barcodes(document[0].render(scale=150 / 72).to_pil())]
    finally:
        document.close()


def test_a4_document_through_qprinter(qapp, context: PrintContext, tmp_path: Path) -> None:
    record_id = context.terminal.store.sql("SELECT record_id FROM record_full WHERE kind = 'document' ORDER BY record_id LIMIT 1")[0][0]
    rendered = render_record(context, record_id)
    source = tmp_path / "in.pdf"
    source.write_bytes(rendered.data)
    output = tmp_path / "out.pdf"
    result = QtBackend(output_file=output).print_pdf(source, A4, rendered.title, 30)
    assert result.done
    pages = _pages(output)
    assert len(pages) == rendered.pages
    assert all(abs(w - 595.3) < 1.5 and abs(h - 841.9) < 1.5 for w, h in pages)
    assert _qr(output) == [record_url(record_id, context.terminal.settings)]


def test_receipt_keeps_its_roll_size(qapp, context: PrintContext, tmp_path: Path) -> None:
    record_id = context.terminal.store.sql("SELECT record_id FROM record_full WHERE kind = 'service_guide' ORDER BY record_id LIMIT 1")[0][0]
    slip = render_query_slip(context, record_id, 58)
    source = tmp_path / "slip.pdf"
    source.write_bytes(slip.data)
    output = tmp_path / "slip-out.pdf"
    assert QtBackend(output_file=output).print_pdf(source, slip.media, slip.title, 30).done
    (width, height), = _pages(output)
    assert abs(width - 58 * 72 / 25.4) < 1.5 and abs(height - slip.media.height_mm * 72 / 25.4) < 1.5
    assert _qr(output) == [record_url(record_id, context.terminal.settings)]


def test_an_unknown_printer_is_not_ready_and_says_so(qapp) -> None:
    status = QtBackend("no-such-printer").status()
    assert not status.ready and status.message_zh == "打印机暂时无法使用，请联系工作人员" and "no-such-printer" in status.staff_alert
