"""Generated resource bombs for the bounded-reader tests (#13 item 7). Nothing is stored in the repo:
every file is written by these functions into the test's tmp folder, small on disk, huge when read.

    python -m tests.hostile.bombs OUT_DIR     # writes the whole set, for trying the app by hand
"""

from __future__ import annotations

import os
import struct
import sys
import zipfile
import zlib
from pathlib import Path

_CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
_WB = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="花名册" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WB_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
</Relationships>"""
_SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')


def col_letter(n: int) -> str:
    s = ""
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def _istr(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _xlsx(path: Path, sheet_rows: list[str], dimension: str | None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        dim = f'<dimension ref="{dimension}"/>' if dimension else ""
        z.writestr("xl/worksheets/sheet1.xml", _SHEET_HEAD + dim + "<sheetData>" + "".join(sheet_rows)
                   + "</sheetData></worksheet>")
    return path


def wide_xlsx(path: Path, *, columns: int = 10_000, rows: int = 60, declare: bool = True) -> Path:
    """A roster header, then ``rows`` rows each using ``columns`` columns (a number in every cell):
    ~70 KB on disk, hundreds of millions of bytes once openpyxl pads the rows. With ``declare`` the
    sheet's <dimension> says so; without it only the cells tell."""
    out = ['<row r="1">' + _istr("A1", "姓名") + _istr("B1", "身份证号") + "</row>"]
    for r in range(2, rows + 2):
        cells = "".join(f'<c r="{col_letter(c)}{r}"><v>1</v></c>' for c in range(1, columns + 1))
        out.append(f'<row r="{r}">{cells}</row>')
    return _xlsx(path, out, f"A1:{col_letter(columns)}{rows + 1}" if declare else None)


def far_cell_xlsx(path: Path, *, rows: int = 2_000) -> Path:
    """No <dimension>; every row has one value in column XFD (16,384): each row read pads to 16,384
    cells. A different shape of the same class as ``wide_xlsx``."""
    out = ['<row r="1">' + _istr("A1", "姓名") + _istr("B1", "身份证号") + "</row>"]
    out += [f'<row r="{r}"><c r="A{r}"><v>1</v></c><c r="XFD{r}"><v>1</v></c></row>' for r in range(2, rows + 2)]
    return _xlsx(path, out, None)


def zip_bomb_xlsx(path: Path, *, inflated: int = 300 * 1024 * 1024) -> Path:
    """An xlsx whose sheet inflates to ``inflated`` bytes of blank XML (≈ 300 KB on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        head = (_SHEET_HEAD + '<sheetData><row r="1">' + _istr("A1", "姓名") + _istr("B1", "身份证号")
                + "</row>").encode()
        tail = b"</sheetData></worksheet>"
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            chunk = b" " * (4 * 1024 * 1024)
            left = inflated - len(head) - len(tail)
            while left > 0:
                fh.write(chunk[:left])
                left -= len(chunk)
            fh.write(tail)
    return path


def wide_csv(path: Path, *, mb: int = 40) -> Path:
    """A CSV header, then one record of ``mb`` MB of commas (millions of empty fields)."""
    with path.open("wb") as fh:
        fh.write("姓名,身份证号\n".encode())
        fh.write(b"," * (mb * 1024 * 1024))
        fh.write(b"\n")
    return path


def huge_png(path: Path, *, width: int = 60_000, height: int = 60_000) -> Path:
    """A PNG whose header declares width × height pixels (3.6 G pixels by default); a few bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    idat = zlib.compress(b"\x00" * (width + 1) * 4)  # a few rows; the rest is missing
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    return path


def many_pages_pdf(path: Path, *, pages: int = 5_000) -> Path:
    import pymupdf

    doc = pymupdf.open()
    for _ in range(pages):
        doc.new_page(width=595, height=842)
    doc.save(path, garbage=0)
    doc.close()
    return path


def giant_page_pdf(path: Path) -> Path:
    """One page of 14,400 × 14,400 pt (PDF's maximum): 40,000 × 40,000 pixels at 200 dpi."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=14_400, height=14_400)
    page.insert_text((72, 72), "giant")
    doc.save(path)
    doc.close()
    return path


def zero_symlink(path: Path) -> Path:
    """A symlink to /dev/zero (endless bytes) named like a scan."""
    os.symlink("/dev/zero", path)
    return path


def fifo(path: Path) -> Path:
    """A named pipe (reading it blocks until a writer comes: forever)."""
    os.mkfifo(path)
    return path


def write_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [wide_xlsx(out / "wide.xlsx"), wide_xlsx(out / "wide_undeclared.xlsx", declare=False),
            far_cell_xlsx(out / "far_cell.xlsx"), zip_bomb_xlsx(out / "zip_bomb.xlsx"),
            wide_csv(out / "wide.csv"), huge_png(out / "huge.png"), many_pages_pdf(out / "5000_pages.pdf"),
            giant_page_pdf(out / "giant_page.pdf"), zero_symlink(out / "zero.jpg"), fifo(out / "fifo.jpg")]


if __name__ == "__main__":  # pragma: no cover
    for p in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "bombs")):
        print(p)
