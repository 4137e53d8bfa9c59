"""kiosk/protocol.py is the one place the terminal and the portal agree on upload kinds and keys.

Against the real portal on 127.0.0.1: every kind the terminal may queue is stored, a key built from an
awkward terminal id passes both sides, and what one side refuses the other refuses too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import requests

from kiosk.heartbeat import daily_key
from kiosk.outbox import Outbox, OutboxError
from kiosk.protocol import IDEMPOTENCY_HEADER, OUTBOX_KINDS, is_idempotency_key, key_part
from kiosk.settings import Settings
from sync.enroll import enroll
from sync.portal import app as portal_app
from sync.portal import cli as portal_cli
from sync.sender import deliver
from sync.transport import make_session
from tests.helpers.clock import TEST_NOW
from tests.sync.portal_support import RunningPortal, portal_in_thread


@pytest.fixture
def portal(tmp_path: Path) -> RunningPortal:
    with portal_in_thread(tmp_path / "portal") as running:
        yield running


def test_every_kind_the_terminal_queues_is_stored_by_the_portal(tmp_path: Path, portal: RunningPortal) -> None:
    creds = enroll(tmp_path / "terminal", portal.url, portal.dirs.code())
    with Outbox(tmp_path / "terminal" / "outbox.sqlite", portal_public_key=creds.portal_public_key) as outbox:
        for kind in OUTBOX_KINDS:
            if kind == "request":
                outbox.add(kind, {"item": "cat-1"}, personal={"name": "王𬌗明"})
            else:
                outbox.add(kind, {"what": kind}, key=daily_key(kind, "溪源县/桃源村 01", TEST_NOW.date()))
        report = deliver(outbox, make_session(Settings(Path("/nonexistent/settings.json"))), creds)
        assert (report.sent, report.rejected) == (len(OUTBOX_KINDS), 0), report
        assert {item.kind for item in outbox.items(state="delivered")} == set(OUTBOX_KINDS)


def test_what_one_side_refuses_the_other_refuses(tmp_path: Path, portal: RunningPortal) -> None:
    creds = enroll(tmp_path / "terminal", portal.url, portal.dirs.code())
    with Outbox(tmp_path / "terminal" / "outbox.sqlite") as outbox:
        with pytest.raises(OutboxError, match="expected one of rating"):
            outbox.add("complaint", {"x": 1})
        with pytest.raises(OutboxError, match="expected 1–128 characters"):
            outbox.add("rating", {"x": 1}, key="has space")
    body = {"kind": "complaint", "created_at": TEST_NOW.isoformat(), "payload": {"x": 1}, "sealed": None}
    headers = {"Authorization": f"Bearer {creds.token}", IDEMPOTENCY_HEADER: "k-1"}
    refused = requests.post(portal.url + "/api/v1/inbox", json=body, headers=headers, timeout=10)
    assert refused.status_code == 400 and "must be one of rating" in refused.text
    body["kind"] = "rating"
    bad_key = requests.post(portal.url + "/api/v1/inbox", json=body, headers={**headers, IDEMPOTENCY_HEADER: "has space"}, timeout=10)
    assert bad_key.status_code == 400 and IDEMPOTENCY_HEADER in bad_key.text


def test_keys_made_from_any_terminal_id_are_valid() -> None:
    key = daily_key("usage", "溪源县/桃源村 01" * 20, dt.date(2026, 11, 21))
    assert is_idempotency_key(key) and key.startswith("usage-") and key.endswith("-2026-11-21")
    assert key_part("a b/c") == "a_b_c"
    assert not is_idempotency_key("") and not is_idempotency_key("x" * 129) and not is_idempotency_key(None)


def test_no_side_keeps_its_own_copy() -> None:
    for module in (portal_app, portal_cli):
        assert not hasattr(module, "KINDS") and not hasattr(module, "KEY_RE"), module.__name__
