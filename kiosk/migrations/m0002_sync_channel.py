"""Per-channel sync state, kept in the content database so a generation and its records commit together."""

from __future__ import annotations

from peewee import SqliteDatabase

VERSION = 2

STATEMENTS = (
    """CREATE TABLE sync_channel (
        channel TEXT PRIMARY KEY,
        generation INTEGER NOT NULL DEFAULT 0,
        published_at TEXT NOT NULL DEFAULT '',
        last_success TEXT NOT NULL DEFAULT '',
        last_attempt TEXT NOT NULL DEFAULT '',
        last_error TEXT NOT NULL DEFAULT '',
        error_kind TEXT NOT NULL DEFAULT ''
    )""",
)


def up(db: SqliteDatabase) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
