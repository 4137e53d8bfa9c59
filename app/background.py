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
from kiosk.i18n import tr
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
        self.staff: StaffActions | None = None

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
    background = BackgroundSync(make_scheduler(terminal, first_delay_s=first_delay_s))
    background.staff = StaffActions(terminal.data_dir, terminal.clock)  # the staff panel's USB import and enrolment
    return background


class StaffActions:
    """What staff mode does through sync/, for the panel (``ui/staff_panel.py``), which must not import sync/.

    Each call opens its own Terminal on the data folder (it runs on a task thread, like a sync cycle)
    and returns a sentence for staff, or raises ``ValueError`` with the reason nothing was done.
    """

    def __init__(self, data_dir: Path, clock: Callable[[], Any]) -> None:
        self.data_dir, self.clock = Path(data_dir), clock

    def import_feed(self, folder: Path, lang: str = "zh_CN") -> str:
        """A signed feed folder from a USB stick, with exactly ``kiosk import-feed``'s checks, against the anchored root."""
        from sync.client import FeedSync, file_url
        from sync.enroll import root_path

        if not root_path(self.data_dir).is_file():
            raise ValueError(tr("本机还没有信任根（没有接入县级平台），不能导入签名数据包；请先接入平台。", lang))
        with Terminal(self.data_dir, self.clock) as terminal:
            report = FeedSync(terminal, file_url(Path(folder))).run()
        if not report.ok:
            raise ValueError(tr("{what}（{why}）", lang, what=tr(report.message_zh, lang), why=report.error or report.status))
        return tr(report.message_zh, lang)

    def enroll(self, portal: str, code: str, fingerprint: str) -> str:
        """``kiosk enroll`` from the screen: the root must match the fingerprint typed from the code slip."""
        from sync.enroll import EnrollError, enroll

        try:
            creds = enroll(self.data_dir, portal, code, root_fingerprint_text=fingerprint)
        except EnrollError as exc:
            raise ValueError(str(exc)) from exc
        return f"{creds.terminal_id} ({creds.name}, {creds.region}) @ {creds.portal_url}"
