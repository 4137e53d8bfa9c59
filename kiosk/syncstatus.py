"""How current the content on screen is, as plain data for the home screen and `kiosk info`.

A terminal that can't reach the portal keeps working; what changes is what it says: 已同步 when
the last sync succeeded recently, 离线 when only the latest attempt failed, and 数据可能不是最新
once the last success is older than ``sync.stale_after_h`` or the feed's signatures expired.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

# Failures that mean "the portal's data could not be trusted", not just "no network".
DISTRUST = ("expired", "clock", "tampered", "rollback", "format")


@dataclass(frozen=True)
class DataStatus:
    kind: str  # local | fresh | offline | stale
    last_success: str  # ISO time, "" when never
    error_kind: str = ""
    error: str = ""

    @property
    def stale(self) -> bool:
        return self.kind == "stale"


def _parse(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def data_status(terminal: Terminal, now: dt.datetime | None = None) -> DataStatus:
    now = now or terminal.clock()
    states = terminal.store.channel_states()
    if not states:
        return DataStatus("local", "")
    successes = [_parse(s["last_success"]) for s in states.values()]
    oldest = min((s for s in successes if s is not None), default=None) if all(successes) else None
    newest_success = max((s for s in successes if s is not None), default=None)
    failing = [s for s in states.values() if s["error_kind"]]
    error_kind = failing[0]["error_kind"] if failing else ""
    error = failing[0]["last_error"] if failing else ""
    last = newest_success.isoformat() if newest_success else ""
    limit = dt.timedelta(hours=int(terminal.settings["sync.stale_after_h"]))
    if oldest is None or now - oldest > limit or any(s["error_kind"] in DISTRUST for s in failing):
        return DataStatus("stale", last, error_kind, error)
    if failing:
        return DataStatus("offline", last, error_kind, error)
    return DataStatus("fresh", last)
