"""The terminal's one wall clock, so that tests and demos choose what "now" is.

Why: notice expiry, "this year's" payments, sync staleness, the print queue's local day, receipts
and the idle screen all ask what time it is. When each asks ``datetime.now()`` on its own, a test
passes or fails with the calendar (two did, on 2026-12-03, when a demo notice expired). Every
long-lived part therefore takes a :data:`Clock` from the composition root (``Terminal.clock``),
and tests hand it a clock they set.

``KIOSK_NOW`` (an ISO 8601 instant with an offset, e.g. ``2026-11-21T10:00:00+08:00``) starts the
clock of a ``kiosk`` process at that instant, after which it runs normally. Tests use it for the
command-line processes they start; staff can use it to show the demo "as of" a day. It changes
only what this process believes, never the system clock. python-tuf checks metadata expiry against
the system clock, so ``KIOSK_NOW`` does not fool signature expiry (``docs/ARCHITECTURE.md``).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Mapping

Clock = Callable[[], dt.datetime]
"""Returns the current instant as an aware datetime (any offset; callers convert)."""

ENV_VAR = "KIOSK_NOW"


def system_clock() -> dt.datetime:
    """The machine's clock, in UTC."""
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError(f"expected an aware datetime with an offset (found naive {moment.isoformat()})")
    return moment


def fixed_clock(moment: dt.datetime) -> Clock:
    """A clock that always says ``moment`` (aware). For tests that must not see time pass."""
    _aware(moment)
    return lambda: moment


class SteppedClock:
    """A clock a test moves by hand: ``clock.advance(seconds=90)``."""

    def __init__(self, start: dt.datetime) -> None:
        self.moment = _aware(start)

    def __call__(self) -> dt.datetime:
        return self.moment

    def advance(self, **delta: float) -> dt.datetime:
        self.moment += dt.timedelta(**delta)
        return self.moment


def running_from(start: dt.datetime, monotonic: Callable[[], float] = time.monotonic) -> Clock:
    """A clock that starts at ``start`` and then runs at the machine's pace (monotonic)."""
    _aware(start)
    origin = monotonic()
    return lambda: start + dt.timedelta(seconds=monotonic() - origin)


def parse_instant(text: str) -> dt.datetime:
    """An ISO 8601 instant with an offset; a clear error otherwise."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{ENV_VAR}: expected an ISO 8601 instant such as 2026-11-21T10:00:00+08:00 (found {text!r})") from None
    if moment.tzinfo is None:
        raise ValueError(f"{ENV_VAR}: expected an instant with an offset such as +08:00 (found {text!r})")
    return moment


_started: dict[str, Clock] = {}  # one running clock per KIOSK_NOW value, so every part of a process agrees


def from_environment(env: Mapping[str, str] | None = None) -> Clock:
    """The process's clock: ``KIOSK_NOW`` if set (running from the first time it is read), else the system clock.

    Every caller in a process gets the same clock for the same value, so a Terminal made later (the
    sync scheduler's, a CLI command's) does not start again at ``KIOSK_NOW``.
    """
    value = (os.environ if env is None else env).get(ENV_VAR, "").strip()
    if not value:
        return system_clock
    if value not in _started:
        _started[value] = running_from(parse_instant(value))
    return _started[value]
