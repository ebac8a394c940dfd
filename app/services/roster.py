"""Roster use cases: list, find, save and delete persons and units (ORM ↔ domain mapping here)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified

from app.domain.person import ContinuingEducation, Discipline, Education, PersonData, UnitData
from app.errors import ConflictError, DuplicateError, NotFoundError, ValidationError
from app.models import (
    Assessment,
    ContinuingEducationRecord,
    DisciplineRecord,
    EducationRecord,
    Person,
    Unit,
)
from app.models.db import Database
from app.policy.identifiers import normalize_id
from app.roster.validate import FieldIssue, validate_person

_LOAD = (
    selectinload(Person.unit),
    selectinload(Person.educations),
    selectinload(Person.assessments),
    selectinload(Person.continuing_education),
    selectinload(Person.disciplines),
)


def unit_to_data(u: Unit | None) -> UnitData:
    if u is None:
        return UnitData()
    return UnitData(name=u.name, uscc=u.uscc, nature=u.nature, location=u.location, level=u.level,
                    below_class4=u.below_class4, id=u.id)


# PersonData attributes stored as plain columns of the persons table (besides id_number)
PERSON_ATTRS = ("name", "gender", "ethnicity", "political_status", "phone", "work_start", "series", "specialty",
                "position", "post_grade", "current_title", "status", "contract", "dispatched", "dispatch_start",
                "first_application", "notes", "count_start_override", "count_start_reason")


def person_to_data(p: Person) -> PersonData:
    return PersonData(
        id=p.id, name=p.name, gender=p.gender, ethnicity=p.ethnicity, id_number=p.id_number,
        political_status=p.political_status, phone=p.phone, work_start=p.work_start, series=p.series,
        specialty=p.specialty, position=p.position, post_grade=p.post_grade, current_title=p.current_title, status=p.status,
        contract=p.contract, dispatched=p.dispatched, dispatch_start=p.dispatch_start,
        first_application=p.first_application, notes=p.notes,
        count_start_override=p.count_start_override, count_start_reason=p.count_start_reason, version=p.version,
        educations=[Education(id=e.id, level=e.level, mode=e.mode, school=e.school, major=e.major,
                              graduation_date=e.graduation_date, degree=e.degree, degree_date=e.degree_date,
                              postdoc_end=e.postdoc_end) for e in p.educations],
        assessments={a.year: a.result for a in p.assessments},
        continuing_education={c.year: ContinuingEducation(c.year, c.public_hours, c.professional_hours, c.exempt)
                              for c in p.continuing_education},
        disciplines=[Discipline(d.kind, d.end_date) for d in p.disciplines],
        unit=unit_to_data(p.unit),
    )


def _apply(p: Person, d: PersonData) -> None:
    for attr in PERSON_ATTRS:
        setattr(p, attr, getattr(d, attr))
    p.name = p.name.strip()
    p.id_number = normalize_id(d.id_number)
    p.educations = [EducationRecord(level=e.level, mode=e.mode, school=e.school, major=e.major,
                                    graduation_date=e.graduation_date, degree=e.degree,
                                    degree_date=e.degree_date, postdoc_end=e.postdoc_end)
                    for e in d.educations]
    p.assessments = [Assessment(year=y, result=r) for y, r in sorted(d.assessments.items())]
    p.continuing_education = [
        ContinuingEducationRecord(year=y, public_hours=c.public_hours, professional_hours=c.professional_hours,
                                  exempt=c.exempt)
        for y, c in sorted(d.continuing_education.items())
    ]
    p.disciplines = [DisciplineRecord(kind=x.kind, end_date=x.end_date) for x in d.disciplines
                     if x.kind and x.kind != "无"]


_CHILD_LABELS = (("educations", "学历"), ("assessments", "考核结果"), ("continuing_education", "继续教育"),
                 ("disciplines", "处分"))


def _show(value: object) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return "、".join(f"{k}：{getattr(v, 'professional_hours', v)}" for k, v in sorted(value.items())) or "（空）"
    if isinstance(value, list):
        return "、".join(getattr(x, "school", "") or getattr(x, "kind", "") or str(x) for x in value) or "（空）"
    return str(value)


def person_conflict(theirs: PersonData, mine: PersonData) -> ConflictError:
    """The officer's save over a colleague's newer save: a Chinese message showing, per field that
    differs, the value being saved and the value the colleague stored."""
    from app.roster.columns import COLUMNS

    labels = {c.field: c.header for c in COLUMNS}
    diffs: dict[str, tuple[object, object]] = {}
    for attr in ("id_number", *PERSON_ATTRS):
        a, b = getattr(mine, attr), getattr(theirs, attr)
        if (a or None) != (b or None):
            diffs[labels.get(attr, attr)] = (a, b)
    for attr, label in _CHILD_LABELS:
        if getattr(mine, attr) != getattr(theirs, attr):
            diffs[label] = (getattr(mine, attr), getattr(theirs, attr))
    if mine.unit.name != theirs.unit.name:
        diffs["单位名称"] = (mine.unit.name, theirs.unit.name)
    lines = [f"· {label}：您要保存“{_show(a)}”，同事已保存“{_show(b)}”" for label, (a, b) in list(diffs.items())[:10]]
    if not lines:
        lines = ["· 同事保存的内容与您的相同，但请重新载入后再保存"]
    message = (f"保存失败：“{theirs.name}”的信息在您打开之后已被同事修改并保存。\n" + "\n".join(lines)
               + "\n请点击“重新载入”查看同事保存的内容，再决定是否修改。")
    return ConflictError(message, entity="person", entity_id=theirs.id,
                         mine={k: _show(v[0]) for k, v in diffs.items()},
                         theirs={k: _show(v[1]) for k, v in diffs.items()},
                         detail=f"person {theirs.id}: version {mine.version} saved over {theirs.version}")


def upsert_unit(s: Session, u: UnitData) -> Unit | None:
    """Find the unit by name (creating it if new) and update the fields that were given."""
    if not u.name.strip():
        return None
    unit = s.scalar(select(Unit).where(Unit.name == u.name.strip()))
    if unit is None:
        unit = Unit(name=u.name.strip(), uscc="", nature="", location="", level="", short_name="")
        s.add(unit)
    for attr in ("uscc", "nature", "location", "level"):
        value = getattr(u, attr)
        if value:
            setattr(unit, attr, value)
    if u.below_class4 is not None:
        unit.below_class4 = u.below_class4
    return unit


@dataclass
class SaveResult:
    person: PersonData
    created: bool
    warnings: list[FieldIssue]


def save_person_in(s: Session, d: PersonData, *, update_existing: bool = True,
                   today: dt.date | None = None) -> SaveResult:
    issues = validate_person(d, today=today)
    errors = [i for i in issues if i.is_error]
    if errors:
        raise ValidationError("；".join(f"{i.field}：{i.message}" for i in errors))
    id_number = normalize_id(d.id_number)
    existing = s.scalar(select(Person).where(Person.id_number == id_number))
    if d.id is not None:
        target = s.get(Person, d.id)
        if target is None:
            raise NotFoundError(f"人员不存在（编号 {d.id}）")
        if existing is not None and existing.id != d.id:
            raise DuplicateError(f"身份证号 {id_number} 已属于“{existing.name}”")
    elif existing is not None:
        if not update_existing:
            raise DuplicateError(f"身份证号 {id_number} 已存在（{existing.name}）；如需更新请使用“更新已有人员”")
        target = existing
    else:
        target = None
    created = target is None
    if target is not None and d.id is not None and d.version is not None and target.version != d.version:
        raise person_conflict(person_to_data(target), d)
    if target is None:
        target = Person(id_number=id_number)
        s.add(target)
    else:
        flag_modified(target, "name")  # every save bumps the row version, even one changing only children
        # Children are replaced wholesale; delete the old rows first so (person, year) stays unique.
        for coll in (target.educations, target.assessments, target.continuing_education, target.disciplines):
            coll.clear()
        s.flush()
    _apply(target, d)
    target.unit = upsert_unit(s, d.unit) if d.unit.name else target.unit
    s.flush()
    return SaveResult(person_to_data(target), created, [i for i in issues if not i.is_error])


def save_person(db: Database, d: PersonData, *, update_existing: bool = True) -> SaveResult:
    with db.session() as s:
        return save_person_in(s, d, update_existing=update_existing)


def list_persons(db: Database, text: str = "") -> list[PersonData]:
    with db.session() as s:
        q = select(Person).options(*_LOAD).order_by(Person.id)
        if text.strip():
            like = f"%{text.strip()}%"
            q = q.where(or_(Person.name.like(like), Person.id_number.like(like.upper())))
        return [person_to_data(p) for p in s.scalars(q)]


def count_persons(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count(Person.id))) or 0


def find_person(db: Database, key: str | int) -> PersonData:
    """By database id, 身份证号 or exact name (a name must be unique)."""
    with db.session() as s:
        key_s = str(key).strip()
        p: Person | None = None
        if key_s.isdigit() and len(key_s) < 10:
            p = s.get(Person, int(key_s), options=_LOAD)
        if p is None:
            p = s.scalar(select(Person).options(*_LOAD).where(Person.id_number == normalize_id(key_s)))
        if p is None:
            matches = list(s.scalars(select(Person).options(*_LOAD).where(Person.name == key_s)))
            if len(matches) > 1:
                raise NotFoundError(f"有 {len(matches)} 人名为“{key_s}”，请改用身份证号")
            p = matches[0] if matches else None
        if p is None:
            raise NotFoundError(f"找不到人员“{key_s}”（可用编号、身份证号或姓名）")
        return person_to_data(p)


def delete_person(db: Database, person_id: int) -> None:
    with db.session() as s:
        p = s.get(Person, person_id)
        if p is None:
            raise NotFoundError(f"人员不存在（编号 {person_id}）")
        s.delete(p)


def list_units(db: Database) -> list[UnitData]:
    with db.session() as s:
        return [unit_to_data(u) for u in s.scalars(select(Unit).order_by(Unit.id))]


def primary_unit(db: Database) -> UnitData | None:
    """The officer's own unit: the one with most persons (ties → first created)."""
    with db.session() as s:
        row = s.execute(
            select(Unit, func.count(Person.id).label("n")).outerjoin(Person).group_by(Unit.id)
            .order_by(func.count(Person.id).desc(), Unit.id).limit(1)
        ).first()
        return unit_to_data(row[0]) if row else None


def save_unit(db: Database, u: UnitData, *, short_name: str | None = None) -> UnitData:
    from app.policy.identifiers import check_uscc

    if not u.name.strip():
        raise ValidationError("单位名称不能为空")
    from app.roster.validate import text_field_issues

    for field, value in (("单位名称", u.name.strip()), ("统一社会信用代码", u.uscc), ("单位所在地", u.location),
                         ("单位性质", u.nature), ("单位层级", u.level)):
        if found := text_field_issues(field, value or ""):
            raise ValidationError(f"{field}：{found[0].message}")
    if u.uscc:
        r = check_uscc(u.uscc)
        if not r.valid:
            raise ValidationError("；".join(r.errors))
    with db.session() as s:
        if u.id is not None:
            unit = s.get(Unit, u.id)
            if unit is None:
                raise NotFoundError("单位不存在")
            clash = s.scalar(select(Unit).where(Unit.name == u.name.strip(), Unit.id != u.id))
            if clash is not None:
                raise DuplicateError(f"已有名为“{u.name}”的单位")
            unit.name = u.name.strip()
            unit.uscc, unit.nature, unit.location, unit.level = u.uscc, u.nature, u.location, u.level
            unit.below_class4 = u.below_class4
        else:
            unit = upsert_unit(s, u)
            assert unit is not None
        if short_name is not None:
            unit.short_name = short_name
        s.flush()
        return unit_to_data(unit)
