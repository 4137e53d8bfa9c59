"""Save-to-file "printing": the demo, staff testing a layout, and terminals without a printer.

The PDF is written to a temporary name and renamed, so a power cut or a full disk never leaves a
half-written file that looks like a finished printout.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from kiosk.files import atomic_writer
from kiosk.i18n import N_
from printing.backend import JobResult, Media, PrinterError, PrinterStatus

MIN_FREE_BYTES = 20 * 1024 * 1024


def _safe_name(title: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("._")[:60] or "printout"


class FileBackend:
    name = "file"

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def status(self) -> PrinterStatus:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            free = shutil.disk_usage(self.folder).free
        except OSError as exc:
            return PrinterStatus(False, ("offline",), N_("打印服务暂时无法使用，请联系工作人员"), "Printing is unavailable; please ask staff.",
                                 f"file backend: cannot use {self.folder}: {exc}")
        if free < MIN_FREE_BYTES:
            return PrinterStatus(False, ("disk-full",), N_("打印服务暂时无法使用，请联系工作人员"), "Printing is unavailable; please ask staff.",
                                 f"file backend: only {free // 1024} KiB free in {self.folder}")
        return PrinterStatus(True)

    def print_pdf(self, pdf: Path, media: Media, title: str, timeout_s: float) -> JobResult:
        status = self.status()
        if not status.ready:
            raise PrinterError(status)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = self.folder / f"{stamp}-{_safe_name(title)}.pdf"
        try:
            with pdf.open("rb") as source, atomic_writer(target, mode=0o600) as stream:  # 0600, as mkstemp made it before
                shutil.copyfileobj(source, stream)
        except OSError as exc:
            failed = PrinterStatus(False, ("disk-full",) if exc.errno == 28 else ("offline",), N_("打印失败，请联系工作人员"),
                                   "Printing failed; please ask staff.", f"file backend: writing {target}: {exc}")
            raise PrinterError(failed) from exc
        return JobResult(True, job_id=target.name, state="saved", detail=str(target))
