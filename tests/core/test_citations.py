"""Citations a reader can follow: everything the officer or a 人社局 reader sees names the notice
(issuing body, title or 文号, date, section), never an internal reference ("DOMAIN §…") or a bare
source-text number ("003")."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pymupdf

from app.domain.person import Education, PersonData, UnitData
from app.export.form import FormData, render_form
from app.export.letters import (
    KINDS,
    LetterContext,
    LetterPerson,
    Publicity,
    Qualification,
    UnitInfo,
    docx_text,
    load_template,
    render_letters,
)
from app.policy.citations import cite, has_internal_reference, notice
from app.policy.eligibility import evaluate
from app.policy.profiles import list_profiles
from app.services.demo import demo_people

D = dt.date
APP = Path(__file__).resolve().parents[2] / "app"


def test_cite_names_the_notice_body_title_date_and_section() -> None:
    text = cite("003 五（一）6；五（三）1")
    assert text.startswith("库尔勒市人力资源和社会保障局《关于开展2024年度库尔勒市全日制大中专毕业生初次确定初级专业技术职务任职资格工作的通知》")
    assert "（2024年9月25日）五（一）6" in text
    assert cite("001 附件4") == ("乌鲁木齐市人力资源和社会保障局《关于开展2025年度乌鲁木齐市民营企业专项初定（授予）职称工作的通知》"
                                 "（2025年2月25日）附件4")
    assert "新人社发〔2013〕101号第四条" in cite("004 一.2（101号第四条：大专毕业从事专业技术工作满2年）")
    assert not has_internal_reference(cite("003 三（国家以考代评的专业除外）；名单见 DOMAIN §1.5"))
    assert cite(cite("002 一(三)")) == cite("002 一(三)")  # idempotent
    assert has_internal_reference("003 五") and has_internal_reference("DOMAIN §1.1")
    assert not has_internal_reference("2000-3000字，电话0991-0000000，新人社发〔2013〕101号")
    for key in ("000", "001", "002", "003", "004"):
        assert notice(key) is not None


def _profile_texts(prof) -> list[str]:  # type: ignore[no-untyped-def]
    out = [prof.name, prof.short_name, prof.source.cite(), prof.window_source, prof.window_note,
           prof.counting.source, prof.counting.note, prof.required_years_rule.source]
    out += [e.source for e in prof.required_years_rule.extra]
    for r in prof.routes:
        out += [r.label, r.source, r.unit_source, r.unit_note, r.note]
    for rule in prof.rules.values():
        out += [rule.source, rule.note]
    for m in prof.materials:
        out += [m.name, m.source, m.note]
    for a in prof.assumptions:
        out += [a.text, a.source]
    if prof.party_school:
        out.append(prof.party_school.source)
    return [t for t in out if t]


def test_profile_data_shown_to_the_officer_has_no_internal_reference() -> None:
    for prof in list_profiles():
        for text in _profile_texts(prof):
            assert not has_internal_reference(text), (prof.id, text)
        assert "《" in prof.source.cite()
        for r in prof.routes:
            assert "《" in r.source, (prof.id, r.source)  # names the notice


def test_verdict_reasons_cite_notices(make_id) -> None:  # type: ignore[no-untyped-def]
    as_of = D(2025, 3, 17)
    for prof in list_profiles():
        for person in demo_people():
            v = evaluate(person, prof, as_of)
            for verdict in (v, *v.alternatives):
                for r in verdict.reasons:
                    assert not has_internal_reference(r.message + r.source), (prof.id, r.code, r.source)


def _letter_person(make_id) -> LetterPerson:  # type: ignore[no-untyped-def]
    p = PersonData(name="测试甲", gender="女", ethnicity="汉族", political_status="群众",
                   id_number=make_id(D(2000, 3, 4), male=False), series="中小学教师", specialty="中小学教师",
                   position="教师", unit=UnitData(name="测试学校"), post_grade="专业技术十三级",
                   educations=[Education(level="本科", mode="全日制", graduation_date=D(2023, 6, 30))])
    return LetterPerson(p, Qualification("初定", "初级", "中学二级教师", 1), "拥护党的路线方针政策。", "完成教学任务。")


def test_letters_and_form_have_no_internal_reference(make_id) -> None:  # type: ignore[no-untyped-def]
    lp = _letter_person(make_id)
    pub = Publicity(D(2025, 3, 3), D(2025, 3, 7), [D(2025, 3, 3 + i) for i in range(5)])
    ctx = LetterContext(UnitInfo("测试学校", "办公室", "0991-1234567"), pub, D(2025, 3, 10), (1000, None))
    for prof in list_profiles():
        tpl = load_template(prof.id)
        for kind in KINDS:
            for letter in render_letters(kind, tpl, [lp], ctx):
                text = docx_text(letter.data)
                assert not has_internal_reference(text), (prof.id, kind, text)
    v = evaluate(lp.person, list_profiles()[0], D(2025, 3, 17))
    pdf = render_form(FormData(lp.person, lp.qualification, basis="；".join(r.source for r in v.reasons))).data
    with pymupdf.open(stream=pdf, filetype="pdf") as doc:
        text = "".join(page.get_text() for page in doc)
    assert not has_internal_reference(text)


def _user_strings(path: Path) -> list[str]:
    """String literals of a module that are not docstrings (what a user may see)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings
            and any("\u4e00" <= ch <= "\u9fff" for ch in n.value)]


def test_no_user_facing_string_in_the_code_cites_internal_references() -> None:
    bad = []
    for path in sorted(APP.rglob("*.py")):
        if "migrations" in path.parts or path.name == "citations.py":  # citations.py: its own patterns
            continue
        for s in _user_strings(path):
            if "末三位是 000" in s:  # an ID number ending in 000, not a notice
                continue
            if has_internal_reference(s) or "§" in s:
                bad.append(f"{path.relative_to(APP)}: {s[:80]}")
    assert bad == []


def test_user_guide_shown_in_the_app_has_no_internal_reference() -> None:
    guide = (APP.parent / "docs" / "USER_GUIDE.md").read_text(encoding="utf-8")
    bad = [line for line in guide.splitlines() if has_internal_reference(line)]
    assert bad == []
