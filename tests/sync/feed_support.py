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
