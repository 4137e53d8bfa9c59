"""The staff PIN and its throttle (kiosk/staff.py): a hash only, growing waits, a lockout that outlives a restart."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kiosk.clock import SteppedClock
from kiosk.settings import Settings
from kiosk.staff import LOCK_AFTER, LOCK_S, StaffLock, check_pin, delay_after, hash_pin
from tests.helpers.clock import TEST_NOW

PIN = "246810"


def make(folder: Path, clock: SteppedClock, portal: list[str] | None = None) -> StaffLock:
    portal = portal if portal is not None else [""]
    return StaffLock(folder, lambda: portal[0], clock)


def wrong_until_locked(lock: StaffLock, clock: SteppedClock) -> None:
    for _ in range(LOCK_AFTER):
        clock.advance(seconds=delay_after(lock.failures()))
        assert not lock.try_pin("000000").ok


def test_only_an_argon2id_hash_is_kept_in_a_private_file(tmp_path: Path) -> None:
    lock = make(tmp_path, SteppedClock(TEST_NOW))
    lock.set_pin(PIN)
    text = lock.pin_path.read_text(encoding="utf-8")
    assert PIN not in text and json.loads(text)["pin_hash"].startswith("$argon2id$")
    assert stat.S_IMODE(lock.pin_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(lock.lockout_path.stat().st_mode) == 0o600
    assert lock.try_pin(PIN).ok and not lock.try_pin("135790").ok


@pytest.mark.parametrize("pin", ["12345", "123456789", "12345a", "１２３４５６", ""])
def test_a_pin_is_six_to_eight_ascii_digits(pin: str) -> None:
    assert check_pin(pin) == "6 to 8 digits"
    with pytest.raises(ValueError, match="expected 6 to 8 digits"):
        hash_pin(pin)


def test_no_pin_set_opens_nothing(tmp_path: Path) -> None:
    attempt = make(tmp_path, SteppedClock(TEST_NOW)).try_pin(PIN)
    assert not attempt.ok and attempt.no_pin


def test_waits_grow_and_a_try_during_one_is_not_even_checked(tmp_path: Path) -> None:
    clock = SteppedClock(TEST_NOW)
    lock = make(tmp_path, clock)
    lock.set_pin(PIN)
    waits = []
    for _ in range(LOCK_AFTER):
        clock.advance(seconds=lock.wait_s())
        waits.append(lock.try_pin("000000").wait_s)
    assert waits == sorted(waits) and waits[-1] == LOCK_S and waits[1] < waits[2] < waits[3]
    clock.advance(seconds=60)
    refused = lock.try_pin(PIN)  # the right PIN, but the pad is locked: not checked, not counted
    assert not refused.ok and refused.locked and refused.wait_s == LOCK_S - 60 and lock.failures() == LOCK_AFTER


def test_the_lockout_outlives_a_restart_and_a_clock_set_back(tmp_path: Path) -> None:
    clock = SteppedClock(TEST_NOW)
    lock = make(tmp_path, clock)
    lock.set_pin(PIN)
    wrong_until_locked(lock, clock)
    again = make(tmp_path, SteppedClock(clock()))  # a new process on the same data folder
    assert again.locked() and not again.try_pin(PIN).ok
    back = SteppedClock(clock())
    back.advance(hours=-5)  # the clock set back never shortens the wait
    assert make(tmp_path, back).wait_s() == LOCK_S
    clock.advance(seconds=LOCK_S)
    assert lock.try_pin(PIN).ok and lock.failures() == 0


def test_a_wrong_pin_after_a_lock_doubles_it(tmp_path: Path) -> None:
    clock = SteppedClock(TEST_NOW)
    lock = make(tmp_path, clock)
    lock.set_pin(PIN)
    wrong_until_locked(lock, clock)
    clock.advance(seconds=LOCK_S)
    assert lock.try_pin("000000").wait_s == 2 * LOCK_S


def test_a_damaged_lockout_file_counts_as_locked(tmp_path: Path) -> None:
    clock = SteppedClock(TEST_NOW)
    lock = make(tmp_path, clock)
    lock.set_pin(PIN)
    lock.lockout_path.write_text("{broken", encoding="utf-8")
    assert lock.failures() == LOCK_AFTER


def test_the_countys_hash_resets_a_forgotten_pin_until_staff_set_a_new_one(tmp_path: Path) -> None:
    clock = SteppedClock(TEST_NOW)
    portal = [""]
    lock = make(tmp_path, clock, portal)
    lock.set_pin(PIN)
    wrong_until_locked(lock, clock)
    portal[0] = hash_pin("97531000")  # the county's signed profile brings a new hash
    assert lock.current_hash() == (portal[0], "county")
    assert not lock.locked() and lock.try_pin("97531000").ok and not lock.try_pin(PIN).ok  # guesses at the old one no longer count
    clock.advance(seconds=60)
    lock.set_pin("11223344")  # staff choose their own again
    assert lock.current_hash()[1] == "terminal" and lock.try_pin("11223344").ok


def test_only_the_portal_may_set_the_pin_hash_and_only_as_a_hash(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"staff.pin_hash": hash_pin(PIN)}), encoding="utf-8")
    local = Settings(path)
    assert local["staff.pin_hash"] == "" and "portal-only" in str(local.problems[0])
    with pytest.raises(ValueError, match="staff may change"):
        local.set_local("staff.pin_hash", hash_pin(PIN))
    pushed = Settings(tmp_path / "none.json", {"staff.pin_hash": "246810"})
    assert pushed["staff.pin_hash"] == "" and "Argon2id hash" in str(pushed.problems[0])
    assert Settings(tmp_path / "none.json", {"staff.pin_hash": hash_pin(PIN)})["staff.pin_hash"].startswith("$argon2id$")
