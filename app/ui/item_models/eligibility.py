"""The UI's thin adapter over app.services.eligibility and app.policy.profiles.

The policy modules are imported lazily (keeps start-up fast). If they are not installed in this
build, the roster still works: the eligibility column stays empty and the toolbar says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from app.domain.person import PersonData

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
    notes: list[str] = field(default_factory=list)  # warnings from resolve_as_of etc.
    available: bool = True


def list_profile_choices() -> list[ProfileChoice]:
    try:
        from app.policy.profiles import list_profiles
    except ImportError as exc:
        log.warning("policy profiles unavailable: %s", exc)
        return []
    return [ProfileChoice(p.id, p.name, p) for p in list_profiles()]


def resolve_as_of(profile: Any, as_of: dt.date | None) -> tuple[dt.date, list[str]]:
    try:
        from app.services.eligibility import resolve_as_of as _resolve
    except ImportError:
        return (as_of or dt.date.today()), []
    return _resolve(profile, as_of)


def check(persons: list[PersonData], profile_id: str, as_of: dt.date | None) -> EligibilityRun:
    """Verdicts for ``persons`` keyed by person id. Runs on a worker thread (no Qt here)."""
    try:
        from app.services.eligibility import check_persons
    except ImportError as exc:
        log.warning("eligibility service unavailable: %s", exc)
        return EligibilityRun(profile_id, as_of, available=False, notes=["资格审核模块不可用"])
    try:
        from app.services.eligibility import options_from_settings

        options = options_from_settings()
    except ImportError:  # pragma: no cover - older service without settings overrides
        options = None
    results = check_persons(persons, profile_id, as_of, options=options)
    verdicts: dict[int, Any] = {}
    for person, item in zip(persons, results, strict=True):
        verdict = item[1] if isinstance(item, tuple) else item
        if person.id is not None:
            verdicts[person.id] = verdict
    return EligibilityRun(profile_id, as_of, verdicts)


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
