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
