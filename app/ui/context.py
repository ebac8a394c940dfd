"""What every UI page needs: the database, the settings, the current round and a way to say
"data changed" (``bus.changed`` carries the services' change records)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.models.db import Database
from app.settings import Settings, save_settings


class Bus(QObject):
    """App-wide notifications. Pages reload when the roster or settings change."""

    roster_changed = Signal()
    settings_changed = Signal()
    changed = Signal(object)  # app.services.changes.Change, once per finished operation
    documents_changed = Signal(int)  # person id
    status_message = Signal(str)


@dataclass
class UiContext:
    db: Database
    settings: Settings
    bus: Bus
    demo: bool = False  # the demo database (帮助 → 打开演示数据): shown with a banner
    _status: Any = field(default=None, repr=False, compare=False)

    @property
    def status(self) -> Any:
        """The current round's status, computed once per change for every page
        (app.ui.status_source.RoundStatusSource; created on first use, in the GUI thread)."""
        if self._status is None:
            from app.ui.status_source import RoundStatusSource

            self._status = RoundStatusSource(self)
        return self._status

    def save_settings(self) -> None:
        save_settings(self.settings)
        self.bus.settings_changed.emit()

    def current_round(self) -> Any:
        """The current 申报批次 (app.services.rounds.RoundInfo): the profile, dates and options every
        page judges with."""
        from app.services.rounds import get_round

        return get_round(self.db)

    def update_round(self, **fields: Any) -> list[str]:
        """Change the current round (profile_id, as_of, deadline, options) and tell every page."""
        from app.services.changes import Change
        from app.services.rounds import update_round

        _info, changed = update_round(self.db, **fields)
        if changed:
            self.bus.changed.emit(Change.of(round_fields=changed))
        return changed
