"""Issue 12, item 16: the reverse-proxy limits documented for production (docs/deploy/nginx-portal.conf), attacked.

The test runs that very file in a private nginx on 127.0.0.1 in front of a real `kiosk-portal
serve` (only the TLS lines are swapped for a plain listener and the upstream port for the test
portal's), then: a thousand idle connections, a header dripped a byte a second, an oversized
body, a burst of enrolment guesses and a request for a file beside the feed.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.helpers.paths import ROOT
from tests.security.conftest import ServedPortal
from tests.sync.nginx import NGINX_BIN, free_port

PROXY_CONF = ROOT / "docs" / "deploy" / "nginx-portal.conf"
pytestmark = pytest.mark.skipif(not NGINX_BIN.exists(), reason=f"{NGINX_BIN} is not installed (scripts/setup-system.sh installs nginx-light)")

MAIN_CONF = """\
daemon off;
master_process on;
worker_processes 1;
{user}
pid "{work}/nginx.pid";
error_log "{work}/error.log" info;
events {{ worker_connections 4096; }}
http {{
    access_log "{work}/access.log";
    client_body_temp_path "{work}/client_body";
    proxy_temp_path "{work}/proxy";
    fastcgi_temp_path "{work}/fastcgi";
    uwsgi_temp_path "{work}/uwsgi";
    scgi_temp_path "{work}/scgi";
    include "{work}/kiosk-portal.conf";
}}
"""


@dataclass
class Proxy:
    port: int
    portal: ServedPortal

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def site_conf(port: int, portal_port: int) -> str:
    """The documented file, with a plain 127.0.0.1 listener for TLS and the test portal as upstream."""
    text = PROXY_CONF.read_text(encoding="utf-8")
    assert "listen 443 ssl;" in text and "server 127.0.0.1:8765;" in text, "docs/deploy/nginx-portal.conf changed shape"
    text = text.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};").replace("server 127.0.0.1:8765;", f"server 127.0.0.1:{portal_port};")
    return re.sub(r"(?m)^\s*ssl_certificate.*$", "", text)


@pytest.fixture
def proxy(served_portal_factory: Callable[..., ServedPortal], tmp_path: Path) -> Iterator[Proxy]:
    portal = served_portal_factory()
    work = tmp_path / "nginx"
    work.mkdir()
    port = free_port()
    (work / "kiosk-portal.conf").write_text(site_conf(port, portal.port), encoding="utf-8")
    user = "user root root;" if os.geteuid() == 0 else ""  # pytest's tmp dirs are 0700: workers must read them
    (work / "nginx.conf").write_text(MAIN_CONF.format(user=user, work=work), encoding="utf-8")
    with (work / "stderr.log").open("wb") as err:
        process = subprocess.Popen([str(NGINX_BIN), "-p", f"{work}/", "-c", str(work / "nginx.conf"), "-e", str(work / "error.log")],
                                   stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {(work / 'stderr.log').read_text()} {(work / 'error.log').read_text()[-2000:]}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)
        yield Proxy(port, portal)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGQUIT)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)


def test_idle_connections_stay_at_the_proxy_and_are_closed(proxy: Proxy) -> None:
    idle = []
    try:
        for _ in range(1010):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", proxy.port))
            idle.append(sock)
        time.sleep(0.5)
        started = time.monotonic()
        assert requests.get(f"{proxy.url}/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 2, "the portal behind the proxy was slowed by idle connections"
        time.sleep(12)  # client_header_timeout is 10 s
        closed = 0
        for sock in idle:
            try:
                closed += sock.recv(1) == b""
            except BlockingIOError:
                pass
            except ConnectionResetError:
                closed += 1
        assert closed >= 1000, f"only {closed} of 1010 idle connections were closed after client_header_timeout"
    finally:
        for sock in idle:
            sock.close()


def test_a_header_dripped_a_byte_a_second_is_cut_off(proxy: Proxy) -> None:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        answer = b""
        while time.monotonic() - started < 20:
            try:
                sock.sendall(b"X")
            except (BrokenPipeError, ConnectionResetError):
                break
            sock.settimeout(1)
            try:
                data = sock.recv(4096)
            except TimeoutError:
                continue
            except ConnectionResetError:
                break
            answer += data
            if not data or b"\r\n\r\n" in answer:
                break
        elapsed = time.monotonic() - started
    assert elapsed < 15, f"a dripped header kept its connection for {elapsed:.0f} s"
    assert b"200 OK" not in answer


def test_an_oversized_body_is_refused_by_the_proxy(proxy: Proxy) -> None:
    response = requests.post(f"{proxy.url}/api/v1/inbox", data=b"x" * (300 * 1024), headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 413 and "nginx" in response.headers.get("Server", "")
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as sock:
        sock.sendall(b"POST /api/v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Length: 268435456\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")


def test_enrolment_guesses_are_rate_limited_per_address(proxy: Proxy) -> None:
    statuses = [requests.post(f"{proxy.url}/api/v1/enroll", json={"code": f"WRONG-CODE-{i:04d}"}, timeout=10).status_code
                for i in range(20)]
    assert statuses[:6] == [403] * 6 and set(statuses[6:]) == {429}, statuses


def test_only_the_feed_folders_pass_the_proxy(proxy: Proxy) -> None:
    (proxy.portal.feed_dir / "metadata").mkdir(exist_ok=True)
    (proxy.portal.feed_dir / "metadata" / "1.root.json").write_text("{}")
    (proxy.portal.feed_dir / "keys").mkdir(exist_ok=True)
    (proxy.portal.feed_dir / "keys" / "root.pem").write_text("secret")
    assert requests.get(f"{proxy.url}/feed/metadata/1.root.json", timeout=10).status_code == 200
    for path in ("/feed/keys/root.pem", "/feed/publisher.json", "/feed/metadata/../keys/root.pem", "/admin"):
        assert requests.get(f"{proxy.url}{path}", timeout=10).status_code == 404, path
    assert requests.post(f"{proxy.url}/feed/metadata/1.root.json", timeout=10).status_code == 403
