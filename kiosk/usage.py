"""What this terminal printed, kept for the daily page budget and the usage statistics.

A separate SQLite file (``usage.sqlite`` in the data folder) because the content store may be
replaced wholesale by a sync, and counts must survive that. Days are the terminal's local
(China) days, whatever the operating system's time zone. Its schema has numbered migrations
(``kiosk/migrations/usage/``, run by kiosk/store/migrate.py with a backup first).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.clock import Clock, system_clock
from kiosk.store.migrate import USAGE, open_local


@dataclass(frozen=True)
class PrintCount:
    local_day: str
    layout: str
    outcome: str
    jobs: int
    pages: int


class UsageLog:
    """Thread-safe: the print worker writes, the screen reads."""

    def __init__(self, path: Path, *, clock: Clock = system_clock) -> None:
        """Open (and create or migrate) the log; ``clock`` only names a backup made before a migration."""
        self._db = open_local(path, USAGE, clock=clock)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record_print(self, at: dt.datetime, record_id: str, layout: str, pages: int, outcome: str) -> None:
        if at.tzinfo is None:
            raise ValueError("print time must be timezone-aware (the terminal's local time)")
        with self._lock:
            self._db.execute("INSERT INTO print_log (at_utc, local_day, record_id, layout, pages, outcome) VALUES (?, ?, ?, ?, ?, ?)",
                             (at.astimezone(dt.UTC).isoformat(timespec="seconds"), at.date().isoformat(), record_id, layout, pages, outcome))

    def pages_printed_on(self, local_day: dt.date) -> int:
        with self._lock:
            row = self._db.execute("SELECT COALESCE(SUM(pages), 0) FROM print_log WHERE local_day = ? AND outcome = 'printed'",
                                   (local_day.isoformat(),)).fetchone()
        return int(row[0])

    def counts(self, since: dt.date | None = None) -> list[PrintCount]:
        """Jobs and pages per day, layout and outcome: what the heartbeat reports to the portal."""
        with self._lock:
            rows = self._db.execute("SELECT local_day, layout, outcome, COUNT(*), SUM(pages) FROM print_log WHERE local_day >= ? "
                                    "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3", ((since or dt.date.min).isoformat(),)).fetchall()
        return [PrintCount(day, layout, outcome, int(jobs), int(pages)) for day, layout, outcome, jobs, pages in rows]
