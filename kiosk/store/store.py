"""The content store: atomic, idempotent application of record batches, and reads for screens.

Writes go through one lock (one writer at a time); reads may come from any thread, since each
thread gets its own SQLite connection and WAL lets readers run beside the writer.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Container, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import peewee
from peewee import SqliteDatabase

from kiosk.clock import Clock, system_clock
from kiosk.errors import ExitCode, KioskError
from kiosk.privacy import MASKING_VERSION, mask_payment
from kiosk.records.text import derive, letters_of_stored, utc_text
from kiosk.records.validate import MAX_PROBLEMS, BatchRejected, CheckedRecords, RecordProblem, problems_of
from kiosk.regions import CHANNEL_SQL
from kiosk.store.migrate import current_version, migrate

Record = dict[str, Any]
_CHUNK = 500
_FTS_HASHSIZE = 32 << 20  # bytes of pending full-text index entries (FTS5 'hashsize'; its default is 1 MB)

PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "synchronous": "normal",
    "busy_timeout": 10_000,
    # 8 MB of pages per connection (the OS keeps the file's pages anyway): at 32 MB the home screen's first
    # queries alone filled 27 MB of the kiosk's resident memory (docs/BENCHMARKS.md, touch screens)
    "cache_size": -8_000,
    "temp_store": "memory",
}

#: ``record.origin`` values that are not a feed channel (a channel's origin is its name, a region code).
LOCAL = "local"  # a plain `kiosk import` (or a bare ``apply``)
DEMO = "demo"  # the bundled demo county (Terminal.ensure_demo_content)
UNKNOWN = ""  # stored before origins were kept (migration 3): treated like local
NOT_CHANNELS = (LOCAL, DEMO, UNKNOWN)


def is_channel(origin: str) -> bool:
    """True when ``origin`` names a feed channel: only then does the record's id belong to someone."""
    return origin not in NOT_CHANNELS


@dataclass(frozen=True)
class _Known:
    """What the store already holds for an id that a batch brings again."""

    pk: int
    version: int
    letters: dict[str, str]
    origin: str = UNKNOWN


@dataclass(frozen=True)
class ChannelCommit:
    """A feed generation applied together with its records (see docs/PROTOCOL.md, "The feed").

    ``snapshot`` bundles carry the whole channel: local records of the channel they don't mention
    are removed in the same transaction.
    """

    channel: str
    generation: int
    published_at: str
    snapshot: bool
    at: str


class StoreError(KioskError, RuntimeError):
    """The store could not complete an operation; nothing of it was kept."""

    exit_code = ExitCode.STORE


@dataclass
class ApplyResult:
    """What one batch did. ``ignored_older`` counts records older than what the store has."""

    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    ignored_older: int = 0
    kept_owned: int = 0  # local records not written because a feed channel owns their id (issue 12, item 1)
    kinds: set[str] = field(default_factory=set)  # kinds of the records added, updated or deleted: what screens must re-read
    owned: dict[str, str] = field(default_factory=dict)  # the kept_owned ids -> the channel that owns each

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted

    def as_dict(self) -> dict[str, int]:
        counts = {name: value for name, value in asdict(self).items() if name not in ("kinds", "owned")}
        return {**counts, "changed": self.changed}


class ContentStore:
    """One terminal's content database at ``path`` (created and migrated on open)."""

    def __init__(self, path: Path, clock: Clock = system_clock) -> None:
        self.path = Path(path)
        self.clock = clock  # stamps data_changed_at and decides which notices have expired
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = SqliteDatabase(str(self.path), pragmas=PRAGMAS)
        self._write_lock = threading.Lock()
        self.db.connect(reuse_if_open=True)
        with self._write_lock:
            migrate(self.db, self.path.parent / "backups", clock=clock)  # a backup is named on the terminal's clock
        self._mask_stored_payments()

    def close(self) -> None:
        if not self.db.is_closed():
            self.db.close()

    def __enter__(self) -> ContentStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return current_version(self.db)

    def sql(self, query: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a read query on this thread's connection."""
        return list(self.db.execute_sql(query, tuple(params)).fetchall())

    # ----------------------------------------------------------------------------- writing
    def apply(
        self,
        records: Iterable[Record] | Iterable[tuple[Record, str]] | CheckedRecords,
        *,
        source: str = "",
        commit: ChannelCommit | None = None,
        origin: str = LOCAL,
    ) -> ApplyResult:
        """Validate and apply a batch in one transaction, records and search index together.

        Accepts bare records, (record, source) pairs, or :class:`~kiosk.records.validate.CheckedRecords`
        (validated already, by :func:`~kiosk.records.validate.check_stream`). The batch is read
        once, in chunks of ``_CHUNK``, and never held whole: a feed snapshot of 100,000 records is
        applied in bounded memory. A bad record raises
        :class:`~kiosk.records.validate.BatchRejected` (every record is still checked, so the
        count of problems is complete) and the transaction is rolled back: nothing of the batch is
        kept. Within a batch an id may come more than once: the highest version wins, and two
        different bodies under one id and version are refused. With ``commit`` the channel's
        generation moves in the same transaction, so a crash leaves either the old generation with
        the old records or the new with the new.

        Every record is stored with its origin: ``commit.channel`` when there is a commit, else
        ``origin`` (``local``, ``demo``). A channel's record replaces a non-channel one whatever the
        versions; a non-channel record never touches an id a channel owns (``kept_owned``); and a
        record for an id another channel owns rejects the whole batch (see :meth:`_refuse_foreign`).
        """
        origin = commit.channel if commit is not None else origin
        checked = isinstance(records, CheckedRecords)
        pairs = (item if isinstance(item, tuple) else (item, source) for item in records)
        result = ApplyResult()
        with self._write_lock:
            try:
                with self._transaction():
                    self._size_index_buffer()
                    batch = _BatchState()
                    for chunk in _chunks(pairs, _CHUNK):
                        self._apply_chunk(chunk, checked, batch, result, origin)
                    if batch.problems:
                        raise BatchRejected(batch.problems, batch.total)
                    if commit is not None:
                        self._commit_channel(commit, batch.seen.keys(), result)
                    if result.changed:
                        self._set_meta_many({"data_changed_at": self.clock().astimezone().isoformat(timespec="seconds")})
                        self._raise_meta("content_updated_at", batch.newest)
            except (sqlite3.Error, peewee.DatabaseError) as exc:
                raise StoreError(_explain_sqlite_error(exc)) from exc
        return result

    def _size_index_buffer(self) -> None:
        """Let FTS5 gather up to ``_FTS_HASHSIZE`` of new index entries before it writes a segment.

        The default (1 MB) makes an initial sync of a county write ~50 small segments and merge
        them again and again: 30 % of the index's CPU time (2.7 → 1.9 s for 20,000 records). The
        setting lives in the index's own config table; the memory is only used while a large batch
        is applied, and is counted in the initial-sync RSS benchmark (docs/BENCHMARKS.md, "Sync").
        """
        rows = self.db.execute_sql("SELECT v FROM search_fts_config WHERE k = 'hashsize'").fetchall()
        if not rows or rows[0][0] != _FTS_HASHSIZE:
            self.db.execute_sql("INSERT INTO search_fts (search_fts, rank) VALUES ('hashsize', ?)", (_FTS_HASHSIZE,))

    def _apply_chunk(
        self, chunk: list[tuple[Record, str]], checked: bool, batch: _BatchState, result: ApplyResult, origin: str
    ) -> None:
        """Validate (unless ``checked``) and apply one chunk; after the first problem only validate."""
        if not checked:
            chunk = [(record, where) for record, where in chunk if not batch.refuse(problems_of(record, where))]
        if batch.problems:
            return
        chosen: dict[str, tuple[Record, str]] = {}
        for record, where in chunk:
            record_id, version = record["id"], record["version"]
            previous = chosen.get(record_id)
            if previous is not None:
                if version > previous[0]["version"]:
                    chosen[record_id] = (record, where)
                elif version == previous[0]["version"] and record != previous[0]:
                    batch.refuse([_conflict(record, previous[1], where)])
                continue
            earlier = batch.seen.get(record_id)
            if earlier is not None:  # an earlier chunk brought this id: the highest version wins here too
                if version < earlier[0]:
                    continue
                if version == earlier[0]:
                    if not self._same_as_stored(record):
                        batch.refuse([_conflict(record, earlier[1], where)])
                    continue
            chosen[record_id] = (record, where)
        if batch.problems:
            return
        known = self._known_versions(list(chosen))
        self._refuse_foreign([record for record, _ in chosen.values()], known, origin)
        for record_id, (record, where) in chosen.items():
            self._apply_one(record, known.get(record_id), result, origin)
            batch.seen[record_id] = (record["version"], where)
            if record["updated_at"] > batch.newest:
                batch.newest = record["updated_at"]

    def _same_as_stored(self, record: Record) -> bool:
        """Whether ``record`` is what the store holds under its id and version (masked as stored)."""
        rows = self.db.execute_sql(
            "SELECT version, data FROM record_full WHERE record_id = ?", (record["id"],)
        ).fetchall()
        if not rows or rows[0][0] != record["version"]:
            return False
        stored = mask_payment(record) if record["kind"] == "subsidy_payment" and not record.get("deleted") else record
        return json.loads(rows[0][1]) == stored

    def _mask_stored_payments(self) -> None:
        """Mask the stored payments again, once, when masking has learnt more since they were stored.

        Masking at rest (``_apply_one``) only reaches records as they arrive, so a payment stored by
        an older version kept what that version missed — a dotted ID number in a note, keywords —
        in its record and in the search index, where a search for the number found it (issue 12,
        items 10 and 11). So when the store's ``masking_version`` is below ``MASKING_VERSION``,
        every payment is masked again, loses its keywords and is re-indexed, in one transaction.
        """
        if int(self.meta("masking_version") or 0) >= MASKING_VERSION:
            return
        try:
            with self._write_lock, self._transaction():
                if int(self.meta("masking_version") or 0) >= MASKING_VERSION:  # another process did it meanwhile
                    return
                rows = self.sql("SELECT pk, data FROM record_full WHERE kind = 'subsidy_payment' AND deleted = 0")
                for pk, data in rows:
                    stored = json.loads(data)
                    masked = mask_payment({key: value for key, value in stored.items() if key != "keywords"})
                    if masked != stored:
                        self._rewrite_masked(pk, masked)
                self._set_meta_many({"masking_version": str(MASKING_VERSION)})
        except (sqlite3.Error, peewee.DatabaseError) as exc:
            raise StoreError(_explain_sqlite_error(exc)) from exc

    def _rewrite_masked(self, pk: int, record: Record) -> None:
        """Replace a stored payment by its masked copy (same version), with its derived columns and index row."""
        derived = derive(record, None)
        self.db.execute_sql(
            "UPDATE record SET title = ?, aliases = ?, initials = ?, alias_initials = ? WHERE pk = ?",
            (derived.title, derived.aliases, derived.initials, derived.alias_initials, pk),
        )
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        self.db.execute_sql("UPDATE record_data SET data = ? WHERE pk = ?", (data, pk))
        self.db.execute_sql("DELETE FROM search_fts WHERE rowid = ?", (pk,))
        self.db.execute_sql(
            "INSERT INTO search_fts (rowid, title, aliases, body) VALUES (?, ?, ?, ?)", (pk, derived.title, derived.aliases, derived.body)
        )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE … COMMIT on this thread's connection.

        SQLite rolls a transaction back by itself on some errors (a full disk); peewee's
        ``atomic()`` would then fail its own ROLLBACK and hide the real error.
        """
        connection = self.db.connection()
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _known_versions(self, ids: list[str]) -> dict[str, _Known]:
        known: dict[str, _Known] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for record_id, pk, version, title, aliases, initials, alias_initials, origin in self.db.execute_sql(
                "SELECT record_id, pk, version, title, aliases, initials, alias_initials, origin FROM record "
                f"WHERE record_id IN ({marks})",
                chunk,
            ):
                known[record_id] = _Known(pk, version, letters_of_stored(title, aliases, initials, alias_initials), origin)
        return known

    @staticmethod
    def _refuse_foreign(batch: Sequence[Record], known: dict[str, _Known], origin: str) -> None:
        """A channel may not write an id another channel owns (issue 12, item 6): the whole batch is refused.

        Raised inside the transaction, so nothing of the batch (nor the generation) is kept; the sync
        client reports it as a format error of that channel.
        """
        if not is_channel(origin):
            return
        problems = [
            RecordProblem(record["id"], "id", f"an id channel {origin} owns or no channel owns",
                          f"owned by channel {known[record['id']].origin}", f"feed {origin}")
            for record in batch
            if record["id"] in known and is_channel(known[record["id"]].origin) and known[record["id"]].origin != origin
        ]
        if problems:
            raise BatchRejected(problems, outcome=f"nothing of channel {origin}'s bundle was applied")

    def _apply_one(self, record: Record, known: _Known | None, result: ApplyResult, origin: str = LOCAL) -> None:
        if known is not None and is_channel(known.origin) and not is_channel(origin):
            result.kept_owned += 1  # a local write never replaces nor deletes what a channel owns
            result.owned[record["id"]] = known.origin
            return
        if known is not None:
            pk, version = known.pk, known.version
            if is_channel(origin) and not is_channel(known.origin):
                pass  # the channel's record replaces a local or unknown one whatever its version
            elif record["version"] < version:
                result.ignored_older += 1
                return
            elif record["version"] == version:
                result.unchanged += 1
                return
            self.db.execute_sql("DELETE FROM search_fts WHERE rowid = ?", (pk,))
        if record["kind"] == "subsidy_payment" and not record.get("deleted"):
            record = mask_payment(record)
        if record.get("deleted"):
            columns = {"title": "", "aliases": "", "initials": "", "alias_initials": "", "sort_date": "", "current": 0,
                       "expires_utc": ""}
            body = None
        else:
            derived = derive(record, known.letters if known is not None else None)
            columns = {
                "title": derived.title,
                "aliases": derived.aliases,
                "initials": derived.initials,
                "alias_initials": derived.alias_initials,
                "sort_date": derived.sort_date,
                "current": int(derived.current),
                "expires_utc": derived.expires_utc,
            }
            body = derived.body
        values = {
            "record_id": record["id"],
            "kind": record["kind"],
            "version": record["version"],
            "region": record["region"],
            "updated_at": record["updated_at"],
            "deleted": int(bool(record.get("deleted"))),
            "origin": origin,
            **columns,
        }
        data = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        if known is None:
            names = ",".join(values)
            cursor = self.db.execute_sql(
                f"INSERT INTO record ({names}) VALUES ({','.join('?' * len(values))})", tuple(values.values())
            )
            pk = cursor.lastrowid
            self.db.execute_sql("INSERT INTO record_data (pk, data) VALUES (?, ?)", (pk, data))
            result.added += 1 if not record.get("deleted") else 0
            result.deleted += 1 if record.get("deleted") else 0
        else:
            assignments = ",".join(f"{name} = ?" for name in values)
            self.db.execute_sql(f"UPDATE record SET {assignments} WHERE pk = ?", (*values.values(), pk))
            self.db.execute_sql("UPDATE record_data SET data = ? WHERE pk = ?", (data, pk))
            if record.get("deleted"):
                result.deleted += 1
            else:
                result.updated += 1
        result.kinds.add(record["kind"])
        if body is not None:
            self.db.execute_sql(
                "INSERT INTO search_fts (rowid, title, aliases, body) VALUES (?, ?, ?, ?)",
                (pk, columns["title"], columns["aliases"], body),
            )

    def _commit_channel(self, commit: ChannelCommit, ids: Container[str], result: ApplyResult) -> None:
        if commit.snapshot:
            # The snapshot is the whole channel: what the channel owns and it no longer lists goes, and so
            # do unknown (pre-origin, most likely this channel's own) and demo rows in its regions.
            # Local records are staff's and stay: on a terminal that follows a feed they can only be of
            # ids and kinds no channel owns (Terminal.import_path).
            rows = self.db.execute_sql(
                f"SELECT pk, record_id, deleted, kind FROM record WHERE origin = ? OR (origin IN (?, ?) AND {CHANNEL_SQL} = ?)",
                (commit.channel, UNKNOWN, DEMO, commit.channel),
            ).fetchall()
            for pk, record_id, deleted, kind in rows:
                if record_id in ids:
                    continue
                self.db.execute_sql("DELETE FROM search_fts WHERE rowid = ?", (pk,))
                self.db.execute_sql("DELETE FROM record_data WHERE pk = ?", (pk,))
                self.db.execute_sql("DELETE FROM record WHERE pk = ?", (pk,))
                result.deleted += 0 if deleted else 1
                if not deleted:
                    result.kinds.add(kind)
        self.db.execute_sql(
            "INSERT INTO sync_channel (channel, generation, published_at, last_success, last_attempt, last_error, error_kind) "
            "VALUES (?, ?, ?, ?, ?, '', '') ON CONFLICT (channel) DO UPDATE SET generation = excluded.generation, "
            "published_at = excluded.published_at, last_success = excluded.last_success, last_attempt = excluded.last_attempt, "
            "last_error = '', error_kind = ''",
            (commit.channel, commit.generation, commit.published_at, commit.at, commit.at),
        )

    # ----------------------------------------------------------------------------- sync state
    def channel_states(self) -> dict[str, dict[str, Any]]:
        """Per channel: generation, published_at, last_success, last_attempt, last_error, error_kind."""
        rows = self.sql("SELECT channel, generation, published_at, last_success, last_attempt, last_error, error_kind FROM sync_channel")
        names = ("generation", "published_at", "last_success", "last_attempt", "last_error", "error_kind")
        return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}

    def note_sync(self, channel: str, *, at: str, error: str = "", error_kind: str = "") -> None:
        """Record an attempt on ``channel``: a success (no error) or why it failed. Content is untouched."""
        success = "" if error else at
        with self._write_lock:
            try:
                with self._transaction():
                    self.db.execute_sql(
                        "INSERT INTO sync_channel (channel, last_attempt, last_success, last_error, error_kind) VALUES (?, ?, ?, ?, ?) "
                        "ON CONFLICT (channel) DO UPDATE SET last_attempt = excluded.last_attempt, last_error = excluded.last_error, "
                        "error_kind = excluded.error_kind, "
                        "last_success = CASE WHEN excluded.last_success != '' THEN excluded.last_success ELSE sync_channel.last_success END",
                        (channel, at, success, error, error_kind),
                    )
            except (sqlite3.Error, peewee.DatabaseError) as exc:
                raise StoreError(_explain_sqlite_error(exc)) from exc

    # ----------------------------------------------------------------------------- meta
    def meta(self, key: str, default: str = "") -> str:
        rows = self.sql("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    def set_meta(self, key: str, value: str) -> None:
        with self._write_lock, self._transaction():
            self._set_meta_many({key: value})

    def _set_meta_many(self, values: dict[str, str]) -> None:
        for key, value in values.items():
            self.db.execute_sql("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def _raise_meta(self, key: str, value: str) -> None:
        if value > self.meta(key):
            self._set_meta_many({key: value})

    # ----------------------------------------------------------------------------- reading
    def get(self, record_id: str) -> Record | None:
        """The live record with this id, or None (also for a tombstone)."""
        rows = self.sql("SELECT data FROM record_full WHERE record_id = ? AND deleted = 0", (record_id,))
        return json.loads(rows[0][0]) if rows else None

    def owners(self, ids: Sequence[str]) -> dict[str, str]:
        """Of ``ids``, those a feed channel owns (live or tombstone) -> that channel."""
        owned: dict[str, str] = {}
        unique = sorted(set(ids))
        for start in range(0, len(unique), _CHUNK):
            chunk = unique[start : start + _CHUNK]
            owned.update(self.sql(
                f"SELECT record_id, origin FROM record WHERE record_id IN ({','.join('?' * len(chunk))}) "
                f"AND origin NOT IN ({','.join('?' * len(NOT_CHANNELS))})", (*chunk, *NOT_CHANNELS)))
        return owned

    def channel_kinds(self) -> dict[str, str]:
        """Kinds some feed channel has records of -> one such channel (the smallest name)."""
        return {kind: channel for kind, channel in self.sql(
            f"SELECT kind, MIN(origin) FROM record WHERE origin NOT IN ({','.join('?' * len(NOT_CHANNELS))}) GROUP BY kind",
            NOT_CHANNELS)}

    def holds_channel_content(self) -> bool:
        """True once any feed channel has been applied (a generation, or a record of channel origin)."""
        if self.sql("SELECT 1 FROM sync_channel WHERE generation > 0 LIMIT 1"):
            return True
        return bool(self.sql(f"SELECT 1 FROM record WHERE origin NOT IN ({','.join('?' * len(NOT_CHANNELS))}) LIMIT 1", NOT_CHANNELS))

    def count(self) -> int:
        return self.sql("SELECT COUNT(*) FROM record WHERE deleted = 0")[0][0]

    def counts_by_kind(self, regions: Sequence[str] | None = None, *, now: dt.datetime | None = None) -> dict[str, int]:
        """Live records per kind, within ``regions`` when given; expired notices are not counted."""
        where, params = _scope_clause(regions)
        rows = self.sql(
            f"SELECT kind, COUNT(*) FROM record WHERE deleted = 0 {where} "
            "AND (expires_utc = '' OR expires_utc > ?) GROUP BY kind",
            (*params, utc_text(now or self.clock())),
        )
        return {kind: count for kind, count in rows}

    def referenced_blobs(self) -> list[tuple[str, int]]:
        """(sha256, size) of every attachment and interpretation image a live record refers to."""
        rows = self.sql(
            "SELECT DISTINCT json_extract(a.value, '$.sha256'), json_extract(a.value, '$.size') FROM record_full, "
            "json_each(record_full.data, '$.attachments') AS a WHERE deleted = 0 "
            "UNION SELECT DISTINCT json_extract(i.value, '$.sha256'), json_extract(i.value, '$.size') FROM record_full, "
            "json_each(record_full.data, '$.interpretation.images') AS i WHERE deleted = 0"
        )
        return [(sha, int(size)) for sha, size in rows if isinstance(sha, str) and size is not None]

    def list_records(
        self, kind: str, regions: Sequence[str] | None = None, *, offset: int = 0, limit: int = 50
    ) -> list[Record]:
        """Records of one kind, newest first; ``offset``/``limit`` page through long lists."""
        where, params = _scope_clause(regions)
        rows = self.sql(
            f"SELECT data FROM record_full WHERE deleted = 0 AND kind = ? {where} "
            "ORDER BY sort_date DESC, pk DESC LIMIT ? OFFSET ?",
            (kind, *params, limit, offset),
        )
        return [json.loads(row[0]) for row in rows]

    def region_names(self) -> dict[str, str]:
        return {code: name for code, name in self.sql(
            "SELECT region, json_extract(data, '$.name') FROM record_full WHERE kind = 'region' AND deleted = 0"
        )}


@dataclass
class _BatchState:
    """What :meth:`ContentStore.apply` carries from chunk to chunk."""

    seen: dict[str, tuple[int, str]] = field(default_factory=dict)  # id → (version applied, its source)
    newest: str = ""
    problems: list[RecordProblem] = field(default_factory=list)
    total: int = 0

    def refuse(self, found: list[RecordProblem]) -> bool:
        """Note ``found`` (at most MAX_PROBLEMS kept, all counted); True when there was any."""
        if found:
            self.total += len(found)
            if len(self.problems) < MAX_PROBLEMS:
                self.problems.extend(found[: MAX_PROBLEMS - len(self.problems)])
        return bool(found)


def _conflict(record: Record, first_source: str, source: str) -> RecordProblem:
    return RecordProblem(record["id"], "version", f"a new version number (differs from {first_source})", str(record["version"]), source)


def _chunks(items: Iterable[tuple[Record, str]], size: int) -> Iterator[list[tuple[Record, str]]]:
    chunk: list[tuple[Record, str]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _scope_clause(regions: Sequence[str] | None) -> tuple[str, tuple[str, ...]]:
    if regions is None:
        return "", ()
    return f"AND region IN ({','.join('?' * len(regions))})", tuple(regions)


def _explain_sqlite_error(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "full" in text.lower():
        return f"the disk is full; nothing was imported and the stored content is unchanged ({text})"
    if "locked" in text.lower() or "busy" in text.lower():
        return f"the content database is busy; nothing was imported, try again ({text})"
    return f"the content database refused the change; nothing was imported ({text})"
