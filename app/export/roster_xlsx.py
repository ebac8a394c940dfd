"""Roster files we write: the blank template, and the stored roster as .xlsx or .csv.

Both follow the header contract in app/roster/columns.py, so an exported file imports back
unchanged. The template carries dropdowns (data validation) for the vocabulary columns, text format
for 身份证号/联系电话, date format for date columns, and a "填写说明" sheet in Chinese. Every file is
written atomically (app/fileio.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.person import PersonData
from app.export.cells import append_row, csv_cell
from app.fileio import atomic_write_bytes
from app.roster.columns import COLUMNS, Column, person_values

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from app.policy.eligibility import Verdict

DATA_SHEET = "花名册"
HELP_SHEET = "填写说明"
TEMPLATE_ROWS = 2000  # rows covered by dropdowns and formats in the template
VERDICT_HEADERS = ("申报结论", "申报路径", "申报级别", "可申报职称", "最早可申报日期", "原因", "缺少信息")
DATE_FORMAT = "yyyy-mm-dd"


def verdict_values(v: Verdict | None) -> list[Any]:
    if v is None:
        return ["", "", "", "", None, "", ""]
    reasons = "；".join(getattr(r, "message", str(r)) for r in (v.reasons or []))
    return [v.status or "", v.route or "", v.level or "", v.title or "", v.earliest_date, reasons,
            "、".join(v.missing or [])]


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="B7B7B7")
    return {
        "header_font": Font(bold=True),
        "required_font": Font(bold=True, color="C00000"),
        "header_fill": PatternFill("solid", fgColor="DDEBF7"),
        "verdict_fill": PatternFill("solid", fgColor="E2EFDA"),
        "align": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
    }


def _write_header(ws: Worksheet, columns: Sequence[Column], extra: Sequence[str] = (),
                  *, comments: bool = True) -> None:
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    st = _styles()
    append_row(ws, [c.header for c in columns] + list(extra))
    for j, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=j)
        cell.font = st["required_font"] if col.required else st["header_font"]
        cell.fill, cell.alignment, cell.border = st["header_fill"], st["align"], st["border"]
        if comments:
            text = ("必填。" if col.required else "") + (col.hint or "") + (f"\n例：{col.example}" if col.example else "")
            if text.strip():
                cell.comment = Comment(text.strip(), "初定申报助手", width=260, height=110)
        letter = get_column_letter(j)
        ws.column_dimensions[letter].width = col.width + 2
    for k, header in enumerate(extra, start=len(columns) + 1):
        cell = ws.cell(row=1, column=k)
        cell.font, cell.fill, cell.alignment, cell.border = (st["header_font"], st["verdict_fill"], st["align"],
                                                             st["border"])
        ws.column_dimensions[get_column_letter(k)].width = 30 if header == "原因" else 14
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "C2"


def _add_validations(ws: Worksheet, columns: Sequence[Column], last_row: int) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for j, col in enumerate(columns, start=1):
        letter = get_column_letter(j)
        rng = f"{letter}2:{letter}{last_row}"
        if col.allowed:
            dv = DataValidation(type="list", formula1='"' + ",".join(col.allowed) + '"', allow_blank=True)
            dv.showDropDown = False  # (sic) False = show the in-cell arrow
            dv.promptTitle, dv.prompt = col.header, "请从下拉列表中选择"
            dv.showInputMessage = True
            if col.strict:
                dv.errorStyle, dv.showErrorMessage = "stop", True
                dv.errorTitle, dv.error = "输入有误", f"{col.header}只能填写：{'/'.join(col.allowed)}"
            else:
                dv.showErrorMessage = False
            ws.add_data_validation(dv)
            dv.add(rng)
        elif col.kind == "id":
            dv = DataValidation(type="textLength", operator="equal", formula1="18", allow_blank=True)
            dv.errorStyle, dv.showErrorMessage = "warning", True
            dv.errorTitle, dv.error = "请核对", "身份证号应为 18 位（本列须为文本格式）"
            ws.add_data_validation(dv)
            dv.add(rng)


def _format_columns(ws: Worksheet, columns: Sequence[Column]) -> None:
    """Column-wide number formats: text for IDs and phones (so Excel keeps every digit), dates."""
    from openpyxl.utils import get_column_letter

    for j, col in enumerate(columns, start=1):
        dim = ws.column_dimensions[get_column_letter(j)]
        if col.kind in ("id", "phone"):
            dim.number_format = "@"
        elif col.kind == "date":
            dim.number_format = DATE_FORMAT


def _help_sheet(wb: Any) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(HELP_SHEET)
    lines = [
        "花名册填写说明",
        "1. 只填写第一个工作表“花名册”，第 1 行是表头，请勿修改列名；可以在表头上方加标题行，也可以增加其他列（导入时忽略）。",
        "2. 红色列名为必填项：姓名、身份证号。其余列可以留空，留空的信息在资格判断中会显示为“信息不全”。",
        "3. 身份证号、联系电话请保持“文本”格式（模板已设置）。若身份证号被 Excel 显示为 6.50102E+17，说明已丢失末尾数字，"
        "须改为文本格式后重新输入。",
        "4. 日期填写为 2023-06-30，也可写 2023/06/30、2023.06.30、2023年06月30日，或使用 Excel 日期格式。",
        "5. 每人一行，只填写最高学历及其学位；有下拉箭头的列请从列表中选择。",
        "6. 考核结果写成“年度:结果”，多年用分号分隔，例如 2023:合格;2024:优秀。",
        "7. 继续教育写成“年度:公需学时,专业学时”，多年用分号分隔，例如 2023:公需30,专业56;2024:公需30,专业60；免修写 2024:免修。",
        "8. 再次导入同一身份证号的人员时，默认不覆盖已有信息并提示“重复”；勾选“更新已有人员”"
        "才会用文件中的内容更新（文件中没有的列保持原值）。",
        "9. 请勿在本表中填写真实信息以外的内容；本文件含个人信息，请妥善保管。",
        "",
    ]
    for text in lines:
        append_row(ws, [text])
    ws["A1"].font = Font(bold=True, size=14)
    start = ws.max_row + 1
    append_row(ws, ["列名", "是否必填", "填写格式 / 可选值", "示例"])
    for c in ws[start]:
        c.font = Font(bold=True)
    for col in COLUMNS:
        append_row(ws, [col.header, "必填" if col.required else "选填", col.hint, col.example])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 70
    ws.column_dimensions["D"].width = 26
    for row in ws.iter_rows(min_row=start):
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")


def _save(wb: Any, path: Path, what: str) -> None:
    buf = io.BytesIO()
    wb.save(buf)
    atomic_write_bytes(path, buf.getvalue(), what=what)


def write_template(path: str | Path) -> None:
    """A blank roster workbook: header row, dropdowns, formats and a Chinese instructions sheet."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DATA_SHEET
    _write_header(ws, COLUMNS)
    _format_columns(ws, COLUMNS)
    _add_validations(ws, COLUMNS, TEMPLATE_ROWS)
    _help_sheet(wb)
    _save(wb, Path(path), "保存花名册模板")


def _cell_value(col: Column | None, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def write_roster_xlsx(path: str | Path, persons: Iterable[PersonData],
                      verdicts: Mapping[int, Verdict] | None = None) -> int:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = DATA_SHEET
    extra = VERDICT_HEADERS if verdicts is not None else ()
    _write_header(ws, COLUMNS, extra, comments=False)
    _format_columns(ws, COLUMNS)
    n = 0
    date_cols = [j for j, c in enumerate(COLUMNS) if c.kind == "date"] + (
        [len(COLUMNS) + VERDICT_HEADERS.index("最早可申报日期")] if verdicts is not None else [])
    for p in persons:
        values = person_values(p)
        row: list[Any] = [_cell_value(c, values[c.header]) for c in COLUMNS]
        if verdicts is not None:
            row += verdict_values(verdicts.get(p.id) if p.id is not None else None)
        r = append_row(ws, row)  # every text a string cell (never a formula), XML-safe
        n += 1
        for j in date_cols:
            if row[j] is not None:
                ws.cell(row=r, column=j + 1).number_format = DATE_FORMAT
    _add_validations(ws, COLUMNS, max(n + 1, 2))
    ws.auto_filter.ref = ws.dimensions
    _help_sheet(wb)
    _save(wb, Path(path), "导出花名册")
    return n


def write_roster_csv(path: str | Path, persons: Iterable[PersonData],
                     verdicts: Mapping[int, Verdict] | None = None) -> int:
    """UTF-8 with BOM (Excel on Windows then opens it correctly), comma separated, ISO dates."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    extra = list(VERDICT_HEADERS) if verdicts is not None else []
    w.writerow([csv_cell(h) for h in [c.header for c in COLUMNS] + extra])
    n = 0
    for p in persons:
        values = person_values(p)
        row = [values[c.header] for c in COLUMNS]
        if verdicts is not None:
            row += verdict_values(verdicts.get(p.id) if p.id is not None else None)
        w.writerow([csv_cell(v) for v in row])  # formula starts quoted (OWASP), XML-illegal chars dropped
        n += 1
    atomic_write_bytes(path, ("\ufeff" + buf.getvalue()).encode("utf-8"), what="导出花名册")
    return n
