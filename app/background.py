"""Background sync for `kiosk run`: the scheduler, translated for the window.

Lives in app/ because it joins sync/, printing/ and the screens, which must not import each other.
The window never sees sync's report shapes: :func:`changes_of` turns a cycle's report into a small
:class:`~kiosk.changes.ContentChanges` (which kinds changed, whether settings may have), and
:class:`BackgroundSync` carries it, and the download percent, to the GUI thread as typed signals.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from kiosk.changes import ContentChanges
from kiosk.settings import Settings
from kiosk.terminal import Terminal
from sync.client import Progress
from sync.cycle import CycleReport
from sync.scheduler import SyncScheduler

PROGRESS_MIN_BYTES = 256 * 1024  # smaller downloads end before a percent could be read
PROGRESS_STEP = 5  # percent


def changes_of(report: CycleReport) -> ContentChanges:
    """What a sync cycle changed, for the screens: the kinds of records its updated channels touched."""
    channels = report.feed.channels if report.feed is not None else []
    return ContentChanges.of_kinds({kind for channel in channels if channel.status == "updated" for kind in channel.kinds})


def throttled_progress(emit: Callable[[int], None]) -> Callable[[Progress], None]:
    """Only downloads worth watching (over 256 kB), and only when the percent moves by 5."""
    last = {"shown": -1}

    def report(progress: Progress) -> None:
        if progress.stage not in ("bundle", "blobs") or progress.total_bytes < PROGRESS_MIN_BYTES:
            return
        step = progress.percent // PROGRESS_STEP * PROGRESS_STEP
        if step != last["shown"]:
            last["shown"] = step
            emit(step)

    return report


class BackgroundSync(QObject):
    """The sync scheduler as the window sees it: ``synced(ContentChanges)`` and ``percent(int)`` on the GUI thread.

    The scheduler calls back on its own thread; emitting this object's signals from there queues them
    to the thread it lives in. Long-lived like the other workers: ``start()``, ``stop()``, and ``sync_now()``
    for a changed ``sync.*`` setting (or 立即更新).
    """

    synced = Signal(object)  # ContentChanges
    percent = Signal(int)  # of the bytes being downloaded

    def __init__(self, scheduler: SyncScheduler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.scheduler = scheduler
        scheduler.on_finished = lambda report: self._emit(self.synced, changes_of(report))
        scheduler.on_progress = throttled_progress(lambda step: self._emit(self.percent, step))

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        with contextlib.suppress(RuntimeError):  # the window (and this object) went away while a cycle ran
            signal.emit(value)

    def start(self) -> None:
        self.scheduler.start()

    def stop(self) -> None:
        self.scheduler.stop()

    def sync_now(self) -> None:
        self.scheduler.trigger()


def printer_state_reader(data_dir: Path) -> Callable[[Settings], dict[str, Any] | None]:
    """The A4 printer's state for the heartbeat, from the cycle's own settings (defaults, portal, staff: all layers)."""

    def read(settings: Settings) -> dict[str, Any] | None:
        from printing.backends import printer_for

        printer = printer_for(settings, data_dir, "a4")
        if printer is None:
            return None
        status = printer.status()
        return {"state": "ready" if status.ready else "error", "reasons": list(status.reasons), "message_zh": status.message_zh}

    return read


def make_scheduler(terminal: Terminal, *, first_delay_s: float = 3.0) -> SyncScheduler:
    """The scheduler for ``terminal``'s data folder, on ``terminal``'s clock (its cycles open their own Terminal)."""
    return SyncScheduler(terminal.data_dir, printer_state=printer_state_reader(terminal.data_dir), clock=terminal.clock,
                         first_delay_s=first_delay_s)


def make_background(terminal: Terminal, *, first_delay_s: float = 3.0) -> BackgroundSync:
    """What ``kiosk run`` hands the window: background sync for ``terminal``, not yet started."""
    return BackgroundSync(make_scheduler(terminal, first_delay_s=first_delay_s))
