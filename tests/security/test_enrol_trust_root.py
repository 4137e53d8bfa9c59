"""Issue 12, item 3: the trust root and the sealing key arrive in the enrolment answer, so who answers matters.

Before: `kiosk enroll` accepted `http://` portals anywhere (its own message said https was
required) and anchored whatever root the answer carried. A man in the middle at installation
owned the terminal's content and could read its sealed requests. Now: https only, except
loopback, and the root must have the fingerprint printed on the enrolment code slip
(`kiosk-portal enroll-code`), or nothing is written. Real `kiosk-portal serve` processes on
127.0.0.1; the remote-host refusals are shown by a recording proxy that no connection reaches.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.clock import TEST_ENV
from tests.helpers.paths import ROOT
from tests.security.conftest import ServedPortal

KIOSK = [sys.executable, "-m", "app.main"]
GENUINE_ROOT = b'{"signatures": [], "signed": {"_type": "root", "version": 1, "keys": {"county": "genuine"}}}'
ROGUE_ROOT = b'{"signatures": [], "signed": {"_type": "root", "version": 1, "keys": {"county": "rogue"}}}'


def kiosk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KIOSK, *args, "--data-dir", str(data)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **TEST_ENV})


def published(portal: ServedPortal, root: bytes) -> ServedPortal:
    (portal.feed_dir / "metadata").mkdir(parents=True, exist_ok=True)
    (portal.feed_dir / "metadata" / "1.root.json").write_bytes(root)
    return portal


def nothing_written(data: Path) -> bool:
    """No credentials, no root, no enrolment in the local settings (the file holds only what the test set itself)."""
    settings = json.loads((data / "settings.json").read_text()) if (data / "settings.json").exists() else {}
    return (not (data / "credentials.json").exists() and not (data / "sync" / "root.json").exists()
            and not {"sync.portal_url", "terminal.id", "terminal.region", "terminal.name"} & set(settings))


@pytest.fixture
def recording_proxy() -> Iterator[tuple[str, list[bytes]]]:
    """A listener on 127.0.0.1 used as the terminal's proxy: every connection the terminal opens arrives here."""
    seen: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    seen.append(conn.recv(4096))
                except OSError:
                    seen.append(b"")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def test_a_remote_portal_over_plain_http_is_refused_before_any_connection(tmp_path: Path,
                                                                          recording_proxy: tuple[str, list[bytes]]) -> None:
    proxy, seen = recording_proxy
    data = tmp_path / "terminal"
    assert kiosk(data, "config", "set", "sync.proxy", proxy).returncode == 0
    # The proxy really is used: a refusal below is the check, not a terminal that could not have connected anyway.
    probe = kiosk(data, "enroll", "--portal", "http://127.0.0.1:9", "--code", "K7QM-3XHP-ABCD")
    assert probe.returncode == 5 and len(seen) == 1, (probe.stderr, seen)
    seen.clear()

    plain = kiosk(data, "enroll", "--portal", "http://portal.example.gov.cn", "--code", "K7QM-3XHP-ABCD")
    assert plain.returncode == 2, (plain.returncode, plain.stderr)  # before: exit 5 after the code went to the proxy
    assert "must be https://" in plain.stderr and "found 'http://portal.example.gov.cn'" in plain.stderr
    assert "127.0.0.1, ::1, localhost" in plain.stderr and "Traceback" not in plain.stderr
    with_fingerprint = kiosk(data, "enroll", "--portal", "http://portal.example.gov.cn/", "--code", "K7QM-3XHP-ABCD",
                             "--root-fingerprint", "0" * 64)
    assert with_fingerprint.returncode == 2 and "must be https://" in with_fingerprint.stderr, with_fingerprint.stderr
    no_fingerprint = kiosk(data, "enroll", "--portal", "https://portal.example.gov.cn", "--code", "K7QM-3XHP-ABCD")
    assert no_fingerprint.returncode == 2, no_fingerprint.stderr
    assert "enrolment code slip" in no_fingerprint.stderr and "--root-fingerprint" in no_fingerprint.stderr
    assert seen == [], "the code must not leave the terminal"
    assert nothing_written(data)


def test_a_man_in_the_middle_with_its_own_root_is_refused_and_nothing_is_written(
        tmp_path: Path, served_portal_factory: Callable[..., ServedPortal]) -> None:
    county = published(served_portal_factory(), GENUINE_ROOT)
    slip = county.issue_slip("青山村村委会大厅")
    assert slip["root_fingerprint"].replace(" ", "") == hashlib.sha256(GENUINE_ROOT).hexdigest()
    # The man in the middle: a real portal of its own, answering the terminal's enrolment with its root and sealing key.
    middle = published(served_portal_factory(), ROGUE_ROOT)
    data = tmp_path / "terminal"
    attacked = kiosk(data, "enroll", "--portal", middle.base_url, "--code", middle.issue_code(), "--root-fingerprint", slip["root_fingerprint"])
    assert attacked.returncode == 5, (attacked.returncode, attacked.stdout, attacked.stderr)
    assert "does not match the enrolment code slip" in attacked.stderr and "nothing was saved" in attacked.stderr
    assert slip["root_fingerprint"] in attacked.stderr  # expected …
    rogue = hashlib.sha256(ROGUE_ROOT).hexdigest()
    assert " ".join(rogue[i:i + 8] for i in range(0, 64, 8)) in attacked.stderr  # … found …
    assert nothing_written(data)

    # The real portal, with the slip's fingerprint typed as staff might (upper case, colons): enrolled, these exact bytes anchored.
    typed = ":".join(slip["root_fingerprint"].upper().split())
    good = kiosk(data, "enroll", "--portal", county.base_url, "--code", slip["code"], "--root-fingerprint", typed)
    assert good.returncode == 0, good.stderr
    assert f"trust root {slip['root_fingerprint']}" in good.stdout
    assert (data / "sync" / "root.json").read_bytes() == GENUINE_ROOT
    assert json.loads((data / "credentials.json").read_text())["portal_url"] == county.base_url


def test_a_shortened_or_mistyped_fingerprint_is_refused_before_the_code_is_spent(
        tmp_path: Path, served_portal: ServedPortal) -> None:
    county = published(served_portal, GENUINE_ROOT)
    slip = county.issue_slip()
    data = tmp_path / "terminal"
    short = kiosk(data, "enroll", "--portal", county.base_url, "--code", slip["code"],
                  "--root-fingerprint", " ".join(slip["root_fingerprint"].split()[:2]))
    assert short.returncode == 2 and "all 64 hex digits" in short.stderr and "found 16" in short.stderr, short.stderr
    wrong_letter = kiosk(data, "enroll", "--portal", county.base_url, "--code", slip["code"],
                         "--root-fingerprint", "g" + slip["root_fingerprint"][1:])
    assert wrong_letter.returncode == 2 and "hex digits" in wrong_letter.stderr and "'g'" in wrong_letter.stderr
    assert nothing_written(data)
    good = kiosk(data, "enroll", "--portal", county.base_url, "--code", slip["code"], "--root-fingerprint", slip["root_fingerprint"])
    assert good.returncode == 0, good.stderr  # the code was not spent by the refusals


def test_a_fingerprint_with_no_root_in_the_answer_is_refused(tmp_path: Path, served_portal: ServedPortal) -> None:
    """A portal that sends no root cannot be checked against the slip: refused, not enrolled without an anchor."""
    data = tmp_path / "terminal"
    result = kiosk(data, "enroll", "--portal", served_portal.base_url, "--code", served_portal.issue_code(),
                   "--root-fingerprint", hashlib.sha256(GENUINE_ROOT).hexdigest())
    assert result.returncode == 5 and "sent no trust root" in result.stderr, result.stderr
    assert nothing_written(data)
