"""The UI's thin adapter over the round's judgement (app.services.rounds, app.services.status).

The roster page shows, per person, exactly what ``chuding status`` says for the current round:
the verdict, the packet's completeness, the pages still to mask and whether the person can be
exported. Runs on a worker thread (no Qt here).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from app.domain.person import PersonData
from app.models.db import Database

log = logging.getLogger(__name__)

STATUSES = ("可申报", "待满年限", "不符合", "信息不全")

# Foreground/background per status: readable on white, distinct without relying on colour alone
# (the text says the status too).
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "可申报": ("#1b5e20", "#e3f4e4"),
    "待满年限": ("#0d47a1", "#e3eefb"),
    "不符合": ("#b71c1c", "#fbe6e6"),
    "信息不全": ("#8a5300", "#fff2d6"),
}


@dataclass
class ProfileChoice:
    id: str
    name: str
    profile: Any = None


@dataclass
class EligibilityRun:
    profile_id: str
    as_of: dt.date | None
    verdicts: dict[int, Any] = field(default_factory=dict)  # person id -> Verdict
    notes: list[str] = field(default_factory=list)  # the round's date notes
    available: bool = True
    status: dict[int, Any] = field(default_factory=dict)  # person id -> app.services.status.PersonStatus
    round_name: str = ""
    stored_as_of: dt.date | None = None  # the round's own date (None → its deadline / the profile's)


def list_profile_choices() -> list[ProfileChoice]:
    from app.policy.profiles import list_profiles

    return [ProfileChoice(p.id, p.name, p) for p in list_profiles()]


def check_round(db: Database) -> tuple[list[PersonData], EligibilityRun]:
    """The current round's persons with verdicts and packet status (the one judgement)."""
    from app.services.status import round_status

    return run_from_status(round_status(db))


def run_from_status(st: Any) -> tuple[list[PersonData], EligibilityRun]:
    """The roster's view of a round status (app.services.status.RoundStatus): no computing here."""
    persons = [ps.person for ps in st.persons]
    run = EligibilityRun(st.profile_id, st.as_of, {int(ps.person.id): ps.verdict for ps in st.persons},
                         list(st.notes), status={int(ps.person.id): ps for ps in st.persons},
                         round_name=st.round_name, stored_as_of=st.round_as_of)
    return persons, run


def packet_text(ps: Any) -> str:
    """Short text for the 材料 column, e.g. "12/12 · 可导出" or "4/12 · 待遮盖 10 页"."""
    if ps is None:
        return ""
    base = f"{ps.packet.done}/{ps.packet.total}"
    if ps.exportable:
        return f"{base} · 可导出"
    if ps.packet.pages_pending:
        return f"{base} · 待遮盖 {ps.packet.pages_pending} 页"
    if not ps.packet.complete:
        return f"{base} · 缺 {len(ps.packet.missing)} 项"
    return f"{base} · 材料齐全"


def verdict_text(verdict: Any) -> str:
    """Short text for the eligibility column, e.g. "可申报 · 初级 助理工程师"."""
    if verdict is None:
        return ""
    status = verdict.status
    if status == "可申报":
        extra = " ".join(x for x in (verdict.level, verdict.title) if x)
        return f"{status} · {extra}" if extra else status
    if status == "待满年限" and verdict.earliest_date:
        return f"{status}（{verdict.earliest_date.isoformat()} 起）"
    if status == "信息不全" and verdict.missing:
        return f"{status}（缺 {len(verdict.missing)} 项）"
    return str(status)
