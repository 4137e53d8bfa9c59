"""A fault-injecting HTTP/1.1 reverse proxy for the sync tests (test tooling, not product code).

Faults are chosen per request by a regex searched in the URL path (without the query string); the first
active rule that matches wins. Every request is recorded once its handling ends.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import mimetypes
import random
import re
import select
import socket
import socketserver
import struct
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import urlsplit

# ---------------------------------------------------------------- faults


@dataclass(frozen=True)
class Drop:
    """Send the upstream headers and `after_bytes` body bytes (random if None, from `seed`), then close (FIN; RST if `rst`)."""

    after_bytes: int | None = None
    seed: int | None = None
    rst: bool = False


@dataclass(frozen=True)
class Status:
    """Answer `code` without contacting upstream, with an optional Retry-After (seconds) and body."""

    code: int
    retry_after: int | None = None
    body: bytes = b""


@dataclass(frozen=True)
class Trickle:
    """Stream the upstream body at about `bytes_per_second`, `chunk` bytes at a time; stops when the client goes."""

    bytes_per_second: int
    chunk: int = 256


@dataclass(frozen=True)
class Corrupt:
    """Flip (xor 0xFF) one byte of the upstream body, at `offset` or at a random offset from `seed`."""

    offset: int | None = None
    seed: int | None = None


@dataclass(frozen=True)
class Replace:
    """Serve `body` with `status` instead of the upstream answer (tampered target, replayed metadata)."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GzipBomb:
    """A small gzip stream that expands to `size` zero bytes: Content-Encoding: gzip, or the bare gzip bytes if `raw`."""

    size: int = 1_000_000_000
    raw: bool = False


@dataclass(frozen=True)
class Hang:
    """Read the request, then send nothing for `seconds` (ends early if the client leaves or the proxy stops), then close."""

    seconds: float


@dataclass(frozen=True)
class Reset:
    """Close the connection at once (RST) without any response."""


Fault = Drop | Status | Trickle | Corrupt | Replace | GzipBomb | Hang | Reset


@dataclass
class FaultRule:
    """A fault bound to a path regex; `remaining` None = forever. `hits` counts the requests it was applied to."""

    pattern: re.Pattern[str]
    fault: Fault
    remaining: int | None = None
    method: str | None = None
    hits: int = 0


class RecordedRequest(NamedTuple):
    """One request seen by the proxy; status 0 = no response was sent (Reset, Hang); bytes_sent counts body bytes."""

    method: str
    path: str
    headers: dict[str, str]
    status: int
    bytes_sent: int


def _gf2_times(mat: list[int], vec: int) -> int:
    out, i = 0, 0
    while vec:
        if vec & 1:
            out ^= mat[i]
        vec >>= 1
        i += 1
    return out


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, row) for row in mat]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of A+B from crc32(A), crc32(B) and len(B) (zlib's crc32_combine, which Python does not expose)."""
    if len2 <= 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]  # operator for one zero bit
    even = _gf2_square(odd)  # two zero bits
    odd = _gf2_square(even)  # four zero bits
    while True:
        even = _gf2_square(odd)
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2


def _crc32_of_zeros(count: int, block: int) -> int:
    """crc32(bytes(count * block)) by doubling, without touching count * block bytes."""
    result, result_len = 0, 0
    power, power_len = zlib.crc32(bytes(block)), block
    while count:
        if count & 1:
            result = crc32_combine(result, power, power_len)
            result_len += power_len
        count >>= 1
        if count:
            power = crc32_combine(power, power, power_len)
            power_len *= 2
    return result


@functools.lru_cache(maxsize=4)
def gzip_bomb_bytes(size: int) -> bytes:
    """A gzip member that inflates to `size` zero bytes, built from one fully-flushed 1 MiB deflate unit repeated."""
    block = 1 << 20
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    unit = comp.compress(bytes(block)) + comp.flush(zlib.Z_FULL_FLUSH)  # byte-aligned, no back-references across it
    full, rest = divmod(size, block)
    tail = comp.compress(bytes(rest)) + comp.flush(zlib.Z_FINISH)
    crc = zlib.crc32(bytes(rest), _crc32_of_zeros(full, block))
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + unit * full + tail + struct.pack("<II", crc, size & 0xFFFFFFFF)


# ---------------------------------------------------------------- server

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "expect"}
)
_CHUNK = 64 * 1024


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.active: set[socket.socket] = set()
        self.active_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def server_bind(self) -> None:
        """Bind without HTTPServer's reverse-DNS lookup of the address."""
        socketserver.TCPServer.server_bind(self)
        self.server_name = "127.0.0.1"
        self.server_port = int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.active_lock:
            self.active.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.active_lock:
            self.active.discard(request)
        with contextlib.suppress(OSError):
            super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that vanish are part of the game; anything else is still printed."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Aborted(Exception):
    """The connection was deliberately cut; stop handling this request."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30.0  # idle keep-alive connections and stuck writes end eventually
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(OSError):
            super().handle()

    def finish(self) -> None:
        with contextlib.suppress(OSError):
            super().finish()

    # every method goes through the proxy
    def do_GET(self) -> None:
        self._proxy()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_GET

    # -------------------------------------------------------------- request

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size_line = self.rfile.readline(65537)
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline(65537)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _proxy(self) -> None:
        proxy = self.server.proxy
        self._status = 0
        self._sent = 0
        path = urlsplit(self.path).path
        headers = dict(self.headers.items())
        proxy._enter()
        try:
            body = self._read_body()
            rule = proxy._match(self.command, path)
            self._serve(rule.fault if rule else None, body)
        except (_Aborted, OSError, http.client.HTTPException):
            self.close_connection = True
        finally:
            proxy._leave(RecordedRequest(self.command, self.path, headers, self._status, self._sent))

    # -------------------------------------------------------------- responses

    def _abort(self, rst: bool = False) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.wfile.flush()
        if rst:
            with contextlib.suppress(OSError):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
        else:
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        raise _Aborted

    def _start(self, status: int, headers: list[tuple[str, str]], reason: str | None = None) -> None:
        self.send_response_only(status, reason)
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self._status = status

    def _write(self, data: bytes) -> None:
        if data:
            self.wfile.write(data)
            self._sent += len(data)

    def _local(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self._start(status, [*headers, ("Content-Length", str(len(body)))])
        if self.command != "HEAD":
            for i in range(0, len(body), _CHUNK):
                if self.server.proxy._stopping.is_set():
                    self._abort()
                self._write(body[i : i + _CHUNK])

    def _content_type(self) -> str:
        return mimetypes.guess_type(urlsplit(self.path).path)[0] or "application/octet-stream"

    def _serve(self, fault: Fault | None, body: bytes) -> None:
        proxy = self.server.proxy
        match fault:
            case Reset():
                self._abort(rst=True)
            case Hang(seconds=seconds):
                self._hang(min(seconds, proxy.max_hang))
                self._abort()
            case Status(code=code, retry_after=retry_after, body=payload):
                extra = [("Retry-After", str(retry_after))] if retry_after is not None else []
                self._local(code, payload, [("Content-Type", "text/plain"), *extra])
            case Replace(body=payload, status=status, headers=hdrs):
                merged = {"Content-Type": self._content_type(), **hdrs}
                self._local(status, payload, list(merged.items()))
            case GzipBomb(size=size, raw=raw):
                hdrs = [("Content-Type", "application/octet-stream" if raw else self._content_type())]
                if not raw:
                    hdrs.append(("Content-Encoding", "gzip"))
                self._local(200, gzip_bomb_bytes(size), hdrs)
            case _:
                self._forward(fault, body)

    def _hang(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        stopping = self.server.proxy._stopping
        while not stopping.is_set() and (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    if self.connection.recv(1, socket.MSG_PEEK) == b"":
                        return  # client gave up
                except OSError:
                    return
                stopping.wait(min(max(left, 0), 0.05))

    def _forward(self, fault: Drop | Trickle | Corrupt | None, body: bytes) -> None:
        proxy = self.server.proxy
        conn = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=proxy.upstream_timeout)
        try:
            conn.putrequest(self.command, proxy.upstream_prefix + self.path, skip_host=True, skip_accept_encoding=True)
            host = None
            for k, v in self.headers.items():
                lk = k.lower()
                if lk in _HOP_BY_HOP or lk == "content-length":
                    continue
                if lk == "host":
                    host = v
                conn.putheader(k, v)
            if host is None:
                conn.putheader("Host", proxy.upstream_netloc)
            if body or self.command in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            resp = conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            self._local(502, f"fault proxy: upstream failed: {exc}".encode(), [("Content-Type", "text/plain")])
            return
        try:
            self._relay(resp, fault)
        finally:
            conn.close()

    def _relay(self, resp: http.client.HTTPResponse, fault: Drop | Trickle | Corrupt | None) -> None:
        connection_tokens = {t.strip().lower() for t in (resp.getheader("Connection") or "").split(",")}
        headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP_BY_HOP and k.lower() not in connection_tokens]
        has_body = self.command != "HEAD" and resp.status not in (204, 304) and resp.status >= 200
        length_header = resp.getheader("Content-Length")
        total = int(length_header) if length_header is not None and length_header.isdigit() else None
        if has_body and total is None:
            headers.append(("Connection", "close"))  # close-delimited body
        self._start(resp.status, headers, resp.reason)
        if not has_body:
            resp.read()
            return
        stopping = self.server.proxy._stopping
        match fault:
            case Corrupt(offset=offset, seed=seed):
                data = bytearray(resp.read())
                if data:
                    at = offset if offset is not None else random.Random(seed).randrange(len(data))
                    if 0 <= at < len(data):
                        data[at] ^= 0xFF
                self._write(bytes(data))
            case Drop(after_bytes=after, seed=seed, rst=rst):
                chunks: Iterator[bytes] = _read_chunks(resp)
                if after is None:
                    if total is None:
                        whole = resp.read()
                        total, chunks = len(whole), iter([whole])
                    after = random.Random(seed).randrange(total) if total > 0 else 0
                left = after
                for data in chunks:
                    if left <= 0:
                        break
                    self._write(data[:left])
                    left -= len(data[:left])
                self._abort(rst=rst)
            case Trickle(bytes_per_second=bps, chunk=size):
                delay = size / max(bps, 1)
                for data in _read_chunks(resp):
                    for i in range(0, len(data), size):
                        if stopping.wait(delay):
                            self._abort()
                        self._write(data[i : i + size])
            case _:
                for data in _read_chunks(resp):
                    if stopping.is_set():
                        self._abort()
                    self._write(data)
        if total is None:
            self._abort()


def _read_chunks(resp: http.client.HTTPResponse) -> Iterator[bytes]:
    while data := resp.read1(_CHUNK):
        yield data


# ---------------------------------------------------------------- public API


class FaultProxy:
    """A threaded reverse proxy on 127.0.0.1:<free port> in front of `upstream` (an http:// base URL)."""

    def __init__(self, upstream: str, *, upstream_timeout: float = 10.0, max_hang: float = 30.0) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or not parts.hostname:
            raise ValueError(f"upstream must be an http:// URL, not {upstream!r}")
        self.upstream = upstream
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.upstream_netloc = parts.netloc
        self.upstream_prefix = parts.path.rstrip("/")
        self.upstream_timeout = upstream_timeout
        self.max_hang = max_hang
        self._rules: list[FaultRule] = []
        self._records: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._settled = threading.Condition(self._lock)
        self._inflight = 0
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -------------------------------------------------------------- lifecycle

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("proxy is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> str:
        """Listen and serve in a daemon thread; return the base URL."""
        if self._server is not None:
            raise RuntimeError("proxy already started")
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fault-proxy", daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, cut every open connection (ending Trickle and Hang), close the socket. Idempotent."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with server.active_lock:
            conns = list(server.active)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        with self._settled:
            self._settled.wait_for(lambda: self._inflight == 0, timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    # -------------------------------------------------------------- faults

    def add_fault(self, pattern: str | re.Pattern[str], fault: Fault, times: int | None = None, *, method: str | None = None) -> FaultRule:
        """Apply `fault` to the next `times` requests (None = all) whose URL path matches `pattern` (re.search), optionally only for `method`."""
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        rule = FaultRule(re.compile(pattern), fault, times, method.upper() if method else None)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every fault (recorded requests are kept; see clear_requests)."""
        with self._lock:
            self._rules.clear()

    def _match(self, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if (rule.method is None or rule.method == method) and rule.pattern.search(path):
                    rule.hits += 1
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining <= 0:
                            self._rules.remove(rule)
                    return rule
        return None

    # -------------------------------------------------------------- records

    def _enter(self) -> None:
        with self._lock:
            self._inflight += 1

    def _leave(self, record: RecordedRequest) -> None:
        with self._settled:
            self._records.append(record)
            self._inflight -= 1
            self._settled.notify_all()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Recorded requests, oldest first: (method, path, headers, status, bytes_sent).

        Waits (at most 2 s) for requests still being handled, since the client can see a full response a moment
        before the proxy records it.
        """
        with self._settled:
            self._settled.wait_for(lambda: self._inflight == 0, 2.0)
            return list(self._records)

    def wait_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Wait (bounded) until at least `count` requests are recorded; return them all."""
        with self._settled:
            self._settled.wait_for(lambda: len(self._records) >= count, timeout)
            return list(self._records)

    def clear_requests(self) -> None:
        """Forget the recorded requests, after waiting (at most 2 s) for those still being handled."""
        with self._settled:
            self._settled.wait_for(lambda: self._inflight == 0, 2.0)
            self._records.clear()
