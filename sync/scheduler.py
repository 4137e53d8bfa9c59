"""Runs sync cycles in the background: soon after start, then every ``sync.interval_s`` ± 10 %.

The jitter spreads a county's terminals so they don't all hit the portal at the same second after
a power cut. The thread owns its own :class:`Terminal` (its own SQLite connection), opened afresh
for every cycle, so each cycle uses the settings as they are then (``kiosk config set`` or a profile);
the screens hear about results through ``on_finished`` and re-read the store themselves. Like the
kiosk's other long-lived workers it runs from ``start()`` to ``stop()``, never from its constructor.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk import clock as clocks
from kiosk.clock import Clock
from kiosk.settings import Settings
from kiosk.terminal import Terminal
from sync.client import Progress
from sync.cycle import CycleReport, run_cycle

log = logging.getLogger(__name__)


def next_delay(interval_s: float, rng: random.Random) -> float:
    return interval_s * rng.uniform(0.9, 1.1)


class SyncScheduler:
    def __init__(
        self,
        data_dir: Path,
        *,
        on_finished: Callable[[CycleReport], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
        printer_state: Callable[[Settings], dict[str, Any] | None] | None = None,
        first_delay_s: float = 3.0,
        rng: random.Random | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.on_finished = on_finished
        self.on_progress = on_progress
        self.printer_state = printer_state
        self.first_delay_s = first_delay_s
        self.rng = rng or random.Random()
        self.clock = clock or clocks.from_environment()
        self.started_at = self.clock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_report: CycleReport | None = None

    def start(self) -> None:
        """Start the ``sync`` thread: a first cycle after ``first_delay_s``, then every interval. A second call does nothing."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="sync", daemon=True)
            self._thread.start()

    def trigger(self) -> None:
        """Sync now (a staff member pressed 立即更新)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """End the thread after the cycle in hand; waits at most ``timeout`` s (a download is bounded by its own timeouts)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("sync still busy after %.0f s; left to end by itself", timeout)

    def _loop(self) -> None:
        self._wake.wait(self.first_delay_s)
        while not self._stop.is_set():
            self._wake.clear()
            interval = 900
            try:
                with Terminal(self.data_dir, self.clock) as terminal:
                    interval = terminal.settings["sync.interval_s"]
                    printer = self._printer(terminal.settings)
                    report = run_cycle(terminal, started_at=self.started_at, printer_state=printer, progress=self.on_progress)
                self.last_report = report
                if self.on_finished is not None:
                    self.on_finished(report)
            except Exception:  # the kiosk must keep running whatever a sync does
                log.exception("sync cycle failed")
            self._wake.wait(next_delay(interval, self.rng))

    def _printer(self, settings: Settings) -> dict[str, Any] | None:
        if self.printer_state is None:
            return None
        try:
            return self.printer_state(settings)
        except Exception as exc:
            return {"state": "unknown", "reasons": [f"{type(exc).__name__}: {exc}"]}
