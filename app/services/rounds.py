"""The 申报批次 (application round) as the spine: its record, and the one judgement of a person.

Every surface that says whether a person may apply, whether the packet is complete or whether the
person can be exported asks a :class:`RoundJudge` (``judge_round(db, name)``): the round's profile,
its as-of date (the round's own date, else its deadline, else the profile's default, else today
with a warning), its deadline and the officer's options (anniversary mode, 以考代评 series). The
material requirements come from the one evaluator (app.policy.requirements) with the round's unit
documents, and exportability from the bundle plan that takes the checklist's rows
(:func:`assess_round`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.domain.person import PersonData
from app.errors import DuplicateError, NotFoundError, UsageError, ValidationError
from app.models.db import Database
from app.models.rounds import Round, RoundDocument, RoundPerson
from app.policy.eligibility import EligibilityOptions, Verdict, evaluate
from app.policy.profiles import ANNIVERSARY_MODES, Profile, load_profile
from app.policy.requirements import (
    UNIT_MISSING,
    UNIT_NOT_APPLICABLE,
    UNIT_PLACE,
    UNIT_PROVIDED,
    PersonPacket,
    UnitDocState,
    person_checklist,
    round_unit_slots,
)

FIRST_ROUND = "当前批次"
UNSET: Any = object()
UNIT_DECISIONS = {"auto": "按上传判断", "provided": "已提供", "not_applicable": "不适用"}


# ------------------------------------------------------------------------------------ the record
@dataclass(frozen=True)
class RoundOptions:
    """The officer's overrides of the profile for this round."""

    anniversary_mode: str | None = None  # same_day | day_after; None → the profile's
    exam_only_series: tuple[str, ...] | None = None  # None → the profile's list

    @classmethod
    def from_json(cls, text: str | None) -> RoundOptions:
        try:
            data = json.loads(text or "{}")
        except ValueError:
            data = {}
        if not isinstance(data, dict):
            data = {}
        mode = data.get("anniversary_mode")
        exam = data.get("exam_only_series")
        return cls(mode if mode in ANNIVERSARY_MODES else None,
                   tuple(str(x) for x in exam) if isinstance(exam, list) else None)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.anniversary_mode:
            out["anniversary_mode"] = self.anniversary_mode
        if self.exam_only_series is not None:
            out["exam_only_series"] = list(self.exam_only_series)
        return out


@dataclass
class RoundInfo:
    id: int
    name: str
    profile_id: str
    as_of: dt.date | None
    deadline: dt.date | None
    options: RoundOptions
    current: bool
    unit_id: int | None = None
    excluded: list[int] = field(default_factory=list)  # person ids not taking part
    unit_decisions: dict[str, tuple[str, str]] = field(default_factory=dict)  # slot → (decision, note)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "profile": self.profile_id,
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "deadline": self.deadline.isoformat() if self.deadline else None,
                "options": self.options.to_dict(), "current": self.current}


def _info(r: Round) -> RoundInfo:
    return RoundInfo(r.id, r.name, r.profile_id, r.as_of, r.deadline, RoundOptions.from_json(r.options_json),
                     bool(r.is_current), r.unit_id, sorted(p.person_id for p in r.persons if not p.included),
                     {d.slot: (d.status, d.note) for d in r.documents})


def _check_profile(profile_id: str) -> Profile:
    try:
        return load_profile(profile_id)
    except ValidationError as exc:
        raise UsageError(exc.message) from None


def _first_round_values() -> tuple[str, dt.date | None, RoundOptions]:
    """Profile, as-of date and options for a database without any round (from the settings)."""
    from app.settings import load_settings

    s = load_settings()
    try:
        as_of = dt.date.fromisoformat(s.as_of) if s.as_of else None
    except (TypeError, ValueError):
        as_of = None
    exam = tuple(s.exam_only_series) if isinstance(s.exam_only_series, list) else None
    mode = s.anniversary_mode if s.anniversary_mode in ANNIVERSARY_MODES else None
    return s.profile_id or "urumqi-private-2025", as_of, RoundOptions(mode, exam)


def _current_row(s: Any) -> Round:
    r = s.scalars(select(Round).where(Round.is_current.is_(True)).order_by(Round.id)).first()
    if r is None:
        r = s.scalars(select(Round).order_by(Round.id)).first()
        if r is None:
            profile_id, as_of, options = _first_round_values()
            r = Round(name=FIRST_ROUND, profile_id=profile_id, as_of=as_of, deadline=None,
                      options_json=json.dumps(options.to_dict(), ensure_ascii=False), is_current=True)
            s.add(r)
        r.is_current = True
        s.flush()
    return r


def _row(s: Any, name: str | None) -> Round:
    if name is None or not name.strip():
        return _current_row(s)
    r = s.scalars(select(Round).where(Round.name == name.strip())).first()
    if r is None:
        names = "、".join(s.scalars(select(Round.name).order_by(Round.id))) or "（无）"
        raise NotFoundError(f"没有名为“{name}”的申报批次。已有：{names}")
    return r


def get_round(db: Database, name: str | None = None) -> RoundInfo:
    """The round called ``name``; None → the current round (created from the settings if none exists)."""
    with db.session() as s:
        return _info(_row(s, name))


def list_rounds(db: Database) -> list[RoundInfo]:
    with db.session() as s:
        _current_row(s)
        return [_info(r) for r in s.scalars(select(Round).order_by(Round.id))]


def create_round(db: Database, name: str, profile_id: str, *, as_of: dt.date | None = None,
                 deadline: dt.date | None = None, options: RoundOptions | None = None,
                 make_current: bool = False) -> RoundInfo:
    name = (name or "").strip()
    if not name:
        raise UsageError("请填写申报批次的名称")
    if len(name) > 100:
        raise UsageError("申报批次名称不能超过 100 个字符")
    profile = _check_profile(profile_id)
    from app.services.roster import primary_unit

    unit = primary_unit(db)
    with db.session() as s:
        had_current = s.scalars(select(Round).where(Round.is_current.is_(True))).first() is not None
        if s.scalars(select(Round).where(Round.name == name)).first() is not None:
            raise DuplicateError(f"已有名为“{name}”的申报批次")
        if make_current:
            for other in s.scalars(select(Round)):
                other.is_current = False
        r = Round(name=name, unit_id=unit.id if unit else None, profile_id=profile.id, as_of=as_of,
                  deadline=deadline, options_json=json.dumps((options or RoundOptions()).to_dict(), ensure_ascii=False),
                  is_current=make_current or not had_current)
        s.add(r)
        s.flush()
        return _info(r)


def use_round(db: Database, name: str) -> RoundInfo:
    """Make ``name`` the current round."""
    with db.session() as s:
        target = _row(s, name)
        for r in s.scalars(select(Round)):
            r.is_current = r.id == target.id
        s.flush()
        return _info(target)


def update_round(db: Database, name: str | None = None, *, profile_id: str = UNSET, as_of: dt.date | None = UNSET,
                 deadline: dt.date | None = UNSET, options: RoundOptions = UNSET) -> tuple[RoundInfo, list[str]]:
    """Change fields of a round (None → the current one); returns it and the names of the fields changed."""
    if profile_id is not UNSET:
        profile_id = _check_profile(profile_id).id
    changed: list[str] = []
    with db.session() as s:
        r = _row(s, name)
        if profile_id is not UNSET and profile_id != r.profile_id:
            r.profile_id = profile_id
            changed.append("profile")
        if as_of is not UNSET and as_of != r.as_of:
            r.as_of = as_of
            changed.append("as_of")
        if deadline is not UNSET and deadline != r.deadline:
            r.deadline = deadline
            changed.append("deadline")
        if options is not UNSET:
            text = json.dumps(options.to_dict(), ensure_ascii=False)
            if RoundOptions.from_json(text) != RoundOptions.from_json(r.options_json):
                r.options_json = text
                changed.append("options")
        s.flush()
        return _info(r), changed


def _members(r: Round, person_ids: Iterable[int]) -> Iterator[RoundPerson]:
    """The round's row of each person, created (taking part) where the person has none yet."""
    rows = {p.person_id: p for p in r.persons}
    for pid in person_ids:
        row = rows.get(pid)
        if row is None:
            row = RoundPerson(person_id=pid, included=True)
            r.persons.append(row)
            rows[pid] = row
        yield row


def set_participation(db: Database, person_ids: Iterable[int], included: bool, name: str | None = None) -> None:
    with db.session() as s:
        for row in _members(_row(s, name), person_ids):
            row.included = included


def set_unit_document(db: Database, slot: str, decision: str, *, note: str = "", name: str | None = None) -> RoundInfo:
    """The officer's decision on a unit document of the round: auto / provided / not_applicable."""
    if decision not in UNIT_DECISIONS:
        raise UsageError(f"未知的状态“{decision}”，可选：{'、'.join(UNIT_DECISIONS)}")
    with db.session() as s:
        r = _row(s, name)
        slots = {m.slot for m in round_unit_slots(_check_profile(r.profile_id))}
        if slot not in slots:
            raise UsageError(f"本批次的政策没有单位材料“{slot}”。可用：{'、'.join(sorted(slots)) or '（无）'}")
        row = next((d for d in r.documents if d.slot == slot), None)
        if row is None:
            row = RoundDocument(slot=slot, status=decision, note=note[:200])
            r.documents.append(row)
        row.status, row.note = decision, note.strip()[:200]
        s.flush()
        return _info(r)


# ------------------------------------------------------------------------------------ publicity
def publicity_periods(db: Database, person_ids: Sequence[int],
                      name: str | None = None) -> dict[int, tuple[dt.date | None, dt.date | None]]:
    """Each person's 公示 (start, end) in the round; None where not set (the end is set when the 公示
    letter is generated)."""
    with db.session() as s:
        r = _row(s, name)
        rows = {p.person_id: (p.publicity_start, p.publicity_end) for p in r.persons}
        return {pid: rows.get(pid, (None, None)) for pid in person_ids}


def publicity_starts(db: Database, person_ids: Sequence[int], name: str | None = None) -> dict[int, dt.date | None]:
    """Each person's publicity start in the round (None when not set)."""
    return {pid: start for pid, (start, _end) in publicity_periods(db, person_ids, name).items()}


def publicity_ends(db: Database, person_ids: Sequence[int], name: str | None = None) -> dict[int, dt.date | None]:
    """Each person's publicity end in the round."""
    return {pid: end for pid, (_start, end) in publicity_periods(db, person_ids, name).items()}


def set_publicity_start(db: Database, person_ids: Sequence[int], start: dt.date | None,
                        end: dt.date | None = None, name: str | None = None) -> None:
    with db.session() as s:
        for row in _members(_row(s, name), person_ids):
            row.publicity_start, row.publicity_end = start, end
        s.flush()


# ------------------------------------------------------------------------------------ judgement
def resolve_dates(profile: Profile, as_of: dt.date | None, deadline: dt.date | None, *,
                  today: dt.date | None = None) -> tuple[dt.date, dt.date | None, list[str]]:
    """(as-of date, deadline, notes): the as-of date is the given one, else the round's deadline,
    else the profile's default (its deadline), else today with a warning (DOMAIN §1.2)."""
    from app.policy.profiles import application_deadline

    # the round's own deadline, else the notice's, else the round's as-of date (the one reader:
    # application_deadline)
    stored_deadline, deadline = deadline, deadline or application_deadline(profile, as_of)
    notes: list[str] = []
    if as_of is not None:
        ws, we = profile.window_start, profile.window_end
        if ws is not None and we is not None and not ws <= as_of <= we:
            notes.append(f"判断日期 {as_of.isoformat()} 不在“{profile.name}”的申报时间（{ws.isoformat()} 至 "
                         f"{we.isoformat()}）内")
        return as_of, deadline, notes
    if stored_deadline is not None:
        return stored_deadline, deadline, notes
    if profile.default_as_of is not None:
        return profile.default_as_of, deadline, notes
    today = today or dt.date.today()
    notes.append(f"“{profile.name}”未规定申报截止日期，暂按今天（{today.isoformat()}）判断；"
                 f"请在申报批次中填写当年通知的截止日期（{profile.window_note or profile.window_source}）")
    return today, deadline, notes


@dataclass
class RoundJudge:
    """A round resolved for judging: profile, dates and options. ``judge(person)`` is THE verdict."""

    round: RoundInfo
    profile: Profile
    as_of: dt.date
    deadline: dt.date | None
    options: EligibilityOptions
    notes: list[str] = field(default_factory=list)

    def judge(self, person: PersonData) -> Verdict:
        return evaluate(person, self.profile, self.as_of, options=self.options)

    def judge_all(self, persons: Iterable[PersonData]) -> dict[int, Verdict]:
        return {int(p.id): self.judge(p) for p in persons if p.id is not None}

    def includes(self, person: PersonData) -> bool:
        return person.id not in self.round.excluded


def judge_round(db: Database | None = None, name: str | None = None, *, as_of: dt.date | None = None,
                round_info: RoundInfo | None = None, profile_id: str | None = None) -> RoundJudge:
    """The judge of round ``name`` (None → current). ``as_of`` overrides the round's date for this
    call (e.g. ``check --as-of``); ``profile_id`` the round's profile (e.g. ``check --profile``)."""
    if round_info is None:
        assert db is not None
        round_info = get_round(db, name)
    profile = _check_profile(profile_id or round_info.profile_id)
    day, deadline, notes = resolve_dates(profile, as_of or round_info.as_of, round_info.deadline)
    o = round_info.options
    options = EligibilityOptions(anniversary=o.anniversary_mode, exam_only_series=o.exam_only_series)
    return RoundJudge(round_info, profile, day, deadline, options, notes)


def round_deadline(judge: RoundJudge) -> dt.date | None:
    """The deadline after which the round is closed: its own, else the notice's, else the profile's
    window end; None for an annual profile without the year's notice (judged as of today)."""
    return judge.deadline or judge.profile.window_end


def round_persons(db: Database, judge: RoundJudge) -> list[PersonData]:
    """The persons taking part in the round (every stored person unless excluded)."""
    from app.services.roster import list_persons

    return [p for p in list_persons(db) if judge.includes(p)]


# ------------------------------------------------------------------------------------ requirements
def unit_documents(judge: RoundJudge, documents: Iterable[Any], round_documents: Iterable[Any] = (),
                   generated_kinds: Iterable[str] = ()) -> dict[str, UnitDocState]:
    """The round's unit documents with their state and where each comes from (UNIT_SOURCES).
    ``round_documents``: the round's own scans (单位材料, app.services.unit_documents);
    ``documents``: the active documents of the round's persons (a scan of the slot filed in anyone's
    packet — how older databases hold them — provides it too)."""
    by_slot: dict[str, list[int]] = {}
    for d in documents:
        by_slot.setdefault(d.slot, []).append(int(d.id))
    own: dict[str, list[int]] = {}
    for d in round_documents:
        own.setdefault(d.slot, []).append(int(d.id))
    from dataclasses import replace

    from app.policy.profiles import DOCUMENT_SLOTS

    made_slots = {DOCUMENT_SLOTS[k] for k in generated_kinds if k in DOCUMENT_SLOTS}
    out: dict[str, UnitDocState] = {}
    for spec in round_unit_slots(judge.profile):
        decision, note = judge.round.unit_decisions.get(spec.slot, ("auto", ""))
        mine, theirs = tuple(own.get(spec.slot, ())), tuple(by_slot.get(spec.slot, ()))
        ids = mine + theirs
        if decision == "not_applicable":
            state = UnitDocState(spec.slot, spec.name, UNIT_NOT_APPLICABLE, note or "本批次不需要", (),
                                 "not_needed")
        elif mine:
            state = UnitDocState(spec.slot, spec.name, UNIT_PROVIDED, f"单位材料中已上传 {len(mine)} 份盖章扫描件",
                                 ids, "unit", mine)
        elif decision == "provided":
            state = UnitDocState(spec.slot, spec.name, UNIT_PROVIDED, note or "已标记为已提供", ids, "marked")
        elif theirs:
            state = UnitDocState(spec.slot, spec.name, UNIT_PROVIDED, f"人员材料中已上传 {len(theirs)} 份扫描件",
                                 ids, "packet")
        else:
            state = UnitDocState(spec.slot, spec.name, UNIT_MISSING,
                                 f"尚未上传，也未标记为已提供（请在{UNIT_PLACE}中处理）")
        out[spec.slot] = replace(state, generated=spec.slot in made_slots)
    return out


def checklist(judge: RoundJudge, person: PersonData, documents: Sequence[Any], verdict: Verdict,
              unit: dict[str, UnitDocState], generated: dict[str, Any] | None = None) -> PersonPacket:
    """One person's checklist in the round (the one requirement evaluator), with the person's
    letter state (``generated``: kind → when, app.services.letters.generated_letters)."""
    return person_checklist(person, documents, judge.profile, judge.as_of, verdict=verdict, unit=unit,
                            generated=generated if generated is not None else {})


def round_checklists(db: Database, judge: RoundJudge, persons: Sequence[PersonData],
                     verdicts: dict[int, Verdict] | None = None, *, members: Sequence[PersonData] | None = None
                     ) -> tuple[dict[int, PersonPacket], dict[str, UnitDocState]]:
    """The checklists of ``persons`` in the round and the round's unit documents: what the 材料 page,
    ``packet status``, the export plan and ``status`` all read. ``members``: the round's persons
    when the caller has them (else read again)."""
    from app.services.letters import generated_letters
    from app.services.packet import list_documents
    from app.services.unit_documents import list_unit_documents

    docs = list_documents(db)
    member_ids = {p.id for p in (members if members is not None else round_persons(db, judge))}
    generated = generated_letters(db, judge.round.id)
    made = {k for pid, kinds in generated.items() if pid in member_ids for k in kinds}
    unit = unit_documents(judge, [d for d in docs if d.person_id in member_ids],
                          list_unit_documents(db, round_id=judge.round.id), made)
    by_person: dict[int, list[Any]] = {}
    for d in docs:
        if d.person_id is not None:
            by_person.setdefault(d.person_id, []).append(d)
    verdicts = verdicts if verdicts is not None else {}
    out: dict[int, PersonPacket] = {}
    for p in persons:
        assert p.id is not None
        v = verdicts.get(p.id) or judge.judge(p)
        out[p.id] = checklist(judge, p, by_person.get(p.id, []), v, unit, generated.get(p.id, {}))
    return out, unit
