"""The eligibility engine (pure, Qt-free): (person facts, profile, as-of date) → Verdict.

Every education record is tried against every route of the profile; each (record, route) pair gives
a candidate verdict and the best one is returned with the others in ``alternatives``. Each rule that
fires adds a :class:`Reason` citing its source and saying whether it rests on an assumption.

Statuses: 可申报 (eligible now), 待满年限 (only time is missing: years, dispatch), 不符合 (a bar),
信息不全 (data missing or a manual decision needed → ``eligible`` is None).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from app.domain.person import Education, PersonData
from app.policy.profiles import Profile, Route, extra_years
from app.policy.titles import title_for

ELIGIBLE, WAITING, INELIGIBLE, UNKNOWN = "可申报", "待满年限", "不符合", "信息不全"
STATUSES = (ELIGIBLE, WAITING, INELIGIBLE, UNKNOWN)
_STATUS_RANK = {ELIGIBLE: 0, WAITING: 1, UNKNOWN: 2, INELIGIBLE: 3}
_LEVEL_RANK = {"初级": 1, "中级": 2, "副高级": 3, "正高级": 4}

# Reason severities: bar → 不符合; wait → 待满年限; missing/manual → 信息不全; warning/info → no effect.
BAR, WAIT, MISSING, MANUAL, WARNING, INFO = "bar", "wait", "missing", "manual", "warning", "info"


@dataclass(slots=True)
class Reason:
    code: str
    message: str  # Chinese, for the officer
    source: str  # citation: seed number and section
    assumption: bool = False
    severity: str = INFO

    def to_json(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "source": self.source,
                "assumption": self.assumption, "severity": self.severity}


@dataclass
class Verdict:
    eligible: bool | None
    status: str
    route: str | None  # 初定 | 授予
    level: str | None
    title: str | None
    earliest_date: dt.date | None
    reasons: list[Reason] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    alternatives: list[Verdict] = field(default_factory=list)
    required_years: list[int] = field(default_factory=list)
    route_id: str | None = None
    route_label: str = ""
    profile_id: str = ""
    as_of: dt.date | None = None
    count_start: dt.date | None = None
    education_index: int | None = None
    title_options: list[str] = field(default_factory=list)
    grade_unconfirmed: bool = False
    assessment_years: list[int] = field(default_factory=list)  # years whose 考核 the check required

    def to_json(self, *, alternatives: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "eligible": self.eligible,
            "status": self.status,
            "route": self.route,
            "route_id": self.route_id,
            "level": self.level,
            "title": self.title,
            "earliest_date": self.earliest_date.isoformat() if self.earliest_date else None,
            "reasons": [r.to_json() for r in self.reasons],
            "missing": list(self.missing),
            "required_years": list(self.required_years),
        }
        if alternatives:
            out["alternatives"] = [a.to_json(alternatives=False) for a in self.alternatives]
        return out

    @property
    def bars(self) -> list[Reason]:
        return [r for r in self.reasons if r.severity == BAR]


@dataclass(frozen=True)
class EligibilityOptions:
    """Officer overrides of profile settings (from the settings file or the UI)."""

    anniversary: str | None = None  # "same_day" | "day_after"; None → the profile's setting
    exam_only_series: tuple[str, ...] | None = None  # None → the profile's list
    # Per-person counting start chosen by the officer, with the reason (e.g. 机关 years before a
    # transfer, gaps, non-technical posts): (id_number, start date, reason).
    count_start_overrides: tuple[tuple[str, dt.date, str], ...] = ()


# ------------------------------------------------------------------------------------------ dates
def anniversary(start: dt.date, years: int, mode: str = "same_day") -> dt.date:
    """The day "满N年" is reached for a period starting on ``start``.

    same_day: the same calendar date N years later (29 Feb → 1 Mar). day_after (民法典 第二百零一/
    二百零二条): the period ends on the corresponding date (29 Feb → 28 Feb) and is reached the next day.
    """
    y = start.year + years
    try:
        same: dt.date | None = start.replace(year=y)
    except ValueError:  # 29 Feb in a non-leap target year
        same = None
    if mode == "day_after":
        return (same or dt.date(y, 2, 28)) + dt.timedelta(days=1)
    return same or dt.date(y, 3, 1)


@lru_cache(maxsize=16384)
def _d(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@lru_cache(maxsize=4096)
def _norm(s: str) -> str:
    s = (s or "").strip()
    for suffix in ("系列", "专业"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return s


# ------------------------------------------------------------------------------------------ findings
# A finding is a plain tuple (cheaper than an object on the hot path):
# (reason, date: the day a time condition is (or was) met, or None; missing field names)
_Finding = tuple[Reason, dt.date | None, tuple[str, ...]]


def _F(reason: Reason, date: dt.date | None = None, missing: tuple[str, ...] = ()) -> _Finding:
    return (reason, date, missing)


_r = Reason  # positional: code, message, source, assumption, severity


class _Compiled:
    """Per-profile lookups prepared once (sets instead of tuples), so evaluate() stays fast."""

    def __init__(self, profile: Profile, options: EligibilityOptions) -> None:
        self.profile = profile
        self.mode = options.anniversary or profile.counting.anniversary
        rules = profile.rules
        self.status = rules.get("status")
        self.status_barred = frozenset(self.status.get("barred", ())) if self.status else frozenset()
        self.discipline = rules.get("discipline")
        self.discipline_barred = frozenset(self.discipline.get("barred", ())) if self.discipline else frozenset()
        self.unit_nature = rules.get("unit_nature")
        self.contract = rules.get("contract")
        self.private = rules.get("private_enterprise")
        self.dispatch = rules.get("dispatch")
        self.exam = rules["exam_only"]
        exam = options.exam_only_series if options.exam_only_series is not None else self.exam.get("series", ())
        self.exam_series = frozenset(_norm(s) for s in exam)
        self.exam_overridden = options.exam_only_series is not None
        self.allowed = rules.get("allowed")
        if self.allowed:
            self.allowed_series = frozenset(_norm(s) for s in self.allowed.get("series", ()))
            self.allowed_specialties = frozenset(_norm(s) for s in self.allowed.get("specialties", ()))
        self.assessment = rules["assessment"]
        self.passing = frozenset(self.assessment.get("passing", ()))
        self.failing = frozenset(self.assessment.get("failing", ()))
        self.full_time = rules["full_time"]
        self.major = rules.get("major_match")
        self.ce = rules.get("continuing_education")
        self.overrides = {idn: (d, why) for idn, d, why in options.count_start_overrides}
        self.minimum = profile.required_years_rule.minimum
        self.has_extra_years = bool(profile.required_years_rule.extra)
        self.missing_sev = MISSING if self.assessment.get("missing_is_unknown", True) else BAR
        self.mode_txt = "" if self.mode == "same_day" else "（按民法典期间计算）"
        self.not_full_time_what = "初定（授予）" if rules.get("private_enterprise") else ""
        # Per route: the citation of the years rule and the reasons that do not depend on the person
        # (shared, immutable Reason objects).
        self.route_source: dict[str, tuple[str, bool]] = {}
        self.route_const: dict[str, tuple[_Finding, ...]] = {}
        for r in profile.routes:
            self.route_source[r.id] = (f"{r.source}；计算方法：{profile.counting.source}",
                                       r.assumption or profile.counting.assumption)
            const: list[_Finding] = []
            if r.manual_years:
                const.append(_F(Reason("GRANT_YEARS_MANUAL", "授予年限需人工确认（新人社发〔2013〕101号第三条未规定年限）", r.source,
                                       True, MANUAL)))
            if self.major is not None and self.major.get("required") and self.major.get("applies_to") in ("", r.kind):
                const.append(_F(Reason("MAJOR_MATCH_UNCONFIRMED", "须从事本专业工作：需人工确认", self.major.source,
                                       self.major.assumption, WARNING)))
            if r.level_assumption:
                const.append(_F(Reason("LEVEL_ASSUMED", f"授予级别“{r.level}”为类推设定，请核对", r.source, True,
                                       WARNING)))
            self.route_const[r.id] = tuple(const)


_compiled_cache: dict[tuple[int, EligibilityOptions], tuple[Profile, _Compiled]] = {}
_DEFAULT_OPTIONS = EligibilityOptions()


def _compile(profile: Profile, options: EligibilityOptions) -> _Compiled:
    key = (id(profile), options)
    hit = _compiled_cache.get(key)
    if hit is not None and hit[0] is profile:
        return hit[1]
    c = _Compiled(profile, options)
    if len(_compiled_cache) > 64:
        _compiled_cache.clear()
    _compiled_cache[key] = (profile, c)
    return c


def _person_findings(p: PersonData, c: _Compiled, as_of: dt.date) -> list[_Finding]:
    """Conditions on the person and the unit, the same for every route."""
    out: list[_Finding] = []
    # 人员状态
    if c.status is not None:
        if not p.status:
            out.append(_F(_r("STATUS_MISSING", "人员状态未填写", c.status.source, c.status.assumption, MISSING),
                          missing=("人员状态",)))
        elif p.status in c.status_barred:
            out.append(_F(_r("STATUS_BARRED", f"人员状态为“{p.status}”：离退休人员、公务员及参照公务员法管理人员不得申报",
                             c.status.source, c.status.assumption, BAR)))
    # 处分
    if c.discipline is not None:
        for d in p.disciplines:
            if not d.kind or d.kind == "无":
                continue
            if d.kind not in c.discipline_barred:
                out.append(_F(_r("DISCIPLINE_NO_BAR", f"{d.kind}处分不影响申报（记过以上处分期间才不得申报）",
                                 c.discipline.source, c.discipline.assumption, INFO)))
            elif d.kind == "开除":
                out.append(_F(_r("DISCIPLINE_DISMISSED", "受开除处分：已解除人事（劳动）关系，不能申报",
                                 c.discipline.source, c.discipline.assumption, BAR)))
            elif d.end_date is None:
                out.append(_F(_r("DISCIPLINE_END_MISSING", f"受{d.kind}处分但未填写处分期满日期，无法判断是否仍在处分期内",
                                 c.discipline.source, c.discipline.assumption, MISSING), missing=("处分期满日期",)))
            elif d.end_date >= as_of:
                until = d.end_date + dt.timedelta(days=1)
                out.append(_F(_r("DISCIPLINE_IN_FORCE",
                                 f"受{d.kind}处分，处分期至{_d(d.end_date)}，处分期间不得申报（{_d(until)}起可申报）",
                                 c.discipline.source, c.discipline.assumption, BAR), date=until))
            else:
                out.append(_F(_r("DISCIPLINE_EXPIRED", f"{d.kind}处分已于{_d(d.end_date)}期满，不影响申报",
                                 c.discipline.source, c.discipline.assumption, INFO)))
    unit = p.unit
    # 单位性质（机关）
    if c.unit_nature is not None:
        if not unit.nature:
            out.append(_F(_r("UNIT_NATURE_MISSING", "单位性质未填写", c.unit_nature.source, c.unit_nature.assumption,
                             MISSING), missing=("单位性质",)))
        elif unit.nature in c.unit_nature.get("barred", ()):
            out.append(_F(_r("UNIT_NATURE_BARRED", f"单位性质为“{unit.nature}”：仅限企事业单位专业技术人员",
                             c.unit_nature.source, c.unit_nature.assumption, BAR)))
    # 劳动（聘用）合同
    if c.contract is not None and c.contract.get("required", True):
        if p.contract is None:
            out.append(_F(_r("CONTRACT_MISSING", "是否签订劳动（聘用）合同未填写", c.contract.source,
                             c.contract.assumption, MISSING), missing=("劳动合同",)))
        elif p.contract is False:
            out.append(_F(_r("NO_CONTRACT", "未与用人单位签订劳动（聘用）合同", c.contract.source,
                             c.contract.assumption, BAR)))
    # 民营企业 / 派驻
    if c.private is not None:
        natures, locations = c.private.get("natures", ()), c.private.get("locations", ())
        src, asm = c.private.source, c.private.assumption
        if not unit.nature:
            out.append(_F(_r("UNIT_NATURE_MISSING", "单位性质未填写", src, asm, MISSING), missing=("单位性质",)))
        elif unit.nature not in natures:
            out.append(_F(_r("NOT_PRIVATE_ENTERPRISE", f"单位性质为“{unit.nature}”：本次仅限民营企业专业技术人员",
                             src, asm, BAR)))
        elif unit.location in locations:
            pass
        elif p.dispatched is True:
            out.append(_F(_r("DISPATCHED_FROM_OUTSIDE", f"外地民营企业派驻{'、'.join(locations)}的人员（需派驻情况说明）",
                             src, asm, INFO)))
        elif p.dispatched is None:
            out.append(_F(_r("DISPATCHED_MISSING", "单位不在本地注册，是否派驻未填写", src, asm, MISSING),
                          missing=("是否派驻",)))
        elif not unit.location:
            out.append(_F(_r("UNIT_LOCATION_MISSING", "单位所在地未填写", src, asm, MISSING), missing=("单位所在地",)))
        else:
            out.append(_F(_r("NOT_LOCAL_ENTERPRISE",
                             f"单位所在地为“{unit.location}”，不是{'、'.join(locations)}注册的民营企业，也不是派驻人员",
                             src, asm, BAR)))
    if c.dispatch is not None and p.dispatched:
        years = int(c.dispatch.get("min_years", 1))
        if p.dispatch_start is None:
            out.append(_F(_r("DISPATCH_START_MISSING", "派驻人员未填写派驻起始日期", c.dispatch.source,
                             c.dispatch.assumption, MISSING), missing=("派驻起始日期",)))
        else:
            reached = anniversary(p.dispatch_start, years, c.mode)
            if reached > as_of:
                out.append(_F(_r("DISPATCH_TOO_SHORT",
                                 f"派驻自{_d(p.dispatch_start)}起不满{years}年，{_d(reached)}满{years}年",
                                 c.dispatch.source, c.dispatch.assumption, WAIT), date=reached))
            else:
                out.append(_F(_r("DISPATCH_OK", f"派驻自{_d(p.dispatch_start)}起已满{years}年", c.dispatch.source,
                                 c.dispatch.assumption, INFO), date=reached))
    # 系列：以考代评、允许名单
    series, specialty = _norm(p.series), _norm(p.specialty)
    if not series and not specialty:
        out.append(_F(_r("SERIES_MISSING", "系列和申报专业均未填写", c.exam.source, c.exam.assumption, MISSING),
                      missing=("系列",)))
    else:
        hit = series if series in c.exam_series else (specialty if specialty in c.exam_series else "")
        if hit:
            out.append(_F(_r("EXAM_ONLY_SERIES", f"“{hit}”属于国家以考代评的系列（专业），不能初定或授予",
                             c.exam.source + ("；名单已由经办人修改" if c.exam_overridden else ""),
                             c.exam.assumption or c.exam_overridden, BAR)))
        if c.allowed is not None and not (series in c.allowed_series or specialty in c.allowed_specialties
                                         or series in c.allowed_specialties):
            label = "、".join(x for x in (p.series, p.specialty) if x)
            out.append(_F(_r("SERIES_NOT_ALLOWED", f"系列/专业“{label}”不在本通知的初次确定专业名单内",
                             c.allowed.source, c.allowed.assumption, BAR)))
    # 继续教育（首次申报）
    if c.ce is not None and c.ce.get("first_application_exempt") and p.first_application is False:
        out.append(_F(_r("CE_REPEAT_UNKNOWN", "非首次申报：继续教育学时要求通知未说明，请向主管部门确认",
                         c.ce.source, c.ce.assumption, WARNING)))
    return out


def _base_years(count_start: dt.date | None, years: int, as_of: dt.date, minimum: int) -> list[int]:
    """The most recent N calendar years before the as-of year that overlap the counted period, at
    least ``minimum`` (DOMAIN §3), ascending."""
    last = as_of.year - 1
    first = last - max(years, minimum, 0) + 1
    if count_start is not None and count_start.year > first:
        first = count_start.year
    if last - first + 1 < minimum:
        first = last - minimum + 1
    return list(range(first, last + 1))


def _route_applies(e: Education, r: Route) -> bool:
    if r.postdoc:
        return e.postdoc_end is not None
    if r.degrees:
        return e.degree in r.degrees and (not r.education or e.level in r.education)
    return e.level in r.education


def _route_findings(p: PersonData, e: Education, r: Route, c: _Compiled, as_of: dt.date
                    ) -> tuple[list[_Finding], dt.date | None, list[int], list[int]]:
    prof = c.profile
    out: list[_Finding] = []
    unit = p.unit
    # 学习形式
    if e.mode in r.modes:
        pass
    elif not e.mode:
        out.append(_F(_r("MODE_MISSING", f"{e.level or '学历'}的学习形式未填写", c.full_time.source,
                         c.full_time.assumption, MISSING), missing=("学习形式",)))
    elif e.mode == "党校" and prof.party_school is not None and r.kind == "初定" and "全日制" in r.modes:
        ps = prof.party_school
        ok = need_level = need_class4 = False
        for cond in ps.conditions:
            if not unit.level:
                need_level = True
                continue
            if unit.level not in cond.unit_levels:
                continue
            if cond.below_class4 is None or unit.below_class4 is cond.below_class4:
                ok = True
            elif unit.below_class4 is None:
                need_class4 = True
        if ok:
            out.append(_F(_r("PARTY_SCHOOL_AS_FULL_TIME", "党校学历在乡镇或四类以下地区的县级专业技术岗位工作，与全日制同等对待",
                             ps.source, ps.assumption, INFO)))
        elif need_level or need_class4:
            field_name = "单位层级" if need_level else "四类以下地区"
            out.append(_F(_r("PARTY_SCHOOL_UNIT_MISSING", f"党校学历：需{field_name}才能判断能否与全日制同等对待",
                             ps.source, ps.assumption, MISSING), missing=(field_name,)))
        else:
            out.append(_F(_r("PARTY_SCHOOL_NOT_APPLICABLE",
                             "党校学历仅在乡镇单位或四类以下地区的县级专业技术岗位工作时与全日制同等对待",
                             ps.source, ps.assumption, BAR)))
    else:
        what = c.not_full_time_what or ("授予" if r.kind == "授予" else "初定")
        out.append(_F(_r("NOT_FULL_TIME", f"{e.level}为{e.mode}学历：非全日制学历不能{what}",
                         c.full_time.source, c.full_time.assumption, BAR)))
    # 单位层级
    if r.unit_levels:
        if not unit.level:
            out.append(_F(_r("UNIT_LEVEL_MISSING", "单位层级未填写", r.unit_source, r.unit_assumption, MISSING),
                          missing=("单位层级",)))
        elif unit.level not in r.unit_levels:
            out.append(_F(_r("UNIT_LEVEL_NOT_ALLOWED",
                             f"单位层级为“{unit.level}”：{r.label}仅限{'、'.join(r.unit_levels)}单位",
                             r.unit_source, r.unit_assumption, BAR)))
    if r.warn_unit_levels and unit.level in r.warn_unit_levels:
        out.append(_F(_r("UNIT_LEVEL_WARNING",
                         f"单位层级为“{unit.level}”：本须知受理市属及区（县）单位，请确认受理机构",
                         r.unit_source, r.unit_assumption, WARNING)))
    # 起算日期
    if r.basis == "graduation":
        basis_date, basis_field = e.graduation_date, "毕业日期"
    elif r.basis == "degree":
        basis_date, basis_field = e.degree_date, "学位取得日期"
    else:
        basis_date, basis_field = e.postdoc_end, "博士后出站日期"
    count_start: dt.date | None = None
    override = c.overrides.get(p.id_number) if c.overrides else None
    if p.count_start_override is not None:  # stored on the person: wins over the settings file
        override = (p.count_start_override, p.count_start_reason or "未注明理由")
    if override is not None:
        count_start = override[0]
        out.append(_F(_r("COUNT_START_OVERRIDDEN", f"经办人指定起算日期{_d(count_start)}：{override[1]}",
                         "经办人确认（起算日期由经办人指定并注明理由）", True, WARNING)))
    elif basis_date is None:
        out.append(_F(_r("BASIS_DATE_MISSING", f"{basis_field}未填写，无法计算年限", r.source, r.assumption, MISSING),
                      missing=(basis_field,)))
    if p.work_start is None and override is None:
        out.append(_F(_r("WORK_START_MISSING", "参加专业技术工作日期未填写，无法计算年限", prof.counting.source,
                         prof.counting.assumption, MISSING), missing=("参加专业技术工作日期",)))
    if override is None and basis_date is not None and p.work_start is not None:
        count_start = max(basis_date, p.work_start)
    if not r.manual_years and count_start is not None and r.years:
        reached = anniversary(count_start, r.years, c.mode)
        src, asm = c.route_source[r.id]
        if reached > as_of:
            out.append((_r("YEARS_NOT_MET", f"{r.label}：自{_d(count_start)}起算，{_d(reached)}满{r.years}年{c.mode_txt}",
                           src, asm, WAIT), reached, ()))
        else:
            out.append((_r("YEARS_MET", f"{r.label}：自{_d(count_start)}起算，已于{_d(reached)}满{r.years}年{c.mode_txt}",
                           src, asm, INFO), reached, ()))
    # 考核
    years = _base_years(count_start, r.years or 1, as_of, c.minimum)
    a = c.assessment
    for y in years:
        res = p.assessments.get(y, "")
        if res in c.passing:
            continue
        if res in c.failing:
            out.append(_F(_r("ASSESSMENT_FAILED", f"{y}年度考核结果为“{res}”，所需年度考核须合格及以上", a.source,
                             a.assumption, BAR)))
        else:
            what = f"结果“{res}”无法识别" if res else "无结果"
            out.append(_F(_r("ASSESSMENT_MISSING", f"{y}年度考核{what}（所需年度：{'、'.join(map(str, years))}）",
                             a.source, a.assumption, c.missing_sev), missing=(f"考核结果（{y}年度）",)))
    const = c.route_const[r.id]
    if const:
        out.extend(const)
    extra = extra_years(p, prof, as_of) if c.has_extra_years else None
    all_years = sorted(set(years) | set(extra)) if extra else list(years)
    return out, count_start, all_years, years


def _combine(findings: list[_Finding]) -> tuple[bool | None, str, dt.date | None, list[str]]:
    n_bars = n_missing = n_waits = 0
    bars_timed = True
    has_count = False
    latest: dt.date | None = None
    miss_names: list[str] = []
    for reason, date, missing in findings:
        sev = reason.severity
        if sev == BAR:
            n_bars += 1
            if date is None:
                bars_timed = False
        elif sev in (MISSING, MANUAL):
            n_missing += 1
        elif sev == WAIT:
            n_waits += 1
        if date is not None and (latest is None or date > latest):
            latest = date
        if missing:
            for m in missing:
                if m not in miss_names:
                    miss_names.append(m)
        if not has_count and reason.code in ("YEARS_MET", "YEARS_NOT_MET"):
            has_count = True
    earliest = latest if has_count else None
    if n_bars:
        return False, INELIGIBLE, (earliest if bars_timed and not n_missing else None), miss_names
    if n_missing:
        return None, UNKNOWN, earliest, miss_names
    if n_waits:
        return False, WAITING, earliest, miss_names
    return True, ELIGIBLE, earliest, miss_names


def _sort_key(v: Verdict) -> tuple[Any, ...]:
    level = -_LEVEL_RANK.get(v.level or "", 0)
    date_key = v.earliest_date or dt.date.max
    nbars = len(v.bars)
    if v.status == WAITING:
        return (_STATUS_RANK[v.status], date_key, level)
    return (_STATUS_RANK[v.status], nbars, level, date_key)


_SEVERITY_ORDER = {BAR: 0, WAIT: 1, MISSING: 2, MANUAL: 2, WARNING: 3, INFO: 4}


def _severity_key(r: Reason) -> int:
    return _SEVERITY_ORDER.get(r.severity, 9)


@lru_cache(maxsize=4096)
def _title(series: str, specialty: str, level: str, zhongzhuan: bool) -> Any:
    return title_for(series, specialty, level, education_level="中专" if zhongzhuan else "")


def evaluate(person: PersonData, profile: Profile, as_of: dt.date, *,
             options: EligibilityOptions | None = None) -> Verdict:
    """Judge one person under one profile on ``as_of``; pure and fast (no I/O)."""
    c = _compile(profile, options or _DEFAULT_OPTIONS)
    common = _person_findings(person, c, as_of)
    candidates: list[Verdict] = []
    for idx, e in enumerate(person.educations):
        for r in profile.routes:
            if not _route_applies(e, r):
                continue
            rf, count_start, years, assessed = _route_findings(person, e, r, c, as_of)
            findings = common + rf
            eligible, status, earliest, missing = _combine(findings)
            tc = _title(person.series, person.specialty, r.level, e.level == "中专")
            reasons = [f[0] for f in findings]
            if tc.title is None:
                reasons.append(_r("TITLE_UNKNOWN", f"系列“{person.series or person.specialty}”不在职称名称对照表中，请人工填写职称名称",
                                  "专业技术职务名称对照（GB/T 8561《专业技术职务代码》）", False, WARNING))
            if tc.grade_unconfirmed:
                reasons.append(_r("TITLE_GRADE_UNCONFIRMED",
                                  f"中专学历初定为员级还是助理级需确认（可选：{'、'.join(tc.options) or '—'}；暂按助理级）",
                                  "中专学历初定员级或助理级的对照（本软件的解读，假设）", True, WARNING))
            reasons.sort(key=_severity_key)
            candidates.append(Verdict(
                eligible=eligible, status=status, route=r.kind, level=r.level, title=tc.title,
                earliest_date=earliest, reasons=reasons, missing=missing, required_years=years,
                route_id=r.id, route_label=r.label, profile_id=profile.id, as_of=as_of, count_start=count_start,
                education_index=idx, title_options=list(tc.options), grade_unconfirmed=tc.grade_unconfirmed,
                assessment_years=assessed,
            ))
    if not candidates:
        return _no_route(person, profile, c, common, as_of)
    if len(candidates) > 1:
        candidates.sort(key=_sort_key)
    best = candidates[0]
    best.alternatives = candidates[1:]
    _finish(person, profile, best)
    return best


def _no_route(p: PersonData, profile: Profile, c: _Compiled, common: list[_Finding], as_of: dt.date) -> Verdict:
    findings = list(common)
    if not p.educations:
        findings.append(_F(_r("EDUCATION_MISSING", "未填写学历", c.full_time.source, False, MISSING),
                           missing=("学历",)))
    elif all(not e.level for e in p.educations):
        findings.append(_F(_r("EDUCATION_MISSING", "学历未填写", c.full_time.source, False, MISSING),
                           missing=("学历",)))
    elif any(e.level in ("硕士研究生", "博士研究生") and e.degree in ("", "无") for e in p.educations) and any(
            r.kind == "授予" for r in profile.routes):
        findings.append(_F(_r("DEGREE_MISSING", "研究生学历未填写学位（授予按学位判断）", profile.source.cite(), False,
                              MISSING), missing=("学位",)))
    else:
        have = "、".join(f"{e.level}{'（' + e.degree + '学位）' if e.degree and e.degree != '无' else ''}"
                        for e in p.educations if e.level)
        kinds = "；".join(r.label for r in profile.routes)
        findings.append(_F(_r("NO_ROUTE", f"学历（{have}）不在本通知的初定/授予范围内（{kinds}）",
                              profile.source.cite(), False, BAR)))
    eligible, status, _earliest, missing = _combine(findings)
    reasons = sorted((f[0] for f in findings), key=_severity_key)
    years = _base_years(None, 1, as_of, profile.required_years_rule.minimum)
    v = Verdict(eligible=eligible, status=status, route=None, level=None, title=None, earliest_date=None,
                reasons=reasons, missing=missing, required_years=years, profile_id=profile.id, as_of=as_of,
                assessment_years=list(years))
    _finish(p, profile, v)
    return v


def _finish(p: PersonData, profile: Profile, v: Verdict) -> None:
    if (v.eligible is False and v.earliest_date is not None and profile.window_end is not None
            and v.earliest_date > profile.window_end):
        v.reasons.append(_r("AFTER_WINDOW",
                            f"最早可申报日期{_d(v.earliest_date)}晚于本次申报截止日期{_d(profile.window_end)}，请等待下一次通知",
                            profile.window_source, False, WARNING))
    if v.education_index is not None and len(p.educations) > 1:
        chosen = p.educations[v.education_index]
        highest = p.highest_education
        if highest is not None and highest is not chosen and highest.mode and highest.mode != "全日制":
            v.reasons.append(_r("JUDGED_ON_FULL_TIME_RECORD",
                                f"最高学历（{highest.level}）为{highest.mode}，按较早的{chosen.mode}{chosen.level}学历判断",
                                profile.rules["full_time"].source, False, INFO))


# What the officer can do about a bar, by the code of the reason that bars: GUI words, one place for
# every surface (the detail panel, `chuding check`).
_ADVICE_BY_CODE = {
    "STATUS_BARRED": "离退休人员、公务员及参照公务员法管理人员不参加初定，无需为其准备材料；如“人员状态”填写有误，请修改。",
    "DISCIPLINE_IN_FORCE": "处分期满后才能申报；如“处分期满日期”填写有误，请修改。",
    "DISCIPLINE_DISMISSED": "受开除处分者不能申报。",
    "UNIT_NATURE_BARRED": "本通知只面向企事业单位的专业技术人员；如“单位性质”有误，请在“单位信息”中修改。",
    "NOT_PRIVATE_ENTERPRISE": "本次专项只面向民营企业；如“单位性质”有误，请在“单位信息”中修改，否则请改用适用的申报政策。",
    "NOT_LOCAL_ENTERPRISE": "本次专项只面向本地注册或派驻本地满一年的民营企业人员；如“单位所在地”或派驻信息有误，请修改。",
    "NO_CONTRACT": "与单位签订劳动（聘用）合同后才能申报；如已签订，请把人员信息中的“劳动合同”改为“有”。",
    "EXAM_ONLY_SERIES": "该系列（专业）须参加全国统一考试取得职称（以考代评），不能初定；请提醒本人报名相应考试。",
    "SERIES_NOT_ALLOWED": "本通知的初定专业名单不含该专业；如“系列”或“申报专业”填写有误，请修改，否则本次不能初定。",
    "NOT_FULL_TIME": "非全日制学历不能初定；如本人另有全日制学历，请在“学历”中添加该条记录。",
    "PARTY_SCHOOL_NOT_APPLICABLE": "党校学历只在乡镇或四类以下地区的县级专业技术岗位上才可初定；如单位层级有误，请在“单位信息”中修改。",
    "UNIT_LEVEL_NOT_ALLOWED": "本通知的初定只面向地州市及以下单位；如“单位层级”有误，请在“单位信息”中修改。",
    "ASSESSMENT_FAILED": "所需年度的考核须为合格及以上；如考核结果填写有误，请修改，否则待考核合格的年度满足后再申报。",
    "NO_ROUTE": "学历不在本通知的初定（授予）范围内；如“学历”或“学位”填写有误，请修改。",
}
_GENERIC_BAR_ADVICE = "如以上标 ✗ 的信息有误，请点“编辑人员信息…”修改；确不符合的，本次不为其申报。"


def advice(v: Verdict) -> list[str]:
    """建议: what the officer can do next about this verdict, in the GUI's words (empty for 可申报)."""
    if v.status == ELIGIBLE:
        return []
    if v.status == WAITING:
        out = []
        if v.earliest_date is not None:
            out.append(f"年限满足后即可申报：最早 {_d(v.earliest_date)}。")
        if any(r.code == "AFTER_WINDOW" for r in v.reasons):
            out.append("本次申报截止前还不满足，请等待下一次通知，届时用新的申报批次重新审核，无需重新录入。")
        return out or ["年限满足后即可申报。"]
    if v.status == UNKNOWN:
        out = []
        if v.missing:
            out.append("请在“编辑人员信息”中补填：" + "、".join(v.missing) + "。")
        manual = [r.message for r in v.reasons if r.severity == MANUAL]
        if manual:
            out.append("需要人工确认：" + "；".join(manual) + "。如确认符合，请在备注中写明依据。")
        return out or ["请补充信息后重新审核。"]
    bars = [r.code for r in v.reasons if r.severity == BAR]
    out = list(dict.fromkeys(_ADVICE_BY_CODE[c] for c in bars if c in _ADVICE_BY_CODE))
    return out or [_GENERIC_BAR_ADVICE]
