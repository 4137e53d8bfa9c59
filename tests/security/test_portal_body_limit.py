"""Issue 12, item 12: the portal stops reading an oversized body near the real maximum, before any token is checked.

Attack: an unauthenticated POST announcing (or streaming) 256 MiB. waitress's own default limit is
1 GiB, so before the fix it spooled the whole body to a temporary file and only then let Flask
answer 413. Now waitress refuses it as soon as the headers (or the first chunks past the limit)
arrive.
"""

from __future__ import annotations

import select
import socket
import time

from tests.security.conftest import ServedPortal

ANNOUNCED_BYTES = 256 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
GIVE_UP_AFTER_BYTES = 8 * 1024 * 1024  # the attack stops here either way: the test never sends 256 MiB
REAL_MAXIMUM_BYTES = 256 * 1024
ACCEPTED_AT_MOST_BYTES = 2 * REAL_MAXIMUM_BYTES
# A short pause after each chunk lets the server read what it was sent, so the count is what it took,
# not what the loopback socket buffers held.
PACE_S = 0.02


def push_until_answered(port: int, head: bytes, chunk: bytes) -> tuple[int, bytes]:
    """Send `head`, then `chunk` repeatedly until the server answers or closes; bytes of body sent and the answer."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        deadline = time.monotonic() + 60
        while sent < GIVE_UP_AFTER_BYTES and time.monotonic() < deadline:
            readable, _, _ = select.select([sock], [], [], PACE_S)
            if readable:
                break
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        sock.settimeout(10)
        answer = b""
        try:
            while len(answer) < 65536:
                data = sock.recv(65536)
                if not data:
                    break
                answer += data
                if b"\r\n\r\n" in answer:
                    break
        except (TimeoutError, ConnectionResetError):
            pass
    return sent, answer


def test_an_announced_256_mib_body_is_refused_before_it_is_read(served_portal: ServedPortal) -> None:
    head = (f"POST /api/v1/inbox HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {ANNOUNCED_BYTES}\r\n\r\n").encode()
    sent, answer = push_until_answered(served_portal.port, head, b" " * CHUNK_BYTES)
    print(f"announced {ANNOUNCED_BYTES} bytes: answered after {sent} bytes of body")
    assert answer.startswith(b"HTTP/1.1 413"), f"no 413 after {sent} bytes of body (answer {answer[:80]!r})"
    assert sent <= ACCEPTED_AT_MOST_BYTES, f"the portal read {sent} bytes before refusing (expected at most {ACCEPTED_AT_MOST_BYTES})"


def test_a_chunked_body_is_cut_off_near_the_real_maximum(served_portal: ServedPortal) -> None:
    head = b"POST /api/v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = f"{CHUNK_BYTES:x}\r\n".encode() + b" " * CHUNK_BYTES + b"\r\n"
    sent, answer = push_until_answered(served_portal.port, head, chunk)
    print(f"chunked: answered after {sent} bytes of body")
    assert answer.startswith(b"HTTP/1.1 413"), f"no 413 after {sent} bytes of body (answer {answer[:80]!r})"
    assert sent <= ACCEPTED_AT_MOST_BYTES + 2 * len(chunk), f"the portal read {sent} bytes before refusing"
