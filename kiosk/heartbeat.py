"""What a terminal tells the portal about itself: the heartbeat and the daily usage counts.

Plain dicts in the shape docs/PROTOCOL.md gives ("Heartbeat payload"), built from the content
store, the data folder and values the caller passes in — the printer state comes from the
caller because kiosk/ does not import printing/.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from typing import TYPE_CHECKING, Any

import peewee

from kiosk.protocol import ZERO_RESULTS_PER_ITEM, key_part
from kiosk.usage import UsageLog

if TYPE_CHECKING:
    from kiosk.terminal import Terminal


def channel_states(terminal: Terminal) -> list[tuple[str, int, str | None, str | None]]:
    """(channel, generation, last_success, last_error) per channel; none before the feed client's migration exists."""
    try:
        rows = terminal.store.sql("SELECT channel, generation, last_success, last_error FROM sync_channel ORDER BY channel")
    except (sqlite3.Error, peewee.DatabaseError):
        return []
    return [(str(channel), int(generation or 0), last_success, last_error) for channel, generation, last_success, last_error in rows]


def heartbeat_payload(terminal: Terminal, *, app_version: str, started_at: dt.datetime, printer_state: dict[str, Any] | None,
                      outbox_backlog: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """The heartbeat body's payload; ``started_at`` is when the app started (timezone-aware)."""
    now = now or terminal.clock()
    channels = channel_states(terminal)
    successes = [last_success for _, _, last_success, _ in channels if last_success]
    errors = [f"{channel}: {last_error}" for channel, _, _, last_error in channels if last_error]
    return {
        "terminal_id": terminal.settings["terminal.id"],
        "app_version": app_version,
        "generations": {channel: generation for channel, generation, _, _ in channels},
        "last_sync": max(successes) if successes else None,
        "last_sync_error": "; ".join(errors) if errors else None,
        "outbox_backlog": int(outbox_backlog),
        "disk_free_bytes": shutil.disk_usage(terminal.data_dir).free,
        "printer": printer_state,
        "uptime_s": max(0, int((now - started_at).total_seconds())),
    }


def daily_key(prefix: str, terminal_id: str, day: dt.date) -> str:
    """Deterministic idempotency key (≤ 128 characters): queuing the same day's item twice stores it once."""
    return f"{prefix}-{key_part(terminal_id)}-{day.isoformat()}"


def usage_key(terminal_id: str, day: dt.date) -> str:
    return daily_key("usage", terminal_id, day)


def usage_payload(terminal: Terminal, day: dt.date) -> dict[str, Any]:
    """Print counts and zero-result searches of one local day from usage.sqlite.

    Queue a day once it is over: the key fixes its first body.
    """
    log = UsageLog(terminal.data_dir / "usage.sqlite")
    try:
        counts = [count for count in log.counts(since=day) if count.local_day == day.isoformat()]
        zero_results = log.zero_results(day, ZERO_RESULTS_PER_ITEM)
    finally:
        log.close()
    return {
        "terminal_id": terminal.settings["terminal.id"],
        "day": day.isoformat(),
        "prints": [{"layout": c.layout, "outcome": c.outcome, "jobs": c.jobs, "pages": c.pages} for c in counts],
        "pages_printed": sum(c.pages for c in counts if c.outcome == "printed"),
        "zero_results": [{"query": query, "searches": searches} for query, searches in zero_results],
    }
