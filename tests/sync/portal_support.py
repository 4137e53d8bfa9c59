"""Helpers for the upload tests: the reference portal on 127.0.0.1 (in-process or as a process) and a stub HTTP server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import requests

from sync.portal.app import ThreadedServer, create_app
from sync.portal.models import PortalDB, issue_enrolment_code, load_code_key, open_db

ROOT = Path(__file__).resolve().parents[2]
VILLAGE = "990121101201"
FAKE_ROOT = {"signed": {"_type": "root", "version": 1, "spec_version": "1.0.31", "expires": "2030-01-01T00:00:00Z", "keys": {}, "roles": {}},
             "signatures": []}


@dataclass
class PortalDirs:
    base: Path

    @property
    def feed(self) -> Path:
        return self.base / "feed"

    @property
    def keys(self) -> Path:
        return self.base / "keys"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.base / 'portal.sqlite'}"

    def prepare(self) -> PortalDirs:
        (self.feed / "metadata").mkdir(parents=True, exist_ok=True)
        (self.feed / "metadata" / "1.root.json").write_text(json.dumps(FAKE_ROOT))
        self.keys.mkdir(parents=True, exist_ok=True)
        return self

    def db(self) -> PortalDB:
        return open_db(self.db_url)

    def code(self, name: str = "桃源村便民服务站") -> str:
        db = self.db()
        try:
            return issue_enrolment_code(db, VILLAGE, name, code_key=load_code_key(self.keys))
        finally:
            db.close()


@dataclass
class RunningPortal:
    dirs: PortalDirs
    url: str


@contextmanager
def portal_in_thread(base: Path) -> Iterator[RunningPortal]:
    """The real portal app served by waitress on a free loopback port."""
    dirs = PortalDirs(base).prepare()
    app = create_app(dirs.feed, dirs.db_url, dirs.keys)
    with ThreadedServer(app) as server:
        yield RunningPortal(dirs, server.url)


def portal_cli(dirs: PortalDirs) -> list[str]:
    """`kiosk-portal` as staff run it, against this portal's database and key folder."""
    return [str(ROOT / ".venv" / "bin" / "kiosk-portal"), "--state-dir", str(dirs.keys), "--db", dirs.db_url]


def run_portal_cli(dirs: PortalDirs, *args: str) -> str:
    result = subprocess.run([*portal_cli(dirs), *args], cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PortalProcess:
    """`kiosk-portal serve` as a separate process on a fixed port, so it can be killed and started again."""

    def __init__(self, dirs: PortalDirs, port: int, log_path: Path) -> None:
        self.dirs, self.port, self.log_path = dirs, port, log_path
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        # One terminal delivers a thousand items within a minute here: far past the per-terminal inbox quota,
        # which tests/security/test_portal_inbox_quota.py tests on its own.
        return [*portal_cli(self.dirs), "serve", "--feed", str(self.dirs.feed), "--host", "127.0.0.1", "--port", str(self.port),
                "--inbox-max-items-per-minute", "100000"]

    def start(self, timeout: float = 20, *, wait: bool = True) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        if not wait:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"portal exited with {self.process.returncode}: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"portal did not come up on {self.url}: {self.log_path.read_text(errors='replace')[-2000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class Canned:
    status: int
    body: bytes
    headers: dict[str, str]


@contextmanager
def stub_server(answer: Callable[[str, bytes], Canned]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A plain HTTP server on loopback answering every request with ``answer(path, body)``; yields (url, requests seen)."""
    seen: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            seen.append({"path": self.path, "headers": dict(self.headers), "body": body})
            canned = answer(self.path, body)
            self.send_response(canned.status)
            for name, value in canned.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(canned.body)))
            self.end_headers()
            self.wfile.write(canned.body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)

