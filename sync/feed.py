"""The feed's file formats, shared by the publisher and the terminal (docs/PROTOCOL.md, "The feed").

A channel's generation is described by a small ``catalog.json``; its records travel in gzip JSON
Lines *bundles* (a snapshot, and deltas from earlier generations). Reading a bundle is capped, so
a hostile or broken file can never expand past the size the signed catalog promised.
"""

from __future__ import annotations

import gzip
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kiosk import regions
from kiosk.errors import ExitCode, KioskError

CATALOG_FORMAT = "kiosk-catalog/1"
BUNDLE_FORMAT = "kiosk-bundle/1"
KEEP_GENERATIONS = 10  # deltas are offered from this many earlier generations

Record = dict[str, Any]


class FeedFormatError(KioskError, ValueError):
    """A catalog or bundle is not what the protocol says; nothing of it may be applied."""

    exit_code = ExitCode.SYNC_FAILED


def catalog_target(channel: str) -> str:
    return f"channels/{channel}/catalog.json"


def snapshot_target(channel: str, generation: int) -> str:
    return f"channels/{channel}/snapshot-{generation}.jsonl.gz"


def delta_target(channel: str, base: int, generation: int) -> str:
    return f"channels/{channel}/delta-{base}-{generation}.jsonl.gz"


def blob_url_path(sha256: str) -> str:
    return f"blobs/sha256/{sha256[:2]}/{sha256}"


@dataclass(frozen=True)
class BundleRef:
    target: str
    records: int
    uncompressed: int
    base: int | None = None  # None for a snapshot

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"target": self.target, "records": self.records, "uncompressed": self.uncompressed}
        if self.base is not None:
            data = {"from": self.base, **data}
        return data


@dataclass(frozen=True)
class Catalog:
    channel: str
    generation: int
    published_at: str
    snapshot: BundleRef
    deltas: list[BundleRef] = field(default_factory=list)
    blob_count: int = 0
    blob_bytes: int = 0

    def delta_from(self, generation: int) -> BundleRef | None:
        return next((delta for delta in self.deltas if delta.base == generation), None)

    def to_json(self) -> bytes:
        data = {
            "format": CATALOG_FORMAT,
            "channel": self.channel,
            "generation": self.generation,
            "published_at": self.published_at,
            "snapshot": self.snapshot.as_dict(),
            "deltas": [delta.as_dict() for delta in self.deltas],
            "blobs": {"count": self.blob_count, "bytes": self.blob_bytes},
        }
        return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, expected_channel: str) -> Catalog:
        """Parse and check a catalog; raise :class:`FeedFormatError` naming the bad field."""
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # RecursionError: nested too deep
            raise FeedFormatError(f"catalog of channel {expected_channel}: not JSON ({exc})") from exc
        where = f"catalog of channel {expected_channel}"
        if not isinstance(data, dict) or data.get("format") != CATALOG_FORMAT:
            raise FeedFormatError(f"{where}: format should be {CATALOG_FORMAT!r}")
        if data.get("channel") != expected_channel:
            raise FeedFormatError(f"{where}: channel is {data.get('channel')!r}")
        generation = _positive_int(data.get("generation"), f"{where}: generation")
        snapshot = _bundle_ref(data.get("snapshot"), f"{where}: snapshot", None)
        deltas_raw = data.get("deltas", [])
        if not isinstance(deltas_raw, list):
            raise FeedFormatError(f"{where}: deltas should be a list")
        deltas = [_bundle_ref(item, f"{where}: deltas[{index}]", "from") for index, item in enumerate(deltas_raw)]
        blobs = data.get("blobs") if isinstance(data.get("blobs"), dict) else {}
        return cls(
            channel=expected_channel,
            generation=generation,
            published_at=str(data.get("published_at", "")),
            snapshot=snapshot,
            deltas=deltas,
            blob_count=_positive_int(blobs.get("count", 0) or 0, f"{where}: blobs.count"),
            blob_bytes=_positive_int(blobs.get("bytes", 0) or 0, f"{where}: blobs.bytes"),
        )


def _positive_int(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FeedFormatError(f"{where} should be a whole number ≥ 0, found {value!r}")
    return value


def _bundle_ref(value: Any, where: str, base_key: str | None) -> BundleRef:
    if not isinstance(value, dict) or not isinstance(value.get("target"), str):
        raise FeedFormatError(f"{where} should be an object with a target")
    base = _positive_int(value.get(base_key), f"{where}.{base_key}") if base_key else None
    return BundleRef(
        target=value["target"],
        records=_positive_int(value.get("records"), f"{where}.records"),
        uncompressed=_positive_int(value.get("uncompressed"), f"{where}.uncompressed"),
        base=base,
    )


# ------------------------------------------------------------------------------------ bundles
def write_bundle(channel: str, generation: int, base: int | None, records: list[Record]) -> tuple[bytes, int]:
    """Gzip JSON Lines: a header line, then one record per line. Returns (bytes, uncompressed size).

    ``mtime=0`` makes the same content give the same bytes, so an unchanged channel hashes the same.
    """
    header = {"format": BUNDLE_FORMAT, "channel": channel, "generation": generation, "base": base, "records": len(records)}
    lines = [json.dumps(header, ensure_ascii=False, sort_keys=True)]
    lines += [json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) for record in records]
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    return gzip.compress(raw, compresslevel=9, mtime=0), len(raw)


@dataclass(frozen=True)
class Bundle:
    channel: str
    generation: int
    base: int | None
    records: list[Record]

    @property
    def is_snapshot(self) -> bool:
        return self.base is None


def read_bundle(data: bytes, *, max_bytes: int, channel: str, generation: int, base: int | None) -> Bundle:
    """Decompress at most ``max_bytes`` and check the header against what the catalog promised."""
    raw = inflate_capped(data, max_bytes)
    lines = raw.split(b"\n")
    where = f"bundle {generation} of channel {channel}"
    try:
        header = json.loads(lines[0])
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise FeedFormatError(f"{where}: the header line is not JSON") from exc
    expected = {"format": BUNDLE_FORMAT, "channel": channel, "generation": generation, "base": base}
    for key, value in expected.items():
        if not isinstance(header, dict) or header.get(key) != value:
            raise FeedFormatError(f"{where}: header {key} should be {value!r}, found {header.get(key) if isinstance(header, dict) else header!r}")
    records: list[Record] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise FeedFormatError(f"{where}: line {number} is not JSON") from exc
        if not isinstance(record, dict) or not isinstance(record.get("region"), str) or not regions.is_valid(record["region"]):
            raise FeedFormatError(f"{where}: line {number} is not a record with a region")
        if regions.channel_of(record["region"]) != channel:
            raise FeedFormatError(f"{where}: record {record.get('id')!r} belongs to channel {regions.channel_of(record['region'])}")
        records.append(record)
    if len(records) != header.get("records"):
        raise FeedFormatError(f"{where}: header promises {header.get('records')} records, found {len(records)}")
    return Bundle(channel, generation, base, records)


def inflate_capped(data: bytes, max_bytes: int) -> bytes:
    """gunzip ``data`` but refuse to produce more than ``max_bytes`` (a gzip bomb stops here)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = io.BytesIO()
    try:
        for chunk in _chunks(data, 64 * 1024):
            room = max_bytes - out.tell()
            piece = inflater.decompress(chunk, room + 1)
            out.write(piece)
            while inflater.unconsumed_tail and out.tell() <= max_bytes:
                out.write(inflater.decompress(inflater.unconsumed_tail, max_bytes - out.tell() + 1))
            if out.tell() > max_bytes:
                raise FeedFormatError(f"a bundle expands beyond {max_bytes} bytes; refused (possible gzip bomb)")
        out.write(inflater.flush())
    except zlib.error as exc:
        raise FeedFormatError(f"a bundle is not valid gzip ({exc})") from exc
    if out.tell() > max_bytes:
        raise FeedFormatError(f"a bundle expands beyond {max_bytes} bytes; refused (possible gzip bomb)")
    if not inflater.eof:
        raise FeedFormatError("a bundle is cut short (incomplete gzip stream)")
    return out.getvalue()


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]
