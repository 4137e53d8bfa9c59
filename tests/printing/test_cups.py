"""CupsBackend against a real private cupsd: cups-pdf for page sizes, ippeveprinter for paper trouble."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from printing.backend import A4, Media, PrinterBackend, PrinterError
from printing.cups import CupsBackend
from printing.reasons import split_reason, status_from_reasons
from tests.printing.cups_server import CupsServer, DBusBus, PdfQueue, SimPrinter, free_port

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
OUT_OF_PAPER = "打印机缺纸，请联系工作人员"
JAMMED = "打印机卡纸，请联系工作人员"
UNAVAILABLE = "打印机暂时无法使用，请联系工作人员"
RECEIPT = Media(80, 120)


# -- reasons.py -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("media-empty-error", ("media-empty", "error")),
        ("media-empty-warning", ("media-empty", "warning")),
        ("offline-report", ("offline", "report")),
        ("paused", ("paused", "")),
        (" Media-Jam-Error ", ("media-jam", "error")),
        ("-error", ("-error", "")),
    ],
)
def test_split_reason(reason: str, expected: tuple[str, str]) -> None:
    assert split_reason(reason) == expected


@pytest.mark.parametrize(
    ("reasons", "ready", "message_zh"),
    [
        ([], True, ""),
        (["none"], True, ""),
        (["cups-waiting-for-job-completed"], True, ""),
        (["media-low-report"], True, ""),
        (["toner-low-warning", "marker-supply-low-report"], True, ""),
        (["com.example-unknown-warning"], True, ""),
        (["com.example-unknown-report"], True, ""),
        (["com.example-unknown"], True, ""),
        (["media-empty-error"], False, OUT_OF_PAPER),
        (["media-empty-report"], False, OUT_OF_PAPER),  # ippeveprinter while idle
        (["media-empty-warning", "media-needed-warning"], False, OUT_OF_PAPER),  # ippeveprinter holding a job
        (["media-needed"], False, OUT_OF_PAPER),
        (["media-jam-error"], False, JAMMED),
        (["paper-jam"], False, JAMMED),
        (["stapler-jam-warning"], False, JAMMED),
        (["toner-empty-error"], False, "打印机缺墨，请联系工作人员"),
        (["marker-supply-empty-warning"], False, "打印机缺墨，请联系工作人员"),
        (["door-open-error"], False, "打印机的盖子没有关好，请联系工作人员"),
        (["cover-open"], False, "打印机的盖子没有关好，请联系工作人员"),
        (["output-area-full-error"], False, "打印机出纸口满了，请联系工作人员"),
        (["input-tray-missing-error"], False, UNAVAILABLE),
        (["offline-report"], False, UNAVAILABLE),
        (["shutdown"], False, UNAVAILABLE),
        (["paused"], False, UNAVAILABLE),
        (["connecting-to-device"], False, UNAVAILABLE),
        (["timed-out-error"], False, UNAVAILABLE),
        (["cups-missing-filter-warning"], False, UNAVAILABLE),
        (["com.example-unknown-error"], False, UNAVAILABLE),
        (["offline-report", "media-jam-error", "media-empty-error"], False, OUT_OF_PAPER),  # paper first
        (["paused", "media-jam-error"], False, JAMMED),
    ],
)
def test_status_from_reasons(reasons: list[str], ready: bool, message_zh: str) -> None:
    status = status_from_reasons("kiosk-a4", reasons)
    assert status.ready is ready
    assert status.message_zh == message_zh
    assert "none" not in status.reasons
    if not ready:
        assert status.message_en
        assert status.staff_alert.startswith("printer kiosk-a4: ")


def test_staff_alert_names_queue_reason_and_notices() -> None:
    status = status_from_reasons("kiosk-a4", ["media-empty-error", "toner-low-report", "none"])
    assert status.reasons == ("media-empty-error", "toner-low-report")
    assert status.staff_alert == "printer kiosk-a4: media-empty-error (out of paper), toner-low-report (toner low)"
    low = status_from_reasons("kiosk-a4", ["media-low-report"])
    assert low.ready and low.staff_alert == "printer kiosk-a4: media-low-report (paper low)"


def test_stopped_or_rejecting_queue_is_not_ready_without_reasons() -> None:
    stopped = status_from_reasons("q", [], state="stopped")
    assert not stopped.ready and stopped.message_zh == UNAVAILABLE and "queue stopped" in stopped.staff_alert
    rejecting = status_from_reasons("q", [], accepting=False)
    assert not rejecting.ready and "not accepting jobs" in rejecting.staff_alert


# -- PDFs to print --------------------------------------------------------------------------------


def make_pdf(path: Path, width_pt: float, height_pt: float) -> Path:
    """A page with Chinese text in an embedded TrueType font and a frame near the edges."""
    if "CupsTestWQYMicroHei" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("CupsTestWQYMicroHei", str(FONT_PATH), subfontIndex=0))
    pdf = canvas.Canvas(str(path), pagesize=(width_pt, height_pt))
    pdf.setFont("CupsTestWQYMicroHei", 11)
    pdf.drawString(5 * mm, height_pt - 12 * mm, "溪源县政务公开 打印回执 No.0042")
    pdf.rect(2 * mm, 2 * mm, width_pt - 4 * mm, height_pt - 4 * mm)
    pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def a4_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "a4.pdf", 210 * mm, 297 * mm)


@pytest.fixture
def receipt_pdf(tmp_path: Path) -> Path:
    return make_pdf(tmp_path / "receipt.pdf", 80 * mm, 120 * mm)


def page_size(path: Path) -> tuple[float, float]:
    doc = pdfium.PdfDocument(str(path))
    try:
        assert len(doc) == 1
        return doc[0].get_size()
    finally:
        doc.close()


def inked_top_left(path: Path) -> bool:
    """True if the text is where we drew it: near the top-left corner, not centred on a larger page."""
    doc = pdfium.PdfDocument(str(path))
    try:
        image = doc[0].render(scale=1).to_pil().convert("L")
    finally:
        doc.close()
    width, height = image.size
    top_left = image.crop((int(width * 0.05), int(height * 0.03), int(width * 0.5), int(height * 0.12)))
    return top_left.getextrema()[0] < 128


# -- cups-pdf: sizes ------------------------------------------------------------------------------


def test_backend_satisfies_protocol(cups_server: CupsServer) -> None:
    backend: PrinterBackend = CupsBackend("kiosk-pdf", server=cups_server.server)
    assert backend.name == "cups"


def test_healthy_queue_is_ready(cups_server: CupsServer, pdf_queue: PdfQueue) -> None:
    status = CupsBackend(pdf_queue.name, server=cups_server.server).status()
    assert status.ready, status
    assert status.message_zh == ""


def test_a4_prints_as_a4(cups_server: CupsServer, pdf_queue: PdfQueue, a4_pdf: Path) -> None:
    result = CupsBackend(pdf_queue.name, server=cups_server.server, poll_s=0.1).print_pdf(a4_pdf, A4, "政务公开 A4", timeout_s=30)
    assert result.done, result
    assert result.state == "completed" and result.job_id
    out = pdf_queue.output_for(result.job_id)
    width, height = page_size(out)
    assert width == pytest.approx(595.3, abs=1.5) and height == pytest.approx(841.9, abs=1.5)
    assert inked_top_left(out)


def test_receipt_keeps_its_size(cups_server: CupsServer, pdf_queue: PdfQueue, receipt_pdf: Path) -> None:
    assert RECEIPT.cups_media() == "Custom.80x120mm"
    result = CupsBackend(pdf_queue.name, server=cups_server.server, poll_s=0.1).print_pdf(receipt_pdf, RECEIPT, "receipt", timeout_s=30)
    assert result.done, result
    out = pdf_queue.output_for(result.job_id)
    width, height = page_size(out)
    # CUPS rounds custom sizes to whole points: 80x120 mm = 226.77x340.16 pt becomes 226x340.
    assert width == pytest.approx(80 / 25.4 * 72, abs=1.5)
    assert height == pytest.approx(120 / 25.4 * 72, abs=1.5)
    assert inked_top_left(out), "receipt content moved: centred on a larger page?"


# -- ippeveprinter: paper trouble ----------------------------------------------------------------


def test_simulated_printer_ready_then_out_of_paper(cups_server: CupsServer, sim_printer: SimPrinter, ipp_queue: str) -> None:
    backend = CupsBackend(ipp_queue, server=cups_server.server)
    assert backend.status().ready
    sim_printer.set_media_empty()
    status = backend.status()
    assert not status.ready
    assert any(split_reason(r)[0] == "media-empty" for r in status.reasons), status.reasons
    assert status.message_zh == OUT_OF_PAPER
    assert ipp_queue in status.staff_alert and "media-empty" in status.staff_alert
    sim_printer.set_media_ready()
    assert backend.status().ready


def test_print_refused_quickly_when_out_of_paper(cups_server: CupsServer, sim_printer: SimPrinter, ipp_queue: str, a4_pdf: Path) -> None:
    sim_printer.set_media_empty()
    started = time.monotonic()
    with pytest.raises(PrinterError) as caught:
        CupsBackend(ipp_queue, server=cups_server.server).print_pdf(a4_pdf, A4, "t", timeout_s=20)
    assert time.monotonic() - started < 5
    assert caught.value.status.message_zh == OUT_OF_PAPER
    assert _jobs(cups_server, ipp_queue, "not-completed") == ""  # nothing was queued


def test_paper_runs_out_during_job_then_refill(cups_server: CupsServer, sim_printer: SimPrinter, ipp_queue: str, a4_pdf: Path) -> None:
    """Without asking the device first, the job itself shows the printer waiting for paper."""
    sim_printer.set_media_empty()
    blind = CupsBackend(ipp_queue, server=cups_server.server, poll_s=0.2, probe_device=False)
    started = time.monotonic()
    result = blind.print_pdf(a4_pdf, A4, "t", timeout_s=20)
    assert time.monotonic() - started < 15
    assert not result.done and result.state == "aborted", result
    assert result.status.message_zh == OUT_OF_PAPER
    assert any(split_reason(r)[0] == "media-empty" for r in result.status.reasons)
    assert _jobs(cups_server, ipp_queue, "not-completed") == ""  # cancelled, not left to print later

    # The queue keeps the stale media-empty reasons; the device's own answer says paper is back.
    sim_printer.set_media_ready()
    sim_printer.wait_idle()  # the simulator still "prints" the job it held, although CUPS cancelled it there
    assert blind.status().message_zh == OUT_OF_PAPER
    backend = CupsBackend(ipp_queue, server=cups_server.server, poll_s=0.2)
    assert backend.status().ready
    again = backend.print_pdf(a4_pdf, A4, "t", timeout_s=30)
    assert again.done, again


def test_job_that_never_finishes_times_out_and_is_cancelled(
    cups_server: CupsServer, dbus_bus: DBusBus, tmp_path: Path, a4_pdf: Path
) -> None:
    slow = tmp_path / "slow.sh"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    printer = SimPrinter.start(tmp_path, dbus_bus, command=str(slow))
    queue = cups_server.add_ipp_queue("kiosk-slow", printer)
    try:
        started = time.monotonic()
        result = CupsBackend(queue, server=cups_server.server, poll_s=0.2).print_pdf(a4_pdf, A4, "t", timeout_s=2)
        assert time.monotonic() - started < 8
        assert not result.done and result.state == "timeout", result
        assert result.status.message_zh == UNAVAILABLE
        assert _jobs(cups_server, queue, "not-completed") == ""
    finally:
        cups_server.remove_queue(queue)
        printer.stop()


# -- queues that cannot print ---------------------------------------------------------------------


def test_missing_queue_is_not_ready_and_refuses(cups_server: CupsServer, a4_pdf: Path) -> None:
    backend = CupsBackend("no-such-queue", server=cups_server.server)
    status = backend.status()
    assert not status.ready and status.message_zh == UNAVAILABLE
    assert "no-such-queue" in status.staff_alert
    started = time.monotonic()
    with pytest.raises(PrinterError):
        backend.print_pdf(a4_pdf, A4, "t", timeout_s=10)
    assert time.monotonic() - started < 3


def test_stopped_queue_refuses(cups_server: CupsServer, a4_pdf: Path) -> None:
    queue = cups_server.add_pdf_queue("kiosk-stopped")
    try:
        subprocess.run(["cupsdisable", "-h", cups_server.server, queue.name], check=True, timeout=10)
        backend = CupsBackend(queue.name, server=cups_server.server)
        status = backend.status()
        assert not status.ready and "paused" in status.reasons
        started = time.monotonic()
        with pytest.raises(PrinterError) as caught:
            backend.print_pdf(a4_pdf, A4, "t", timeout_s=10)
        assert time.monotonic() - started < 3
        assert caught.value.status.message_zh == UNAVAILABLE
    finally:
        cups_server.remove_queue(queue.name)


def test_rejecting_queue_refuses(cups_server: CupsServer, a4_pdf: Path) -> None:
    queue = cups_server.add_pdf_queue("kiosk-rejecting")
    try:
        subprocess.run(["cupsreject", "-h", cups_server.server, queue.name], check=True, timeout=10)
        with pytest.raises(PrinterError) as caught:
            CupsBackend(queue.name, server=cups_server.server).print_pdf(a4_pdf, A4, "t", timeout_s=10)
        assert "not accepting jobs" in caught.value.status.staff_alert
    finally:
        cups_server.remove_queue(queue.name)


def test_unreachable_server_is_a_status_not_an_exception(a4_pdf: Path) -> None:
    backend = CupsBackend("kiosk-a4", server=f"127.0.0.1:{free_port()}")
    started = time.monotonic()
    status = backend.status()
    assert not status.ready and status.message_zh == UNAVAILABLE
    assert "unreachable" in status.staff_alert
    with pytest.raises(PrinterError):
        backend.print_pdf(a4_pdf, A4, "t", timeout_s=10)
    assert time.monotonic() - started < 5


def _jobs(cups_server: CupsServer, queue: str, which: str) -> str:
    proc = subprocess.run(["lpstat", "-h", cups_server.server, "-W", which, "-o", queue], capture_output=True, text=True, timeout=10, check=False)
    return proc.stdout.strip()
