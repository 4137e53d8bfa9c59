"""Issue 12, item 13: a heartbeat is checked for shape, staff commands survive bad stored data, and no control
character from a terminal reaches the staff's terminal emulator.

Attack, from a rogue enrolled terminal: `"printer": "offline"` (a string where an object belongs)
was stored, and `kiosk-portal terminals` then crashed for every terminal; ESC sequences in
printer reasons, names and payloads were printed raw, so a terminal could retitle, clear or
rewrite the staff's screen.
"""

from __future__ import annotations

import json
import sqlite3

import pytest
import requests

from tests.security.conftest import ServedPortal, bearer

STAMP = "2026-11-21T10:32:00+08:00"
# OSC (set the window title), CSI (clear the screen), C1 CSI, BEL, DEL and a bidi override.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m\x7f\u202e"
CONTROL_CHARS = ("\x1b", "\x07", "\x9b", "\x7f", "\u202e")


def heartbeat(served: ServedPortal, token: str, key: str, payload: dict) -> requests.Response:
    return requests.post(f"{served.base_url}/api/v1/inbox", json={"kind": "heartbeat", "created_at": STAMP, "payload": payload},
                         headers={**bearer(token), "Idempotency-Key": key}, timeout=10)


@pytest.mark.parametrize(("field", "value"), [
    ("printer", "offline"),
    ("printer", {"state": 3, "reasons": []}),
    ("printer", {"state": "ready", "reasons": "media-empty"}),
    ("printer", {"state": "offline", "reasons": [HOSTILE]}),
    ("app_version", {"major": 1}),
    ("app_version", "0.1.0" + HOSTILE),
    ("outbox_backlog", "many"),
    ("outbox_backlog", -1),
    ("disk_free_bytes", True),
    ("uptime_s", 1.5e300),
    ("last_sync", "yesterday"),
    ("last_sync_error", ["a", "list"]),
    ("generations", {"not-a-channel": 1}),
], ids=lambda value: repr(value)[:30])
def test_a_heartbeat_of_the_wrong_shape_is_400_naming_the_field(served_portal: ServedPortal, field: str, value: object) -> None:
    terminal = served_portal.enroll()
    response = heartbeat(served_portal, terminal["token"], f"hb-{field}", {"terminal_id": terminal["terminal_id"], field: value})
    assert response.status_code == 400, f"expected 400 for payload.{field}={value!r} (found {response.status_code})"
    assert f"payload.{field}" in response.json()["error"]
    shown = served_portal.cli("terminals", check=False)
    assert shown.returncode == 0, shown.stderr


def test_a_full_heartbeat_still_shows(served_portal: ServedPortal) -> None:
    terminal = served_portal.enroll()
    payload = {"terminal_id": terminal["terminal_id"], "app_version": "0.1.0", "generations": {"990121000000": 7},
               "last_sync": STAMP, "last_sync_error": "990121000000: 连接超时\nretrying", "outbox_backlog": 2,
               "disk_free_bytes": 10**12, "printer": {"state": "error", "reasons": ["media-empty"], "message_zh": "打印机缺纸"},
               "uptime_s": 3600, "added_by_a_newer_terminal": {"x": 1}}
    assert heartbeat(served_portal, terminal["token"], "hb-ok", payload).status_code == 201
    line = next(line for line in served_portal.cli("terminals").stdout.splitlines() if terminal["terminal_id"] in line)
    assert "990121000000:7" in line and "media-empty" in line


def test_terminals_survives_bad_stored_heartbeats_and_strips_control_characters(served_portal: ServedPortal) -> None:
    terminals = [served_portal.enroll(name=f"终端{i}") for i in range(6)]
    stored = [
        "not json at all",
        '"a string"',
        "[1, 2, 3]",
        json.dumps({"printer": "offline", "generations": [1, 2], "outbox_backlog": {"x": 1}, "app_version": 7}),
        json.dumps({"printer": {"state": "offline", "reasons": [HOSTILE, 5]}, "generations": {HOSTILE: HOSTILE},
                    "last_sync_error": HOSTILE}),
        json.dumps({"printer": {"state": HOSTILE, "reasons": None}}),
    ]
    database = served_portal.state_dir / "portal.sqlite"
    with sqlite3.connect(database) as raw:  # as an older portal (or a hand edit) may have left them
        for terminal, text in zip(terminals, stored, strict=True):
            raw.execute("UPDATE terminal SET heartbeat = ?, last_heartbeat_at = '2026-11-21 02:00:00', name = ? WHERE terminal_id = ?",
                        (text, "青山村" + HOSTILE, terminal["terminal_id"]))
    for args in (("terminals",), ("terminals", "--json")):
        shown = served_portal.cli(*args, check=False)
        assert shown.returncode == 0, f"kiosk-portal {' '.join(args)} exited {shown.returncode}: {shown.stderr[-500:]}"
        for terminal in terminals:
            assert terminal["terminal_id"] in shown.stdout
        found = [repr(ch) for ch in CONTROL_CHARS if ch in shown.stdout]
        assert not found, f"kiosk-portal {' '.join(args)} printed control characters {found}"


def test_inbox_listing_strips_control_characters(served_portal: ServedPortal) -> None:
    terminal = served_portal.enroll()
    response = requests.post(f"{served_portal.base_url}/api/v1/inbox",
                             json={"kind": "rating", "created_at": STAMP, "payload": {"comment": HOSTILE, HOSTILE: 1}},
                             headers={**bearer(terminal["token"]), "Idempotency-Key": "r-1"}, timeout=10)
    assert response.status_code == 201
    for args in (("inbox",), ("inbox", "--json")):
        shown = served_portal.cli(*args)
        found = [repr(ch) for ch in CONTROL_CHARS if ch in shown.stdout]
        assert not found, f"kiosk-portal {' '.join(args)} printed control characters {found}"
