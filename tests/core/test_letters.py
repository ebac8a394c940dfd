"""Letters: templates as data, rendering, missing fields, publicity period and the letters service."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from app.domain.person import Education, PersonData, UnitData
from app.errors import PolicyError, UsageError, ValidationError
from app.export.letters import (
    KINDS,
    LetterContext,
    LetterPerson,
    Publicity,
    Qualification,
    UnitInfo,
    _load_template_file,
    docx_text,
    group_for_report,
    load_template,
    marker,
    render_letters,
    write_letters,
)

D = dt.date
PROMISE_003 = ("本人承诺以上填报内容和提交的材料真实有效，且网上填报与送审报表内容完全一致，如申请人提交弄虚作假确认材料的，"
               "一经查实，不予受理确认申报或取消已确认的资格，并从申报年度下一年度起 3 年内，不得申报专业技术资格。")


def _person(make_id, name: str = "阿依古丽·测试", **kw) -> PersonData:
    base = dict(name=name, gender="女", ethnicity="维吾尔族", id_number=make_id(D(2000, 3, 4), male=False),
                political_status="共青团员", series="工程", specialty="电力", position="电气技术员",
                unit=UnitData(name="测试电力科技有限公司"))
    base.update(kw)
    return PersonData(**base)


def _ctx(**kw) -> LetterContext:
    pub = Publicity(D(2025, 2, 25), D(2025, 3, 3), [D(2025, 2, 25), D(2025, 2, 26), D(2025, 2, 27), D(2025, 2, 28),
                                                    D(2025, 3, 3)])
    base = dict(unit=UnitInfo("测试电力科技有限公司", "综合办公室", "0991-0000000"), publicity=pub,
                issue_date=D(2025, 3, 4))
    base.update(kw)
    return LetterContext(**base)


def test_every_profile_has_a_template_with_every_kind() -> None:
    from app.policy.profiles import profile_ids

    for pid in profile_ids():
        tpl = load_template(pid)
        for kind in KINDS:
            assert tpl.section(kind), (pid, kind)
    assert load_template("korla-2024").id == "korla-2024"
    assert load_template("urumqi-private-2025").id == "urumqi-private-2025"
    assert load_template("urumqi-chuding").assumption is True


def test_unknown_placeholder_in_a_template_is_a_policy_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[meta]\nid="bad"\n[gongshi]\ntitle="{nmae}同志"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="nmae"):
        _load_template_file(bad)


def test_gongshi_urumqi_uses_001_wording_and_person_fields(make_id) -> None:
    p = _person(make_id)
    lp = LetterPerson(p, Qualification("初定", "初级", "助理工程师", 1), political="政治立场坚定。", achievements="完成配电改造。")
    [letter] = render_letters("gongshi", load_template("urumqi-private-2025"), [lp], _ctx())
    text = docx_text(letter.data)
    assert "根据乌鲁木齐市民营企业专项初定（授予）职称工作的要求，现对阿依古丽·测试同志申报初定工程系列电力专业初级专业技术任职资格进行公示。" in text
    # posted in public: the ID's birth-date digits are hidden (the 人社局's copies keep the full number)
    assert p.id_number not in text and p.id_number[6:14] not in text
    for fragment in ("性别：女", "族别：维吾尔族", "政治面貌：共青团员", f"身份证号：{p.id_number[:6]}********{p.id_number[14:]}",
                     "现任岗位：电气技术员",
                     "现任专业技术职务任职资格：无", "思想政治条件：政治立场坚定。", "业绩成果：完成配电改造。",
                     "公示时间从2025年2月25日起至2025年3月3日止（公示期不少于5个工作日）",
                     "反映至综合办公室，监督电话：0991-0000000", "签字（单位负责人签字）：", "2025年2月25日"):
        assert fragment in text, fragment
    assert letter.missing == []
    assert letter.filename == "推荐单位公示_阿依古丽·测试.docx"


def test_korla_templates_follow_003(make_id) -> None:
    p = _person(make_id)
    lp = LetterPerson(p, Qualification("初定", "初级"), political="好", achievements="好")
    tpl = load_template("korla-2024")
    [g] = render_letters("gongshi", tpl, [lp], _ctx())
    assert docx_text(g.data).startswith("关于阿依古丽·测试同志初次确定电力专业初级职称的公示")
    assert "专业技术成果：好" in g.text and "现聘岗位等级：【未填写：岗位等级】" in g.text  # a grade, not the title
    assert "电气技术员" not in g.text and "阿依古丽·测试：岗位等级" in g.missing
    [g] = render_letters("gongshi", tpl, [LetterPerson(dataclasses.replace(p, post_grade="专业技术十三级"))], _ctx())
    assert "现聘岗位等级：专业技术十三级" in g.text
    [r] = render_letters("gongshi-result", tpl, [lp], _ctx())
    text = docx_text(r.data)
    assert text.startswith("公示结果证明")
    assert f"阿依古丽·测试同志（身份证号码{p.id_number}）初次确定材料已于2025年2月25日——2025年3月3日在我单位进行公示5个工作日，" in text
    assert "特此证明。" in text and "测试电力科技有限公司（公章）" in text and "2025年3月4日" in text


def test_missing_fields_are_marked_and_listed_by_name(make_id) -> None:
    p = _person(make_id, political_status="", ethnicity="")
    lp = LetterPerson(p, Qualification(None, None))
    [letter] = render_letters("gongshi", load_template("urumqi-private-2025"), [lp],
                              _ctx(publicity=None, unit=UnitInfo("测试电力科技有限公司")))
    text = docx_text(letter.data)
    for label in ("政治面貌", "族别", "思想政治条件", "业绩成果", "公示起始日期", "监督电话", "级别"):
        assert marker(label) in text
        assert f"阿依古丽·测试：{label}" in letter.missing
    assert "阿依古丽·测试：性别" not in letter.missing


def test_result_letter_prints_the_working_days_counted(make_id) -> None:
    lp = LetterPerson(_person(make_id), Qualification("初定", "初级"))
    pub = Publicity(D(2025, 9, 29), D(2025, 10, 11), [D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9),
                                                      D(2025, 10, 10), D(2025, 10, 11)])
    [letter] = render_letters("gongshi-result", load_template("urumqi-private-2025"), [lp], _ctx(publicity=pub))
    assert "于2025年9月29日至2025年10月11日在本单位公示5个工作日" in docx_text(letter.data)


def test_promise_is_the_exact_003_text_with_handwriting_boxes(make_id) -> None:
    from docx import Document

    lp = LetterPerson(_person(make_id), Qualification("初定", "初级"))
    for pid in ("korla-2024", "urumqi-private-2025"):
        [letter] = render_letters("chengnuo", load_template(pid), [lp], _ctx())
        text = docx_text(letter.data)
        assert PROMISE_003 in text
        assert "手印" in text and "签字" in text
    import io

    doc = Document(io.BytesIO(letter.data))
    ruled = [t for t in doc.tables if len(t.columns) == 1 and len(t.rows) >= 6]
    assert ruled, "handwriting lines missing"


def test_report_groups_persons_by_route_series_level_with_counts(make_id) -> None:
    a = LetterPerson(_person(make_id, "甲"), Qualification("初定", "初级", years=1))
    b = LetterPerson(_person(make_id, "乙", position="运维员"), Qualification("初定", "初级", years=2))
    c = LetterPerson(_person(make_id, "丙", position="研发"), Qualification("授予", "中级", years=1))
    groups = group_for_report([c, a, b])
    assert [(k[0], k[3], len(v)) for k, v in groups] == [("初定", "初级", 2), ("授予", "中级", 1)]
    [letter] = render_letters("tuijian", load_template("urumqi-private-2025"), [c, a, b], _ctx())
    text = docx_text(letter.data)
    assert "同意推荐甲、乙共2名同志申报初定工程系列电力专业初级职称，丙共1名同志申报授予工程系列电力专业中级职称。" in text
    assert "乙同志在我单位运维员岗位从事电力专业工作满两年" in text
    assert "进行了为期5个工作日的公示" in text
    assert letter.filename == "推荐报告_测试电力科技有限公司.docx"


def test_ethics_statement_lists_teachers(make_id) -> None:
    t1 = LetterPerson(_person(make_id, "教甲", series="中小学教师", specialty="语文"), Qualification("初定", "初级"))
    t2 = LetterPerson(_person(make_id, "教乙", series="中小学教师", specialty="数学"), Qualification("初定", "初级"))
    [letter] = render_letters("shide", load_template("korla-2024"), [t1, t2], _ctx())
    text = docx_text(letter.data)
    assert text.startswith("教师系列初级职称申报人员师德师风情况说明")
    assert "教甲、教乙等2位同志（名单附后）目前没有违反教师行为准则和师德师风的情况。" in text
    assert "附：师德师风情况说明人员名单" in text and "数学" in text
    assert letter.warnings == []


def test_same_names_get_distinct_files(make_id, tmp_path: Path) -> None:
    a = LetterPerson(_person(make_id, "同名"), Qualification("初定", "初级"))
    b = LetterPerson(_person(make_id, "同名"), Qualification("初定", "初级"))
    letters = render_letters("chengnuo", load_template("korla-2024"), [a, b], _ctx())
    paths = write_letters(letters, tmp_path / "out")
    assert len({p.name for p in paths}) == 2 and all(p.is_file() for p in paths)


def test_bad_kind_and_empty_selection() -> None:
    with pytest.raises(UsageError):
        render_letters("nonsense", load_template("korla-2024"), [], _ctx())
    with pytest.raises(UsageError):
        render_letters("gongshi", load_template("korla-2024"), [], _ctx())


# --------------------------------------------------------------------------- service


@pytest.fixture
def staff_db(db, make_id):
    """Two invented staff of one private unit in Urumqi: one eligible (本科 2023), one not (非全日制)."""
    from app.services.roster import save_person

    unit = UnitData(name="测试云数科技有限公司", nature="民营企业", location="乌鲁木齐市", level="地州市")
    save_person(db, PersonData(
        name="艾力·示例", gender="男", ethnicity="维吾尔族", political_status="群众", id_number=make_id(D(2000, 5, 12)),
        series="工程", specialty="电力", position="电气技术员", work_start=D(2023, 7, 10), unit=unit,
        educations=[Education(level="本科", mode="全日制", graduation_date=D(2023, 6, 30), degree="学士",
                              degree_date=D(2023, 6, 30))],
        assessments={2024: "合格"}))
    save_person(db, PersonData(
        name="孙丽萍", gender="女", ethnicity="汉族", political_status="群众",
        id_number=make_id(D(1998, 9, 30), male=False), series="工程", specialty="电力", position="值班员",
        work_start=D(2019, 7, 1), unit=unit,
        educations=[Education(level="本科", mode="非全日制", graduation_date=D(2022, 1, 10))],
        assessments={2024: "合格"}))
    return db


def test_publicity_period_counts_working_days_and_flags_the_deadline() -> None:
    from app.services.letters import publicity_period

    pub = publicity_period(D(2025, 9, 29))
    assert pub.days[:2] == [D(2025, 9, 29), D(2025, 9, 30)] and pub.count == 5
    assert pub.end >= D(2025, 10, 11)
    late = publicity_period(D(2025, 3, 12), deadline=D(2025, 3, 17))
    assert late.end == D(2025, 3, 18)
    assert any("晚于申报截止日期2025年3月17日" in w for w in late.warnings)
    ok = publicity_period(D(2025, 3, 11), deadline=D(2025, 3, 17))
    assert ok.end == D(2025, 3, 17) and not any("截止" in w for w in ok.warnings)
    with pytest.raises(ValidationError):
        publicity_period(D(2025, 3, 3), days=4)


def test_generate_letters_for_stored_persons(staff_db, tmp_path: Path) -> None:
    from app.services.letters import generate_letters, get_inputs, save_inputs, save_unit_settings
    from app.services.roster import find_person

    p = find_person(staff_db, "艾力·示例")
    save_inputs(staff_db, p.id, political="拥护党的路线方针政策。", achievements="负责 35kV 线路巡检。")
    save_unit_settings(staff_db, p.unit.id, office="综合办公室", phone="0991-1111111")
    r = generate_letters(staff_db, ["艾力·示例"], "gongshi", tmp_path / "out", profile_id="urumqi-private-2025",
                         start=D(2025, 3, 3))
    assert r.missing == [] and r.publicity is not None and r.publicity.end == D(2025, 3, 7)
    assert get_inputs(staff_db, p.id).publicity_start == D(2025, 3, 3)
    from app.services.rounds import publicity_ends

    assert publicity_ends(staff_db, [p.id]) == {p.id: D(2025, 3, 7)}  # the group's period, in the round
    text = docx_text(r.paths[0])
    assert "负责 35kV 线路巡检。" in text and "公示时间从2025年3月3日起至2025年3月7日止" in text
    # The stored start is reused; the result letter is dated the next working day.
    r2 = generate_letters(staff_db, ["艾力·示例"], "gongshi-result", tmp_path / "out", profile_id="urumqi-private-2025")
    assert "2025年3月10日" in docx_text(r2.paths[0])


def test_report_leaves_out_ineligible_persons(staff_db, tmp_path: Path) -> None:
    from app.services.letters import generate_letters

    r = generate_letters(staff_db, ["艾力·示例", "孙丽萍"], "tuijian", tmp_path, profile_id="urumqi-private-2025",
                         start=D(2025, 3, 3))
    text = docx_text(r.paths[0])
    assert "艾力·示例共1名同志申报初定" in text and "孙丽萍" not in text
    assert r.excluded and "孙丽萍" in r.excluded[0]


def test_late_start_is_flagged_in_the_report(staff_db, tmp_path: Path) -> None:
    from app.services.letters import generate_letters

    r = generate_letters(staff_db, ["艾力·示例"], "gongshi", tmp_path, profile_id="urumqi-private-2025",
                         start=D(2025, 3, 14))
    assert any("晚于申报截止日期" in w for w in r.warnings)
    assert r.paths[0].is_file()  # still drafted


def test_save_inputs_for_unknown_person_is_refused(db) -> None:
    from app.services.letters import save_inputs

    with pytest.raises(UsageError):
        save_inputs(db, 999, political="x")


def test_demo_person_education_is_used_for_report_years(make_id) -> None:
    p = _person(make_id, educations=[Education(level="大专", mode="全日制", graduation_date=D(2022, 6, 30))])
    [letter] = render_letters("tuijian", load_template("korla-2024"),
                              [LetterPerson(p, Qualification("初定", "初级", years=2))], _ctx())
    assert "满两年" in letter.text


def test_dates_after_the_deadline_are_flagged_in_report_cli_and_preflight(staff_db, db_path, tmp_path: Path,
                                                                         capsys) -> None:
    """001's deadline is 2025-03-17: a 公示 from 03-11 ends on the 17th, but the 公示结果 and 推荐报告
    are dated the 18th: every such date is flagged, not only the publicity end."""
    from app.policy.profiles import application_deadline, load_profile
    from app.services.export import preflight
    from app.services.letters import generate_letters
    from app.services.roster import find_person

    assert application_deadline(load_profile("urumqi-private-2025")) == D(2025, 3, 17)
    r = generate_letters(staff_db, ["艾力·示例"], "gongshi", tmp_path, profile_id="urumqi-private-2025",
                         start=D(2025, 3, 11))
    assert r.late == [] and r.publicity is not None and r.publicity.end == D(2025, 3, 17)
    r = generate_letters(staff_db, ["艾力·示例"], "gongshi-result", tmp_path, profile_id="urumqi-private-2025")
    assert r.late == ["《公示结果》落款日期2025年3月18日晚于申报截止日期2025年3月17日，请提前公示起始日期或核对落款日期"]
    assert r.to_json()["late"] == r.late and r.to_json()["deadline"] == "2025-03-17"
    r = generate_letters(staff_db, ["艾力·示例"], "tuijian", tmp_path, profile_id="urumqi-private-2025")
    assert any("《推荐报告》落款日期2025年3月18日晚于" in m for m in r.late)

    from app.cli import main

    main(["letters", "艾力·示例", "--kind", "gongshi-result", "--out", str(tmp_path / "cli"), "--db", str(db_path),
          "--profile", "urumqi-private-2025"])
    out = capsys.readouterr().out
    assert "晚于截止日期" in out and "2025年3月18日" in out

    pid = find_person(staff_db, "艾力·示例").id
    pre = preflight(staff_db, profile_id="urumqi-private-2025", person_ids=[pid], include_unit_files=False)
    assert any(n.startswith("艾力·示例：") and "2025年3月18日晚于申报截止日期2025年3月17日" in n for n in pre.notes)


# --------------------------------------------------------------------------- conventions (GB/T 9704)

_HALF_WIDTH_IN_CHINESE = __import__("re").compile(r"[\u4e00-\u9fff][(),;:!?]|[(),;:!?][\u4e00-\u9fff]")


def test_letters_follow_gbt_9704_sizes_and_full_width_punctuation(make_id) -> None:
    from docx import Document
    from docx.shared import Cm, Pt

    teacher = _person(make_id, series="中小学教师", specialty="中小学教师", post_grade="专业技术十三级")
    lp = LetterPerson(teacher, Qualification("初定", "初级", years=1), political="拥护党的路线。", achievements="完成教学。")
    for tpl_id in ("korla-2024", "urumqi-private-2025", "urumqi-chuding"):
        tpl = load_template(tpl_id)
        for kind in KINDS:
            for letter in render_letters(kind, tpl, [lp], _ctx()):
                doc = Document(__import__("io").BytesIO(letter.data))
                title = doc.paragraphs[0].runs[0]
                assert title.font.size == Pt(22) and title.font.name in ("宋体", "方正小标宋简体"), (tpl_id, kind)
                body = [r for p in doc.paragraphs[1:] for r in p.runs if r.text.strip()]
                if kind in ("gongshi", "gongshi-result", "tuijian", "shide"):
                    assert body and all(r.font.size == Pt(16) and r.font.name == "仿宋" for r in body), (tpl_id, kind)
                text = docx_text(letter.data)
                assert not _HALF_WIDTH_IN_CHINESE.search(text), (tpl_id, kind, _HALF_WIDTH_IN_CHINESE.search(text))
    [report] = render_letters("tuijian", load_template("urumqi-private-2025"), [lp], _ctx())
    doc = Document(__import__("io").BytesIO(report.data))
    seals = doc.tables[-1]
    assert len(seals.columns) == 2 and seals.rows[0].height >= Cm(4.2)  # room for two seals side by side
    assert "测试电力科技有限公司（公章）" in seals.cell(1, 0).text and "主管单位（公章）" in seals.cell(1, 1).text
    assert "2025年3月4日" in seals.cell(1, 0).text
