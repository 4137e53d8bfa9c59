"""Searches that found nothing, counted per local day and query (kiosk/zeroresults.py, issue 14 item 3).

Only filtered, normalised queries are written here (at most 32 characters, nothing that looks like a
number or a payment recipient), so the file holds no personal data.
"""

from __future__ import annotations

import sqlite3

VERSION = 2

STATEMENTS = (
    """CREATE TABLE zero_result (
        local_day TEXT NOT NULL,
        query TEXT NOT NULL,
        searches INTEGER NOT NULL,
        PRIMARY KEY (local_day, query)
    )""",
)


def up(db: sqlite3.Connection) -> None:
    for statement in STATEMENTS:
        db.execute(statement)
