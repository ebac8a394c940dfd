"""Policy profiles: the four shipped files load, carry their sources and assumptions, and a bad file
is refused with a PolicyError naming the file and the key."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from app.errors import PolicyError, ValidationError
from app.policy.profiles import SLOTS, list_profiles, load_profile, load_profile_file, profiles_dir

D = dt.date
IDS = ["korla-2024", "urumqi-chuding", "urumqi-private-2025", "xj-2013-101"]


def test_the_four_profiles_load() -> None:
    assert [p.id for p in list_profiles()] == IDS
    for p in list_profiles():
        assert p.name and p.source.notice and p.source.seed in ("000", "001", "003", "004")
        assert p.routes and all(r.source for r in p.routes)
        assert all(rule.source for rule in p.rules.values())


def test_windows_and_default_as_of() -> None:
    up = load_profile("urumqi-private-2025")
    assert (up.window_start, up.window_end, up.default_as_of) == (D(2025, 2, 25), D(2025, 3, 17), D(2025, 3, 17))
    ko = load_profile("korla-2024")
    assert (ko.window_start, ko.window_end, ko.default_as_of) == (D(2024, 9, 30), D(2024, 10, 25), D(2024, 10, 25))
    for pid in ("urumqi-chuding", "xj-2013-101"):
        p = load_profile(pid)
        assert p.window_end is None and p.default_as_of is None


def test_routes_per_profile() -> None:
    def table(pid: str) -> set[tuple[str, str, int | None]]:
        return {(r.kind, r.level, r.years) for r in load_profile(pid).routes}

    primary = {("初定", "初级", 3), ("初定", "初级", 2), ("初定", "初级", 1)}
    assert table("urumqi-chuding") == primary
    assert table("korla-2024") == primary
    assert table("urumqi-private-2025") == primary | {("授予", "中级", 1), ("授予", "副高级", 1), ("授予", "正高级", 1)}
    assert table("xj-2013-101") == primary | {("初定", "中级", 3), ("授予", "中级", None), ("授予", "副高级", None)}
    assert load_profile("xj-2013-101").party_school is not None
    assert all(load_profile(p).party_school is None for p in IDS if p != "xj-2013-101")
    ko = load_profile("korla-2024")
    assert all(set(r.unit_levels) == {"乡镇及以下", "县级", "地州市"} for r in ko.routes)
    uc = load_profile("urumqi-chuding")
    benke = next(r for r in uc.routes if r.id == "chuding-benke")
    assert benke.warn_unit_levels == ("自治区",) and benke.unit_assumption and not benke.unit_levels


def test_korla_allowed_list_is_domain_1_6() -> None:
    allowed = load_profile("korla-2024").rules["allowed"]
    assert set(allowed.get("series")) == {"中小学教师", "幼儿园教师", "中等职业院校教师", "少数民族语文翻译", "党干校",
                                          "档案", "技工院校教师"}
    specialties = allowed.get("specialties")
    assert len(specialties) == 33 and {"农艺", "畜牧", "兽医", "电力", "质量技术监督"} <= set(specialties)
    assert all(load_profile(p).rule("allowed") is None for p in IDS if p != "korla-2024")


def test_exam_only_list_and_rules_per_profile() -> None:
    for pid in IDS:
        p = load_profile(pid)
        series = set(p.rules["exam_only"].get("series"))
        assert {"会计", "审计", "统计", "经济", "卫生", "计算机技术与软件", "翻译", "出版", "通信", "社会工作"} <= series
        assert "少数民族语文翻译" not in series
        assert p.rules["exam_only"].assumption and p.rules["discipline"].assumption
    assert load_profile("korla-2024").rules["status"].assumption is False
    assert load_profile("urumqi-chuding").rules["unit_nature"].get("barred") == ("机关",)
    assert load_profile("urumqi-chuding").rules["contract"].get("required") is True
    assert load_profile("urumqi-private-2025").rules["private_enterprise"].get("locations") == ("乌鲁木齐市",)
    assert load_profile("urumqi-private-2025").rules["dispatch"].get("min_years") == 1
    assert load_profile("korla-2024").rule("contract") is None
    for p in list_profiles():
        assert (p.counting.anniversary, p.counting.feb29, p.counting.assumption) == ("same_day", "mar1", True)


def test_assumptions_are_collected() -> None:
    for p in list_profiles():
        keys = {a.key for a in p.assumptions}
        assert {"counting", "rules.discipline", "rules.exam_only"} <= keys
        assert all(a.text and a.source for a in p.assumptions)
    assert "routes.chuding-benke.unit" in {a.key for a in load_profile("urumqi-chuding").assumptions}
    assert "rules.status" not in {a.key for a in load_profile("korla-2024").assumptions}


def test_materials_follow_domain_3() -> None:
    for p in list_profiles():
        slots = [m.slot for m in p.materials]
        assert set(slots) <= set(SLOTS) and len(slots) == len(set(slots))
        photo = p.material("photo")
        assert photo is not None and photo.mask is False
        for m in p.materials:  # unit- and platform-issued documents are never masked (DOMAIN §4)
            assert m.source
            if m.issuer in ("unit", "platform"):
                assert m.mask is False, (p.id, m.slot)
    up = load_profile("urumqi-private-2025")
    assert up.material("work_summary").word_range == (2000, 3000)  # type: ignore[union-attr]
    assert up.material("dispatch_note").condition == "dispatched"  # type: ignore[union-attr]
    assert up.material("continuing_education").condition == "not_first_application"  # type: ignore[union-attr]
    assert up.material("recommendation") is not None and up.material("id_card").pages_hint == "正反面"  # type: ignore[union-attr]
    ko = load_profile("korla-2024")
    assert ko.material("work_summary").word_range == (1000, None)  # type: ignore[union-attr]
    assert ko.material("chsi_record").max_age_days == 90  # type: ignore[union-attr]
    assert ko.material("chengbaobiao").issuer == "platform"  # type: ignore[union-attr]
    assert {"social_security", "commitment", "ethics_statement", "teacher_cert", "mandarin_cert"} <= {
        m.slot for m in ko.materials}
    assert ko.material("contract") is None
    assert ko.material("assessment").per_year and ko.material("assessment").pages_hint == "正反面"  # type: ignore[union-attr]
    uc = load_profile("urumqi-chuding")
    assert {"contract", "teacher_cert", "mandarin_cert", "gongshi", "gongshi_result"} <= {m.slot for m in uc.materials}
    assert uc.material("work_summary") is None and uc.material("recommendation") is None
    xj = load_profile("xj-2013-101")
    assert all(m.assumption for m in xj.materials)


def test_unknown_profile_is_a_validation_error() -> None:
    with pytest.raises(ValidationError, match="未知的政策配置"):
        load_profile("nope-2099")
    with pytest.raises(ValidationError):
        load_profile("../urumqi-chuding")


GOOD = (profiles_dir() / "korla-2024.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("edit", "key"), [
    (lambda s: s.replace("years = 3\n", "", 1), "routes[0].years"),
    (lambda s: s.replace("years = 3\n", 'years = "三"\n', 1), "routes[0].years"),
    (lambda s: s.replace('kind = "初定"', 'kind = "评审"', 1), "routes[0].kind"),
    (lambda s: s.replace('modes = ["全日制"]', 'modes = ["全日制", "夜校"]', 1), "routes[0].modes"),
    (lambda s: s.replace("[rules.status]\n", "[rules.status]\nbared = []\n", 1), "rules.status.bared"),
    (lambda s: s.replace("[rules.status]\n", "[rules.stauts]\n", 1), "rules.stauts"),
    (lambda s: s.replace("default_as_of = 2024-10-25", 'default_as_of = "2024-13-40"'), "window.default_as_of"),
    (lambda s: s.replace('id = "korla-2024"', 'id = "korla-2025"', 1), "id"),
    (lambda s: s.replace('slot = "photo"', 'slot = "selfie"', 1), "materials[1].slot"),
    (lambda s: s.replace('issuer = "unit"', 'issuer = "boss"', 1), "issuer"),
    (lambda s: s.replace("word_min = 1000", "word_max = 1000", 1), "word_min"),
    (lambda s: s.replace('slot = "photo"', 'slot = "id_card"', 1), "materials"),
    (lambda s: s.replace("schema = 1", "schema = 2", 1), "schema"),
])
def test_bad_profile_names_file_and_key(tmp_path: Path, edit, key: str) -> None:  # type: ignore[no-untyped-def]
    text = edit(GOOD)
    assert text != GOOD
    p = tmp_path / "korla-2024.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_profile_file(p)
    msg = info.value.message
    assert "korla-2024.toml" in msg and key in msg, msg
    assert info.value.exit_code == 3


def test_toml_syntax_error_and_unreadable_file(tmp_path: Path) -> None:
    p = tmp_path / "broken.toml"
    p.write_text("id = [unclosed\n", encoding="utf-8")
    with pytest.raises(PolicyError, match=re.escape("broken.toml")):
        load_profile_file(p)
    with pytest.raises(PolicyError, match="无法读取"):
        load_profile_file(tmp_path / "missing.toml")


def test_good_copy_loads(tmp_path: Path) -> None:
    p = tmp_path / "korla-2024.toml"
    p.write_text(GOOD, encoding="utf-8")
    assert load_profile_file(p).id == "korla-2024"
