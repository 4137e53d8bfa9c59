"""Tests of the sync test harness itself: the private nginx and the fault proxy in front of it."""

from __future__ import annotations

import gzip
import json
import random
import socket
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests

from tests.sync.faultproxy import Corrupt, Drop, FaultProxy, GzipBomb, Hang, Replace, Reset, Status, Trickle, gzip_bomb_bytes
from tests.sync.nginx import NGINX_BIN, NginxServer

BLOB = random.Random(20260301).randbytes(200_000)
REL = "blobs/sha256/ab/ab12cd"


@pytest.fixture
def blob(nginx_root: Path) -> bytes:
    path = nginx_root / REL
    path.parent.mkdir(parents=True)
    path.write_bytes(BLOB)
    (nginx_root / "metadata").mkdir()
    (nginx_root / "metadata" / "timestamp.json").write_text('{"signed": {"version": 3}}', encoding="utf-8")
    return BLOB


def via(proxy: FaultProxy, rel: str = REL) -> str:
    return f"{proxy.base_url}/feed/{rel}"


# ---------------------------------------------------------------- nginx


def test_nginx_serves_files_with_etag_json_mime_and_no_gzip(nginx: NginxServer, blob: bytes) -> None:
    r = requests.get(nginx.url(REL), headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert r.status_code == 200 and r.content == blob
    assert r.headers["ETag"].startswith('"') and r.headers.get("Accept-Ranges") == "bytes"
    assert "Content-Encoding" not in r.headers
    meta = requests.get(nginx.url("metadata/timestamp.json"), timeout=5)
    assert meta.headers["Content-Type"] == "application/json" and meta.json() == {"signed": {"version": 3}}
    assert requests.get(nginx.url("metadata/missing.json"), timeout=5).status_code == 404
    assert nginx.base_url.startswith("http://127.0.0.1:") and nginx.base_url.endswith("/feed")


def test_nginx_range_returns_206_with_content_range(nginx: NginxServer, blob: bytes) -> None:
    r = requests.get(nginx.url(REL), headers={"Range": "bytes=1000-1999"}, timeout=5)
    assert r.status_code == 206
    assert r.headers["Content-Range"] == f"bytes 1000-1999/{len(blob)}"
    assert r.content == blob[1000:2000]
    tail = requests.get(nginx.url(REL), headers={"Range": "bytes=199000-"}, timeout=5)
    assert tail.status_code == 206 and tail.content == blob[199000:]
    entries = nginx.access_log_entries(min_lines=2)
    assert entries[-2].status == 206 and entries[-2].range == "bytes=1000-1999" and entries[-2].body_bytes_sent == 1000
    assert entries[-2].request == f"GET /feed/{REL} HTTP/1.1"


def test_nginx_if_range_current_etag_206_stale_etag_200(nginx: NginxServer, blob: bytes) -> None:
    etag = requests.head(nginx.url(REL), timeout=5).headers["ETag"]
    fresh = requests.get(nginx.url(REL), headers={"Range": "bytes=10-19", "If-Range": etag}, timeout=5)
    assert fresh.status_code == 206 and fresh.content == blob[10:20]
    stale = requests.get(nginx.url(REL), headers={"Range": "bytes=10-19", "If-Range": '"0-stale"'}, timeout=5)
    assert stale.status_code == 200 and stale.content == blob
    entries = nginx.access_log_entries(min_lines=3)
    assert entries[-1].if_range == '"0-stale"' and entries[-1].status == 200


def test_nginx_keeps_its_files_private_and_stops_cleanly(tmp_path: Path) -> None:
    if not NGINX_BIN.exists():
        pytest.skip(f"{NGINX_BIN} is missing")
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "x.txt").write_text("x")
    with NginxServer(tmp_path / "root", tmp_path / "work") as server:
        port = server.port
        assert requests.get(server.url("x.txt"), timeout=5).text == "x"
        proc = server.proc
        assert proc is not None
    assert server.proc is None and proc.returncode is not None
    assert {"nginx.conf", "error.log", "access.log"} <= {p.name for p in (tmp_path / "work").iterdir()}
    assert (tmp_path / "work" / "client_body").is_dir()
    assert port is not None
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    server.stop()  # idempotent


# ---------------------------------------------------------------- proxy basics


def test_proxy_passes_through_range_and_records(fault_proxy: FaultProxy, nginx: NginxServer, blob: bytes) -> None:
    full = requests.get(via(fault_proxy), timeout=5)
    assert full.status_code == 200 and full.content == blob
    etag = full.headers["ETag"]
    part = requests.get(via(fault_proxy), headers={"Range": "bytes=5-9", "If-Range": etag}, timeout=5)
    assert part.status_code == 206 and part.content == blob[5:10] and part.headers["Content-Range"] == f"bytes 5-9/{len(blob)}"
    recs = fault_proxy.requests
    assert [(r.method, r.path, r.status, r.bytes_sent) for r in recs] == [("GET", f"/feed/{REL}", 200, len(blob)), ("GET", f"/feed/{REL}", 206, 5)]
    _method, _path, headers, _status, _sent = recs[1]
    assert headers["Range"] == "bytes=5-9" and headers["If-Range"] == etag
    assert nginx.access_log_entries(min_lines=2)[-1].range == "bytes=5-9"


def _raw_get(proxy: FaultProxy, rel: str = REL) -> tuple[bytes, bytes]:
    """One GET over a bare socket, read to EOF: (head, body) exactly as the proxy sent them."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as s:
        s.sendall(f"GET /feed/{rel} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body


def test_drop_sends_exactly_after_bytes_then_closes(fault_proxy: FaultProxy, blob: bytes) -> None:
    fault_proxy.add_fault(r"/blobs/", Drop(after_bytes=70_000), times=1)
    head, body = _raw_get(fault_proxy)
    assert head.startswith(b"HTTP/1.1 200") and f"Content-Length: {len(blob)}".encode() in head
    assert body == blob[:70_000]


def test_drop_cuts_the_body_and_a_range_resume_completes_it(fault_proxy: FaultProxy, blob: bytes) -> None:
    fault_proxy.add_fault(r"/blobs/", Drop(after_bytes=70_000), times=1)
    got = bytearray()
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):  # noqa: SIM117
        with requests.get(via(fault_proxy), stream=True, timeout=5) as r:
            etag = r.headers["ETag"]
            for chunk in r.iter_content(8192):
                got += chunk
    # urllib3 may discard the bytes of its last, incomplete read: resume from what the client really got
    assert 0 < len(got) <= 70_000 and bytes(got) == blob[: len(got)]
    rest = requests.get(via(fault_proxy), headers={"Range": f"bytes={len(got)}-", "If-Range": etag}, timeout=5)
    assert rest.status_code == 206 and bytes(got) + rest.content == blob
    assert [(r.status, r.bytes_sent) for r in fault_proxy.requests] == [(200, 70_000), (206, len(blob) - len(got))]


def test_drop_random_offset_is_seeded_and_rst_variant(fault_proxy: FaultProxy, blob: bytes) -> None:
    fault_proxy.add_fault(r"/blobs/", Drop(seed=7), times=2)
    for _ in range(2):
        with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
            requests.get(via(fault_proxy), timeout=5)
    first, second = fault_proxy.requests
    assert first.bytes_sent == second.bytes_sent < len(blob)
    fault_proxy.add_fault(r"/blobs/", Drop(after_bytes=10, rst=True), times=1)
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.get(via(fault_proxy), timeout=5)


def test_status_answers_without_upstream(fault_proxy: FaultProxy, nginx: NginxServer, blob: bytes) -> None:
    fault_proxy.add_fault(r"timestamp\.json$", Status(503, retry_after=7, body=b"busy"))
    r = requests.get(via(fault_proxy, "metadata/timestamp.json"), timeout=5)
    assert r.status_code == 503 and r.headers["Retry-After"] == "7" and r.content == b"busy"
    assert requests.get(via(fault_proxy, "metadata/timestamp.json"), timeout=5).status_code == 503  # times=None: forever
    assert requests.get(via(fault_proxy), timeout=5).status_code == 200  # other paths untouched
    assert nginx.access_log_entries(min_lines=1) and all("timestamp" not in e.request for e in nginx.access_log_entries())
    fault_proxy.add_fault(r"/blobs/", Status(404), method="HEAD")
    assert requests.head(via(fault_proxy), timeout=5).status_code == 404
    assert requests.get(via(fault_proxy), timeout=5).status_code == 200


def test_corrupt_flips_exactly_one_byte(fault_proxy: FaultProxy, blob: bytes) -> None:
    fault_proxy.add_fault(r"/blobs/", Corrupt(offset=12_345), times=1)
    fault_proxy.add_fault(r"/blobs/", Corrupt(seed=3), times=1)
    for expected_at in (12_345, None):
        body = requests.get(via(fault_proxy), timeout=5).content
        assert len(body) == len(blob)
        diffs = [i for i, (a, b) in enumerate(zip(body, blob, strict=True)) if a != b]
        assert len(diffs) == 1
        if expected_at is not None:
            assert diffs == [expected_at]
    assert requests.get(via(fault_proxy), timeout=5).content == blob


def test_replace_serves_other_bytes(fault_proxy: FaultProxy, blob: bytes) -> None:
    old = b'{"signed": {"version": 1}}'
    fault_proxy.add_fault(r"timestamp\.json$", Replace(old), times=1)
    fault_proxy.add_fault(r"/blobs/", Replace(b"tampered", status=206, headers={"X-Test": "1"}), times=1)
    r = requests.get(via(fault_proxy, "metadata/timestamp.json"), timeout=5)
    assert r.status_code == 200 and r.content == old and r.headers["Content-Type"] == "application/json"
    t = requests.get(via(fault_proxy), timeout=5)
    assert t.status_code == 206 and t.content == b"tampered" and t.headers["X-Test"] == "1"
    assert requests.get(via(fault_proxy, "metadata/timestamp.json"), timeout=5).json() == {"signed": {"version": 3}}


def test_trickle_is_slow_but_complete(fault_proxy: FaultProxy, nginx_root: Path) -> None:
    (nginx_root / "small.bin").write_bytes(bytes(range(256)) * 8)  # 2048 bytes
    fault_proxy.add_fault(r"small\.bin$", Trickle(bytes_per_second=4096, chunk=256))
    started = time.monotonic()
    r = requests.get(via(fault_proxy, "small.bin"), timeout=5)
    assert time.monotonic() - started >= 0.4  # 2048 B at 4 KiB/s: about 0.5 s
    assert r.content == bytes(range(256)) * 8


def test_trickle_stops_when_the_client_leaves(fault_proxy: FaultProxy, blob: bytes) -> None:
    fault_proxy.add_fault(r"/blobs/", Trickle(bytes_per_second=20_000, chunk=1000), times=1)
    with requests.get(via(fault_proxy), stream=True, timeout=5) as r:
        assert len(next(r.iter_content(1000))) > 0
    recs = fault_proxy.wait_requests(1)
    assert recs[0].bytes_sent < len(blob)
    assert requests.get(via(fault_proxy), timeout=5).content == blob  # the proxy is still fine


def test_gzip_bomb_expands_beyond_cap(fault_proxy: FaultProxy, blob: bytes) -> None:
    cap = 20 * 1024 * 1024
    fault_proxy.add_fault(r"timestamp\.json$", GzipBomb(), times=1)
    with requests.get(via(fault_proxy, "metadata/timestamp.json"), stream=True, timeout=5) as r:
        assert r.headers["Content-Encoding"] == "gzip" and int(r.headers["Content-Length"]) < 2_000_000
        d = zlib.decompressobj(wbits=31)
        out = wire = 0
        for chunk in r.raw.stream(16384, decode_content=False):
            wire += len(chunk)
            data = chunk
            while data and out <= cap:
                out += len(d.decompress(data, 1 << 20))
                data = d.unconsumed_tail
            if out > cap:
                break
    assert out > cap and wire < cap // 100


def test_gzip_bomb_raw_and_exact_expansion(fault_proxy: FaultProxy, blob: bytes) -> None:
    size = 3 * (1 << 20) + 12_345
    fault_proxy.add_fault(r"/targets/", GzipBomb(size=size, raw=True), times=1)
    r = requests.get(via(fault_proxy, "targets/bundle.tar.gz"), timeout=5)
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert r.content[:2] == b"\x1f\x8b" and len(r.content) < size // 100
    assert gzip.decompress(r.content) == bytes(size)
    assert gzip_bomb_bytes(size) == r.content


def test_hang_triggers_read_timeout(fault_proxy: FaultProxy, blob: bytes) -> None:
    fault_proxy.add_fault(r"/blobs/", Hang(10), times=1)
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.get(via(fault_proxy), timeout=(2, 0.3))
    (rec,) = fault_proxy.requests  # the hang ends as soon as the client goes
    assert rec.status == 0 and rec.bytes_sent == 0
    assert requests.get(via(fault_proxy), timeout=5).content == blob


def test_reset_closes_without_response(fault_proxy: FaultProxy, blob: bytes) -> None:
    fault_proxy.add_fault(r"/blobs/", Reset(), times=1)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(via(fault_proxy), timeout=5)
    assert requests.get(via(fault_proxy), timeout=5).content == blob
    assert [r.status for r in fault_proxy.requests] == [0, 200]


def test_times_expires_and_clear(fault_proxy: FaultProxy, blob: bytes) -> None:
    rule = fault_proxy.add_fault(r"/blobs/", Status(500), times=2)
    codes = [requests.get(via(fault_proxy), timeout=5).status_code for _ in range(3)]
    assert codes == [500, 500, 200] and rule.hits == 2
    fault_proxy.add_fault(r".*", Status(500))
    assert requests.get(via(fault_proxy), timeout=5).status_code == 500
    fault_proxy.clear()
    assert requests.get(via(fault_proxy), timeout=5).status_code == 200
    fault_proxy.clear_requests()
    assert fault_proxy.requests == []


def test_dead_upstream_gives_502() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"  # bound, never listening: connections are refused
        with FaultProxy(dead) as proxy:
            r = requests.get(f"{proxy.base_url}/feed/x", timeout=5)
    assert r.status_code == 502 and proxy.requests[0].status == 502


def test_stop_does_not_hang_with_open_connections(nginx: NginxServer, blob: bytes) -> None:
    proxy = FaultProxy(nginx.origin)
    proxy.start()
    proxy.add_fault(r"/blobs/", Hang(30))
    errors: list[BaseException] = []

    def client() -> None:
        try:
            requests.get(via(proxy), timeout=(2, 20))
        except requests.RequestException as exc:
            errors.append(exc)

    t = threading.Thread(target=client, daemon=True)
    t.start()
    time.sleep(0.2)  # let the request reach the Hang
    proxy.stop()
    t.join(10)
    assert not t.is_alive() and errors
    proxy.stop()  # idempotent


# ---------------------------------------------------------------- forwarding of bodies and headers


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = json.dumps(
            {"method": self.command, "path": self.path, "headers": dict(self.headers.items()), "body": self.rfile.read(length).decode()}
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_PUT = do_POST


@pytest.fixture
def echo_upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api"
    finally:
        server.shutdown()
        server.server_close()
        t.join(5)


def test_proxy_forwards_post_bodies_and_headers(echo_upstream: str) -> None:
    with FaultProxy(echo_upstream) as proxy:
        hdrs = {"Authorization": "Bearer t0k", "Idempotency-Key": "k-123"}
        r = requests.post(f"{proxy.base_url}/v1/uploads?x=1", json={"a": "政务"}, headers=hdrs, timeout=5)
        assert r.status_code == 201
        echo = r.json()
        assert echo["method"] == "POST" and echo["path"] == "/api/v1/uploads?x=1"
        assert echo["headers"]["Authorization"] == "Bearer t0k" and echo["headers"]["Idempotency-Key"] == "k-123"
        assert json.loads(echo["body"]) == {"a": "政务"}
        chunked = requests.put(f"{proxy.base_url}/v1/parts", data=iter([b"ab", b"cd"]), timeout=5)  # Transfer-Encoding: chunked
        assert chunked.json()["body"] == "abcd"
        proxy.add_fault(r"/uploads", Status(503, retry_after=2), times=1, method="POST")
        assert requests.post(f"{proxy.base_url}/v1/uploads", data=b"x", headers=hdrs, timeout=5).status_code == 503
        recs = proxy.requests
        assert [(r.method, r.status) for r in recs] == [("POST", 201), ("PUT", 201), ("POST", 503)]
        assert recs[0].headers["Idempotency-Key"] == "k-123" and recs[2].headers["Authorization"] == "Bearer t0k"


def test_tiny_disk_fills_up(tiny_disk: Path) -> None:
    with pytest.raises(OSError) as info, open(tiny_disk / "big.bin", "wb") as f:
        for _ in range(10):
            f.write(bytes(1 << 20))
            f.flush()
    assert info.value.errno == 28  # ENOSPC
