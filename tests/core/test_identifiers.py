"""GB 11643 ID numbers, GB 32100 credit codes, phone numbers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.policy.identifiers import (
    check_id_number,
    check_phone,
    check_uscc,
    id_check_char,
    make_id_number,
    make_uscc,
    uscc_check_char,
)

TODAY = dt.date(2026, 11, 23)


def test_known_public_examples() -> None:
    # The worked examples printed in GB 11643 / GB 32100 commentary (not persons).
    assert id_check_char("11010519491231002") == "X"
    assert uscc_check_char("91350100M000100Y4") == "3"


def test_valid_id_derives_birth_gender_region(make_id) -> None:  # type: ignore[no-untyped-def]
    idn = make_id(dt.date(1998, 3, 4), male=False)
    r = check_id_number(idn, gender="女", today=TODAY)
    assert r.valid and not r.errors
    assert r.derived["birth_date"] == "1998-03-04"
    assert r.derived["gender"] == "女"
    assert r.derived["province"] == "新疆维吾尔自治区"


def test_wrong_check_digit_names_the_right_one(make_id) -> None:  # type: ignore[no-untyped-def]
    idn = make_id()
    bad = idn[:17] + ("0" if idn[17] != "0" else "1")
    r = check_id_number(bad, today=TODAY)
    assert not r.valid
    assert any(f"应为 {idn[17]}" in e for e in r.errors)


def test_gender_parity_mismatch(make_id) -> None:  # type: ignore[no-untyped-def]
    r = check_id_number(make_id(male=True), gender="女", today=TODAY)
    assert not r.valid
    assert any("性别与身份证号不符" in e for e in r.errors)


def test_fifteen_digit_rejected_with_hint() -> None:
    r = check_id_number("650102980304123", today=TODAY)
    assert not r.valid and "18 位" in r.errors[0]


@pytest.mark.parametrize("birth", ["19990230", "20001301", "19990000"])
def test_impossible_birth_date(birth: str) -> None:
    first17 = f"650102{birth}123"
    r = check_id_number(first17 + id_check_char(first17), today=TODAY)
    assert not r.valid and any("不存在" in e for e in r.errors)


def test_future_birth_date_rejected() -> None:
    first17 = "65010220300101123"
    r = check_id_number(first17 + id_check_char(first17), today=TODAY)
    assert not r.valid and any("之后" in e for e in r.errors)


def test_unknown_region_is_only_a_warning() -> None:
    idn = make_id_number("990101", dt.date(1995, 1, 1), 5, male=True)
    r = check_id_number(idn, today=TODAY)
    assert r.valid and any("地区码" in w for w in r.warnings)


def test_implausible_age_warns() -> None:
    idn = make_id_number("650102", dt.date(2015, 1, 1), 5, male=True)
    r = check_id_number(idn, today=TODAY)
    assert r.valid and any("岁" in w for w in r.warnings)


def test_lowercase_x_and_fullwidth_normalised() -> None:
    r = check_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY)
    assert r.value == "11010519491231002X" and r.valid


@given(st.dates(dt.date(1960, 1, 1), dt.date(2008, 12, 31)), st.integers(0, 999), st.booleans())
def test_generated_ids_always_validate(birth: dt.date, seq: int, male: bool) -> None:
    idn = make_id_number("650104", birth, seq, male=male)
    r = check_id_number(idn, gender="男" if male else "女", today=TODAY)
    assert r.valid, r.errors


def test_uscc_valid_and_invalid() -> None:
    code = make_uscc("91650100MA7X2Y3K4")
    assert check_uscc(code).valid
    assert check_uscc(code.lower()).valid
    broken = code[:17] + ("0" if code[17] != "0" else "1")
    r = check_uscc(broken)
    assert not r.valid and "校验位" in r.errors[0]
    r = check_uscc("91650100MA7X2Y3KI" + "0")
    assert not r.valid and "不允许的字符" in r.errors[0]
    assert not check_uscc("123").valid


@pytest.mark.parametrize(("value", "ok"), [("13909910001", True), ("+86 139 0991 0001", True),
                                           ("0991-4871993", True), ("12345", False), ("23909910001", False)])
def test_phone(value: str, ok: bool) -> None:
    assert check_phone(value).valid is ok
