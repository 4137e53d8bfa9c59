"""A small, real content source and feed for the sync tests: built with the real publisher."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

from kiosk.blobs import blob_path
from kiosk.terminal import Terminal
from sync.client import FeedSync, SyncReport
from sync.publish.build import Publisher
from sync.publish.keys import KeyDir
from sync.publish.repo import FeedRepo
from tests.helpers.paths import ROOT

DEMO = ROOT / "resources" / "demo" / "records"
REGION = "990121101201"  # the demo terminal's village


def _lines(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (DEMO / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def make_source(folder: Path, documents: int = 30) -> Path:
    """Regions, notices, some documents (the ones with attachments among them), one finance board, a few payments."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = _lines("document.jsonl")
    with_files = [d for d in docs if d.get("attachments")]
    chosen = with_files + [d for d in docs if not d.get("attachments")][: max(0, documents - len(with_files))]
    boards = [b for b in _lines("board.jsonl") if b["region"] == REGION][:2]
    payments = [p for p in _lines("subsidy_payment.jsonl") if p["region"] == REGION][:5]
    parts = {"region": _lines("region.jsonl"), "notice": _lines("notice.jsonl"), "document": chosen, "board": boards, "payment": payments}
    for name, records in parts.items():
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    for document in with_files:
        for attachment in document["attachments"]:
            target = blob_path(folder / "blobs", attachment["sha256"])
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(blob_path(DEMO / "blobs", attachment["sha256"]), target)
    return folder


def edit_record(source: Path, file: str, record_id: str, **changes: Any) -> dict[str, Any]:
    path = source / file
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for record in records:
        if record["id"] == record_id:
            record.update(changes)
            changed = record
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return changed


def drop_record(source: Path, file: str, record_id: str) -> None:
    path = source / file
    kept = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and json.loads(line)["id"] != record_id]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def first_id(source: Path, file: str, **where: Any) -> str:
    for line in (source / file).read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if all(record.get(k) == v for k, v in where.items()):
            return record["id"]
    raise LookupError(where)


class FeedFixture:
    """A feed folder with its keys, a content source and the publisher."""

    def __init__(self, feed: Path, keys: Path, source: Path) -> None:
        self.feed, self.keys, self.source = feed, KeyDir(keys), source
        self.repo = FeedRepo(feed, self.keys)
        if not self.repo.is_initialised():
            self.repo.init(dt.datetime.now(dt.UTC))
        self.publisher = Publisher(self.repo)

    def build(self, now: dt.datetime | None = None) -> Any:
        return self.publisher.build(self.source, now)

    @property
    def root(self) -> bytes:
        return (self.feed / "metadata" / "1.root.json").read_bytes()

    def generation(self, channel: str) -> int:
        return self.publisher.load_state()["channels"][channel]["generation"]


def sync(terminal: Terminal, url: str, feed: FeedFixture | None = None, **kwargs: Any) -> SyncReport:
    anchor = feed.root if feed is not None else None
    return FeedSync(terminal, url, anchor=anchor, **kwargs).run()


def store_dump(terminal: Terminal) -> list[tuple[Any, ...]]:
    """Everything a person could be shown, for before/after comparisons."""
    return terminal.store.sql("SELECT record_id, version, deleted, data FROM record_full ORDER BY record_id")


def republish_snapshot(feed: FeedFixture, channel: str, records: list[dict[str, Any]] | None = None, *,
                       raw: bytes | None = None, header_records: int | None = None, generation: int | None = None) -> int:
    """Sign, as the publisher would, a snapshot of ``channel`` the publisher itself would never write.

    The feed stays fully signed (its catalog and bundle in a new targets version), so only the
    terminal's own checks stand between such a bundle and its store. ``raw`` gives the bundle's
    uncompressed bytes outright; ``header_records`` is what the catalog claims (default: the count);
    ``generation`` defaults to the publisher's current one. Returns the generation.
    """
    import gzip

    from sync.feed import BUNDLE_FORMAT, BundleRef, Catalog, catalog_target, snapshot_target, write_bundle
    from sync.publish.repo import TargetData

    generation = generation or feed.generation(channel)
    if raw is None:
        assert records is not None
        data, size = write_bundle(channel, generation, None, records)
        count = len(records)
    else:
        data, size, count = gzip.compress(raw, compresslevel=6, mtime=0), len(raw), raw.count(b"\n") - 1
    if header_records is not None:
        count = header_records
    if raw is not None:
        header = json.loads(raw[: raw.index(b"\n")])
        assert header["format"] == BUNDLE_FORMAT and header["channel"] == channel and header["generation"] == generation, header
    snapshot = BundleRef(snapshot_target(channel, generation), count, size)
    catalog = Catalog(channel, generation, dt.datetime.now().astimezone().isoformat(timespec="seconds"), snapshot, [])
    keep = set(feed.repo.current_targets())
    feed.repo.publish([TargetData(snapshot.target, data), TargetData(catalog_target(channel), catalog.to_json())],
                      dt.datetime.now(dt.UTC), keep=keep)
    return generation


def snapshot_records(feed: FeedFixture, channel: str) -> list[dict[str, Any]]:
    """The records of ``channel``'s current signed snapshot."""
    from sync.feed import read_bundle, snapshot_target

    generation = feed.generation(channel)
    data = feed.repo.target_bytes(snapshot_target(channel, generation))
    assert data is not None
    return read_bundle(data, max_bytes=1 << 30, channel=channel, generation=generation, base=None).records
