"""Property tests (hypothesis): earliest_date never precedes what the rules allow, is exact, and
eligibility is monotone in the as-of date within a window."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.person import PersonData
from app.policy.eligibility import anniversary, evaluate
from app.policy.profiles import load_profile
from tests.core.test_eligibility_helpers import D, edu, person, unit

YEARS = {"中专": 3, "大专": 2, "本科": 1}
PROFILES = ["urumqi-private-2025", "urumqi-chuding", "korla-2024", "xj-2013-101"]
WINDOWED = ["urumqi-private-2025", "korla-2024"]

dates = st.dates(min_value=D(2016, 1, 1), max_value=D(2025, 12, 31))


@st.composite
def people(draw: st.DrawFn) -> PersonData:
    level = draw(st.sampled_from(sorted(YEARS)))
    grad = draw(dates)
    work = draw(st.one_of(st.just(grad), dates))
    mode = draw(st.sampled_from(["全日制", "全日制", "全日制", "非全日制", "党校"]))
    dispatched = draw(st.booleans())
    dispatch_start = draw(dates) if dispatched else None
    unit_level = draw(st.sampled_from(["乡镇及以下", "县级", "地州市", "自治区"]))
    disc = draw(st.sampled_from([None, ("警告", None), ("记过", "end")]))
    extra = {}
    if disc is not None:
        kind, end = disc
        extra["disc"] = (kind, draw(dates) if end else None)
    assessments = dict.fromkeys(range(2014, 2026), "合格")
    bad_year = draw(st.one_of(st.none(), st.integers(2014, 2025)))
    if bad_year is not None:
        assessments[bad_year] = draw(st.sampled_from(["基本合格", "不合格"]))
    return person(educations=[edu(level, grad, mode=mode)], work_start=work, dispatched=dispatched,
                  dispatch_start=dispatch_start, assessments=assessments,
                  unit=unit(level=unit_level, below_class4=draw(st.booleans())), **extra)


@settings(max_examples=150, deadline=None)
@given(p=people(), profile_id=st.sampled_from(PROFILES), as_of=st.dates(min_value=D(2017, 1, 1), max_value=D(2026, 12, 31)))
def test_earliest_date_never_before_the_rule_allows(p: PersonData, profile_id: str, as_of: dt.date) -> None:
    prof = load_profile(profile_id)
    v = evaluate(p, prof, as_of)
    if v.earliest_date is None or v.route_id is None:
        return
    e = p.educations[v.education_index or 0]
    route = next(r for r in prof.routes if r.id == v.route_id)
    assert e.graduation_date is not None and p.work_start is not None
    start = max(e.graduation_date, p.work_start)
    assert v.count_start == start
    assert v.earliest_date >= anniversary(start, route.years or 0)
    if p.dispatched and prof.rule("dispatch") and p.dispatch_start:
        assert v.earliest_date >= anniversary(p.dispatch_start, 1)
    for d in p.disciplines:
        if d.kind == "记过" and d.end_date and d.end_date >= as_of:
            assert v.earliest_date > d.end_date
    if v.eligible is True:
        assert v.earliest_date <= as_of
    else:
        assert v.status != "待满年限" or v.earliest_date > as_of


@settings(max_examples=150, deadline=None)
@given(p=people(), profile_id=st.sampled_from(WINDOWED), a=st.integers(0, 400), b=st.integers(0, 400))
def test_eligible_stays_eligible_later_in_the_window(p: PersonData, profile_id: str, a: int, b: int) -> None:
    prof = load_profile(profile_id)
    assert prof.window_start and prof.window_end
    span = (prof.window_end - prof.window_start).days
    d1 = prof.window_start + dt.timedelta(days=min(a, b) % (span + 1))
    d2 = prof.window_start + dt.timedelta(days=max(a, b) % (span + 1))
    d1, d2 = min(d1, d2), max(d1, d2)
    if evaluate(p, prof, d1).eligible is True:
        assert evaluate(p, prof, d2).eligible is True


@settings(max_examples=120, deadline=None)
@given(p=people(), profile_id=st.sampled_from(["urumqi-chuding", "xj-2013-101"]), year=st.integers(2018, 2026),
       a=st.integers(0, 364), b=st.integers(0, 364))
def test_eligible_stays_eligible_later_in_the_year(p: PersonData, profile_id: str, year: int, a: int, b: int) -> None:
    # profiles without a window: within one calendar year (the required assessment years stay the same)
    prof = load_profile(profile_id)
    d1 = D(year, 1, 1) + dt.timedelta(days=min(a, b))
    d2 = D(year, 1, 1) + dt.timedelta(days=max(a, b))
    if d2.year != year:
        return
    if evaluate(p, prof, d1).eligible is True:
        assert evaluate(p, prof, d2).eligible is True


@settings(max_examples=120, deadline=None)
@given(p=people(), profile_id=st.sampled_from(PROFILES), as_of=st.dates(min_value=D(2017, 1, 1), max_value=D(2026, 6, 30)))
def test_waiting_person_is_eligible_exactly_on_earliest_date(p: PersonData, profile_id: str, as_of: dt.date) -> None:
    prof = load_profile(profile_id)
    v = evaluate(p, prof, as_of)
    if v.status != "待满年限" or v.earliest_date is None or v.earliest_date.year != as_of.year:
        return
    on = evaluate(p, prof, v.earliest_date)
    before = evaluate(p, prof, v.earliest_date - dt.timedelta(days=1))
    assert on.eligible is True, [(r.code, r.message) for r in on.reasons]
    assert before.eligible is not True
