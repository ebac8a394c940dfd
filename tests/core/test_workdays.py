"""Working days for the 公示 period: national data (chinesecalendar), 调休, Xinjiang regional holidays,
officer edits in the user data dir, and the weekends-only fallback beyond the library's years."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from app.errors import PolicyError, ValidationError
from app.policy.workdays import (
    RegionalHoliday,
    is_working_day,
    library_years,
    load_regional_holidays,
    load_shipped_holidays,
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


def test_year_beyond_the_library_warns_and_counts_weekends_only() -> None:
    first, last = library_years()
    assert first <= 2025 <= last
    year = last + 1
    start = D(year, 1, 1)
    r = working_days_from(start, 5)
    assert all(d.weekday() < 5 for d in r.days) and len(r.days) == 5
    assert any(f"{year}年的国家法定节假日" in w for w in r.warnings)
    assert any(f"{year}年的新疆肉孜节、古尔邦节" in w for w in r.warnings)
    assert is_working_day(D(year, 1, 1)) is (D(year, 1, 1).weekday() < 5)  # no crash


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
