"""Issue 12, item 5: an attachment's ``sha256`` from a signed feed is never used as a file path.

Before, the client collected the attachments of a bundle and asked the blob store to verify each
one *before* the records were validated; the store built ``blobs/sha256/<sha[:2]>/<sha>`` from the
text as given, and unlinked whatever file was there when its hash did not match. A signed record
whose ``sha256`` was an absolute path or ``../credentials.json`` made every sync delete that file
— the terminal's own credentials among them. Now every record of a bundle is validated first
(the schema wants 64 lower-case hex digits), and ``kiosk.blobs.blob_path`` refuses anything else
at the lowest level, so no caller can reach the file system with such a value.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from kiosk.blobs import BlobError, BlobStore, blob_path
from kiosk.credentials import credentials_path
from kiosk.regions import CHANNEL_SQL
from kiosk.terminal import Terminal
from tests.sync import conftest as sync_fixtures
from tests.sync.feed_support import FeedFixture, republish_snapshot, snapshot_records, store_dump, sync
from tests.sync.nginx import NginxServer

nginx_root, nginx = sync_fixtures.nginx_root, sync_fixtures.nginx  # a real nginx serving the feed at /feed/
feed, terminal = sync_fixtures.feed, sync_fixtures.terminal  # a signed feed in it, a fresh terminal



def _poison(feed: FeedFixture, sha256: str) -> tuple[str, str]:
    """Re-sign a channel's snapshot with one document's first attachment pointing at ``sha256``: (channel, record id)."""
    for channel in sorted(feed.publisher.load_state()["channels"]):
        records = snapshot_records(feed, channel)
        victim = next((r for r in records if r["kind"] == "document" and not r.get("deleted") and r.get("attachments")), None)
        if victim is not None:
            break
    assert victim is not None, "the test feed has no document with attachments"
    poisoned = copy.deepcopy(victim)
    poisoned["attachments"][0]["sha256"] = sha256
    poisoned["version"] += 1
    republish_snapshot(feed, channel, [poisoned if r["id"] == victim["id"] else r for r in records])
    return channel, victim["id"]


@pytest.mark.parametrize("how", ["absolute", "dotdot"])
def test_a_signed_sha256_that_is_a_path_deletes_nothing_and_applies_nothing(
    terminal: Terminal, feed: FeedFixture, nginx: NginxServer, how: str
) -> None:
    target = credentials_path(terminal.data_dir)  # data/credentials.json: the terminal's own secret
    target.write_text('{"terminal_id": "t-1", "token": "secret"}', encoding="utf-8")
    (terminal.blobs.root / "sha256").mkdir(parents=True)  # as on a terminal that holds attachments already
    # blobs/sha256/<sha[:2]>/<sha> with sha = "../credentials.json" is data/blobs/sha256/../../credentials.json
    evil = str(target) if how == "absolute" else "../credentials.json"
    assert blob_path.__module__ == "kiosk.blobs"
    channel, record_id = _poison(feed, evil)
    before = store_dump(terminal)

    for _ in range(2):  # "every sync": the second run must not do it either
        report = sync(terminal, nginx.base_url + "/", feed)
        assert target.is_file(), f"the sync deleted {target}"
        assert target.read_text(encoding="utf-8").startswith('{"terminal_id"')
        outcome = next(c for c in report.channels if c.channel == channel)
        assert outcome.status == "failed" and outcome.error_kind == "format", report.as_dict()
        assert record_id in outcome.error and "sha256" in outcome.error and "text matching" in outcome.error, outcome.error
    states = terminal.store.channel_states()
    assert states[channel]["generation"] == 0 and states[channel]["error_kind"] == "format"
    assert terminal.store.get(record_id) is None and before == []  # nothing of that channel's bundle was applied
    assert not terminal.store.sql(f"SELECT record_id FROM record WHERE {CHANNEL_SQL} = ?", (channel,))


@pytest.mark.parametrize("sha", ["/etc/passwd", "../credentials.json", "..", "a" * 64 + "\n", "A" * 64, "a" * 63, "../" + "a" * 61, ""])
def test_blob_paths_are_made_of_64_hex_digits_only(tmp_path: Path, sha: str) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me", encoding="utf-8")
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(BlobError, match="64 lower-case hex digits"):
        blob_path(store.root, sha)
    for call in (lambda: store.verify(sha, 7), lambda: store.has(sha, 7), lambda: store.add_file(victim, sha, 7)):
        with pytest.raises(BlobError):
            call()
    assert victim.read_text(encoding="utf-8") == "keep me"
    good = "ab" * 32
    assert blob_path(store.root, good) == store.root / "sha256" / "ab" / good
