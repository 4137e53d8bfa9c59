"""The feed's file formats, shared by the publisher and the terminal (docs/PROTOCOL.md, "The feed").

A channel's generation is described by a small ``catalog.json``; its records travel in gzip JSON
Lines *bundles* (a snapshot, and deltas from earlier generations). Reading a bundle is capped, so
a hostile or broken file can never expand past the size the signed catalog promised.
"""

from __future__ import annotations

import gzip
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


#: Records per bundle at most (docs/PROTOCOL.md, "Bundle limits"). The byte cap alone let a 6 MB
#: bundle of 2,000,000 tiny records take 2.5 GB in the kiosk (issue 12, item 7); a county's
#: snapshot of ~100,000 records fits with room to spare.
MAX_BUNDLE_RECORDS = 250_000
#: Bytes per line at most: a record's longest texts are 200,000 characters; a line without end
#: must not grow to the whole byte cap (and be copied once more to be parsed).
MAX_LINE_BYTES = 16 << 20
_INFLATE_PIECE = 256 * 1024  # bytes of decompressed output at a time


@dataclass(frozen=True)
class Bundle:
    channel: str
    generation: int
    base: int | None
    records: list[Record]

    @property
    def is_snapshot(self) -> bool:
        return self.base is None


class BundleReader:
    """A bundle read as a stream, in bounded memory: the header is checked at once, and each
    iteration decompresses the (compressed, size-capped) bytes again and yields its records one
    by one, checked for shape and channel.

    Refused with :class:`FeedFormatError`: more than ``max_bytes`` decompressed, a header that is
    not the one the catalog promised, more records than the header (or ``expected_records``, the
    signed catalog's count) says, or more than ``max_records``. The count is checked as lines
    arrive, so a bundle of two million tiny records stops at the first record too many.
    """

    def __init__(self, data: bytes, *, max_bytes: int, channel: str, generation: int, base: int | None,
                 expected_records: int | None = None, max_records: int = MAX_BUNDLE_RECORDS) -> None:
        self.data, self.max_bytes, self.channel, self.generation, self.base = data, max_bytes, channel, generation, base
        self.where = f"bundle {generation} of channel {channel}"
        if expected_records is not None and expected_records > max_records:
            raise FeedFormatError(f"{self.where}: the catalog promises {expected_records} records, more than the "
                                  f"{max_records} a bundle may hold; refused")
        lines = _inflated_lines(data, max_bytes)
        try:
            header = json.loads(next(lines, b""))
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
            raise FeedFormatError(f"{self.where}: the header line is not JSON") from exc
        finally:
            lines.close()
        expected = {"format": BUNDLE_FORMAT, "channel": channel, "generation": generation, "base": base}
        for key, value in expected.items():
            if not isinstance(header, dict) or header.get(key) != value:
                found = header.get(key) if isinstance(header, dict) else header
                raise FeedFormatError(f"{self.where}: header {key} should be {value!r}, found {found!r}")
        count = header.get("records")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise FeedFormatError(f"{self.where}: header records should be a whole number ≥ 0, found {count!r}")
        if count > max_records:
            raise FeedFormatError(f"{self.where}: header promises {count} records, more than the {max_records} a bundle "
                                  "may hold; refused")
        if expected_records is not None and count != expected_records:
            raise FeedFormatError(f"{self.where}: header promises {count} records, the signed catalog {expected_records}")
        self.count = count

    @property
    def is_snapshot(self) -> bool:
        return self.base is None

    def __iter__(self) -> Iterator[Record]:
        where, channel, promised = self.where, self.channel, self.count
        found = 0
        lines = _inflated_lines(self.data, self.max_bytes)
        try:
            next(lines, None)  # the header, checked in __init__
            for number, line in enumerate(lines, start=2):
                if not line.strip():
                    continue
                found += 1
                if found > promised:
                    raise FeedFormatError(f"{where}: line {number} is a record beyond the {promised} its header promises; refused")
                try:
                    record = json.loads(line)
                except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
                    raise FeedFormatError(f"{where}: line {number} is not JSON") from exc
                region = record.get("region") if isinstance(record, dict) else None
                if not isinstance(region, str) or not regions.is_valid(region):
                    raise FeedFormatError(f"{where}: line {number} is not a record with a region")
                if regions.channel_of(region) != channel:
                    raise FeedFormatError(f"{where}: record {record.get('id')!r} belongs to channel {regions.channel_of(region)}")
                yield record
        finally:
            lines.close()
        if found != promised:
            raise FeedFormatError(f"{where}: header promises {promised} records, found {found}")


def read_bundle(data: bytes, *, max_bytes: int, channel: str, generation: int, base: int | None) -> Bundle:
    """Decompress at most ``max_bytes``, check the header against what the catalog promised, and
    return every record in a list (the publisher's use; the terminal streams a :class:`BundleReader`)."""
    reader = BundleReader(data, max_bytes=max_bytes, channel=channel, generation=generation, base=base)
    return Bundle(channel, generation, base, list(reader))


def _inflate(data: bytes, max_bytes: int) -> Iterator[bytes]:
    """gunzip ``data`` piece by piece, refusing to produce more than ``max_bytes`` (a gzip bomb stops here)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    produced = 0
    bomb = f"a bundle expands beyond {max_bytes} bytes; refused (possible gzip bomb)"
    try:
        for chunk in _chunks(data, 64 * 1024):
            while chunk and not inflater.eof:
                piece = inflater.decompress(chunk, _INFLATE_PIECE)
                produced += len(piece)
                if produced > max_bytes:
                    raise FeedFormatError(bomb)
                if piece:
                    yield piece
                chunk = inflater.unconsumed_tail
        piece = inflater.flush()
    except zlib.error as exc:
        raise FeedFormatError(f"a bundle is not valid gzip ({exc})") from exc
    produced += len(piece)
    if produced > max_bytes:
        raise FeedFormatError(bomb)
    if piece:
        yield piece
    if not inflater.eof:
        raise FeedFormatError("a bundle is cut short (incomplete gzip stream)")


def _inflated_lines(data: bytes, max_bytes: int) -> Iterator[bytes]:
    """The decompressed lines of ``data`` (without their newline), never more than ``max_bytes`` in all."""
    pending: list[bytes] = []  # pieces of a line not finished yet (a long line is joined once, not re-copied)
    waiting = 0  # their bytes
    too_long = f"a bundle line is longer than {MAX_LINE_BYTES >> 20} MiB; refused"
    for piece in _inflate(data, max_bytes):
        if b"\n" not in piece:
            pending.append(piece)
            waiting += len(piece)
            if waiting > MAX_LINE_BYTES:
                raise FeedFormatError(too_long)
            continue
        parts = piece.split(b"\n")
        if pending:
            parts[0] = b"".join([*pending, parts[0]])
            pending, waiting = [], 0
        last = parts.pop()
        if any(len(part) > MAX_LINE_BYTES for part in parts):
            raise FeedFormatError(too_long)
        yield from parts
        if last:
            pending.append(last)
            waiting = len(last)
    if pending:
        yield b"".join(pending)


def inflate_capped(data: bytes, max_bytes: int) -> bytes:
    """gunzip ``data`` but refuse to produce more than ``max_bytes`` (a gzip bomb stops here)."""
    return b"".join(_inflate(data, max_bytes))


def _chunks(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]
