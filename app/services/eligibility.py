"""Eligibility use cases: resolve the as-of date, check the stored roster or a list of persons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from app.domain.person import PersonData
from app.models.db import Database
from app.policy.eligibility import EligibilityOptions, Verdict, evaluate
from app.policy.profiles import Profile, load_profile

Progress = Callable[[int, int], None]


def resolve_as_of(profile: Profile, as_of: dt.date | None, *, today: dt.date | None = None,
                  officer_date: dt.date | None = None) -> tuple[dt.date, list[str]]:
    """The as-of date to judge on: the given one, else the profile's default (its deadline), else
    the date the officer entered in the settings (``officer_date``), else today with a warning
    (DOMAIN §1.2)."""
    if as_of is not None:
        ws, we = profile.window_start, profile.window_end
        if ws is not None and we is not None and not ws <= as_of <= we:
            return as_of, [f"判断日期 {as_of.isoformat()} 不在“{profile.name}”的申报时间（{ws.isoformat()} 至 "
                           f"{we.isoformat()}）内"]
        return as_of, []
    if profile.default_as_of is not None:
        return profile.default_as_of, []
    if officer_date is not None:
        return officer_date, [f"“{profile.name}”未规定申报截止日期，按设置中的判断日期 {officer_date.isoformat()} 判断"]
    today = today or dt.date.today()
    return today, [f"“{profile.name}”未规定申报截止日期，暂按今天（{today.isoformat()}）判断；"
                   f"请输入当年通知的截止日期作为判断日期（{profile.window_note or profile.window_source}）"]


def officer_as_of() -> dt.date | None:
    """The as-of date the officer saved in the settings, if any (ignored when unreadable)."""
    from app.settings import load_settings

    value = load_settings().as_of
    try:
        return dt.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def options_from_settings() -> EligibilityOptions:
    """The officer's overrides stored in the settings file."""
    from app.settings import load_settings

    s = load_settings()
    exam = tuple(s.exam_only_series) if s.exam_only_series is not None else None
    mode = s.anniversary_mode if s.anniversary_mode in ("same_day", "day_after") else None
    return EligibilityOptions(anniversary=mode, exam_only_series=exam)


def check_persons(persons: Iterable[PersonData], profile_id: str, as_of: dt.date | None, *,
                  options: EligibilityOptions | None = None, progress: Progress | None = None
                  ) -> list[tuple[PersonData, Verdict]]:
    profile = load_profile(profile_id)
    day, _warnings = resolve_as_of(profile, as_of)
    people = list(persons)
    out = []
    for i, p in enumerate(people):
        out.append((p, evaluate(p, profile, day, options=options)))
        if progress is not None and (i % 200 == 0 or i + 1 == len(people)):
            progress(i + 1, len(people))
    return out


def check_roster(db: Database, profile_id: str, as_of: dt.date | None, *, options: EligibilityOptions | None = None,
                 progress: Progress | None = None) -> list[tuple[PersonData, Verdict]]:
    """Verdicts for every stored person (ordered as list_persons)."""
    from app.services.roster import list_persons

    if options is None:
        options = options_from_settings()
    return check_persons(list_persons(db), profile_id, as_of, options=options, progress=progress)


def verdict_counts(results: Iterable[tuple[PersonData, Verdict]]) -> dict[str, int]:
    from app.policy.eligibility import STATUSES

    counts = dict.fromkeys(STATUSES, 0)
    for _p, v in results:
        counts[v.status] += 1
    return counts
