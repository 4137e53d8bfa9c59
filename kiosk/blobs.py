"""Attachments stored content-addressed: ``blobs/sha256/<first two hex>/<sha256>``.

A blob is only ever written as a verified whole (temporary file, fsync, atomic rename), so a
power cut leaves either the old state or the complete file, never half an attachment.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.files import atomic_writer

_CHUNK = 1 << 20
# 64 lower-case hex digits and nothing else (fullmatch: no trailing newline, no slash, no dot).
_SHA256 = re.compile(r"[0-9a-f]{64}")


class BlobError(KioskError, ValueError):
    """A file does not have the hash or size its record promised, or a "sha256" is not one."""


def is_sha256(value: object) -> bool:
    """True for 64 lower-case hex digits: the only text ever used to name a blob file."""
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def blob_path(root: Path, sha256: str) -> Path:
    """``root/sha256/<first two>/<sha256>``; anything but 64 lower-case hex digits raises :class:`BlobError`.

    A record's ``sha256`` comes from the feed or a USB stick: an absolute path or ``../`` there
    must never reach the file system (issue 12, item 5: a sync deleted whatever file it named).
    Every blob path in the program is made here, so no caller can pass a path through.
    """
    if not is_sha256(sha256):
        shown = repr(sha256) if len(repr(sha256)) <= 80 else repr(sha256)[:79] + "…"
        raise BlobError(f"an attachment's sha256 should be 64 lower-case hex digits, found {shown}")
    path = root / "sha256" / sha256[:2] / sha256
    if path.parent.parent.parent != root:  # cannot happen for 64 hex digits; kept as the last word
        raise BlobError(f"blob path {path} would leave the store root {root}")
    return path


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return blob_path(self.root, sha256)

    def has(self, sha256: str, size: int) -> bool:
        path = self.path(sha256)
        return path.is_file() and path.stat().st_size == size

    def verify(self, sha256: str, size: int) -> bool:
        """Full check of a stored blob; a bad one is removed so it can be fetched again."""
        path = self.path(sha256)
        if not path.is_file():
            return False
        if file_digest(path) == (sha256, size):
            return True
        path.unlink(missing_ok=True)
        return False

    def add_file(self, source: Path, sha256: str, size: int) -> Path:
        """Copy ``source`` in if it matches ``sha256`` and ``size``; raise :class:`BlobError` if not."""
        target = self.path(sha256)
        if self.has(sha256, size):
            return target
        with source.open("rb") as reader, atomic_writer(target) as writer:
            shutil.copyfileobj(reader, writer, _CHUNK)
            writer.flush()
            found = file_digest(Path(writer.name))
            if found != (sha256, size):  # raised inside: the copy is removed, nothing lands under the hash
                raise BlobError(f"{source}: expected sha256 {sha256} and {size} bytes, found {found[0]} and {found[1]} bytes")
        return target


def attachment_refs(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The attachment references of a record: a document's attachments and an interpretation's images."""
    found = [a for a in record.get("attachments") or [] if isinstance(a, dict)] if isinstance(record.get("attachments"), list) else []
    interpretation = record.get("interpretation")
    if isinstance(interpretation, dict) and isinstance(interpretation.get("images"), list):
        found += [a for a in interpretation["images"] if isinstance(a, dict)]
    return found
