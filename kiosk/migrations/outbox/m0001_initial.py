"""The outbox and the ratings it carries: the schema outbox.sqlite had before it had versions.

Every statement says ``IF NOT EXISTS`` on purpose: a file written by the unversioned outbox already has
exactly these tables, keeps every row, and only gets ``version 1`` recorded.
"""

from __future__ import annotations

import sqlite3

VERSION = 1

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,               -- Idempotency-Key sent to the portal
        kind TEXT NOT NULL,
        body TEXT NOT NULL,                     -- canonical JSON of the request body, fixed at add time
        created_at TEXT NOT NULL,               -- UTC ISO
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,          -- UTC ISO, fixed width: compares as text
        delivered_at TEXT,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'rejected')),
        last_error TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at)",
    """CREATE TABLE IF NOT EXISTS rating (
        id INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL,
        score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
        created_at TEXT NOT NULL
    )""",
)


def up(db: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
