"""The 同义词 template (issue 14 item 2): a county editor's sheet becomes synonym records, or a clear refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from sync.publish.templates import SYNONYM_TEMPLATE, template_bytes
from sync.publish.xlsx import SYNONYM_SHEET, WorkbookRejected, read_workbook

PUBLISHED = "2026-11-20T09:00:00+08:00"


def _filled(tmp_path: Path, rows: list[tuple[object, ...]]) -> Path:
    path = tmp_path / SYNONYM_TEMPLATE
    path.write_bytes(template_bytes()[SYNONYM_TEMPLATE])
    workbook = load_workbook(path)
    sheet = workbook[SYNONYM_SHEET]
    for index, row in enumerate(rows, start=3):
        for column, value in enumerate(row, start=1):
            sheet.cell(index, column, value)
    workbook.save(path)
    return path


def test_a_filled_template_gives_one_valid_synonym_record_per_row(tmp_path: Path) -> None:
    path = _filled(tmp_path, [("990121000000", "老年人优待证、老年证、老人证", ""), (990121101201, "村务公开，村里公开", "村里的叫法")])
    records = [record for record, _source in read_workbook(path, published_at=PUBLISHED)]
    assert [r["terms"] for r in records] == [["老年人优待证", "老年证", "老人证"], ["村务公开", "村里公开"]]
    assert [r["region"] for r in records] == ["990121000000", "990121101201"]
    assert all(r["kind"] == "synonym" and r["id"].startswith(f"synonym-{r['region']}-") for r in records)
    assert records[1]["note"] == "村里的叫法"
    again = [record["id"] for record, _ in read_workbook(path, published_at=PUBLISHED)]
    assert again == [r["id"] for r in records]  # republishing updates the same groups


def test_a_group_of_one_term_is_refused_with_its_cell(tmp_path: Path) -> None:
    path = _filled(tmp_path, [("990121000000", "老年证", "")])
    with pytest.raises(WorkbookRejected) as caught:
        read_workbook(path, published_at=PUBLISHED)
    problem = caught.value.problems[0]
    assert problem.sheet == SYNONYM_SHEET and problem.row == 3 and "2 to 20" in problem.expected and "老年证" in problem.found
