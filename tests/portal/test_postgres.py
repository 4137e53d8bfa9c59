"""The reference portal on a real PostgreSQL: a private cluster on 127.0.0.1, the same waitress server as the SQLite tests.

One cluster for the session (tests/portal/postgres_server.py); each test gets a fresh database,
so every test also checks the tables are created on an empty PostgreSQL database.
"""

from __future__ import annotations

import base64
import itertools
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from nacl.public import PublicKey, SealedBox

from sync.portal.app import ThreadedServer, create_app
from sync.portal.models import open_db
from tests.helpers.paths import ROOT
from tests.portal.conftest import COUNTY, VILLAGE, PortalServer, bearer
from tests.portal.postgres_server import PostgresUnavailable, start_postgres

psycopg2 = pytest.importorskip("psycopg2", reason="psycopg2-binary is not installed (pip install -e '.[dev]')")

STAMP = "2026-11-21T09:00:00+08:00"
_databases = itertools.count(1)
PORTAL_THREADS = 8  # waitress threads, as in tests/portal/conftest.py


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private PostgreSQL cluster for the session; the URL of its (empty) `portal` database."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.skip(f"no private PostgreSQL for the portal tests: {exc}")
    try:
        yield server.url()
    finally:
        server.stop()


def fresh_database(postgres_url: str, name: str) -> str:
    """A new empty database on the same cluster; its URL."""
    admin = psycopg2.connect(postgres_url)
    try:
        admin.autocommit = True  # CREATE DATABASE cannot run in a transaction
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        admin.close()
    return postgres_url.rsplit("/", 1)[0] + "/" + name


def sql(db_url: str, query: str, *params: Any) -> list[tuple[Any, ...]]:
    """Ask PostgreSQL directly, past the portal's models."""
    connection = psycopg2.connect(db_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            return cursor.fetchall()
    finally:
        connection.close()


@pytest.fixture
def pg_portal(postgres_url: str, tmp_path: Path) -> Iterator[PortalServer]:
    """What tests/portal/conftest.py's `portal_server` is, with the database on PostgreSQL."""
    db_url = fresh_database(postgres_url, f"portal_test_{next(_databases)}")
    state_dir, feed_dir = tmp_path / "portal-state", tmp_path / "feed"
    feed_dir.mkdir(parents=True)
    server = ThreadedServer(create_app(feed_dir, db_url, state_dir), threads=PORTAL_THREADS).start()
    portal = PortalServer(server.url, db_url, state_dir, feed_dir, open_db(db_url))
    try:
        yield portal
    finally:
        server.stop()
        portal.db.close()


def kiosk_portal(portal: PortalServer, *args: str) -> Any:
    """`kiosk-portal --db postgresql://… <args> --json` as staff run it; its JSON output."""
    script = Path(sys.executable).parent / "kiosk-portal"
    program = [str(script)] if script.exists() else [sys.executable, "-m", "sync.portal.cli"]
    result = subprocess.run([*program, "--db", portal.db_url, "--state-dir", str(portal.state_dir), *args, "--json"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, f"kiosk-portal {' '.join(args)} failed on PostgreSQL:\n{result.stderr}"
    return json.loads(result.stdout)


def post_item(portal: PortalServer, token: str, key: str, body: Any, session: Any = requests) -> requests.Response:
    return session.post(f"{portal.base_url}/api/v1/inbox", json=body, headers={**bearer(token), "Idempotency-Key": key}, timeout=30)


def rating(stars: int = 5) -> dict[str, Any]:
    return {"kind": "rating", "created_at": STAMP, "payload": {"stars": stars, "screen": "documents"}, "sealed": None}


def heartbeat(terminal_id: str, generation: int = 7) -> dict[str, Any]:
    payload = {"terminal_id": terminal_id, "app_version": "0.1.0", "generations": {COUNTY: generation, "990000000000": 3},
               "last_sync": STAMP, "last_sync_error": None, "outbox_backlog": 2, "uptime_s": 3600}
    return {"kind": "heartbeat", "created_at": STAMP, "payload": payload, "sealed": None}


def lock_waiters(db_url: str) -> int:
    """Sessions of this database waiting on a lock (an INSERT queued behind an uncommitted equal key)."""
    rows = sql(db_url, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
    return int(rows[0][0])


def race(portal: PortalServer, token: str, key: str, body: dict[str, Any], clients: int = 20, *,
         hold_for: str | None = None) -> list[tuple[int, str]]:
    """`clients` threads post the same key and body at the same moment; their (status, body) answers.

    With `hold_for` (the terminal_id), another session first inserts the same (terminal, key) and
    keeps it uncommitted: every waitress thread gets past the "already stored?" check and blocks in
    its own INSERT on the unique index. The hold is rolled back once all of them wait, so one INSERT
    wins and the others fail with a unique violation: the IntegrityError path, every time.
    """
    barrier = threading.Barrier(clients)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post() -> None:
        with requests.Session() as session:
            barrier.wait(timeout=10)
            response = post_item(portal, token, key, body, session=session)
            with lock:
                answers.append((response.status_code, response.text))

    holder = None
    if hold_for is not None:
        holder = psycopg2.connect(portal.db_url)  # not autocommit: the INSERT stays uncommitted until rollback()
        with holder.cursor() as cursor:
            cursor.execute("INSERT INTO inbox_item (terminal_id, key, kind, body_sha256, created_at, received_at) "
                           "VALUES (%s, %s, 'rating', 'held', %s, now())", (hold_for, key, STAMP))
    threads = [threading.Thread(target=post) for _ in range(clients)]
    try:
        for thread in threads:
            thread.start()
        if holder is not None:
            expected = min(clients, PORTAL_THREADS)
            deadline = time.monotonic() + 15
            while (waiting := lock_waiters(portal.db_url)) < expected and time.monotonic() < deadline:
                time.sleep(0.02)
            assert waiting == expected, f"expected all {expected} portal threads to wait on the held key, {waiting} did"
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
        for thread in threads:
            thread.join(timeout=60)
    return answers


# ---------------------------------------------------------------- the tests


def test_the_portal_really_runs_on_postgresql(pg_portal: PortalServer) -> None:
    assert pg_portal.db_url.startswith("postgresql://kiosk@127.0.0.1:")
    assert not pg_portal.db.is_sqlite()
    tables = {row[0] for row in sql(pg_portal.db_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert tables == {"terminal", "enrolment_code", "inbox_item"}
    unique = sql(pg_portal.db_url, "SELECT indexdef FROM pg_indexes WHERE tablename = 'inbox_item' AND indexdef LIKE 'CREATE UNIQUE%%'")
    assert any("(terminal_id, key)" in row[0] for row in unique), unique
    health = requests.get(f"{pg_portal.base_url}/healthz", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert not list(pg_portal.state_dir.glob("*.sqlite*")), "a PostgreSQL portal must not fall back to a SQLite file"


def test_enrolment_works_and_a_code_works_once(pg_portal: PortalServer) -> None:
    code = pg_portal.issue_code(name="青山村村委会大厅")
    first = requests.post(f"{pg_portal.base_url}/api/v1/enroll", json={"code": code.lower()}, timeout=10)
    assert first.status_code == 201, first.text
    data = first.json()
    assert data["region"] == VILLAGE and data["name"] == "青山村村委会大厅" and len(data["token"]) >= 40
    again = requests.post(f"{pg_portal.base_url}/api/v1/enroll", json={"code": code}, timeout=10)
    assert again.status_code == 403, again.text
    whoami = requests.get(f"{pg_portal.base_url}/api/v1/whoami", headers=bearer(data["token"]), timeout=10)
    assert whoami.json() == {"terminal_id": data["terminal_id"], "region": VILLAGE, "name": "青山村村委会大厅"}
    rows = sql(pg_portal.db_url, "SELECT terminal_id, name, token_sha256 FROM terminal")
    assert [row[:2] for row in rows] == [(data["terminal_id"], "青山村村委会大厅")]  # UTF-8 round trip through PostgreSQL
    assert data["token"] not in json.dumps(rows, ensure_ascii=False)  # only the token's sha256 is stored
    assert sql(pg_portal.db_url, "SELECT used_by FROM enrolment_code") == [(data["terminal_id"],)]


def test_an_item_is_stored_once_a_retry_is_a_duplicate_and_a_changed_body_a_conflict(pg_portal: PortalServer) -> None:
    token = pg_portal.enroll()["token"]
    first = post_item(pg_portal, token, "rating:0001", rating(5))
    assert (first.status_code, first.json()) == (201, {"status": "stored"}), first.text
    again = post_item(pg_portal, token, "rating:0001", rating(5))
    assert (again.status_code, again.json()) == (200, {"status": "duplicate"}), again.text
    changed = post_item(pg_portal, token, "rating:0001", rating(4))
    assert changed.status_code == 409, changed.text
    assert set(changed.json()) == {"error", "error_zh"} and "rating:0001" in changed.json()["error"]
    rows = sql(pg_portal.db_url, "SELECT key, kind, payload FROM inbox_item")
    assert len(rows) == 1 and rows[0][:2] == ("rating:0001", "rating")
    assert json.loads(rows[0][2])["stars"] == 5  # the conflicting body changed nothing


@pytest.mark.parametrize("held", [False, True], ids=["free-race", "held-key"])
@pytest.mark.parametrize("kind", ["rating", "heartbeat"])  # a plain INSERT, and the INSERT + UPDATE transaction
def test_twenty_concurrent_posts_of_one_key_store_one_row(pg_portal: PortalServer, kind: str, held: bool) -> None:
    enrolled = pg_portal.enroll()
    body = rating() if kind == "rating" else heartbeat(enrolled["terminal_id"])
    answers = race(pg_portal, enrolled["token"], "race", body, hold_for=enrolled["terminal_id"] if held else None)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 19 + [201], (
        "on PostgreSQL the UNIQUE(terminal, key) race must answer one 201 and nineteen 200 duplicates "
        f"(the IntegrityError path), got {statuses}; non-2xx answers: {[text for status, text in answers if status >= 300][:3]}"
    )
    rows = sql(pg_portal.db_url, "SELECT kind, body_sha256 FROM inbox_item WHERE terminal_id = %s AND key = 'race'", enrolled["terminal_id"])
    assert len(rows) == 1, f"UNIQUE(terminal, key) did not hold on PostgreSQL: {len(rows)} rows for one key"
    assert rows[0][0] == kind and rows[0][1] != "held"  # the portal's row, not the rolled-back hold
    if kind == "heartbeat":
        assert pg_portal.db.Terminal.get_by_id(enrolled["terminal_id"]).last_heartbeat_at is not None


def test_a_heartbeat_shows_in_kiosk_portal_terminals(pg_portal: PortalServer) -> None:
    quiet = pg_portal.enroll(name="溪源镇便民服务中心")
    busy = pg_portal.enroll(name="青山村村委会大厅")
    answer = post_item(pg_portal, busy["token"], "heartbeat:0001", heartbeat(busy["terminal_id"], generation=7))
    assert answer.status_code == 201, answer.text
    rows = {row["terminal_id"]: row for row in kiosk_portal(pg_portal, "terminals")}
    assert set(rows) == {quiet["terminal_id"], busy["terminal_id"]}
    assert rows[quiet["terminal_id"]]["last_heartbeat_at"] is None and rows[quiet["terminal_id"]]["stale_en"] == "never"
    heard = rows[busy["terminal_id"]]
    assert heard["last_heartbeat_at"] is not None and heard["last_heartbeat_at"].endswith("Z")
    assert (heard["stale_zh"], heard["stale_en"]) == ("刚刚", "just now")
    assert heard["generations"] == {COUNTY: 7, "990000000000": 3}
    assert (heard["app_version"], heard["outbox_backlog"], heard["revoked"]) == ("0.1.0", 2, False)
    assert heard["name"] == "青山村村委会大厅" and heard["last_ip"] == "127.0.0.1"


def test_kiosk_portal_inbox_lists_the_items(pg_portal: PortalServer) -> None:
    enrolled = pg_portal.enroll()
    token, terminal_id = enrolled["token"], enrolled["terminal_id"]
    sealed = SealedBox(PublicKey(base64.b64decode(enrolled["portal_public_key"]))).encrypt(
        json.dumps({"name": "张三", "phone": "13800000000", "request": "2026年耕地地力保护补贴发放名单"}, ensure_ascii=False).encode())
    request = {"kind": "request", "created_at": STAMP, "payload": None, "sealed": base64.b64encode(sealed).decode()}
    for key, body in (("rating:1", rating(5)), ("heartbeat:1", heartbeat(terminal_id)), ("request:1", request), ("rating:2", rating(3))):
        answer = post_item(pg_portal, token, key, body)
        assert answer.status_code == 201, answer.text

    items = kiosk_portal(pg_portal, "inbox")
    assert [(item["key"], item["kind"], item["terminal_id"]) for item in items] == [
        ("rating:1", "rating", terminal_id), ("heartbeat:1", "heartbeat", terminal_id),
        ("request:1", "request", terminal_id), ("rating:2", "rating", terminal_id),
    ]
    assert items[0]["payload"] == {"stars": 5, "screen": "documents"} and items[0]["created_at"] == STAMP
    assert all(item["received_at"].endswith("Z") for item in items)
    assert items[2]["payload"] is None and items[2]["sealed"] == request["sealed"]
    assert [item["key"] for item in kiosk_portal(pg_portal, "inbox", "--kind", "rating")] == ["rating:1", "rating:2"]
    assert [item["key"] for item in kiosk_portal(pg_portal, "inbox", "--limit", "2")] == ["request:1", "rating:2"]
    opened = kiosk_portal(pg_portal, "inbox", "--kind", "request", "--decrypt")
    assert opened[0]["opened"]["name"] == "张三"
