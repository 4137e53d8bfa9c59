"""Background sync for `kiosk run`: the scheduler, with the printer's state for the heartbeat.

Lives in app/ because it joins sync/ and printing/, which must not import each other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.clock import Clock
from kiosk.settings import Settings
from sync.scheduler import SyncScheduler


def printer_state_reader(data_dir: Path) -> Any:
    def read() -> dict[str, Any] | None:
        from printing.backends import printer_for

        settings = Settings(Path(data_dir) / "settings.json")
        printer = printer_for(settings, data_dir, "a4")
        if printer is None:
            return None
        status = printer.status()
        return {"state": "ready" if status.ready else "error", "reasons": list(status.reasons), "message_zh": status.message_zh}

    return read


def make_scheduler(data_dir: Path, clock: Clock | None = None) -> SyncScheduler:
    return SyncScheduler(data_dir, printer_state=printer_state_reader(data_dir), clock=clock)
