"""The print queue: limits checked at the tap, printing done on a worker thread, every step reported.

The screen must never freeze while a printer thinks (CUPS can take seconds to answer, a
Windows driver longer), so jobs run one at a time on a worker thread and the screen hears
about them through ``notify``: 正在打印 → 打印完成, or a message saying what went wrong.
Pages are reserved against the person's allowance when the job is accepted and given back if it
fails, so a jammed printer does not use up someone's allowance.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import queue
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.clock import system_clock
from kiosk.i18n import N_, LazyText, lazy_tr
from kiosk.settings import Settings
from kiosk.usage import UsageLog
from printing.backend import PrinterBackend, PrinterError
from printing.limits import check_limits
from printing.pdf import RenderedPdf

log = logging.getLogger(__name__)

QUEUED = "queued"
PRINTING = "printing"
DONE = "done"
FAILED = "failed"
REFUSED = "refused"
NOT_FINISHED = N_("打印没有完成，请联系工作人员")


@dataclass(frozen=True)
class PrintOrder:
    pdf: RenderedPdf
    record_id: str
    layout: str  # "a4" or "receipt"


@dataclass(frozen=True)
class PrintUpdate:
    ticket: int
    stage: str  # queued, printing, done, failed, refused
    text: LazyText  # what the person is told: rendered in the screen's language when shown (a catalogue id, or one with values)
    pages: int = 0
    alert: str = ""  # for staff and the log; empty when all is well

    @property
    def final(self) -> bool:
        return self.stage in (DONE, FAILED, REFUSED)

    @property
    def message_zh(self) -> str:
        return self.text.zh

    def message(self, lang: str) -> str:
        return self.text.render(lang)


class PrintQueue:
    """One per terminal. ``notify`` is called from the worker thread: marshal it to the GUI yourself.

    ``settings`` is asked at every job (``lambda: terminal.settings``), never kept: a limit the portal
    pushes or staff set applies to the next tap, not after a restart. ``printers`` is read per job too,
    so the owner may swap a printer in it. The worker runs from ``start()`` to ``stop()``, like the
    terminal's other long-lived workers; jobs submitted before ``start()`` wait for it.
    """

    def __init__(self, settings: Callable[[], Settings], usage: UsageLog, printers: dict[str, PrinterBackend | None],
                 notify: Callable[[PrintUpdate], None], *, clock: Callable[[], dt.datetime] | None = None,
                 spool_dir: Path | None = None) -> None:
        self.settings = settings
        self.usage = usage
        self.printers = printers
        self.notify = notify
        self.clock = clock or system_clock
        self.spool_dir = spool_dir
        self._tickets = itertools.count(1)
        self._orders: queue.Queue[tuple[int, PrintOrder] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._session_pages = 0
        self._worker: threading.Thread | None = None

    def start(self) -> None:
        """Start the worker thread (``print-queue``); a second call does nothing."""
        if self._worker is None or not self._worker.is_alive():
            self._worker = threading.Thread(target=self._run, name="print-queue", daemon=True)
            self._worker.start()

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    # ------------------------------------------------------------------ the tap
    def available(self, layout: str) -> bool:
        return self.printers.get(layout) is not None

    @property
    def session_pages(self) -> int:
        with self._lock:
            return self._session_pages

    def reset_session(self) -> None:
        """A new person: the idle reset gives the per-person allowance back."""
        with self._lock:
            self._session_pages = 0

    def _local_now(self) -> dt.datetime:
        return self.clock().astimezone(ZoneInfo(self.settings()["terminal.timezone"]))

    def submit(self, order: PrintOrder) -> PrintUpdate:
        """Accept or refuse at once (refusals also go to ``notify``); the printing happens later."""
        ticket = next(self._tickets)
        pages = order.pdf.pages
        if not self.available(order.layout):
            update = PrintUpdate(ticket, REFUSED, lazy_tr("本机没有连接这种打印机"), pages)
            self.notify(update)
            return update
        with self._lock:
            refusal = check_limits(self.settings(), self.usage, pages, self._session_pages, self._local_now().date())
            if refusal is None:
                self._session_pages += pages
        if refusal is not None:
            self.usage.record_print(self._local_now(), order.record_id, order.layout, pages, "refused")
            update = PrintUpdate(ticket, REFUSED, refusal.text, pages, f"limit {refusal.limit} reached")
            self.notify(update)
            return update
        update = PrintUpdate(ticket, QUEUED, lazy_tr("正在打印，共 {pages} 页，请稍候……", pages=pages), pages)
        self.notify(update)
        self._orders.put((ticket, order))
        return update

    # ------------------------------------------------------------------ the worker
    def _run(self) -> None:
        while True:
            item = self._orders.get()
            if item is None:
                return
            ticket, order = item
            try:
                update = self._print(ticket, order)
            except Exception as exc:  # the worker must survive anything a driver throws
                log.exception("print job %s failed unexpectedly", ticket)
                update = PrintUpdate(ticket, FAILED, lazy_tr(NOT_FINISHED), order.pdf.pages, f"unexpected error: {exc}")
            if update.stage != DONE:
                with self._lock:
                    self._session_pages = max(self._session_pages - order.pdf.pages, 0)
            if update.alert:
                log.warning("print job %s (%s): %s", ticket, order.record_id, update.alert)
            self.usage.record_print(self._local_now(), order.record_id, order.layout, order.pdf.pages,
                                    "printed" if update.stage == DONE else "failed")
            self.notify(update)

    def _print(self, ticket: int, order: PrintOrder) -> PrintUpdate:
        printer = self.printers[order.layout]
        assert printer is not None
        pages = order.pdf.pages
        self.notify(PrintUpdate(ticket, PRINTING, lazy_tr("正在打印，共 {pages} 页，请稍候……", pages=pages), pages))
        with tempfile.TemporaryDirectory(dir=self.spool_dir, prefix="kiosk-print-") as folder:
            path = Path(folder) / "job.pdf"
            path.write_bytes(order.pdf.data)
            try:
                result = printer.print_pdf(path, order.pdf.media, order.pdf.title, float(self.settings()["printing.job_timeout_s"]))
            except PrinterError as error:
                status = error.status
                return PrintUpdate(ticket, FAILED, lazy_tr(status.message_zh or NOT_FINISHED), pages, status.staff_alert or str(error))
        if not result.done:
            status = result.status
            return PrintUpdate(ticket, FAILED, lazy_tr(status.message_zh or NOT_FINISHED), pages,
                               status.staff_alert or f"job {result.job_id} ended {result.state}: {result.detail}")
        if result.state == "saved":
            return PrintUpdate(ticket, DONE, lazy_tr("演示模式：已保存为 PDF 文件（{job}）", job=result.job_id), pages)
        return PrintUpdate(ticket, DONE, lazy_tr("打印完成，请在出纸口取走"), pages)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop after the job in hand; jobs still waiting are dropped (the screen is going away).

        Waits at most ``timeout_s`` for a printer that is still taking the job, then leaves the
        (daemon) thread to finish it alone. Safe to call when never started, and twice.
        """
        try:
            while True:
                self._orders.get_nowait()
        except queue.Empty:
            pass
        if self._worker is None:
            return
        self._orders.put(None)
        self._worker.join(timeout_s)
        if self._worker.is_alive():
            log.warning("print queue still busy with a job after %.0f s; left to end by itself", timeout_s)
