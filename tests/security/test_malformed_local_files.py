"""Issue 12, item 8: malformed local record files are refused (exit 2, the store unchanged), never a traceback.

Attacks, each a crafted file on a USB stick given to a real `kiosk import` process on a temporary
data folder:

- a line nested 100,000 levels deep (json.loads raised RecursionError, exit 1 with a traceback);
- a record whose field nests 500 levels (the float scan of the validator recursed until RecursionError);
- a version of 2^64 (SQLite raised OverflowError), and one of 2^53 + 1, above the bound of item 1;
- amounts so large that the payment list's SUM overflowed SQLite (imported, then the list crashed);
- full-width digits (９９０１…) in a region code or a period: ``\\d`` matches any Unicode digit, so the
  record was "imported" and staff told so, but no terminal's region chain ever matches it;
- a number of 5,000 digits (json's ValueError escaped without the file and line) and a lone surrogate
  ``\\ud800`` (SQLite's UTF-8 refused it mid-import, again without saying where).

Each refusal must name the file and line, the record, the field, what was expected and what was found.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.clock import TEST_ENV
from tests.helpers.paths import ROOT
from tests.helpers.records import make

KIOSK = ROOT / ".venv" / "bin" / "kiosk"
MAX_VERSION = 2**53


def kiosk(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(KIOSK), *args, "--data-dir", str(data)], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, **TEST_ENV},
    )


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def as_line(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False)


def stored_ids(data: Path) -> list[str]:
    database = data / "content.sqlite"
    if not database.exists():
        return []
    with sqlite3.connect(database) as db:
        return [row[0] for row in db.execute("SELECT record_id FROM record ORDER BY record_id")]


def assert_refused(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    """Exit 2 with the documented refusal and every needle in it; never a Python traceback."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "import refused, the store is unchanged." in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, (needle, result.stderr)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A terminal that already holds one good notice, so "unchanged" means something."""
    folder = tmp_path / "terminal"
    good = write_lines(tmp_path / "good.jsonl", as_line(make("notice", "sec-good")))
    assert kiosk(folder, "import", str(good)).returncode == 0
    return folder


def test_a_line_nested_100000_deep_is_refused_with_its_line(data: Path, tmp_path: Path) -> None:
    deep = '{"id": "sec-deep", "kind": "notice", "body": ' + "[" * 100_000 + "]" * 100_000 + "}"
    usb = write_lines(tmp_path / "deep.jsonl", as_line(make("notice", "sec-fine")), deep)
    result = kiosk(data, "import", str(usb))
    assert_refused(result, "deep.jsonl:2", "record 'sec-deep'", "expected JSON nested at most", "found")
    assert stored_ids(data) == ["sec-good"]


def test_a_json_document_nested_100000_deep_is_refused(data: Path, tmp_path: Path) -> None:
    usb = tmp_path / "deep.json"
    usb.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert_refused(kiosk(data, "import", str(usb)), "deep.json", "expected JSON nested at most")
    assert stored_ids(data) == ["sec-good"]


def test_a_field_nested_500_deep_is_refused_naming_the_field(data: Path, tmp_path: Path) -> None:
    nested: list[Any] = []
    inner = nested
    for _ in range(500):
        inner.append([])
        inner = inner[0]
    usb = write_lines(tmp_path / "nested.jsonl", as_line(make("notice", "sec-nested", body=nested)))
    result = kiosk(data, "import", str(usb))
    assert_refused(result, "nested.jsonl:1", "record 'sec-nested'", "field 'body", "expected values nested at most")
    assert stored_ids(data) == ["sec-good"]


@pytest.mark.parametrize("version", [2**64, MAX_VERSION + 1])
def test_a_version_above_2_53_is_refused_naming_record_and_field(data: Path, tmp_path: Path, version: int) -> None:
    usb = write_lines(tmp_path / "huge.jsonl", as_line(make("notice", "sec-good", version=version, title="伪造的通知")))
    result = kiosk(data, "import", str(usb))
    assert_refused(result, "huge.jsonl:1", "record 'sec-good'", "field 'version'", str(MAX_VERSION), f"found {version}")
    assert stored_ids(data) == ["sec-good"]
    assert json.loads(kiosk(data, "show", "sec-good", "--json").stdout)["version"] == 1


def test_a_version_of_2_53_is_still_accepted(data: Path, tmp_path: Path) -> None:
    usb = write_lines(tmp_path / "edge.jsonl", as_line(make("notice", "sec-edge", version=MAX_VERSION)))
    assert kiosk(data, "import", str(usb)).returncode == 0


def test_amounts_that_would_overflow_the_payment_total_are_refused(data: Path, tmp_path: Path) -> None:
    payments = [as_line(make("subsidy_payment", f"sec-pay-{index}", amount_fen=2**62)) for index in range(3)]
    usb = write_lines(tmp_path / "amounts.jsonl", *payments)
    result = kiosk(data, "import", str(usb))
    assert_refused(result, "amounts.jsonl:1", "record 'sec-pay-0'", "field 'amount_fen'", "expected an amount of at most", f"found {2**62}")
    assert stored_ids(data) == ["sec-good"]


@pytest.mark.parametrize(
    ("kind", "field", "value"),
    [
        ("notice", "region", "９９０１２１００００００"),  # full-width digits (U+FF10…)
        ("notice", "region", "٩٩٠١٢١٠٠٠٠٠٠"),  # Arabic-Indic digits
        ("subsidy_payment", "period", "２０２６"),
    ],
)
def test_non_ascii_digits_are_refused(data: Path, tmp_path: Path, kind: str, field: str, value: str) -> None:
    usb = write_lines(tmp_path / "digits.jsonl", as_line(make(kind, "sec-digits", **{field: value})))
    result = kiosk(data, "import", str(usb))
    assert_refused(result, "digits.jsonl:1", "record 'sec-digits'", f"field '{field}'", "[0-9]", value)
    assert stored_ids(data) == ["sec-good"]


def test_a_number_too_long_for_the_json_reader_is_refused_with_its_line(data: Path, tmp_path: Path) -> None:
    line = as_line(make("notice", "sec-long")).replace('"version": 1', '"version": 1' + "7" * 5000)
    usb = write_lines(tmp_path / "long.jsonl", line)
    assert_refused(kiosk(data, "import", str(usb)), "long.jsonl:1", "record 'sec-long'", "expected whole numbers of at most", "5001 digits")
    assert stored_ids(data) == ["sec-good"]


def test_a_lone_surrogate_is_refused_naming_the_field(data: Path, tmp_path: Path) -> None:
    usb = write_lines(tmp_path / "surrogate.jsonl", json.dumps(make("notice", "sec-surrogate", title="坏\ud800字")))
    result = kiosk(data, "import", str(usb))
    assert_refused(result, "surrogate.jsonl:1", "record 'sec-surrogate'", "field 'title'", "expected text of real characters", "ud800")
    assert stored_ids(data) == ["sec-good"]
