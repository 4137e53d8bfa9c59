"""One terminal: its data folder, settings, content store and search, wired together.

Screens, the CLI, sync and printing all start from a :class:`Terminal`, so they agree on which
region's content is visible and where things are kept.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import clock as clocks
from kiosk import regions
from kiosk.blobs import BlobError, BlobStore, attachment_refs, blob_path, is_sha256
from kiosk.credentials import credentials_path
from kiosk.records.files import read_records
from kiosk.records.validate import BatchRejected, RecordProblem
from kiosk.search import SearchService
from kiosk.settings import Settings
from kiosk.store import DEMO, LOCAL, ApplyResult, ContentStore, is_channel

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
DEMO_RECORDS = RESOURCES / "demo" / "records"
DEMO_DAY = "demo_day"  # store meta: the day the stored demo county was generated for; empty once anything else arrives
PROFILE = "terminal_profile"
IMPORT_FEED_HINT = "the county's content, terminal profiles included, comes only through the signed feed: `kiosk import-feed FOLDER`"


def default_data_dir() -> Path:
    if os.environ.get("KIOSK_DATA_DIR"):
        return Path(os.environ["KIOSK_DATA_DIR"])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "disclosure-kiosk"


@dataclass(frozen=True)
class ImportReport:
    result: ApplyResult
    blobs_copied: int
    source: str
    inert_profiles: int = 0  # terminal_profile records a plain import stored but settings never read (issue 12, item 2)

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "blobs_copied": self.blobs_copied, "inert_profiles": self.inert_profiles, **self.result.as_dict()}


class Terminal:
    def __init__(self, data_dir: Path, clock: clocks.Clock | None = None) -> None:
        self.data_dir = Path(data_dir)
        #: What time it is for this terminal: every screen, query and job asks this (kiosk/clock.py).
        self.clock: clocks.Clock = clock or clocks.from_environment()
        # 0700: the folder holds the terminal's token and its outbox; other local accounts have no business there.
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.data_dir.stat().st_mode & 0o077:
            os.chmod(self.data_dir, 0o700)
        self.store = ContentStore(self.data_dir / "content.sqlite", self.clock)
        self.blobs = BlobStore(self.data_dir / "blobs")
        self._read_values: dict[str, Any] = {}  # the effective settings as last read: reload_settings() reports changes against it
        self.reload_settings()

    def reload_settings(self) -> frozenset[str]:
        """Read ``settings.json`` and the portal's profiles again; returns the keys whose effective value changed.

        The new :class:`Settings` replaces the old in one assignment, so a reader on another thread sees
        one or the other, never a mix. Long-lived readers (the print queue, the screens) hold
        ``lambda: terminal.settings`` rather than the object, so they see the new values at once.
        """
        path = self.data_dir / "settings.json"
        local = Settings(path)
        fresh = Settings(path, self._portal_settings(local["terminal.region"], local["terminal.id"]))
        # compared with the values as last read, not with the old object: set_local() updates that one in place
        before, after = self._read_values, fresh.as_dict()
        self.settings, self._read_values = fresh, after
        self.region = fresh["terminal.region"]
        self.search = SearchService(self.store, self.region)  # its scope and cached place names follow the region and content
        return frozenset(key for key, value in after.items() if key not in before or before[key] != value)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------- scope
    def scope(self) -> list[str]:
        """Region codes whose content this terminal shows (its chain, plus villages below if set)."""
        chain = regions.chain(self.region)
        if not self.settings["content.show_other_villages"]:
            return chain
        level = regions.level_of(self.region)
        prefix = self.region[: {"national": 0, "province": 2, "city": 4, "county": 6, "township": 9}.get(level, 12)]
        below = [code for (code,) in self.store.sql("SELECT DISTINCT region FROM record WHERE region LIKE ?", (prefix + "%",))]
        return sorted(set(chain) | set(below))

    def _portal_settings(self, region: str, terminal_id: str) -> dict[str, Any]:
        """Settings from terminal_profile records, the farthest region first so nearer ones win.

        Only profiles a feed channel brought count (issue 12, item 2): one from a plain ``kiosk
        import`` is stored but inert. The demo county's own profile counts while the store holds
        nothing but the demo (``kiosk run --demo``).
        """
        merged: dict[str, Any] = {}
        chain = regions.chain(region) if regions.is_valid(region) else []
        if not chain:
            return merged
        demo_only = bool(self.store.meta(DEMO_DAY)) and not self.store.channel_states()
        rows = self.store.sql(
            f"SELECT data, origin FROM record_full WHERE kind = ? AND deleted = 0 AND region IN ({','.join('?' * len(chain))})",
            (PROFILE, *chain),
        )
        profiles = [json.loads(data) for data, origin in rows if is_channel(origin) or (origin == DEMO and demo_only)]
        profiles.sort(key=lambda p: len(regions.chain(p["region"])))
        for profile in profiles:
            targets = profile.get("terminal_ids") or []
            if not targets or terminal_id in targets:
                merged.update(profile["settings"])
        return merged

    # ------------------------------------------------------------------------- content
    def follows_feed(self) -> str:
        """Why this terminal follows a signed feed, or '' when it stands alone.

        It follows one once it is enrolled, has a portal or feed address, trusts a feed root, or
        holds anything a feed channel brought. Then a plain ``kiosk import`` is confined
        (:meth:`import_path`).
        """
        if credentials_path(self.data_dir).exists():
            return "it is enrolled (credentials.json)"
        if self.settings["sync.portal_url"] or self.settings["sync.feed_url"]:
            return "it has a portal or feed address (sync.portal_url / sync.feed_url)"
        sync_folder = self.data_dir / "sync"  # sync/client.py sync_dir(); sync/enroll.py ROOT_FILE
        if (sync_folder / "root.json").is_file() or (sync_folder / "metadata" / "root.json").is_file():
            return "it trusts a feed root (sync/root.json)"
        if self.store.holds_channel_content():
            return "it holds content from a feed channel"
        return ""

    def import_path(self, path: Path, *, origin: str = LOCAL) -> ImportReport:
        """Import record files (and attachments under ``blobs/`` beside them) through ``apply``.

        A plain (``local``) import never writes an id a feed channel owns, and on a terminal that
        follows a feed it may bring only kinds no channel publishes, and never a terminal profile;
        otherwise the whole batch is refused before anything is written (:meth:`_confine`). On a
        standalone terminal a profile is stored but inert: settings read only the feed's.
        """
        path = Path(path)
        pairs = list(read_records(path))
        if origin == LOCAL:
            self._confine([record for record, _ in pairs])
        copied = self._copy_blobs(path if path.is_dir() else path.parent, [record for record, _ in pairs])
        result = self.store.apply(pairs, origin=origin)
        if result.changed:
            stamp = self.clock().astimezone().isoformat(timespec="seconds")
            self.store.set_meta("last_import", f"{stamp} {path}")
            self.store.set_meta(DEMO_DAY, "")  # the store no longer holds only the demo
            self.reload_settings()
        inert = 0 if origin != LOCAL else sum(1 for record, _ in pairs if isinstance(record, dict) and record.get("kind") == PROFILE)
        return ImportReport(result, copied, str(path), inert)

    def _confine(self, records: list[Any]) -> None:
        """Refuse a plain import that would touch the feed's content (issue 12, items 1 and 2); nothing is written.

        Checked before ``apply`` validates, so only well-formed ids and kinds are looked at here; the
        store keeps the rule itself too (``kept_owned``), should a sync write an id in between.
        """
        wellformed = [r for r in records if isinstance(r, dict) and isinstance(r.get("id"), str) and isinstance(r.get("kind"), str)]
        owners = self.store.owners([record["id"] for record in wellformed])
        problems = [RecordProblem(record["id"], "id", "an id no feed channel owns", f"owned by channel {owners[record['id']]}; "
                                  + IMPORT_FEED_HINT) for record in wellformed if record["id"] in owners]
        why = self.follows_feed()
        if why:
            kinds = self.store.channel_kinds()
            for record in wellformed:
                if record["id"] in owners:
                    continue
                if record["kind"] == PROFILE:
                    problems.append(RecordProblem(record["id"], "kind", f"no terminal_profile in a plain import ({IMPORT_FEED_HINT})",
                                                  PROFILE))
                elif record["kind"] in kinds:
                    problems.append(RecordProblem(record["id"], "kind", f"a kind no feed channel publishes, since this terminal follows a "
                                                  f"feed ({why}); {IMPORT_FEED_HINT}",
                                                  f"{record['kind']}, published by channel {kinds[record['kind']]}"))
        if problems:
            raise BatchRejected(problems)

    def _copy_blobs(self, folder: Path, records: list[Any]) -> int:
        copied = 0
        source_root = folder / "blobs"
        if not source_root.is_dir():
            return 0
        for record in records:
            if not isinstance(record, dict):
                continue
            for attachment in attachment_refs(record):
                sha, size = attachment.get("sha256"), attachment.get("size")
                if not is_sha256(sha) or not isinstance(size, int):
                    continue  # the batch check will name this record and field
                source = blob_path(source_root, sha)
                if source.is_file() and not self.blobs.has(sha, size):
                    try:
                        self.blobs.add_file(source, sha, size)
                    except BlobError as exc:
                        problem = RecordProblem(record.get("id", "?"), "attachments", "a file with the promised sha256 and size", str(exc))
                        raise BatchRejected([problem]) from exc
                    copied += 1
        return copied

    def ensure_demo_content(self) -> ImportReport | None:
        """Load the bundled demo county on first run (an empty store), through the normal import.

        The county is generated for this terminal's today (its clock, in ``terminal.timezone``), so
        its notices, payments and boards are current whenever it is loaded (``kiosk/demo/source.py``).
        On the anchor day that is exactly the checked-in ``resources/demo/records``. A store that
        holds nothing but a demo loaded on an earlier day is brought to today the same way; a store
        with anything else in it (an import, a sync) is never touched.
        """
        from kiosk.demo.source import demo_records_for, local_day  # only a demo load needs the generator

        day = local_day(self.clock(), self.settings["terminal.timezone"])
        if self.store.count() > 0:
            loaded_for = self.store.meta(DEMO_DAY)
            if not loaded_for or loaded_for == day.isoformat() or self.store.channel_states():
                return None
            with demo_records_for(day, DEMO_RECORDS) as folder:
                report = self._replace_demo(folder)
        else:
            with demo_records_for(day, DEMO_RECORDS) as folder:
                report = self.import_path(folder, origin=DEMO)
        self.store.set_meta(DEMO_DAY, day.isoformat())
        self.reload_settings()  # the demo county's profile counts only in a demo-only store, which it now is
        return report

    def _replace_demo(self, folder: Path) -> ImportReport:
        """One batch that turns the stored demo into ``folder``'s: each record a version above the
        stored one, and a tombstone for every stored record the new day's county no longer has."""
        stored = {record_id: (kind, region, version) for record_id, kind, region, version
                  in self.store.sql("SELECT record_id, kind, region, version FROM record WHERE deleted = 0")}
        pairs = list(read_records(folder))
        records = [record for record, _ in pairs]
        for record in records:
            if record["id"] in stored:
                record["version"] = max(int(record["version"]), stored[record["id"]][2] + 1)
        stamp = self.clock().astimezone().isoformat(timespec="seconds")
        fresh = {record["id"] for record in records}
        tombstones = [{"id": record_id, "kind": kind, "region": region, "version": version + 1, "updated_at": stamp, "deleted": True}
                      for record_id, (kind, region, version) in stored.items() if record_id not in fresh]
        copied = self._copy_blobs(folder, records)
        result = self.store.apply([*pairs, *((tombstone, "demo") for tombstone in tombstones)], origin=DEMO)
        self.reload_settings()
        return ImportReport(result, copied, str(folder))

    def region_name(self, code: str | None = None) -> str:
        code = code or self.region
        return self.store.region_names().get(code, code)

    def info(self) -> dict[str, Any]:
        return {
            "data_dir": str(self.data_dir),
            "terminal_id": self.settings["terminal.id"],
            "terminal_name": self.settings["terminal.name"],
            "region": self.region,
            "region_name": self.region_name(),
            "schema_version": self.store.schema_version,
            "records": self.store.count(),
            "counts": self.store.counts_by_kind(self.scope()),
            "data_changed_at": self.store.meta("data_changed_at"),
            "content_updated_at": self.store.meta("content_updated_at"),
            "settings_problems": [str(problem) for problem in self.settings.problems],
            "sync": self._sync_info(),
        }

    def _sync_info(self) -> dict[str, Any]:
        from kiosk.syncstatus import data_status

        status = data_status(self)
        return {"status": status.kind, "last_success": status.last_success, "error_kind": status.error_kind,
                "message_zh": status.message_zh, "channels": self.store.channel_states(), "portal_url": self.settings["sync.portal_url"]}
