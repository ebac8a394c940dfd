"""Letters use cases: the officer's paragraphs, the publicity period, and generating the docx letters
for chosen persons (CLI ``chuding letters`` and the 信函 page use these)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.domain.person import PersonData
from app.errors import UsageError, ValidationError
from app.export.letters import (
    KIND_LABELS,
    KINDS,
    MIN_PUBLICITY_DAYS,
    UNIT_KINDS,
    LetterContext,
    LetterPerson,
    Publicity,
    Qualification,
    UnitInfo,
    cn_date,
    load_template,
    render_letters,
    write_letters,
)
from app.models import LetterInput, Person, UnitLetterSettings
from app.models.db import Database
from app.services.changes import Change
from app.services.roster import find_person

Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- stored inputs


@dataclass
class LetterInputs:
    person_id: int
    political: str = ""
    achievements: str = ""
    summary: str = ""
    publicity_start: dt.date | None = None


UNSET: Any = object()


def get_inputs(db: Database, person_id: int, *, round_name: str | None = None) -> LetterInputs:
    """The person's paragraphs and their publicity start in the round (None → the current round)."""
    from app.services.rounds import publicity_starts

    start = publicity_starts(db, [person_id], round_name)[person_id]
    with db.session() as s:
        row = s.get(LetterInput, person_id)
        if row is None:
            return LetterInputs(person_id, publicity_start=start)
        return LetterInputs(person_id, row.political, row.achievements, row.summary, start)


def save_inputs(db: Database, person_id: int, *, political: str | None = None, achievements: str | None = None,
                summary: str | None = None, publicity_start: dt.date | None = UNSET,
                round_name: str | None = None) -> LetterInputs:
    """Store the officer's paragraphs (and the publicity start in the round); arguments left out keep
    their stored value."""
    from app.services.rounds import publicity_starts, set_publicity_start

    with db.session() as s:
        if s.get(Person, person_id) is None:
            raise UsageError(f"人员不存在（编号 {person_id}）")
        row = s.get(LetterInput, person_id)
        if row is None:
            row = LetterInput(person_id=person_id, political="", achievements="", summary="")
            s.add(row)
        if political is not None:
            row.political = political.strip()
        if achievements is not None:
            row.achievements = achievements.strip()
        if summary is not None:
            row.summary = summary.strip()
        s.flush()
        out = LetterInputs(person_id, row.political, row.achievements, row.summary)
    if publicity_start is not UNSET:
        set_publicity_start(db, [person_id], publicity_start, name=round_name)
    out.publicity_start = publicity_starts(db, [person_id], round_name)[person_id]
    return out


def get_unit_settings(db: Database, unit_id: int | None) -> tuple[str, str]:
    """(office, phone) of a unit's letters."""
    if unit_id is None:
        return "", ""
    with db.session() as s:
        row = s.get(UnitLetterSettings, unit_id)
        return (row.office, row.phone) if row else ("", "")


def save_unit_settings(db: Database, unit_id: int, *, office: str, phone: str) -> None:
    from app.errors import ValidationError
    from app.roster.validate import text_field_issues

    for label, value in (("受理科室", office.strip()), ("联系电话", phone.strip())):
        if found := text_field_issues(label, value):
            raise ValidationError(f"{label}：{found[0].message}")
    with db.session() as s:
        row = s.get(UnitLetterSettings, unit_id)
        if row is None:
            row = UnitLetterSettings(unit_id=unit_id, office="", phone="")
            s.add(row)
        row.office, row.phone = office.strip(), phone.strip()


# --------------------------------------------------------------------------- publicity


def publicity_period(start: dt.date, *, days: int = MIN_PUBLICITY_DAYS, deadline: dt.date | None = None,
                     extra_holidays: Sequence[dt.date] = (), extra_workdays: Sequence[dt.date] = ()) -> Publicity:
    """The publicity period from ``start``: ``days`` (≥ 5) working days by the working-day calendar.
    Warns when the last day falls after ``deadline`` (the profile's application deadline)."""
    from app.policy.workdays import working_days_from

    if days < MIN_PUBLICITY_DAYS:
        raise ValidationError(f"公示期不得少于 {MIN_PUBLICITY_DAYS} 个工作日（各地初定通知对推荐单位公示的要求），当前为 {days}")
    r = working_days_from(start, days, extra_holidays=extra_holidays, extra_workdays=extra_workdays)
    warnings = []
    if r.estimated:
        warnings.append(f"公示期为推定：{'、'.join(f'{y}年' for y in r.estimated_years)}的国务院节假日安排尚未收录，"
                        "按放假办法推算，请在国务院办公厅公布安排后核对")
    warnings += r.warnings
    if r.start != start:
        warnings.append(f"{cn_date(start)}不是工作日，公示期第 1 个工作日为{cn_date(r.start)}")
    if deadline is not None and r.end > deadline:
        warnings.append(late_message(f"公示第 {days} 个工作日", r.end, deadline))
    return Publicity(start=r.days[0] if r.days else start, end=r.end, days=list(r.days), warnings=warnings,
                     estimated=r.estimated)


def late_message(what: str, d: dt.date, deadline: dt.date) -> str:
    return f"{what}{cn_date(d)}晚于申报截止日期{cn_date(deadline)}，请提前公示起始日期或核对落款日期"


def letter_dates(kind: str, pub: Publicity | None, issue: dt.date | None) -> list[tuple[str, dt.date]]:
    """The dates a letter of ``kind`` prints, labelled for messages."""
    label = KIND_LABELS[kind]
    out: list[tuple[str, dt.date]] = []
    if pub is not None and kind in ("gongshi", "gongshi-result", "tuijian"):
        out += [(f"《{label}》公示起始日期", pub.start), (f"《{label}》公示截止日期", pub.end)]
    if issue is not None and kind != "gongshi":
        out.append((f"《{label}》落款日期", issue))
    elif pub is not None and kind == "gongshi":
        out.append((f"《{label}》落款日期", pub.start))
    return out


def late_dates(kind: str, pub: Publicity | None, issue: dt.date | None, deadline: dt.date | None) -> list[str]:
    """A message for every date the letter prints that is later than the deadline."""
    if deadline is None:
        return []
    return [late_message(what, d, deadline) for what, d in letter_dates(kind, pub, issue) if d > deadline]


def default_issue_date(kind: str, pub: Publicity | None) -> dt.date | None:
    """公示结果 / 推荐报告 / 说明 are dated the working day after the publicity ends; the 公示 its start."""
    if pub is None or kind == "gongshi":
        return None
    return next_working_day(pub.end)


def publicity_deadline_notes(db: Database, persons: Sequence[PersonData], profile: Any,
                             as_of: dt.date | None = None, *, deadline: dt.date | None = None,
                             round_name: str | None = None) -> list[str]:
    """For the export pre-flight and the letter view: each person's publicity period in the round and
    the dates of the 公示结果 / 推荐报告 that would follow, when later than the deadline (the round's
    ``deadline`` when given, else the notice's) (named person)."""
    from app.policy.profiles import application_deadline

    deadline = deadline or application_deadline(profile, as_of)
    if deadline is None:
        return []
    notes: list[str] = []
    for p in persons:
        li = get_inputs(db, int(p.id), round_name=round_name)  # type: ignore[arg-type]
        if li.publicity_start is None:
            continue
        try:
            pub = publicity_period(li.publicity_start)
        except ValidationError:
            continue
        issue = default_issue_date("gongshi-result", pub)
        dates = [("公示截止日期", pub.end)] + ([("公示结果、推荐报告落款日期", issue)] if issue else [])
        for what, d in dates:
            if d > deadline:
                notes.append(f"{p.name}：{late_message(what, d, deadline)}")
    return notes


def next_working_day(after: dt.date) -> dt.date:
    from app.policy.workdays import working_days_from

    return working_days_from(after + dt.timedelta(days=1), 1).end


# --------------------------------------------------------------------------- verdicts


def qualification_from_verdict(v: Any, profile: Any) -> Qualification:
    years = None
    if getattr(v, "route_id", None):
        route = next((r for r in profile.routes if r.id == v.route_id), None)
        years = route.years if route else None
    return Qualification(route=v.route, level=v.level, title=v.title, years=years, status=v.status)


def verdicts_for(persons: Sequence[PersonData], judge: Any) -> list[Any]:
    """The round's verdicts (``judge``: app.services.rounds.RoundJudge)."""
    return [judge.judge(p) for p in persons]


def eligible_persons(db: Database, *, round_name: str | None = None) -> list[tuple[PersonData, Any]]:
    """The round's persons with their verdict, as the 文书 page lists them."""
    from app.services.rounds import judge_round, round_persons

    judge = judge_round(db, round_name)
    return [(p, judge.judge(p)) for p in round_persons(db, judge)]


# --------------------------------------------------------------------------- generating


@dataclass
class LettersReport:
    kind: str
    profile_id: str
    template: str
    paths: list[Path]
    missing: list[str]
    warnings: list[str]
    publicity: Publicity | None
    excluded: list[str] = field(default_factory=list)
    late: list[str] = field(default_factory=list)  # dates printed later than the deadline
    deadline: dt.date | None = None
    person_ids: list[int] = field(default_factory=list)  # the persons the letters were made for

    @property
    def change(self) -> Change:
        """The persons' letter state changed (the 文书 column, their checklist rows)."""
        from app.policy.profiles import DOCUMENT_SLOTS

        return Change.of(persons=self.person_ids, slots=[DOCUMENT_SLOTS.get(self.kind, self.kind)])

    @property
    def complete(self) -> bool:
        return not self.missing

    def to_json(self) -> dict[str, Any]:
        pub = self.publicity
        return {
            "kind": self.kind,
            "profile": self.profile_id,
            "template": self.template,
            "files": [str(p) for p in self.paths],
            "missing": self.missing,
            "warnings": self.warnings,
            "excluded": self.excluded,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "late": self.late,
            "publicity": None if pub is None else {
                "start": pub.start.isoformat(), "end": pub.end.isoformat(),
                "days": [d.isoformat() for d in pub.days], "count": pub.count,
                "estimated": pub.estimated, "basis": "推定" if pub.estimated else ""},
        }


def _resolve_persons(db: Database, keys: Sequence[str | int]) -> list[PersonData]:
    persons, seen = [], set()
    for key in keys:
        p = find_person(db, key)
        if p.id not in seen:
            seen.add(p.id)
            persons.append(p)
    return persons


def generate_letters(db: Database, person_keys: Sequence[str | int], kind: str, out_dir: str | Path, *,
                     profile_id: str | None = None, start: dt.date | None = None,
                     days: int = MIN_PUBLICITY_DAYS, as_of: dt.date | None = None,
                     issue_date: dt.date | None = None, progress: Progress | None = None,
                     round_name: str | None = None, record: bool = True) -> LettersReport:
    """Render the letters of ``kind`` for the persons and write them into ``out_dir``.

    Everything is rendered in memory first; files are written (atomically) only when every letter
    rendered, so a failure leaves no partial set. ``start`` is saved as the persons' publicity start;
    without it the stored start is used. Persons judged ineligible are left out of the 推荐报告.
    ``record``: remember the letter as generated for its persons in the round (the 文书 column);
    the export, which renders letters into the bundle only, passes False.
    """
    from app.policy.profiles import document_rule, is_teacher
    from app.services.rounds import judge_round

    if kind not in KINDS:
        raise UsageError(f"未知的信函类型“{kind}”，可选：{'、'.join(KINDS)}")
    if not person_keys:
        raise UsageError("请至少指定一名人员")
    judge = judge_round(db, round_name, as_of=as_of, profile_id=profile_id)
    profile = judge.profile
    rule = document_rule(profile, kind)
    if not rule.offered:
        raise ValidationError(f"“{profile.short_name}”的通知不要求《{KIND_LABELS[kind]}》，未生成（依据：{rule.source}）")
    tpl = load_template(profile.id)
    persons = _resolve_persons(db, person_keys)
    notes: list[str] = []
    if rule.need == "optional":
        notes.append(f"《{KIND_LABELS[kind]}》为非必需材料：“{profile.short_name}”的通知未要求，按需使用")
    if rule.teachers_only:
        others = [p.name for p in persons if not is_teacher(p)]
        persons = [p for p in persons if is_teacher(p)]
        if not persons:
            raise ValidationError(f"《{KIND_LABELS[kind]}》只列教师系列人员：所选人员均不是教师系列")
        if others:
            notes.append(f"以下人员不是教师系列，未列入《{KIND_LABELS[kind]}》：{'、'.join(others)}")
    deadline = judge.deadline  # the round's deadline (else the notice's, else its as-of date)
    verdicts = verdicts_for(persons, judge)
    warnings: list[str] = list(notes)
    if tpl.assumption:
        warnings.append(f"“{profile.short_name}”的通知未附信函模板，按其他通知模板类比生成（假设），请核对措辞")

    inputs = {}
    for p in persons:
        assert p.id is not None
        if start is not None:
            inputs[p.id] = save_inputs(db, p.id, publicity_start=start, round_name=round_name)
        else:
            inputs[p.id] = get_inputs(db, p.id, round_name=round_name)

    needs_publicity = kind in ("gongshi", "gongshi-result", "tuijian")
    periods: dict[dt.date, Publicity] = {}
    if needs_publicity:
        starts = sorted({li.publicity_start for li in inputs.values() if li.publicity_start})
        if len(starts) > 1 and kind in UNIT_KINDS:
            warnings.append("所选人员的公示起始日期不一致，推荐报告按最早的日期填写")
        for d in starts:
            periods[d] = publicity_period(d, days=days)
            warnings.extend(w for w in periods[d].warnings if w not in warnings)
        if start is not None and start in periods:  # the group's period, stored in the round
            from app.services.rounds import set_publicity_start

            set_publicity_start(db, [int(p.id) for p in persons if p.id is not None], start, periods[start].end,
                                name=judge.round.name)
        if any(li.publicity_start is None for li in inputs.values()):
            warnings.append("部分人员未设置公示起始日期：公示时间留空，请先选择“公示起始日期”")

    letter_persons: list[LetterPerson] = []
    excluded: list[str] = []
    for p, v in zip(persons, verdicts, strict=True):
        q = qualification_from_verdict(v, profile)
        if v.eligible is False:
            if kind == "tuijian":
                excluded.append(f"{p.name}（{v.status}）")
                continue
            warnings.append(f"{p.name}：资格判断为“{v.status}”，请核对后再使用本信函")
        elif v.eligible is None:
            warnings.append(f"{p.name}：资格判断为“{v.status}”（{'、'.join(v.missing) or '信息不全'}），请核对")
        li = inputs[p.id]  # type: ignore[index]
        letter_persons.append(LetterPerson(p, q, political=li.political, achievements=li.achievements))
    if excluded:
        warnings.append(f"以下人员资格判断为不符合，未列入推荐报告：{'、'.join(excluded)}")
    if not letter_persons:
        raise ValidationError("所选人员均不符合申报条件，未生成推荐报告")

    unit_data = persons[0].unit
    if len({p.unit.name for p in persons}) > 1 and kind in UNIT_KINDS:
        warnings.append("所选人员不属于同一单位；单位落款按第一人的单位填写")
    office, phone = get_unit_settings(db, unit_data.id)
    unit = UnitInfo(name=unit_data.name, office=office, phone=phone)
    spec = profile.material("work_summary")
    word_range = spec.word_range if spec is not None else None

    late: list[str] = []

    def context(pub: Publicity | None) -> LetterContext:
        issue = issue_date if issue_date is not None else default_issue_date(kind, pub)
        late.extend(m for m in late_dates(kind, pub, issue, deadline) if m not in late)
        return LetterContext(unit=unit, publicity=pub, issue_date=issue, word_range=word_range)

    if kind in UNIT_KINDS:
        first = min(periods) if periods else None
        publicity = periods[first] if first else None
        letters = render_letters(kind, tpl, letter_persons, context(publicity))
    else:
        # Per-person letters: each person's own publicity period (persons grouped by start date).
        letters = []
        by_start: dict[dt.date | None, list[LetterPerson]] = {}
        for lp in letter_persons:
            by_start.setdefault(inputs[lp.person.id].publicity_start if needs_publicity else None,  # type: ignore[index]
                                []).append(lp)
        for start_d, group in by_start.items():
            pub = periods.get(start_d) if start_d else None
            letters.extend(render_letters(kind, tpl, group, context(pub)))
        publicity = periods[min(periods)] if len(periods) == 1 else None
        seen: set[str] = set()
        for i, lt in enumerate(letters, 1):  # keep file names unique across groups
            if lt.filename in seen:
                lt.filename = lt.filename.replace(".docx", f"_{i}.docx")
            seen.add(lt.filename)
    total = len(letters)
    if progress:
        progress(0, total)
    paths = write_letters(letters, out_dir)
    if record:
        record_generated(db, [int(lp.person.id) for lp in letter_persons if lp.person.id is not None], kind,
                         round_name=judge.round.name)
    if progress:
        progress(total, total)
    missing: list[str] = []
    for letter in letters:
        missing.extend(m for m in letter.missing if m not in missing)
        warnings.extend(w for w in letter.warnings if w not in warnings)
    warnings.extend(m for m in late if m not in warnings)
    return LettersReport(kind, profile.id, tpl.id, paths, missing, warnings, publicity, excluded, late, deadline,
                         [int(lp.person.id) for lp in letter_persons if lp.person.id is not None])


def record_generated(db: Database, person_ids: Sequence[int], kind: str, *, round_name: str | None = None) -> None:
    """Remember that the letter ``kind`` (a DOCUMENT_KINDS value, "form" for the 呈报表 draft) was
    generated for the persons in the round (the per-person letter state; app.models.LetterRecord)."""
    from app.models import LetterRecord
    from app.services.rounds import get_round

    rid = get_round(db, round_name).id
    now = dt.datetime.now().replace(microsecond=0)
    with db.session() as s:
        for pid in dict.fromkeys(int(x) for x in person_ids):
            row = s.get(LetterRecord, (rid, pid, kind))
            if row is None:
                s.add(LetterRecord(round_id=rid, person_id=pid, kind=kind, generated_at=now))
            else:
                row.generated_at = now


def generated_letters(db: Database, round_id: int) -> dict[int, dict[str, dt.datetime]]:
    """person id → {kind: when generated} in the round."""
    from app.models import LetterRecord

    out: dict[int, dict[str, dt.datetime]] = {}
    with db.session() as s:
        for r in s.scalars(select(LetterRecord).where(LetterRecord.round_id == round_id)):
            out.setdefault(r.person_id, {})[r.kind] = r.generated_at
    return out


def kind_label(kind: str) -> str:
    return KIND_LABELS[kind]


def persons_with_inputs(db: Database, *, round_name: str | None = None) -> list[tuple[PersonData, LetterInputs]]:
    """Every person with their stored letter inputs and publicity start in the round (信函 page)."""
    from app.services.roster import list_persons
    from app.services.rounds import publicity_starts

    persons = list_persons(db)
    starts = publicity_starts(db, [int(p.id) for p in persons if p.id is not None], round_name)
    with db.session() as s:
        rows = {r.person_id: r for r in s.scalars(select(LetterInput))}
    out = []
    for p in persons:
        r = rows.get(p.id)  # type: ignore[arg-type]
        start = starts.get(p.id)  # type: ignore[arg-type]
        li = (LetterInputs(p.id, r.political, r.achievements, r.summary, start) if r  # type: ignore[arg-type]
              else LetterInputs(p.id, publicity_start=start))  # type: ignore[arg-type]
        out.append((p, li))
    return out
