"""A real portal for each test: waitress on 127.0.0.1 (port 0), a SQLite file, its own key folder."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from sync.portal.app import ThreadedServer, create_app
from sync.portal.models import PortalDB, issue_enrolment_code, load_code_key, open_db
from tests.helpers.paths import ROOT

VILLAGE = "990121101201"
COUNTY = "990121000000"


@dataclass
class PortalServer:
    base_url: str
    db_url: str
    state_dir: Path
    feed_dir: Path
    db: PortalDB

    def issue_code(self, region: str = VILLAGE, name: str = "青山村村委会大厅", valid_hours: float = 72) -> str:
        return issue_enrolment_code(self.db, region, name, valid_hours=valid_hours, code_key=load_code_key(self.state_dir))

    def enroll(self, region: str = VILLAGE, name: str = "青山村村委会大厅") -> dict[str, Any]:
        """A freshly enrolled terminal's enrolment answer (terminal_id, token, …)."""
        response = requests.post(f"{self.base_url}/api/v1/enroll", json={"code": self.issue_code(region, name)}, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """`kiosk-portal` against this portal's database and state folder, as staff run it."""
        result = subprocess.run(
            [sys.executable, "-m", "sync.portal.cli", "--db", self.db_url, "--state-dir", str(self.state_dir), *args],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )
        if check:
            assert result.returncode == 0, result.stderr
        return result


def start_portal(tmp_path: Path, db_query: str = "") -> tuple[PortalServer, ThreadedServer]:
    state_dir, feed_dir = tmp_path / "portal-state", tmp_path / "feed"
    feed_dir.mkdir(parents=True, exist_ok=True)
    db_url = f"sqlite:///{state_dir / 'portal.sqlite'}{db_query}"
    server = ThreadedServer(create_app(feed_dir, db_url, state_dir), threads=8).start()
    return PortalServer(server.url, db_url, state_dir, feed_dir, open_db(db_url)), server


@pytest.fixture
def portal_server(tmp_path: Path) -> Iterator[PortalServer]:
    portal, server = start_portal(tmp_path)
    try:
        yield portal
    finally:
        server.stop()
        portal.db.close()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def write_feed(feed_dir: Path, version: int, channels: dict[str, list[dict[str, Any]]], *, root: bool = True) -> None:
    """A minimal feed laid out as docs/PROTOCOL.md says (unsigned: the portal reads, terminals verify).

    `<version>.targets.json` lists each channel's catalog.json and snapshot bundle; files are stored
    as `targets/channels/<channel>/<sha256>.<name>`.
    """
    metadata = feed_dir / "metadata"
    metadata.mkdir(parents=True, exist_ok=True)
    targets: dict[str, Any] = {}

    def store(name: str, data: bytes) -> None:
        sha = hashlib.sha256(data).hexdigest()
        folder = feed_dir / "targets" / name.rpartition("/")[0]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{sha}.{name.rpartition('/')[2]}").write_bytes(data)
        targets[name] = {"length": len(data), "hashes": {"sha256": sha}}

    for channel, records in channels.items():
        header = {"format": "kiosk-bundle/1", "channel": channel, "generation": version, "base": None, "records": len(records)}
        text = "\n".join(json.dumps(item, ensure_ascii=False) for item in [header, *records]) + "\n"
        bundle = f"channels/{channel}/snapshot-{version}.jsonl.gz"
        store(bundle, gzip.compress(text.encode()))
        catalog = {"format": "kiosk-catalog/1", "channel": channel, "generation": version, "published_at": "2026-11-21T09:00:00+08:00",
                   "snapshot": {"target": bundle, "records": len(records), "uncompressed": len(text.encode())}, "deltas": [],
                   "blobs": {"count": 0, "bytes": 0}}
        store(f"channels/{channel}/catalog.json", json.dumps(catalog).encode())
    signed = {"_type": "targets", "spec_version": "1.0.31", "version": version, "expires": "2027-11-21T00:00:00Z", "targets": targets}
    if root and not (metadata / "1.root.json").exists():
        (metadata / "1.root.json").write_text(json.dumps({"signatures": [], "signed": {"_type": "root", "version": 1}}))
    (metadata / f"{version}.targets.json").write_text(json.dumps({"signatures": [], "signed": signed}))
