"""The outbox on a real SQLite file: one transaction per action, sealed personal data, coalescing, idempotent keys."""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from nacl.public import PrivateKey

from kiosk.heartbeat import heartbeat_payload, usage_key, usage_payload
from kiosk.outbox import Outbox, OutboxError
from kiosk.sealing import SealingError, seal, unseal
from kiosk.terminal import Terminal
from kiosk.usage import UsageLog

MARKER = "MARKER-王小明-430123199001011234"
NOW = dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def keypair() -> tuple[str, str]:
    key = PrivateKey.generate()
    return base64.b64encode(bytes(key.public_key)).decode(), base64.b64encode(bytes(key)).decode()


@pytest.fixture
def outbox(tmp_path: Path) -> Outbox:
    with Outbox(tmp_path / "outbox.sqlite") as box:
        yield box


def raw_rows(path: Path, table: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(f"SELECT * FROM {table}").fetchall()


def test_a_rating_and_its_outbox_row_are_written_together(outbox: Outbox) -> None:
    added = outbox.rate("doc-1", 5)
    assert added.created and len(added.key) == 32
    assert [r[:2] for r in outbox.ratings()] == [("doc-1", 5)]
    (item,) = outbox.items()
    body = json.loads(item.body)
    assert item.kind == "rating" and item.state == "pending" and item.attempts == 0
    assert body == {"kind": "rating", "created_at": item.created_at, "payload": {"record_id": "doc-1", "score": 5}, "sealed": None}
    assert item.body == json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))  # canonical, fixed at add time
    with pytest.raises(OutboxError, match="1 to 5"):
        outbox.rate("doc-1", 6)
    assert len(outbox.items()) == 1


def test_a_failing_action_rolls_back_its_outbox_row_too(outbox: Outbox) -> None:
    def insert_then_fail(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO rating (record_id, score, created_at) VALUES ('doc-2', 4, 'now')")
        raise RuntimeError("the screen crashed half way")

    with pytest.raises(RuntimeError, match="half way"):
        outbox.add("rating", {"record_id": "doc-2", "score": 4}, write=insert_then_fail)
    assert outbox.items() == [] and outbox.ratings() == []
    # A failing SQL statement inside the action (score out of range) also takes the outbox row with it.
    with pytest.raises(sqlite3.IntegrityError):
        outbox.add("rating", {"record_id": "doc-3"}, write=lambda db: db.execute("INSERT INTO rating (record_id, score, created_at) VALUES ('x', 9, 'n')"))
    assert outbox.items() == [] and outbox.ratings() == []
    outbox.rate("doc-4", 3)  # the connection is usable afterwards
    assert len(outbox.items()) == 1 and len(outbox.ratings()) == 1


def test_personal_data_is_never_on_disk_in_the_clear(tmp_path: Path, keypair: tuple[str, str]) -> None:
    public, private = keypair
    path = tmp_path / "outbox.sqlite"
    box = Outbox(path, portal_public_key=public)
    added = box.add("request", {"item": "cat-7", "channel": "kiosk"}, personal={"name": MARKER, "phone": "13800000000"})
    box.add("request", {"item": "cat-8"}, personal={"name": MARKER + "-2"}, key="req-2")
    # Look at every byte SQLite keeps: the main file, the WAL (not yet checkpointed) and the shared memory file.
    files = [p for p in tmp_path.iterdir() if p.name.startswith("outbox.sqlite")]
    assert any(p.name.endswith("-wal") and p.stat().st_size > 0 for p in files)
    for p in files:
        data = p.read_bytes()
        assert MARKER.encode() not in data and "王小明".encode() not in data and b"13800000000" not in data, p.name
    item = box.get(added.id)
    body = json.loads(item.body)
    assert body["payload"] == {"item": "cat-7", "channel": "kiosk"}
    assert unseal(body["sealed"], private) == {"name": MARKER, "phone": "13800000000"}  # what the portal will read
    box.close()
    for p in tmp_path.iterdir():  # after the checkpoint on close, too
        assert MARKER.encode() not in p.read_bytes()


def test_personal_data_without_a_portal_key_is_refused_and_nothing_is_written(outbox: Outbox, keypair: tuple[str, str]) -> None:
    with pytest.raises(OutboxError, match=r"个人信息.*never stored in the clear"):
        outbox.add("request", {"item": "cat-7"}, personal={"name": MARKER})
    with pytest.raises(OutboxError, match="32 bytes"):
        outbox.add("request", {"item": "cat-7"}, personal={"name": MARKER}, portal_public_key=base64.b64encode(b"short").decode())
    assert outbox.items() == []
    with pytest.raises(SealingError):
        seal({"a": 1}, "")
    public, _private = keypair
    other = base64.b64encode(bytes(PrivateKey.generate())).decode()
    with pytest.raises(SealingError, match="does not open"):
        unseal(seal({"a": 1}, public), other)


def test_heartbeats_coalesce_while_pending(outbox: Outbox) -> None:
    outbox.rate("doc-1", 2)
    for n in range(5):
        outbox.queue_heartbeat({"n": n})
    beats = outbox.items(kind="heartbeat")
    assert len(beats) == 1 and json.loads(beats[0].body)["payload"] == {"n": 4}
    outbox.mark_delivered(beats[0].id)
    outbox.queue_heartbeat({"n": 5})
    outbox.queue_heartbeat({"n": 6})
    assert [(i.state, json.loads(i.body)["payload"]["n"]) for i in outbox.items(kind="heartbeat")] == [("delivered", 4), ("pending", 6)]
    assert len(outbox.items(kind="rating")) == 1  # other kinds are never replaced


def test_usage_counters_queue_once_per_terminal_and_day(terminal: Terminal, outbox: Outbox) -> None:
    log = UsageLog(terminal.data_dir / "usage.sqlite")
    at = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    log.record_print(at, "doc-1", "a4", 3, "printed")
    log.record_print(at, "doc-2", "receipt", 1, "printed")
    log.record_print(at, "doc-2", "a4", 2, "failed")
    log.record_print(at + dt.timedelta(days=1), "doc-2", "a4", 7, "printed")
    log.close()
    day = at.date()
    payload = usage_payload(terminal, day)
    assert payload["day"] == "2026-03-01" and payload["pages_printed"] == 4 and payload["terminal_id"] == terminal.settings["terminal.id"]
    assert {(p["layout"], p["outcome"], p["pages"]) for p in payload["prints"]} == {("a4", "printed", 3), ("receipt", "printed", 1), ("a4", "failed", 2)}
    key = usage_key(terminal.settings["terminal.id"], day)
    assert key == "usage-demo-terminal-01-2026-03-01"
    first = outbox.add("usage", payload, key=key)
    again = outbox.add("usage", usage_payload(terminal, day), key=key, write=lambda db: pytest.fail("the action of an existing key must not run"))
    assert first.created and not again.created and again.id == first.id
    assert len(outbox.items(kind="usage")) == 1
    assert usage_key("终端 01/a", day) == "usage-___01_a-2026-03-01"
    with pytest.raises(OutboxError, match="idempotency key"):
        outbox.add("usage", payload, key="has space")
    with pytest.raises(OutboxError, match="unknown outbox kind"):
        outbox.add("gossip", {})


def test_due_retry_reject_and_backlog(outbox: Outbox) -> None:
    a = outbox.rate("doc-1", 1, now=NOW)
    b = outbox.rate("doc-2", 2, now=NOW)
    c = outbox.rate("doc-3", 3, now=NOW)
    assert [i.id for i in outbox.due(NOW)] == [a.id, b.id, c.id]
    assert outbox.due(NOW - dt.timedelta(seconds=1)) == []
    assert [i.id for i in outbox.due(NOW, limit=2)] == [a.id, b.id]
    outbox.mark_retry(a.id, "HTTP 503", NOW + dt.timedelta(seconds=30))
    outbox.mark_rejected(b.id, "HTTP 409: key reused")
    outbox.mark_delivered(c.id)
    assert outbox.due(NOW + dt.timedelta(seconds=29)) == []
    (again,) = outbox.due(NOW + dt.timedelta(seconds=30))
    assert again.id == a.id and again.attempts == 1 and again.last_error == "HTTP 503"
    assert outbox.backlog() == {"pending": 1, "delivered": 1, "rejected": 1}
    rejected = outbox.get(b.id)
    assert rejected.state == "rejected" and "409" in rejected.last_error  # kept, visible to staff
    outbox.mark_retry(b.id, "late", NOW)  # a retry never resurrects a rejected item by accident
    assert outbox.get(b.id).state == "rejected"
    outbox.requeue(b.id, now=NOW)
    assert outbox.get(b.id).state == "pending"
    assert outbox.prune_delivered(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == 1


def test_the_file_is_wal_with_full_sync(outbox: Outbox) -> None:
    assert outbox._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert outbox._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert outbox._db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


@pytest.mark.clock
def test_heartbeat_payload_without_and_with_sync_channels(terminal: Terminal) -> None:
    started = terminal.clock() - dt.timedelta(seconds=90)
    printer = {"state": "ready", "reasons": []}
    beat = heartbeat_payload(terminal, app_version="0.1.0", started_at=started, printer_state=printer, outbox_backlog=3)
    if not terminal.store.sql("SELECT name FROM sqlite_master WHERE name = 'sync_channel'"):
        assert beat["generations"] == {} and beat["last_sync"] is None and beat["last_sync_error"] is None
        terminal.store.db.execute_sql("CREATE TABLE sync_channel (channel TEXT PRIMARY KEY, generation INTEGER, last_success TEXT, last_error TEXT)")
    terminal.store.db.execute_sql("DELETE FROM sync_channel")
    terminal.store.db.execute_sql(
        "INSERT INTO sync_channel (channel, generation, last_success, last_error) VALUES "
        "('990000000000', 4, '2026-03-01T08:00:00+08:00', ''), ('990121000000', 17, '2026-03-01T09:00:00+08:00', 'timeout')")
    beat = heartbeat_payload(terminal, app_version="0.1.0", started_at=started, printer_state=printer, outbox_backlog=3)
    assert beat["generations"] == {"990000000000": 4, "990121000000": 17}
    assert beat["last_sync"] == "2026-03-01T09:00:00+08:00" and beat["last_sync_error"] == "990121000000: timeout"
    assert beat["terminal_id"] == "demo-terminal-01" and beat["app_version"] == "0.1.0" and beat["outbox_backlog"] == 3
    assert beat["printer"] == printer and beat["uptime_s"] == 90 and beat["disk_free_bytes"] > 0
    assert set(beat) == {"terminal_id", "app_version", "generations", "last_sync", "last_sync_error", "outbox_backlog", "disk_free_bytes",
                         "printer", "uptime_s"}
