"""Issue 12, item 1: an unsigned `kiosk import` overrode signed content for good.

A forged board with a huge version replaced the official one; the county's correction and a full
snapshot were then ignored as older, and sync still reported success. A huge-version tombstone
deleted official records the same way. Now every record keeps its origin (``record.origin``): a
feed channel's record always wins over a local one, a plain import never writes an id a channel
owns, and on a terminal that follows a feed it may only bring kinds no channel publishes.
Real `kiosk import` and `kiosk import-feed` processes against a feed built by the real publisher.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from kiosk.clock import fixed_clock
from kiosk.store import ChannelCommit
from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_NOW
from tests.helpers.records import VILLAGE, make
from tests.security.provenance_support import COUNTY_CHANNEL, built_feed, import_feed, kiosk, lines, stored, write_jsonl

HUGE = 2**53  # the largest version the store accepts


def _forgeries(source: Path) -> list[dict]:
    board = lines(source / "board.jsonl")[0]
    document = lines(source / "document.jsonl")[0]
    forged_board = {**board, "version": HUGE, "title": "伪造的村务公开"}
    tombstone = {"id": document["id"], "kind": "document", "version": HUGE, "region": document["region"],
                 "updated_at": document["updated_at"], "deleted": True}
    return [forged_board, tombstone]


def test_a_plain_import_can_neither_replace_nor_delete_a_feed_record_and_nothing_of_the_batch_is_written(tmp_path: Path) -> None:
    feed = built_feed(tmp_path)
    data = tmp_path / "terminal"
    assert import_feed(data, feed).returncode == 0
    before = stored(data)
    forged = _forgeries(feed.source)
    guide = make("service_guide", "guide-local-1")  # a kind the feed does not publish: alone it would be taken
    result = kiosk(data, "import", str(write_jsonl(tmp_path / "usb" / "forged.jsonl", [*forged, guide])))
    # before the fix: exit 0, the forged board stored at version 2^53 and the document deleted
    assert result.returncode == 2, result.stdout + result.stderr
    for record in forged:
        assert record["id"] in result.stderr
    assert f"owned by channel {COUNTY_CHANNEL}" in result.stderr and "kiosk import-feed" in result.stderr
    assert stored(data) == before  # nothing of the batch, not even the harmless guide


def test_the_feed_replaces_a_huge_version_local_record_whatever_its_version(tmp_path: Path) -> None:
    """A terminal that took a forged record while it stood alone gets the county's back from the feed."""
    feed = built_feed(tmp_path)
    data = tmp_path / "terminal"
    forged_board, tombstone = _forgeries(feed.source)
    assert kiosk(data, "import", str(write_jsonl(tmp_path / "usb" / "forged.jsonl", [forged_board, tombstone]))).returncode == 0
    synced = import_feed(data, feed)
    assert synced.returncode == 0, synced.stderr
    assert json.loads(synced.stdout)["ok"] is True
    shown = kiosk(data, "show", forged_board["id"], "--json")
    assert shown.returncode == 0, shown.stderr
    official = next(b for b in lines(feed.source / "board.jsonl") if b["id"] == forged_board["id"])
    record = json.loads(shown.stdout)
    record = record.get("record", record)
    # before the fix: the forged title at version 2^53, the official board ignored as older
    assert record["title"] == official["title"] and record["version"] == official["version"]
    assert kiosk(data, "show", tombstone["id"], "--json").returncode == 0  # the forged tombstone no longer hides it


def test_a_following_terminal_takes_only_kinds_no_channel_publishes(tmp_path: Path) -> None:
    feed = built_feed(tmp_path)
    data = tmp_path / "terminal"
    assert import_feed(data, feed).returncode == 0
    notice = make("notice", "notice-local-forged", region=VILLAGE, title="伪造的通知：请扫码缴费")
    refused = kiosk(data, "import", str(write_jsonl(tmp_path / "usb" / "notice.jsonl", [notice])))
    # before the fix: exit 0, a forged notice beside the county's notices
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "notice-local-forged" in refused.stderr and "published by channel 990121000000" in refused.stderr
    assert kiosk(data, "show", "notice-local-forged").returncode == 1
    guide = make("service_guide", "guide-local-1")
    taken = kiosk(data, "import", str(write_jsonl(tmp_path / "usb" / "guide.jsonl", [guide])))
    assert taken.returncode == 0, taken.stderr
    assert kiosk(data, "show", "guide-local-1").returncode == 0


def test_a_snapshot_drops_what_its_channel_no_longer_lists_but_keeps_local_records(tmp_path: Path) -> None:
    """Pruning by a snapshot reaches only the channel's own (and unknown or demo) rows, never staff's local ones."""
    with Terminal(tmp_path / "terminal", fixed_clock(TEST_NOW)) as terminal:
        terminal.store.apply([make("service_guide", "guide-local-1", region=VILLAGE)])  # a local record in the county's regions
        stamp = TEST_NOW.isoformat()
        terminal.store.apply([make("notice", "notice-1")], commit=ChannelCommit(COUNTY_CHANNEL, 1, stamp, True, stamp))
        terminal.store.apply([make("notice", "notice-2")], commit=ChannelCommit(COUNTY_CHANNEL, 2, stamp, True, stamp))
        assert terminal.store.get("notice-1") is None and terminal.store.get("notice-2") is not None
        # before the fix: the snapshot removed every row in the channel's regions, staff's guide too
        assert terminal.store.get("guide-local-1") is not None
        origins = dict(terminal.store.sql("SELECT record_id, origin FROM record"))
        assert origins == {"guide-local-1": "local", "notice-2": COUNTY_CHANNEL}


def _as_schema_2(data: Path) -> None:
    """Turn the store back into what the app before migration 3 left: no origin column, version 2."""
    connection = sqlite3.connect(data / "content.sqlite")
    try:
        connection.executescript("DROP INDEX record_origin_kind; ALTER TABLE record DROP COLUMN origin; "
                                 "DELETE FROM schema_version WHERE version = 3;")
    finally:
        connection.close()


def test_rows_stored_before_origins_were_kept_are_unknown_and_give_way_to_the_feed(tmp_path: Path) -> None:
    data = tmp_path / "terminal"
    with Terminal(data, fixed_clock(TEST_NOW)) as terminal:
        terminal.store.apply([make("notice", "notice-1", version=HUGE, title="旧库里的伪造通知"),
                              make("notice", "notice-2", version=3, title="抢先用了下一个版本号的伪造通知")])
    _as_schema_2(data)
    with Terminal(data, fixed_clock(TEST_NOW)) as terminal:  # migrated again, after a backup
        assert terminal.store.schema_version == 3 and list((data / "backups").glob("content-v2-*.sqlite"))
        assert terminal.store.sql("SELECT DISTINCT origin FROM record") == [("",)]  # unknown
        stamp = TEST_NOW.isoformat()
        county = [make("notice", "notice-1", title="县里的通知"), make("notice", "notice-2", version=3, title="县里的第二份通知")]
        result = terminal.store.apply(county, commit=ChannelCommit(COUNTY_CHANNEL, 1, stamp, False, stamp))
        assert result.updated == 2  # older and equal versions alike: the channel's record wins
        assert terminal.store.get("notice-1")["title"] == "县里的通知" and terminal.store.get("notice-2")["title"] == "县里的第二份通知"
        assert terminal.store.sql("SELECT DISTINCT origin FROM record") == [(COUNTY_CHANNEL,)]
        kept = terminal.store.apply([make("notice", "notice-1", version=HUGE, title="又一次伪造")])
        assert kept.kept_owned == 1 and kept.owned == {"notice-1": COUNTY_CHANNEL} and not kept.changed
