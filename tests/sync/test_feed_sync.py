"""The terminal syncing a real signed feed from nginx on 127.0.0.1, directly and through a fault proxy.

Every fault ends the same way: the kiosk keeps the last verified content, nothing unverified is
applied, the channel records a reason, and the next clean run converges.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from kiosk.clock import running_from
from kiosk.syncstatus import ERROR_TEXT_ZH, SyncErrorKind, data_status
from kiosk.terminal import Terminal
from sync.client import FeedSync, SyncFailure, feed_url_of, referenced_blobs
from tests.helpers.clock import TEST_NOW
from tests.sync.faultproxy import Corrupt, Drop, FaultProxy, GzipBomb, Hang, Replace, Status, Trickle
from tests.sync.feed_support import FeedFixture, drop_record, edit_record, first_id, store_dump, sync
from tests.sync.nginx import NginxServer

COUNTY = "990121000000"
CHANNELS = {"000000000000", "990000000000", "990100000000", COUNTY}




def direct(nginx: NginxServer) -> str:
    return nginx.base_url + "/"


def proxied(proxy: FaultProxy) -> str:
    return proxy.base_url + "/feed/"


def synced_once(terminal: Terminal, feed: FeedFixture, url: str) -> None:
    report = sync(terminal, url, feed)
    assert report.status == "updated", report.as_dict()


def assert_kept(terminal: Terminal, before: list, report, kind: str) -> None:
    """The kiosk shows exactly what it showed before, and says why it could not update."""
    assert report.status in ("failed", "partial"), report.as_dict()
    assert report.error_kind == kind, report.as_dict()
    assert store_dump(terminal) == before
    if kind != "disk":  # with the disk full not even the reason fits; the report carries it
        states = terminal.store.channel_states()
        assert any(state["error_kind"] == kind for state in states.values())


# ------------------------------------------------------------------------------------ the happy path
@pytest.mark.clock
def test_first_sync_takes_snapshots_and_attachments_then_nothing(terminal: Terminal, feed: FeedFixture, nginx: NginxServer) -> None:
    report = sync(terminal, direct(nginx), feed)
    assert report.status == "updated"
    assert {c.channel for c in report.channels} == CHANNELS
    assert {c.via for c in report.channels} == {"snapshot"}
    source_ids = {json.loads(line)["id"] for f in feed.source.glob("*.jsonl") for line in f.read_text(encoding="utf-8").splitlines()}
    stored = {row[0] for row in terminal.store.sql("SELECT record_id FROM record WHERE deleted = 0")}
    assert stored == source_ids
    blobs = referenced_blobs(terminal)
    assert blobs and all(terminal.blobs.verify(sha, size) for sha, size in blobs)
    assert report.blobs_fetched == len(blobs)
    # payments arrive masked: the feed is public
    names = [row[0] for row in terminal.store.sql("SELECT json_extract(data, '$.recipient') FROM record_full WHERE kind = 'subsidy_payment'")]
    assert names and all("*" in name for name in names)
    assert data_status(terminal).kind == "fresh"

    again = sync(terminal, direct(nginx))
    assert again.status == "current"
    assert again.bytes_downloaded < 5000  # only timestamp.json and its friends, no bundle or blob
    assert again.blobs_fetched == 0


@pytest.mark.clock
def test_a_change_arrives_as_a_delta_and_a_removed_record_disappears(terminal: Terminal, feed: FeedFixture, nginx: NginxServer) -> None:
    synced_once(terminal, feed, direct(nginx))
    notice_id = first_id(feed.source, "notice.jsonl")
    doc_id = first_id(feed.source, "document.jsonl")
    edit_record(feed.source, "notice.jsonl", notice_id, title="关于冬季供水调整的通知（更正）")
    drop_record(feed.source, "document.jsonl", doc_id)
    feed.build()
    assert feed.generation(COUNTY) == 2
    report = sync(terminal, direct(nginx))
    county = next(c for c in report.channels if c.channel == COUNTY)
    assert (county.status, county.via, county.generation) == ("updated", "delta", 2)
    assert sum(c.changes.get("updated", 0) for c in report.channels) == 1
    assert sum(c.changes.get("deleted", 0) for c in report.channels) == 1
    assert terminal.store.get(notice_id)["title"] == "关于冬季供水调整的通知（更正）"
    assert terminal.store.get(notice_id)["version"] == 2  # the publisher raised it: staff forgot to
    assert terminal.store.get(doc_id) is None
    assert terminal.search.search("冬季供水调整", limit=5)[0].record_id == notice_id


def test_a_terminal_far_behind_gets_the_snapshot_and_never_goes_back(terminal: Terminal, feed: FeedFixture, nginx: NginxServer) -> None:
    synced_once(terminal, feed, direct(nginx))
    notice_id = first_id(feed.source, "notice.jsonl")
    for number in range(12):  # more generations than deltas are kept for
        edit_record(feed.source, "notice.jsonl", notice_id, title=f"第{number}次修改的通知")
        feed.build()
    report = sync(terminal, direct(nginx))
    county = next(c for c in report.channels if c.channel == COUNTY)
    assert (county.via, county.generation) == ("snapshot", 13)
    assert terminal.store.get(notice_id)["title"] == "第11次修改的通知"


# ------------------------------------------------------------------------------------ faults
def test_connection_dropped_mid_bundle_keeps_content_then_converges(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    synced_once(terminal, feed, proxied(fault_proxy))
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="断线后才到的通知")
    feed.build()
    before = store_dump(terminal)
    for seed in range(3):
        fault_proxy.add_fault(r"delta-", Drop(seed=seed))
        report = sync(terminal, proxied(fault_proxy))
        assert_kept(terminal, before, report, "network")
        fault_proxy.clear()
    assert sync(terminal, proxied(fault_proxy)).status == "updated"
    assert terminal.search.search("断线后才到", limit=3)


def test_portal_busy_503_with_retry_after(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    fault_proxy.add_fault(r"timestamp\.json", Status(503, retry_after=120))
    report = sync(terminal, proxied(fault_proxy), feed)
    assert report.status == "failed" and report.error_kind == "http"
    assert terminal.store.count() == 0  # nothing half-applied on a first sync either
    hits = [r for r in fault_proxy.requests if "timestamp.json" in r.path]
    assert 1 < len(hits) <= 3  # a couple of quick retries, no sleeping for two minutes
    fault_proxy.clear()
    assert sync(terminal, proxied(fault_proxy)).status == "updated"


def test_500_on_a_bundle_fails_only_that_run(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    fault_proxy.add_fault(r"snapshot-1\.jsonl\.gz", Status(500))
    report = sync(terminal, proxied(fault_proxy), feed)
    assert report.status == "failed" and report.error_kind == "http"
    assert terminal.store.count() == 0
    fault_proxy.clear()
    assert sync(terminal, proxied(fault_proxy)).status == "updated"


@pytest.mark.parametrize("target", [r"snapshot-1\.jsonl\.gz", r"catalog\.json", r"\d+\.targets\.json"])
def test_corrupted_bytes_are_refused(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy, target: str) -> None:
    fault_proxy.add_fault(target, Corrupt(seed=7))
    report = sync(terminal, proxied(fault_proxy), feed)
    assert report.error_kind == "tampered", report.as_dict()
    if target.startswith("snapshot"):
        assert report.status == "failed"  # every channel's snapshot was corrupted
    fault_proxy.clear()
    assert sync(terminal, proxied(fault_proxy)).ok


def test_tampered_catalog_with_a_higher_generation_is_refused(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    synced_once(terminal, feed, proxied(fault_proxy))
    before = store_dump(terminal)
    catalog = json.loads(feed.repo.target_bytes(f"channels/{COUNTY}/catalog.json"))
    catalog["generation"] = 99
    feed.build()  # nothing changed: same catalog; the attacker serves its own instead
    fault_proxy.add_fault(rf"channels/{COUNTY}/.*catalog\.json", Replace(json.dumps(catalog).encode()))
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="新通知")
    feed.build()
    report = sync(terminal, proxied(fault_proxy))
    assert_kept(terminal, before, report, "tampered")
    assert terminal.store.channel_states()[COUNTY]["generation"] == 1


def test_replayed_old_timestamp_and_snapshot_are_refused(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    old_timestamp = (feed.feed / "metadata" / "timestamp.json").read_bytes()
    old_snapshot = (feed.feed / "metadata" / "2.snapshot.json").read_bytes()
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="第二代")
    feed.build()
    synced_once(terminal, feed, proxied(fault_proxy))
    before = store_dump(terminal)
    fault_proxy.add_fault(r"timestamp\.json", Replace(old_timestamp))
    report = sync(terminal, proxied(fault_proxy))
    assert_kept(terminal, before, report, "rollback")
    fault_proxy.clear()
    # an old snapshot under the new version's name: signed, but not what the timestamp promised
    fault_proxy.add_fault(r"\d+\.snapshot\.json", Replace(old_snapshot))
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="第三代")
    feed.build()
    report = sync(terminal, proxied(fault_proxy))
    assert report.error_kind in ("tampered", "rollback") and store_dump(terminal) == before
    fault_proxy.clear()
    assert sync(terminal, proxied(fault_proxy)).status == "updated"


@pytest.mark.clock
def test_expired_metadata_or_a_wrong_clock_means_stale_not_dead(terminal: Terminal, feed: FeedFixture, nginx: NginxServer) -> None:
    synced_once(terminal, feed, direct(nginx))
    before = store_dump(terminal)
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="过期签名里的通知")
    feed.build(now=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))  # the timestamp expired a week ago
    report = sync(terminal, direct(nginx))
    assert_kept(terminal, before, report, "expired")
    status = data_status(terminal)
    assert status.kind == "stale" and status.error_kind == "expired"
    assert "过期" in report.message_zh
    feed.repo.resign_timestamp(dt.datetime.now(dt.UTC))  # the daily cron runs again
    assert sync(terminal, direct(nginx)).status == "updated"
    assert data_status(terminal).kind == "fresh"


def test_gzip_bombs_go_nowhere(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    fault_proxy.add_fault(r"timestamp\.json", GzipBomb(size=2_000_000_000))
    report = sync(terminal, proxied(fault_proxy), feed)
    assert report.status == "failed" and terminal.store.count() == 0
    fault_proxy.clear()
    fault_proxy.add_fault(r"snapshot-1\.jsonl\.gz", GzipBomb(size=2_000_000_000, raw=True))
    report = sync(terminal, proxied(fault_proxy))
    assert report.error_kind == "tampered" and terminal.store.count() == 0
    fault_proxy.clear()
    assert sync(terminal, proxied(fault_proxy)).ok


def test_a_missing_blob_holds_back_only_its_channel(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    fault_proxy.add_fault(r"/blobs/", Status(404))
    report = sync(terminal, proxied(fault_proxy), feed)
    assert report.status == "partial" and report.error_kind == "missing"
    failed = {c.channel for c in report.channels if c.status == "failed"}
    # records that name an attachment are never shown without it
    for sha, size in referenced_blobs(terminal):
        assert terminal.blobs.has(sha, size)
    assert failed and terminal.store.count() > 0
    fault_proxy.clear()
    assert sync(terminal, proxied(fault_proxy)).status == "updated"


def test_a_trickle_runs_out_of_time_then_resumes_with_range(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    fault_proxy.add_fault(r"/blobs/", Trickle(bytes_per_second=60_000, chunk=4096))
    report = FeedSync(terminal, proxied(fault_proxy), anchor=feed.root, deadline_s=2.0).run()
    assert report.error_kind in ("timeout", "network"), report.as_dict()
    parts = list((terminal.data_dir / "blobs").rglob("*.part"))
    assert parts and parts[0].stat().st_size > 0
    fault_proxy.clear()
    report = sync(terminal, proxied(fault_proxy))
    assert report.status == "updated" and report.blobs_resumed >= 1
    ranged = [r for r in fault_proxy.requests if "/blobs/" in r.path and r.headers.get("Range")]
    assert ranged and all(r.status == 206 for r in ranged)
    assert all(terminal.blobs.verify(sha, size) for sha, size in referenced_blobs(terminal))


def test_a_server_that_hangs_hits_the_read_timeout(terminal: Terminal, feed: FeedFixture, fault_proxy: FaultProxy) -> None:
    terminal.settings.set_local("sync.read_timeout_s", 1)
    terminal.reload_settings()
    fault_proxy.add_fault(r"timestamp\.json", Hang(10))
    report = sync(terminal, proxied(fault_proxy), feed)
    assert report.status == "failed" and report.error_kind in ("network", "timeout")
    fault_proxy.clear()
    assert sync(terminal, proxied(fault_proxy)).ok


def test_a_damaged_local_blob_is_found_and_fetched_again(terminal: Terminal, feed: FeedFixture, nginx: NginxServer) -> None:
    synced_once(terminal, feed, direct(nginx))
    sha, size = referenced_blobs(terminal)[0]
    path = terminal.blobs.path(sha)
    path.write_bytes(b"x" * size)
    client = FeedSync(terminal, direct(nginx))
    assert client.repair_blobs() == 1
    assert terminal.blobs.verify(sha, size)


def test_a_full_disk_keeps_the_old_content(terminal: Terminal, feed: FeedFixture, nginx: NginxServer, tiny_disk: Path, tmp_path: Path) -> None:
    with Terminal(tiny_disk / "terminal", running_from(TEST_NOW)) as small:
        synced_once(small, feed, direct(nginx))
        before = store_dump(small)
        extra = feed.source / "blobs" / "big.bin"
        extra.write_bytes(os.urandom(3 * 1024 * 1024))
        sha = hashlib.sha256(extra.read_bytes()).hexdigest()
        target = feed.source / "blobs" / "sha256" / sha[:2] / sha
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(extra, target)
        doc_id = first_id(feed.source, "document.jsonl")
        edit_record(feed.source, "document.jsonl", doc_id,
                    attachments=[{"name": "大附件.pdf", "media_type": "application/pdf", "sha256": sha, "size": 3 * 1024 * 1024}])
        feed.build()
        report = sync(small, direct(nginx))
        assert_kept(small, before, report, "disk")
        assert "存储空间已满" in report.message_zh


def test_the_terminal_follows_key_rotation(terminal: Terminal, feed: FeedFixture, nginx: NginxServer) -> None:
    synced_once(terminal, feed, direct(nginx))
    for role in ("timestamp", "snapshot", "targets", "root"):
        feed.repo.rotate(role, dt.datetime.now(dt.UTC))
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="换钥匙以后的通知")
    feed.build()
    assert sync(terminal, direct(nginx)).status == "updated"
    assert terminal.search.search("换钥匙以后", limit=3)


def test_a_feed_signed_by_someone_else_is_refused(terminal: Terminal, feed: FeedFixture, nginx: NginxServer, tmp_path: Path) -> None:
    synced_once(terminal, feed, direct(nginx))
    before = store_dump(terminal)
    forged = FeedFixture(tmp_path / "forged", tmp_path / "forged-keys", feed.source)
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="伪造的通知")
    forged.build()
    shutil.rmtree(feed.feed / "metadata")
    shutil.copytree(forged.feed / "metadata", feed.feed / "metadata")
    shutil.copytree(forged.feed / "targets", feed.feed / "targets", dirs_exist_ok=True)
    report = sync(terminal, direct(nginx))
    assert_kept(terminal, before, report, report.error_kind)
    assert report.error_kind in ("tampered", "rollback")


def test_feed_url_follows_the_settings(terminal: Terminal) -> None:
    assert feed_url_of(terminal) == ""
    terminal.settings.set_local("sync.portal_url", "https://zwgk.example.cn")
    terminal.reload_settings()
    assert feed_url_of(terminal) == "https://zwgk.example.cn/feed/"
    terminal.settings.set_local("sync.feed_url", "https://cdn.example.cn/xiyuan")
    terminal.reload_settings()
    assert feed_url_of(terminal) == "https://cdn.example.cn/xiyuan/"


@pytest.mark.clock
def test_expired_metadata_with_a_clock_far_from_the_portals_blames_the_clock(terminal: Terminal, feed: FeedFixture, nginx: NginxServer) -> None:
    synced_once(terminal, feed, direct(nginx))
    before = store_dump(terminal)
    edit_record(feed.source, "notice.jsonl", first_id(feed.source, "notice.jsonl"), title="时钟不准时收到的通知")
    feed.build(now=dt.datetime.now(dt.UTC) - dt.timedelta(days=10))
    client = FeedSync(terminal, direct(nginx))
    report = client.run()
    # nginx's Date header agrees with our clock, so this is a stale feed, not a wrong clock
    assert client.fetcher.clock_skew_s is not None and abs(client.fetcher.clock_skew_s) < 60
    assert report.error_kind == "expired"
    # the same expiry seen by a terminal whose clock runs 30 days ahead of the portal
    client.fetcher.clock_skew_s = -30 * 86400
    explained = client._explain_clock(SyncFailure(SyncErrorKind.EXPIRED, "signed metadata has expired"))
    assert explained.kind == "clock" and "720.0 h ahead of the portal's" in str(explained)
    assert "校准时间" in ERROR_TEXT_ZH[SyncErrorKind.CLOCK]
    assert store_dump(terminal) == before
