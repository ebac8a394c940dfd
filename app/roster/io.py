"""Reading roster files (.xlsx, .csv) into PersonData rows with row-level issues.

``read_roster`` never touches the database. It refuses files it cannot read with an
``InputFileError`` carrying a Chinese message (empty, too large, corrupt, password-protected,
legacy .xls, wrong type), finds the header row among the first rows (title rows and merged header
cells are common), maps header names to the contract (app/roster/columns.py), parses every
non-empty row and validates it with ``validate_person``.

A ``RosterRow`` has ``person=None`` when its identity (姓名/身份证号) is unusable; otherwise the
person carries every field that parsed, and ``issues`` lists the rest. Rows with any error-severity
issue are rejected by the importer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.domain.person import PersonData
from app.errors import InputFileError
from app.fileio import check_zip_bounds, read_user_file
from app.roster.columns import (
    BY_HEADER,
    COLUMNS,
    REQUIRED,
    CellError,
    Column,
    build_person,
    clean_text,
    match_header,
)
from app.roster.validate import validate_person

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 100_000
# Readers are bounded by what a roster can hold, not by what a file declares: the contract has a few
# dozen columns; cells read (including empty ones a writer stored) are capped so that a small file
# declaring 10,000 columns or a million formatted cells is refused instead of filling the memory.
MAX_COLUMNS = 200
MAX_CELLS_READ = MAX_ROWS * 60
HEADER_SCAN_ROWS = 10

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")

MSG_PASSWORD = "文件受密码保护，请先在 Excel 中取消密码后再导入"
MSG_LEGACY_XLS = "这是旧版 Excel 97-2003（.xls）文件，暂不支持。请在 Excel 中“另存为”“Excel 工作簿（*.xlsx）”后再导入"


@dataclass
class RowIssue:
    row: int  # 1-based sheet row (csv: line number of the record)
    column: str  # Chinese header, "" for the whole row
    message: str
    severity: str = "error"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RosterRow:
    row: int
    person: PersonData | None
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


@dataclass
class RosterReadResult:
    path: Path
    rows: list[RosterRow]
    header_issues: list[str]
    header_row: int = 0
    columns: list[str] = field(default_factory=list)  # contract headers found, in file order


# --------------------------------------------------------------------------------------------------
# File sniffing
# --------------------------------------------------------------------------------------------------


def _refuse(path: Path, message: str, detail: str | None = None) -> InputFileError:
    return InputFileError(f"无法读取“{path.name}”：{message}", detail=detail)


def _check_file(path: Path) -> tuple[str, bytes]:
    """('xlsx' | 'csv', file bytes) or InputFileError."""
    data = read_user_file(path, MAX_BYTES, what="文件")
    if not data:
        raise _refuse(path, "文件是空的（0 字节）")
    suffix = path.suffix.lower()
    head = data[:8]
    if head.startswith(OLE2_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _refuse(path, MSG_PASSWORD)
        if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
            raise _refuse(path, MSG_LEGACY_XLS)
        raise _refuse(path, "这是旧版 Office（OLE2）文件而不是 Excel 表格，请另存为 .xlsx 或 .csv 后再导入")
    if head.startswith(b"%PDF"):
        raise _refuse(path, "这是 PDF 文档，不是 Excel 表格或 CSV 文件。请导入花名册的 .xlsx 或 .csv 文件")
    if suffix == ".xls":
        raise _refuse(path, MSG_LEGACY_XLS if not head.startswith(ZIP_MAGIC) else
                      "文件扩展名是 .xls，但内容是 .xlsx。请把扩展名改为 .xlsx 后再导入")
    if suffix in XLSX_SUFFIXES:
        if not head.startswith(ZIP_MAGIC):
            raise _refuse(path, "文件已损坏或不是 Excel 工作簿（.xlsx）。请用 Excel 打开确认，并重新保存为 .xlsx")
        return "xlsx", data
    if suffix in CSV_SUFFIXES:
        if head.startswith(ZIP_MAGIC):
            raise _refuse(path, f"文件扩展名是 {suffix}，但内容是 Excel 工作簿。请把扩展名改为 .xlsx 后再导入")
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _refuse(path, "文件内容不是文本，不是有效的 CSV 文件")
        return "csv", data
    raise _refuse(path, f"不支持的文件类型“{suffix or '无扩展名'}”。请使用 Excel 工作簿（.xlsx）或 CSV（.csv）")


# --------------------------------------------------------------------------------------------------
# Raw rows: xlsx and csv
# --------------------------------------------------------------------------------------------------


def _has_header(rows: Sequence[Sequence[Any]]) -> bool:
    return any(len({c.header for c in (match_header(v) for v in row) if c}) >= 2 for row in rows)


def _xlsx_rows(path: Path, data: bytes, notes: list[str]) -> list[tuple[Any, ...]]:
    """All rows of the roster sheet: the first sheet, or the first one with a header if the first has none."""
    import warnings

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_zip_bounds(data, path.name, what="Excel 工作簿")
    with warnings.catch_warnings():
        # openpyxl warns about features it drops (extensions, styles); irrelevant for reading values.
        warnings.simplefilter("ignore")
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, EOFError) as exc:
            raise _refuse(path, "文件已损坏或不是有效的 Excel 工作簿（.xlsx）。请用 Excel 打开并重新保存后再导入",
                          repr(exc)) from exc
        except Exception as exc:  # openpyxl raises many kinds on broken XML
            raise _refuse(path, "文件内容无法解析，可能已损坏。请用 Excel 打开并重新保存后再导入",
                          repr(exc)) from exc
        try:
            sheets = [ws for ws in wb.worksheets if hasattr(ws, "iter_rows")]
            if not sheets:
                raise _refuse(path, "工作簿中没有工作表")
            ws = sheets[0]
            declared = {id(ws): (ws.max_row, ws.max_column) for ws in sheets}
            for candidate in sheets:
                candidate.reset_dimensions()  # some writers store a wrong <dimension>; read every cell
                head = _bounded_list(candidate.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True), path)
                if _has_header(head):
                    ws = candidate
                    break
            if ws is not sheets[0]:
                notes.append(f"第一个工作表中没有花名册表头，已读取工作表“{ws.title}”")
            rows, cols = declared[id(ws)]
            if cols and cols > MAX_COLUMNS:
                raise _refuse(path, f"工作表“{ws.title}”声明了 {cols:,} 列，超过 {MAX_COLUMNS} 列的上限。"
                                    "请删除多余的列（或把花名册复制到新的工作簿）后再导入")
            if rows and rows > MAX_ROWS + HEADER_SCAN_ROWS:
                raise _refuse(path, f"工作表“{ws.title}”声明了 {rows:,} 行，超过 {MAX_ROWS:,} 行的上限。"
                                    "请删除多余的行或拆分为多个文件后再导入")
            return _bounded_list(ws.iter_rows(values_only=True), path)
        except InputFileError:
            raise
        except Exception as exc:
            raise _refuse(path, "工作表内容无法解析，可能已损坏。请用 Excel 打开并重新保存后再导入",
                          repr(exc)) from exc
        finally:
            wb.close()


def decode_csv_bytes(path: Path, data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030/GBK detected with charset-normalizer."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[str] = []
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None:
        enc = best.encoding.lower().replace("-", "_")
        candidates.append("gb18030" if enc in ("gbk", "gb2312", "gb18030", "cp936", "hz") else best.encoding)
    candidates += ["gb18030", "big5"]
    decoded: list[str] = []
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if any(match_header(h) for h in ("姓名", "身份证号") if h in text):
            return text
        decoded.append(text)
    if decoded:
        return decoded[0]
    raise _refuse(path, "无法识别文件编码。请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后再导入")


MAX_RECORD_CHARS = 1_000_000  # one CSV record (row): far beyond any roster row, bounds its field list


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _text_lines(path: Path, text: str) -> Iterator[str]:
    """The physical lines of ``text`` (ends kept, like ``io.StringIO(text, newline="")``), refusing a
    line longer than ``MAX_RECORD_CHARS`` before copying it."""
    pos = 0
    for m in _NEWLINE.finditer(text):
        if m.end() - pos > MAX_RECORD_CHARS:
            break
        yield text[pos:m.end()]
        pos = m.end()
    else:
        if len(text) - pos <= MAX_RECORD_CHARS:
            if pos < len(text):
                yield text[pos:]
            return
    raise _refuse(path, f"CSV 中有一行超过 {MAX_RECORD_CHARS:,} 个字符，不是有效的花名册。请检查文件（引号是否成对）后再导入")


def _csv_rows(path: Path, data: bytes) -> Iterator[tuple[Any, ...]]:
    import itertools

    text = decode_csv_bytes(path, data)
    del data
    sample = "".join(itertools.islice(_text_lines(path, text), HEADER_SCAN_ROWS))
    counts = {d: sample.count(d) for d in (",", "\t", ";", "，")}
    del sample
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    pending = 0

    def lines() -> Iterator[str]:
        nonlocal pending
        for line in _text_lines(path, text):
            pending += len(line)
            if pending > MAX_RECORD_CHARS:  # one record spread over many lines (quoted newlines)
                raise _refuse(path, f"CSV 中有一行超过 {MAX_RECORD_CHARS:,} 个字符，不是有效的花名册。"
                                    "请检查文件（引号是否成对）后再导入")
            yield line

    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for record in reader:
            pending = 0
            yield tuple(record)
    except csv.Error as exc:
        raise _refuse(path, f"CSV 格式错误（第 {reader.line_num} 行）：{exc}", repr(exc)) from exc


# --------------------------------------------------------------------------------------------------
# Header detection
# --------------------------------------------------------------------------------------------------


def _is_empty(row: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in row)


def find_header(rows: Sequence[Sequence[Any]]) -> tuple[int, dict[int, Column], list[str]]:
    """(index of the header row in ``rows``, column index → Column, header issues).

    The header row is the row among the first ones that names the most contract columns. Cells it
    leaves blank are looked up in the rows above: a header cell merged vertically over two rows keeps
    its text in the top row only (and a group title like "单位信息" above the sub-headers is ignored).
    """
    best, best_n = -1, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        n = len({c.header for c in (match_header(v) for v in row) if c})
        if n > best_n:
            best, best_n = i, n
    if best < 0 or best_n < 2:
        raise InputFileError(
            f"未找到表头：前 {HEADER_SCAN_ROWS} 行中没有找到“姓名”“身份证号”等列名。"
            "请使用“导出模板”生成的表格，或把表头改成模板中的列名")
    mapping: dict[int, Column] = {}
    issues: list[str] = []
    unknown: list[str] = []
    seen: dict[str, int] = {}
    width = max(len(r) for r in rows[: best + 1])
    for j in range(width):
        col: Column | None = None
        text = ""
        for i in range(best, max(-1, best - 3), -1):
            cell = rows[i][j] if j < len(rows[i]) else None
            if cell is None or not clean_text(cell):
                continue
            text = clean_text(cell)
            col = match_header(cell)
            break
        if col is None:
            if text:
                unknown.append(text)
            continue
        if col.header in seen:
            issues.append(f"“{col.header}”列出现了多次，只使用第一次出现的那一列")
            continue
        seen[col.header] = j
        mapping[j] = col
    missing_required = [h for h in REQUIRED if h not in seen]
    if missing_required:
        raise InputFileError(
            f"表头中缺少必填列：{'、'.join(missing_required)}。请使用“导出模板”生成的表格，或补上这些列")
    if unknown:
        issues.append(f"已忽略不认识的列：{'、'.join(unknown)}")
    return best, mapping, issues


# --------------------------------------------------------------------------------------------------
# Rows → persons
# --------------------------------------------------------------------------------------------------


def parse_row(row_number: int, cells: Sequence[Any], mapping: dict[int, Column], *,
              today: dt.date | None = None) -> RosterRow:
    values: dict[str, Any] = {}
    issues: list[RowIssue] = []
    for j, col in mapping.items():
        raw = cells[j] if j < len(cells) else None
        try:
            values[col.header] = col.parse(raw)
        except CellError as exc:
            issues.append(RowIssue(row_number, col.header, exc.message))
    person = build_person(values)
    bad = {i.column for i in issues}
    for fi in validate_person(person, today=today):
        if fi.field in bad:
            continue  # already explained by the parse error
        message = "身份证号不能为空" if fi.message == "身份证号为空" else fi.message
        if fi.field == "身份证号" and "校验位" in message and person.id_number.endswith("000"):
            message += "（末三位是 000：可能是 Excel 把身份证号存成了数字而丢失了末尾数字，请把该列设为“文本”格式后重新填写）"
        issues.append(RowIssue(row_number, fi.field, message, fi.severity))
    if "处分期满日期" in values and values["处分期满日期"] and not person.disciplines:
        issues.append(RowIssue(row_number, "处分期满日期", "填写了处分期满日期但“处分”为空或“无”，已忽略该日期",
                               "warning"))
    identity_bad = any(i.severity == "error" and i.column in ("姓名", "身份证号") for i in issues)
    return RosterRow(row_number, None if identity_bad else person, issues)


def _bounded_list(it: Iterable[Sequence[Any]], path: Path) -> list[tuple[Any, ...]]:
    """The rows of ``it`` with trailing empty cells dropped, refused (Chinese) beyond the caps:
    more than ``MAX_COLUMNS`` columns holding data, more than ``MAX_ROWS`` rows holding data, or
    more than ``MAX_CELLS_READ`` cells read. Only the trimmed rows are kept, so memory follows the
    data, not the width a writer declared."""
    rows: list[tuple[Any, ...]] = []
    n_data = 0
    cells = 0
    for k, raw in enumerate(it, start=1):
        cells += len(raw)
        if cells > MAX_CELLS_READ:
            raise _refuse(path, f"表格中的单元格过多（超过 {MAX_CELLS_READ:,} 个，可能含有大量空白格式单元格）。"
                                "请把花名册复制到新的工作簿或另存为 CSV 后再导入")
        end = len(raw)
        while end and (raw[end - 1] is None or (isinstance(raw[end - 1], str) and not raw[end - 1].strip())):
            end -= 1
        if end > MAX_COLUMNS:
            raise _refuse(path, f"第 {k} 行有 {end:,} 列，超过 {MAX_COLUMNS} 列的上限。请删除多余的列后再导入")
        row = tuple(raw[:end])
        rows.append(row)
        if end:
            n_data += 1
            if n_data > MAX_ROWS + HEADER_SCAN_ROWS:
                raise _refuse(path, f"行数过多（超过 {MAX_ROWS:,} 行）。请拆分为多个文件后再导入")
    return rows


def read_roster(path: str | Path, *, today: dt.date | None = None,
                progress: Callable[[int, int], None] | None = None) -> RosterReadResult:
    """Read and validate a roster file; raises InputFileError (Chinese) if the file is unreadable.

    ``progress(done, total)`` is called while rows are parsed (every 200 rows, and at the end);
    it may raise (e.g. ``Cancelled``) to stop.
    """
    path = Path(path)
    kind, data = _check_file(path)
    notes: list[str] = []
    rows = _xlsx_rows(path, data, notes) if kind == "xlsx" else _bounded_list(_csv_rows(path, data), path)
    # Trailing empty rows (formatted but blank) are dropped; a file with no rows has no header.
    while rows and _is_empty(rows[-1]):
        rows.pop()
    if not rows:
        raise _refuse(path, "文件中没有任何内容")
    header_idx, mapping, header_issues = find_header(rows)
    header_issues = notes + header_issues
    body = rows[header_idx + 1:]
    n_data = sum(1 for r in body if not _is_empty(r))
    if n_data > MAX_ROWS:
        raise _refuse(path, f"行数过多（{n_data:,} 行，上限 {MAX_ROWS:,} 行）。请拆分为多个文件后再导入")
    today = today or dt.date.today()
    result_rows: list[RosterRow] = []
    first_row = header_idx + 2  # 1-based sheet row of the first data row
    if progress:
        progress(0, n_data)
    for k, cells in enumerate(body):
        if _is_empty(cells):
            continue
        result_rows.append(parse_row(first_row + k, cells, mapping, today=today))
        if progress and len(result_rows) % 200 == 0:
            progress(len(result_rows), n_data)
    if progress:
        progress(n_data, n_data)
    return RosterReadResult(path=path, rows=result_rows, header_issues=header_issues,
                            header_row=header_idx + 1, columns=[c.header for c in mapping.values()])


__all__ = ["BY_HEADER", "COLUMNS", "MAX_BYTES", "MAX_CELLS_READ", "MAX_COLUMNS", "MAX_ROWS", "RosterReadResult", "RosterRow", "RowIssue",
           "read_roster"]
