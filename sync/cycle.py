"""One sync cycle, as the background scheduler and `kiosk sync --once` both run it.

Feed first (what people see), then the terminal's own news: a heartbeat, the print counters of
days that are over, and everything waiting in the outbox. Each part fails on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from dataclasses import asdict, dataclass
from typing import Any

from kiosk import __version__
from kiosk.credentials import load_credentials
from kiosk.heartbeat import daily_key, heartbeat_payload, usage_key, usage_payload
from kiosk.outbox import Outbox
from kiosk.terminal import Terminal
from sync.client import FeedSync, ProgressCallback, SyncReport, feed_url_of
from sync.sender import DeliveryReport, deliver
from sync.transport import make_session

USAGE_DAYS_BACK = 7  # days of print counters re-offered (idempotent keys) after a long outage


@dataclass
class CycleReport:
    feed: SyncReport | None
    delivery: DeliveryReport | None
    note: str = ""

    @property
    def ok(self) -> bool:
        return (self.feed is None or self.feed.ok) and (self.delivery is None or not (self.delivery.auth_failed or self.delivery.retrying))

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "feed": self.feed.as_dict() if self.feed else None,
            "delivery": {**asdict(self.delivery), "delivered": self.delivery.delivered} if self.delivery else None,
            "note": self.note,
        }


def run_cycle(terminal: Terminal, *, started_at: dt.datetime, printer_state: dict[str, Any] | None = None,
              progress: ProgressCallback | None = None, now: dt.datetime | None = None) -> CycleReport:
    now = now or terminal.clock()
    session = make_session(terminal.settings)
    feed_url = feed_url_of(terminal)
    feed = None
    if feed_url:
        client = FeedSync(terminal, feed_url, session=session, progress=progress)
        feed = client.run()
        _check_blobs_daily(client, feed, now)
    creds = load_credentials(terminal.data_dir)
    if creds is None:
        note = "" if feed_url else "sync.portal_url is empty and the terminal is not enrolled: nothing to do (kiosk enroll --portal URL --code CODE)"
        return CycleReport(feed, None, note)
    with Outbox(terminal.data_dir / "outbox.sqlite", portal_public_key=creds.portal_public_key, clock=terminal.clock) as outbox:
        _queue_usage(terminal, outbox, now)
        _queue_printer_alert(terminal, outbox, printer_state, now)
        backlog = outbox.backlog()["pending"]
        outbox.queue_heartbeat(heartbeat_payload(terminal, app_version=__version__, started_at=started_at,
                                                 printer_state=printer_state, outbox_backlog=backlog))
        delivery = deliver(outbox, session, creds, limit=200)
    return CycleReport(feed, delivery)


BLOB_CHECK_EVERY = dt.timedelta(hours=24)


def _check_blobs_daily(client: FeedSync, feed: SyncReport, now: dt.datetime | None) -> None:
    """Once a day, hash every attachment the store refers to and fetch damaged ones again
    (a failing SD card shows up here before a person opens a broken PDF)."""
    marker = client.folder / "blobs-checked"
    now = now or client.terminal.clock()
    try:
        last = dt.datetime.fromisoformat(marker.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        last = None
    if not feed.ok or (last is not None and now - last < BLOB_CHECK_EVERY):
        return
    try:
        feed.blobs_repaired = client.repair_blobs()
    except Exception as exc:  # a repair that fails now is tried again tomorrow; content stays as it is
        feed.error = f"attachment check: {exc}"
        return
    marker.write_text(now.isoformat(), encoding="utf-8")


def _queue_printer_alert(terminal: Terminal, outbox: Outbox, printer_state: dict[str, Any] | None, now: dt.datetime | None) -> None:
    """A printer that needs a person (paper, toner, jam) is reported to the county once per reason
    and day, so staff hear of it without someone at the kiosk having to phone."""
    if not printer_state or printer_state.get("state") == "ready":
        return
    reasons = sorted(str(reason) for reason in printer_state.get("reasons") or []) or ["unknown"]
    zone = zoneinfo.ZoneInfo(terminal.settings["terminal.timezone"])
    day = (now or terminal.clock()).astimezone(zone).date()
    terminal_id = terminal.settings["terminal.id"]
    key = f"{daily_key('alert', terminal_id, day)}-{hashlib.sha256('|'.join(reasons).encode()).hexdigest()[:12]}"
    payload = {"terminal_id": terminal_id, "what": "printer", "reasons": reasons, "message_zh": printer_state.get("message_zh", ""),
               "day": day.isoformat()}
    outbox.add("alert", payload, key=key)


def _queue_usage(terminal: Terminal, outbox: Outbox, now: dt.datetime | None) -> None:
    """Counters of finished local days (prints, searches that found nothing); a day already queued is not queued again."""
    zone = zoneinfo.ZoneInfo(terminal.settings["terminal.timezone"])
    today = (now or terminal.clock()).astimezone(zone).date()
    for back in range(1, USAGE_DAYS_BACK + 1):
        day = today - dt.timedelta(days=back)
        payload = usage_payload(terminal, day)
        if payload["prints"] or payload["zero_results"]:
            outbox.add("usage", payload, key=usage_key(terminal.settings["terminal.id"], day))
