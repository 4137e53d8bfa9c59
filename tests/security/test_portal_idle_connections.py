"""Issue 12, item 16: idle connections from one client can't lock everyone else out of the portal.

Attack, from the village network: open 1,010 connections and send nothing. waitress stops
accepting at its connection limit (1,000) and closed idle channels only after 120 s (checked every
30 s), so `/healthz` and the feed timed out for every terminal. Now idle channels are closed
after 10 s (checked every 2 s), and a reverse proxy in front (tests/security/test_reverse_proxy.py)
keeps such connections away from waitress altogether.
"""

from __future__ import annotations

import socket
import time

from tests.security.conftest import ServedPortal

IDLE_CONNECTIONS = 1010
ANSWER_WITHIN_S = 25.0  # channel timeout (10 s) + cleanup interval (2 s) + a generous margin; before: 120 s + 30 s


def healthz_seconds(port: int, timeout_s: float) -> float | None:
    """Seconds until GET /healthz is answered 200 on a new connection, or None if not within `timeout_s`."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout_s) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        sock.settimeout(max(0.1, timeout_s - (time.monotonic() - started)))
        try:
            answer = sock.recv(4096)
        except TimeoutError:
            return None
    return time.monotonic() - started if answer.startswith(b"HTTP/1.1 200") else None


def test_a_thousand_idle_connections_dont_lock_out_healthz(served_portal: ServedPortal) -> None:
    idle: list[socket.socket] = []
    try:
        for _ in range(IDLE_CONNECTIONS):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", served_portal.port))
            idle.append(sock)
        time.sleep(1)  # let waitress accept them up to its limit
        seconds = healthz_seconds(served_portal.port, ANSWER_WITHIN_S)
        print(f"/healthz answered after {seconds} s with {IDLE_CONNECTIONS} idle connections open")
        assert seconds is not None, f"/healthz not answered within {ANSWER_WITHIN_S} s while {IDLE_CONNECTIONS} idle connections were open"
        closed = 0
        for sock in idle:
            try:
                closed += sock.recv(1) == b""
            except (BlockingIOError, ConnectionResetError):
                closed += 0
        assert closed >= IDLE_CONNECTIONS - 20, f"only {closed} of the idle connections were closed by the portal"
    finally:
        for sock in idle:
            sock.close()
