"""Rate limits the portal keeps in memory: failed enrolment codes (item 14) and per-terminal inbox quotas (item 15).

Why in memory: both protect one `kiosk-portal serve` process from one client, and must cost
nothing on the common path (no database write per request, no lock held across I/O). The price
is that a restart forgets them and several portal processes each keep their own; docs/SECURITY.md
says so, and the reverse proxy in front (docs/deploy/nginx-portal.conf) limits per address too.

Every structure is bounded: per-key state is dropped once its window has passed, and the number
of keys is capped, so an attacker with many addresses can't grow the portal's memory.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_TRACKED_KEYS = 10_000


@dataclass(frozen=True)
class Verdict:
    """Whether a request may go ahead, and if not, after how many whole seconds to try again."""

    allowed: bool
    retry_after_s: int = 0
    scope: str = ""  # "address" or "global" when refused


@dataclass
class FailureThrottle:
    """At most `per_key` failures per key (a client address) and `total` failures overall per sliding window.

    Once a limit is reached, every attempt in its scope is refused until the oldest failure leaves
    the window: a correct code waits too, or the guessing would simply go on. `on_alert` is called
    (outside the lock) the first time a limit is reached in a window, so staff hear of it once.
    """

    per_key: int = 10
    total: int = 50
    window_s: float = 900.0
    on_alert: Callable[[str, str, int], None] = lambda scope, key, failures: None
    clock: Callable[[], float] = time.monotonic
    _by_key: dict[str, deque[float]] = field(default_factory=dict)
    _all: deque[float] = field(default_factory=deque)
    _alerted: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check(self, key: str) -> Verdict:
        """May `key` try now? Refused while it (or everyone together) is at its limit."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            mine = self._by_key.get(key)
            if mine is not None and len(mine) >= self.per_key:
                return Verdict(False, self._wait(mine[0], now), "address")
            if len(self._all) >= self.total:
                return Verdict(False, self._wait(self._all[0], now), "global")
            return Verdict(True)

    def failed(self, key: str) -> None:
        """Count one failure (a wrong, used or expired code) for `key`."""
        alerts: list[tuple[str, str, int]] = []
        with self._lock:
            now = self.clock()
            self._expire(now)
            if key not in self._by_key and len(self._by_key) >= MAX_TRACKED_KEYS:
                self._by_key.pop(next(iter(self._by_key)))  # the oldest address; the global limit still counts it
            mine = self._by_key.setdefault(key, deque())
            mine.append(now)
            self._all.append(now)
            if len(mine) >= self.per_key and f"address:{key}" not in self._alerted:
                self._alerted.add(f"address:{key}")
                alerts.append(("address", key, len(mine)))
            if len(self._all) >= self.total and "global" not in self._alerted:
                self._alerted.add("global")
                alerts.append(("global", key, len(self._all)))
        for scope, who, failures in alerts:
            self.on_alert(scope, who, failures)

    def _wait(self, oldest: float, now: float) -> int:
        return max(1, math.ceil(oldest + self.window_s - now))

    def _expire(self, now: float) -> None:
        horizon = now - self.window_s
        while self._all and self._all[0] <= horizon:
            self._all.popleft()
        if not self._all:
            self._alerted.discard("global")
        for key in [key for key, times in self._by_key.items() if times and times[-1] <= horizon]:
            del self._by_key[key]
            self._alerted.discard(f"address:{key}")
        for times in self._by_key.values():
            while times and times[0] <= horizon:
                times.popleft()


@dataclass
class _Bucket:
    items: float
    bytes: float
    at: float


@dataclass
class InboxQuota:
    """Per-terminal token buckets for uploads: `items_per_minute` (bursts of twice that) and `bytes_per_hour`
    (bursts of one hour's worth). A request that doesn't fit is refused with the seconds until it would.

    Charged when the request arrives, whatever its outcome: reading and checking a body is the cost
    being limited. An honest terminal sends a heartbeat every few minutes and a few ratings a day,
    so only a backlog after a long outage ever meets the limit, and the sender then waits it out.
    """

    items_per_minute: float = 60.0
    bytes_per_hour: float = 4 * 1024 * 1024
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def burst_items(self) -> float:
        return 2 * self.items_per_minute

    @property
    def burst_bytes(self) -> float:
        return self.bytes_per_hour

    def charge(self, terminal_id: str, body_bytes: int) -> Verdict:
        """Take one item and `body_bytes` from the terminal's buckets, or refuse (taking nothing)."""
        with self._lock:
            now = self.clock()
            bucket = self._refilled(terminal_id, now)
            wait_s = 0.0
            if bucket.items < 1:
                wait_s = (1 - bucket.items) * 60 / self.items_per_minute
                scope = "items"
            elif bucket.bytes < body_bytes:
                wait_s = (min(body_bytes, self.burst_bytes) - bucket.bytes) * 3600 / self.bytes_per_hour
                scope = "bytes"
            if wait_s > 0:
                return Verdict(False, max(1, math.ceil(wait_s)), scope)
            bucket.items -= 1
            bucket.bytes -= body_bytes
            return Verdict(True)

    def _refilled(self, terminal_id: str, now: float) -> _Bucket:
        bucket = self._buckets.get(terminal_id)
        if bucket is None:
            if len(self._buckets) >= MAX_TRACKED_KEYS:
                self._forget_full(now)
            bucket = self._buckets[terminal_id] = _Bucket(self.burst_items, self.burst_bytes, now)
            return bucket
        elapsed = max(0.0, now - bucket.at)
        bucket.items = min(self.burst_items, bucket.items + elapsed * self.items_per_minute / 60)
        bucket.bytes = min(self.burst_bytes, bucket.bytes + elapsed * self.bytes_per_hour / 3600)
        bucket.at = now
        return bucket

    def _forget_full(self, now: float) -> None:
        """Drop terminals whose buckets have refilled completely: a new bucket starts full, so nothing is lost."""
        refill_s = max(self.burst_items * 60 / self.items_per_minute, self.burst_bytes * 3600 / self.bytes_per_hour)
        for key in [key for key, bucket in self._buckets.items() if now - bucket.at >= refill_s]:
            del self._buckets[key]
        if len(self._buckets) >= MAX_TRACKED_KEYS:
            self._buckets.pop(next(iter(self._buckets)))
