"""Excel import: real .xlsx files written with openpyxl, read back through the publisher's reader."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kiosk.labels import period_label
from kiosk.records.validate import check_batch
from sync.publish import templates
from sync.publish.xlsx import (
    LEDGER_LINES,
    LEDGER_OPENING,
    MAX_PROBLEMS,
    PAYMENT_LIST,
    CellProblem,
    WorkbookRejected,
    read_workbook,
    workbook_files,
)

STAMP = "2026-10-08T09:00:00+08:00"
VILLAGE = "990121101201"
OTHER_VILLAGE = "990121102201"
TEMPLATES = templates.TEMPLATES_DIR
LEDGER = TEMPLATES / templates.LEDGER_TEMPLATE
PAYMENTS = TEMPLATES / templates.PAYMENT_TEMPLATE


# ---------------------------------------------------------------------------------------------
# Helpers: fill a copy of a shipped template below its example row, as staff would.


def filled(template: Path, target: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    workbook = load_workbook(template)
    for name, rows in sheets.items():
        for number, row in enumerate(rows, start=3):
            for column, value in enumerate(row, start=1):
                workbook[name].cell(row=number, column=column, value=value)
    workbook.save(target)
    return target


def payment(**change: Any) -> list[Any]:
    values = {
        "region": VILLAGE, "policy_id": "policy-990121-2026-farmland", "policy_name": "耕地地力保护补贴", "recipient": "李晓丽",
        "household_size": 5, "quantity": "10.8亩", "amount": 1296, "period": "2026", "paid_date": dt.date(2026, 6, 17),
        "status": "已发放", "note": None,
    } | change
    return [values[column.key] for column in PAYMENT_LIST.columns]


def opening(**change: Any) -> list[Any]:
    values = {
        "region": VILLAGE, "period": "2026-Q3", "title": None, "published_date": dt.date(2026, 10, 8), "frequency": None,
        "opening": 1000, "supervisor": "魏满仓", "contact_phone": "0739-5213029", "note": None,
    } | change
    return [values[column.key] for column in LEDGER_OPENING.columns]


def line(**change: Any) -> list[Any]:
    values = {
        "region": VILLAGE, "period": "2026-Q3", "date": dt.date(2026, 7, 5), "category": "办公费", "summary": "购买办公用品",
        "income": None, "expense": 100, "voucher": "记-2026-001",
    } | change
    return [values[column.key] for column in LEDGER_LINES.columns]


def payments_file(tmp_path: Path, rows: list[list[Any]], name: str = "补贴发放名单.xlsx") -> Path:
    return filled(PAYMENTS, tmp_path / name, {"发放名单": rows})


def ledger_file(tmp_path: Path, openings: list[list[Any]], lines: list[list[Any]], name: str = "财务公开台账.xlsx") -> Path:
    return filled(LEDGER, tmp_path / name, {"期初余额": openings, "收支明细": lines})


def problems_of(path: Path) -> list[CellProblem]:
    with pytest.raises(WorkbookRejected) as caught:
        read_workbook(path, published_at=STAMP)
    return caught.value.problems


def where(problem: CellProblem) -> tuple[str, int, str]:
    return problem.sheet, problem.row, problem.column


# ---------------------------------------------------------------------------------------------
# Templates


def test_the_committed_templates_are_what_the_code_generates() -> None:
    for name, data in templates.template_bytes().items():
        assert (TEMPLATES / name).read_bytes() == data, f"{name} is stale: run python -m sync.publish.templates"


@pytest.mark.parametrize(
    ("path", "specs"),
    [(LEDGER, (LEDGER_OPENING, LEDGER_LINES)), (PAYMENTS, (PAYMENT_LIST,))],
)
def test_templates_have_headers_an_example_row_and_instructions(path: Path, specs: tuple) -> None:
    workbook = load_workbook(path)
    assert workbook.sheetnames == [spec.name for spec in specs] + ["填写说明"]
    for spec in specs:
        sheet = workbook[spec.name]
        assert [cell.value for cell in sheet[1]] == [column.header for column in spec.columns]
        assert all(cell.font.bold for cell in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet["A2"].value.startswith("示例")
        assert all(sheet.cell(row=2, column=i + 1).value is not None for i, c in enumerate(spec.columns) if c.cell_required)
        assert sheet.column_dimensions["A"].number_format == "@"  # codes stay text
        assert sheet.column_dimensions["A"].width >= 18
    help_text = " ".join(str(cell.value) for row in workbook["填写说明"].iter_rows() for cell in row if cell.value)
    assert all(column.header in help_text for spec in specs for column in spec.columns)


def test_the_payment_template_offers_the_statuses_and_money_formats() -> None:
    sheet = load_workbook(PAYMENTS)["发放名单"]
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert '"已发放,待发放,退回"' in lists
    assert sheet.column_dimensions["G"].number_format == "0.00"
    assert sheet.column_dimensions["I"].number_format == "yyyy-mm-dd"


def test_the_ledger_template_checks_amounts_and_dates_on_entry() -> None:
    sheet = load_workbook(LEDGER)["收支明细"]
    kinds = {str(v.sqref): v.type for v in sheet.data_validations.dataValidation}
    assert kinds["F2:F5000"] == kinds["G2:G5000"] == "decimal"
    assert kinds["C2:C5000"] == "date"


@pytest.mark.parametrize("path", [LEDGER, PAYMENTS])
def test_an_unmodified_template_reads_as_nothing(path: Path) -> None:
    assert read_workbook(path, published_at=STAMP) == []


# ---------------------------------------------------------------------------------------------
# Ledgers


def test_a_filled_ledger_becomes_balanced_finance_boards(tmp_path: Path) -> None:
    openings = [
        opening(opening=283382.19, title="桃源村2026年第三季度财务公开（收支明细）", frequency="每季度"),
        opening(region=OTHER_VILLAGE, opening="0", contact_phone=None, supervisor=None, note="本季度收支已经村务监督委员会审核。"),
    ]
    lines = [
        line(date=dt.date(2026, 9, 30), category="上级转移支付收入", summary="收村级组织运转经费", income=31265, expense=None, voucher="记-2026-005"),
        line(date="2026/7/2", expense="1,234.50"),
        line(date="2026-08-15", category="集体资产经营收入", summary="收山林承包费", income=9105.5, expense=None),
        line(date=dt.datetime(2026, 7, 2), expense=0.01, voucher=None),
        line(date="2026年9月1日", expense=99.99, income=0),
        line(region=OTHER_VILLAGE, date=dt.date(2026, 7, 10), income=5000, expense=None),
        line(region=OTHER_VILLAGE, date=dt.date(2026, 7, 11), expense=1200.4),
        line(region=OTHER_VILLAGE, date=dt.date(2026, 8, 11), expense="300"),
        line(region=OTHER_VILLAGE, date=dt.date(2026, 9, 11), expense="0.10"),
        line(region=OTHER_VILLAGE, date=dt.date(2026, 9, 30), income="12,000.00", expense=""),
    ]
    pairs = read_workbook(ledger_file(tmp_path, openings, lines), published_at=STAMP)
    assert check_batch(pairs) == [record for record, _ in pairs]
    boards = {record["region"]: record for record, _ in pairs}
    first, second = boards[VILLAGE], boards[OTHER_VILLAGE]

    assert first["id"] == f"board-finance-{VILLAGE}-2026-Q3"
    assert (first["kind"], first["board_type"], first["version"], first["updated_at"]) == ("board", "finance", 1, STAMP)
    assert first["opening_balance_fen"] == 28338219
    assert first["closing_balance_fen"] == 28338219 + 3126500 + 910550 - 123450 - 1 - 9999
    assert [entry["date"] for entry in first["lines"]] == ["2026-07-02", "2026-07-02", "2026-08-15", "2026-09-01", "2026-09-30"]
    assert [entry["amount_fen"] for entry in first["lines"][:2]] == [123450, 1]  # same day: sheet order
    assert first["lines"][-1] == {
        "date": "2026-09-30", "category": "上级转移支付收入", "summary": "收村级组织运转经费", "direction": "income", "amount_fen": 3126500,
        "voucher": "记-2026-005",
    }
    assert "voucher" not in first["lines"][1]
    assert (first["title"], first["frequency"], first["supervisor"], first["contact_phone"]) == (
        "桃源村2026年第三季度财务公开（收支明细）", "每季度", "魏满仓", "0739-5213029",
    )
    assert first["sections"][0]["heading"] == "收支情况说明"
    assert first["sections"][0]["body"] == "本季度期初余额283,382.19元，收入合计40,370.50元，支出合计1,334.50元，期末余额322,418.19元。"

    assert second["opening_balance_fen"] == 0
    assert second["closing_balance_fen"] == 500000 - 120040 - 30000 - 10 + 1200000
    assert (second["title"], second["frequency"]) == ("2026年第三季度财务公开（收支明细）", "每季度")
    assert second["sections"][0]["body"] == "本季度收支已经村务监督委员会审核。"
    assert "supervisor" not in second and "contact_phone" not in second
    sources = {record["region"]: source for record, source in pairs}
    assert sources == {VILLAGE: "财务公开台账.xlsx!期初余额!第3行", OTHER_VILLAGE: "财务公开台账.xlsx!期初余额!第4行"}


def test_a_period_without_lines_is_a_board_that_did_not_move(tmp_path: Path) -> None:
    (board, _source), = read_workbook(ledger_file(tmp_path, [opening(period="2026-03", opening=-50.5)], []), published_at=STAMP)
    assert (board["lines"], board["opening_balance_fen"], board["closing_balance_fen"]) == ([], -5050, -5050)
    assert (board["frequency"], board["title"]) == ("每月", "2026年3月财务公开（收支明细）")


def test_periods_excel_turned_into_dates_or_numbers_still_read(tmp_path: Path) -> None:
    openings = [opening(period=dt.datetime(2026, 3, 1)), opening(period=2026), opening(period="2026年上半年")]
    pairs = read_workbook(ledger_file(tmp_path, openings, []), published_at=STAMP)
    assert [record["period"] for record, _ in pairs] == ["2026-03", "2026", "2026-H1"]


def test_the_publisher_names_periods_as_the_screens_do(tmp_path: Path) -> None:
    """One period_label (kiosk/labels.py): a yearly board is 2026年 in the feed as on screen, not 2026年度."""
    openings = [opening(period="2026"), opening(period="2026-H2"), opening(period="2026-Q4")]
    titles = [record["title"] for record, _ in read_workbook(ledger_file(tmp_path, openings, []), published_at=STAMP)]
    assert titles == [f"{period_label(p)}财务公开（收支明细）" for p in ("2026", "2026-H2", "2026-Q4")]
    assert titles[0] == "2026年财务公开（收支明细）"


# ---------------------------------------------------------------------------------------------
# Payment lists


def test_payment_amounts_round_trip_exactly(tmp_path: Path) -> None:
    rows = [
        payment(recipient="张三明", amount=0.01),
        payment(recipient="李四", amount=1234.50),
        payment(recipient="欧阳振华", amount=99999999.99),
        payment(recipient="王五", amount="99,999,999.99"),
        payment(recipient="赵六", amount="1234.5"),
        payment(recipient="钱七", amount=0),
    ]
    pairs = read_workbook(payments_file(tmp_path, rows), published_at=STAMP)
    assert check_batch(pairs)
    assert [record["amount_fen"] for record, _ in pairs] == [1, 123450, 9999999999, 9999999999, 123450, 0]
    record, source = pairs[0]
    assert source == "补贴发放名单.xlsx!发放名单!第3行"
    assert record["recipient"] == "张*明"  # masked at the source
    assert [r["recipient"] for r, _ in pairs[1:3]] == ["李*", "欧阳*华"]
    assert record["id"].startswith(f"pay-{VILLAGE}-") and len(record["id"]) == len(f"pay-{VILLAGE}-") + 10
    assert (record["kind"], record["version"], record["updated_at"], record["region"]) == ("subsidy_payment", 1, STAMP, VILLAGE)
    details = (record["household_size"], record["quantity"], record["period"], record["paid_date"], record["status"])
    assert details == (5, "10.8亩", "2026", "2026-06-17", "已发放")
    assert "note" not in record


def test_payment_ids_survive_re_sorting_the_list(tmp_path: Path) -> None:
    rows = [payment(recipient=name, quantity=f"{n}亩") for n, name in enumerate(["张三明", "李四", "王五", "赵六"], start=1)]
    first = read_workbook(payments_file(tmp_path, rows, "a.xlsx"), published_at=STAMP)
    again = read_workbook(payments_file(tmp_path, rows[::-1], "b.xlsx"), published_at=STAMP)
    assert sorted(record["id"] for record, _ in first) == sorted(record["id"] for record, _ in again)
    assert {record["id"]: record["quantity"] for record, _ in first} == {record["id"]: record["quantity"] for record, _ in again}


def test_people_whose_masked_names_match_get_distinct_ids(tmp_path: Path) -> None:
    pairs = read_workbook(payments_file(tmp_path, [payment(recipient="张四明"), payment(recipient="张三明")]), published_at=STAMP)
    ids = [record["id"] for record, _ in pairs]
    assert len(set(ids)) == 2 and ids[0] == ids[1] + "-2"  # 张三明 sorts first, whichever row it is on
    assert check_batch(pairs)


def test_region_codes_excel_stored_as_numbers_are_accepted(tmp_path: Path) -> None:
    rows = [
        payment(region=990121101201, recipient="张三明"),
        payment(region=990121101201.0, recipient="李四"),
        payment(region="9.90121101201E+11", recipient="王五"),
    ]
    pairs = read_workbook(payments_file(tmp_path, rows), published_at=STAMP)
    assert [record["region"] for record, _ in pairs] == [VILLAGE] * 3
    assert all(isinstance(record["region"], str) for record, _ in pairs)


def test_region_codes_written_by_excel_as_floats_are_accepted(tmp_path: Path) -> None:
    path = payments_file(tmp_path, [payment(region=990121101201)])
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    assert b"<v>990121101201</v>" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"<v>990121101201</v>", b"<v>9.90121101201E+11</v>")
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    assert isinstance(load_workbook(path)["发放名单"]["A3"].value, float)  # what openpyxl hands the reader
    ((record, _source),) = read_workbook(path, published_at=STAMP)
    assert record["region"] == VILLAGE


def test_the_example_row_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    rows = [payment(recipient="张三明"), [None] * 11, payment(region="示例 990121101201", amount="not checked"), payment(recipient="李四")]
    pairs = read_workbook(payments_file(tmp_path, rows), published_at=STAMP)
    assert [source for _, source in pairs] == ["补贴发放名单.xlsx!发放名单!第3行", "补贴发放名单.xlsx!发放名单!第6行"]


# ---------------------------------------------------------------------------------------------
# Problems: every bad cell, at its sheet, row and column


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"amount": "十二元"}, "G 发放金额（元）"),
        ({"amount": "12.345"}, "G 发放金额（元）"),
        ({"amount": 12.345}, "G 发放金额（元）"),
        ({"amount": -5}, "G 发放金额（元）"),
        ({"amount": "1,2345.00"}, "G 发放金额（元）"),
        ({"paid_date": "2026-02-30"}, "I 发放日期"),
        ({"paid_date": "下周"}, "I 发放日期"),
        ({"region": "99012110120"}, "A 村（社区）区划代码"),
        ({"region": "990121000000"}, "A 村（社区）区划代码"),
        ({"region": 990121101201.5}, "A 村（社区）区划代码"),
        ({"status": "已领取"}, "J 发放状态"),
        ({"period": "2026-Q5"}, "H 发放期间"),
        ({"household_size": 0}, "E 家庭人口"),
        ({"policy_id": "耕地补贴"}, "B 补贴政策编号"),
        ({"recipient": None}, "D 领取人"),
    ],
)
def test_a_bad_payment_cell_is_pinned_to_its_row_and_column(tmp_path: Path, change: dict, column: str) -> None:
    path = payments_file(tmp_path, [payment(recipient="张三明"), payment(**({"recipient": "李四"} | change))])
    (problem,) = problems_of(path)
    assert where(problem) == ("发放名单", 4, column)
    assert problem.file == "补贴发放名单.xlsx"
    assert problem.expected and problem.found


def test_the_message_reads_like_the_spreadsheet(tmp_path: Path) -> None:
    rows = [payment(recipient=f"张{i}明", quantity=f"{i}亩") for i in range(9)] + [payment(amount="12.345")]
    (problem,) = problems_of(payments_file(tmp_path, rows))
    assert str(problem) == (
        "补贴发放名单.xlsx › 发放名单 › 第12行 › G列「发放金额（元）」: "
        "expected an amount in yuan with at most 2 decimals（以元为单位的金额，最多两位小数）, found '12.345'"
    )


def test_a_county_code_says_what_level_it_is(tmp_path: Path) -> None:
    (problem,) = problems_of(payments_file(tmp_path, [payment(region="990121000000")]))
    assert "village" in problem.expected and "county" in problem.expected and problem.found == "'990121000000'"


def test_a_duplicate_payment_row_names_both_rows(tmp_path: Path) -> None:
    rows = [payment(recipient="张三明"), payment(recipient="李四"), payment(recipient="张三明", amount=50)]
    (problem,) = problems_of(payments_file(tmp_path, rows))
    assert where(problem) == ("发放名单", 5, "D 领取人")
    assert "第3行" in problem.expected


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"income": 100, "expense": 50}, "F/G 收入（元）/支出（元）"),
        ({"income": None, "expense": None}, "F/G 收入（元）/支出（元）"),
        ({"income": 0, "expense": "0.00"}, "F/G 收入（元）/支出（元）"),
        ({"expense": "1.001"}, "G 支出（元）"),
        ({"income": -3, "expense": None}, "F 收入（元）"),
        ({"date": "2026-13-01"}, "C 记账日期"),
        ({"date": dt.date(2026, 10, 1)}, "C 记账日期"),  # outside 2026-Q3
        ({"summary": None}, "E 摘要"),
        ({"category": "类" * 41}, "D 收支类别"),  # found by the record schema, pinned back on the cell
    ],
)
def test_a_bad_ledger_line_is_pinned_to_its_row_and_column(tmp_path: Path, change: dict, column: str) -> None:
    path = ledger_file(tmp_path, [opening()], [line(), line(**change)])
    (problem,) = problems_of(path)
    assert where(problem) == ("收支明细", 4, column)


def test_lines_without_an_opening_row_are_named(tmp_path: Path) -> None:
    lines = [line(), line(region=OTHER_VILLAGE), line(), line(region=OTHER_VILLAGE, expense=5)]
    (problem,) = problems_of(ledger_file(tmp_path, [opening()], lines))
    assert where(problem) == ("收支明细", 4, "A/B 村（社区）区划代码/公开期间")
    assert "第4、6行" in problem.found and OTHER_VILLAGE in problem.expected


def test_a_second_opening_row_for_the_same_period_is_a_problem(tmp_path: Path) -> None:
    (problem,) = problems_of(ledger_file(tmp_path, [opening(), opening(opening=5)], [line()]))
    assert where(problem) == ("期初余额", 4, "A/B 村（社区）区划代码/公开期间") and "第3行" in problem.expected


def test_a_missing_header_is_one_problem_per_column(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "发放名单"
    headers = [column.header for column in PAYMENT_LIST.columns if column.key not in ("amount", "status")]
    sheet.append(headers)
    sheet.append([VILLAGE, "policy-1", "耕地地力保护补贴", "张三明", 4, "1亩", "2026", "2026-06-17", None])
    workbook.save(tmp_path / "名单.xlsx")
    problems = problems_of(tmp_path / "名单.xlsx")
    assert sorted(where(p) for p in problems) == [("发放名单", 1, "发放状态"), ("发放名单", 1, "发放金额（元）")]
    assert "「发放金额（元）」列" in str(problems[0]) or "「发放金额（元）」列" in str(problems[1])


def test_headers_may_move_and_sit_below_a_title_row(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "发放名单"
    columns = list(reversed(PAYMENT_LIST.columns))
    sheet.append(["桃源村2026年耕地地力保护补贴发放名单"])
    sheet.append([column.header.replace("（元）", "(元)") for column in columns])
    row = dict(zip([c.key for c in PAYMENT_LIST.columns], payment(amount="bad"), strict=True))
    sheet.append([row[column.key] for column in columns])
    workbook.save(tmp_path / "名单.xlsx")
    (problem,) = problems_of(tmp_path / "名单.xlsx")
    assert where(problem) == ("发放名单", 3, "E 发放金额（元）")


def test_several_bad_cells_in_one_file_are_all_reported(tmp_path: Path) -> None:
    rows = [
        payment(recipient="张三明", amount="12.345", status="已领取"),
        payment(recipient="李四"),
        payment(recipient="王五", region="99012110120", paid_date="2026-02-30"),
        payment(recipient="赵六", amount=-1),
    ]
    problems = problems_of(payments_file(tmp_path, rows))
    assert sorted(where(p) for p in problems) == [
        ("发放名单", 3, "G 发放金额（元）"),
        ("发放名单", 3, "J 发放状态"),
        ("发放名单", 5, "A 村（社区）区划代码"),
        ("发放名单", 5, "I 发放日期"),
        ("发放名单", 6, "G 发放金额（元）"),
    ]


def test_ledger_problems_across_both_sheets_come_together(tmp_path: Path) -> None:
    openings = [opening(opening="abc"), opening(region=OTHER_VILLAGE, published_date="2026-02-30")]
    lines = [line(expense="1.234"), line(region=OTHER_VILLAGE, income=1, expense=1)]
    problems = problems_of(ledger_file(tmp_path, openings, lines))
    assert sorted(where(p) for p in problems) == [
        ("收支明细", 3, "G 支出（元）"),
        ("收支明细", 4, "F/G 收入（元）/支出（元）"),
        ("期初余额", 3, "F 期初余额（元）"),
        ("期初余额", 4, "D 公开日期"),
    ]


def test_problems_are_capped_but_counted(tmp_path: Path) -> None:
    rows = [payment(recipient=f"张{i}明", quantity=f"{i}亩", amount="x", status="?") for i in range(150)]
    with pytest.raises(WorkbookRejected) as caught:
        read_workbook(payments_file(tmp_path, rows), published_at=STAMP)
    assert len(caught.value.problems) == MAX_PROBLEMS and caught.value.total == 300
    assert "300 problem(s)" in str(caught.value)


def test_an_unknown_layout_says_which_sheets_were_expected(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(["姓名", "金额"])
    workbook.save(tmp_path / "别的表.xlsx")
    (problem,) = problems_of(tmp_path / "别的表.xlsx")
    assert (problem.sheet, problem.row) == ("", 0)
    assert "发放名单" in problem.expected and "期初余额" in problem.expected and "收支明细" in problem.expected and "'Sheet'" in problem.found


def test_a_ledger_missing_one_of_its_sheets_is_a_problem(tmp_path: Path) -> None:
    workbook = load_workbook(LEDGER)
    del workbook["收支明细"]
    workbook.save(tmp_path / "台账.xlsx")
    (problem,) = problems_of(tmp_path / "台账.xlsx")
    assert problem.sheet == "收支明细" and "收支明细" in problem.expected


def test_a_file_that_is_not_xlsx_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "旧格式.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0 an old .xls file")
    (problem,) = problems_of(path)
    assert ".xlsx" in problem.expected and problem.file == "旧格式.xlsx"


def test_published_at_must_carry_an_offset() -> None:
    with pytest.raises(ValueError, match="UTC offset"):
        read_workbook(PAYMENTS, published_at="2026-10-08T09:00:00")


def test_workbook_files_skip_excel_lock_files(tmp_path: Path) -> None:
    for name in ("b.xlsx", "~$b.xlsx", ".hidden.xlsx", "notes.txt", "sub/a.xlsx"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    assert [p.relative_to(tmp_path).as_posix() for p in workbook_files(tmp_path)] == ["b.xlsx", "sub/a.xlsx"]
