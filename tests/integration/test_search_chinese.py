"""Issue 14: `kiosk search` understands how residents type (real processes on the demo store, as 桃源村 sees it).

Before the query pipeline (kiosk/query.py) every one of these returned nothing: the whole string had to
appear verbatim, letters only matched first letters, and traditional characters, same-sound typos and
document numbers with other brackets were never folded.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.terminal import DEMO_RECORDS
from tests.helpers.clock import TEST_ENV
from tests.helpers.paths import ROOT

TEMP_AID = {"guide-990121-temp-aid", "doc-990121-2025-0030", "cat-990121-social-assistance-05"}


def kiosk_json(*args: str, data: Path) -> object:
    result = subprocess.run(
        [sys.executable, "-m", "app.main", *args, "--data-dir", str(data), "--json"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, env={**__import__("os").environ, **TEST_ENV},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("search") / "terminal"
    kiosk_json("import", str(DEMO_RECORDS), data=data)
    return data


@pytest.mark.parametrize("query", ["申请临时救助要什么材料", "linshijiuzhu", "lin shi jiu zhu", "临时就助", "臨時救助",
                                   "溪政发2025 5号", "溪政发(2025)5号", "溪政发[2025]5号"])
def test_temporary_assistance_comes_first_however_it_is_typed(demo_dir: Path, query: str) -> None:
    hits = kiosk_json("search", query, data=demo_dir)
    assert hits, f"{query!r} found nothing"
    first = hits[0]
    assert first["record_id"] in TEMP_AID and "临时救助" in first["title"], (query, [h["title"] for h in hits[:3]])
    assert first["region"] == "990121000000", first  # 溪源县's own, not the province's or the city's


def test_the_question_finds_the_guide_with_its_materials(demo_dir: Path) -> None:
    hits = kiosk_json("search", "申请临时救助要什么材料", data=demo_dir)
    assert hits[0]["record_id"] == "guide-990121-temp-aid", [h["title"] for h in hits[:3]]


def test_document_number_without_brackets_is_that_document(demo_dir: Path) -> None:
    hits = kiosk_json("search", "溪政发2025 5号", data=demo_dir)
    assert hits[0]["record_id"] == "doc-990121-2025-0030", [h["title"] for h in hits[:3]]


def test_an_everyday_word_finds_the_official_name(demo_dir: Path) -> None:
    hits = kiosk_json("search", "合作医疗", data=demo_dir)  # a synonym record: 城乡居民基本医疗保险 = 新农合 = 合作医疗
    medical = {"guide-990121-medical-enrol", "cat-990121-social-insurance-03", "notice-990121-2026-024"}
    assert hits and hits[0]["record_id"] in medical, [h["title"] for h in hits[:3]]
