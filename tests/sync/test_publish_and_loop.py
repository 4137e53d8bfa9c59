"""The publisher's command line, USB imports, and the whole loop: publish → portal → enrol → sync → heartbeat."""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.terminal import Terminal
from tests.helpers.paths import ROOT
from tests.portal.conftest import PortalServer
from tests.sync.feed_support import edit_record, first_id, make_source

PUBLISH = [sys.executable, "-m", "sync.publish.cli"]
KIOSK = [sys.executable, "-m", "app.main"]


def run(command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def published(tmp_path: Path) -> tuple[Path, Path]:
    source = make_source(tmp_path / "source")
    feed = tmp_path / "feed"
    assert run(PUBLISH, "init", str(feed)).returncode == 0
    built = run(PUBLISH, "build", str(source), str(feed), "--json")
    assert built.returncode == 0, built.stderr
    return source, feed


def test_init_build_status_and_the_keys_stay_outside_the_feed(published: tuple[Path, Path], tmp_path: Path) -> None:
    _source, feed = published
    assert not list(feed.rglob("*.pem"))
    keys = tmp_path / "feed-keys"
    assert {p.name for p in keys.glob("*.pem")} == {"root.pem", "targets.pem", "snapshot.pem", "timestamp.pem"}
    assert all(oct(p.stat().st_mode)[-3:] == "600" for p in keys.glob("*.pem"))
    status = json.loads(run(PUBLISH, "status", str(feed), "--json").stdout)
    assert status["channels"]["990121000000"] == 1
    again = json.loads(run(PUBLISH, "build", str(published[0]), str(feed), "--json").stdout)
    assert not any(channel["new_generation"] for channel in again["channels"])  # nothing changed, nothing new


def test_a_bad_record_publishes_nothing(published: tuple[Path, Path]) -> None:
    source, feed = published
    before = tree(feed)
    edit_record(source, "notice.jsonl", first_id(source, "notice.jsonl"), publish_at="yesterday")
    edit_record(source, "board.jsonl", first_id(source, "board.jsonl"), period="2026-Q5")
    result = run(PUBLISH, "build", str(source), str(feed))
    assert result.returncode == 2
    assert "nothing was published" in result.stderr
    assert "publish_at" in result.stderr and "period" in result.stderr and "notice.jsonl:1" in result.stderr
    assert tree(feed) == before


def test_a_missing_attachment_publishes_nothing(published: tuple[Path, Path]) -> None:
    source, feed = published
    before = tree(feed)
    shutil.rmtree(source / "blobs")
    doc = next(json.loads(line) for line in (source / "document.jsonl").read_text(encoding="utf-8").splitlines() if '"attachments"' in line)
    edit_record(source, "document.jsonl", doc["id"], attachments=[{**doc["attachments"][0], "sha256": "ab" * 32}])
    result = run(PUBLISH, "build", str(source), str(feed))
    assert result.returncode == 2 and "missing" in result.stderr and doc["id"] in result.stderr
    assert tree(feed) == before


def test_resign_and_rotate_from_the_command_line(published: tuple[Path, Path]) -> None:
    _source, feed = published
    old = json.loads((feed / "metadata" / "timestamp.json").read_text())["signed"]["version"]
    assert run(PUBLISH, "resign-timestamp", str(feed)).returncode == 0
    assert json.loads((feed / "metadata" / "timestamp.json").read_text())["signed"]["version"] == old + 1
    rotated = run(PUBLISH, "rotate-key", str(feed), "--role", "timestamp", "--json")
    assert rotated.returncode == 0 and json.loads(rotated.stdout)["root_version"] == 2
    assert (feed / "metadata" / "2.root.json").is_file()


def test_usb_import_with_the_same_checks(published: tuple[Path, Path], tmp_path: Path) -> None:
    _source, feed = published
    stick = tmp_path / "usb" / "feed"
    shutil.copytree(feed, stick)
    data = tmp_path / "terminal"
    untrusted = run(KIOSK, "import-feed", str(stick), "--data-dir", str(data))
    assert untrusted.returncode == 5 and "登记" in untrusted.stdout
    # a bundle altered on the stick is refused, and nothing of it is shown
    bundle = next(p for p in stick.rglob("*snapshot-1.jsonl.gz") if "990121000000" in str(p))
    lines = gzip.decompress(bundle.read_bytes()).decode().splitlines()
    lines[1] = lines[1].replace("溪源", "假的")
    original = bundle.read_bytes()
    bundle.write_bytes(gzip.compress("\n".join(lines).encode(), mtime=0))
    tampered = run(KIOSK, "import-feed", str(stick), "--root", str(feed / "metadata" / "1.root.json"), "--data-dir", str(data), "--json")
    report = json.loads(tampered.stdout)
    assert tampered.returncode == 5 and report["status"] == "partial" and report["error_kind"] == "tampered"
    with Terminal(data) as terminal:
        assert not terminal.search.search("假的", limit=5)
    bundle.write_bytes(original)
    good = run(KIOSK, "import-feed", str(stick), "--data-dir", str(data), "--json")
    assert good.returncode == 0, good.stdout
    assert json.loads(good.stdout)["status"] == "updated"
    with Terminal(data) as terminal:
        assert terminal.store.count() > 50
        assert terminal.store.channel_states()["990121000000"]["generation"] == 1


def test_the_whole_loop_through_the_reference_portal(portal_server: PortalServer, tmp_path: Path) -> None:
    source = make_source(tmp_path / "source")
    feed = portal_server.feed_dir
    assert run(PUBLISH, "init", str(feed), "--keys", str(tmp_path / "keys")).returncode == 0
    assert run(PUBLISH, "build", str(source), str(feed), "--keys", str(tmp_path / "keys")).returncode == 0
    code = portal_server.issue_code(region="990121101201", name="桃源村便民服务站")
    data = tmp_path / "terminal"
    enrolled = run(KIOSK, "enroll", "--portal", portal_server.base_url, "--code", code, "--data-dir", str(data))
    assert enrolled.returncode == 0, enrolled.stderr
    first = run(KIOSK, "sync", "--once", "--json", "--data-dir", str(data))
    assert first.returncode == 0, first.stdout + first.stderr
    report = json.loads(first.stdout)
    assert report["feed"]["status"] == "updated" and report["delivery"]["delivered"] >= 1

    notice_id = first_id(source, "notice.jsonl")
    edit_record(source, "notice.jsonl", notice_id, title="门户刚刚发布的更正通知")
    assert run(PUBLISH, "build", str(source), str(feed), "--keys", str(tmp_path / "keys")).returncode == 0
    second = json.loads(run(KIOSK, "sync", "--once", "--json", "--data-dir", str(data)).stdout)
    county = next(c for c in second["feed"]["channels"] if c["channel"] == "990121000000")
    assert (county["status"], county["via"], county["generation"]) == ("updated", "delta", 2)
    with Terminal(data) as terminal:
        assert terminal.store.get(notice_id)["title"] == "门户刚刚发布的更正通知"

    listed = json.loads(portal_server.cli("terminals", "--json").stdout)
    mine = next(t for t in listed if t["region"] == "990121101201")
    assert mine["generations"]["990121000000"] == 2
    page = portal_server.cli("inbox", "--kind", "heartbeat", "--json").stdout
    assert "990121000000" in page


def fill_templates(folder: Path, *, bad_amount: bool = False) -> None:
    import datetime as dt

    import openpyxl

    assert run(PUBLISH, "templates", str(folder)).returncode == 0
    payments = openpyxl.load_workbook(folder / "补贴发放名单模板.xlsx")
    sheet = payments["发放名单"]
    sheet.delete_rows(2)
    sheet.append(["990121101201", "policy-990121-2026-farmland", "耕地地力保护补贴", "王𬌗明", 3, "6.5亩",
                  "12.345" if bad_amount else 780.5, "2026", dt.datetime(2026, 6, 20), "已发放", ""])
    payments.save(folder / "补贴发放名单模板.xlsx")
    ledger = openpyxl.load_workbook(folder / "财务公开台账模板.xlsx")
    ledger["期初余额"].delete_rows(2)
    ledger["期初余额"].append(["990121101201", "2026-Q3", "桃源村2026年第三季度财务公开（收支明细）", dt.datetime(2026, 10, 8), "每季度",
                              1000.00, "魏满仓", "0739-5213029", "经村务监督委员会审核。"])
    lines = ledger["收支明细"]
    lines.delete_rows(2)
    lines.append(["990121101201", "2026-Q3", dt.datetime(2026, 7, 5), "上级转移支付收入", "收村级组织运转经费", 500, None, "记-2026-001"])
    lines.append(["990121101201", "2026-Q3", dt.datetime(2026, 8, 1), "办公费", "购买办公用品", None, 120.25, "记-2026-002"])
    ledger.save(folder / "财务公开台账模板.xlsx")


def test_staff_spreadsheets_are_published_and_reach_the_terminal(published: tuple[Path, Path], tmp_path: Path) -> None:
    source, feed = published
    fill_templates(source / "excel")
    built = run(PUBLISH, "build", str(source), str(feed), "--json")
    assert built.returncode == 0, built.stderr
    data = tmp_path / "terminal"
    imported = run(KIOSK, "import-feed", str(feed), "--root", str(feed / "metadata" / "1.root.json"), "--data-dir", str(data), "--json")
    assert imported.returncode == 0, imported.stdout
    with Terminal(data) as terminal:
        board = terminal.store.get("board-finance-990121101201-2026-Q3")
        assert board is not None and board["closing_balance_fen"] == 100000 + 50000 - 12025
        payments = terminal.store.sql("SELECT json_extract(data, '$.recipient'), json_extract(data, '$.amount_fen') FROM record_full "
                                      "WHERE kind = 'subsidy_payment' AND json_extract(data, '$.quantity') = '6.5亩'")
        assert payments == [("王*明", 78050)]
    # the feed itself never carried the full name
    assert not any("王𬌗明".encode() in gzip.decompress(p.read_bytes()) for p in feed.rglob("*.jsonl.gz"))


def test_a_bad_cell_is_named_and_nothing_is_published(published: tuple[Path, Path]) -> None:
    source, feed = published
    fill_templates(source / "excel", bad_amount=True)
    before = tree(feed)
    result = run(PUBLISH, "build", str(source), str(feed))
    assert result.returncode == 2
    assert "补贴发放名单模板.xlsx" in result.stderr and "发放名单" in result.stderr and "第2行" in result.stderr
    assert "G列" in result.stderr and "12.345" in result.stderr
    assert tree(feed) == before


def test_a_printer_needing_paper_reaches_the_portal_once_a_day(portal_server: PortalServer, tmp_path: Path) -> None:
    import datetime as dt

    from sync.cycle import run_cycle
    from sync.enroll import enroll

    data = tmp_path / "terminal"
    enroll(data, portal_server.base_url, portal_server.issue_code(region="990121101201", name="桃源村便民服务站"))
    empty = {"state": "error", "reasons": ["media-empty-error"], "message_zh": "打印机缺纸，请联系工作人员"}
    with Terminal(data) as terminal:
        for _ in range(2):
            report = run_cycle(terminal, started_at=dt.datetime.now(dt.UTC), printer_state=empty)
            assert report.delivery is not None and not report.delivery.auth_failed
    alerts = json.loads(portal_server.cli("inbox", "--kind", "alert", "--json").stdout)
    assert len(alerts) == 1
    assert "media-empty-error" in json.dumps(alerts, ensure_ascii=False) and "缺纸" in json.dumps(alerts, ensure_ascii=False)
    terminals = json.loads(portal_server.cli("terminals", "--json").stdout)
    assert terminals[0]["printer"]["reasons"] == ["media-empty-error"]
    assert "media-empty-error" in portal_server.cli("terminals").stdout
