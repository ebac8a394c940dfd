"""Eligibility use cases over the round's one judgement (app.services.rounds).

``check_roster`` judges the stored persons of a round (None → the current round) with the round's
options; ``check_persons`` judges plain records under a profile (no database, no round: the
profile's own settings unless ``options`` are given).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from app.domain.person import PersonData
from app.models.db import Database
from app.policy.eligibility import EligibilityOptions, Verdict, evaluate
from app.policy.profiles import Profile, load_profile

Progress = Callable[[int, int], None]


def resolve_as_of(profile: Profile, as_of: dt.date | None, *, today: dt.date | None = None,
                  deadline: dt.date | None = None) -> tuple[dt.date, list[str]]:
    """The as-of date to judge on: the given one, else the round's ``deadline``, else the profile's
    default (its deadline), else today with a warning (DOMAIN §1.2). One rule: rounds.resolve_dates."""
    from app.services.rounds import resolve_dates

    day, _deadline, notes = resolve_dates(profile, as_of, deadline, today=today)
    return day, notes


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


def check_roster(db: Database, profile_id: str | None = None, as_of: dt.date | None = None, *,
                 round_name: str | None = None, progress: Progress | None = None
                 ) -> list[tuple[PersonData, Verdict]]:
    """Verdicts for every person of the round (ordered as list_persons), judged by the round;
    ``profile_id``/``as_of`` override the round's for this call."""
    from app.services.rounds import judge_round, round_persons

    judge = judge_round(db, round_name, as_of=as_of, profile_id=profile_id)
    people = round_persons(db, judge)
    out = []
    for i, p in enumerate(people):
        out.append((p, judge.judge(p)))
        if progress is not None and (i % 200 == 0 or i + 1 == len(people)):
            progress(i + 1, len(people))
    return out


def verdict_counts(results: Iterable[tuple[PersonData, Verdict]]) -> dict[str, int]:
    from app.policy.eligibility import STATUSES

    counts = dict.fromkeys(STATUSES, 0)
    for _p, v in results:
        counts[v.status] += 1
    return counts
