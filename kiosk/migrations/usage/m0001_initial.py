"""The print log: the schema usage.sqlite had before it had versions.

Every statement says ``IF NOT EXISTS`` on purpose: a file written by the unversioned usage log already
has exactly this table, keeps every row, and only gets ``version 1`` recorded.
"""

from __future__ import annotations

import sqlite3

VERSION = 1

STATEMENTS = (
    """CREATE TABLE IF NOT EXISTS print_log (
        id INTEGER PRIMARY KEY,
        at_utc TEXT NOT NULL,
        local_day TEXT NOT NULL,
        record_id TEXT NOT NULL,
        layout TEXT NOT NULL,      -- a4, receipt
        pages INTEGER NOT NULL,
        outcome TEXT NOT NULL      -- printed, failed, refused
    )""",
    "CREATE INDEX IF NOT EXISTS print_log_day ON print_log (local_day, outcome)",
)


def up(db: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
