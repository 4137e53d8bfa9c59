"""Issue 12, item 6: channels did not own their ids.

A county-channel tombstone deleted a province-channel document with the same id. Now a record id
belongs to the one channel that brought it (``record.origin``): a bundle that writes an id another
channel owns is refused whole at apply time (a format error of that channel, nothing applied), and
`kiosk-publish build` refuses to publish an id another channel of the repository has published.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import sync.publish.build
from tests.helpers.paths import ROOT
from tests.helpers.records import COUNTY, make
from tests.security.provenance_support import PROVINCE, built_feed, import_feed, kiosk, write_jsonl

SHARED = "doc-shared-1"


def _publish(source: Path, feed: Path, keys: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sync.publish.cli", "build", str(source), str(feed), "--keys", str(keys)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_the_publisher_refuses_an_id_another_channel_of_the_repository_published(tmp_path: Path) -> None:
    feed = built_feed(tmp_path)
    write_jsonl(feed.source / "shared.jsonl", [make("document", SHARED, region=COUNTY, title="县里的文件")])
    assert _publish(feed.source, feed.feed, tmp_path / "keys").returncode == 0
    before = feed.publisher.load_state()
    write_jsonl(feed.source / "shared.jsonl", [make("document", SHARED, region=PROVINCE, title="省里的文件")])
    result = _publish(feed.source, feed.feed, tmp_path / "keys")
    # before the fix: exit 0, the province channel publishes the id and the county a tombstone for it
    assert result.returncode == 2, result.stdout + result.stderr
    assert SHARED in result.stderr and "channel 990121000000" in result.stderr and "nothing was published" in result.stderr
    assert feed.publisher.load_state() == before


def test_a_bundle_that_writes_another_channels_id_is_refused_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A feed from a publisher without that check: the province takes the id, the county's snapshot tombstones it."""
    feed = built_feed(tmp_path)
    write_jsonl(feed.source / "shared.jsonl", [make("document", SHARED, region=COUNTY, title="县里的文件")])
    feed.build()
    write_jsonl(feed.source / "shared.jsonl", [make("document", SHARED, region=PROVINCE, title="省里的文件")])
    monkeypatch.setattr(sync.publish.build, "_refuse_foreign_ids", lambda *_args: None, raising=False)  # an older publisher
    feed.build()
    data = tmp_path / "terminal"
    result = import_feed(data, feed)  # national and province first, the county last
    report = json.loads(result.stdout)
    channels = {channel["channel"]: channel for channel in report["channels"]}
    # before the fix: exit 0, and the county's tombstone deleted the province's document
    assert result.returncode == 5, result.stdout
    shown = kiosk(data, "show", SHARED, "--json")
    assert shown.returncode == 0, shown.stderr
    assert channels[PROVINCE]["status"] == "updated"
    county = channels["990121000000"]
    assert county["status"] == "failed" and county["error_kind"] == "format"
    assert SHARED in county["error"] and f"owned by channel {PROVINCE}" in county["error"]
    info = json.loads(kiosk(data, "info", "--json").stdout)  # nothing of the county's bundle was applied
    assert info["sync"]["channels"]["990121000000"]["generation"] == 0
    connection = sqlite3.connect(data / "content.sqlite")
    try:
        assert connection.execute("SELECT COUNT(*) FROM record WHERE region LIKE '990121%'").fetchone() == (0,)
    finally:
        connection.close()
