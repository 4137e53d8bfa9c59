"""Issue 12, item 14: enrolment codes can't be guessed, recovered from the database, or read off the disk.

Attacks, from the village network and from a copy of the portal's files:
- guessing: before the fix 4,000 wrong codes were answered at about 1,000/s, never a 429;
- the database: codes were stored as unsalted sha256 of 8 symbols (40 bits), so a live code was
  recovered from its hash by trying them all; the state folder was 0755 and the database 0644;
- the terminal's own data folder (its token, the sealed outbox) was readable by every local user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

from sync.portal.models import CODE_ALPHABET, normalize_code
from tests.helpers.clock import TEST_ENV
from tests.helpers.paths import ROOT
from tests.security.conftest import ServedPortal

MAX_GUESSES = 300  # the attack gives up here; a throttle must have answered 429 long before
PER_ADDRESS_FAILURES = 10  # the portal's default


def guess(served: ServedPortal, code: str) -> requests.Response:
    return requests.post(f"{served.base_url}/api/v1/enroll", json={"code": code}, timeout=10)


def wrong_code(i: int) -> str:
    return f"ZZZZ-ZZZZ-{i:04d}".replace("0", "A").replace("1", "B")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_guessing_codes_from_one_address_is_answered_429_with_an_alert(served_portal: ServedPortal) -> None:
    real = served_portal.issue_code()
    started = time.monotonic()
    statuses = []
    for i in range(MAX_GUESSES):
        statuses.append(guess(served_portal, wrong_code(i)).status_code)
        if statuses[-1] != 403:
            break
    elapsed = time.monotonic() - started
    refused = statuses.count(403)
    print(f"{refused} wrong codes answered 403 in {elapsed:.2f} s ({refused / elapsed:.0f}/s), then {statuses[-1]}")
    assert statuses[-1] == 429, f"expected a 429 within {MAX_GUESSES} guesses (found {refused} answers of 403 and no 429)"
    assert refused == PER_ADDRESS_FAILURES, f"expected {PER_ADDRESS_FAILURES} failures before the 429 (found {refused})"
    throttled = guess(served_portal, real)  # even the right code waits: otherwise the guessing goes on
    assert throttled.status_code == 429
    assert 0 < int(throttled.headers["Retry-After"]) <= 900
    assert throttled.json()["error"] and throttled.json()["error_zh"]
    deadline = time.monotonic() + 5
    while "ALERT" not in served_portal.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "ALERT" in served_portal.log() and "enrolment" in served_portal.log()


def test_guessing_from_many_addresses_is_throttled_globally(served_portal_factory: Callable[..., ServedPortal]) -> None:
    # One test address stands for many: the per-address limit is set out of reach, the global one low.
    served = served_portal_factory("--enroll-max-failures-per-address", "1000", "--enroll-max-failures", "25")
    statuses = [guess(served, wrong_code(i)).status_code for i in range(40)]
    assert statuses[:25] == [403] * 25 and set(statuses[25:]) == {429}, statuses
    assert "ALERT" in served.log() and "all addresses" in served.log()


def test_codes_are_long_enough_and_stored_as_keyed_hmacs(served_portal: ServedPortal) -> None:
    code = served_portal.issue_code()
    symbols = normalize_code(code)
    bits = len(symbols) * math.log2(len(CODE_ALPHABET))
    assert bits >= 55, f"expected at least 55 bits in a code (found {len(symbols)} symbols, {bits:.1f} bits: {code})"
    key_file = served_portal.state_dir / "enrolment_code.key"
    assert key_file.exists() and mode(key_file) == 0o600
    key = base64.b64decode(key_file.read_text().strip())
    with sqlite3.connect(served_portal.state_dir / "portal.sqlite") as raw:
        (stored,) = raw.execute("SELECT code_sha256 FROM enrolment_code").fetchone()
    assert stored != hashlib.sha256(symbols.encode()).hexdigest(), "the code is stored as its plain sha256"
    assert stored == hmac.new(key, symbols.encode(), hashlib.sha256).hexdigest()
    assert guess(served_portal, code.lower()).status_code == 201  # still typed any way staff like


def test_the_state_folder_and_database_are_private(served_portal_factory: Callable[..., ServedPortal], tmp_path: Path) -> None:
    state = tmp_path / "old-state"
    state.mkdir(mode=0o755)
    os.chmod(state, 0o755)  # as an older portal (or a umask of 022) left it
    (state / "portal.sqlite").touch()
    os.chmod(state / "portal.sqlite", 0o644)
    served = served_portal_factory(state_dir=state)
    served.enroll()
    assert mode(state) == 0o700, f"state folder is {oct(mode(state))}"
    for name in ("portal.sqlite", "portal.sqlite-wal", "portal.sqlite-shm", "portal_box.key", "enrolment_code.key"):
        if (state / name).exists():
            assert mode(state / name) == 0o600, f"{name} is {oct(mode(state / name))}"
    fresh = served_portal_factory()
    assert mode(fresh.state_dir) == 0o700 and mode(fresh.state_dir / "portal.sqlite") == 0o600


def test_the_terminal_data_folder_is_private(tmp_path: Path) -> None:
    for data_dir in (tmp_path / "new-terminal", tmp_path / "old-terminal"):
        if data_dir.name.startswith("old"):
            data_dir.mkdir(mode=0o755)
            os.chmod(data_dir, 0o755)
        subprocess.run([sys.executable, "-m", "app.main", "info", "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True,
                       text=True, timeout=120, env={**os.environ, **TEST_ENV})
        assert data_dir.is_dir() and mode(data_dir) == 0o700, f"{data_dir.name} is {oct(mode(data_dir))}"


def test_an_enrolment_code_for_a_region_in_full_width_digits_is_refused(tmp_path: Path) -> None:
    """`\\d` matches ９９０１２１… too: a code for a region no terminal's channels can match (issue 12, item 8's portal side)."""
    state = tmp_path / "state"
    full_width = "９９０１２１１０１２０１"
    result = subprocess.run([str(ROOT / ".venv" / "bin" / "kiosk-portal"), "--state-dir", str(state), "enroll-code",
                             "--region", full_width, "--name", "桃源村便民服务站自助终端", "--feed", str(tmp_path)],
                            capture_output=True, text=True, timeout=60, env={**os.environ, **TEST_ENV})
    assert result.returncode == 2, result.stdout + result.stderr
    assert "12-digit region code" in result.stderr and "Traceback" not in result.stderr
    ok = subprocess.run([str(ROOT / ".venv" / "bin" / "kiosk-portal"), "--state-dir", str(state), "enroll-code",
                         "--region", "990121101201", "--name", "桃源村便民服务站自助终端", "--feed", str(tmp_path)],
                        capture_output=True, text=True, timeout=60, env={**os.environ, **TEST_ENV})
    assert ok.returncode == 0, ok.stderr
