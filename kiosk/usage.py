"""What this terminal printed and which searches found nothing, kept for the page budget and the usage statistics.

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

#: Distinct zero-result queries kept per day; past it only those already counted grow (a stuck key cannot fill the disk).
ZERO_RESULT_QUERIES_PER_DAY = 500


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

    def record_zero_result(self, local_day: dt.date, query: str) -> bool:
        """Count one search for ``query`` (already normalised and filtered: kiosk/zeroresults.py) that found nothing.

        False when the day already holds ``ZERO_RESULT_QUERIES_PER_DAY`` other queries and this one was not counted.
        """
        day = local_day.isoformat()
        with self._lock:
            updated = self._db.execute("UPDATE zero_result SET searches = searches + 1 WHERE local_day = ? AND query = ?", (day, query))
            if updated.rowcount:
                return True
            distinct = self._db.execute("SELECT COUNT(*) FROM zero_result WHERE local_day = ?", (day,)).fetchone()[0]
            if distinct >= ZERO_RESULT_QUERIES_PER_DAY:
                return False
            self._db.execute("INSERT INTO zero_result (local_day, query, searches) VALUES (?, ?, 1) "
                             "ON CONFLICT (local_day, query) DO UPDATE SET searches = searches + 1", (day, query))
        return True

    def zero_results(self, local_day: dt.date, limit: int) -> list[tuple[str, int]]:
        """The day's most frequent zero-result queries, (query, searches), most searched first."""
        with self._lock:
            rows = self._db.execute("SELECT query, searches FROM zero_result WHERE local_day = ? ORDER BY searches DESC, query LIMIT ?",
                                    (local_day.isoformat(), limit)).fetchall()
        return [(str(query), int(searches)) for query, searches in rows]
