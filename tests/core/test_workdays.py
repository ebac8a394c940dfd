"""Working days for the 公示 period: national data (chinesecalendar), 调休, Xinjiang regional holidays,
officer edits in the user data dir, and the weekends-only fallback beyond the library's years."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from app.errors import PolicyError, ValidationError
from app.policy.workdays import (
    NATIONAL_NAMES,
    RegionalHoliday,
    computed_national_holidays,
    is_working_day,
    library_years,
    load_regional_holidays,
    load_shipped_holidays,
    national_table_years,
    officer_path,
    save_regional_holidays,
    working_days_from,
)

D = dt.date


def test_domain_example_ends_on_the_tiaoxiu_saturday() -> None:
    r = working_days_from(D(2025, 9, 29), 5)
    assert r.days == [D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 9), D(2025, 10, 10), D(2025, 10, 11)]
    assert r.end == D(2025, 10, 11) and r.warnings == []
    assert r.to_json()["end"] == "2025-10-11"


def test_start_on_a_holiday_counts_from_the_next_working_day() -> None:
    r = working_days_from(D(2025, 10, 1), 2)
    assert r.days == [D(2025, 10, 9), D(2025, 10, 10)]


def test_tiaoxiu_weekend_day_is_a_working_day() -> None:
    assert D(2025, 9, 28).weekday() == 6 and is_working_day(D(2025, 9, 28))
    assert D(2025, 10, 11).weekday() == 5 and is_working_day(D(2025, 10, 11))
    assert not is_working_day(D(2025, 10, 12))  # an ordinary Sunday
    assert working_days_from(D(2025, 9, 28), 1).days == [D(2025, 9, 28)]


def test_regional_holiday_is_skipped_and_can_be_turned_off() -> None:
    # 2025 肉孜节: 3月29日至31日 (31 Mar is a Monday)
    with_regional = working_days_from(D(2025, 3, 27), 3)
    assert with_regional.days == [D(2025, 3, 27), D(2025, 3, 28), D(2025, 4, 1)]
    without = working_days_from(D(2025, 3, 27), 3, include_regional=False)
    assert without.days == [D(2025, 3, 27), D(2025, 3, 28), D(2025, 3, 31)]
    # 2025 古尔邦节: 6月6日（周五）至10日（周二）
    assert working_days_from(D(2025, 6, 5), 2).days == [D(2025, 6, 5), D(2025, 6, 11)]


def test_extra_holidays_and_workdays() -> None:
    r = working_days_from(D(2025, 9, 29), 5, extra_holidays=[D(2025, 9, 30)])
    assert r.end == D(2025, 10, 13)
    r = working_days_from(D(2025, 9, 29), 5, extra_workdays=[D(2025, 10, 5)])
    assert r.days == [D(2025, 9, 29), D(2025, 9, 30), D(2025, 10, 5), D(2025, 10, 9), D(2025, 10, 10)]


def test_added_regional_holiday_saved_by_the_officer() -> None:
    rows = load_regional_holidays()
    # the officer adds a day off on Thursday 2025-10-09 (e.g. a local notice)
    rows.append(RegionalHoliday(year=2025, name="地方临时放假", start=D(2025, 10, 9), end=D(2025, 10, 9),
                                source="经办人添加：示例通知", origin="officer"))
    save_regional_holidays(rows)
    assert officer_path().exists()
    r = working_days_from(D(2025, 9, 29), 5)
    assert D(2025, 10, 9) not in r.days and r.end == D(2025, 10, 13)
    saved = json.loads(officer_path().read_text(encoding="utf-8"))["holidays"]
    assert [h["name"] for h in saved] == ["地方临时放假"]  # shipped rows unchanged are not duplicated


def test_officer_can_fix_and_delete_shipped_rows() -> None:
    rows = load_regional_holidays()
    fixed = [dataclasses.replace(h, start=D(2024, 4, 9), end=D(2024, 4, 11), assumption=False,
                                 source="经办人核对：2024年自治区通知", origin="officer")
             if h.key == (2024, "肉孜节") else h for h in rows if h.key != (2025, "肉孜节")]
    save_regional_holidays(fixed)
    again = {h.key: h for h in load_regional_holidays()}
    assert (2025, "肉孜节") not in again  # deletion survives a reload
    assert again[(2024, "肉孜节")].start == D(2024, 4, 9) and again[(2024, "肉孜节")].origin == "officer"
    assert is_working_day(D(2025, 3, 31))  # the deleted row no longer blocks the day
    assert not is_working_day(D(2024, 4, 11))
    hidden = {h.key: h for h in load_regional_holidays(include_disabled=True)}
    assert hidden[(2025, "肉孜节")].enabled is False


def test_invalid_officer_rows_are_refused() -> None:
    bad = RegionalHoliday(year=2025, name="x", start=D(2025, 5, 2), end=D(2025, 5, 1), source="s")
    with pytest.raises(ValidationError, match="结束日期早于开始日期"):
        save_regional_holidays([bad])
    assert not officer_path().exists()


def test_corrupt_officer_file_falls_back_to_the_shipped_table() -> None:
    officer_path().write_text("{not json", encoding="utf-8")
    assert {h.key for h in load_regional_holidays()} == {h.key for h in load_shipped_holidays()}
    assert working_days_from(D(2025, 9, 29), 5).end == D(2025, 10, 11)


def test_year_beyond_the_library_computes_the_statutory_holidays_and_says_estimated() -> None:
    first, last = library_years()
    assert first <= 2025 <= last < 2027
    r = working_days_from(D(2026, 12, 28), 5)
    assert D(2027, 1, 1) not in r.days  # 元旦 (a Friday) is off although the library lacks 2027
    assert r.days == [D(2026, 12, 28), D(2026, 12, 29), D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 4)]
    assert r.estimated and r.estimated_years == [2027]
    assert r.to_json()["basis"] == "推定" and r.to_json()["estimated"] is True
    assert any("2027年的国务院节假日安排未收录" in w and "推定" in w for w in r.warnings)
    assert any("2027年的新疆肉孜节、古尔邦节" in w for w in r.warnings)
    known = working_days_from(D(2025, 9, 29), 5)
    assert not known.estimated and known.to_json()["basis"] == ""


def test_computed_holidays_follow_the_2024_revision() -> None:
    rows = {h.name: h for h in computed_national_holidays(2027)}
    assert set(rows) == set(NATIONAL_NAMES)
    assert all(h.assumption and "795号" in h.source for h in rows.values())
    assert rows["劳动节"].start == D(2027, 5, 1) and rows["国庆节"].start == D(2027, 10, 1)
    assert rows["清明节"].start == D(2027, 4, 5)
    assert rows["端午节"].start == D(2027, 6, 9) and rows["中秋节"].start == D(2027, 9, 15)
    # 2028 中秋 (10月3日) falls inside 国庆; 2028 元旦 is a Saturday → 补假 on Monday 3 January
    y28 = {h.name: h for h in computed_national_holidays(2028)}
    assert y28["元旦"].days() == [D(2028, 1, 1), D(2028, 1, 2), D(2028, 1, 3)]


def test_spring_festival_in_february_2027() -> None:
    # 2027 春节 = 2月6日 (Saturday): 除夕 5日 + 初一至初三 6–8日, 补假 for the weekend days 9–10日
    r = working_days_from(D(2027, 2, 3), 5, include_regional=False)
    assert r.days == [D(2027, 2, 3), D(2027, 2, 4), D(2027, 2, 11), D(2027, 2, 12), D(2027, 2, 15)]
    assert r.estimated


def test_spring_festival_in_january_2028() -> None:
    # 2028 春节 = 1月26日 (Wednesday): 除夕 25日 to 初三 28日 (Friday) off
    r = working_days_from(D(2028, 1, 24), 3, include_regional=False)
    assert r.days == [D(2028, 1, 24), D(2028, 1, 31), D(2028, 2, 1)]
    assert r.estimated_years == [2028]


def test_officer_entered_national_schedule_overrides_the_computed_days() -> None:
    rows = load_regional_holidays()
    # a (fictitious) announced 2027 元旦 schedule: 1–3 January off, Sunday 10 January a 调休 working day
    rows.append(RegionalHoliday(year=2027, name="元旦", start=D(2027, 1, 1), end=D(2027, 1, 3),
                                workdays=(D(2027, 1, 10),), source="国务院办公厅关于2027年部分节假日安排的通知（示例）",
                                origin="officer"))
    save_regional_holidays(rows)
    assert is_working_day(D(2027, 1, 10))  # 调休 Sunday
    assert not is_working_day(D(2027, 1, 1))
    # the computed 春节 still applies for the festivals not entered: still 推定
    r = working_days_from(D(2027, 2, 3), 5, include_regional=False)
    assert D(2027, 2, 8) not in r.days and r.estimated
    assert "元旦" not in next(w for w in r.warnings if "国务院节假日安排未收录" in w)
    # the officer replaces 春节 with a shorter announced block: the computed 补假 days 9–10日 are working
    rows = load_regional_holidays()
    rows.append(RegionalHoliday(year=2027, name="春节", start=D(2027, 2, 5), end=D(2027, 2, 8),
                                source="国务院办公厅通知（示例）", origin="officer"))
    save_regional_holidays(rows)
    assert is_working_day(D(2027, 2, 9), include_regional=False)
    # every festival entered: the year is no longer estimated
    rows = load_regional_holidays()
    have = {h.name for h in rows if h.year == 2027}
    for h in computed_national_holidays(2027):
        if h.name not in have:
            rows.append(dataclasses.replace(h, source="国务院办公厅通知（示例）", assumption=False, origin="officer"))
    save_regional_holidays(rows)
    assert national_table_years() == {2027}
    r = working_days_from(D(2027, 2, 3), 5, include_regional=False)
    assert not r.estimated and not any("推定" in w for w in r.warnings)
    assert r.days == [D(2027, 2, 3), D(2027, 2, 4), D(2027, 2, 9), D(2027, 2, 10), D(2027, 2, 11)]


def test_workdays_cli_says_estimated(capsys) -> None:  # type: ignore[no-untyped-def]
    from app.cli import main

    assert main(["workdays", "2026-12-28", "5"]) == 0
    out = capsys.readouterr().out
    assert "推定" in out and "2027-01-01" not in out and "2027-01-04" in out
    assert main(["workdays", "2026-12-28", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["basis"] == "推定" and "2027-01-01" not in data["days"]


def test_assumed_regional_rows_are_flagged_when_used() -> None:
    r = working_days_from(D(2024, 4, 8), 5)
    assert D(2024, 4, 10) not in r.days
    assert any("2024年肉孜节" in w and "推定" in w for w in r.warnings)


def test_bad_counts_are_refused() -> None:
    for n in (0, -3):
        with pytest.raises(ValidationError):
            working_days_from(D(2025, 1, 6), n)
    with pytest.raises(ValidationError, match="找不到"):
        working_days_from(D(2025, 1, 6), 3, extra_holidays=[D(2025, 1, 6) + dt.timedelta(days=i) for i in range(200)])


def test_shipped_table_rows_carry_sources() -> None:
    rows = load_shipped_holidays()
    assert {h.name for h in rows} == {"肉孜节", "古尔邦节"}
    assert all(h.source for h in rows)
    verified = {h.year for h in rows if not h.assumption}
    assumed = {h.year for h in rows if h.assumption}
    assert verified == {2022, 2023, 2025} and assumed == {2024, 2026}
    r25 = {h.name: h for h in rows if h.year == 2025}
    assert (r25["肉孜节"].start, r25["肉孜节"].end) == (D(2025, 3, 29), D(2025, 3, 31))
    assert (r25["古尔邦节"].start, r25["古尔邦节"].end) == (D(2025, 6, 6), D(2025, 6, 10))


def test_broken_shipped_table_names_the_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    p = tmp_path / "x.toml"
    p.write_text('[[holidays]]\nyear = 2025\nname = "肉孜节"\nstart = 2025-03-29\nsource = "s"\n', encoding="utf-8")
    with pytest.raises(PolicyError, match=r"holidays\[0\]\.end"):
        load_shipped_holidays(p)
