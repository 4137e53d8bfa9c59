"""Records (narrow index rows + their JSON), meta, and the trigram FTS5 index keyed by the record's pk."""

from __future__ import annotations

from peewee import SqliteDatabase

VERSION = 1

STATEMENTS = (
    """CREATE TABLE record (
        pk INTEGER PRIMARY KEY AUTOINCREMENT,
        record_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        version INTEGER NOT NULL,
        region TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0,
        title TEXT NOT NULL DEFAULT '',
        aliases TEXT NOT NULL DEFAULT '',
        initials TEXT NOT NULL DEFAULT '',
        alias_initials TEXT NOT NULL DEFAULT '',
        sort_date TEXT NOT NULL DEFAULT '',
        current INTEGER NOT NULL DEFAULT 1,
        expires_utc TEXT NOT NULL DEFAULT ''
    )""",
    # The record JSON lives apart, so the narrow rows above stay cheap to scan and to look up by pk.
    "CREATE TABLE record_data (pk INTEGER PRIMARY KEY REFERENCES record (pk) ON DELETE CASCADE, data TEXT NOT NULL)",
    "CREATE VIEW record_full AS SELECT record.*, record_data.data AS data FROM record JOIN record_data USING (pk)",
    "CREATE INDEX record_kind_region_date ON record (kind, region, sort_date)",
    "CREATE INDEX record_region ON record (region)",
    # Covers the search scans (title, aliases, first letters) so they never read the record JSON.
    """CREATE INDEX record_scan ON record (region, deleted, kind, expires_utc, current, sort_date,
        title, aliases, initials, alias_initials)""",
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, aliases, body, tokenize='trigram')",
)


def up(db: SqliteDatabase) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
