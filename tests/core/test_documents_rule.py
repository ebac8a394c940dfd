"""Which unit documents each notice asks for (profile [documents] data, one reader: document_rule):
required, optional (offered, marked 非必需) or not applicable (not offered)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.domain.person import Education, PersonData, UnitData
from app.errors import PolicyError, ValidationError
from app.policy.profiles import (
    document_rule,
    load_profile,
    load_profile_file,
    offered_documents,
    profiles_dir,
)

D = dt.date


def test_each_profile_states_its_documents() -> None:
    ko, up, uc, xj = (load_profile(p) for p in ("korla-2024", "urumqi-private-2025", "urumqi-chuding",
                                                  "xj-2013-101"))
    assert document_rule(ko, "tuijian").need == "none"  # 003 lists no 推荐报告
    assert document_rule(ko, "shide").teachers_only and document_rule(ko, "form").need == "required"
    assert ko.form_titles == {"初定": "初次确定专业技术职务呈报表"}  # the name 003 五（三）8 gives
    for kind in ("chengnuo", "shide", "form"):  # 001 asks for none of these
        assert document_rule(up, kind).need == "none", kind
    assert document_rule(up, "tuijian").need == "required"
    assert "tuijian" not in [d.kind for d in offered_documents(uc)]
    assert document_rule(xj, "tuijian").need == "optional" and document_rule(xj, "tuijian").label == "推荐报告（非必需）"
    assert "《" in document_rule(ko, "gongshi").source  # cites the notice


def test_a_required_document_must_have_its_material(tmp_path: Path) -> None:
    text = (profiles_dir() / "korla-2024.toml").read_text(encoding="utf-8")
    bad = tmp_path / "korla-2024.toml"
    bad.write_text(text.replace('tuijian = "none"', 'tuijian = "required"'), encoding="utf-8")
    with pytest.raises(PolicyError, match=r"documents\.tuijian"):
        load_profile_file(bad)
    bad.write_text(text.replace('form_title = "初次确定专业技术职务呈报表"\n', ""), encoding="utf-8")
    with pytest.raises(PolicyError, match="form_title"):
        load_profile_file(bad)


@pytest.fixture
def school_db(db, make_id):  # type: ignore[no-untyped-def]
    from app.services.roster import save_person

    unit = UnitData(name="测试第一中学", nature="事业单位", location="库尔勒市", level="县级")
    edu = [Education(level="本科", mode="全日制", graduation_date=D(2023, 6, 30))]
    save_person(db, PersonData(name="教师甲", gender="女", ethnicity="汉族", political_status="群众",
                               id_number=make_id(D(2000, 1, 2), male=False), series="中小学教师",
                               specialty="中小学教师", position="教师", work_start=D(2023, 8, 1), unit=unit,
                               educations=edu, assessments={2023: "合格"}))
    save_person(db, PersonData(name="工程师乙", gender="男", ethnicity="汉族", political_status="群众",
                               id_number=make_id(D(1999, 4, 5)), series="工程", specialty="电力", position="技术员",
                               work_start=D(2023, 8, 1), unit=unit, educations=edu, assessments={2023: "合格"}))
    return db


def test_documents_the_notice_does_not_ask_for_are_not_generated(school_db, tmp_path: Path) -> None:
    from app.services.forms import generate_form
    from app.services.letters import generate_letters

    with pytest.raises(ValidationError, match="不要求《推荐报告》"):
        generate_letters(school_db, ["教师甲"], "tuijian", tmp_path, profile_id="korla-2024")
    for kind in ("chengnuo", "shide"):
        with pytest.raises(ValidationError, match="不要求"):
            generate_letters(school_db, ["教师甲"], kind, tmp_path, profile_id="urumqi-private-2025")
    with pytest.raises(ValidationError, match="不要求纸质呈报表"):
        generate_form(school_db, "教师甲", tmp_path / "f.pdf", profile_id="urumqi-private-2025")
    assert not list(tmp_path.glob("*.docx")) and not (tmp_path / "f.pdf").exists()
    r = generate_letters(school_db, ["教师甲"], "tuijian", tmp_path, profile_id="xj-2013-101")
    assert any("非必需" in w for w in r.warnings)


def test_ethics_statement_takes_teachers_only(school_db, tmp_path: Path) -> None:
    from app.export.letters import docx_text
    from app.services.letters import generate_letters

    r = generate_letters(school_db, ["教师甲", "工程师乙"], "shide", tmp_path, profile_id="korla-2024", as_of=D(2024, 10, 25))
    text = docx_text(r.paths[0])
    assert "教师甲" in text and "工程师乙" not in text
    assert any("工程师乙" in w and "不是教师系列" in w for w in r.warnings)
    with pytest.raises(ValidationError, match="均不是教师系列"):
        generate_letters(school_db, ["工程师乙"], "shide", tmp_path / "x", profile_id="korla-2024")


def test_form_title_comes_from_the_profile(school_db, tmp_path: Path) -> None:
    import pymupdf

    from app.services.forms import generate_form

    generate_form(school_db, "教师甲", tmp_path / "f.pdf", profile_id="korla-2024", as_of=D(2024, 10, 25))
    with pymupdf.open(tmp_path / "f.pdf") as doc:
        assert "初次确定专业技术职务呈报表" in doc[0].get_text()
