"""Spreadsheets and CSV carry no live formulas (app/export/cells.py); invisible characters are
refused where data comes in (app/roster/validate.py) and removed where it goes out (scrub)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from app.domain.person import Education, PersonData, UnitData
from app.domain.text import scrub
from app.errors import ValidationError
from app.export.cells import csv_cell
from app.export.roster_xlsx import write_roster_csv, write_roster_xlsx, write_template
from app.roster.io import read_roster
from app.roster.validate import text_field_issues, validate_person
from tests.core import test_bundle
from tests.core.test_bundle_support import make_plan
from tests.hostile.names import FORMULA_NAMES, INVISIBLE_NAMES, NEW_CASES

DANGER = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = FORMULA_NAMES + [n for n in NEW_CASES if n.startswith("=")]

_sources = test_bundle._sources  # fixtures shared with test_bundle.py
two_persons = test_bundle.two_persons


def _persons(make_id, names: list[str]) -> list[PersonData]:
    return [PersonData(name=n, id_number=make_id(), gender="男", id=k, notes=n, specialty=n,
                       unit=UnitData(name=n), educations=[Education(school=n, major="-1")])
            for k, n in enumerate(names, start=1)]


def _formula_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path)
    return [f"{ws.title}!{c.coordinate}" for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def test_roster_xlsx_holds_every_formula_as_text(tmp_path: Path, make_id) -> None:
    path = tmp_path / "r.xlsx"
    write_roster_xlsx(path, _persons(make_id, [*FORMULAS, "李\x0b晓雯"]), verdicts={})
    assert _formula_cells(path) == []
    ws = openpyxl.load_workbook(path)["花名册"]
    names = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert names == [n for n in FORMULAS] + ["李晓雯"]  # unchanged text; the vertical tab dropped


def test_roster_template_has_no_formula_cells(tmp_path: Path) -> None:
    write_template(tmp_path / "t.xlsx")
    assert _formula_cells(tmp_path / "t.xlsx") == []


def test_roster_csv_quotes_formula_starts_and_imports_back(tmp_path: Path, make_id) -> None:
    path = tmp_path / "r.csv"
    persons = _persons(make_id, FORMULAS)
    write_roster_csv(path, persons)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    cells = [c for row in rows[1:] for c in row]
    assert not any(c.startswith(DANGER) for c in cells)
    assert sum(c.startswith("'") for c in cells) >= len(FORMULAS)
    back = read_roster(path)
    got = {r.person.id_number: r.person.name for r in back.rows if r.person}
    for p in persons:
        if not p.name.startswith(("\t", "\r")):  # leading blanks are trimmed on import (as always)
            assert got[p.id_number] == p.name


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_csv_cell_prefixes_every_formula_start(value: str) -> None:
    assert csv_cell(value) == "'" + value


def test_bundle_summary_sheet_holds_formulas_as_text(tmp_path: Path, two_persons: list) -> None:
    from app.export.bundle import write_summary_xlsx

    for pin, name in zip(two_persons, ['=HYPERLINK("http://x","y")', "@SUM(1)\x0b"], strict=True):
        pin.person.name = name
    plan = make_plan(tmp_path, two_persons)
    write_summary_xlsx(tmp_path / "s.xlsx", plan)
    assert _formula_cells(tmp_path / "s.xlsx") == []
    ws = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    assert ws.cell(row=2, column=3).value == '=HYPERLINK("http://x","y")' and ws.cell(row=3, column=3).value == "@SUM(1)"


@pytest.mark.parametrize("name", [*INVISIBLE_NAMES, "李\x0c晓雯", "\u2067李\u2069", "李\u00ad晓"])
def test_validation_refuses_invisible_characters_and_trailing_dots(make_id, name: str) -> None:
    issues = [i for i in validate_person(PersonData(name=name, id_number=make_id())) if i.field == "姓名"]
    assert len(issues) == 1 and issues[0].is_error
    assert "不可见" in issues[0].message or "末尾" in issues[0].message


def test_validation_checks_every_text_field_and_allows_line_breaks_in_notes(make_id) -> None:
    p = PersonData(name="李晓雯", id_number=make_id(), notes="第一行\n第二行\t完", specialty="电\u202e力",
                   unit=UnitData(name="公司 ", location="乌鲁\x00木齐"), educations=[Education(school="学\u200b校")])
    fields = {i.field for i in validate_person(p) if i.is_error}
    assert fields == {"申报专业", "单位所在地", "毕业院校", "单位名称"}
    assert text_field_issues("备注", "a\x0bb")  # only line breaks and tabs are allowed there


def test_unit_service_and_letter_settings_refuse_invisible_characters(db) -> None:
    from app.services.letters import save_unit_settings
    from app.services.roster import save_unit

    with pytest.raises(ValidationError, match="单位名称：第 3 个字符是"):
        save_unit(db, UnitData(name="示例\u202e公司"))
    with pytest.raises(ValidationError, match="末尾"):
        save_unit(db, UnitData(name="示例公司."))
    u = save_unit(db, UnitData(name="示例公司"))
    with pytest.raises(ValidationError, match="受理科室"):
        save_unit_settings(db, int(u.id or 0), office="人力\x0b资源部", phone="")


def test_scrub_cleans_nested_records_for_writers() -> None:
    p = PersonData(name="李\x0b晓\u202e雯", educations=[Education(school="学\x00校")], assessments={2024: "合格\x1f"},
                   work_start=dt.date(2020, 1, 1), unit=UnitData(name="单\x0c位"))
    q = scrub(p)
    assert (q.name, q.educations[0].school, q.assessments[2024], q.unit.name) == ("李晓雯", "学校", "合格", "单位")
    assert q.work_start == dt.date(2020, 1, 1) and p.name == "李\x0b晓\u202e雯"  # a copy
