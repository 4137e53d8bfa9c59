"""`kiosk-publish build SOURCE FEED`: validate a content source and publish the next generation.

The SOURCE folder is the whole truth of what the county publishes: record files (JSON Lines or
JSON), ``.xlsx`` ledgers and payment lists made from the shipped templates, and attachments under
``blobs/``. Everything is checked before anything is written; one bad record or cell and nothing
is published. Versions are managed here: a record whose content changed gets the next version
even if staff forgot to raise it, and a record that disappeared from SOURCE becomes a tombstone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk import regions
from kiosk.blobs import BlobError, BlobStore, attachment_refs, blob_path
from kiosk.files import write_atomic
from kiosk.privacy import mask_payment
from kiosk.records.files import read_records
from kiosk.records.validate import BatchRejected, RecordProblem, check_batch
from sync.feed import (
    KEEP_GENERATIONS,
    BundleRef,
    Catalog,
    catalog_target,
    delta_target,
    read_bundle,
    snapshot_target,
    write_bundle,
)
from sync.publish.repo import FeedRepo, TargetData, hashed_target_file

Record = dict[str, Any]
STATE_FILE = "publisher.json"
_ENVELOPE = ("id", "kind", "version", "region", "updated_at")
_READ_CAP = 4 << 30


@dataclass
class ChannelResult:
    channel: str
    generation: int
    changed: int
    records: int
    new_generation: bool


@dataclass
class BuildReport:
    channels: list[ChannelResult] = field(default_factory=list)
    blobs_added: int = 0
    targets_version: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets_version": self.targets_version,
            "blobs_added": self.blobs_added,
            "channels": [vars(result) for result in self.channels],
        }


# ------------------------------------------------------------------------------------ reading the source
def read_source(source: Path, published_at: str) -> list[Record]:
    """Every record of SOURCE, validated as one batch (record files and workbooks together)."""
    source = Path(source)
    if not source.is_dir():
        raise FileNotFoundError(f"no such content source folder: {source}")
    pairs: list[tuple[Any, str]] = []
    if any(p.suffix in (".jsonl", ".json") for p in source.rglob("*") if p.is_file()):
        pairs += list(read_records(source))
    workbooks = sorted(p for p in source.rglob("*.xlsx") if p.is_file() and not p.name.startswith(("~$", ".")))
    if workbooks:
        from sync.publish.xlsx import WorkbookRejected, read_workbook  # openpyxl loads only when there are workbooks

        rejected: list[WorkbookRejected] = []
        for workbook in workbooks:
            try:
                pairs += read_workbook(workbook, published_at=published_at)
            except WorkbookRejected as exc:
                rejected.append(exc)  # go on: staff see every workbook's problems in one go
        if rejected:
            raise WorkbookRejected([p for exc in rejected for p in exc.problems], sum(exc.total for exc in rejected))
    if not pairs:
        raise BatchRejected([RecordProblem("?", "(folder)", "record files (.jsonl/.json) or .xlsx workbooks", str(source))])
    records = check_batch(pairs)
    return [mask_payment(record) if record["kind"] == "subsidy_payment" and not record.get("deleted") else record for record in records]


def _copy_blobs(source: Path, feed: Path, records: list[Record]) -> tuple[int, dict[str, tuple[int, int]]]:
    """Put every attachment into the feed's blob folder, verified. Returns (added, per-channel count/bytes)."""
    store = BlobStore(feed / "blobs")
    problems: list[RecordProblem] = []
    wanted: list[tuple[Record, dict[str, Any]]] = [(r, a) for r in records if not r.get("deleted") for a in attachment_refs(r)]
    added = 0
    per_channel: dict[str, tuple[int, int]] = defaultdict(lambda: (0, 0))
    seen: set[tuple[str, str]] = set()
    for record, attachment in wanted:
        sha, size = attachment["sha256"], attachment["size"]
        channel = regions.channel_of(record["region"])
        if (channel, sha) not in seen:
            seen.add((channel, sha))
            count, total = per_channel[channel]
            per_channel[channel] = (count + 1, total + size)
        if store.has(sha, size):
            continue
        candidate = blob_path(source / "blobs", sha)
        if not candidate.is_file():
            problems.append(RecordProblem(record["id"], "attachments", f"the file blobs/sha256/{sha[:2]}/{sha} in the source folder", "missing"))
            continue
        try:
            store.add_file(candidate, sha, size)
            added += 1
        except BlobError as exc:
            problems.append(RecordProblem(record["id"], "attachments", "a file with the promised sha256 and size", str(exc)))
    if problems:
        raise BatchRejected(problems)
    return added, dict(per_channel)


# ------------------------------------------------------------------------------------ generations
def _content(record: Record) -> dict[str, Any]:
    return {key: value for key, value in record.items() if key not in ("version", "updated_at")}


def _tombstone(record: Record, now: str) -> Record:
    return {"id": record["id"], "kind": record["kind"], "version": record["version"] + 1, "region": record["region"],
            "updated_at": now, "deleted": True}


def next_state(previous: dict[str, Record], wanted: dict[str, Record], now: str) -> dict[str, Record]:
    """The channel's records after this build: unchanged ones keep their version, changed ones get
    a higher one, vanished ones become tombstones (kept, so an old copy can never come back)."""
    result: dict[str, Record] = {}
    for record_id, record in wanted.items():
        old = previous.get(record_id)
        if old is None:
            result[record_id] = record
        elif _content(old) == _content(record):
            result[record_id] = old
        elif record["version"] > old["version"]:
            result[record_id] = record
        else:
            result[record_id] = {**record, "version": old["version"] + 1}
    for record_id, old in previous.items():
        if record_id not in result:
            result[record_id] = old if old.get("deleted") else _tombstone(old, now)
    return result


def _refuse_foreign_ids(wanted: dict[str, dict[str, Record]], published: dict[str, dict[str, Record]]) -> None:
    """A record id belongs to the one channel that first published it, tombstones included (issue 12, item 6).

    A terminal refuses a bundle that writes an id another channel owns, so the publisher refuses
    to build one: a record moved to a region of another channel needs a new id.
    """
    owner = {record_id: channel for channel, records in published.items() for record_id in records}
    problems = [
        RecordProblem(record_id, "region", f"a region of channel {owner[record_id]}, which published this id "
                      "(an id belongs to one channel; give the record a new id)", f"{record['region']}, of channel {channel}")
        for channel, records in sorted(wanted.items())
        for record_id, record in sorted(records.items())
        if owner.get(record_id, channel) != channel
    ]
    if problems:
        raise BatchRejected(problems)


class Publisher:
    def __init__(self, repo: FeedRepo) -> None:
        self.repo = repo
        self.feed = repo.feed
        self.state_path = self.feed / STATE_FILE

    def load_state(self) -> dict[str, Any]:
        if not self.state_path.is_file():
            return {"channels": {}}
        return json.loads(self.state_path.read_text(encoding="utf-8"))

    def _records_of(self, snapshot_file: str, channel: str, generation: int) -> dict[str, Record]:
        bundle = read_bundle((self.feed / snapshot_file).read_bytes(), max_bytes=_READ_CAP, channel=channel, generation=generation, base=None)
        return {record["id"]: record for record in bundle.records}

    def build(self, source: Path, now: dt.datetime | None = None) -> BuildReport:
        now = (now or dt.datetime.now().astimezone()).replace(microsecond=0)
        stamp = now.isoformat()
        if not self.repo.is_initialised():
            raise FileNotFoundError(f"{self.feed} is not a feed repository; run `kiosk-publish init {self.feed}` first")
        records = read_source(Path(source), stamp)
        blobs_added, blob_stats = _copy_blobs(Path(source), self.feed, records)
        by_channel: dict[str, dict[str, Record]] = defaultdict(dict)
        for record in records:
            by_channel[regions.channel_of(record["region"])][record["id"]] = record

        state = self.load_state()
        previous_of = {channel: self._records_of(info["history"][-1]["snapshot_file"], channel, info["history"][-1]["generation"])
                       for channel, info in state["channels"].items() if info["history"]}
        _refuse_foreign_ids(by_channel, previous_of)
        report = BuildReport(blobs_added=blobs_added)
        new_targets: list[TargetData] = []
        keep: set[str] = set()
        current = self.repo.current_targets()
        for channel in sorted(set(by_channel) | set(state["channels"])):
            info = state["channels"].get(channel, {"generation": 0, "history": []})
            history: list[dict[str, Any]] = info["history"]
            generation = info["generation"]
            previous = previous_of.get(channel, {})
            result = next_state(previous, by_channel.get(channel, {}), stamp)
            changed = [r for rid, r in result.items() if previous.get(rid) != r]
            if not changed and history:
                keep |= {path for path in current if path.startswith(f"channels/{channel}/")}
                report.channels.append(ChannelResult(channel, generation, 0, len(result), False))
                continue
            generation += 1
            ordered = [result[rid] for rid in sorted(result)]
            snapshot_bytes, snapshot_size = write_bundle(channel, generation, None, ordered)
            snapshot_ref = BundleRef(snapshot_target(channel, generation), len(ordered), snapshot_size)
            new_targets.append(TargetData(snapshot_ref.target, snapshot_bytes))
            deltas: list[BundleRef] = []
            for old in history[-KEEP_GENERATIONS:]:
                base_records = self._records_of(old["snapshot_file"], channel, old["generation"])
                delta = [r for r in ordered if base_records.get(r["id"], {}).get("version") != r["version"]]
                delta_bytes, delta_size = write_bundle(channel, generation, old["generation"], delta)
                ref = BundleRef(delta_target(channel, old["generation"], generation), len(delta), delta_size, old["generation"])
                new_targets.append(TargetData(ref.target, delta_bytes))
                deltas.append(ref)
            count, total = blob_stats.get(channel, (0, 0))
            catalog = Catalog(channel, generation, stamp, snapshot_ref, deltas, count, total)
            new_targets.append(TargetData(catalog_target(channel), catalog.to_json()))
            snapshot_file = self._relative(hashed_target_file(self.feed, snapshot_ref.target, _sha256(snapshot_bytes)))
            write_atomic(self.feed / snapshot_file, snapshot_bytes)
            history = [*history, {"generation": generation, "snapshot_file": snapshot_file, "published_at": stamp}][-(KEEP_GENERATIONS + 1):]
            state["channels"][channel] = {"generation": generation, "history": history}
            report.channels.append(ChannelResult(channel, generation, len(changed), len(result), True))
        if new_targets:
            # The intent is recorded before the metadata: a crash in between skips a generation
            # number at worst, never reuses one for different content.
            write_atomic(self.state_path, json.dumps(state, ensure_ascii=False, indent=1).encode("utf-8"))
            report.targets_version = self.repo.publish(new_targets, now, keep=keep)
            self._prune(state)
        else:
            report.targets_version = self.repo.latest_version("targets")
        return report

    def _relative(self, path: Path) -> str:
        return str(path.relative_to(self.feed))

    def _prune(self, state: dict[str, Any]) -> None:
        """Remove bundle files no longer listed in the current or previous targets, nor needed for deltas."""
        needed = {entry["snapshot_file"] for info in state["channels"].values() for entry in info["history"]}
        version = self.repo.latest_version("targets")
        for listed in (version, version - 1):
            path = self.repo.metadata_dir / f"{listed}.targets.json"
            if path.is_file():
                signed = json.loads(path.read_text(encoding="utf-8"))["signed"]
                needed |= {self._relative(hashed_target_file(self.feed, name, info["hashes"]["sha256"])) for name, info in signed["targets"].items()}
        for file in (self.feed / "targets" / "channels").rglob("*.jsonl.gz"):
            if self._relative(file) not in needed:
                file.unlink(missing_ok=True)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
