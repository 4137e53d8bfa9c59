"""Issue 12, item 18: private keys and the portal's state can't be served from the feed folder.

Attack: a county puts the publisher's `--keys` or the portal's `--state-dir` inside the feed
folder (easy to do: "keep everything together"). Before the fix `GET /feed/keys/root.pem` and
`/feed/state/portal_box.key` returned the private keys to anyone. Now both locations are refused
when the tools start, and the portal serves only `metadata/`, `targets/` and `blobs/` under /feed/.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import requests

from tests.helpers.paths import ROOT
from tests.security.conftest import ServedPortal, start_served_portal


def test_kiosk_publish_refuses_a_key_folder_inside_the_feed(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    result = subprocess.run([sys.executable, "-m", "sync.publish.cli", "init", str(feed), "--keys", str(feed / "keys")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, f"expected exit 2 (found {result.returncode}; stdout {result.stdout[-300:]!r})"
    assert "inside" in result.stderr and "keys" in result.stderr
    assert not (feed / "keys" / "root.pem").exists()


def test_kiosk_portal_refuses_a_state_folder_inside_the_feed(tmp_path: Path) -> None:
    feed = tmp_path / "feed"
    feed.mkdir()
    try:
        served = start_served_portal(tmp_path, state_dir=feed / "state", feed_dir=feed)
    except RuntimeError as exc:  # it exited instead of serving: what we want
        assert "inside" in str(exc) and "state" in str(exc), exc
        assert not (feed / "state" / "portal_box.key").exists()
        return
    try:
        leaked = requests.get(f"{served.base_url}/feed/state/portal_box.key", timeout=10)
        raise AssertionError(f"kiosk-portal served with its state inside the feed; /feed/state/portal_box.key → {leaked.status_code}")
    finally:
        served.stop()


def test_the_portal_serves_only_metadata_targets_and_blobs(served_portal_factory: Callable[..., ServedPortal], tmp_path: Path) -> None:
    feed = tmp_path / "county-feed"
    for name, text in {
        "metadata/1.root.json": "{}", "targets/channels/990121000000/ab.catalog.json": "{}", "blobs/sha256/ab/abcd": "blob",
        "keys/root.pem": "-----BEGIN PRIVATE KEY-----", "publisher.json": "{}", ".git/config": "[core]",
        "portal.sqlite": "SQLite format 3", "backup/portal_box.key": "secret",
    }.items():
        (feed / name).parent.mkdir(parents=True, exist_ok=True)
        (feed / name).write_text(text)
    served = served_portal_factory(feed_dir=feed)
    for allowed in ("metadata/1.root.json", "targets/channels/990121000000/ab.catalog.json", "blobs/sha256/ab/abcd"):
        assert requests.get(f"{served.base_url}/feed/{allowed}", timeout=10).status_code == 200, allowed
    for secret in ("keys/root.pem", "publisher.json", ".git/config", "portal.sqlite", "backup/portal_box.key",
                   "metadata/../keys/root.pem", "blobs/../keys/root.pem"):
        response = requests.get(f"{served.base_url}/feed/{secret}", timeout=10)
        assert response.status_code == 404, f"/feed/{secret} → {response.status_code} {response.text[:60]!r}"
