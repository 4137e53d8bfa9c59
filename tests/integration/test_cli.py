"""The `kiosk` command as staff and scripts use it: real processes, a real data folder."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.terminal import DEMO_RECORDS
from tests.helpers.paths import ROOT
from tests.helpers.records import make


def kiosk(*args: str, data: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "app.main", *args, "--data-dir", str(data)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def kiosk_json(*args: str, data: Path) -> object:
    return json.loads(kiosk(*args, "--json", data=data).stdout)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "terminal"
    report = kiosk_json("import", str(DEMO_RECORDS), data=data)
    assert report["added"] > 800 and report["ignored_older"] == 0
    return data


def db_snapshot(data: Path) -> list[tuple]:
    with sqlite3.connect(data / "content.sqlite") as db:
        return db.execute("SELECT record_id, version, deleted, data FROM record_full ORDER BY record_id").fetchall() + db.execute(
            "SELECT rowid, title FROM search_fts ORDER BY rowid"
        ).fetchall()


@pytest.mark.parametrize("query", ["耕地", "gdzb", "耕地地力", "耕地直补"])
def test_search_puts_the_farmland_subsidy_policy_first(demo_dir: Path, query: str) -> None:
    hits = kiosk_json("search", query, data=demo_dir)
    assert hits[0]["kind"] == "subsidy_policy" and hits[0]["title"] == "耕地地力保护补贴", hits[:3]


def test_two_character_search_returns_results(demo_dir: Path) -> None:
    hits = kiosk_json("search", "低保", "--limit", "10", data=demo_dir)
    assert 0 < len(hits) <= 10
    assert all({"kind", "record_id", "title", "excerpt", "region", "date", "validity"} <= set(hit) for hit in hits)


def test_human_search_output_is_readable(demo_dir: Path) -> None:
    out = kiosk("search", "耕地", data=demo_dir).stdout
    assert out.splitlines()[0].startswith(" 1. [补贴政策] 耕地地力保护补贴")


def test_human_search_offers_the_corrected_words(demo_dir: Path) -> None:
    """A same-sound typo (临时就助) is searched as 临时救助; the command line says so, as the screen's chip does."""
    lines = kiosk("search", "临时就助", data=demo_dir).stdout.splitlines()
    assert lines[0] == "您是不是要找：临时救助"
    assert lines[1].startswith(" 1. ") and "临时救助" in lines[1]
    assert "您是不是要找" not in kiosk("search", "耕地", data=demo_dir).stdout  # nothing corrected, nothing offered


def test_show_and_info(demo_dir: Path) -> None:
    hit = kiosk_json("search", "耕地", data=demo_dir)[0]
    record = kiosk_json("show", hit["record_id"], data=demo_dir)
    assert record["name"] == "耕地地力保护补贴" and record["phone"]
    info = kiosk_json("info", data=demo_dir)
    assert info["schema_version"] >= 1 and info["region"] == "990121101201" and info["region_name"] == "桃源村"
    assert info["counts"]["document"] >= 300 and info["data_changed_at"]
    assert kiosk("show", "no-such-id", data=demo_dir, check=False).returncode == 1


def test_importing_the_same_content_twice_changes_nothing(demo_dir: Path) -> None:
    before = db_snapshot(demo_dir)
    report = kiosk_json("import", str(DEMO_RECORDS), data=demo_dir)
    assert report["changed"] == 0 and report["unchanged"] > 800
    assert db_snapshot(demo_dir) == before


def test_a_broken_record_file_is_explained_and_leaves_the_store_as_it_was(demo_dir: Path, tmp_path: Path) -> None:
    before = db_snapshot(demo_dir)
    folder = tmp_path / "usb"
    folder.mkdir()
    good = make("document", "usb-doc-1", title="溪源县关于新增便民服务点的通知")
    bad = make("board", "usb-board-1", closing_balance_fen=99)
    lines = [json.dumps(good, ensure_ascii=False), json.dumps(bad, ensure_ascii=False)]
    (folder / "update.jsonl").write_text("\n".join(lines), encoding="utf-8")
    result = kiosk("import", str(folder), data=demo_dir, check=False)
    assert result.returncode == 2
    assert "update.jsonl:2" in result.stderr and "usb-board-1" in result.stderr and "closing_balance_fen" in result.stderr
    assert "store is unchanged" in result.stderr
    assert db_snapshot(demo_dir) == before


def test_a_file_that_is_not_json_is_explained(demo_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(b"\xff\xfe not json")
    result = kiosk("import", str(path), data=demo_dir, check=False)
    assert result.returncode == 2 and "garbage.jsonl" in result.stderr and "UTF-8" in result.stderr
    missing = kiosk("import", str(tmp_path / "nothing-here"), data=demo_dir, check=False)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_config_refuses_bad_values_by_name(tmp_path: Path) -> None:
    data = tmp_path / "t"
    bad = kiosk("config", "set", "ui.idle_timeout_s", "5", data=data, check=False)
    assert bad.returncode == 2 and "ui.idle_timeout_s" in bad.stderr and "30 to 3600" in bad.stderr
    kiosk("config", "set", "ui.idle_timeout_s", "300", data=data)
    assert kiosk_json("config", "get", "ui.idle_timeout_s", data=data) == {"ui.idle_timeout_s": 300}


def test_two_terminals_live_side_by_side(demo_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(demo_dir, other)
    kiosk("config", "set", "terminal.region", "990121102201", data=other)
    mine = kiosk_json("info", data=demo_dir)["counts"]
    theirs = kiosk_json("info", data=other)
    assert theirs["region_name"] == "石门村"
    assert mine["board"] == theirs["counts"]["board"]  # each sees only its own village's boards
    own_payments = kiosk_json("search", "耕地地力保护补贴", "--kind", "subsidy_payment", "--limit", "200", data=demo_dir)
    assert own_payments and all(hit["region"] == "990121101201" for hit in own_payments)


def test_docs_are_current() -> None:
    result = subprocess.run([sys.executable, "-m", "app.main", "docs", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
