"""The feed's TUF repository: creating it, publishing a set of targets, re-signing, rotating keys.

Files are written so that a terminal fetching at any moment sees a consistent feed: target files
first (hash-prefixed, never overwritten), then ``N.targets.json``, ``N.snapshot.json`` and last
``timestamp.json``, each by atomic rename. Old versions stay for terminals mid-download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, TargetFile, Targets, Timestamp
from tuf.api.serialization.json import JSONSerializer

from kiosk.errors import KioskError
from kiosk.files import write_atomic
from sync.publish.keys import ROLES, KeyDir

EXPIRY_DAYS = {"root": 365, "targets": 365, "snapshot": 30, "timestamp": 3}
SNAPSHOT_RESIGN_WITHIN = dt.timedelta(days=7)
_SERIALIZER = JSONSerializer(compact=False)


class RepoError(KioskError, RuntimeError):
    """The feed folder is not a repository this tool can publish to; nothing was changed."""


@dataclass(frozen=True)
class TargetData:
    """A target to publish: its path in the feed and its bytes (written once, named by hash)."""

    path: str
    data: bytes


def _utc(now: dt.datetime) -> dt.datetime:
    return now.astimezone(dt.UTC).replace(microsecond=0)


def hashed_target_file(feed: Path, target_path: str, sha256: str) -> Path:
    """Where a consistent-snapshot target lives: ``targets/<dir>/<sha256>.<name>``."""
    directory, _, name = target_path.rpartition("/")
    return feed / "targets" / directory / f"{sha256}.{name}"


class FeedRepo:
    def __init__(self, feed: Path, keys: KeyDir) -> None:
        self.feed = Path(feed)
        self.keys = keys
        self.metadata_dir = self.feed / "metadata"

    # ----------------------------------------------------------------------------- reading
    def latest_version(self, role: str) -> int:
        pattern = re.compile(rf"^(\d+)\.{role}\.json$")
        versions = [int(m.group(1)) for p in self.metadata_dir.glob(f"*.{role}.json") if (m := pattern.match(p.name))]
        return max(versions, default=0)

    def load(self, role: str) -> Metadata:
        name = "timestamp.json" if role == "timestamp" else f"{self.latest_version(role)}.{role}.json"
        path = self.metadata_dir / name
        if not path.is_file():
            raise RepoError(f"{self.feed} is not a feed repository (no {path.name}); run `kiosk-publish init` first")
        return Metadata.from_file(str(path))

    def is_initialised(self) -> bool:
        return self.latest_version("root") > 0 and (self.metadata_dir / "timestamp.json").is_file()

    def current_targets(self) -> dict[str, TargetFile]:
        return dict(self.load("targets").signed.targets) if self.latest_version("targets") else {}

    def target_bytes(self, target_path: str) -> bytes | None:
        info = self.current_targets().get(target_path)
        if info is None:
            return None
        return hashed_target_file(self.feed, target_path, info.hashes["sha256"]).read_bytes()

    # ----------------------------------------------------------------------------- writing
    def _write(self, md: Metadata, name: str) -> None:
        write_atomic(self.metadata_dir / name, md.to_bytes(_SERIALIZER))

    def _sign(self, md: Metadata, role: str) -> None:
        md.signatures.clear()
        md.sign(self.keys.signer(role), append=True)

    def init(self, now: dt.datetime) -> None:
        """Keys for every role and version 1 of all metadata, with no targets yet."""
        if self.is_initialised():
            raise RepoError(f"{self.feed} already holds a feed repository; nothing was changed")
        signers = {role: self.keys.generate(role) for role in ROLES}
        now = _utc(now)
        root = Root(expires=now + dt.timedelta(days=EXPIRY_DAYS["root"]), consistent_snapshot=True)
        for role, signer in signers.items():
            root.add_key(signer.public_key, role)
        root_md = Metadata(root)
        root_md.sign(signers["root"])
        self._write(root_md, "1.root.json")
        self.publish([], now, keep=set())

    def publish(self, targets: list[TargetData], now: dt.datetime, *, keep: set[str]) -> int:
        """A new targets version: ``targets`` added or replaced, current targets in ``keep`` kept,
        every other one dropped; then snapshot and timestamp. Returns the targets version."""
        now = _utc(now)
        previous = self.current_targets()
        files: dict[str, TargetFile] = {path: info for path, info in previous.items() if path in keep}
        for target in targets:
            info = TargetFile.from_data(target.path, target.data, ["sha256"])
            destination = hashed_target_file(self.feed, target.path, info.hashes["sha256"])
            if not destination.is_file():
                write_atomic(destination, target.data)
            files[target.path] = info
        version = self.latest_version("targets") + 1
        targets_md = Metadata(Targets(version=version, expires=now + dt.timedelta(days=EXPIRY_DAYS["targets"]), targets=files))
        self._sign(targets_md, "targets")
        self._write(targets_md, f"{version}.targets.json")
        self._new_snapshot(now, version)
        return version

    def _new_snapshot(self, now: dt.datetime, targets_version: int) -> None:
        version = self.latest_version("snapshot") + 1
        snapshot = Snapshot(version=version, expires=now + dt.timedelta(days=EXPIRY_DAYS["snapshot"]),
                            meta={"targets.json": MetaFile(version=targets_version)})
        snapshot_md = Metadata(snapshot)
        self._sign(snapshot_md, "snapshot")
        self._write(snapshot_md, f"{version}.snapshot.json")
        self._new_timestamp(now, version)

    def _new_timestamp(self, now: dt.datetime, snapshot_version: int) -> None:
        old = self.metadata_dir / "timestamp.json"
        version = Metadata.from_file(str(old)).signed.version + 1 if old.is_file() else 1
        timestamp = Timestamp(version=version, expires=now + dt.timedelta(days=EXPIRY_DAYS["timestamp"]),
                              snapshot_meta=MetaFile(version=snapshot_version))
        timestamp_md = Metadata(timestamp)
        self._sign(timestamp_md, "timestamp")
        self._write(timestamp_md, "timestamp.json")

    def resign_timestamp(self, now: dt.datetime) -> dict[str, str]:
        """A fresh timestamp (and snapshot, when it is about to expire) — for a daily cron."""
        now = _utc(now)
        snapshot = self.load("snapshot")
        if snapshot.signed.expires - now < SNAPSHOT_RESIGN_WITHIN:
            self._new_snapshot(now, self.latest_version("targets"))
        else:
            self._new_timestamp(now, snapshot.signed.version)
        return self.expiries()

    def expiries(self) -> dict[str, str]:
        return {role: self.load(role).signed.expires.isoformat() for role in ROLES}

    def rotate(self, role: str, now: dt.datetime) -> int:
        """Replace ``role``'s key: a new root version (signed by the root key, old and new when the
        root key itself rotates), then re-sign what that role signs. Returns the new root version."""
        if role not in ROLES:
            raise RepoError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        now = _utc(now)
        root_md = self.load("root")
        old_root_signer = self.keys.signer("root")
        old_ids = list(root_md.signed.roles[role].keyids)
        new_signer = self.keys.generate(role)
        for keyid in old_ids:
            root_md.signed.revoke_key(keyid, role)
        root_md.signed.add_key(new_signer.public_key, role)
        root_md.signed.version += 1
        root_md.signed.expires = now + dt.timedelta(days=EXPIRY_DAYS["root"])
        root_md.signatures.clear()
        root_md.sign(self.keys.signer("root"), append=True)
        if role == "root":
            root_md.sign(old_root_signer, append=True)  # the old root vouches for the new one
        self._write(root_md, f"{root_md.signed.version}.root.json")
        if role == "targets":
            self.publish([], now, keep=set(self.current_targets()))
        elif role == "snapshot":
            self._new_snapshot(now, self.latest_version("targets"))
        elif role == "timestamp":
            self._new_timestamp(now, self.latest_version("snapshot"))
        return root_md.signed.version


def root_fingerprint(root_json: bytes) -> str:
    """A short fingerprint staff can compare when installing a terminal's trust anchor."""
    signed = json.loads(root_json)["signed"]
    digest = hashlib.sha256(json.dumps(signed["keys"], sort_keys=True).encode()).hexdigest()
    return "-".join(digest[i : i + 4] for i in range(0, 16, 4))
