"""Deliver the outbox to the portal: each item posted with its idempotency key until the portal has it.

The outbox is the retry mechanism (no urllib3 ``Retry`` on POST): an item that could not be sent
stays pending with a later ``next_attempt_at`` — exponential backoff (5 s doubling up to 1 h) with
full jitter, so a thousand terminals coming back after an outage don't arrive together, and never
sooner than the portal's ``Retry-After``. An item is marked delivered only on 2xx (``stored`` or
``duplicate``); a refused item (409, 400, 413) is kept as ``rejected`` with the portal's reason.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import logging
import random
from dataclasses import dataclass, field
from typing import Any

import requests

from kiosk.credentials import Credentials
from kiosk.outbox import Outbox, OutboxItem
from kiosk.protocol import IDEMPOTENCY_HEADER
from sync.transport import Deadline, session_timeouts

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 3600.0
RETRY_AFTER_CAP_S = 86400.0  # a portal asking for more than a day is misconfigured; try again tomorrow anyway
NOT_ENROLLED = "终端未登记或已被停用 / terminal not enrolled or revoked"
UNAVAILABLE = {429, 502, 503, 504}  # the portal as a whole is busy or away: stop this run, try the rest later


@dataclass
class DeliveryReport:
    sent: int = 0
    duplicates: int = 0  # the portal already had it (an earlier answer was lost): delivered
    rejected: int = 0
    retrying: int = 0
    auth_failed: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def delivered(self) -> int:
        return self.sent + self.duplicates


def backoff_delay(attempts: int, *, retry_after: float | None = None, rng: random.Random | None = None,
                  base: float = BACKOFF_BASE_S, cap: float = BACKOFF_CAP_S) -> float:
    """Seconds before the next try after ``attempts`` failed ones: full jitter, at least Retry-After."""
    ceiling = min(cap, base * 2 ** min(max(attempts, 0), 30))
    delay = (rng or random).uniform(0, ceiling)
    if retry_after is not None and retry_after > delay:
        delay = min(retry_after, RETRY_AFTER_CAP_S)
    return delay


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds (it may be a number of seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def portal_error(response: requests.Response) -> str:
    """The portal's ``{"error", "error_zh"}`` as one line, or the start of whatever it sent."""
    try:
        data: Any = response.json()
    except ValueError:
        data = None
    if isinstance(data, dict) and (data.get("error") or data.get("error_zh")):
        text = " / ".join(str(part) for part in (data.get("error_zh"), data.get("error")) if part)
    else:
        text = response.text[:200].strip() or response.reason or ""
    return f"HTTP {response.status_code}: {text}"


def deliver(outbox: Outbox, session: requests.Session, creds: Credentials, *, now: dt.datetime | None = None, limit: int = 50,
            deadline_s: float = 60, rng: random.Random | None = None, backoff_base_s: float = BACKOFF_BASE_S,
            backoff_cap_s: float = BACKOFF_CAP_S) -> DeliveryReport:
    """Post every due item (up to ``limit``) within ``deadline_s``; what is left stays pending for the next run."""
    report = DeliveryReport()
    policy = _Backoff(rng, backoff_base_s, backoff_cap_s)
    now = now or outbox.clock()
    deadline = Deadline(deadline_s)
    timeouts = session_timeouts(session)
    url = creds.portal_url.rstrip("/") + "/api/v1/inbox"
    for item in outbox.due(now, limit):
        if deadline.expired():
            break
        try:
            response = session.post(url, data=item.body.encode("utf-8"), timeout=timeouts.pair(deadline.remaining()), headers={
                "Authorization": f"Bearer {creds.token}", IDEMPOTENCY_HEADER: item.key, "Content-Type": "application/json",
            })
        except requests.RequestException as exc:  # connection refused, DNS, TLS, timeout: the portal is out of reach
            _retry(outbox, item, report, f"{type(exc).__name__}: {exc}", now, None, policy)
            break
        with response:
            status = response.status_code
            if 200 <= status < 300:
                duplicate = status == 200 and _status_of(response) == "duplicate"
                outbox.mark_delivered(item.id)
                if duplicate:
                    report.duplicates += 1
                else:
                    report.sent += 1
            elif status in (401, 403):
                report.auth_failed = True
                report.errors.append(f"{NOT_ENROLLED} ({portal_error(response)})")
                log.error("outbox delivery stopped: %s", report.errors[-1])
                break  # nothing will be accepted; items stay pending, untouched
            elif status in UNAVAILABLE or status >= 500:
                _retry(outbox, item, report, portal_error(response), now, parse_retry_after(response.headers.get("Retry-After"), now), policy)
                if status in UNAVAILABLE:
                    break
            else:  # 409 (key reused with another body), 400, 413, other 4xx: sending it again won't help
                error = portal_error(response)
                outbox.mark_rejected(item.id, error)
                report.rejected += 1
                report.errors.append(f"{item.kind} {item.key}: {error}")
                log.warning("portal rejected outbox item %s (%s): %s", item.id, item.key, error)
    return report


def _status_of(response: requests.Response) -> str | None:
    try:
        data: Any = response.json()
    except ValueError:
        return None
    return data.get("status") if isinstance(data, dict) else None


@dataclass(frozen=True)
class _Backoff:
    rng: random.Random | None
    base: float
    cap: float


def _retry(outbox: Outbox, item: OutboxItem, report: DeliveryReport, error: str, now: dt.datetime, retry_after: float | None,
           policy: _Backoff) -> None:
    delay = backoff_delay(item.attempts, retry_after=retry_after, rng=policy.rng, base=policy.base, cap=policy.cap)
    outbox.mark_retry(item.id, error, now + dt.timedelta(seconds=delay))
    report.retrying += 1
    report.errors.append(f"{item.kind} {item.key}: {error}; retry in {delay:.0f} s")
    log.info("outbox item %s not delivered (%s); retry in %.0f s", item.id, error, delay)
