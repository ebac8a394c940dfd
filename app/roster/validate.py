"""Field-level validation of a person record, shared by the editor dialog and the importer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.domain import vocab
from app.domain.person import PersonData
from app.domain.text import KIND_LABELS, find_hostile
from app.policy.identifiers import check_id_number, check_phone, check_uscc


@dataclass(frozen=True)
class FieldIssue:
    field: str  # Chinese column name of the roster contract, e.g. "身份证号"
    message: str
    severity: str = "error"  # "error" blocks saving; "warning" does not

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def _in_vocab(issues: list[FieldIssue], field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value and value not in allowed:
        issues.append(FieldIssue(field, f"“{value}”不是可选值（{'/'.join(allowed)}）"))


# Fields that may hold line breaks (multi-line in the editor, Alt+Enter in Excel).
MULTILINE_FIELDS = frozenset({"备注"})
# Fields that become (part of) a file or folder name: the person's folder, letters, 呈报表.
FILENAME_FIELDS = frozenset({"姓名", "单位名称"})


def text_field_issues(field: str, value: str) -> list[FieldIssue]:
    """Invisible characters (control, bidi override, zero-width) and, for names that become file
    names, a trailing dot or space: refused where data comes in (editor, importer, unit dialog)."""
    if not value:
        return []
    allow = "\n\r\t" if field in MULTILINE_FIELDS else ""
    hit = find_hostile(value, allow=allow)
    if hit is not None:
        i, ch, kind = hit
        return [FieldIssue(field, f"第 {i + 1} 个字符是{KIND_LABELS[kind]}（U+{ord(ch):04X}），"
                                  "常见于从网页或其他软件复制的文字，请删除后重新填写")]
    if field in FILENAME_FIELDS and value != value.rstrip(" .。"):
        return [FieldIssue(field, "末尾不能是句点或空格（导出时用作文件名，Windows 不允许），请删除")]
    return []


def _person_texts(p: PersonData) -> list[tuple[str, str]]:
    out = [("姓名", p.name), ("性别", p.gender), ("民族", p.ethnicity), ("身份证号", p.id_number),
           ("政治面貌", p.political_status), ("联系电话", p.phone), ("系列", p.series), ("申报专业", p.specialty),
           ("现岗位", p.position), ("现有职称", p.current_title), ("人员状态", p.status), ("备注", p.notes),
           ("起算日期理由", p.count_start_reason), ("单位名称", p.unit.name), ("统一社会信用代码", p.unit.uscc),
           ("单位性质", p.unit.nature), ("单位所在地", p.unit.location), ("单位层级", p.unit.level)]
    for e in p.educations:
        out += [("学历", e.level), ("学习形式", e.mode), ("毕业院校", e.school), ("所学专业", e.major),
                ("学位", e.degree)]
    out += [("处分", d.kind) for d in p.disciplines]
    out += [("考核结果", r) for r in p.assessments.values() if isinstance(r, str)]
    return out


def validate_person(p: PersonData, *, today: dt.date | None = None) -> list[FieldIssue]:
    hostile: list[FieldIssue] = []
    for field, value in _person_texts(p):
        if all(h.field != field for h in hostile):
            hostile += text_field_issues(field, value or "")
    bad = {h.field for h in hostile}  # other checks of such a field would only repeat it
    return hostile + [i for i in _validate_fields(p, today=today) if i.field not in bad]


def _validate_fields(p: PersonData, *, today: dt.date | None = None) -> list[FieldIssue]:
    today = today or dt.date.today()
    issues: list[FieldIssue] = []
    if not p.name.strip():
        issues.append(FieldIssue("姓名", "姓名不能为空"))
    elif len(p.name.strip()) > 30:
        issues.append(FieldIssue("姓名", "姓名过长"))
    _in_vocab(issues, "性别", p.gender, vocab.GENDERS)
    idr = check_id_number(p.id_number, gender=p.gender or None, today=today)
    issues += [FieldIssue("身份证号", m) for m in idr.errors]
    issues += [FieldIssue("身份证号", m, "warning") for m in idr.warnings]
    if p.phone:
        ph = check_phone(p.phone)
        issues += [FieldIssue("联系电话", m) for m in ph.errors]
        issues += [FieldIssue("联系电话", m, "warning") for m in ph.warnings]
    _in_vocab(issues, "人员状态", p.status, vocab.PERSON_STATUSES)
    birth = dt.date.fromisoformat(idr.derived["birth_date"]) if "birth_date" in idr.derived else None

    def date_ok(field: str, d: dt.date | None, *, allow_future: bool = False) -> None:
        if d is None:
            return
        if d > today and not allow_future:
            issues.append(FieldIssue(field, f"{field} {d.isoformat()} 晚于今天"))
        elif d.year < 1950:
            issues.append(FieldIssue(field, f"{field} {d.isoformat()} 早于 1950 年，请核对"))
        elif birth and d < birth:
            issues.append(FieldIssue(field, f"{field} {d.isoformat()} 早于出生日期 {birth.isoformat()}"))
        elif birth and (d.year - birth.year) < 14:
            issues.append(FieldIssue(field, f"{field} {d.isoformat()} 时年龄不足 14 岁，请核对", "warning"))

    date_ok("参加专业技术工作日期", p.work_start)
    date_ok("派驻起始日期", p.dispatch_start)
    date_ok("指定起算日期", p.count_start_override)
    if p.count_start_override is not None and not p.count_start_reason.strip():
        issues.append(FieldIssue("起算日期理由", "指定了起算日期，请写明理由（如由机关调入及其文件）"))
    elif len(p.count_start_reason) > 200:
        issues.append(FieldIssue("起算日期理由", "起算日期理由不能超过 200 字"))
    elif p.count_start_reason.strip() and p.count_start_override is None:
        issues.append(FieldIssue("指定起算日期", "写了起算日期理由但未指定起算日期", "warning"))
    if p.dispatched and p.dispatch_start is None:
        issues.append(FieldIssue("派驻起始日期", "派驻人员需填写派驻起始日期", "warning"))
    for e in p.educations:
        _in_vocab(issues, "学历", e.level, vocab.EDUCATION_LEVELS)
        _in_vocab(issues, "学习形式", e.mode, vocab.STUDY_MODES)
        _in_vocab(issues, "学位", e.degree, vocab.DEGREES)
        date_ok("毕业日期", e.graduation_date)
        date_ok("学位取得日期", e.degree_date)
        date_ok("博士后出站日期", e.postdoc_end)
        if e.degree and e.degree != "无" and e.degree_date is None:
            issues.append(FieldIssue("学位取得日期", f"有{e.degree}学位但未填写学位取得日期", "warning"))
    for year, result in p.assessments.items():
        if not 1950 <= year <= today.year:
            issues.append(FieldIssue("考核结果", f"考核年度 {year} 不合理"))
        if result not in vocab.ASSESSMENT_RESULTS:
            issues.append(FieldIssue("考核结果", f"{year} 年考核结果“{result}”不是可选值（{'/'.join(vocab.ASSESSMENT_RESULTS)}）"))
    for year, ce in p.continuing_education.items():
        if not 1950 <= year <= today.year:
            issues.append(FieldIssue("继续教育", f"继续教育年度 {year} 不合理"))
        for hours in (ce.public_hours, ce.professional_hours):
            if hours is not None and not 0 <= hours <= 2000:
                issues.append(FieldIssue("继续教育", f"{year} 年继续教育学时 {hours} 不合理"))
    for d in p.disciplines:
        _in_vocab(issues, "处分", d.kind, vocab.DISCIPLINE_KINDS)
        if d.kind not in ("", "无", "警告", "开除") and d.end_date is None:
            issues.append(FieldIssue("处分期满日期", f"{d.kind}处分需填写处分期满日期", "warning"))
    u = p.unit
    if u.uscc:
        ur = check_uscc(u.uscc)
        issues += [FieldIssue("统一社会信用代码", m) for m in ur.errors]
    _in_vocab(issues, "单位性质", u.nature, vocab.UNIT_NATURES)
    _in_vocab(issues, "单位层级", u.level, vocab.UNIT_LEVELS)
    issues += length_issues(p)
    return issues


# checked with their own message above
_OWN_LENGTH_CHECK = {"name", "count_start_reason", "id_number", "gender"}


def _limits() -> list[tuple[str, str, int]]:
    """(dotted PersonData path, Chinese column name, limit) for every bounded text column the person,
    its unit and its education are stored in: the same limit on SQLite (which would store longer
    text) and PostgreSQL (which would refuse the whole import)."""
    from sqlalchemy import String

    from app.models import EducationRecord, Person, Unit
    from app.roster.columns import COLUMNS

    header = {c.field: c.header for c in COLUMNS}
    out: list[tuple[str, str, int]] = []
    for model, prefix in ((Person, ""), (Unit, "unit."), (EducationRecord, "edu.")):
        for col in model.__table__.columns:
            own = prefix == "" and col.name in _OWN_LENGTH_CHECK
            if isinstance(col.type, String) and col.type.length and not own:
                path = prefix + col.name
                out.append((path, header.get(path, header.get(col.name, col.name)), col.type.length))
    return out


_LIMITS: list[tuple[str, str, int]] | None = None


def length_issues(p: PersonData) -> list[FieldIssue]:
    """Text longer than its database column: one issue naming the column and the limit."""
    global _LIMITS
    if _LIMITS is None:
        _LIMITS = _limits()
    issues = []
    for path, label, limit in _LIMITS:
        if path.startswith("unit."):
            values = [getattr(p.unit, path[5:], None)]
        elif path.startswith("edu."):
            values = [getattr(e, path[4:], None) for e in p.educations]
        else:
            values = [getattr(p, path, None)]
        for v in values:
            if isinstance(v, str) and len(v) > limit:
                issues.append(FieldIssue(label, f"{label}过长：{len(v)} 字，最多 {limit} 字"))
                break
    return issues
