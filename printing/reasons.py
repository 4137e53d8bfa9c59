"""Turn IPP ``printer-state-reasons`` keywords into words for the person at the kiosk and for staff.

A keyword may carry a severity suffix (``-error``, ``-warning``, ``-report``, RFC 8011 §5.4.12), but
printers and CUPS use the suffixes loosely: ippeveprinter reports an empty tray as
``media-empty-report`` while idle and ``media-empty-warning`` while it holds a job waiting for paper,
and CUPS marks a printer it cannot reach with ``offline-report``. So readiness is judged by the keyword
without its suffix: an empty tray stops an elderly person's printout whatever the suffix says. Only an
unknown keyword relies on its suffix (``-error`` stops printing, anything else is passed to staff).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.i18n import N_
from printing.backend import PrinterStatus

SUFFIXES = ("-error", "-warning", "-report")


@dataclass(frozen=True)
class _Problem:
    """One kind of trouble, worded for the person (a catalogue id, shown in the screen's language) and in English for staff."""

    rank: int  # lower is shown first when several problems are present
    zh: str
    en: str


PAPER_OUT = _Problem(0, N_("打印机缺纸，请联系工作人员"), "The printer is out of paper. Please ask a member of staff for help.")
JAM = _Problem(1, N_("打印机卡纸，请联系工作人员"), "Paper is stuck in the printer. Please ask a member of staff for help.")
INK_OUT = _Problem(2, N_("打印机缺墨，请联系工作人员"), "The printer has run out of ink or toner. Please ask a member of staff for help.")
COVER_OPEN = _Problem(3, N_("打印机的盖子没有关好，请联系工作人员"), "A printer door or cover is open. Please ask a member of staff for help.")
OUTPUT_FULL = _Problem(4, N_("打印机出纸口满了，请联系工作人员"), "The printer's output tray is full. Please ask a member of staff for help.")
UNAVAILABLE = _Problem(5, N_("打印机暂时无法使用，请联系工作人员"), "The printer is not available right now. Please ask a member of staff for help.")

# Keywords (without suffix) that stop printing, with what staff read in the alert.
BLOCKING: dict[str, tuple[_Problem, str]] = {
    "media-empty": (PAPER_OUT, "out of paper"),
    "media-needed": (PAPER_OUT, "paper needed"),
    "media-jam": (JAM, "paper jam"),
    "paper-jam": (JAM, "paper jam"),
    "toner-empty": (INK_OUT, "toner empty"),
    "marker-supply-empty": (INK_OUT, "ink or toner empty"),
    "marker-ink-empty": (INK_OUT, "ink empty"),
    "door-open": (COVER_OPEN, "door open"),
    "cover-open": (COVER_OPEN, "cover open"),
    "interlock-open": (COVER_OPEN, "interlock open"),
    "output-area-full": (OUTPUT_FULL, "output tray full"),
    "input-tray-missing": (UNAVAILABLE, "input tray missing"),
    "output-tray-missing": (UNAVAILABLE, "output tray missing"),
    "marker-waste-full": (UNAVAILABLE, "waste toner container full"),
    "offline": (UNAVAILABLE, "printer offline"),
    "shutdown": (UNAVAILABLE, "printer shut down"),
    "paused": (UNAVAILABLE, "queue paused"),
    "stopped": (UNAVAILABLE, "printer stopped"),
    "stopping": (UNAVAILABLE, "printer stopping"),
    "moving-to-paused": (UNAVAILABLE, "printer pausing"),
    "deactivated": (UNAVAILABLE, "printer deactivated"),
    "hold-new-jobs": (UNAVAILABLE, "printer holds new jobs"),
    "connecting-to-device": (UNAVAILABLE, "cannot reach the printer"),
    "timed-out": (UNAVAILABLE, "printer timed out"),
    "spool-area-full": (UNAVAILABLE, "spool area full"),
    "fuser-over-temp": (UNAVAILABLE, "fuser too hot"),
    "fuser-under-temp": (UNAVAILABLE, "fuser warming up"),
    "interpreter-resource-unavailable": (UNAVAILABLE, "printer out of memory or fonts"),
    "cups-missing-filter": (UNAVAILABLE, "CUPS filter missing"),
    "cups-insecure-filter": (UNAVAILABLE, "CUPS filter refused as insecure"),
}

# Keywords that do not stop printing but that staff should hear about.
NOTICES: dict[str, str] = {
    "media-low": "paper low",
    "toner-low": "toner low",
    "marker-supply-low": "ink or toner low",
    "marker-ink-almost-empty": "ink low",
    "marker-waste-almost-full": "waste toner container almost full",
    "developer-low": "developer low",
    "opc-near-eol": "drum near end of life",
}

# Normal chatter: never a problem, never worth an alert.
QUIET = frozenset({"none", "cups-waiting-for-job-completed", "printer-restarted", "identify-printer-requested"})

# Reasons CUPS sets about its own queue rather than copies from the device.
QUEUE_LEVEL = frozenset({"paused", "shutdown", "stopping", "moving-to-paused", "deactivated", "hold-new-jobs"})


def split_reason(reason: str) -> tuple[str, str]:
    """``"media-empty-error"`` → ``("media-empty", "error")``; a keyword without suffix gets ``""``."""
    keyword = reason.strip().lower()
    for suffix in SUFFIXES:
        if keyword.endswith(suffix) and len(keyword) > len(suffix):
            return keyword[: -len(suffix)], suffix[1:]
    return keyword, ""


def is_queue_level(reason: str) -> bool:
    """True for reasons about the CUPS queue itself, which a device's own answer cannot clear."""
    keyword, _ = split_reason(reason)
    return keyword in QUEUE_LEVEL or keyword.startswith("cups-")


def _classify(reason: str) -> tuple[_Problem | None, str]:
    """The problem a reason causes (None if printing goes on) and its words for staff."""
    keyword, severity = split_reason(reason)
    if keyword in BLOCKING:
        problem, words = BLOCKING[keyword]
        return problem, words
    # PWG finisher keywords follow patterns: stapler-jam, bander-cover-open, ...
    if keyword.endswith("-jam"):
        return JAM, "jam"
    if keyword.endswith(("-door-open", "-cover-open", "-interlock-open")):
        return COVER_OPEN, "door or cover open"
    if keyword in NOTICES:
        return None, NOTICES[keyword]
    if severity == "error":
        return UNAVAILABLE, "error reported by printer"
    return None, ""


def status_from_reasons(queue: str, reasons: Iterable[str], accepting: bool = True, state: str = "idle") -> PrinterStatus:
    """A :class:`PrinterStatus` for a queue's state, accepting flag and reason keywords.

    ``state`` is the IPP printer-state keyword (idle, processing, stopped). A stopped or rejecting
    queue is not ready even without a reason, since jobs would wait there unseen.
    """
    kept = tuple(dict.fromkeys(r.strip() for r in reasons if r and r.strip() and split_reason(r)[0] not in QUIET))
    problems: list[_Problem] = []
    notes: list[str] = []
    for reason in kept:
        problem, words = _classify(reason)
        if problem is not None:
            problems.append(problem)
        notes.append(f"{reason} ({words})" if words else reason)
    if state == "stopped":
        problems.append(UNAVAILABLE)
        notes.append("queue stopped")
    if not accepting:
        problems.append(UNAVAILABLE)
        notes.append("not accepting jobs")
    alert = f"printer {queue}: {', '.join(notes)}" if notes else ""
    if not problems:
        return PrinterStatus(ready=True, reasons=kept, staff_alert=alert)
    worst = min(problems, key=lambda p: p.rank)
    return PrinterStatus(ready=False, reasons=kept, message_zh=worst.zh, message_en=worst.en, staff_alert=alert)


def unavailable(queue: str, detail: str, reasons: Iterable[str] = ()) -> PrinterStatus:
    """Not ready for a cause outside the printer's own reasons: CUPS unreachable, queue unknown, job refused."""
    return PrinterStatus(
        ready=False,
        reasons=tuple(reasons),
        message_zh=UNAVAILABLE.zh,
        message_en=UNAVAILABLE.en,
        staff_alert=f"printer {queue}: {detail}",
    )
