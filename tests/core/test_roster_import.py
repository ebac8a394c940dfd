"""Import into a real SQLite database, duplicates and --update, export round trip, batches."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select

from app.errors import Cancelled, InputFileError
from app.models import Assessment, EducationRecord, Person, Unit
from app.roster.columns import COLUMNS, person_values
from app.services import roster_exchange
from app.services.roster import find_person, list_persons, save_person
from app.services.roster_exchange import export_roster, import_roster

TODAY = dt.date(2025, 3, 17)
D = dt.date
HEADERS = ["姓名", "性别", "身份证号", "学历", "毕业日期", "学位", "学位取得日期", "参加专业技术工作日期",
           "单位名称", "单位性质", "考核结果", "继续教育", "处分", "处分期满日期", "联系电话"]


def write_xlsx(path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(headers))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def good_row(name: str, idn: str, **over: Any) -> list[Any]:
    values = {"姓名": name, "性别": "男" if int(idn[16]) % 2 else "女", "身份证号": idn, "学历": "本科",
              "毕业日期": D(2022, 6, 30), "学位": "学士", "学位取得日期": "2022-06-30",
              "参加专业技术工作日期": "2022-07-01", "单位名称": "新疆示例科技有限公司", "单位性质": "民营企业",
              "考核结果": "2023:合格;2024:优秀", "继续教育": "2024:公需30,专业60", "处分": "无",
              "处分期满日期": None, "联系电话": "13800000000"}
    values.update(over)
    return [values[h] for h in HEADERS]


def count(db: Any, model: Any) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_good_rows_stored_bad_rows_listed(db: Any, tmp_path: Path, make_id: Callable[..., str]) -> None:
    ids = [make_id(D(1998, 1, 1) + dt.timedelta(days=i), male=i % 2 == 0) for i in range(5)]
    wrong_check = ids[3][:17] + ("0" if ids[3][17] != "0" else "1")
    rows = [
        good_row("甲一", ids[0]),
        good_row("乙二", ids[1], 学历="小学"),  # vocabulary
        good_row("丙三", ids[2], 处分="记过", 处分期满日期="2026-01-01"),
        good_row("丁四", wrong_check),  # checksum
        good_row("", ids[4]),  # no name
        good_row("戊五", ids[4], 毕业日期="去年", 考核结果="2024:很好"),
    ]
    path = write_xlsx(tmp_path / "r.xlsx", HEADERS, rows)
    seen: list[tuple[int, int]] = []
    report = import_roster(db, path, progress=lambda d, t: seen.append((d, t)), today=TODAY)
    assert (report.total_rows, report.created, report.updated, report.rejected_rows) == (6, 2, 0, 4)
    assert not report.ok and report.duplicates == []
    by = {(i.row, i.column): i.message for i in report.rejected}
    assert "不是可选值" in by[(3, "学历")]
    assert "2024 年考核结果“很好”" in by[(7, "考核结果")]
    assert "校验位" in by[(5, "身份证号")]
    assert by[(6, "姓名")] == "姓名不能为空"
    assert "无法识别" in by[(7, "毕业日期")]
    # Units of work: 6 rows parsed, then 2 rows stored; the fraction never goes back.
    assert seen[0] == (0, 12) and seen[-1] == (8, 8)
    fractions = [d / t for d, t in seen]
    assert fractions == sorted(fractions)
    stored = {p.name: p for p in list_persons(db)}
    assert set(stored) == {"甲一", "丙三"}
    p = stored["丙三"]
    assert p.educations[0].level == "本科" and p.educations[0].graduation_date == D(2022, 6, 30)
    assert p.assessments == {2023: "合格", 2024: "优秀"}
    assert [(d.kind, d.end_date) for d in p.disciplines] == [("记过", D(2026, 1, 1))]
    assert p.continuing_education[2024].professional_hours == 60
    assert p.unit.name == "新疆示例科技有限公司" and p.unit.nature == "民营企业"
    assert count(db, Unit) == 1  # one unit shared by both rows


def test_reimport_reports_duplicates_and_update_applies(db: Any, tmp_path: Path,
                                                        make_id: Callable[..., str]) -> None:
    a, b = make_id(male=True), make_id(male=False)
    first = write_xlsx(tmp_path / "1.xlsx", HEADERS, [good_row("甲", a), good_row("乙", b)])
    assert import_roster(db, first, today=TODAY).created == 2
    changed = write_xlsx(tmp_path / "2.xlsx", HEADERS,
                         [good_row("甲", a, 学历="硕士研究生", 学位="硕士", 考核结果="2024:优秀"), good_row("乙", b),
                          good_row("甲(重复行)", a)])
    report = import_roster(db, changed, today=TODAY)
    assert (report.created, report.updated, report.rejected) == (0, 0, [])
    assert [(i.row, i.column) for i in report.duplicates] == [(2, "身份证号"), (3, "身份证号"), (4, "身份证号")]
    assert "已存在（甲）" in report.duplicates[0].message and "“更新已有人员”" in report.duplicates[0].message
    assert "与第 2 行" in report.duplicates[2].message
    assert find_person(db, a).educations[0].level == "本科"  # untouched
    report = import_roster(db, changed, update=True, today=TODAY)
    assert (report.created, report.updated, len(report.duplicates)) == (0, 2, 1)
    p = find_person(db, a)
    assert p.educations[0].level == "硕士研究生" and p.assessments == {2024: "优秀"}
    assert count(db, Person) == 2 and count(db, EducationRecord) == 2 and count(db, Assessment) == 3


def test_update_keeps_columns_the_file_does_not_have(db: Any, tmp_path: Path, make_id: Callable[..., str]) -> None:
    idn = make_id()
    import_roster(db, write_xlsx(tmp_path / "full.xlsx", HEADERS, [good_row("甲", idn)]), today=TODAY)
    phones = write_xlsx(tmp_path / "phones.xlsx", ["身份证号", "姓名", "联系电话"], [[idn, "甲", "13900000001"]])
    report = import_roster(db, phones, update=True, today=TODAY)
    assert report.updated == 1 and report.ok
    p = find_person(db, idn)
    assert p.phone == "13900000001"
    assert p.educations[0].degree == "学士" and p.assessments[2023] == "合格" and p.unit.name


def test_bad_file_leaves_database_unchanged(db: Any, tmp_path: Path, make_id: Callable[..., str]) -> None:
    import_roster(db, write_xlsx(tmp_path / "ok.xlsx", HEADERS, [good_row("甲", make_id())]), today=TODAY)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    with pytest.raises(InputFileError):
        import_roster(db, bad, update=True)
    assert [p.name for p in list_persons(db)] == ["甲"]


def test_import_is_all_or_nothing_a_cancel_after_two_batches_stores_nothing(db: Any, tmp_path: Path,
                                                             make_id: Callable[..., str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roster_exchange, "BATCH_SIZE", 4)
    rows = [good_row(f"员工{i}", make_id(D(1995, 1, 1) + dt.timedelta(days=i))) for i in range(10)]
    path = write_xlsx(tmp_path / "b.xlsx", HEADERS, rows)

    def cancel_while_reading(done: int, total: int) -> None:
        raise Cancelled()

    with pytest.raises(Cancelled):
        import_roster(db, path, progress=cancel_while_reading, today=TODAY)
    assert count(db, Person) == 0

    def cancel_after_two_batches(done: int, total: int) -> None:
        if total == 20 and done >= 10 + 8:  # 10 rows parsed, then 8 stored
            raise Cancelled()

    with pytest.raises(Cancelled):
        import_roster(db, path, progress=cancel_after_two_batches, today=TODAY)
    # one transaction per file: the two batches already written are rolled back with the third
    assert count(db, Person) == 0 and count(db, EducationRecord) == 0 and count(db, Assessment) == 0
    report = import_roster(db, path, today=TODAY)  # rerun: everything comes in, nothing is a duplicate
    assert (report.created, len(report.duplicates)) == (10, 0)


def _roundtrip(db: Any, other_db: Any, tmp_path: Path, suffix: str) -> None:
    from app.services.demo import demo_people

    for p in demo_people():
        save_person(db, p)
    p0 = list_persons(db)[0]
    p0.notes = "=HYPERLINK(\"http://example.invalid\")"  # must stay text, never a formula
    p0.count_start_override, p0.count_start_reason = D(2024, 1, 2), "由机关调入"  # the officer's override
    p0.post_grade = "专业技术十二级"  # 岗位等级 (Korla 公示: 现聘岗位等级)
    save_person(db, p0)
    out = tmp_path / f"export{suffix}"
    n = export_roster(db, out)
    assert n == len(demo_people())
    report = import_roster(other_db, out)
    assert report.created == n and report.rejected == [], report.rejected
    original = {p.id_number: person_values(p) for p in list_persons(db)}
    again = {p.id_number: person_values(p) for p in list_persons(other_db)}
    assert again == original
    assert find_person(other_db, p0.id_number).notes.startswith("=HYPERLINK")
    assert find_person(other_db, p0.id_number).count_start_override == D(2024, 1, 2)
    assert find_person(other_db, p0.id_number).post_grade == "专业技术十二级"


def test_export_xlsx_roundtrip(db: Any, tmp_path: Path) -> None:
    from app.models.db import open_database

    other = open_database(tmp_path / "other.sqlite3")
    try:
        _roundtrip(db, other, tmp_path, ".xlsx")
    finally:
        other.dispose()
    wb = openpyxl.load_workbook(tmp_path / "export.xlsx")
    ws = wb["花名册"]
    headers = [c.value for c in ws[1]]
    assert headers == [c.header for c in COLUMNS]
    notes_col = headers.index("备注") + 1
    formulas = [c for c in ws.iter_rows(min_row=2, min_col=notes_col, max_col=notes_col) if c[0].data_type == "f"]
    assert formulas == []
    grad = ws.cell(row=2, column=headers.index("毕业日期") + 1)
    assert grad.is_date and grad.number_format == "yyyy-mm-dd"


def test_export_csv_roundtrip(db: Any, tmp_path: Path) -> None:
    from app.models.db import open_database

    other = open_database(tmp_path / "other.sqlite3")
    try:
        _roundtrip(db, other, tmp_path, ".csv")
    finally:
        other.dispose()
    raw = (tmp_path / "export.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:4] == ["姓名", "性别", "民族", "身份证号"]
    assert any(r[rows[0].index("备注")].startswith("'=") for r in rows[1:])


def test_export_refuses_other_suffixes_and_writes_nothing(db: Any, tmp_path: Path) -> None:
    from app.errors import UsageError

    with pytest.raises(UsageError, match=r"\.xlsx 或 \.csv"):
        export_roster(db, tmp_path / "out.pdf")
    assert not (tmp_path / "out.pdf").exists()


def test_export_with_verdict_columns(db: Any, tmp_path: Path) -> None:
    from app.services.demo import demo_people
    from app.services.eligibility import check_roster

    for p in demo_people():
        save_person(db, p)
    checked = check_roster(db, "urumqi-private-2025", D(2025, 3, 17))
    verdicts = {p.id: v for p, v in checked}
    n = export_roster(db, tmp_path / "checked.xlsx", verdicts=verdicts)
    ws = openpyxl.load_workbook(tmp_path / "checked.xlsx")["花名册"]
    headers = [c.value for c in ws[1]]
    assert headers[len(COLUMNS):] == ["申报结论", "申报路径", "申报级别", "可申报职称", "最早可申报日期", "原因", "缺少信息"]
    got = {row[headers.index("身份证号")]: row[headers.index("申报结论")]
           for row in ws.iter_rows(min_row=2, values_only=True)}
    assert len(got) == n
    assert got == {p.id_number: v.status for p, v in checked}
    assert len(set(got.values())) > 1  # the demo covers several situations
    report = import_roster(db, tmp_path / "checked.xlsx")  # verdict columns are ignored on re-import
    assert len(report.duplicates) == n and report.rejected == []
    assert any("申报结论" in w.message for w in report.warnings)


def test_csv_template_and_update_moves_unit(db: Any, tmp_path: Path, make_id: Callable[..., str]) -> None:
    from app.services.roster_exchange import write_template

    write_template(tmp_path / "t.csv")
    header = (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    assert header == [",".join(c.header for c in COLUMNS)]
    idn = make_id()
    import_roster(db, write_xlsx(tmp_path / "a.xlsx", HEADERS, [good_row("甲", idn)]), today=TODAY)
    moved = write_xlsx(tmp_path / "b.xlsx", ["姓名", "身份证号", "单位名称", "单位性质"],
                       [["甲", idn, "新疆另一示例有限公司", "国有企业"]])
    assert import_roster(db, moved, update=True, today=TODAY).updated == 1
    p = find_person(db, idn)
    assert (p.unit.name, p.unit.nature) == ("新疆另一示例有限公司", "国有企业")
    assert count(db, Unit) == 2 and p.educations[0].level == "本科"


def test_text_longer_than_its_column_is_rejected_with_row_and_column(db: Any, tmp_path: Path,
                                                                     make_id: Callable[..., str]) -> None:
    """The same clear message on SQLite (which would store it) and PostgreSQL (which would refuse
    the whole batch): the row is rejected, the others are stored."""
    ok_id, long_id = make_id(), make_id()
    headers = [*HEADERS, "现岗位", "毕业院校"]
    rows = [[*good_row("甲", ok_id), "技术岗", "新疆大学"],
            [*good_row("乙", long_id), "岗" * 101, "大" * 101]]
    report = import_roster(db, write_xlsx(tmp_path / "long.xlsx", headers, rows), today=TODAY)
    assert report.created == 1 and report.rejected_rows == 1
    msgs = {(i.row, i.column): i.message for i in report.rejected}
    assert "最多 100 字" in msgs[(3, "现岗位")] and "最多 100 字" in msgs[(3, "毕业院校")]
    assert find_person(db, ok_id).position == "技术岗"
