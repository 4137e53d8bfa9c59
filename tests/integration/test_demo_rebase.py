"""Issue 11: the demo county is current on whatever day it is generated for, and the same day gives the same bytes.

The anchor day reproduces the checked-in ``resources/demo/records`` byte for byte (the strongest
guard that rebasing changed nothing it should not). Every other day is given explicitly; no test
reads the machine's clock.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import itertools
import json
import os
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from kiosk.clock import fixed_clock
from kiosk.demo import county
from kiosk.demo.source import MARKER, refresh_source
from kiosk.demo.timeline import ANCHOR, quarter_of
from kiosk.home import home_summary
from kiosk.terminal import DEMO_RECORDS, Terminal
from tests.helpers.paths import ROOT

MAKE_DEMO = ROOT / "tools" / "demo_content" / "make_demo.py"
CST = dt.timezone(dt.timedelta(hours=8))
#: 1 January, a leap day, 31 December, two years ahead, a year before the anchor, and a summer day.
AWKWARD = [dt.date(2027, 1, 1), dt.date(2028, 2, 29), dt.date(2026, 12, 31), dt.date(2028, 11, 21), dt.date(2025, 11, 21),
           dt.date(2027, 7, 15)]


def make_demo(out: Path, *args: str, env: dict[str, str] | None = None) -> None:
    result = subprocess.run([sys.executable, str(MAKE_DEMO), "--out", str(out), *args], capture_output=True, text=True,
                            timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})
    assert result.returncode == 0, result.stderr


def jsonl_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.jsonl"))}


def built(day: dt.date) -> dict[str, list[dict]]:
    records = county.build(day)
    county.attach(records["document"], county.read_manifest(DEMO_RECORDS))
    return records


def test_the_anchor_day_reproduces_the_checked_in_records_byte_for_byte(tmp_path: Path) -> None:
    make_demo(tmp_path / "out")  # a fresh folder: the checked-in attachments are reused, not redrawn
    assert jsonl_files(tmp_path / "out") == jsonl_files(DEMO_RECORDS)
    comparison = filecmp.dircmp(DEMO_RECORDS / "blobs", tmp_path / "out" / "blobs")
    assert not comparison.left_only and not comparison.right_only and not comparison.diff_files
    assert county.render(built(ANCHOR)) == {name: data.decode() for name, data in jsonl_files(DEMO_RECORDS).items()}


def test_the_same_day_gives_the_same_bytes_in_separate_processes(tmp_path: Path) -> None:
    make_demo(tmp_path / "a", "--today", "2028-02-29", env={"PYTHONHASHSEED": "1"})
    make_demo(tmp_path / "b", "--today", "2028-02-29", env={"PYTHONHASHSEED": "2"})
    assert jsonl_files(tmp_path / "a") == jsonl_files(tmp_path / "b")
    assert jsonl_files(tmp_path / "a") != jsonl_files(DEMO_RECORDS)


@pytest.mark.parametrize("day", AWKWARD, ids=str)
def test_the_county_is_current_and_valid_on_any_day(day: dt.date) -> None:
    records = built(day)
    assert county.render(records) == county.render(built(day))  # deterministic
    assert county.check(records, day) == []  # schema, kiosk rules, references, ledgers, nothing after today
    midnight = dt.datetime.combine(day, dt.time(0, 0), CST)  # nothing stamped later than the day's first moment
    assert [r["id"] for recs in records.values() for r in recs if dt.datetime.fromisoformat(r["updated_at"]) > midnight] == []

    for now in (dt.datetime.combine(day, dt.time(0, 0), CST), dt.datetime.combine(day, dt.time(23, 59), CST)):
        shown = [n for n in records["notice"] if dt.datetime.fromisoformat(n["publish_at"]) <= now < dt.datetime.fromisoformat(n["expire_at"])]
        assert any(n["priority"] == "urgent" for n in shown), now
        assert len(shown) >= 2, now
        assert any(dt.datetime.fromisoformat(n["expire_at"]) <= now for n in records["notice"]), now

    this_year = [p for p in records["subsidy_payment"] if p["period"].startswith(str(day.year)) and p["status"] == "已发放"]
    assert len(this_year) >= 20 and all(p["paid_date"] <= day.isoformat() for p in this_year)
    assert {p["region"] for p in this_year} == set(county.VILLAGES)

    year, quarter = quarter_of(day)
    recent = {f"{year}-Q{quarter}", f"{year}-Q{quarter - 1}" if quarter > 1 else f"{year - 1}-Q4"}
    finance: dict[str, list[dict]] = defaultdict(list)
    for board in sorted(records["board"], key=lambda b: b["period"]):
        if board["board_type"] == "finance":
            finance[board["region"]].append(board)
    assert len([village for village, boards in finance.items() if boards[-1]["period"] in recent]) >= 3
    for boards in finance.values():
        for earlier, later in itertools.pairwise(boards):
            assert later["opening_balance_fen"] == earlier["closing_balance_fen"], later["id"]
        for board in boards:
            flow = sum(x["amount_fen"] if x["direction"] == "income" else -x["amount_fen"] for x in board["lines"])
            assert board["opening_balance_fen"] + flow == board["closing_balance_fen"], board["id"]

    for policy in records["subsidy_policy"]:
        assert policy["year"] in (day.year, day.year - 1), policy["id"]
    for document in records["document"]:
        assert document["written_date"] <= document["published_date"] <= day.isoformat(), document["id"]
        assert str(int(document["written_date"][:4])) in document["id"]


def test_a_first_run_loads_the_county_for_the_terminals_day(tmp_path: Path) -> None:
    moment = dt.datetime(2027, 1, 1, 0, 30, tzinfo=CST)
    with Terminal(tmp_path / "t", fixed_clock(moment)) as terminal:
        report = terminal.ensure_demo_content()
        assert report is not None and report.result.added > 900 and report.blobs_copied == 4
        summary = home_summary(terminal)
        assert any(n.urgent for n in summary.notices) and len(summary.notices) >= 2
        payments = terminal.store.list_records("subsidy_payment", terminal.scope(), limit=1000)
        assert any(p["period"].startswith("2027") for p in payments)
        assert terminal.ensure_demo_content() is None  # only on first run


def test_the_terminals_time_zone_decides_the_day(tmp_path: Path) -> None:
    # 17:00 UTC on 31 December is already 1 January in Asia/Shanghai, the default terminal.timezone.
    result = subprocess.run([sys.executable, "-m", "kiosk.demo", "source", str(tmp_path / "src"), "--data-dir", str(tmp_path / "data")],
                            cwd=ROOT, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "KIOSK_NOW": "2026-12-31T17:00:00+00:00"})
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "src" / MARKER).read_text())["day"] == "2027-01-01"
    assert "for 2027-01-01" in result.stdout


def test_a_demo_source_follows_the_day_unless_it_was_edited(tmp_path: Path) -> None:
    source = tmp_path / "demo-source"
    first = dt.date(2026, 12, 4)
    assert "for 2026-12-04" in refresh_source(source, first, DEMO_RECORDS)
    written = jsonl_files(source)
    assert (source / "blobs" / county.MANIFEST).is_file()
    assert "for 2026-12-04" in refresh_source(source, first, DEMO_RECORDS) and jsonl_files(source) == written

    later = dt.date(2027, 3, 1)
    assert "rewritten for 2027-03-01 (it was for 2026-12-04" in refresh_source(source, later, DEMO_RECORDS)
    assert jsonl_files(source) == {name: text.encode() for name, text in county.render(built(later)).items()}

    notices = source / "notice.jsonl"
    notices.write_text(notices.read_text(encoding="utf-8").replace("临时停水", "临时停电"), encoding="utf-8")
    edited = jsonl_files(source)
    assert "edited by hand" in refresh_source(source, dt.date(2027, 3, 2), DEMO_RECORDS)
    assert jsonl_files(source) == edited  # theirs, kept


def test_a_copy_of_the_checked_in_records_from_an_older_make_run_is_brought_up_to_date(tmp_path: Path) -> None:
    import shutil

    source = tmp_path / "demo-source"
    shutil.copytree(DEMO_RECORDS, source)  # what make run used to do
    assert "rewritten for 2027-01-01 (it was for 2026-11-21" in refresh_source(source, dt.date(2027, 1, 1), DEMO_RECORDS)
    assert jsonl_files(source) != jsonl_files(DEMO_RECORDS)
