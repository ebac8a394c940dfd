"""Table-driven cases for every rule and boundary of DOMAIN.md §1, per profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.policy.eligibility import EligibilityOptions, Verdict, anniversary, evaluate
from app.policy.profiles import load_profile
from tests.core.test_eligibility_helpers import D, edu, person, unit

UP, UC, KO, XJ = "urumqi-private-2025", "urumqi-chuding", "korla-2024", "xj-2013-101"
AS_OF = {UP: D(2025, 3, 17), UC: D(2025, 6, 30), KO: D(2024, 10, 25), XJ: D(2025, 6, 30)}


def run(profile_id: str, as_of: dt.date | None = None, options: EligibilityOptions | None = None,
        **kw: Any) -> Verdict:
    return evaluate(person(**kw), load_profile(profile_id), as_of or AS_OF[profile_id], options=options)


def codes(v: Verdict) -> set[str]:
    return {r.code for r in v.reasons}


# (id, profile, as_of or None, person fields, status, codes that must appear, extra expectations)
CASES: list[tuple[str, str, dt.date | None, dict[str, Any], str, set[str], dict[str, Any]]] = [
    # ---------------------------------------------------------------- urumqi-private-2025 (001)
    ("up-benke-ok", UP, None, {}, "可申报", {"YEARS_MET"},
     {"route": "初定", "level": "初级", "title": "助理工程师", "earliest_date": D(2024, 7, 10)}),
    ("up-day-before-anniversary", UP, None, {"work_start": D(2024, 3, 18)}, "待满年限", {"YEARS_NOT_MET", "AFTER_WINDOW"},
     {"earliest_date": D(2025, 3, 18), "eligible": False}),
    ("up-on-anniversary", UP, None, {"work_start": D(2024, 3, 17)}, "可申报", {"YEARS_MET"},
     {"earliest_date": D(2025, 3, 17)}),
    ("up-feb29-day-before", UP, D(2025, 2, 28), {"educations": [edu(grad=D(2024, 2, 29))], "work_start": D(2024, 2, 29)},
     "待满年限", {"YEARS_NOT_MET"}, {"earliest_date": D(2025, 3, 1)}),
    ("up-feb29-reached-mar1", UP, D(2025, 3, 1), {"educations": [edu(grad=D(2024, 2, 29))], "work_start": D(2024, 2, 29)},
     "可申报", {"YEARS_MET"}, {"earliest_date": D(2025, 3, 1)}),
    ("up-graduation-later-than-work", UP, None, {"work_start": D(2022, 1, 1), "educations": [edu(grad=D(2024, 6, 30))]},
     "待满年限", {"YEARS_NOT_MET"}, {"earliest_date": D(2025, 6, 30)}),
    ("up-zhongzhuan-grade-unconfirmed", UP, None,
     {"educations": [edu("中专", D(2021, 7, 1))], "work_start": D(2021, 7, 15)}, "可申报", {"TITLE_GRADE_UNCONFIRMED"},
     {"required_years": [2022, 2023, 2024], "title": "助理工程师"}),
    ("up-zhongzhuan-short", UP, None, {"educations": [edu("中专", D(2022, 7, 1))], "work_start": D(2022, 7, 15)},
     "待满年限", {"YEARS_NOT_MET"}, {"earliest_date": D(2025, 7, 15)}),
    ("up-dazhuan-boundary", UP, None, {"educations": [edu("大专", D(2023, 3, 1))], "work_start": D(2023, 3, 18)},
     "待满年限", {"YEARS_NOT_MET"}, {"earliest_date": D(2025, 3, 18), "required_years": [2023, 2024]}),
    ("up-not-full-time", UP, None, {"educations": [edu(mode="非全日制")]}, "不符合", {"NOT_FULL_TIME"}, {}),
    ("up-party-school-not-applicable", UP, None, {"educations": [edu(mode="党校")], "unit": unit(level="乡镇及以下")},
     "不符合", {"NOT_FULL_TIME"}, {}),
    ("up-earlier-full-time-record", UP, None,
     {"educations": [edu("大专", D(2017, 6, 30)), edu("本科", D(2022, 1, 10), mode="非全日制")],
      "work_start": D(2017, 7, 10)},
     "可申报", {"JUDGED_ON_FULL_TIME_RECORD"}, {"route_id": "chuding-dazhuan"}),
    ("up-master-grant", UP, None,
     {"educations": [edu("本科", D(2020, 6, 30)),
                     edu("硕士研究生", D(2023, 6, 30), degree="硕士", degree_date=D(2023, 6, 30))],
      "work_start": D(2023, 7, 20)},
     "可申报", {"YEARS_MET"}, {"route": "授予", "level": "中级", "title": "工程师"}),
    ("up-master-part-time-falls-back", UP, None,
     {"educations": [edu("本科", D(2020, 6, 30)),
                     edu("硕士研究生", D(2023, 6, 30), mode="非全日制", degree="硕士", degree_date=D(2023, 6, 30))],
      "work_start": D(2020, 7, 20)},
     "可申报", {"JUDGED_ON_FULL_TIME_RECORD"}, {"route": "初定", "level": "初级"}),
    ("up-master-degree-date-missing", UP, None,
     {"educations": [edu("硕士研究生", D(2023, 6, 30), degree="硕士", degree_date=None)], "work_start": D(2023, 7, 20)},
     "信息不全", {"BASIS_DATE_MISSING"}, {"missing": ["学位取得日期"]}),
    ("up-doctor-grant", UP, None,
     {"educations": [edu("博士研究生", D(2023, 12, 20), degree="博士", degree_date=D(2023, 12, 20))],
      "work_start": D(2024, 1, 8)},
     "可申报", set(), {"route": "授予", "level": "副高级", "title": "高级工程师"}),
    ("up-postdoc-grant", UP, None,
     {"educations": [edu("博士研究生", D(2020, 6, 30), degree="博士", degree_date=D(2020, 6, 30),
                         postdoc=D(2023, 9, 1))], "work_start": D(2023, 9, 15)},
     "可申报", set(), {"route": "授予", "level": "正高级", "title": "正高级工程师"}),
    ("up-state-owned", UP, None, {"unit": unit(nature="国有企业")}, "不符合", {"NOT_PRIVATE_ENTERPRISE"}, {}),
    ("up-out-of-town-not-dispatched", UP, None, {"unit": unit(location="库尔勒市")}, "不符合", {"NOT_LOCAL_ENTERPRISE"}, {}),
    ("up-out-of-town-dispatched-1y", UP, None,
     {"unit": unit(location="库尔勒市"), "dispatched": True, "dispatch_start": D(2024, 3, 17)},
     "可申报", {"DISPATCHED_FROM_OUTSIDE", "DISPATCH_OK"}, {}),
    ("up-dispatched-short", UP, None,
     {"unit": unit(location="库尔勒市"), "dispatched": True, "dispatch_start": D(2024, 3, 18)},
     "待满年限", {"DISPATCH_TOO_SHORT", "AFTER_WINDOW"}, {"earliest_date": D(2025, 3, 18)}),
    ("up-dispatched-start-missing", UP, None, {"dispatched": True, "dispatch_start": None},
     "信息不全", {"DISPATCH_START_MISSING"}, {"missing": ["派驻起始日期"]}),
    ("up-dispatch-unknown-out-of-town", UP, None, {"unit": unit(location="库尔勒市"), "dispatched": None},
     "信息不全", {"DISPATCHED_MISSING"}, {"missing": ["是否派驻"]}),
    ("up-no-contract", UP, None, {"contract": False}, "不符合", {"NO_CONTRACT"}, {}),
    ("up-contract-unknown", UP, None, {"contract": None}, "信息不全", {"CONTRACT_MISSING"}, {"missing": ["劳动合同"]}),
    ("up-retired", UP, None, {"status": "离退休"}, "不符合", {"STATUS_BARRED"}, {}),
    ("up-civil-servant", UP, None, {"status": "公务员"}, "不符合", {"STATUS_BARRED"}, {}),
    ("up-canggong", UP, None, {"status": "参公"}, "不符合", {"STATUS_BARRED"}, {}),
    ("up-jiguo-in-force", UP, None, {"disc": ("记过", D(2025, 9, 30))}, "不符合", {"DISCIPLINE_IN_FORCE", "AFTER_WINDOW"},
     {"earliest_date": D(2025, 10, 1)}),
    ("up-jiguo-ends-on-as-of", UP, None, {"disc": ("记过", D(2025, 3, 17))}, "不符合", {"DISCIPLINE_IN_FORCE"},
     {"earliest_date": D(2025, 3, 18)}),
    ("up-jiguo-expired", UP, None, {"disc": ("记过", D(2025, 3, 16))}, "可申报", {"DISCIPLINE_EXPIRED"}, {}),
    ("up-jidaguo-no-end", UP, None, {"disc": ("记大过", None)}, "信息不全", {"DISCIPLINE_END_MISSING"},
     {"missing": ["处分期满日期"]}),
    ("up-jiangji-in-force", UP, None, {"disc": ("降级", D(2026, 1, 1))}, "不符合", {"DISCIPLINE_IN_FORCE"}, {}),
    ("up-dismissed", UP, None, {"disc": ("开除", None)}, "不符合", {"DISCIPLINE_DISMISSED"}, {"earliest_date": None}),
    ("up-warning-no-bar", UP, None, {"disc": ("警告", D(2025, 12, 31))}, "可申报", {"DISCIPLINE_NO_BAR"}, {}),
    ("up-assessment-basic", UP, None, {"assessments": {2024: "基本合格"}}, "不符合", {"ASSESSMENT_FAILED"}, {}),
    ("up-assessment-failed", UP, None, {"assessments": {2024: "不合格"}}, "不符合", {"ASSESSMENT_FAILED"}, {}),
    ("up-assessment-excellent", UP, None, {"assessments": {2024: "优秀"}}, "可申报", set(), {}),
    ("up-assessment-missing", UP, None, {"assessments": {2023: "合格"}}, "信息不全", {"ASSESSMENT_MISSING"},
     {"missing": ["考核结果（2024年度）"], "eligible": None}),
    ("up-assessment-older-year-irrelevant", UP, None, {"assessments": {2022: "不合格", 2024: "合格"}}, "可申报", set(), {}),
    ("up-exam-only-kuaiji", UP, None, {"series": "会计", "specialty": "会计"}, "不符合", {"EXAM_ONLY_SERIES"}, {}),
    ("up-exam-only-suffix", UP, None, {"series": "会计系列", "specialty": ""}, "不符合", {"EXAM_ONLY_SERIES"}, {}),
    ("up-exam-only-ruanjian", UP, None, {"series": "计算机技术与软件", "specialty": ""}, "不符合", {"EXAM_ONLY_SERIES"}, {}),
    ("up-minority-translation-not-exam", UP, None, {"series": "少数民族语文翻译", "specialty": "维吾尔语"}, "可申报", set(),
     {"title": "助理翻译"}),
    ("up-substring-not-matched", UP, None, {"series": "工程", "specialty": "会计信息化工程"}, "可申报", set(), {}),
    ("up-series-missing", UP, None, {"series": "", "specialty": ""}, "信息不全", {"SERIES_MISSING"}, {"missing": ["系列"]}),
    ("up-repeat-applicant-ce", UP, None, {"first_application": False}, "可申报", {"CE_REPEAT_UNKNOWN"}, {}),
    ("up-no-education", UP, None, {"educations": []}, "信息不全", {"EDUCATION_MISSING"}, {"missing": ["学历"]}),
    ("up-work-start-missing", UP, None, {"work_start": None}, "信息不全", {"WORK_START_MISSING"},
     {"missing": ["参加专业技术工作日期"]}),
    ("up-autonomous-region-unit-ok", UP, None, {"unit": unit(level="自治区")}, "可申报", set(), {}),
    ("up-unknown-series-title", UP, None, {"series": "园林", "specialty": "园林"}, "可申报", {"TITLE_UNKNOWN"}, {"title": None}),
    ("up-vet-title", UP, None, {"series": "农业", "specialty": "兽医"}, "可申报", set(), {"title": "助理兽医师"}),
    # ---------------------------------------------------------------- urumqi-chuding (000)
    ("uc-ok", UC, None, {"unit": unit(nature="事业单位")}, "可申报", set(), {}),
    ("uc-state-owned-ok", UC, None, {"unit": unit(nature="国有企业")}, "可申报", set(), {}),
    ("uc-jiguan", UC, None, {"unit": unit(nature="机关")}, "不符合", {"UNIT_NATURE_BARRED"}, {}),
    ("uc-nature-missing", UC, None, {"unit": unit(nature="")}, "信息不全", {"UNIT_NATURE_MISSING"}, {"missing": ["单位性质"]}),
    ("uc-autonomous-region-warning", UC, None, {"unit": unit(level="自治区")}, "可申报", {"UNIT_LEVEL_WARNING"}, {}),
    ("uc-no-contract", UC, None, {"contract": False}, "不符合", {"NO_CONTRACT"}, {}),
    ("uc-party-school", UC, None, {"educations": [edu(mode="党校")], "unit": unit(level="乡镇及以下")}, "不符合",
     {"NOT_FULL_TIME"}, {}),
    ("uc-master-only-no-route", UC, None,
     {"educations": [edu("硕士研究生", D(2023, 6, 30), degree="硕士", degree_date=D(2023, 6, 30))]},
     "不符合", {"NO_ROUTE"}, {"route": None}),
    ("uc-dispatch-not-a-rule", UC, None, {"dispatched": True, "dispatch_start": D(2025, 1, 1)}, "可申报", set(), {}),
    ("uc-township-benke-no-intermediate", UC, None,
     {"unit": unit(level="乡镇及以下"), "educations": [edu(grad=D(2020, 6, 30))], "work_start": D(2020, 7, 1)},
     "可申报", set(), {"level": "初级"}),
    ("uc-retired", UC, None, {"status": "离退休"}, "不符合", {"STATUS_BARRED"}, {}),
    # ---------------------------------------------------------------- korla-2024 (003)
    ("ko-teacher-ok", KO, None, {"series": "中小学教师", "specialty": "中小学教师",
                                  "educations": [edu(grad=D(2022, 6, 30))], "work_start": D(2022, 9, 1),
                                  "unit": unit(nature="事业单位", location="库尔勒市")},
     "可申报", set(), {"title": "二级教师", "required_years": [2023, 2024]}),
    ("ko-engineer-specialty-allowed", KO, None, {"educations": [edu(grad=D(2022, 6, 30))], "work_start": D(2022, 9, 1)},
     "可申报", set(), {"required_years": [2023]}),
    ("ko-specialty-not-allowed", KO, None, {"specialty": "软件工程", "educations": [edu(grad=D(2022, 6, 30))]},
     "不符合", {"SERIES_NOT_ALLOWED"}, {}),
    ("ko-specialty-exact-only", KO, None, {"specialty": "电力工程", "educations": [edu(grad=D(2022, 6, 30))]},
     "不符合", {"SERIES_NOT_ALLOWED"}, {}),
    ("ko-technical-school-teacher", KO, None, {"series": "技工院校教师", "specialty": "", "educations": [edu(grad=D(2022, 6, 30))]},
     "可申报", set(), {"title": "助理讲师"}),
    ("ko-kuaiji", KO, None, {"series": "会计", "specialty": "会计"}, "不符合", {"EXAM_ONLY_SERIES", "SERIES_NOT_ALLOWED"}, {}),
    ("ko-autonomous-region-bar", KO, None, {"unit": unit(level="自治区")}, "不符合", {"UNIT_LEVEL_NOT_ALLOWED"}, {}),
    ("ko-unit-level-missing", KO, None, {"unit": unit(level="")}, "信息不全", {"UNIT_LEVEL_MISSING"}, {"missing": ["单位层级"]}),
    ("ko-canggong", KO, None, {"status": "参公"}, "不符合", {"STATUS_BARRED"}, {}),
    ("ko-no-contract-not-a-rule", KO, None, {"contract": False, "educations": [edu(grad=D(2022, 6, 30))]}, "可申报", set(), {}),
    ("ko-party-school-no", KO, None, {"educations": [edu(mode="党校")], "unit": unit(level="乡镇及以下")}, "不符合",
     {"NOT_FULL_TIME"}, {}),
    ("ko-township-benke-3y-still-primary", KO, None,
     {"unit": unit(level="乡镇及以下"), "educations": [edu(grad=D(2020, 6, 30))], "work_start": D(2020, 7, 1)},
     "可申报", set(), {"level": "初级"}),
    ("ko-day-before", KO, None, {"work_start": D(2023, 10, 26)}, "待满年限", {"YEARS_NOT_MET", "AFTER_WINDOW"},
     {"earliest_date": D(2024, 10, 26)}),
    ("ko-master-no-route", KO, None,
     {"educations": [edu("硕士研究生", D(2023, 6, 30), degree="硕士", degree_date=D(2023, 6, 30))]},
     "不符合", {"NO_ROUTE"}, {}),
    ("ko-jiguo-in-force", KO, None, {"disc": ("记过", D(2024, 12, 31))}, "不符合", {"DISCIPLINE_IN_FORCE"}, {}),
    # ---------------------------------------------------------------- xj-2013-101 (004)
    ("xj-benke-primary", XJ, None, {}, "可申报", set(), {"level": "初级"}),
    ("xj-township-intermediate", XJ, None,
     {"unit": unit(level="乡镇及以下"), "educations": [edu(grad=D(2021, 6, 30))], "work_start": D(2021, 7, 1)},
     "可申报", set(), {"level": "中级", "title": "工程师", "route_id": "chuding-benke-xiangzhen-zhongji",
                      "required_years": [2022, 2023, 2024]}),
    ("xj-township-intermediate-day-before", XJ, D(2024, 6, 30),
     {"unit": unit(level="乡镇及以下"), "educations": [edu(grad=D(2021, 6, 30))], "work_start": D(2021, 7, 1)},
     "可申报", set(), {"level": "初级"}),
    ("xj-county-no-intermediate", XJ, None,
     {"unit": unit(level="县级"), "educations": [edu(grad=D(2021, 6, 30))], "work_start": D(2021, 7, 1)},
     "可申报", set(), {"level": "初级"}),
    ("xj-party-school-township", XJ, None, {"educations": [edu(mode="党校")], "unit": unit(level="乡镇及以下")},
     "可申报", {"PARTY_SCHOOL_AS_FULL_TIME"}, {"level": "初级"}),
    ("xj-party-school-township-intermediate", XJ, None,
     {"educations": [edu(grad=D(2021, 6, 30), mode="党校")], "work_start": D(2021, 7, 1), "unit": unit(level="乡镇及以下")},
     "可申报", {"PARTY_SCHOOL_AS_FULL_TIME"}, {"level": "中级"}),
    ("xj-party-school-county-class4", XJ, None,
     {"educations": [edu("大专", D(2022, 6, 30), mode="党校")], "work_start": D(2022, 7, 1),
      "unit": unit(level="县级", below_class4=True)},
     "可申报", {"PARTY_SCHOOL_AS_FULL_TIME"}, {}),
    ("xj-party-school-county-not-class4", XJ, None,
     {"educations": [edu("大专", D(2022, 6, 30), mode="党校")], "work_start": D(2022, 7, 1),
      "unit": unit(level="县级", below_class4=False)},
     "不符合", {"PARTY_SCHOOL_NOT_APPLICABLE"}, {}),
    ("xj-party-school-county-class4-unknown", XJ, None,
     {"educations": [edu("大专", D(2022, 6, 30), mode="党校")], "work_start": D(2022, 7, 1),
      "unit": unit(level="县级", below_class4=None)},
     "信息不全", {"PARTY_SCHOOL_UNIT_MISSING"}, {"missing": ["四类以下地区"]}),
    ("xj-party-school-prefecture", XJ, None, {"educations": [edu(mode="党校")], "unit": unit(level="地州市")},
     "不符合", {"PARTY_SCHOOL_NOT_APPLICABLE"}, {}),
    ("xj-not-full-time", XJ, None, {"educations": [edu(mode="非全日制")]}, "不符合", {"NOT_FULL_TIME"}, {}),
    ("xj-master-grant-manual", XJ, None,
     {"educations": [edu("硕士研究生", D(2023, 6, 30), degree="硕士", degree_date=D(2023, 6, 30))]},
     "信息不全", {"GRANT_YEARS_MANUAL", "MAJOR_MATCH_UNCONFIRMED", "LEVEL_ASSUMED"},
     {"eligible": None, "route": "授予", "level": "中级"}),
    ("xj-master-with-benke", XJ, None,
     {"educations": [edu(), edu("硕士研究生", D(2023, 6, 30), degree="硕士", degree_date=D(2023, 6, 30))]},
     "可申报", set(), {"route": "初定", "level": "初级"}),
    ("xj-autonomous-region-bar", XJ, None, {"unit": unit(level="自治区")}, "不符合", {"UNIT_LEVEL_NOT_ALLOWED"}, {}),
    ("xj-civil-servant", XJ, None, {"status": "公务员"}, "不符合", {"STATUS_BARRED"}, {}),
    ("xj-exam-only-health", XJ, None, {"series": "卫生", "specialty": "护理"}, "不符合", {"EXAM_ONLY_SERIES"}, {}),
]


@pytest.mark.parametrize(("case", "profile_id", "as_of", "fields", "status", "must", "expect"), CASES,
                         ids=[c[0] for c in CASES])
def test_case(case: str, profile_id: str, as_of: dt.date | None, fields: dict[str, Any], status: str,
              must: set[str], expect: dict[str, Any]) -> None:
    v = run(profile_id, as_of, **fields)
    assert v.status == status, (case, v.status, [(r.code, r.message) for r in v.reasons])
    assert must <= codes(v), (case, codes(v))
    assert v.eligible is {"可申报": True, "待满年限": False, "不符合": False, "信息不全": None}[status]
    for key, value in expect.items():
        assert getattr(v, key) == value, (case, key, getattr(v, key))
    for r in v.reasons:  # every reason cites a source and has a Chinese message
        assert r.source.strip() and r.message.strip()


def test_day_after_mode_moves_the_anniversary_by_one_day() -> None:
    opts = EligibilityOptions(anniversary="day_after")
    v = run(UP, options=opts, work_start=D(2024, 3, 17))
    assert v.status == "待满年限" and v.earliest_date == D(2025, 3, 18)
    assert run(UP, work_start=D(2024, 3, 17)).status == "可申报"


def test_anniversary_function() -> None:
    assert anniversary(D(2023, 7, 10), 1) == D(2024, 7, 10)
    assert anniversary(D(2024, 2, 29), 1) == D(2025, 3, 1)
    assert anniversary(D(2024, 2, 29), 4) == D(2028, 2, 29)
    assert anniversary(D(2023, 7, 10), 1, "day_after") == D(2024, 7, 11)
    assert anniversary(D(2024, 2, 29), 1, "day_after") == D(2025, 3, 1)


def test_exam_only_override_from_options() -> None:
    opts = EligibilityOptions(exam_only_series=("工程",))
    v = run(UP, options=opts)
    assert v.status == "不符合" and "EXAM_ONLY_SERIES" in codes(v)
    assert all(r.assumption for r in v.reasons if r.code == "EXAM_ONLY_SERIES")
    # and an empty override list lets 会计 through (officer's decision)
    assert run(UP, options=EligibilityOptions(exam_only_series=()), series="会计", specialty="会计").status == "可申报"


def test_assumption_flags_follow_the_profile() -> None:
    ko = run(KO, status="参公")
    up = run(UP, status="参公")
    assert [r.assumption for r in ko.reasons if r.code == "STATUS_BARRED"] == [False]  # 003 §一 says so
    assert [r.assumption for r in up.reasons if r.code == "STATUS_BARRED"] == [True]  # by analogy with 002
    disc = run(UP, disc=("记过", D(2025, 9, 30)))
    assert all(r.assumption for r in disc.reasons if r.code == "DISCIPLINE_IN_FORCE")
    assert "各系列（专业）职称评审工作的通知" in next(r.source for r in disc.reasons if r.code == "DISCIPLINE_IN_FORCE")


def test_alternatives_list_the_other_routes() -> None:
    v = run(XJ, unit=unit(level="乡镇及以下"), work_start=D(2023, 12, 1))
    assert v.level == "初级" and v.status == "可申报"
    alt = [a for a in v.alternatives if a.level == "中级"]
    assert len(alt) == 1 and alt[0].status == "待满年限" and alt[0].earliest_date == D(2026, 12, 1)
    assert alt[0].alternatives == []


def test_best_prefers_higher_level_among_eligible() -> None:
    v = run(UP, educations=[edu("博士研究生", D(2020, 6, 30), degree="博士", degree_date=D(2020, 6, 30),
                                postdoc=D(2023, 9, 1))], work_start=D(2023, 9, 15))
    assert v.level == "正高级"
    assert {a.level for a in v.alternatives} == {"副高级"}


def test_to_json_has_the_contract_keys() -> None:
    v = run(UP, work_start=D(2024, 7, 15))
    j = v.to_json()
    for key in ("eligible", "route", "level", "title", "earliest_date", "reasons", "missing", "status", "required_years"):
        assert key in j
    assert j["earliest_date"] == "2025-07-15" and j["eligible"] is False and j["status"] == "待满年限"
    assert {"code", "message", "source"} <= set(j["reasons"][0])
    import json

    json.dumps(j, ensure_ascii=False)  # serialisable as is


def test_required_years_function_matches_verdict() -> None:
    from app.policy.profiles import required_years

    p = person(series="中小学教师", specialty="中小学教师", educations=[edu("大专", D(2021, 6, 30))],
               work_start=D(2021, 9, 1))
    prof = load_profile(KO)
    assert required_years(p, prof, D(2024, 10, 25)) == [2022, 2023, 2024]  # 2 years + Korla teachers' 2024
    p2 = person(educations=[edu("大专", D(2021, 6, 30))], work_start=D(2021, 9, 1))
    assert required_years(p2, prof, D(2024, 10, 25)) == [2022, 2023]


def test_required_year_overlap_at_least_one() -> None:
    # counting starts in the as-of year: no earlier year overlaps; the most recent one is still asked for
    v = run(UP, work_start=D(2025, 1, 5), educations=[edu(grad=D(2024, 12, 30))])
    assert v.required_years == [2024] and v.status == "待满年限"


def test_officer_overrides_the_counting_start_with_a_reason() -> None:
    p = person(work_start=D(2024, 7, 15), educations=[edu(grad=D(2024, 6, 28))])
    prof = load_profile(UP)
    assert evaluate(p, prof, D(2025, 3, 17)).status == "待满年限"
    opts = EligibilityOptions(count_start_overrides=((p.id_number, D(2024, 1, 2), "机关调入，机关工作年限经主管部门认可"),))
    v = evaluate(p, prof, D(2025, 3, 17), options=opts)
    assert v.status == "可申报" and v.count_start == D(2024, 1, 2) and v.earliest_date == D(2025, 1, 2)
    r = next(r for r in v.reasons if r.code == "COUNT_START_OVERRIDDEN")
    assert "机关调入" in r.message and r.assumption
    # someone else is not affected
    other = person(id_number="65010219990517003X", work_start=D(2024, 7, 15), educations=[edu(grad=D(2024, 6, 28))])
    assert evaluate(other, prof, D(2025, 3, 17), options=opts).status == "待满年限"


def test_assessment_years_exclude_the_korla_teacher_extra_year() -> None:
    v = run(KO, series="中小学教师", specialty="中小学教师", educations=[edu(grad=D(2022, 6, 30))],
            work_start=D(2022, 9, 1), assessments={2023: "合格"})  # no 2024 result yet in October 2024
    assert v.status == "可申报"
    assert v.required_years == [2023, 2024] and v.assessment_years == [2023]


def test_postgraduate_without_degree_is_missing_the_degree() -> None:
    v = run(UP, educations=[edu("硕士研究生", D(2023, 6, 30), degree="")])
    assert v.status == "信息不全" and v.missing == ["学位"]


def test_advice_covers_every_bar_and_names_the_next_step() -> None:
    """Every code with advice is a real bar of the engine (no advice drifts away from its rule), and
    every status but 可申报 gets a next step in the GUI's words."""
    import inspect
    import re as _re

    from app.policy import eligibility as el

    source = inspect.getsource(el)
    for code in el._ADVICE_BY_CODE:
        assert f'"{code}"' in source.split("_ADVICE_BY_CODE")[0], code
    for text in el._ADVICE_BY_CODE.values():
        assert not _re.search(r"--[a-z]", text)
    v = el.Verdict(eligible=False, status=el.INELIGIBLE, route=None, level=None, title=None, earliest_date=None,
                   reasons=[el.Reason("NO_CONTRACT", "未签订合同", "", severity=el.BAR)])
    assert el.advice(v) == [el._ADVICE_BY_CODE["NO_CONTRACT"]]
    v.reasons = [el.Reason("SOMETHING_NEW", "新的不符合条件", "", severity=el.BAR)]
    assert el.advice(v) == [el._GENERIC_BAR_ADVICE]
    waiting = el.Verdict(eligible=False, status=el.WAITING, route="初定", level="初级", title=None,
                         earliest_date=dt.date(2026, 7, 1),
                         reasons=[el.Reason("AFTER_WINDOW", "晚于截止", "", severity=el.WARNING)])
    tips = el.advice(waiting)
    assert "2026" in tips[0] and "下一次通知" in tips[1]
    unknown = el.Verdict(eligible=None, status=el.UNKNOWN, route=None, level=None, title=None,
                         earliest_date=None, missing=["2024年考核结果"])
    assert "2024年考核结果" in el.advice(unknown)[0]
    assert el.advice(el.Verdict(eligible=True, status=el.ELIGIBLE, route="初定", level="初级", title="助理工程师",
                                earliest_date=None)) == []
