"""Staff mode's locks without the screens: the PIN (an Argon2id hash), and the throttle on wrong PINs.

A terminal stands in a public hall, so the way into staff mode must hold against a patient guesser
with one finger and all afternoon. The PIN is 6–8 digits and only its Argon2id hash is kept
(argon2-cffi 25.1, its RFC 9106 low-memory profile), in ``staff.json`` in the data folder (0600).
Wrong PINs are throttled with growing delays and, at :data:`LOCK_AFTER` in a row, locked for
:data:`LOCK_S` (doubling with each lock after that); the count and the time live in
``staff-lockout.json`` (0600), written through ``write_atomic``, so pulling the plug does not
reset them. Every wrong PIN, every lock and every way in is logged (``kiosk.staff``).

The county can reset a forgotten PIN: a ``terminal_profile`` from the signed feed may carry
``staff.pin_hash`` (only a hash; ``kiosk/settings.py`` lets no one but the portal set it). A
hash the county sends that differs from the one it had sent when staff last set a PIN here
wins; a PIN set here afterwards wins over it again. A new hash, from either side, clears the
lockout, which counted guesses against the old one.

Times are the terminal's wall clock (``kiosk/clock.py``), since a lockout must survive a restart;
a clock set back never shortens one (the wait counts from the later of now and the last failure).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.files import write_atomic

log = logging.getLogger("kiosk.staff")

PIN_FILE = "staff.json"
LOCKOUT_FILE = "staff-lockout.json"
PIN_DIGITS = (6, 8)
LOCK_AFTER = 5  # wrong PINs in a row that lock the pad
LOCK_S = 15 * 60  # the first lock; each further wrong PIN after it doubles the wait
MAX_LOCK_S = 24 * 3600
DELAYS_S = (0, 0, 5, 15, 30)  # the wait after 1, 2, 3, 4 wrong PINs (index = failures)
IDLE_LOCK_S = 120  # a staff session locks itself after this long without a touch

_HASHER = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def check_pin(pin: str) -> str | None:
    """What was expected, or None if ``pin`` may be a staff PIN."""
    low, high = PIN_DIGITS
    if not (pin.isascii() and pin.isdigit() and low <= len(pin) <= high):
        return f"{low} to {high} digits"
    return None


def hash_pin(pin: str) -> str:
    expected = check_pin(pin)
    if expected:
        raise ValueError(f"staff PIN: expected {expected} (found {len(pin)} characters)")
    return _HASHER.hash(pin)


def is_pin_hash(value: str) -> bool:
    return value.startswith("$argon2id$")


def delay_after(failures: int) -> int:
    """Seconds the pad waits after ``failures`` wrong PINs in a row."""
    if failures < LOCK_AFTER:
        return DELAYS_S[max(0, failures)]
    return min(MAX_LOCK_S, LOCK_S * 2 ** (failures - LOCK_AFTER))


@dataclass(frozen=True)
class Attempt:
    """What one try at the pad came to."""

    ok: bool
    failures: int = 0  # wrong PINs in a row, this one included
    wait_s: int = 0  # before the next try is taken
    locked: bool = False  # LOCK_AFTER or more in a row
    no_pin: bool = False  # no PIN set on this terminal: nothing opens


class StaffLock:
    """The PIN and the throttle of one terminal's data folder.

    ``portal_hash`` reads the ``staff.pin_hash`` setting as it is now (``lambda: terminal.settings[...]``),
    ``now`` the terminal's clock. Reading files that are missing or damaged never raises: a damaged
    lockout file counts as locked (:data:`LOCK_AFTER` failures when it was written), not as no lockout.
    """

    def __init__(self, data_dir: Path, portal_hash: Callable[[], str], now: Callable[[], dt.datetime]) -> None:
        self.pin_path = Path(data_dir) / PIN_FILE
        self.lockout_path = Path(data_dir) / LOCKOUT_FILE
        self.portal_hash = portal_hash
        self.now = now

    # ------------------------------------------------------------------ the PIN
    def _pin_file(self) -> dict[str, Any]:
        try:
            data = json.loads(self.pin_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            log.error("%s: expected a JSON object with pin_hash (found %s); no local staff PIN", self.pin_path, exc)
            return {}
        return data if isinstance(data, dict) else {}

    def current_hash(self) -> tuple[str, str]:
        """(hash, where from: "terminal" or "county"), or ("", "") when no PIN is set."""
        local = self._pin_file()
        portal = self.portal_hash() or ""
        mine = local.get("pin_hash") if isinstance(local.get("pin_hash"), str) else ""
        if portal and (not mine or portal != local.get("over_portal_hash", "")):
            return portal, "county"
        return (mine, "terminal") if mine else ("", "")

    def set_pin(self, pin: str) -> None:
        """A new PIN set on this terminal (``kiosk staff set-pin``, enrolment); it clears the lockout."""
        record = {"pin_hash": hash_pin(pin), "over_portal_hash": self.portal_hash() or "",
                  "set_at": self.now().isoformat(timespec="seconds")}
        write_atomic(self.pin_path, json.dumps(record, indent=2, sort_keys=True), mode=0o600)
        self._write_lockout(0, None, record["pin_hash"])
        log.info("staff PIN set on this terminal")

    # ------------------------------------------------------------------ the throttle
    def _lockout(self, current: str) -> tuple[int, dt.datetime | None]:
        try:
            data = json.loads(self.lockout_path.read_text(encoding="utf-8"))
            failures, last = int(data["failures"]), data["last_failure"]
            last_at = dt.datetime.fromisoformat(last) if last else None
            if data.get("pin_hash", "") != current:
                return 0, None  # a new PIN (here or from the county): guesses at the old one no longer count
            return max(0, failures), last_at
        except FileNotFoundError:
            return 0, None
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            log.error("%s: expected failures and last_failure (found %s); counted as locked since it was written", self.lockout_path, exc)
            try:
                return LOCK_AFTER, dt.datetime.fromtimestamp(self.lockout_path.stat().st_mtime, tz=dt.UTC)
            except OSError:
                return LOCK_AFTER, self.now()

    def _write_lockout(self, failures: int, last: dt.datetime | None, current: str) -> None:
        record = {"failures": failures, "last_failure": last.isoformat(timespec="seconds") if last else "", "pin_hash": current}
        write_atomic(self.lockout_path, json.dumps(record, indent=2, sort_keys=True), mode=0o600)

    def wait_s(self) -> int:
        """Seconds before the pad takes another try (0 = now)."""
        current, _ = self.current_hash()
        failures, last = self._lockout(current)
        if not failures or last is None:
            return 0
        now = self.now()
        since = max(0.0, (now - last).total_seconds())  # a clock set back waits the whole delay again, never less
        return max(0, int(delay_after(failures) - since + 0.999))

    def failures(self) -> int:
        return self._lockout(self.current_hash()[0])[0]

    def locked(self) -> bool:
        return self.failures() >= LOCK_AFTER and self.wait_s() > 0

    def try_pin(self, pin: str) -> Attempt:
        """Check one PIN. While a wait is running nothing is checked, and that try is not counted."""
        current, source = self.current_hash()
        if not current:
            log.warning("staff PIN tried, but none is set on this terminal (kiosk staff set-pin)")
            return Attempt(False, no_pin=True)
        failures, _ = self._lockout(current)
        wait = self.wait_s()
        if wait:
            return Attempt(False, failures, wait, failures >= LOCK_AFTER)
        try:
            _HASHER.verify(current, pin)
        except (VerificationError, InvalidHashError):
            failures += 1
            self._write_lockout(failures, self.now(), current)
            attempt = Attempt(False, failures, delay_after(failures), failures >= LOCK_AFTER)
            if attempt.locked:
                log.warning("staff PIN pad locked for %d s after %d wrong PINs in a row", attempt.wait_s, failures)
            else:
                log.warning("wrong staff PIN (%d in a row); next try in %d s", failures, attempt.wait_s)
            return attempt
        if failures:
            self._write_lockout(0, None, current)
        log.info("staff mode opened (PIN set by the %s)", source)
        return Attempt(True)


class RecentLog(logging.Handler):
    """The last warnings and errors this program logged, for the staff panel's 近期记录 (kept in memory only).

    Installed once on the root logger by the window (``ui/staff.py``); a line is the time on the
    terminal's clock, the part of the program, and the message, as staff would read it in the journal.
    """

    def __init__(self, keep: int = 50) -> None:
        super().__init__(logging.WARNING)
        from collections import deque

        self.lines: deque[str] = deque(maxlen=keep)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            when = dt.datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
            self.lines.append(f"{when} {record.name}: {record.getMessage()}")
        except Exception:  # a log line must never break the program that logs it
            self.handleError(record)

    def last(self, count: int) -> list[str]:
        return list(self.lines)[-count:][::-1]


_RECENT: RecentLog | None = None


def recent_log() -> RecentLog:
    """The one RecentLog of this process, on the root logger from the first call on."""
    global _RECENT
    if _RECENT is None:
        _RECENT = RecentLog()
        logging.getLogger().addHandler(_RECENT)
    return _RECENT
