"""Reading roster files: header detection, cell parsing, encodings and refused files."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from app.errors import InputFileError
from app.roster.columns import (
    COLUMNS,
    CellError,
    match_header,
    parse_assessments,
    parse_continuing_education,
)
from app.roster.io import MAX_ROWS, read_roster

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "roster"
TODAY = dt.date(2025, 3, 17)
D = dt.date


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, merges: Sequence[str] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)
    return path


def by_row(result: Any) -> dict[int, Any]:
    return {r.row: r for r in result.rows}


def errors(r: Any) -> list[tuple[str, str]]:
    return [(i.column, i.message) for i in r.issues if i.severity == "error"]


# ------------------------------------------------------------------------------------------ xlsx


def test_title_row_merged_headers_dates_and_extra_columns(tmp_path: Path, make_id: Callable[..., str]) -> None:
    ids = [make_id(D(1990, 1, 1) + dt.timedelta(days=i), male=i % 2 == 0) for i in range(7)]
    headers2 = ["序号", "姓名", "身份证号", "基本信息", None, "学历信息", None, None, "单位信息", None]
    headers3 = [None, None, None, " 性 别 ", "毕业日期", "学历", "学位", "学位取得日期", "单位名称",
                "四类以下地区"]
    rows: list[list[Any]] = [
        ["2025 年度职称初定人员花名册"] + [None] * 9,  # title row merged across the sheet
        headers2,
        headers3,
        [1, "甲一", ids[0], "男", D(2020, 6, 30), "本科", "学士", "2020-06-30", "示例甲单位", "否"],
        [2, "乙二", ids[1], "女", 44012, "大学本科", "学士", "2020/06/30", "示例甲单位", "否"],  # serial
        [3, "丙三", ids[2], "男", "2020.06.30", "专科", "无", None, "示例乙单位", "是"],
        [4, "丁四", ids[3], "女", "2020年6月30日", "本科", "学士", "2020年06月30日", "示例乙单位", None],
        [5, "戊五", ids[4], "男", 20200630, "本科", "学士", "20200630", "", None],  # compact number/text
        [6, "己六", ids[5], "女", "2020-13-01", "小学", "学士", None, "", None],  # two bad cells
        [None] * 10,
        [7, "庚七", ids[6], "男", None, None, None, None, None, None],
        [None] * 10,
        [None] * 10,
    ]
    path = write_xlsx(tmp_path / "merged.xlsx", rows,
                      merges=["A1:J1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:H2", "I2:J2"])
    res = read_roster(path, today=TODAY)
    assert res.header_row == 3
    assert {"姓名", "身份证号", "性别", "毕业日期", "学历", "学位", "单位名称", "四类以下地区"} <= set(res.columns)
    assert any("序号" in msg for msg in res.header_issues)  # unknown column reported, then ignored
    rows_by = by_row(res)
    assert sorted(rows_by) == [4, 5, 6, 7, 8, 9, 11]  # sheet row numbers; blank rows skipped
    for n in (4, 5, 6, 7, 8):
        p = rows_by[n].person
        assert errors(rows_by[n]) == [], n
        assert p.educations[0].graduation_date == D(2020, 6, 30), n
    assert rows_by[5].person.educations[0].level == "本科"  # alias 大学本科
    assert rows_by[6].person.educations[0].level == "大专"  # alias 专科
    assert rows_by[4].person.gender == "男"
    assert rows_by[4].person.unit.name == "示例甲单位" and rows_by[4].person.unit.below_class4 is False
    assert rows_by[6].person.unit.below_class4 is True
    assert rows_by[8].person.educations[0].degree_date == D(2020, 6, 30)
    bad = dict(errors(rows_by[9]))
    assert set(bad) == {"毕业日期", "学历"}
    assert "不是有效日期" in bad["毕业日期"] and "不是可选值" in bad["学历"]
    assert rows_by[9].person is not None  # identity fine: the row is listed, not silently lost
    assert rows_by[11].person.educations == [] and errors(rows_by[11]) == []


def test_full_contract_row_parses_every_field(tmp_path: Path, make_id: Callable[..., str]) -> None:
    idn = make_id(D(1995, 3, 4), male=False)
    values = {
        "姓名": "古丽·示例", "性别": "女", "民族": "维吾尔族", "身份证号": idn, "政治面貌": "群众",
        "学历": "硕士研究生", "学习形式": "全日制", "毕业院校": "新疆示例大学", "所学专业": "计算机技术",
        "毕业日期": D(2020, 6, 30), "学位": "硕士", "学位取得日期": "2020-06-30", "博士后出站日期": None,
        "参加专业技术工作日期": "2020/07/15", "系列": "工程", "申报专业": "计算机", "现岗位": "软件工程师",
        "单位名称": "新疆示例科技有限公司", "单位性质": "民营企业", "单位所在地": "库尔勒市",
        "单位层级": "地州市", "四类以下地区": "否", "是否派驻": "是", "派驻起始日期": "2024.03.01",
        "人员状态": "在职", "处分": "警告", "处分期满日期": "2024-12-31", "劳动合同": "有", "首次申报": "是",
        "考核结果": "2023:合格;2024：优秀", "继续教育": "2023:公需30,专业56;2024:免修",
        "联系电话": 13800000000,
    }
    headers = list(values)
    path = write_xlsx(tmp_path / "full.xlsx", [headers, [values[h] for h in headers]])
    res = read_roster(path, today=TODAY)
    (row,) = res.rows
    assert errors(row) == []
    p = row.person
    assert (p.name, p.gender, p.ethnicity, p.id_number) == ("古丽·示例", "女", "维吾尔族", idn)
    e = p.educations[0]
    assert (e.level, e.mode, e.school, e.major, e.degree) == ("硕士研究生", "全日制", "新疆示例大学", "计算机技术", "硕士")
    assert e.degree_date == D(2020, 6, 30) and e.postdoc_end is None
    assert p.work_start == D(2020, 7, 15) and p.dispatch_start == D(2024, 3, 1)
    assert (p.dispatched, p.contract, p.first_application) == (True, True, True)
    assert (p.unit.nature, p.unit.location, p.unit.level) == ("民营企业", "库尔勒市", "地州市")
    assert p.assessments == {2023: "合格", 2024: "优秀"}
    assert p.continuing_education[2023].public_hours == 30 and p.continuing_education[2023].professional_hours == 56
    assert p.continuing_education[2024].exempt is True
    assert [(d.kind, d.end_date) for d in p.disciplines] == [("警告", D(2024, 12, 31))]
    assert p.phone == "13800000000"


def test_id_number_stored_as_number_is_rejected_with_text_hint(tmp_path: Path, make_id: Callable[..., str]) -> None:
    idn = make_id()
    path = write_xlsx(tmp_path / "num.xlsx", [["姓名", "身份证号"], ["甲", int(idn[:17] + "0")],
                                              ["乙", float(idn[:17] + "0")], ["丙", idn]])
    rows = by_row(read_roster(path, today=TODAY))
    for n in (2, 3):
        assert rows[n].person is None
        ((col, msg),) = errors(rows[n])
        assert col == "身份证号" and "文本" in msg and "15 位" in msg
    assert rows[4].person is not None and errors(rows[4]) == []


def test_header_names_with_spaces_full_width_and_aliases(tmp_path: Path, make_id: Callable[..., str]) -> None:
    idn = make_id()
    headers = ["　姓　名　", "身份证号码", "毕业时间", "学历（必填）", "手机号", "ＡＢＣ备用"]
    path = write_xlsx(tmp_path / "h.xlsx", [headers, ["甲", idn, "2020-07-01", "本科", "13900000000", "x"]])
    res = read_roster(path, today=TODAY)
    assert res.columns == ["姓名", "身份证号", "毕业日期", "学历", "联系电话"]
    p = res.rows[0].person
    assert p.educations[0].graduation_date == D(2020, 7, 1) and p.phone == "13900000000"
    assert match_header("参加专业技术工作时间").header == "参加专业技术工作日期"
    assert match_header("备注说明") is None


def test_missing_optional_columns_are_empty_and_missing_required_refused(tmp_path: Path,
                                                                         make_id: Callable[..., str]) -> None:
    path = write_xlsx(tmp_path / "min.xlsx", [["姓名", "身份证号"], ["甲", make_id()]])
    p = read_roster(path, today=TODAY).rows[0].person
    assert p.educations == [] and p.work_start is None and p.contract is None and p.status == "在职"
    assert p.unit.name == "" and p.assessments == {}
    path = write_xlsx(tmp_path / "noid.xlsx", [["姓名", "性别", "学历"], ["甲", "男", "本科"]])
    with pytest.raises(InputFileError, match="缺少必填列：身份证号"):
        read_roster(path)
    path = write_xlsx(tmp_path / "nohdr.xlsx", [["a", "b"], ["甲", "乙"]])
    with pytest.raises(InputFileError, match="未找到表头"):
        read_roster(path)


def test_template_is_readable_and_carries_dropdowns(tmp_path: Path) -> None:
    from app.services.roster_exchange import write_template

    path = tmp_path / "模板.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["花名册", "填写说明"]
    ws = wb["花名册"]
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert '"男,女"' in lists and '"中专,大专,本科,硕士研究生,博士研究生"' in lists
    id_letter = openpyxl.utils.get_column_letter([c.header for c in COLUMNS].index("身份证号") + 1)
    assert ws.column_dimensions[id_letter].number_format == "@"
    helptext = "\n".join(str(r[0].value) for r in wb["填写说明"].iter_rows() if r[0].value)
    assert "身份证号" in helptext and "2023:合格;2024:优秀" in helptext
    res = read_roster(path)  # an empty template is a valid file with no rows
    assert res.rows == [] and res.header_issues == []


# ------------------------------------------------------------------------------------------ csv


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    return "\r\n".join(",".join(r) for r in rows) + "\r\n"


@pytest.mark.parametrize(("encoding", "prefix"), [("utf-8", b"\xef\xbb\xbf"), ("utf-8", b""), ("gbk", b""),
                                                  ("gb18030", b""), ("utf-16", b"")])
def test_csv_encodings(tmp_path: Path, make_id: Callable[..., str], encoding: str, prefix: bytes) -> None:
    name = "买买提·依明" if encoding != "gb18030" else "王䶮"  # 䶮 is outside GBK
    rows = [["姓名", "性别", "身份证号", "学历", "毕业日期", "继续教育"],
            [name, "男", make_id(), "本科", "2021年7月1日", '"2024:公需30,专业60"'],
            ["", "", "", "", "", ""]]
    path = tmp_path / f"r-{encoding}.csv"
    path.write_bytes(prefix + _csv_text(rows).encode(encoding))
    res = read_roster(path, today=TODAY)
    (row,) = res.rows
    assert errors(row) == []
    assert row.person.name == name and row.person.educations[0].graduation_date == D(2021, 7, 1)
    assert row.person.continuing_education[2024].professional_hours == 60


def test_csv_scientific_id_and_tab_delimiter(tmp_path: Path, make_id: Callable[..., str]) -> None:
    path = tmp_path / "tab.txt"
    from app.policy.identifiers import id_check_char

    good = make_id()
    # What Excel keeps of an 18-digit number: 15 significant digits, then zeros (checksum then wrong).
    rounded = next(r for r in (good[:15] + "000", good[:14] + "1000", good[:14] + "2000")
                   if id_check_char(r[:17]) != r[17])
    path.write_text("标题：花名册\n姓名\t身份证号\t学位\n甲\t6.50102E+17\t学士\n乙\t" + good + "\t硕士\n"
                    + "丙\t" + rounded + "\t\n", encoding="utf-8")
    rows = by_row(read_roster(path, today=TODAY))
    assert "文本" in errors(rows[3])[0][1]
    assert rows[4].person.educations[0].degree == "硕士"
    ((_col, msg),) = [e for e in errors(rows[5]) if e[0] == "身份证号"]
    assert "校验位" in msg and "末三位是 000" in msg


# ------------------------------------------------------------------------------------------ parsers


def test_assessment_and_continuing_education_parsers() -> None:
    assert parse_assessments("2023年：合格，2024年度:优秀") == {2023: "合格", 2024: "优秀"}
    assert parse_assessments("2022 基本称职") == {2022: "基本合格"}
    assert parse_assessments("") == {}
    with pytest.raises(CellError, match="年度:结果"):
        parse_assessments("合格")
    with pytest.raises(CellError, match="两次"):
        parse_assessments("2023:合格;2023:优秀")
    ce = parse_continuing_education("2024：公需30学时，专业60.5学时；2023:免修")
    assert (ce[2024].public_hours, ce[2024].professional_hours, ce[2024].exempt) == (30, 60.5, False)
    assert ce[2023].exempt is True and ce[2023].public_hours is None
    with pytest.raises(CellError, match="公需30"):
        parse_continuing_education("2024:三十学时")


# ------------------------------------------------------------------------------------------ bad files


def _pdf_bytes() -> bytes:
    """A minimal, valid one-page PDF (what a scanned roster saved as PDF starts like)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"]
    out, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 4\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def _corrupt_xlsx(tmp_path: Path) -> bytes:
    good = write_xlsx(tmp_path / "good.xlsx", [["姓名", "身份证号"], ["甲", "x"]]).read_bytes()
    return good[: len(good) // 2]  # truncated download


def _docx_as_xlsx(tmp_path: Path) -> bytes:
    z = tmp_path / "x.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    return z.read_bytes()


@pytest.mark.parametrize(("name", "make", "expected"), [
    ("empty.xlsx", lambda t: b"", "0 字节"),
    ("empty.csv", lambda t: b"", "0 字节"),
    ("truncated.xlsx", _corrupt_xlsx, "损坏"),
    ("word.xlsx", _docx_as_xlsx, "损坏"),
    ("scan.xlsx", lambda t: _pdf_bytes(), "PDF"),
    ("noise.xlsx", lambda t: bytes(range(256)) * 4, "损坏"),
    ("roster.docx", lambda t: b"PK\x03\x04rest", "不支持的文件类型"),
    ("excel.csv", _docx_as_xlsx, "扩展名改为 .xlsx"),
    ("blank.csv", lambda t: b"\r\n\r\n ,,\r\n", "没有任何内容"),
])
def test_unreadable_files_are_refused(tmp_path: Path, name: str, make: Callable[[Path], bytes],
                                      expected: str) -> None:
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    with pytest.raises(InputFileError, match=expected) as ei:
        read_roster(path)
    assert ei.value.exit_code == 3


def test_password_protected_and_legacy_xls_fixtures(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="文件受密码保护，请先在 Excel 中取消密码后再导入"):
        read_roster(FIXTURES / "password_protected.xlsx")
    with pytest.raises(InputFileError, match=r"\.xls.*另存为"):
        read_roster(FIXTURES / "legacy.xls")
    renamed = tmp_path / "legacy.xlsx"  # an .xls renamed to .xlsx is still recognised
    renamed.write_bytes((FIXTURES / "legacy.xls").read_bytes())
    with pytest.raises(InputFileError, match="97-2003"):
        read_roster(renamed)
    with pytest.raises(InputFileError, match="找不到文件"):
        read_roster(tmp_path / "missing.xlsx")


def test_huge_files_are_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)  # sparse: instant, no real disk use
    with pytest.raises(InputFileError, match="文件过大"):
        read_roster(big)
    many = tmp_path / "many.csv"
    many.write_bytes(("姓名,身份证号\n" + "甲,1\n" * (MAX_ROWS + 1)).encode())
    with pytest.raises(InputFileError, match="行数过多"):
        read_roster(many)


def test_roster_on_a_later_sheet_is_found(tmp_path: Path, make_id: Callable[..., str]) -> None:
    wb = openpyxl.Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "封面"
    cover.append(["2025 年度职称申报材料"])
    data = wb.create_sheet("人员名单")
    data.append(["姓名", "身份证号", "学位"])
    data.append(["甲", make_id(), "学士"])
    wb.save(tmp_path / "cover.xlsx")
    res = read_roster(tmp_path / "cover.xlsx", today=TODAY)
    assert [r.person.name for r in res.rows] == ["甲"]
    assert any("人员名单" in msg for msg in res.header_issues)
