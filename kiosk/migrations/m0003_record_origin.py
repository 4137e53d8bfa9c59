"""Where each stored record came from (issue 12, items 1, 2 and 6): ``record.origin``.

The feed channel's name (``990121000000``) for a record applied with a ``ChannelCommit`` (sync,
``kiosk import-feed``), ``local`` for a plain ``kiosk import``, ``demo`` for the bundled demo
county. Rows stored before this migration get ``''``: unknown, treated like local (a feed record
replaces it, it owns nothing). See ``kiosk/store/store.py`` (``_apply_one``) and
docs/ARCHITECTURE.md, "Store".
"""

from __future__ import annotations

from peewee import SqliteDatabase

VERSION = 3

STATEMENTS = (
    "ALTER TABLE record ADD COLUMN origin TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX record_origin_kind ON record (origin, kind)",
)


def up(db: SqliteDatabase) -> None:
    for statement in STATEMENTS:
        db.execute_sql(statement)
