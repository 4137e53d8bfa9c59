"""`kiosk print` as staff and scripts use it: real processes, real PDFs, clear exit codes."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest

from kiosk.terminal import DEMO_RECORDS
from tests.integration.test_cli import kiosk, kiosk_json


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("print-cli") / "terminal"
    kiosk("import", str(DEMO_RECORDS), data=data)
    return data


def _first(data: Path, kind: str) -> str:
    hits = kiosk_json("search", {"document": "通知", "board": "财务公开", "service_guide": "办理"}[kind], "--kind", kind, data=data)
    return hits[0]["record_id"]


def test_print_to_file_writes_the_a4_pdf(demo_dir: Path, tmp_path: Path) -> None:
    record_id = _first(demo_dir, "document")
    target = tmp_path / "out" / "document.pdf"
    report = kiosk_json("print", record_id, "--to-file", str(target), data=demo_dir)
    assert report["media"] == "A4" and report["path"] == str(target)
    with pdfplumber.open(target) as pdf:
        assert len(pdf.pages) == report["pages"]
        assert round(pdf.pages[0].width) == 595 and round(pdf.pages[0].height) == 842
        assert f"第 1 / {report['pages']} 页" in pdf.pages[0].extract_text()


def test_receipt_to_the_configured_file_printer(demo_dir: Path) -> None:
    report = kiosk_json("print", _first(demo_dir, "service_guide"), "--receipt", "58", data=demo_dir)
    assert report["printer"] == "file" and report["state"] == "saved" and report["pages"] == 1
    assert report["media"].startswith("Custom.58x")
    saved = demo_dir / "printed" / "receipt" / report["job"]
    with pdfplumber.open(saved) as pdf:
        assert abs(pdf.pages[0].width - 58 / 25.4 * 72) < 0.5


def test_payment_list_prints_landscape(demo_dir: Path, tmp_path: Path) -> None:
    report = kiosk_json("print", "--payments", "990121101201", "--year", "2026", "--to-file", str(tmp_path / "list.pdf"), data=demo_dir)
    assert report["landscape"] and "发放名单" in report["title"]


@pytest.mark.parametrize(("args", "code", "says"), [
    (["no-such-record"], 1, "no record 'no-such-record'"),
    (["--payments", "990121101201", "--receipt", "80"], 1, "no receipt slip"),
    (["x", "--receipt", "70"], 2, "invalid choice"),
])
def test_bad_requests_say_what_is_wrong(demo_dir: Path, tmp_path: Path, args: list[str], code: int, says: str) -> None:
    result = kiosk("print", *args, "--to-file", str(tmp_path / "x.pdf"), data=demo_dir, check=False)
    assert result.returncode == code and says in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_printing_off_is_reported(demo_dir: Path, tmp_path: Path) -> None:
    data = tmp_path / "terminal"
    kiosk("import", str(DEMO_RECORDS), data=data)
    kiosk("config", "set", "printing.backend", "none", data=data)
    result = kiosk("print", _first(data, "document"), data=data, check=False)
    assert result.returncode == 4 and "printing is off" in result.stderr
