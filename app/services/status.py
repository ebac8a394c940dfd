"""The round at a glance (``chuding status``): per person the verdict, the packet's completeness,
the pages still to mask, exportability and what blocks it; and the round's unit documents.

Everything here is read from the same places as the other surfaces: the verdict from the round's
judge, completeness from the checklist (app.policy.requirements), exportability from the bundle
plan that takes the checklist's rows. So ``status``, ``check``, ``packet status`` and
``export --dry-run`` cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.export.bundle import BundlePlan, Issue, PersonInput, plan_bundle
from app.models.db import Database
from app.policy.eligibility import Verdict
from app.policy.requirements import PersonPacket, UnitDocState


@dataclass
class PersonStatus:
    person: Any
    verdict: Verdict
    packet: PersonPacket
    complete_for_export: bool  # the bundle plan has no blocker for this person besides eligibility
    blockers: list[Issue] = field(default_factory=list)

    @property
    def exportable(self) -> bool:
        return self.verdict.eligible is True and self.complete_for_export

    def to_json(self) -> dict[str, Any]:
        v = self.verdict
        return {
            "id_number": self.person.id_number, "name": self.person.name,
            "verdict": {"status": v.status, "route": v.route, "title": v.title,
                        "earliest_date": v.earliest_date.isoformat() if v.earliest_date else None},
            "packet": {"done": self.packet.done, "total": self.packet.total, "complete": self.packet.complete,
                       "missing": self.packet.missing},
            "masking": {"pages_pending": self.packet.pages_pending},
            "exportable": self.exportable,
            "blockers": [{"code": i.code, "message": i.message} for i in self.blockers],
        }


@dataclass
class RoundStatus:
    round_name: str
    profile_id: str
    as_of: dt.date
    persons: list[PersonStatus]
    unit: list[UnitDocState]
    notes: list[str]
    plan: BundlePlan
    # the round's deadline: its own, else the notice's (application_deadline), else the profile's
    # window end; None → no deadline known (annual profiles): verdicts are judged as of today
    deadline: dt.date | None = None
    round_as_of: dt.date | None = None  # the round's own 审核日期 (None → its deadline / the profile's)

    def expired(self, today: dt.date | None = None) -> bool:
        """The round's deadline is before ``today``: its notice is closed, the officer should enter
        the current notice or deadline."""
        return self.deadline is not None and self.deadline < (today or dt.date.today())

    @property
    def undated(self) -> bool:
        """No deadline known for the round (annual profile without the year's notice)."""
        return self.deadline is None

    @property
    def unit_complete(self) -> bool:
        return all(u.done for u in self.unit)

    def to_json(self) -> dict[str, Any]:
        return {"round": self.round_name, "profile": self.profile_id, "as_of": self.as_of.isoformat(),
                "notes": self.notes, "persons": [p.to_json() for p in self.persons],
                "unit": {"documents": [{"slot": u.slot, "status": u.status} for u in self.unit],
                         "complete": self.unit_complete}}


def round_status(db: Database, round_name: str | None = None, *, as_of: dt.date | None = None,
                 profile_id: str | None = None) -> RoundStatus:
    from app.services.export import _documents
    from app.services.rounds import judge_round, round_checklists, round_deadline, round_persons
    from app.settings import load_settings

    judge = judge_round(db, round_name, as_of=as_of, profile_id=profile_id)
    persons = round_persons(db, judge)
    verdicts = judge.judge_all(persons)
    checklists, unit = round_checklists(db, judge, persons, verdicts, members=persons)
    docs = _documents(db, [int(p.id) for p in persons if p.id is not None])
    inputs = [PersonInput(p, verdicts[int(p.id)], list(verdicts[int(p.id)].required_years), docs.get(int(p.id), []),
                          checklists[int(p.id)]) for p in persons if p.id is not None]
    plan = plan_bundle(judge.profile, judge.as_of, inputs, limits=load_settings().upload, unit=unit)
    blockers: dict[int, list[Issue]] = {}
    for i in plan.issues:
        if i.blocker and i.person_id is not None:
            blockers.setdefault(int(i.person_id), []).append(i)
    out = []
    for pp in plan.persons:
        pid = int(pp.person.id)
        out.append(PersonStatus(pp.person, verdicts[pid], checklists[pid], pp.complete, blockers.get(pid, [])))
    return RoundStatus(judge.round.name, judge.profile.id, judge.as_of, out, list(unit.values()),
                       list(judge.notes), plan, round_deadline(judge), judge.round.as_of)
