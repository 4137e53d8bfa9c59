"""kill -9 during sync (while attachments trickle in, while bundles apply), then restart: the store
is always consistent and ends exactly where a clean sync ends."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.terminal import Terminal
from tests.helpers.paths import ROOT
from tests.sync.faultproxy import FaultProxy, Trickle
from tests.sync.feed_support import DEMO, FeedFixture, edit_record, first_id, store_dump, sync
from tests.sync.nginx import NginxServer

KIOSK = [sys.executable, "-m", "app.main"]


def start_sync(data_dir: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*KIOSK, "sync", "--once", "--data-dir", str(data_dir)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def consistent(data_dir: Path) -> None:
    with sqlite3.connect(data_dir / "content.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        orphans = db.execute("SELECT COUNT(*) FROM record LEFT JOIN record_data USING (pk) WHERE record_data.pk IS NULL").fetchone()
        assert orphans == (0,)
        indexed = db.execute("SELECT COUNT(*) FROM search_fts").fetchone()[0]
        live = db.execute("SELECT COUNT(*) FROM record WHERE deleted = 0").fetchone()[0]
        assert indexed == live


@pytest.mark.slow
def test_kill_9_at_random_points_then_converge(nginx_root: Path, nginx: NginxServer, fault_proxy: FaultProxy, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(DEMO, source)
    feed = FeedFixture(nginx_root, tmp_path / "keys", source)
    feed.build()
    data_dir = tmp_path / "terminal"
    with Terminal(data_dir) as terminal:
        terminal.settings.set_local("sync.feed_url", fault_proxy.base_url + "/feed/")
    (data_dir / "sync").mkdir(parents=True, exist_ok=True)
    (data_dir / "sync" / "root.json").write_bytes(feed.root)
    # slow enough that the attachments (~550 kB, about 5 s) outlast the first rounds and the apply the later ones: a sync as fast as
    # this machine's apply must still be cut mid-way in most rounds, not finish before the kill
    fault_proxy.add_fault(r"/blobs/", Trickle(bytes_per_second=100_000, chunk=8192))

    rng = random.Random(20261121)
    kills = 0
    for round_number in range(10):
        if round_number == 5:  # a new generation half-way: later runs apply a delta, or resume towards it
            edit_record(source, "notice.jsonl", first_id(source, "notice.jsonl"), title="被强行中断后仍要到达的通知")
            feed.build()
        process = start_sync(data_dir)
        time.sleep(rng.uniform(0.3, 3.0))
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait(timeout=30)
        consistent(data_dir)
    assert kills >= 5  # the test really interrupted syncs

    fault_proxy.clear()
    final = subprocess.run([*KIOSK, "sync", "--once", "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert final.returncode == 0, final.stdout + final.stderr
    consistent(data_dir)

    with Terminal(tmp_path / "reference") as reference, Terminal(data_dir) as killed:
        assert sync(reference, nginx.base_url + "/", feed).ok
        assert store_dump(killed) == store_dump(reference)
        assert killed.store.channel_states().keys() == reference.store.channel_states().keys()
        for channel, state in reference.store.channel_states().items():
            assert killed.store.channel_states()[channel]["generation"] == state["generation"]
        for path in (data_dir / "blobs").rglob("*"):
            if path.is_file() and not path.name.endswith((".part", ".json")):
                assert killed.blobs.verify(path.name, path.stat().st_size)
