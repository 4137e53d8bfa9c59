"""bench/bench_ui.py ends by saving its figures; it crashed there when bench/out/ did not exist.

A real run over the demo county (one start-up each, about ten seconds) into a folder nobody made, and the
saving step on its own.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench.bench_ui import save
from kiosk.terminal import Terminal
from tests.helpers.paths import ROOT


def test_results_are_saved_into_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    out = tmp_path / "bench" / "out"  # a fresh checkout run with --store elsewhere: nothing made it
    path = save({"runs": 1, "start_kiosk_s": 0.8}, out)
    assert path == out / "ui-province.json" and json.loads(path.read_text()) == {"runs": 1, "start_kiosk_s": 0.8}
    save({"runs": 2}, out)  # and again over an existing one
    assert json.loads(path.read_text()) == {"runs": 2}


@pytest.mark.slow
def test_a_whole_run_over_another_store_ends_with_its_figures_saved(demo_terminal: Terminal, tmp_path: Path) -> None:
    store = tmp_path / "store"  # a copy: the benchmark's processes must not touch the session's demo store
    store.mkdir()
    with contextlib.closing(sqlite3.connect(store / "content.sqlite")) as copy:
        demo_terminal.store.db.connection().backup(copy)
    out = tmp_path / "nobody-made-this" / "out"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "bench_ui.py"), "--store", str(store), "--runs", "1",
                           "--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((out / "ui-province.json").read_text())
    assert results["runs"] == 1 and results["start_kiosk_s"] > 0 and "Start-up runs" in done.stdout
