"""Policy profiles: one TOML file per notice under ``resources/policies/`` (schema in its README.md).

The loader validates every key and raises :class:`PolicyError` naming the file and the key, so a
typo in a profile never silently changes a verdict. Profiles are immutable dataclasses, cached per
file modification time.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.vocab import (
    EDUCATION_LEVELS,
    PERSON_STATUSES,
    STUDY_MODES,
    TEACHER_SERIES,
    UNIT_LEVELS,
    UNIT_NATURES,
)
from app.errors import PolicyError, ValidationError
from app.paths import resource
from app.policy.citations import cite, notice

if TYPE_CHECKING:
    from app.domain.person import PersonData
    from app.policy.eligibility import Verdict

LEVELS = ("初级", "中级", "副高级", "正高级")
ROUTE_KINDS = ("初定", "授予")
BASES = ("graduation", "degree", "postdoc")
CONDITIONS = ("always", "dispatched", "has_degree", "foreign_degree", "teacher", "not_first_application",
              "optional")
ISSUERS = ("person", "unit", "platform")
SLOTS = ("id_card", "photo", "contract", "dispatch_note", "diploma", "degree_cert", "chsi_record",
         "degree_verification", "continuing_education", "assessment", "work_summary", "commitment", "gongshi",
         "gongshi_result", "recommendation", "social_security", "teacher_cert", "mandarin_cert",
         "ethics_statement", "chengbaobiao")
# Unit documents the app drafts (letters and the 呈报表 draft), each profile's [documents] table says
# whether the notice requires it, offers it as optional (非必需) or does not ask for it (not offered).
DOCUMENT_KINDS = ("gongshi", "gongshi-result", "tuijian", "chengnuo", "shide", "xiaojie", "form")
DOCUMENT_LABELS = {"gongshi": "推荐单位公示", "gongshi-result": "公示结果", "tuijian": "推荐报告",
                   "chengnuo": "个人承诺书", "shide": "师德师风情况说明", "xiaojie": "工作小结", "form": "呈报表草稿"}
DOCUMENT_NEEDS = ("required", "optional", "none")
# The packet slot each document fills (a required document's slot must be among the materials).
DOCUMENT_SLOTS = {"gongshi": "gongshi", "gongshi-result": "gongshi_result", "tuijian": "recommendation",
                  "chengnuo": "commitment", "shide": "ethics_statement", "xiaojie": "work_summary",
                  "form": "chengbaobiao"}
DISCIPLINE_BARRABLE = ("警告", "记过", "记大过", "降级", "撤职", "开除")
ANNIVERSARY_MODES = ("same_day", "day_after")


@dataclass(frozen=True)
class SourceRef:
    notice: str
    date: dt.date | None
    section: str
    seed: str = ""

    def cite(self) -> str:
        """The notice named for a reader (issuing body, title, date, section)."""
        if self.seed and notice(self.seed) is not None:
            return cite(f"{self.seed} {self.section}")
        date = f"（{self.date.year}年{self.date.month}月{self.date.day}日）" if self.date else ""
        return f"《{self.notice}》{date}{self.section}"


@dataclass(frozen=True)
class Assumption:
    key: str  # where it lives in the profile, e.g. "rules.discipline"
    text: str
    source: str


@dataclass(frozen=True)
class MaterialSpec:
    slot: str
    name: str
    condition: str
    per_year: bool
    pages_hint: str
    mask: bool
    issuer: str
    max_age_days: int | None
    word_range: tuple[int, int | None] | None
    source: str
    assumption: bool
    note: str


@dataclass(frozen=True)
class DocumentRule:
    kind: str  # one of DOCUMENT_KINDS
    need: str  # required | optional | none
    teachers_only: bool  # 师德师风: only persons of a teacher series
    source: str
    note: str = ""

    @property
    def offered(self) -> bool:
        return self.need != "none"

    @property
    def label(self) -> str:
        return DOCUMENT_LABELS[self.kind] + ("（非必需）" if self.need == "optional" else "")


@dataclass(frozen=True)
class Route:
    id: str
    kind: str  # 初定 | 授予
    label: str
    education: tuple[str, ...]  # 学历 levels; empty = any
    degrees: tuple[str, ...]  # required 学位; empty = none needed
    postdoc: bool  # needs a 博士后出站 date
    modes: tuple[str, ...]  # accepted 学习形式
    basis: str  # graduation | degree | postdoc: which date starts the count
    years: int | None  # None with manual_years
    manual_years: bool
    level: str
    level_assumption: bool
    unit_levels: tuple[str, ...]  # allowed 单位层级; empty = any
    warn_unit_levels: tuple[str, ...]  # levels that only give a warning
    unit_source: str
    unit_assumption: bool
    unit_note: str
    source: str
    assumption: bool
    note: str


@dataclass(frozen=True)
class Rule:
    """A generic rule table: ``values`` holds its settings (lists, bools, ints)."""

    name: str
    values: dict[str, Any]
    source: str
    assumption: bool
    note: str

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass(frozen=True)
class PartySchoolCondition:
    unit_levels: tuple[str, ...]
    below_class4: bool | None


@dataclass(frozen=True)
class PartySchoolRule:
    treat_as: str
    conditions: tuple[PartySchoolCondition, ...]
    source: str
    assumption: bool


@dataclass(frozen=True)
class ExtraYear:
    series: tuple[str, ...]
    year: str  # "as_of": the as-of year itself
    applies_to: str
    source: str


@dataclass(frozen=True)
class RequiredYearsRule:
    rule: str
    minimum: int
    extra: tuple[ExtraYear, ...]
    source: str
    assumption: bool


@dataclass(frozen=True)
class Counting:
    anniversary: str  # same_day | day_after
    feb29: str  # mar1
    start: str
    source: str
    assumption: bool
    note: str


@dataclass(frozen=True)
class Profile:
    id: str
    name: str
    short_name: str
    source: SourceRef
    window_start: dt.date | None
    window_end: dt.date | None
    default_as_of: dt.date | None
    window_source: str
    window_note: str
    counting: Counting
    routes: tuple[Route, ...]
    rules: dict[str, Rule]
    party_school: PartySchoolRule | None
    required_years_rule: RequiredYearsRule
    materials: tuple[MaterialSpec, ...]
    assumptions: tuple[Assumption, ...]
    path: Path = field(compare=False)
    documents: tuple[DocumentRule, ...] = ()
    form_titles: dict[str, str] = field(default_factory=dict, compare=False)  # route kind → 呈报表 title

    def rule(self, name: str) -> Rule | None:
        return self.rules.get(name)

    def material(self, slot: str) -> MaterialSpec | None:
        return next((m for m in self.materials if m.slot == slot), None)


# ------------------------------------------------------------------------------------------ loading
class _Table:
    """Typed access to one TOML table; every error names the file and the dotted key."""

    def __init__(self, data: dict[str, Any], path: Path, prefix: str) -> None:
        if not isinstance(data, dict):
            raise PolicyError(f"策略文件 {path.name} 中的“{prefix}”应为表（table）", detail=str(path))
        self.data = data
        self.path = path
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, k: str) -> str:
        return f"{self.prefix}.{k}" if self.prefix else k

    def fail(self, k: str, what: str) -> PolicyError:
        return PolicyError(f"策略文件 {self.path.name} 中的键“{self.key(k)}”{what}", detail=str(self.path))

    def get(self, k: str, kind: type | tuple[type, ...], default: Any = ..., *, choices: tuple[str, ...] = ()) -> Any:
        self.used.add(k)
        if k not in self.data:
            if default is ...:
                raise self.fail(k, "缺失")
            return default
        v = self.data[k]
        if kind is int and isinstance(v, bool):
            raise self.fail(k, "应为整数")
        if not isinstance(v, kind):
            names = {str: "字符串", int: "整数", bool: "true/false", list: "列表", dict: "表", dt.date: "日期"}
            label = names.get(kind, str(kind)) if isinstance(kind, type) else "/".join(names.get(t, str(t)) for t in kind)
            raise self.fail(k, f"类型错误：应为{label}")
        if choices and v not in choices:
            raise self.fail(k, f"取值“{v}”无效，可选：{'、'.join(choices)}")
        return v

    def strs(self, k: str, default: Any = ..., *, choices: tuple[str, ...] = ()) -> tuple[str, ...]:
        v = self.get(k, list, default if default is ... else list(default))
        for item in v:
            if not isinstance(item, str):
                raise self.fail(k, "应为字符串列表")
            if choices and item not in choices:
                raise self.fail(k, f"中的“{item}”无效，可选：{'、'.join(choices)}")
        return tuple(v)

    def date(self, k: str) -> dt.date | None:
        v = self.get(k, (dt.date, str), None)
        if v is None:
            return None
        if isinstance(v, dt.datetime):
            return v.date()
        if isinstance(v, dt.date):
            return v
        try:
            return dt.date.fromisoformat(v)
        except ValueError:
            raise self.fail(k, f"不是有效日期：{v}") from None

    def sub(self, k: str, required: bool = False) -> _Table | None:
        self.used.add(k)
        if k not in self.data:
            if required:
                raise self.fail(k, "缺失")
            return None
        return _Table(self.data[k], self.path, self.key(k))

    def subs(self, k: str) -> list[_Table]:
        self.used.add(k)
        v = self.data.get(k, [])
        if not isinstance(v, list):
            raise self.fail(k, "应为表数组（[[...]]）")
        return [_Table(item, self.path, f"{self.key(k)}[{i}]") for i, item in enumerate(v)]

    def done(self, *, allow_extra: bool = False) -> None:
        if allow_extra:
            return
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise self.fail(extra[0], "未知（拼写错误？）")


_RULE_KEYS: dict[str, dict[str, tuple[type, Any]]] = {
    "full_time": {},
    "status": {"barred": (list, ...)},
    "discipline": {"barred": (list, ...)},
    "unit_nature": {"barred": (list, ...)},
    "contract": {"required": (bool, True)},
    "private_enterprise": {"natures": (list, ...), "locations": (list, ...)},
    "dispatch": {"min_years": (int, 1)},
    "exam_only": {"series": (list, ...)},
    "allowed": {"series": (list, []), "specialties": (list, [])},
    "assessment": {"passing": (list, ...), "failing": (list, ...), "missing_is_unknown": (bool, True)},
    "major_match": {"required": (bool, False), "applies_to": (str, "")},
    "continuing_education": {"first_application_exempt": (bool, False), "repeat_requirement": (str, "")},
}
_RULE_CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("status", "barred"): PERSON_STATUSES,
    ("discipline", "barred"): DISCIPLINE_BARRABLE,
    ("unit_nature", "barred"): UNIT_NATURES,
    ("private_enterprise", "natures"): UNIT_NATURES,
}


def _load_route(t: _Table) -> Route:
    kind = t.get("kind", str, choices=ROUTE_KINDS)
    manual = t.get("manual_years", bool, False)
    years = t.get("years", int, None)
    if years is None and not manual:
        raise t.fail("years", "缺失（或设置 manual_years = true）")
    if years is not None and not 0 < years <= 30:
        raise t.fail("years", f"超出范围：{years}")
    education = t.strs("education", (), choices=EDUCATION_LEVELS)
    degrees = t.strs("degrees", (), choices=("学士", "硕士", "博士"))
    postdoc = t.get("postdoc", bool, False)
    if not (education or degrees or postdoc):
        raise t.fail("education", "缺失（education、degrees、postdoc 至少设一项）")
    r = Route(
        id=t.get("id", str), kind=kind, label=t.get("label", str),
        education=education, degrees=degrees, postdoc=postdoc,
        modes=t.strs("modes", choices=STUDY_MODES),
        basis=t.get("basis", str, choices=BASES), years=years, manual_years=manual,
        level=t.get("level", str, choices=LEVELS), level_assumption=t.get("level_assumption", bool, False),
        unit_levels=t.strs("unit_levels", (), choices=UNIT_LEVELS),
        warn_unit_levels=t.strs("warn_unit_levels", (), choices=UNIT_LEVELS),
        unit_source=cite(t.get("unit_source", str, "")), unit_assumption=t.get("unit_assumption", bool, False),
        unit_note=t.get("unit_note", str, ""),
        source=cite(t.get("source", str)), assumption=t.get("assumption", bool, False), note=t.get("note", str, ""),
    )
    if (r.unit_levels or r.warn_unit_levels) and not r.unit_source:
        raise t.fail("unit_source", "缺失（单位条件必须注明出处）")
    t.done()
    return r


def _load_rule(name: str, t: _Table) -> Rule:
    spec = _RULE_KEYS.get(name)
    if spec is None:
        raise PolicyError(f"策略文件 {t.path.name} 中的键“{t.prefix}”未知（可用规则：{'、'.join(_RULE_KEYS)}）",
                          detail=str(t.path))
    values: dict[str, Any] = {}
    for k, (kind, default) in spec.items():
        if kind is list:
            values[k] = t.strs(k, default if default is not ... else ..., choices=_RULE_CHOICES.get((name, k), ()))
        else:
            values[k] = t.get(k, kind, default)
    rule = Rule(name=name, values=values, source=cite(t.get("source", str)), assumption=t.get("assumption", bool, False),
                note=t.get("note", str, ""))
    t.done()
    return rule


def _load_material(t: _Table) -> MaterialSpec:
    wmin = t.get("word_min", int, None)
    wmax = t.get("word_max", int, None)
    if wmax is not None and wmin is None:
        raise t.fail("word_min", "缺失（设置了 word_max）")
    if wmin is not None and wmax is not None and wmax < wmin:
        raise t.fail("word_max", "小于 word_min")
    m = MaterialSpec(
        slot=t.get("slot", str, choices=SLOTS), name=t.get("name", str),
        condition=t.get("condition", str, choices=CONDITIONS), per_year=t.get("per_year", bool, False),
        pages_hint=t.get("pages_hint", str, ""), mask=t.get("mask", bool),
        issuer=t.get("issuer", str, choices=ISSUERS), max_age_days=t.get("max_age_days", int, None),
        word_range=(wmin, wmax) if wmin is not None else None,
        source=cite(t.get("source", str)), assumption=t.get("assumption", bool, False), note=t.get("note", str, ""),
    )
    t.done()
    return m


def load_profile_file(path: str | Path) -> Profile:
    """Load and validate one profile file; PolicyError names the file and the key on any problem."""
    from app.errors import InputFileError
    from app.fileio import MAX_DATA_FILE_BYTES, open_user_file

    path = Path(path)
    try:
        with open_user_file(path, MAX_DATA_FILE_BYTES, what="策略文件") as fh:
            data = tomllib.load(fh)
    except InputFileError as exc:
        raise PolicyError(f"无法读取策略文件 {path.name}：{exc.message}", detail=exc.detail) from exc
    except OSError as exc:
        raise PolicyError(f"无法读取策略文件 {path.name}：{exc.strerror or exc}", detail=repr(exc)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"策略文件 {path.name} 格式错误：{exc}", detail=str(path)) from exc
    top = _Table(data, path, "")
    schema = top.get("schema", int)
    if schema != 1:
        raise top.fail("schema", f"版本 {schema} 不受支持（支持 1）")
    pid = top.get("id", str)
    if pid != path.stem:
        raise top.fail("id", f"“{pid}”与文件名“{path.stem}”不一致")

    src = top.sub("source", required=True)
    assert src is not None
    source = SourceRef(notice=src.get("notice", str), date=src.date("date"), section=src.get("section", str),
                       seed=src.get("seed", str, ""))
    src.done()

    win = top.sub("window", required=True)
    assert win is not None
    window_start, window_end = win.date("start"), win.date("end")
    default_as_of = win.date("default_as_of")
    if window_start and window_end and window_end < window_start:
        raise win.fail("end", "早于 start")
    window_source, window_note = cite(win.get("source", str)), win.get("note", str, "")
    win.done()

    ct = top.sub("counting", required=True)
    assert ct is not None
    counting = Counting(anniversary=ct.get("anniversary", str, choices=ANNIVERSARY_MODES),
                        feb29=ct.get("feb29", str, "mar1", choices=("mar1",)),
                        start=ct.get("start", str, "later_of_basis_and_work_start",
                                     choices=("later_of_basis_and_work_start",)),
                        source=cite(ct.get("source", str)), assumption=ct.get("assumption", bool, False),
                        note=ct.get("note", str, ""))
    ct.done()

    routes = tuple(_load_route(t) for t in top.subs("routes"))
    if not routes:
        raise top.fail("routes", "缺失（至少一条路径）")
    ids = [r.id for r in routes]
    if len(set(ids)) != len(ids):
        raise top.fail("routes", "中有重复的 id")

    rules: dict[str, Rule] = {}
    rt = top.sub("rules", required=True)
    assert rt is not None
    for name in rt.data:
        sub = rt.sub(name)
        assert sub is not None
        rules[name] = _load_rule(name, sub)
    rt.done()
    for needed in ("full_time", "status", "discipline", "exam_only", "assessment"):
        if needed not in rules:
            raise rt.fail(needed, "缺失")

    party: PartySchoolRule | None = None
    ps = top.sub("party_school")
    if ps is not None:
        conds = []
        for c in ps.subs("conditions"):
            conds.append(PartySchoolCondition(unit_levels=c.strs("unit_levels", choices=UNIT_LEVELS),
                                              below_class4=c.get("below_class4", bool, None)))
            c.done()
        if not conds:
            raise ps.fail("conditions", "缺失")
        party = PartySchoolRule(treat_as=ps.get("treat_as", str, choices=("全日制",)), conditions=tuple(conds),
                                source=cite(ps.get("source", str)), assumption=ps.get("assumption", bool, False))
        ps.done()

    ry = top.sub("required_years", required=True)
    assert ry is not None
    extras = []
    for e in ry.subs("extra"):
        extras.append(ExtraYear(series=e.strs("series"), year=e.get("year", str, choices=("as_of",)),
                                applies_to=e.get("applies_to", str, choices=("continuing_education", "all")),
                                source=cite(e.get("source", str))))
        e.done()
    minimum = ry.get("minimum", int, 1)
    if minimum < 0:
        raise ry.fail("minimum", "不能为负数")
    req_years = RequiredYearsRule(rule=ry.get("rule", str, choices=("recent_overlapping",)), minimum=minimum,
                                  extra=tuple(extras), source=cite(ry.get("source", str)),
                                  assumption=ry.get("assumption", bool, False))
    ry.done()

    materials = tuple(_load_material(t) for t in top.subs("materials"))
    slots = [m.slot for m in materials]
    dup = next((s for s in slots if slots.count(s) > 1), None)
    if dup:
        raise top.fail("materials", f"中材料栏目“{dup}”重复")

    documents, form_titles = _load_documents(top, {m.slot for m in materials})

    name = top.get("name", str)
    short_name = top.get("short_name", str, name)
    top.done()

    assumptions: list[Assumption] = []
    if counting.assumption:
        assumptions.append(Assumption("counting", counting.note or "计算方法", counting.source))
    for r in routes:
        if r.assumption or r.level_assumption:
            assumptions.append(Assumption(f"routes.{r.id}", r.note or r.label, r.source))
        if r.unit_assumption:
            assumptions.append(Assumption(f"routes.{r.id}.unit", r.unit_note or "单位条件", r.unit_source))
    for rname, rule in rules.items():
        if rule.assumption:
            assumptions.append(Assumption(f"rules.{rname}", rule.note or _RULE_TITLES.get(rname, rname), rule.source))
    if party and party.assumption:
        assumptions.append(Assumption("party_school", "党校学历规则", party.source))
    if req_years.assumption:
        assumptions.append(Assumption("required_years", "所需考核/继续教育年度的计算方法", req_years.source))
    for m in materials:
        if m.assumption:
            assumptions.append(Assumption(f"materials.{m.slot}", f"{m.name}：{m.note}" if m.note else m.name, m.source))

    return Profile(
        id=pid, name=name, short_name=short_name, source=source, window_start=window_start, window_end=window_end,
        default_as_of=default_as_of, window_source=window_source, window_note=window_note, counting=counting,
        routes=routes, rules=rules, party_school=party, required_years_rule=req_years, materials=materials,
        assumptions=tuple(assumptions), path=path, documents=documents, form_titles=form_titles,
    )


def _load_documents(top: _Table, slots: set[str]) -> tuple[tuple[DocumentRule, ...], dict[str, str]]:
    t = top.sub("documents", required=True)
    assert t is not None
    source = cite(t.get("source", str))
    rules = []
    for kind in DOCUMENT_KINDS:
        need = t.get(kind, str, choices=DOCUMENT_NEEDS)
        slot = DOCUMENT_SLOTS[kind]
        if need == "required" and slot not in slots:
            raise t.fail(kind, f"为 required，但 materials 中没有对应的“{slot}”")
        if need == "none" and slot in slots and kind != "xiaojie":
            raise t.fail(kind, f"为 none，但 materials 中列有“{slot}”")
        rules.append(DocumentRule(kind, need, kind == "shide", source))
    titles = {}
    for key, route_kind in (("form_title", "初定"), ("form_title_grant", "授予")):
        v = t.get(key, str, "")
        if v:
            titles[route_kind] = v
    if t.data.get("form") != "none" and not titles:
        raise t.fail("form_title", "缺失（提供呈报表草稿时须写明通知中的表名）")
    t.get("note", str, "")
    t.done()
    return tuple(rules), titles


def document_rule(profile: Profile, kind: str) -> DocumentRule:
    """Whether the profile's notice requires, offers (非必需) or does not ask for a unit document.

    The ONE reader of the "which documents" rule: letters, the 呈报表, the export bundle and the
    申报批次 requirements all ask here."""
    rule = next((d for d in profile.documents if d.kind == kind), None)
    if rule is None:
        raise ValidationError(f"未知的文书类型“{kind}”")
    return rule


def offered_documents(profile: Profile) -> list[DocumentRule]:
    return [d for d in profile.documents if d.offered]


def is_teacher(person: PersonData) -> bool:
    """A person of a teacher series (师德师风 说明 takes teachers only)."""
    return person.series in TEACHER_SERIES or person.specialty in TEACHER_SERIES


_RULE_TITLES = {
    "status": "离退休人员、公务员、参公人员不得申报",
    "discipline": "受记过以上处分期间不得申报",
    "exam_only": "以考代评系列名单",
    "assessment": "考核年度与缺失结果的处理",
    "major_match": "所学专业与工作专业",
    "continuing_education": "继续教育要求",
    "contract": "劳动（聘用）合同",
}

_cache: dict[Path, tuple[float, Profile]] = {}
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def profiles_dir() -> Path:
    """The installed profiles (inside the program folder / bundle): read-only, never edited in place."""
    return resource("policies")


def user_profiles_dir() -> Path:
    """Profiles the officer imported (文件 → 导入政策文件), in the per-user data folder. A profile here
    replaces an installed one with the same id; new ids (next year's notice) are added."""
    from app.paths import user_data_dir

    return user_data_dir() / "policies"


def _profile_paths() -> dict[str, Path]:
    """id → file, user profiles over installed ones."""
    paths = {p.stem: p for p in sorted(profiles_dir().glob("*.toml"))}
    user = user_profiles_dir()
    if user.is_dir():
        paths.update({p.stem: p for p in sorted(user.glob("*.toml")) if _ID_RE.match(p.stem)})
    return dict(sorted(paths.items()))


def is_user_profile(profile: Profile) -> bool:
    """True if ``profile`` was imported by the officer (not shipped with the program)."""
    return profile.path.parent.resolve() == user_profiles_dir().resolve()


def _load_cached(path: Path) -> Profile:
    mtime = path.stat().st_mtime
    hit = _cache.get(path)
    if hit and hit[0] == mtime:
        return hit[1]
    prof = load_profile_file(path)
    _cache[path] = (mtime, prof)
    return prof


def list_profiles() -> list[Profile]:
    """All profiles; an imported file that no longer loads (edited by hand) is left out and logged."""
    out = []
    installed = profiles_dir()
    for path in _profile_paths().values():
        try:
            out.append(_load_cached(path))
        except PolicyError as exc:
            if path.parent == installed:
                raise
            logging.getLogger(__name__).warning("imported profile skipped: %s", exc.message)
    return out


def profile_ids() -> list[str]:
    return list(_profile_paths())


def load_profile(profile_id: str) -> Profile:
    path = _profile_paths().get(profile_id)
    if path is None or "/" in profile_id or "\\" in profile_id:
        raise ValidationError(f"未知的政策配置“{profile_id}”。可用：{'、'.join(profile_ids())}")
    return _load_cached(path)


# ------------------------------------------------------------------------------------------ import
@dataclass(frozen=True)
class ProfileDiff:
    key: str  # dotted key, e.g. "window.end" or "routes[2].years"
    old: str  # "" when added
    new: str  # "" when removed


@dataclass(frozen=True)
class ImportPreview:
    """A validated profile file ready to import, and how it differs from the profile it is compared with."""

    source_file: Path
    profile: Profile  # loaded from a validated temporary copy
    data: bytes
    base: Profile | None  # the profile with the same id (replaced), or the one compared with for a new id
    replaces: bool  # True when ``base`` has the same id and is replaced by the import
    diffs: tuple[ProfileDiff, ...]

    @property
    def identical(self) -> bool:
        return self.replaces and not self.diffs


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            out.update(_flatten(v, f"{prefix}[{i}]"))
    elif isinstance(value, list):
        out[prefix] = "、".join(str(v) for v in value) if value else "（空）"
    elif isinstance(value, bool):
        out[prefix] = "是" if value else "否"
    else:
        out[prefix] = str(value)
    return out


def profile_diff(old_path: Path, new_data: bytes) -> tuple[ProfileDiff, ...]:
    old = _flatten(tomllib.loads(old_path.read_text(encoding="utf-8")))
    new = _flatten(tomllib.loads(new_data.decode("utf-8")))
    keys = sorted(old.keys() | new.keys(), key=lambda k: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", k)])
    return tuple(ProfileDiff(k, old.get(k, ""), new.get(k, "")) for k in keys if old.get(k) != new.get(k))


def _predecessor(pid: str, ids: list[str]) -> str | None:
    """The profile a new id most likely follows: same family (the id without its year), e.g. korla-2025 →
    korla-2024; the latest such id."""
    family = re.sub(r"-?\d{4}$", "", pid)
    same = [i for i in ids if i != pid and re.sub(r"-?\d{4}$", "", i) == family]
    return max(same) if same else None


def preview_import(path: str | Path, compare_with: str | None = None) -> ImportPreview:
    """Validate a profile file for import (PolicyError naming the file and key on any problem).

    Compared with the installed/imported profile of the same id, else with the latest of its family
    (korla-2025 → korla-2024), else with ``compare_with`` (usually the profile in use)."""
    import tempfile

    from app.errors import InputFileError
    from app.fileio import MAX_DATA_FILE_BYTES, open_user_file

    path = Path(path)
    try:
        with open_user_file(path, MAX_DATA_FILE_BYTES, what="政策文件") as fh:
            data = fh.read()
        text = data.decode("utf-8")
        raw = tomllib.loads(text)
    except InputFileError as exc:
        raise PolicyError(f"无法读取政策文件 {path.name}：{exc.message}", detail=exc.detail) from exc
    except OSError as exc:
        raise PolicyError(f"无法读取政策文件 {path.name}：{exc.strerror or exc}", detail=repr(exc)) from exc
    except UnicodeDecodeError as exc:
        raise PolicyError(f"政策文件 {path.name} 不是 UTF-8 编码的文本文件", detail=str(path)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"政策文件 {path.name} 格式错误：{exc}", detail=str(path)) from exc
    pid = raw.get("id")
    if not isinstance(pid, str) or not _ID_RE.match(pid):
        raise PolicyError(f"政策文件 {path.name} 中的键“id”应为小写字母、数字和连字符组成的名称（如 korla-2025）",
                          detail=str(path))
    with tempfile.TemporaryDirectory(prefix="chuding-policy-") as tmp:
        copy = Path(tmp) / f"{pid}.toml"
        copy.write_bytes(data)
        try:
            profile = load_profile_file(copy)
        except PolicyError as exc:  # name the officer's file, not the temporary copy
            raise PolicyError(exc.message.replace(copy.name, path.name, 1), detail=str(path)) from exc
    profile = replace(profile, path=path)
    existing = _profile_paths()
    base_id = pid if pid in existing else (_predecessor(pid, list(existing)) or compare_with)
    base_path = existing.get(base_id) if base_id else None
    base = _load_cached(base_path) if base_path else None
    diffs = profile_diff(base_path, data) if base_path else ()
    return ImportPreview(path, profile, data, base, pid in existing, diffs)


def import_summary(preview: ImportPreview, max_diffs: int = 200) -> list[str]:
    """The preview in the officer's words (shown by 文件 → 导入政策文件 and by ``chuding policy import``)."""
    p = preview.profile
    src = p.source
    lines = [f"政策配置：{p.name}（{p.id}）",
             f"依据：{src.notice}" + (f"（{src.date.isoformat()}）" if src.date else "") + (f" {src.section}" if src.section else "")]
    if p.window_start or p.window_end:
        lines.append(f"申报时间：{p.window_start or '—'} 至 {p.window_end or '—'}")
    lines.append(f"申报途径 {len(p.routes)} 条，材料 {len(p.materials)} 项，按假设处理的规则 {len(p.assumptions)} 条")
    if preview.base is None:
        lines.append("这是新的政策配置（没有可比较的已安装配置）。")
        return lines
    where = "已导入的" if is_user_profile(preview.base) else "程序自带的"
    if preview.identical:
        lines.append(f"与{where}“{preview.base.name}”完全相同，无需导入。")
        return lines
    verb = "将替换" if preview.replaces else "对比"
    lines.append(f"{verb}{where}“{preview.base.name}”（{preview.base.id}），不同之处 {len(preview.diffs)} 项：")
    for d in preview.diffs[:max_diffs]:
        if not d.old:
            lines.append(f"  + {d.key} = {d.new}")
        elif not d.new:
            lines.append(f"  - {d.key}（原为 {d.old}）")
        else:
            lines.append(f"  * {d.key}：{d.old} → {d.new}")
    if len(preview.diffs) > max_diffs:
        lines.append(f"  ……另有 {len(preview.diffs) - max_diffs} 项")
    return lines


def import_profile(preview: ImportPreview) -> Path:
    """Keep the validated file in the user profiles folder (atomic write); returns where it went."""
    from app.fileio import atomic_write_bytes

    folder = user_profiles_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{preview.profile.id}.toml"
    if target.resolve().parent != folder.resolve():  # the id is checked by preview_import; belt and braces
        raise PolicyError(f"政策文件的 id“{preview.profile.id}”无效")
    atomic_write_bytes(target, preview.data, what="保存政策文件")
    _cache.pop(target, None)
    return target

# ------------------------------------------------------------------------------------------ deadline
def application_deadline(profile: Profile, as_of: dt.date | None = None) -> dt.date | None:
    """The date generated letters and dates must not pass: the notice's application deadline, else the
    officer's as-of date (which the profiles without a window ask to set to the year's deadline).

    The ONE reader of the deadline (letters, letter view, ``letters`` CLI, export pre-flight): a 申报批次
    with its own deadline redirects here."""
    return profile.window_end or as_of


# ------------------------------------------------------------------------------------------ years
def required_years(person: PersonData, profile: Profile, as_of: dt.date, verdict: Verdict | None = None) -> list[int]:
    """Calendar years that need an assessment (考核) and continuing-education record.

    The most recent N years before the as-of year overlapping the counted period (N = the route's
    years), at least ``minimum``; plus the profile's extra years (e.g. Korla teachers: the as-of year).
    Uses the verdict's years when given, else evaluates the person.
    """
    if verdict is None:
        from app.policy.eligibility import evaluate

        verdict = evaluate(person, profile, as_of)
    return list(verdict.required_years)


def extra_years(person: PersonData, profile: Profile, as_of: dt.date) -> list[int]:
    out: list[int] = []
    for e in profile.required_years_rule.extra:
        if person.series in e.series or person.specialty in e.series:
            out.append(as_of.year)
    return out
