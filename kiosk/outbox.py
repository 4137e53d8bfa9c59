"""What this terminal still has to tell the portal: ratings, requests, usage counts, heartbeats.

Its own small SQLite file (``outbox.sqlite``) so a content sync that rebuilds the content store
never touches what people submitted. Its schema has numbered migrations like the content store's
(``kiosk/migrations/outbox/``, run by kiosk/store/migrate.py with a backup first), because this is
the file that must never lose a row. The rule that makes uploads exactly-once:

- the action (e.g. a rating row) and its outbox row are written in **one transaction**, committed
  with ``synchronous=FULL`` before :meth:`Outbox.add` returns — after a kill -9 or a power cut
  both exist or neither does;
- every row has an idempotency key; the sender posts it with ``Idempotency-Key`` and the portal
  keeps ``UNIQUE (terminal_id, key)``, so sending twice after a lost answer stores it once;
- personal data is sealed to the portal's public key *before* it is written here.

The body column holds the exact request body (canonical JSON), fixed when the row is added, so a
re-send is byte-identical and the portal recognises it as a duplicate rather than a conflict.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.clock import Clock, system_clock
from kiosk.errors import KioskError
from kiosk.protocol import IDEMPOTENCY_KEY_RULE, OUTBOX_KINDS, is_idempotency_key, upload_body
from kiosk.sealing import SealingError, canonical_json, seal
from kiosk.store.migrate import OUTBOX, open_local

STATES = ("pending", "delivered", "rejected")
BUSY_TIMEOUT_MS = 15000



class OutboxError(KioskError, RuntimeError):
    """A submission that cannot be queued; nothing of it was written."""


@dataclass(frozen=True)
class OutboxItem:
    id: int
    key: str
    kind: str
    body: str
    created_at: str
    attempts: int
    next_attempt_at: str
    delivered_at: str | None
    state: str
    last_error: str | None


@dataclass(frozen=True)
class Added:
    """Result of :meth:`Outbox.add`: ``created`` is False when the key was already queued."""

    id: int
    key: str
    created: bool


def utc_text(moment: dt.datetime | None = None) -> str:
    """Fixed-width UTC ISO text, so ``next_attempt_at <= now`` works as a text comparison."""
    moment = moment or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        raise ValueError("outbox times must be timezone-aware")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def new_key() -> str:
    return uuid.uuid4().hex


def check_key(key: str) -> str:
    if not is_idempotency_key(key):
        raise OutboxError(f"idempotency key: expected {IDEMPOTENCY_KEY_RULE} (found {key!r})")
    return key


class Outbox:
    """The outbox database at ``path``. Safe to share between threads; other processes may open it too (WAL)."""

    def __init__(self, path: Path, *, portal_public_key: str | None = None, clock: Clock = system_clock) -> None:
        self.path = Path(path)
        self.clock = clock  # created_at and when an item is next due (the terminal's clock, kiosk/clock.py)
        self.portal_public_key = portal_public_key
        self._lock = threading.RLock()
        # synchronous=FULL: a small file, so an fsync per commit is cheap, and what people typed survives a power cut
        self._db = open_local(self.path, OUTBOX, clock=clock, synchronous="FULL", busy_timeout_ms=BUSY_TIMEOUT_MS)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _utc(self, moment: dt.datetime | None) -> str:
        return utc_text(moment or self.clock())

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT: takes the write lock up front, so two writers never deadlock."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise

    # ----------------------------------------------------------------------------- adding
    def add(self, kind: str, payload: dict[str, Any] | None = None, personal: dict[str, Any] | None = None, *,
            key: str | None = None, portal_public_key: str | None = None,
            write: Callable[[sqlite3.Connection], None] | None = None, now: dt.datetime | None = None) -> Added:
        """Queue one submission; ``write`` (the action itself) runs in the same transaction.

        ``personal`` is sealed to the portal's key first and only the sealed box is stored. With a
        key that is already queued nothing is written and ``write`` does not run: the action
        belongs to the row that exists.
        """
        if kind not in OUTBOX_KINDS:
            raise OutboxError(f"unknown outbox kind: expected one of {', '.join(OUTBOX_KINDS)} (found {kind!r})")
        key = check_key(key) if key is not None else new_key()
        sealed = None
        if personal is not None:
            public_key = portal_public_key or self.portal_public_key
            if not public_key:
                raise OutboxError("终端尚未登记，没有门户公钥，不能保存个人信息 / "
                                  "no portal public key (enrol the terminal first): personal data is never stored in the clear")
            try:
                sealed = seal(personal, public_key)
            except SealingError as exc:
                raise OutboxError(str(exc)) from exc
        created_at = self._utc(now)
        body = canonical_json(upload_body(kind, created_at, payload, sealed))
        with self._transaction() as db:
            return self._insert(db, key, kind, body, created_at, write)

    @staticmethod
    def _insert(db: sqlite3.Connection, key: str, kind: str, body: str, created_at: str,
                write: Callable[[sqlite3.Connection], None] | None) -> Added:
        cursor = db.execute("INSERT OR IGNORE INTO outbox (key, kind, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)",
                            (key, kind, body, created_at, created_at))
        if cursor.rowcount == 0:
            (existing,) = db.execute("SELECT id FROM outbox WHERE key = ?", (key,)).fetchone()
            return Added(int(existing), key, created=False)
        if write is not None:
            write(db)
        return Added(int(cursor.lastrowid or 0), key, created=True)

    def rate(self, record_id: str, score: int, *, now: dt.datetime | None = None) -> Added:
        """A person rated a record: the rating row and its outbox row, together or not at all."""
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise OutboxError(f"rating must be a whole number from 1 to 5 (found {score!r})")
        if not isinstance(record_id, str) or not record_id:
            raise OutboxError(f"a rating needs the id of the rated record (found {record_id!r})")
        created_at = self._utc(now)

        def insert_rating(db: sqlite3.Connection) -> None:
            db.execute("INSERT INTO rating (record_id, score, created_at) VALUES (?, ?, ?)", (record_id, score, created_at))

        return self.add("rating", {"record_id": record_id, "score": score}, write=insert_rating, now=now)

    def queue_heartbeat(self, payload: dict[str, Any], *, now: dt.datetime | None = None) -> Added:
        """Queue a heartbeat, replacing one not yet sent: only the latest state is worth sending."""
        key = new_key()
        created_at = self._utc(now)
        body = canonical_json(upload_body("heartbeat", created_at, payload, None))
        with self._transaction() as db:
            db.execute("DELETE FROM outbox WHERE kind = 'heartbeat' AND state = 'pending'")
            return self._insert(db, key, "heartbeat", body, created_at, None)

    # ----------------------------------------------------------------------------- sending
    def due(self, now: dt.datetime | None = None, limit: int = 50) -> list[OutboxItem]:
        """Pending items whose next attempt has come, oldest first."""
        return self._select("WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?", (self._utc(now), limit))

    def mark_delivered(self, item_id: int, *, now: dt.datetime | None = None) -> None:
        with self._transaction() as db:
            db.execute("UPDATE outbox SET state = 'delivered', delivered_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ?",
                       (self._utc(now), item_id))

    def mark_retry(self, item_id: int, error: str, next_attempt_at: dt.datetime) -> None:
        with self._transaction() as db:
            db.execute("UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ? WHERE id = ? AND state = 'pending'",
                       (error, utc_text(next_attempt_at), item_id))

    def mark_rejected(self, item_id: int, error: str) -> None:
        """The portal refused this item for good; it stays here, visible to staff, never silently dropped."""
        with self._transaction() as db:
            db.execute("UPDATE outbox SET state = 'rejected', attempts = attempts + 1, last_error = ? WHERE id = ? AND state = 'pending'",
                       (error, item_id))

    def requeue(self, item_id: int, *, now: dt.datetime | None = None) -> None:
        """Staff send a rejected item again (same key and body, so it is still stored at most once)."""
        with self._transaction() as db:
            db.execute("UPDATE outbox SET state = 'pending', next_attempt_at = ?, delivered_at = NULL WHERE id = ?", (self._utc(now), item_id))

    # ----------------------------------------------------------------------------- looking
    def backlog(self) -> dict[str, int]:
        """Items per state (pending, delivered, rejected); the heartbeat reports ``pending``."""
        with self._lock:
            rows = self._db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
        counts = dict.fromkeys(STATES, 0)
        counts.update({state: int(count) for state, count in rows})
        return counts

    def get(self, item_id: int) -> OutboxItem | None:
        found = self._select("WHERE id = ?", (item_id,))
        return found[0] if found else None

    def items(self, *, state: str | None = None, kind: str | None = None) -> list[OutboxItem]:
        clauses, params = [], []
        if state is not None:
            clauses.append("state = ?")
            params.append(state)
        if kind is not None:
            clauses.append("kind = ?")
            params.append(kind)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        return self._select(f"{where} ORDER BY id", tuple(params))

    def ratings(self) -> list[tuple[str, int, str]]:
        with self._lock:
            rows = self._db.execute("SELECT record_id, score, created_at FROM rating ORDER BY id").fetchall()
        return [(str(record_id), int(score), str(created_at)) for record_id, score, created_at in rows]

    def prune_delivered(self, before: dt.datetime) -> int:
        """Forget delivered rows older than ``before`` (the portal has them); rejected rows stay."""
        with self._transaction() as db:
            return db.execute("DELETE FROM outbox WHERE state = 'delivered' AND delivered_at < ?", (utc_text(before),)).rowcount

    def _select(self, tail: str, params: tuple[Any, ...]) -> list[OutboxItem]:
        query = f"SELECT id, key, kind, body, created_at, attempts, next_attempt_at, delivered_at, state, last_error FROM outbox {tail}"
        with self._lock:
            rows = self._db.execute(query, params).fetchall()
        return [OutboxItem(*row) for row in rows]
