"""The demo roster (app/services/demo.py): each invented person's expected verdict under
urumqi-private-2025 on 2025-03-17, read back from the real migrated database."""

from __future__ import annotations

import datetime as dt

import pytest

from app.services.demo import demo_people
from app.services.eligibility import check_persons, check_roster, resolve_as_of, verdict_counts

# name → (status, route, level, earliest_date, a reason code that must appear)
EXPECTED: dict[str, tuple[str, str | None, str | None, dt.date | None, str | None]] = {
    "艾力·示例": ("可申报", "初定", "初级", dt.date(2024, 7, 10), "YEARS_MET"),
    "李晓雯": ("可申报", "初定", "初级", dt.date(2024, 7, 1), "YEARS_MET"),
    "马建国": ("可申报", "初定", "初级", dt.date(2024, 7, 15), "TITLE_GRADE_UNCONFIRMED"),
    "王思远": ("待满年限", "初定", "初级", dt.date(2025, 7, 15), "AFTER_WINDOW"),
    "古丽娜·示例": ("可申报", "授予", "中级", dt.date(2024, 7, 20), None),
    "赵博文": ("可申报", "授予", "副高级", dt.date(2025, 1, 8), None),
    "孙丽萍": ("不符合", "初定", "初级", None, "NOT_FULL_TIME"),
    "周德海": ("不符合", "初定", "初级", None, "STATUS_BARRED"),
    "吴晨": ("不符合", "初定", "初级", dt.date(2025, 10, 1), "DISCIPLINE_IN_FORCE"),
    "郑雅琴": ("不符合", "初定", "初级", None, "EXAM_ONLY_SERIES"),
    "陈志强": ("信息不全", "初定", "初级", dt.date(2023, 7, 4), "ASSESSMENT_MISSING"),
    "阿依古丽·示例": ("不符合", "初定", "初级", None, "ASSESSMENT_FAILED"),
    "刘洋": ("待满年限", "初定", "初级", dt.date(2025, 9, 1), "DISPATCH_TOO_SHORT"),
    "黄蕾": ("不符合", "初定", "初级", None, "NO_CONTRACT"),
    "杨帆": ("信息不全", "初定", "初级", None, "BASIS_DATE_MISSING"),
    "何静": ("可申报", "初定", "初级", dt.date(2022, 7, 1), "DISCIPLINE_NO_BAR"),
    "努尔兰·示例": ("可申报", "初定", "初级", dt.date(2019, 7, 10), "JUDGED_ON_FULL_TIME_RECORD"),
    "徐闰": ("可申报", "初定", "初级", dt.date(2025, 3, 1), "YEARS_MET"),
    "林海涛": ("可申报", "授予", "正高级", dt.date(2024, 9, 15), None),
    "高晓敏": ("可申报", "初定", "初级", dt.date(2023, 9, 1), None),
}


def test_every_demo_person_gets_the_expected_verdict(demo_db: object) -> None:
    # the stored demo roster, read back from the real database (creating it is slow: one test only)
    res = check_roster(demo_db, "urumqi-private-2025", dt.date(2025, 3, 17))  # type: ignore[arg-type]
    results = {p.name: v for p, v in res}
    assert set(results) == set(EXPECTED)
    assert verdict_counts(res) == {"可申报": 10, "待满年限": 2, "不符合": 6, "信息不全": 2}
    for name, (status, route, level, earliest, code) in EXPECTED.items():
        v = results[name]
        assert (v.status, v.route, v.level, v.earliest_date) == (status, route, level, earliest), name  # type: ignore[attr-defined]
        if code:
            assert code in {r.code for r in v.reasons}, (name, [r.code for r in v.reasons])  # type: ignore[attr-defined]


@pytest.fixture
def results() -> dict[str, object]:
    res = check_persons(demo_people(), "urumqi-private-2025", dt.date(2025, 3, 17))
    return {p.name: v for p, v in res}


def test_demo_titles_and_missing(results: dict[str, object]) -> None:
    assert results["努尔兰·示例"].title == "助理兽医师"  # type: ignore[attr-defined]
    assert results["高晓敏"].title == "二级教师"  # type: ignore[attr-defined]
    assert results["林海涛"].title == "正高级工程师"  # type: ignore[attr-defined]
    assert results["陈志强"].missing == ["考核结果（2024年度）"]  # type: ignore[attr-defined]
    assert results["杨帆"].missing == ["毕业日期", "参加专业技术工作日期"]  # type: ignore[attr-defined]


def test_counts_and_default_as_of() -> None:
    from app.policy.profiles import load_profile

    day, warnings = resolve_as_of(load_profile("urumqi-private-2025"), None)
    assert day == dt.date(2025, 3, 17) and warnings == []
    res = check_persons(demo_people(), "urumqi-private-2025", None)
    assert verdict_counts(res) == {"可申报": 10, "待满年限": 2, "不符合": 6, "信息不全": 2}
    day, warnings = resolve_as_of(load_profile("urumqi-private-2025"), dt.date(2025, 4, 1))
    assert day == dt.date(2025, 4, 1) and "不在" in warnings[0]
    day, warnings = resolve_as_of(load_profile("xj-2013-101"), None, deadline=dt.date(2025, 11, 4))
    assert day == dt.date(2025, 11, 4) and warnings == []  # the round's deadline
    day, warnings = resolve_as_of(load_profile("xj-2013-101"), None, today=dt.date(2026, 5, 4))
    assert day == dt.date(2026, 5, 4) and "暂按今天" in warnings[0]


def test_round_options_change_the_roster_check(db: object) -> None:
    from app.services.roster import save_person
    from app.services.rounds import RoundOptions, update_round

    for p in demo_people():
        save_person(db, p)  # type: ignore[arg-type]
    update_round(db, options=RoundOptions(anniversary_mode="day_after", exam_only_series=()))  # type: ignore[arg-type]
    seen: list[tuple[int, int]] = []
    res = {p.name: v for p, v in check_roster(db, "urumqi-private-2025", dt.date(2025, 3, 17),  # type: ignore[arg-type]
                                              progress=lambda done, total: seen.append((done, total)))}
    assert res["艾力·示例"].earliest_date == dt.date(2024, 7, 11)  # day after the anniversary
    assert res["郑雅琴"].status == "可申报"  # the officer emptied the exam-only list
    assert seen and seen[-1] == (20, 20)
