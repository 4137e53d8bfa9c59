"""bench/bench_ui.py ends by saving its figures; it crashed there when bench/out/ did not exist."""

from __future__ import annotations

import json
from pathlib import Path

from bench.bench_ui import save


def test_results_are_saved_into_a_folder_that_does_not_exist_yet(tmp_path: Path) -> None:
    out = tmp_path / "bench" / "out"  # a fresh checkout run with --store elsewhere: nothing made it
    path = save({"runs": 1, "start_kiosk_s": 0.8}, out)
    assert path == out / "ui-province.json" and json.loads(path.read_text()) == {"runs": 1, "start_kiosk_s": 0.8}
    save({"runs": 2}, out)  # and again over an existing one
    assert json.loads(path.read_text()) == {"runs": 2}
