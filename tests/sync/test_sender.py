"""The sender against the real portal on 127.0.0.1: exactly once, lost answers, refusals, outages, revocation."""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from kiosk.credentials import Credentials
from kiosk.heartbeat import heartbeat_payload
from kiosk.outbox import Outbox
from kiosk.sealing import unseal
from kiosk.settings import Settings
from kiosk.terminal import Terminal
from sync.enroll import enroll
from sync.portal.models import load_box_key
from sync.sender import BACKOFF_CAP_S, backoff_delay, deliver, parse_retry_after
from sync.transport import USER_AGENT, KioskSession, Timeouts, make_session
from tests.sync.portal_support import Canned, PortalDirs, PortalProcess, RunningPortal, free_port, portal_in_thread, run_portal_cli, stub_server

MARKER = "MARKER-李四-13912345678"


@pytest.fixture
def portal(tmp_path: Path) -> RunningPortal:
    with portal_in_thread(tmp_path / "portal") as running:
        yield running


@pytest.fixture
def enrolled(tmp_path: Path, portal: RunningPortal) -> tuple[Path, Credentials, Outbox]:
    data_dir = tmp_path / "terminal"
    creds = enroll(data_dir, portal.url, portal.dirs.code())
    with Outbox(data_dir / "outbox.sqlite", portal_public_key=creds.portal_public_key) as outbox:
        yield data_dir, creds, outbox


def inbox_rows(portal: RunningPortal) -> list[tuple[str, str, str | None, str | None]]:
    db = portal.dirs.db()
    try:
        with db.db.connection_context():
            return [(row.key, row.kind, row.payload, row.sealed) for row in db.InboxItem.select().order_by(db.InboxItem.id)]
    finally:
        db.close()


def reset_to_pending(outbox: Outbox, item_id: int) -> None:
    """As if the terminal was killed after the portal stored the item but before it recorded the answer."""
    with sqlite3.connect(outbox.path) as db:
        db.execute("UPDATE outbox SET state = 'pending', delivered_at = NULL WHERE id = ?", (item_id,))


def test_each_item_is_delivered_once_and_personal_data_opens_only_at_the_portal(portal: RunningPortal, enrolled) -> None:
    _, creds, outbox = enrolled
    rating = outbox.rate("doc-1", 4)
    request = outbox.add("request", {"item": "cat-3"}, personal={"name": MARKER})
    outbox.add("alert", {"what": "paper low"})
    report = deliver(outbox, make_session(Settings(Path("/nonexistent/settings.json"))), creds)
    assert (report.sent, report.duplicates, report.rejected, report.retrying, report.auth_failed) == (3, 0, 0, 0, False)
    assert outbox.backlog() == {"pending": 0, "delivered": 3, "rejected": 0}
    rows = inbox_rows(portal)
    assert [(key, kind) for key, kind, _, _ in rows] == [(rating.key, "rating"), (request.key, "request"), (outbox.get(3).key, "alert")]
    assert json.loads(rows[0][2]) == {"record_id": "doc-1", "score": 4}
    private = base64.b64encode(bytes(load_box_key(portal.dirs.keys))).decode()
    assert unseal(rows[1][3], private) == {"name": MARKER}
    assert MARKER not in json.dumps(rows[1][2] or "")
    again = deliver(outbox, requests.Session(), creds)
    assert again.delivered == 0 and len(inbox_rows(portal)) == 3


def test_a_lost_answer_is_resent_and_the_portal_keeps_one_copy(portal: RunningPortal, enrolled) -> None:
    _, creds, outbox = enrolled
    added = outbox.rate("doc-9", 2)
    assert deliver(outbox, requests.Session(), creds).sent == 1
    reset_to_pending(outbox, added.id)
    report = deliver(outbox, requests.Session(), creds)
    assert (report.sent, report.duplicates) == (0, 1)
    assert outbox.get(added.id).state == "delivered"
    assert len(inbox_rows(portal)) == 1


def test_refused_items_are_kept_as_rejected_with_the_portal_reason(portal: RunningPortal, enrolled) -> None:
    _, creds, outbox = enrolled
    conflict = outbox.rate("doc-1", 5)
    assert deliver(outbox, requests.Session(), creds).sent == 1
    with sqlite3.connect(outbox.path) as db:  # the same key with another body: a bug, never silently dropped
        db.execute("UPDATE outbox SET state = 'pending', body = replace(body, '\"score\":5', '\"score\":1') WHERE id = ?", (conflict.id,))
    malformed = outbox.add("request", {"item": "cat-1"})  # a request without its sealed part: the portal refuses it
    fine = outbox.rate("doc-2", 3)
    report = deliver(outbox, requests.Session(), creds)
    assert (report.sent, report.rejected, report.retrying) == (1, 2, 0)
    first, second = outbox.get(conflict.id), outbox.get(malformed.id)
    assert first.state == "rejected" and first.last_error.startswith("HTTP 409") and "Idempotency-Key" in first.last_error
    assert second.state == "rejected" and second.last_error.startswith("HTTP 400") and "sealed" in second.last_error
    assert "密封" in second.last_error  # the Chinese text for staff travels too
    assert outbox.get(fine.id).state == "delivered"
    assert outbox.backlog()["rejected"] == 2
    assert len(report.errors) == 2


def test_a_revoked_terminal_stops_the_run_and_keeps_everything_pending(portal: RunningPortal, enrolled) -> None:
    _, creds, outbox = enrolled
    for n in range(3):
        outbox.rate(f"doc-{n}", 3)
    assert "revoked" in run_portal_cli(portal.dirs, "revoke", creds.terminal_id)
    report = deliver(outbox, requests.Session(), creds)
    assert report.auth_failed and report.delivered == 0 and report.retrying == 0
    assert "revoked" in report.errors[0] and "停用" in report.errors[0]
    assert [(i.state, i.attempts) for i in outbox.items()] == [("pending", 0)] * 3
    assert len(outbox.due()) == 3  # ready to go the moment the terminal is enrolled again
    stranger = Credentials(**{**creds.__dict__, "token": "not-a-token"})
    report = deliver(outbox, requests.Session(), stranger)
    assert report.auth_failed and "HTTP 401" in report.errors[0]
    assert inbox_rows(portal) == []


def test_a_heartbeat_reaches_the_terminals_row(portal: RunningPortal, enrolled) -> None:
    data_dir, creds, outbox = enrolled
    with Terminal(data_dir) as terminal:
        assert terminal.settings["terminal.id"] == creds.terminal_id
        started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        beat = heartbeat_payload(terminal, app_version="0.1.0", started_at=started, printer_state={"state": "ready", "reasons": []},
                                 outbox_backlog=outbox.backlog()["pending"])
    outbox.queue_heartbeat(beat)
    outbox.queue_heartbeat(beat)
    assert deliver(outbox, requests.Session(), creds).sent == 1
    db = portal.dirs.db()
    with db.db.connection_context():
        row = db.Terminal.get(db.Terminal.terminal_id == creds.terminal_id)
    db.close()
    assert row.last_heartbeat_at is not None and json.loads(row.heartbeat)["uptime_s"] >= 300


def test_503_schedules_a_retry_honouring_retry_after_and_stops_the_run(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite")
    for n in range(3):
        outbox.rate(f"doc-{n}", 3)
    now = dt.datetime.now(dt.UTC)
    busy = Canned(503, json.dumps({"error": "the portal is busy, try again later", "error_zh": "门户繁忙，请稍后重试"}).encode(),
                  {"Retry-After": "120", "Content-Type": "application/json"})
    with stub_server(lambda _path, _body: busy) as (url, seen):
        creds = Credentials("t-1", "tok", url, url + "/feed/", "", "990121101201", "x")
        report = deliver(outbox, requests.Session(), creds, now=now)
    assert (report.retrying, report.delivered, report.auth_failed) == (1, 0, False)
    assert len(seen) == 1  # a busy portal is not hammered with the rest of the queue
    assert seen[0]["path"] == "/api/v1/inbox" and seen[0]["headers"]["Authorization"] == "Bearer tok"
    assert seen[0]["headers"]["Idempotency-Key"] == outbox.get(1).key and seen[0]["body"] == outbox.get(1).body.encode()
    first = outbox.get(1)
    assert first.state == "pending" and first.attempts == 1 and "门户繁忙" in first.last_error
    next_at = dt.datetime.fromisoformat(first.next_attempt_at)
    assert next_at >= now + dt.timedelta(seconds=120)
    assert [i.id for i in outbox.due(now)] == [2, 3]
    # A 500 without Retry-After: backoff with full jitter, within 5 s for a first failure; the run goes on with the next item.
    broken = Canned(500, b"<html>oops</html>", {})
    with stub_server(lambda _path, _body: broken) as (url, seen):
        creds = Credentials("t-1", "tok", url, url + "/feed/", "", "990121101201", "x")
        report = deliver(outbox, requests.Session(), creds, now=now, rng=random.Random(7))
    assert report.retrying == 2 and len(seen) == 2
    for item in (outbox.get(2), outbox.get(3)):
        assert now < dt.datetime.fromisoformat(item.next_attempt_at) <= now + dt.timedelta(seconds=5)
        assert "HTTP 500" in item.last_error and "oops" in item.last_error


def test_nobody_listening_means_retry_later_without_a_crash(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "outbox.sqlite")
    outbox.rate("doc-1", 3)
    outbox.rate("doc-2", 3)
    url = f"http://127.0.0.1:{free_port()}"
    creds = Credentials("t-1", "tok", url, url + "/feed/", "", "990121101201", "x")
    now = dt.datetime.now(dt.UTC)
    report = deliver(outbox, KioskSession(timeouts=Timeouts(connect=1, read=1)), creds, now=now)
    assert (report.retrying, report.delivered, report.auth_failed) == (1, 0, False)
    assert "ConnectionError" in report.errors[0]
    item = outbox.get(1)
    assert item.state == "pending" and item.attempts == 1 and dt.datetime.fromisoformat(item.next_attempt_at) > now
    assert outbox.backlog()["pending"] == 2


def test_backoff_grows_to_the_cap_with_full_jitter() -> None:
    rng = random.Random(1)
    for attempts, ceiling in ((0, 5), (1, 10), (3, 40), (10, BACKOFF_CAP_S), (500, BACKOFF_CAP_S)):
        delays = [backoff_delay(attempts, rng=rng) for _ in range(200)]
        assert min(delays) >= 0 and max(delays) <= ceiling
        assert max(delays) > ceiling * 0.8  # full jitter spreads over the whole range
    assert backoff_delay(0, retry_after=600, rng=rng) == 600
    assert backoff_delay(30, retry_after=1, rng=random.Random(2)) > 1  # Retry-After is a floor, not a ceiling
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    assert parse_retry_after("30", now) == 30
    assert parse_retry_after("Sun, 01 Mar 2026 00:02:00 GMT", now) == 120
    assert parse_retry_after("soon", now) is None and parse_retry_after(None, now) is None


def test_the_session_passes_ca_bundle_proxy_and_timeouts_per_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """REQUESTS_CA_BUNDLE and HTTPS_PROXY in the environment would silently win over Session.verify/proxies."""
    bundle = tmp_path / "county-ca.pem"
    bundle.write_text("not used: the adapter below records what requests would use\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    monkeypatch.setenv("HTTPS_PROXY", "http://10.9.9.9:9")
    settings = Settings(tmp_path / "settings.json")
    settings.set_local("sync.ca_bundle", str(bundle))
    settings.set_local("sync.proxy", "http://127.0.0.1:3128")
    settings.set_local("sync.connect_timeout_s", 3)
    settings.set_local("sync.read_timeout_s", 7)
    session = make_session(Settings(tmp_path / "settings.json"))
    seen: dict = {}

    class Recorder(requests.adapters.HTTPAdapter):
        def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
            seen.update(kwargs, headers=dict(request.headers))
            response = requests.Response()
            response.status_code, response._content, response.request = 200, b"{}", request
            return response

    session.mount("https://", Recorder())
    session.get("https://zwgk.xiyuan.example/feed/timestamp.json")
    assert seen["verify"] == str(bundle)
    assert seen["proxies"]["https"] == "http://127.0.0.1:3128"
    assert seen["timeout"] == (3.0, 7.0)
    assert seen["headers"]["User-Agent"] == USER_AGENT == "disclosure-kiosk/0.1.0"
    session.get("https://zwgk.xiyuan.example/x", timeout=(1, 2), verify=False)
    assert seen["timeout"] == (1, 2) and seen["verify"] is False  # a caller's explicit choice still wins
    assert Timeouts(10, 30).pair(remaining=4) == (4, 4)


# ------------------------------------------------------------------------------------------ the big one
TOTAL = 1000
WORKER = Path(__file__).with_name("outbox_worker.py")


def outbox_counts(path: Path) -> tuple[int, int, int]:
    """(rows, delivered, rejected), read with a plain connection while the worker writes."""
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as db:
            rows, delivered, rejected = db.execute(
                "SELECT COUNT(*), COALESCE(SUM(state = 'delivered'), 0), COALESCE(SUM(state = 'rejected'), 0) FROM outbox").fetchone()
    except sqlite3.OperationalError:  # not created yet
        return 0, 0, 0
    return int(rows), int(delivered), int(rejected)


def number_in(kind: str, payload: dict) -> int:
    return int(payload["record_id"].split("-")[1]) if kind == "rating" else int(payload["n"])


@pytest.mark.slow
def test_a_thousand_submissions_survive_kills_and_a_flapping_portal(tmp_path: Path) -> None:
    """Each of 1,000 submissions is stored at the portal exactly once though the terminal is SIGKILLed and the portal flaps."""
    rng = random.Random(20261121)
    dirs = PortalDirs(tmp_path / "portal").prepare()
    portal = PortalProcess(dirs, free_port(), tmp_path / "portal.log")
    portal.start()
    data_dir = tmp_path / "terminal"
    enroll(data_dir, portal.url, dirs.code())
    outbox_path = data_dir / "outbox.sqlite"
    worker_log = tmp_path / "worker.log"
    worker: subprocess.Popen[bytes] | None = None
    started = time.monotonic()
    chaos_ends, give_up = started + 25, started + 85
    next_kill = started + rng.uniform(0.3, 1.5)
    next_flap = started + rng.uniform(2, 5)
    worker_kills = portal_kills = 0
    counts = (0, 0, 0)
    try:
        while True:
            now = time.monotonic()
            if worker is None or worker.poll() is not None:
                if worker is not None:
                    assert worker.returncode == -signal.SIGKILL, f"worker died by itself ({worker.returncode}): {worker_log.read_text()[-3000:]}"
                with worker_log.open("ab") as log:
                    worker = subprocess.Popen([sys.executable, str(WORKER), str(data_dir), "--total", str(TOTAL)], stdout=log, stderr=log)
            chaos = now < chaos_ends
            if chaos and now >= next_kill:
                os.kill(worker.pid, signal.SIGKILL)
                worker.wait(10)
                worker_kills += 1
                next_kill = now + rng.uniform(0.3, 1.5)
            if chaos and now >= next_flap:
                if portal.running:
                    portal.kill()
                    portal_kills += 1
                    next_flap = now + rng.uniform(0.3, 1.5)  # how long it stays down
                else:
                    portal.start(wait=False)
                    next_flap = now + rng.uniform(3, 6)  # how long it stays up
            if not chaos and not portal.running:
                portal.start(wait=False)
            counts = outbox_counts(outbox_path)
            if not chaos and counts == (TOTAL, TOTAL, 0):
                break
            if now > give_up:
                pytest.fail(f"not converged after {now - started:.0f} s: outbox rows/delivered/rejected = {counts}, "
                            f"{worker_kills} worker kills, {portal_kills} portal kills\nworker log:\n{worker_log.read_text()[-3000:]}"
                            f"\nportal log:\n{portal.log_path.read_text(errors='replace')[-3000:]}")
            time.sleep(0.02)
    finally:
        if worker is not None and worker.poll() is None:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(10)
    elapsed = time.monotonic() - started
    assert worker_kills >= 10 and portal_kills >= 3, (worker_kills, portal_kills)

    # The terminal's side: every number added exactly once, every rating row beside its outbox row.
    with Outbox(outbox_path) as outbox:
        bodies = [json.loads(item.body) for item in outbox.items()]
        ratings = outbox.ratings()
    numbers = [number_in(body["kind"], body["payload"]) for body in bodies]
    assert sorted(numbers) == list(range(TOTAL))
    assert sorted(int(record_id.split("-")[1]) for record_id, _, _ in ratings) == sorted(n for n in numbers if n % 3 == 0)

    # The portal's side, as staff see it: exactly 1,000 items, 1,000 distinct numbers, sealed parts open to the same number.
    items = json.loads(run_portal_cli(dirs, "inbox", "--json", "--decrypt"))
    portal.kill()
    assert len(items) == TOTAL
    assert len({item["key"] for item in items}) == TOTAL
    stored = [number_in(item["kind"], item["payload"]) for item in items]
    assert len(set(stored)) == TOTAL and sorted(stored) == list(range(TOTAL))
    requests_seen = [item for item in items if item["kind"] == "request"]
    assert len(requests_seen) == len([n for n in range(TOTAL) if n % 3 == 1])
    assert all(item["opened"]["n"] == item["payload"]["n"] for item in requests_seen)
    duplicates = sum(int(found) for found in re.findall(r"dup=(\d+)", worker_log.read_text()))
    print(f"\n1,000 submissions converged in {elapsed:.1f} s with {worker_kills} worker kills and {portal_kills} portal kills; "
          f"{duplicates} re-sends answered 'duplicate' (answers lost to a kill)")
