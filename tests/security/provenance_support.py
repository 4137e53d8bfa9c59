"""Shared by the provenance attack tests (issue 12, items 1, 2 and 6): a real signed feed built with
the real publisher, and the real `kiosk` command against a real data folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers.paths import ROOT
from tests.sync.feed_support import FeedFixture, make_source

COUNTY_CHANNEL = "990121000000"
PROVINCE = "990000000000"


def kiosk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`kiosk ARGS --data-dir DATA` in its own process, as staff run it."""
    return subprocess.run([sys.executable, "-m", "app.main", *args, "--data-dir", str(data)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8")
    return path


def built_feed(base: Path, documents: int = 5) -> FeedFixture:
    """A county feed (regions, notices, documents, boards, payments) published once."""
    feed = FeedFixture(base / "feed", base / "keys", make_source(base / "source", documents=documents))
    feed.build()
    return feed


def import_feed(data: Path, feed: FeedFixture) -> subprocess.CompletedProcess[str]:
    """`kiosk import-feed FEED --root root.json`: the USB path, with the same signature checks as a sync."""
    root = data.parent / f"{data.name}-root.json"
    root.write_bytes(feed.root)
    return kiosk(data, "import-feed", str(feed.feed), "--root", str(root), "--json")


def stored(data: Path) -> list[tuple[Any, ...]]:
    """Every stored row a person could be shown, read straight from the SQLite file."""
    import sqlite3

    connection = sqlite3.connect(data / "content.sqlite")
    try:
        return connection.execute("SELECT record_id, version, deleted, data FROM record_full ORDER BY record_id").fetchall()
    finally:
        connection.close()


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
