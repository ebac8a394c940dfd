"""Hostile names and a hostile roster, generated (run ``python -m tests.hostile.names DIR`` to write
the roster files into DIR for manual trials).

Classes: path traversal and absolute paths (POSIX, Windows drive, UNC, NT device paths), NUL and
other control characters, Windows device names, overlong names, Unicode lookalike slashes and dots
that NFKC folds into real ones, bidi overrides, zero-width characters, trailing dots/spaces, and
spreadsheet formulas (OWASP CSV injection). ``NEW_CASES`` are cases written after the fixes, of the
same classes but not among the issue's examples, to check the classes (not the examples) are fixed.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from pathlib import Path

# Names that must not escape a folder or be refused by Windows when they become file names.
PATH_NAMES = [
    "../../../tmp/PWN",  # the example
    "..",
    ".",
    "../",
    "..\\..\\..\\Windows\\PWN",
    "/etc/passwd",
    "/tmp/PWN",
    "C:\\Windows\\System32\\PWN",
    "C:PWN",
    "\\\\attacker\\share\\PWN",
    "\\\\?\\C:\\PWN",
    "张\x00三",
    "CON",
    "nul.txt",
    "COM1",
    "LPT9 ",
    "aux.pdf",
    "张三. . .",
    " 张三 ",
    "名" * 300,
    "x" * 300,
    "a\u2215..\u2215..\u2215PWN",  # DIVISION SLASH
    "\uff0e\uff0e\uff0f\uff0e\uff0e\uff0fPWN",  # full-width ．．／ (NFKC: ../)
    "..\u2044..\u2044PWN",  # FRACTION SLASH
    "mixed/..\\..:*?\"<>|\x7f",
    "张\u202egpj.exe",  # RIGHT-TO-LEFT OVERRIDE: displays as 张exe.jpg
    "张\u200b三",  # ZERO WIDTH SPACE
]

# Spreadsheet formulas (OWASP): every one must arrive in a file as text, never as a formula.
FORMULA_NAMES = [
    '=HYPERLINK("http://x","y")',  # the example
    "+1+1",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
]

# Control and invisible characters a roster import must refuse with the row and the column.
INVISIBLE_NAMES = [
    "李\x0b晓雯",  # vertical tab: the example
    "李\x1b晓雯",
    "李\x85晓雯",  # NEXT LINE (C1)
    "李\u2028晓雯",  # LINE SEPARATOR
    "李晓\u202e雯",
    "李\u2066晓雯",
    "李\u200d晓雯",
    "李晓雯.",
]

# Written after the fixes: same classes, not among the examples.
NEW_CASES = [
    "\ufe68\ufe68PWN\ufe68..",  # SMALL REVERSE SOLIDUS
    "COM\u00b9",  # superscript one: a device name on Windows
    "CONIN$",
    "..\u2025\uff0f\u2024\u2024\uff0fPWN",  # two-dot leader and one-dot leaders
    "=IMPORTXML(\"http://x\",\"//a\")",
    "\u2067名\u2069.pdf",
    "李\x0c晓雯",  # form feed
]

ALL_NAMES = PATH_NAMES + FORMULA_NAMES + NEW_CASES


def hostile_rows(make_id: Callable[..., str]) -> list[dict[str, str]]:
    """Roster rows (contract headers) with hostile values; ID numbers valid and invented."""
    import datetime as dt

    rows = []
    for k, name in enumerate(FORMULA_NAMES + INVISIBLE_NAMES + ["../../../tmp/PWN", "CON"]):
        rows.append({
            "姓名": name, "身份证号": make_id(dt.date(1990 + k % 9, 1 + k % 12, 1 + k % 27)), "性别": "",
            "单位名称": "=HYPERLINK(\"http://x\",\"单位\")" if k == 0 else "新疆示例有限公司",
            "备注": "第一行\n第二行" if k == 1 else "",
        })
    return rows


def write_roster_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    headers = list(rows[0])
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers)
    for r in rows:
        w.writerow([r[h] for h in headers])
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path


def write_roster_xlsx(path: Path, rows: list[dict[str, str]]) -> Path:
    """An xlsx an attacker could make: formulas stored as real formula cells, and every invisible
    character an xlsx can hold (XML 1.0 cannot hold most C0 controls: those come by csv)."""
    import openpyxl

    from app.domain.text import XML_ILLEGAL

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "花名册"
    headers = list(rows[0])
    ws.append(headers)
    for r in rows:
        if not any(XML_ILLEGAL.search(v) for v in r.values()):
            ws.append([r[h] for h in headers])
    wb.save(path)
    return path


def main(argv: list[str]) -> int:
    from app.policy.identifiers import make_id_number

    out = Path(argv[1] if len(argv) > 1 else "hostile-corpus")
    out.mkdir(parents=True, exist_ok=True)
    seq = iter(range(3, 30000, 3))

    def make_id(birth):  # type: ignore[no-untyped-def]
        return make_id_number("650102", birth, next(seq), male=True)

    rows = hostile_rows(make_id)
    write_roster_csv(out / "hostile_roster.csv", rows)
    write_roster_xlsx(out / "hostile_roster.xlsx", rows)
    (out / "hostile_names.txt").write_text("\n".join(repr(n) for n in ALL_NAMES), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
