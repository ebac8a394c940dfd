"""The one change signal: what a service call changed, so every page refreshes what it shows.

Services that change data return a :class:`Change` (or a result carrying one as ``.change``); the
UI's background-op helper (app.ui.workers.op) emits it once on the main window's bus and each page
decides whether it is concerned. No page keeps its own copy of the round's profile or date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Change:
    persons: frozenset[int] = field(default_factory=frozenset)  # person ids whose data changed
    slots: frozenset[str] = field(default_factory=frozenset)  # packet slots touched
    pages: frozenset[int] = field(default_factory=frozenset)  # page ids touched (mask state, boxes …)
    round_fields: frozenset[str] = field(default_factory=frozenset)  # profile, as_of, deadline, options, …
    roster: bool = False  # persons added or removed

    @classmethod
    def of(cls, *, persons: Iterable[int] = (), slots: Iterable[str] = (), pages: Iterable[int] = (),
           round_fields: Iterable[str] = (), roster: bool = False) -> Change:
        return cls(frozenset(persons), frozenset(slots), frozenset(pages), frozenset(round_fields), roster)

    def __bool__(self) -> bool:
        return bool(self.persons or self.slots or self.pages or self.round_fields or self.roster)

    def merge(self, other: Change) -> Change:
        return Change(self.persons | other.persons, self.slots | other.slots, self.pages | other.pages,
                      self.round_fields | other.round_fields, self.roster or other.roster)

    @property
    def judgement(self) -> bool:
        """Verdicts may change (the round's profile/dates/options, or a person's data)."""
        return bool(self.round_fields or self.roster or (self.persons and not self.slots and not self.pages))


def change_of(result: object) -> Change | None:
    """The change a service result reports: the result itself, or its ``change`` attribute."""
    if isinstance(result, Change):
        return result if result else None
    change = getattr(result, "change", None)
    return change if isinstance(change, Change) and change else None
