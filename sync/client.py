"""The terminal's feed client: verify, download, apply — or keep what it has and say why.

One run: TUF refresh (every metadata file verified against the trusted root, rollback and expiry
checked), then per channel of the terminal's region chain the signed catalog, the delta from the
terminal's generation (or the snapshot), the attachments those records need, and one transaction
that applies the records together with the new generation. Anything that goes wrong leaves the
last verified content on screen and a reason in ``sync_channel``; nothing unverified is applied.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import sqlite3
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import peewee
import requests
import urllib3
from tuf.api import exceptions as tuf_errors
from tuf.ngclient import Updater, UpdaterConfig

from kiosk import regions
from kiosk.blobs import attachment_refs, is_sha256
from kiosk.errors import ExitCode, KioskError
from kiosk.records.validate import BatchRejected, check_stream
from kiosk.store import ChannelCommit, StoreError
from kiosk.syncstatus import SyncErrorKind, error_text_zh
from kiosk.terminal import Terminal
from sync.blobfetch import BlobFetchError, BlobFetchStats, fetch_blob
from sync.feed import MAX_BUNDLE_RECORDS, BundleReader, Catalog, FeedFormatError, catalog_target
from sync.fetcher import RequestsFetcher, mount_get_retries
from sync.transport import Deadline, make_session

log = logging.getLogger(__name__)

CLOCK_TOLERANCE_S = 3600
K = SyncErrorKind
#: What the network (requests, urllib3, sockets) raises: a line that is down, not a bug.
_TRANSPORT_ERRORS: tuple[type[BaseException], ...] = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)


@dataclass(frozen=True)
class Progress:
    """What a progress display shows: stage (metadata, catalog, bundle, check, blobs, apply, done)."""

    stage: str
    channel: str = ""
    done_bytes: int = 0
    total_bytes: int = 0

    @property
    def percent(self) -> int:
        return min(100, int(self.done_bytes * 100 / self.total_bytes)) if self.total_bytes else 0


ProgressCallback = Callable[[Progress], None]


@dataclass
class ChannelOutcome:
    channel: str
    status: str  # updated | current | absent | failed
    generation: int = 0
    via: str = ""  # delta | snapshot
    changes: dict[str, int] = field(default_factory=dict)
    error: str = ""
    error_kind: SyncErrorKind | Literal[""] = ""
    kinds: tuple[str, ...] = ()  # record kinds the update added, changed or deleted (what the screens must re-read)


@dataclass
class SyncReport:
    status: str  # updated | current | failed | partial | busy | untrusted
    started_at: str
    finished_at: str = ""
    channels: list[ChannelOutcome] = field(default_factory=list)
    error: str = ""
    error_kind: SyncErrorKind | Literal[""] = ""
    bytes_downloaded: int = 0
    blobs_fetched: int = 0
    blobs_resumed: int = 0
    blobs_repaired: int = 0

    @property
    def ok(self) -> bool:
        return self.status in ("updated", "current")

    @property
    def message_zh(self) -> str:
        if self.ok:
            return "已是最新" if self.status == "current" else "内容已更新"
        return error_text_zh(self.error_kind)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok, "message_zh": self.message_zh}


class SyncFailure(KioskError):
    """One run (or one channel) could not update; ``kind`` says why, ``str()`` the detail for staff."""

    exit_code = ExitCode.SYNC_FAILED

    def __init__(self, kind: SyncErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind = SyncErrorKind(kind)


def classify(exc: BaseException) -> SyncFailure:
    """Map whatever broke to one :class:`SyncErrorKind` (the order matters: subclasses first).

    Only failures we know the cause of get a data or network kind. Anything else is a bug in this
    program (a TypeError, a KeyError …): it is ``internal``, logged with its traceback, and — unlike
    ``format`` — does not tell the screen that the portal's data is suspect.
    """
    if isinstance(exc, SyncFailure):
        return exc
    if isinstance(exc, tuf_errors.ExpiredMetadataError):
        return SyncFailure(K.EXPIRED, f"signed metadata has expired (check the terminal's clock): {exc}")
    if isinstance(exc, tuf_errors.BadVersionNumberError):
        return SyncFailure(K.ROLLBACK, f"the portal offered older metadata than this terminal trusts: {exc}")
    if isinstance(exc, tuf_errors.RepositoryError):
        return SyncFailure(K.TAMPERED, f"verification failed: {type(exc).__name__}: {exc}")
    if isinstance(exc, tuf_errors.DownloadHTTPError):
        return SyncFailure(K.HTTP, str(exc))
    if isinstance(exc, tuf_errors.DownloadLengthMismatchError):
        return SyncFailure(K.TAMPERED, f"a file is longer than its signed length: {exc}")
    if isinstance(exc, tuf_errors.DownloadError):
        cause = exc.__cause__ or exc
        if not isinstance(cause, (tuf_errors.DownloadError, *_TRANSPORT_ERRORS)):
            return classify(cause)  # python-tuf wraps whatever a fetcher raises (a TypeError too): judge the real cause
        if isinstance(cause, OSError) and cause.errno == errno.ENOSPC:
            return SyncFailure(K.DISK, f"the disk is full: {cause}")
        return SyncFailure(K.TIMEOUT if "ran out of time" in str(exc) else K.NETWORK, f"{exc}: {cause}")
    if isinstance(exc, BlobFetchError):
        return SyncFailure(exc.kind, str(exc))
    if isinstance(exc, (FeedFormatError, BatchRejected)):
        return SyncFailure(K.FORMAT, str(exc))
    if isinstance(exc, StoreError):
        return SyncFailure(K.DISK if "disk is full" in str(exc) else K.STORE, str(exc))
    if isinstance(exc, (sqlite3.Error, peewee.DatabaseError)):
        return SyncFailure(K.STORE, f"the local database: {type(exc).__name__}: {exc}")
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return SyncFailure(K.DISK, f"the disk is full: {exc}")
    if isinstance(exc, _TRANSPORT_ERRORS):
        return SyncFailure(K.NETWORK, f"{type(exc).__name__}: {exc}")
    log.error("sync: unexpected %s, reported as an internal error", type(exc).__name__, exc_info=exc)
    return SyncFailure(K.INTERNAL, f"internal error in the terminal's program (a bug, not the feed): {type(exc).__name__}: {exc}")


@contextmanager
def sync_lock(folder: Path) -> Iterator[bool]:
    """One sync per data folder at a time (python-tuf allows one process per metadata cache)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "sync.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def sync_dir(terminal: Terminal) -> Path:
    return terminal.data_dir / "sync"


def feed_url_of(terminal: Terminal) -> str:
    """``sync.feed_url``, else ``{sync.portal_url}/feed/``; empty when the terminal has no portal."""
    url = terminal.settings["sync.feed_url"] or (terminal.settings["sync.portal_url"].rstrip("/") + "/feed/" if terminal.settings["sync.portal_url"] else "")
    return url if not url or url.endswith("/") else url + "/"


class FeedSync:
    """One sync run for one terminal against one feed (an URL, or a ``file:`` URL for a USB stick)."""

    def __init__(
        self,
        terminal: Terminal,
        feed_url: str,
        *,
        session: requests.Session | None = None,
        progress: ProgressCallback | None = None,
        anchor: bytes | None = None,
        deadline_s: float = 900.0,
    ) -> None:
        self.terminal = terminal
        self.feed_url = feed_url if feed_url.endswith("/") else feed_url + "/"
        self.session = session or make_session(terminal.settings)
        mount_get_retries(self.session)
        self.progress = progress
        self.anchor = anchor
        self.deadline = Deadline(deadline_s)
        self.folder = sync_dir(terminal)
        self.blob_stats = BlobFetchStats()
        self._current = Progress("metadata")
        self.fetcher = RequestsFetcher(self.session, self.deadline, self._on_bytes)
        self.max_bundle = int(terminal.settings["sync.max_bundle_mb"]) << 20

    def _now(self) -> str:
        """A stamp on the terminal's clock (kiosk/clock.py), which staleness is later measured against."""
        return self.terminal.clock().astimezone().isoformat(timespec="seconds")

    # ----------------------------------------------------------------------------- progress
    def _report(self, progress: Progress) -> None:
        self._current = progress
        if self.progress is not None:
            self.progress(progress)

    def _on_bytes(self, amount: int) -> None:
        current = self._current
        self._report(Progress(current.stage, current.channel, current.done_bytes + amount, current.total_bytes))

    # ----------------------------------------------------------------------------- the run
    def run(self) -> SyncReport:
        report = SyncReport(status="current", started_at=self._now())
        with sync_lock(self.folder) as locked:
            if not locked:
                report.status, report.error_kind, report.error = "busy", K.BUSY, "another sync of this data folder is running"
                report.finished_at = self._now()
                return report
            self._run_locked(report)
        report.bytes_downloaded = self.fetcher.bytes_read + self.blob_stats.bytes
        report.blobs_fetched, report.blobs_resumed = self.blob_stats.fetched, self.blob_stats.resumed
        report.finished_at = self._now()
        self._report(Progress("done"))
        return report

    def _channels(self) -> list[str]:
        return list(reversed(regions.channels_for(self.terminal.region)))  # national first, the county last

    def _run_locked(self, report: SyncReport) -> None:
        channels = self._channels()
        try:
            updater = self._updater()
            self._report(Progress("metadata"))
            updater.refresh()
        except Exception as exc:
            failure = self._explain_clock(classify(exc))
            report.status, report.error_kind, report.error = "untrusted" if failure.kind == K.UNTRUSTED else "failed", failure.kind, str(failure)
            for channel in channels:
                self._note(channel, failure)
                report.channels.append(ChannelOutcome(channel, "failed", error=str(failure), error_kind=failure.kind))
            return
        for channel in channels:
            try:
                outcome = self._sync_channel(updater, channel)
            except Exception as exc:
                failure = classify(exc)
                self._note(channel, failure)
                outcome = ChannelOutcome(channel, "failed", error=str(failure), error_kind=failure.kind)
            report.channels.append(outcome)
        failed = [c for c in report.channels if c.status == "failed"]
        if failed:
            report.status = "failed" if len(failed) == len(report.channels) else "partial"
            report.error_kind, report.error = failed[0].error_kind, failed[0].error
        elif any(c.status == "updated" for c in report.channels):
            report.status = "updated"
        if any(c.status == "updated" and c.changes.get("changed") for c in report.channels):
            self.terminal.reload_settings()  # terminal_profile records may have changed

    def _explain_clock(self, failure: SyncFailure) -> SyncFailure:
        """Expired metadata while our clock is far from the portal's: say it is the clock."""
        skew = self.fetcher.clock_skew_s
        if failure.kind == K.EXPIRED and skew is not None and abs(skew) > CLOCK_TOLERANCE_S:
            ahead = "ahead of" if skew < 0 else "behind"
            return SyncFailure(K.CLOCK, f"this terminal's clock is {abs(skew) / 3600:.1f} h {ahead} the portal's; {failure}")
        return failure

    def _note(self, channel: str, failure: SyncFailure) -> None:
        with contextlib.suppress(StoreError):  # a full disk: the report still says why
            self.terminal.store.note_sync(channel, at=self._now(), error=str(failure)[:1000], error_kind=failure.kind)

    def _updater(self) -> Updater:
        metadata = self.folder / "metadata"
        metadata.mkdir(parents=True, exist_ok=True)
        (self.folder / "targets").mkdir(parents=True, exist_ok=True)
        bootstrap: bytes | None = None
        if not (metadata / "root.json").is_file():
            bootstrap = self.anchor
            if bootstrap is None and (self.folder / "root.json").is_file():
                bootstrap = (self.folder / "root.json").read_bytes()
            if bootstrap is None:
                raise SyncFailure(K.UNTRUSTED, "no trusted root: enroll the terminal (kiosk enroll) or give --root root.json")
        return Updater(
            metadata_dir=str(metadata),
            metadata_base_url=self.feed_url + "metadata/",
            target_dir=str(self.folder / "targets"),
            target_base_url=self.feed_url + "targets/",
            fetcher=self.fetcher,
            config=UpdaterConfig(app_user_agent="disclosure-kiosk"),
            bootstrap=bootstrap,
        )

    def _download(self, updater: Updater, target: str, stage: str, channel: str) -> bytes:
        info = updater.get_targetinfo(target)
        if info is None:
            raise SyncFailure(K.TAMPERED, f"{target} is named by the catalog but not signed in the targets metadata")
        self._report(Progress(stage, channel, 0, info.length))
        path = updater.find_cached_target(info) or updater.download_target(info)
        return Path(path).read_bytes()

    def _sync_channel(self, updater: Updater, channel: str) -> ChannelOutcome:
        known = self.terminal.store.channel_states().get(channel, {})
        have = int(known.get("generation") or 0)
        if updater.get_targetinfo(catalog_target(channel)) is None:
            self.terminal.store.note_sync(channel, at=self._now())
            return ChannelOutcome(channel, "absent", have)
        catalog = Catalog.from_json(self._download(updater, catalog_target(channel), "catalog", channel), channel)
        if catalog.generation < have:
            raise SyncFailure(K.ROLLBACK, f"channel {channel}: the feed is at generation {catalog.generation}, this terminal at {have}")
        if catalog.generation == have:
            self.terminal.store.note_sync(channel, at=self._now())
            return ChannelOutcome(channel, "current", have)
        ref = catalog.delta_from(have) if have else None
        ref = ref or catalog.snapshot
        if ref.records > MAX_BUNDLE_RECORDS:  # refused before a byte of it is downloaded
            raise FeedFormatError(f"channel {channel}: the catalog promises {ref.records} records in {ref.target}, more than the "
                                  f"{MAX_BUNDLE_RECORDS} a bundle may hold; refused")
        raw = self._download(updater, ref.target, "bundle", channel)
        bundle = BundleReader(raw, max_bytes=min(ref.uncompressed, self.max_bundle), channel=channel,
                              generation=catalog.generation, base=ref.base, expected_records=ref.records)
        source = f"feed {channel} generation {catalog.generation}"
        # Pass 1, streaming: every record is validated before any attachment is looked at, so a
        # "sha256" that is a path never reaches the file system (issue 12, item 5).
        self._report(Progress("check", channel))
        wanted: dict[str, int] = {}
        checked = check_stream(lambda: ((record, source) for record in bundle), on_valid=lambda r: _note_blobs(r, wanted))
        self._fetch_blobs(wanted, channel)
        # Pass 2: the same bytes read again and applied in chunks, in one transaction.
        self._report(Progress("apply", channel))
        commit = ChannelCommit(channel, catalog.generation, catalog.published_at, bundle.is_snapshot, self._now())
        result = self.terminal.store.apply(checked, commit=commit)
        self._drop_cached(ref.target)
        return ChannelOutcome(channel, "updated", catalog.generation, "snapshot" if bundle.is_snapshot else "delta", result.as_dict(),
                              kinds=tuple(sorted(result.kinds)))

    def _drop_cached(self, target: str) -> None:
        """Applied bundles are not kept: the store holds the records, the generation says where we are."""
        (self.folder / "targets" / urllib.parse.quote(target, "")).unlink(missing_ok=True)  # python-tuf's cache name

    def _fetch_blobs(self, wanted: dict[str, int], channel: str) -> None:
        """Every attachment a live record of a validated bundle needs, verified, before the records are applied."""
        blobs = self.terminal.blobs
        missing = {sha: size for sha, size in wanted.items() if not blobs.verify(sha, size)}
        total = sum(missing.values())
        self._report(Progress("blobs", channel, 0, total))
        for sha, size in sorted(missing.items()):
            fetch_blob(self.session, self.feed_url, blobs, sha, size, deadline=self.deadline, stats=self.blob_stats,
                       on_bytes=self._on_bytes)

    def repair_blobs(self) -> int:
        """Check every attachment the store refers to; fetch again the ones missing or damaged."""
        repaired = 0
        for sha, size in referenced_blobs(self.terminal):
            if not is_sha256(sha):  # never a path into the file system (validated records cannot hold one)
                log.warning("repair: skipped an attachment whose sha256 is not 64 hex digits: %.80r", sha)
                continue
            if not self.terminal.blobs.verify(sha, size):
                fetch_blob(self.session, self.feed_url, self.terminal.blobs, sha, size, deadline=self.deadline, stats=self.blob_stats)
                repaired += 1
        return repaired


def _note_blobs(record: dict[str, Any], wanted: dict[str, int]) -> None:
    """Add the attachments of a valid live record to ``wanted`` (sha256 → size)."""
    if record.get("deleted"):
        return
    for attachment in attachment_refs(record):
        sha, size = attachment.get("sha256"), attachment.get("size")
        if is_sha256(sha) and isinstance(size, int):  # the schema made sure; blob_path would refuse anything else
            wanted[sha] = size


def referenced_blobs(terminal: Terminal) -> list[tuple[str, int]]:
    """Every attachment the store refers to (the query lives in the store: only kiosk/ speaks SQL)."""
    return terminal.store.referenced_blobs()


def file_url(path: Path) -> str:
    return Path(os.path.abspath(path)).as_uri() + "/"
