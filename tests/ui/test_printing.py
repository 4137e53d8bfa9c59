"""One finger through printing: preview, print, the status line, limits, the QR cover and the idle reset.

The terminal prints through the file backend (the demo's default) so every printout is a real PDF
on disk that the test opens; the CUPS path is covered by tests/printing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2
import pytest
import zxingcpp
from PIL import Image
from PySide6.QtWidgets import QApplication, QLabel

from kiosk.clock import fixed_clock
from kiosk.share import record_url
from kiosk.terminal import Terminal
from kiosk.usage import UsageLog
from printing.render import PrintContext, render_record
from tests.helpers.clock import TEST_NOW
from tests.helpers.qt import open_window, press, visible
from ui.printing import PrintPreview, PrintStatus, QrView
from ui.window import MainWindow


@pytest.fixture(scope="module")
def print_terminal(tmp_path_factory: pytest.TempPathFactory) -> Terminal:
    with Terminal(tmp_path_factory.mktemp("print-terminal"), fixed_clock(TEST_NOW)) as term:
        term.ensure_demo_content()
        yield term


@pytest.fixture
def window(qtbot, print_terminal: Terminal) -> MainWindow:
    for key in ("printing.max_pages_per_job", "printing.max_pages_per_session", "printing.daily_page_budget"):
        print_terminal.settings.local.pop(key, None)
    print_terminal.reload_settings()
    main = open_window(qtbot, print_terminal)
    yield main
    main.reset_session()


def _first(terminal: Terminal, sql_where: str) -> str:
    rows = terminal.store.sql(f"SELECT record_id FROM record_full WHERE deleted = 0 AND {sql_where} ORDER BY record_id LIMIT 1")
    assert rows, sql_where
    return rows[0][0]


def _printed(terminal: Terminal, layout: str) -> list[Path]:
    return sorted((terminal.data_dir / "printed" / layout).glob("*.pdf"))


def _preview(qtbot, window: MainWindow) -> PrintPreview:
    QApplication.processEvents()
    previews = [p for p in window.findChildren(PrintPreview, "print-preview") if p.isVisible()]
    assert previews
    preview = previews[-1]
    qtbot.waitUntil(lambda: preview.print_button.isEnabled(), timeout=15000)
    return preview


def _status(qtbot, window: MainWindow, final_text: str) -> str:
    def shows() -> bool:
        status = window.findChild(PrintStatus, "print-status")
        return status is not None and status.isVisible() and final_text in status.message.text()

    qtbot.waitUntil(shows, timeout=20000)
    return window.findChild(PrintStatus, "print-status").message.text()


def test_print_a_document_from_its_screen(qtbot, window: MainWindow, print_terminal: Terminal, shots: Path) -> None:
    record_id = _first(print_terminal, "kind = 'document' AND json_extract(data, '$.interpretation') IS NOT NULL")
    before = _printed(print_terminal, "a4")
    window.open_record(record_id)
    press(qtbot, window, "print")
    preview = _preview(qtbot, window)
    plain = render_record(PrintContext.of(print_terminal), record_id)
    assert f"共 {plain.pages} 页" in preview.info.text()
    assert preview.print_button.text() == f"打印 {plain.pages} 页"
    assert len(preview.findChildren(QLabel, "preview-page-1")) == 1
    window.grab().save(str(shots / "print-preview.png"))
    press(qtbot, window, "print-with-interpretation")  # the interpretation adds pages
    qtbot.waitUntil(lambda: preview.print_button.isEnabled() and f"打印 {plain.pages} 页" != preview.print_button.text(), timeout=15000)
    press(qtbot, window, "print-confirm")
    message = _status(qtbot, window, "已保存")
    window.grab().save(str(shots / "print-done.png"))
    assert "PDF" in message
    after = _printed(print_terminal, "a4")
    assert len(after) == len(before) + 1
    new_pdf = pypdfium2.PdfDocument(str(after[-1]))
    assert len(new_pdf) > plain.pages
    text = "".join(new_pdf[i].get_textpage().get_text_range() for i in range(len(new_pdf))).replace("\r", "").replace("\n", "")
    new_pdf.close()
    assert "政策解读" in text
    usage = UsageLog(print_terminal.data_dir / "usage.sqlite")
    assert any(count.outcome == "printed" and count.layout == "a4" for count in usage.counts())
    usage.close()


def test_the_qr_on_the_screen_decodes_from_its_pixels(qtbot, window: MainWindow, print_terminal: Terminal, shots: Path) -> None:
    record_id = _first(print_terminal, "kind = 'service_guide'")
    window.open_record(record_id)
    press(qtbot, window, "qr-take")
    code = visible(window, QrView, "qr-code")
    assert code.width() >= 360  # a phone reads it from 30 cm
    window.grab().save(str(shots / "qr-cover.png"))
    image = window.grab().toImage()
    path = shots / "qr-cover-pixels.png"
    image.save(str(path))
    decoded = zxingcpp.read_barcodes(Image.open(path))
    assert [barcode.text for barcode in decoded] == [record_url(record_id, print_terminal.settings)]
    assert decoded[0].text.startswith("https://zwgk.xiyuan.example/r/")
    press(qtbot, window, "qr-close")
    QApplication.processEvents()
    assert window.findChild(QrView, "qr-code") is None or not window.findChild(QrView, "qr-code").isVisible()


def test_a_receipt_slip_prints_at_the_roll_width(qtbot, window: MainWindow, print_terminal: Terminal) -> None:
    window.open_record(_first(print_terminal, "kind = 'subsidy_policy'"))
    before = _printed(print_terminal, "receipt")
    press(qtbot, window, "print-slip")
    preview = _preview(qtbot, window)
    assert "80 毫米凭条" in preview.info.text()
    press(qtbot, window, "print-confirm")
    _status(qtbot, window, "已保存")
    after = _printed(print_terminal, "receipt")
    assert len(after) == len(before) + 1
    document = pypdfium2.PdfDocument(str(after[-1]))
    width, _height = document[0].get_size()
    assert len(document) == 1 and abs(width - 80 / 25.4 * 72) < 0.5
    document.close()


def test_a_finance_board_prints_the_period_on_screen(qtbot, window: MainWindow, print_terminal: Terminal) -> None:
    window.show_screen("boards")
    screen = window.stack.currentWidget()
    periods = screen.browser.board_periods(screen.village, "finance")
    assert len(periods) >= 2
    screen.show_period(periods[1])
    press(qtbot, window, "print")
    preview = _preview(qtbot, window)
    text = pypdfium2.PdfDocument(preview.pdf.data)[0].get_textpage().get_text_range()
    assert screen.board["title"] in text.replace("\r\n", "")
    assert preview.pdf.landscape
    press(qtbot, window, "print-cancel")


def test_the_payment_list_prints_as_filtered(qtbot, window: MainWindow, print_terminal: Terminal) -> None:
    window.show_screen("payments")
    screen = window.stack.currentWidget()
    screen.find_name("李")
    press(qtbot, window, "print")
    preview = _preview(qtbot, window)
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(preview.pdf.data)).replace("\r\n", "")
    assert "姓名含“李”" in text
    assert "张*" not in text
    assert preview.pdf.landscape


def test_limits_refuse_with_a_reason(qtbot, window: MainWindow, print_terminal: Terminal, shots: Path) -> None:
    record_id = _first(print_terminal, "kind = 'document' AND length(json_extract(data, '$.body')) > 3000")
    print_terminal.settings.set_local("printing.max_pages_per_job", 1)
    print_terminal.reload_settings()
    window.open_record(record_id)
    press(qtbot, window, "print")
    preview = next(p for p in window.findChildren(PrintPreview, "print-preview") if p.isVisible())
    qtbot.waitUntil(lambda: "超过每次最多打印 1 页" in preview.info.text(), timeout=15000)
    assert not preview.print_button.isEnabled()  # said before the tap, not after
    window.grab().save(str(shots / "print-refused-preview.png"))
    press(qtbot, window, "print-cancel")
    print_terminal.settings.set_local("printing.max_pages_per_job", 30)
    print_terminal.settings.set_local("printing.max_pages_per_session", 1)
    print_terminal.reload_settings()
    press(qtbot, window, "print")
    _preview(qtbot, window)
    press(qtbot, window, "print-confirm")
    message = _status(qtbot, window, "每人每次最多打印 1 页")
    window.grab().save(str(shots / "print-refused.png"))
    assert "请联系工作人员" in message


def test_a_broken_printer_says_so_and_nothing_hangs(qtbot, print_terminal: Terminal, tmp_path: Path) -> None:
    output = tmp_path / "printer"
    print_terminal.settings.set_local("printing.output_dir", str(output))
    try:
        print_terminal.reload_settings()
        broken = open_window(qtbot, print_terminal)
        broken.open_record(_first(print_terminal, "kind = 'notice'"))
        press(qtbot, broken, "print")
        _preview(qtbot, broken)  # the printer is fine while the person looks at the preview …
        shutil.rmtree(output)
        output.write_text("a file where the output folder should be")  # … and breaks before the tap
        press(qtbot, broken, "print-confirm")
        message = _status(qtbot, broken, "请联系工作人员")
        assert "打印服务暂时无法使用" in message
        assert broken.desk.queue.session_pages == 0  # a failed print gives the pages back
        broken.reset_session()
        broken.open_record(_first(print_terminal, "kind = 'notice'"))
        press(qtbot, broken, "print")
        preview = next(p for p in broken.findChildren(PrintPreview, "print-preview") if p.isVisible())
        qtbot.waitUntil(lambda: "打印服务暂时无法使用" in preview.info.text(), timeout=15000)  # now said in the preview, before any tap
        assert not preview.print_button.isEnabled()
    finally:
        print_terminal.settings.local.pop("printing.output_dir", None)
        print_terminal.settings.set_local("printing.max_pages_per_job", 30)


def test_idle_reset_closes_the_status_and_gives_the_allowance_back(qtbot, window: MainWindow, print_terminal: Terminal) -> None:
    window.open_record(_first(print_terminal, "kind = 'notice'"))
    press(qtbot, window, "print")
    _preview(qtbot, window)
    press(qtbot, window, "print-confirm")
    _status(qtbot, window, "已保存")
    assert window.desk.queue.session_pages >= 1
    window.reset_session()
    QApplication.processEvents()
    assert window.desk.queue.session_pages == 0
    status = window.findChild(PrintStatus, "print-status")
    assert status is None or not status.isVisible()


def test_the_payment_list_prints_as_picked_by_surname(qtbot, window: MainWindow, print_terminal: Terminal) -> None:
    window.show_screen("payments")
    screen = window.stack.currentWidget()
    surname = screen.browser.payment_surnames(screen.village)[0][0]
    screen._set(surname=surname)  # what tapping it in 按姓氏 does (tests/ui/test_handwriting_pad.py taps it)
    press(qtbot, window, "print")
    preview = _preview(qtbot, window)
    text = "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(preview.pdf.data)).replace("\r\n", "")
    assert f"姓“{surname}”" in text
    names = [line for line in text.splitlines() if "*" in line]
    assert names and all(line.lstrip().startswith(surname) or f"{surname}*" in line for line in names)
    press(qtbot, window, "print-cancel")
