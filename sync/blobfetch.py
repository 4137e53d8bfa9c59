"""Resumable, verified attachment downloads into the content-addressed blob store.

A download continues a ``.part`` file with ``Range`` + ``If-Range`` (the validator the server gave
the first time), so a village line that drops every few megabytes still gets there; the server
answering 200 instead means the file changed and we start over. Only a file with the signed
sha256 and size is renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from kiosk.blobs import BlobError, BlobStore
from kiosk.errors import ExitCode, KioskError
from kiosk.files import fsync_folder
from kiosk.syncstatus import SyncErrorKind
from sync.feed import blob_url_path
from sync.fetcher import CHUNK, file_path
from sync.transport import Deadline, session_timeouts

_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


class BlobFetchError(KioskError, RuntimeError):
    """An attachment could not be fetched this time; what was downloaded so far is kept to resume."""

    exit_code = ExitCode.SYNC_FAILED

    def __init__(self, message: str, kind: SyncErrorKind = SyncErrorKind.NETWORK) -> None:
        super().__init__(message)
        self.kind = SyncErrorKind(kind)


@dataclass
class BlobFetchStats:
    fetched: int = 0
    resumed: int = 0
    bytes: int = 0


def _meta_path(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _load_validator(part: Path) -> str:
    try:
        return str(json.loads(_meta_path(part).read_text(encoding="utf-8")).get("validator", ""))
    except (OSError, ValueError):
        return ""


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    _meta_path(part).unlink(missing_ok=True)


def fetch_blob(
    session: requests.Session,
    feed_url: str,
    store: BlobStore,
    sha256: str,
    size: int,
    *,
    deadline: Deadline,
    stats: BlobFetchStats,
    on_bytes: Callable[[int], None] | None = None,
) -> Path:
    """Make ``store`` hold the blob; resume a partial download; retry once from scratch if the
    finished file does not match (a corrupting proxy, a changed file on the server)."""
    if store.has(sha256, size):
        return store.path(sha256)
    url = feed_url.rstrip("/") + "/" + blob_url_path(sha256)
    if url.startswith("file:"):
        try:
            path = store.add_file(file_path(url), sha256, size)
            stats.fetched += 1
            stats.bytes += size
            return path
        except FileNotFoundError as exc:
            raise BlobFetchError(f"attachment {sha256} is missing from the medium", SyncErrorKind.MISSING) from exc
        except BlobError as exc:
            raise BlobFetchError(str(exc), SyncErrorKind.TAMPERED) from exc
    for attempt in (1, 2):
        part = _download(session, url, store.path(sha256), size, deadline, stats, on_bytes)
        if _digest(part) == (sha256, size):
            _finish(part, store.path(sha256))
            stats.fetched += 1
            return store.path(sha256)
        _discard(part)
        if attempt == 2:
            raise BlobFetchError(f"attachment {sha256}: the downloaded file does not match its signed hash", SyncErrorKind.TAMPERED)
    raise AssertionError("unreachable")


def _download(session: requests.Session, url: str, target: Path, size: int, deadline: Deadline, stats: BlobFetchStats,
              on_bytes: Callable[[int], None] | None) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    offset = part.stat().st_size if part.is_file() else 0
    validator = _load_validator(part) if offset else ""
    if offset > size or (offset and not validator):
        _discard(part)
        offset = 0
    if offset == size:
        return part
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers.update({"Range": f"bytes={offset}-", "If-Range": validator})
    if deadline.expired():
        raise BlobFetchError("the sync ran out of time", SyncErrorKind.TIMEOUT)
    try:
        response = session.get(url, stream=True, headers=headers, timeout=session_timeouts(session).pair(deadline.remaining()))
    except requests.RequestException as exc:
        raise BlobFetchError(f"attachment download failed: {exc}") from exc
    with response:
        if response.status_code == 404:
            raise BlobFetchError(f"{url} is missing on the server (HTTP 404)", SyncErrorKind.MISSING)
        if response.status_code == 206 and offset:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != offset:
                _discard(part)
                raise BlobFetchError(f"{url}: the server resumed at the wrong place", SyncErrorKind.HTTP)
            stats.resumed += 1
            mode = "ab"
        elif response.status_code == 200:
            offset, mode = 0, "wb"
            new_validator = response.headers.get("ETag") or response.headers.get("Last-Modified") or ""
            _meta_path(part).write_text(json.dumps({"validator": new_validator}), encoding="utf-8")
        else:
            raise BlobFetchError(f"{url} answered HTTP {response.status_code}", SyncErrorKind.HTTP)
        written = offset
        try:
            with part.open(mode) as stream:
                for chunk in response.raw.stream(CHUNK, decode_content=False):
                    if written + len(chunk) > size:
                        raise BlobFetchError(f"{url} is longer than its signed size {size}", SyncErrorKind.TAMPERED)
                    stream.write(chunk)
                    written += len(chunk)
                    stats.bytes += len(chunk)
                    if on_bytes is not None:
                        on_bytes(len(chunk))
                    if deadline.expired():
                        raise BlobFetchError("the sync ran out of time", SyncErrorKind.TIMEOUT)
                stream.flush()
                os.fsync(stream.fileno())
        except (requests.RequestException, OSError) as exc:
            if isinstance(exc, OSError) and exc.errno == 28:
                raise BlobFetchError("the disk is full", SyncErrorKind.DISK) from exc
            raise BlobFetchError(f"the connection broke during {url} after {written} of {size} bytes: {exc}") from exc
        except Exception as exc:  # urllib3 protocol errors surface as their own types
            if isinstance(exc, BlobFetchError):
                if exc.kind == "tampered":
                    _discard(part)
                raise
            raise BlobFetchError(f"the connection broke during {url} after {written} of {size} bytes: {exc}") from exc
    if written != size:
        raise BlobFetchError(f"{url} ended after {written} of {size} bytes")
    return part


def _digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    total = 0
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            total += len(chunk)
    return digest.hexdigest(), total


def _finish(part: Path, target: Path) -> None:
    os.replace(part, target)  # the .part was fsync-ed as it was written; it cannot be a write_atomic: it resumes
    _meta_path(part).unlink(missing_ok=True)
    fsync_folder(target.parent)

