"""What every printer backend offers (CUPS, Qt's QPrinter, save-to-file), and the shapes it returns.

The print queue talks to a backend only through :class:`PrinterBackend`, so a terminal can be
moved from CUPS to Windows printing by a setting, and tests can drive each backend the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kiosk.errors import ExitCode, KioskError


@dataclass(frozen=True)
class Media:
    """The paper a PDF is meant for; receipts are a roll width and a height measured from content."""

    width_mm: float
    height_mm: float
    name: str = ""  # "A4" for sheets; empty for a custom roll length

    @property
    def is_receipt(self) -> bool:
        return self.name == ""

    def cups_media(self) -> str:
        """The value of ``-o media=``: without a custom size CUPS centres a receipt on an A4 page."""
        if self.name:
            return self.name
        return f"Custom.{self.width_mm:g}x{self.height_mm:g}mm"


A4 = Media(210, 297, "A4")


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer says about itself, already turned into words for people."""

    ready: bool
    reasons: tuple[str, ...] = ()  # IPP printer-state-reasons, e.g. ("media-empty-error",)
    message_zh: str = ""  # for the person at the kiosk, e.g. 打印机缺纸，请联系工作人员
    message_en: str = ""
    staff_alert: str = ""  # for staff and the log, e.g. "printer kiosk-a4: media-empty-error (out of paper)"


@dataclass(frozen=True)
class JobResult:
    """How a job ended. ``done`` means the printer (or file) accepted every page."""

    done: bool
    job_id: str = ""
    state: str = ""  # completed, aborted, canceled, timeout, refused, saved
    status: PrinterStatus = field(default_factory=lambda: PrinterStatus(ready=True))
    detail: str = ""  # technical detail for the log


class PrinterError(KioskError):
    """A backend could not take the job; ``status`` says why in words for the person."""

    exit_code = ExitCode.PRINTER

    def __init__(self, status: PrinterStatus, detail: str = "") -> None:
        super().__init__(detail or status.staff_alert or status.message_en)
        self.status = status


class PrinterBackend(Protocol):
    name: str

    def status(self) -> PrinterStatus:
        """The printer's state now; never raises (an unreachable printer is a not-ready status)."""
        ...

    def print_pdf(self, pdf: Path, media: Media, title: str, timeout_s: float) -> JobResult:
        """Submit ``pdf`` and follow it until it is done, fails, or ``timeout_s`` passes. Never hangs."""
        ...
