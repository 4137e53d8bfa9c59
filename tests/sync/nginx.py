"""A private nginx for the sync tests: serves a directory at /feed/ on 127.0.0.1 with Range, If-Range and ETags."""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import NamedTuple, Self

NGINX_BIN = Path("/usr/sbin/nginx")

_CONF = """\
daemon off;
master_process on;
worker_processes 1;
{user}
pid "{work}/nginx.pid";
lock_file "{work}/nginx.lock";
error_log "{work}/error.log" info;

events {{
    worker_connections 256;
}}

http {{
    types {{
        application/json json;
        text/html html;
        text/plain txt;
    }}
    default_type application/octet-stream;

    log_format kiosk '"$request" $status "$http_range" "$http_if_range" $body_bytes_sent';
    access_log "{work}/access.log" kiosk;

    client_body_temp_path "{work}/client_body";
    proxy_temp_path "{work}/proxy";
    fastcgi_temp_path "{work}/fastcgi";
    uwsgi_temp_path "{work}/uwsgi";
    scgi_temp_path "{work}/scgi";

    sendfile on;
    etag on;
    gzip off;
    server_tokens off;
    keepalive_timeout 5s;

    server {{
        listen 127.0.0.1:{port};
        server_name _;

        location /feed/ {{
            alias "{root}/";
        }}

        location = /__ready__ {{
            access_log off;
            return 204;
        }}
    }}
}}
"""

_ESCAPE_RE = re.compile(r"\\x([0-9A-Fa-f]{2})")
_ACCESS_RE = re.compile(r'^"(?P<request>.*)" (?P<status>\d{3}) "(?P<range>.*)" "(?P<if_range>.*)" (?P<bytes>\d+)$')


class AccessLogEntry(NamedTuple):
    """One parsed access-log line ("-" means the header was absent)."""

    request: str
    status: int
    range: str
    if_range: str
    body_bytes_sent: int


def _unescape(value: str) -> str:
    """Undo nginx's \\xHH escaping of quotes and non-ASCII bytes in log fields."""
    raw = _ESCAPE_RE.sub(lambda m: chr(int(m[1], 16)), value)
    return raw.encode("latin-1", errors="replace").decode("utf-8", errors="replace")


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class NginxServer:
    """nginx in the foreground, every file it writes inside `workdir`; serves `root` at http://127.0.0.1:PORT/feed/."""

    def __init__(self, root: Path | str, workdir: Path | str | None = None, *, binary: Path | str = NGINX_BIN, start_timeout: float = 10.0) -> None:
        self.root = Path(root).resolve()
        self.binary = Path(binary)
        self.start_timeout = start_timeout
        self._own_workdir = workdir is None
        self.workdir = Path(tempfile.mkdtemp(prefix="kiosk-nginx-")) if workdir is None else Path(workdir).resolve()
        self.port: int | None = None
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def origin(self) -> str:
        """http://127.0.0.1:PORT (no path)."""
        if self.port is None:
            raise RuntimeError("nginx is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT/feed — the feed root, as the reference portal lays it out."""
        return self.origin + "/feed"

    @property
    def access_log(self) -> Path:
        return self.workdir / "access.log"

    @property
    def error_log(self) -> Path:
        return self.workdir / "error.log"

    def url(self, rel: str) -> str:
        """URL of a file relative to the root."""
        return f"{self.base_url}/{rel.lstrip('/')}"

    def start(self, attempts: int = 5) -> str:
        """Start nginx on a free port (retrying on EADDRINUSE) and wait until it answers; return the base URL."""
        if self.proc is not None:
            raise RuntimeError("nginx already started")
        if not self.binary.exists():
            raise FileNotFoundError(self.binary)
        self.root.mkdir(parents=True, exist_ok=True)
        self.workdir.mkdir(parents=True, exist_ok=True)
        last = ""
        for _ in range(attempts):
            port = free_port()
            conf = self.workdir / "nginx.conf"
            user = "user root root;" if os.geteuid() == 0 else ""  # pytest's tmp dirs are 0700: workers must read them
            conf.write_text(_CONF.format(user=user, work=self.workdir, root=self.root, port=port), encoding="utf-8")
            for name in ("error.log", "stderr.log"):
                (self.workdir / name).write_bytes(b"")
            with open(self.workdir / "stderr.log", "wb") as err:
                self.proc = subprocess.Popen(
                    [str(self.binary), "-p", f"{self.workdir}/", "-c", str(conf), "-e", str(self.error_log)],
                    stdin=subprocess.DEVNULL,
                    stdout=err,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self.port = port
            if self._wait_ready():
                return self.base_url
            last = self._logs_tail()
            self._kill()
            self.port = None
            if "Address already in use" not in last:
                break
        raise RuntimeError(f"nginx did not start: {last}")

    def _logs_tail(self) -> str:
        text = ""
        for name in ("stderr.log", "error.log"):
            with contextlib.suppress(OSError):
                text += (self.workdir / name).read_text(errors="replace")
        return text[-2000:]

    def _wait_ready(self) -> bool:
        assert self.proc is not None and self.port is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if "Address already in use" in self._logs_tail():
                return False
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1.0)
            try:
                conn.request("GET", "/__ready__")
                conn.getresponse().read()
                return True
            except OSError:
                time.sleep(0.05)
            finally:
                conn.close()
        return False

    def _kill(self) -> None:
        """SIGKILL the whole group (master and workers) while the master is not yet reaped, so the group id cannot be reused."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if proc.returncode is None:  # not reaped yet
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop(self, timeout: float = 5.0) -> None:
        """Graceful stop (SIGQUIT; the master outlives its workers), SIGKILL to the process group after `timeout`. Always reaped; idempotent."""
        proc = self.proc
        if proc is not None:
            graceful = False
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGQUIT)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout)
                    graceful = True
            if graceful:
                self.proc = None
            else:
                self._kill()
        if self._own_workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def access_log_lines(self, min_lines: int = 0, timeout: float = 2.0) -> list[str]:
        """Access-log lines; waits (bounded) until at least `min_lines` exist, since nginx logs after the response."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                lines = self.access_log.read_text(encoding="utf-8", errors="replace").splitlines()
            except FileNotFoundError:
                lines = []
            if len(lines) >= min_lines or time.monotonic() >= deadline:
                return lines
            time.sleep(0.02)

    def access_log_entries(self, min_lines: int = 0, timeout: float = 2.0) -> list[AccessLogEntry]:
        """access_log_lines() parsed."""
        out = []
        for line in self.access_log_lines(min_lines, timeout):
            m = _ACCESS_RE.match(line)
            if m:
                out.append(AccessLogEntry(_unescape(m["request"]), int(m["status"]), _unescape(m["range"]), _unescape(m["if_range"]), int(m["bytes"])))
        return out

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
