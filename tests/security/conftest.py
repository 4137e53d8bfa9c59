"""A real `kiosk-portal serve` for each attack test: its own process on 127.0.0.1, a SQLite file, a state folder.

The attack tests (issue 12) talk to the portal only over real sockets, as an outsider would, and
use the staff command line for what staff do (enrolment codes, `terminals`). Every server is a
child of the test and is stopped (SIGTERM, then SIGKILL) when the test ends.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.helpers.paths import ROOT

VILLAGE = "990121101201"
STARTUP_TIMEOUT_S = 30


@dataclass
class ServedPortal:
    """One `kiosk-portal serve` process and the folders it was started with."""

    base_url: str
    port: int
    state_dir: Path
    feed_dir: Path
    db_url: str
    process: subprocess.Popen[bytes]
    stdout_path: Path
    stderr_path: Path
    env: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """`kiosk-portal` against this portal's database and state folder, as staff run it."""
        result = subprocess.run(
            [sys.executable, "-m", "sync.portal.cli", "--db", self.db_url, "--state-dir", str(self.state_dir), *args],
            cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=self.env or None,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def issue_slip(self, name: str = "青山村村委会大厅", region: str = VILLAGE) -> dict[str, Any]:
        """What `kiosk-portal enroll-code --json` prints: the code and the root fingerprint (None before a feed is published)."""
        return json.loads(self.cli("enroll-code", "--region", region, "--name", name, "--feed", str(self.feed_dir), "--json").stdout)

    def issue_code(self, name: str = "青山村村委会大厅", region: str = VILLAGE) -> str:
        return str(self.issue_slip(name, region)["code"])

    def enroll(self, name: str = "青山村村委会大厅") -> dict[str, Any]:
        response = requests.post(f"{self.base_url}/api/v1/enroll", json={"code": self.issue_code(name)}, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def log(self) -> str:
        """What the server wrote to stderr so far (waitress and the portal's logging)."""
        return self.stderr_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)


def start_served_portal(base: Path, *serve_args: str, state_dir: Path | None = None, feed_dir: Path | None = None,
                        env: dict[str, str] | None = None) -> ServedPortal:
    """Start `kiosk-portal serve --port 0` and wait until it prints its port and answers /healthz."""
    state_dir = state_dir or base / "portal-state"
    feed_dir = feed_dir or base / "feed"
    feed_dir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{state_dir / 'portal.sqlite'}"
    stdout_path, stderr_path = base / "serve.stdout", base / "serve.stderr"
    full_env = {**os.environ, **(env or {})}
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "sync.portal.cli", "--state-dir", str(state_dir), "serve", "--feed", str(feed_dir), "--port", "0",
             *serve_args],
            cwd=ROOT, stdout=out, stderr=err, env=full_env,
        )
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    port = 0
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kiosk-portal serve exited with {process.returncode}: {stderr_path.read_text(errors='replace')[-3000:]}")
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", stdout_path.read_text(errors="replace"))
        if match:
            port = int(match.group(1))
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
        time.sleep(0.05)
    else:
        process.kill()
        process.wait(timeout=15)
        raise RuntimeError(f"kiosk-portal serve did not come up: {stderr_path.read_text(errors='replace')[-3000:]}")
    return ServedPortal(f"http://127.0.0.1:{port}", port, state_dir, feed_dir, db_url, process, stdout_path, stderr_path, full_env)


@pytest.fixture
def served_portal_factory(tmp_path: Path) -> Iterator[Callable[..., ServedPortal]]:
    """Start portals with chosen `serve` options; all of them are stopped when the test ends."""
    started: list[ServedPortal] = []

    def start(*serve_args: str, **kwargs: Any) -> ServedPortal:
        base = tmp_path / f"portal-{len(started)}"
        base.mkdir()
        served = start_served_portal(base, *serve_args, **kwargs)
        started.append(served)
        return served

    try:
        yield start
    finally:
        for served in started:
            served.stop()


@pytest.fixture
def served_portal(served_portal_factory: Callable[..., ServedPortal]) -> ServedPortal:
    """`kiosk-portal serve` with its defaults, as a county would run it."""
    return served_portal_factory()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
