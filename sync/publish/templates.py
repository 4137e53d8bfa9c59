"""The Excel templates staff fill in: 财务公开台账, 补贴发放名单 and 同义词 (issue 14).

They are generated from the column specs in :mod:`sync.publish.xlsx`, so the reader and the
templates always agree on headers, and written byte-for-byte reproducibly (fixed zip and document
timestamps) so the committed files only change when the code does.
Run ``python -m sync.publish.templates [FOLDER]`` after changing a column spec.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sync.publish.xlsx import EXAMPLE_MARK, HELP_SHEET, LEDGER_SHEETS, PAYMENT_SHEETS, SYNONYM_SHEETS, Column, SheetSpec

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "resources" / "templates"
LEDGER_TEMPLATE = "财务公开台账模板.xlsx"
PAYMENT_TEMPLATE = "补贴发放名单模板.xlsx"
SYNONYM_TEMPLATE = "同义词模板.xlsx"
# Validations and formats reach this far down; more rows still read fine, they just lose the drop-downs.
LAST_ROW = 5000
_FIXED_TIME = "2026-01-01T00:00:00Z"
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)

_NUMBER_FORMATS = {
    "region": "@", "any_region": "@", "terms": "@", "period": "@", "record_id": "@", "text": "@", "choice": "@",
    "date": "yyyy-mm-dd", "yuan": "0.00", "balance": "0.00", "count": "0",
}
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")
_EXAMPLE_FILL = PatternFill("solid", fgColor="F2F2F2")
_THIN = Side(style="thin", color="A6A6A6")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)

_GENERAL_NOTES = (
    "第一行是表头，请不要修改、删除列名，也不要修改工作表名称；可以在表头后面增加自己的列，系统会忽略。",
    f"第2行是示例行（第一格以“{EXAMPLE_MARK}”开头，灰色斜体），系统会跳过它。可以删除，也可以直接在它下面接着填写；"
    f"如果在示例行上改写，请把第一格改成真实的区划代码，否则整行会被跳过。",
    "区划代码填12位统计用区划代码，必须是村（社区）级。该列已设为文本格式，粘贴数据时请选择“只粘贴值”。",
    "金额一律以“元”为单位，最多两位小数（如 1234.50），不要带“万元”；可以带千分位逗号。",
    "日期填Excel日期或 2026-06-17、2026/6/17 这样的文字；不存在的日期（如2月30日）会被退回。",
    "整行空白会被忽略。发布时会列出所有有问题的单元格（文件、工作表、行号、列），改正后重新发布即可。",
)


def _write_sheet(worksheet: Worksheet, spec: SheetSpec) -> None:
    """Header row, one example row, formats, widths and drop-downs for one data sheet."""
    worksheet.title = spec.name
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        header = worksheet.cell(row=1, column=index, value=column.header)
        header.font, header.fill, header.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        number_format = _NUMBER_FORMATS[column.kind]
        dimension = worksheet.column_dimensions[letter]
        dimension.width = column.width
        dimension.number_format = number_format  # new cells typed by staff take the column's format
        example = f"{EXAMPLE_MARK} {column.example}" if index == 1 else column.example
        cell = worksheet.cell(row=2, column=index, value=example)
        cell.number_format = number_format
        cell.font, cell.fill = _EXAMPLE_FONT, _EXAMPLE_FILL
        validation = _validation(column)
        if validation is not None:
            worksheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{LAST_ROW}")
    worksheet.row_dimensions[1].height = 30
    worksheet.freeze_panes = "A2"


def _validation(column: Column) -> DataValidation | None:
    """Excel's own check on entry: catches a typo while the person is still at the cell."""
    rule: dict[str, str] = {}
    if column.kind == "choice":
        rule = {"type": "list", "formula1": '"' + ",".join(column.choices) + '"'}
    elif column.kind in ("region", "any_region"):
        rule = {"type": "textLength", "operator": "equal", "formula1": "12"}
    elif column.kind == "yuan":
        rule = {"type": "decimal", "operator": "greaterThanOrEqual", "formula1": "0"}
    elif column.kind == "balance":
        rule = {"type": "decimal", "operator": "between", "formula1": "-1000000000000", "formula2": "1000000000000"}
    elif column.kind == "date":
        rule = {"type": "date", "operator": "between", "formula1": "32874", "formula2": "73415"}  # 1990-01-01 … 2100-12-31
    elif column.kind == "count":
        rule = {"type": "whole", "operator": "between", "formula1": "1", "formula2": "99"}
    validation = DataValidation(
        **rule,
        allow_blank=True,
        showInputMessage=True,
        promptTitle=column.header[:32],
        prompt=column.help[:250],
        showErrorMessage=bool(rule),
        errorTitle="填写有误"[:32],
        error=column.help[:250],
    )
    return validation


def _write_help(worksheet: Worksheet, specs: tuple[SheetSpec, ...], purpose: str) -> None:
    """The 填写说明 sheet: general rules, then every column of every data sheet."""
    worksheet.title = HELP_SHEET
    worksheet.cell(row=1, column=1, value=f"{purpose} 填写说明").font = Font(bold=True, size=14)
    row = 3
    for number, note in enumerate(_GENERAL_NOTES, start=1):
        worksheet.cell(row=row, column=1, value=f"{number}. {note}").alignment = Alignment(wrap_text=True, vertical="top")
        worksheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        worksheet.row_dimensions[row].height = 32
        row += 1
    row += 1
    for index, title in enumerate(("工作表", "列名", "是否必填", "填写要求", "示例"), start=1):
        cell = worksheet.cell(row=row, column=index, value=title)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _BORDER
    for spec in specs:
        for column in spec.columns:
            row += 1
            required = "必填" if column.cell_required else ("二选一" if column.kind == "yuan" and column.header_required else "选填")
            example = column.example.isoformat() if hasattr(column.example, "isoformat") else ("" if column.example is None else str(column.example))
            for index, value in enumerate((spec.name, column.header, required, column.help, example), start=1):
                cell = worksheet.cell(row=row, column=index, value=value)
                cell.border = _BORDER
                cell.number_format = "@"
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDE", (12, 22, 10, 70, 30), strict=True):
        worksheet.column_dimensions[letter].width = width
    worksheet.freeze_panes = None


def _workbook(specs: tuple[SheetSpec, ...], purpose: str) -> Workbook:
    workbook = Workbook()
    first = workbook.active
    assert first is not None  # a new Workbook always has one sheet
    _write_sheet(first, specs[0])
    for spec in specs[1:]:
        _write_sheet(workbook.create_sheet(), spec)
    _write_help(workbook.create_sheet(), specs, purpose)
    workbook.active = 0
    workbook.properties.title = purpose
    workbook.properties.creator = "disclosure-kiosk"
    return workbook


def ledger_workbook() -> Workbook:
    """财务公开台账: sheets 期初余额, 收支明细, 填写说明."""
    return _workbook(LEDGER_SHEETS, "财务公开台账")


def payment_workbook() -> Workbook:
    """补贴发放名单: sheets 发放名单, 填写说明."""
    return _workbook(PAYMENT_SHEETS, "补贴发放名单")


def synonym_workbook() -> Workbook:
    """同义词: sheets 同义词, 填写说明."""
    return _workbook(SYNONYM_SHEETS, "同义词")


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx bytes with fixed timestamps, so regenerating an unchanged template changes nothing."""
    raw = io.BytesIO()
    workbook.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = data.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)", rf"\g<1>{_FIXED_TIME}\g<3>", text)
                data = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


def template_bytes() -> dict[str, bytes]:
    """File name → bytes of every template."""
    return {LEDGER_TEMPLATE: workbook_bytes(ledger_workbook()), PAYMENT_TEMPLATE: workbook_bytes(payment_workbook()),
            SYNONYM_TEMPLATE: workbook_bytes(synonym_workbook())}


def write_templates(folder: Path = TEMPLATES_DIR) -> list[Path]:
    """Write every template into ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in template_bytes().items():
        path = folder / name
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    for path in write_templates(Path(args[0]) if args else TEMPLATES_DIR):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
