"""Issue 12, item 4: `kiosk import-feed --root` must not replace the root a terminal was anchored to at enrolment.

Before: on an enrolled terminal that had not synced yet — the normal state of an offline village
terminal — `--root` was used as python-tuf's bootstrap instead of the enrolment anchor, so a USB
stick with its own keys and its own root.json replaced the county's content and, from then on,
the county's trust. Now a different root is refused (exit 2, both fingerprints named) and nothing
changes; the same bytes again are fine. Real feeds from the real publisher, a real `kiosk-portal
serve` on 127.0.0.1, real `kiosk` processes.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kiosk.terminal import Terminal
from tests.helpers.clock import TEST_ENV
from tests.helpers.paths import ROOT
from tests.security.conftest import ServedPortal
from tests.sync.feed_support import edit_record, first_id, make_source

KIOSK = [sys.executable, "-m", "app.main"]
PUBLISH = [sys.executable, "-m", "sync.publish.cli"]
MARKER = "紧急通知：请于今日向以下个人账户缴纳合作医疗费"


def run(command: list[str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=180, env={**os.environ, **TEST_ENV})


def publish(source: Path, feed: Path, keys: Path) -> Path:
    assert run(PUBLISH, "init", feed, "--keys", keys).returncode == 0
    built = run(PUBLISH, "build", source, feed, "--keys", keys)
    assert built.returncode == 0, built.stderr
    return feed


def grouped(raw: bytes) -> str:
    digest = hashlib.sha256(raw).hexdigest()
    return " ".join(digest[i:i + 8] for i in range(0, 64, 8))


def holds_marker(data: Path) -> bool:
    needle = MARKER.encode()
    return any(needle in path.read_bytes() for path in data.rglob("*") if path.is_file())


def test_a_usb_root_cannot_replace_the_enrolment_anchor(tmp_path: Path, served_portal_factory: Callable[..., ServedPortal]) -> None:
    county_feed = publish(make_source(tmp_path / "source"), tmp_path / "feed", tmp_path / "feed-keys")
    county = served_portal_factory(feed_dir=county_feed)
    slip = county.issue_slip()
    data = tmp_path / "terminal"
    enrolled = run(KIOSK, "enroll", "--portal", county.base_url, "--code", slip["code"], "--root-fingerprint", slip["root_fingerprint"],
                   "--data-dir", data)
    assert enrolled.returncode == 0, enrolled.stderr
    anchor = (data / "sync" / "root.json").read_bytes()
    assert anchor == (county_feed / "metadata" / "1.root.json").read_bytes()

    # Someone with a USB stick: a feed of their own, signed with their own keys, and its root.json.
    rogue_source = make_source(tmp_path / "rogue-source")
    edit_record(rogue_source, "notice.jsonl", first_id(rogue_source, "notice.jsonl"), title=MARKER)
    stick = publish(rogue_source, tmp_path / "stick", tmp_path / "stick-keys")
    rogue_root = stick / "metadata" / "1.root.json"

    attacked = run(KIOSK, "import-feed", stick, "--root", rogue_root, "--data-dir", data, "--json")
    assert attacked.returncode == 2, (attacked.returncode, attacked.stdout, attacked.stderr)  # before: 0, the stick's content shown
    assert "Traceback" not in attacked.stderr
    assert f"already anchored to the trust root with fingerprint {grouped(anchor)}" in attacked.stderr
    assert f"the file has {grouped(rogue_root.read_bytes())}" in attacked.stderr
    assert "feed's own signed metadata" in attacked.stderr and str(rogue_root) in attacked.stderr
    assert (data / "sync" / "root.json").read_bytes() == anchor
    assert not (data / "sync" / "metadata" / "root.json").exists()  # python-tuf was never given the stick's root
    assert not holds_marker(data)

    # The county's own feed from a stick, with the anchored root's exact bytes: fine, and the content arrives.
    same = run(KIOSK, "import-feed", county_feed, "--root", county_feed / "metadata" / "1.root.json", "--data-dir", data, "--json")
    assert same.returncode == 0, same.stdout + same.stderr
    assert json.loads(same.stdout)["status"] == "updated"
    with Terminal(data) as terminal:
        imported = terminal.store.count()
    assert imported > 0

    # Synced now (python-tuf holds its verified root): the stick's root is still refused, and nothing it carries is applied.
    again = run(KIOSK, "import-feed", stick, "--root", rogue_root, "--data-dir", data)
    assert again.returncode == 2 and "already anchored" in again.stderr, again.stderr
    without_root = run(KIOSK, "import-feed", stick, "--data-dir", data, "--json")
    assert without_root.returncode == 5, without_root.stdout  # signed by keys this terminal does not trust
    with Terminal(data) as terminal:
        assert terminal.store.count() == imported
    assert not holds_marker(data)
