"""What every UI page needs: the database, the settings and a way to say "data changed"."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from app.models.db import Database
from app.settings import Settings, save_settings


class Bus(QObject):
    """App-wide notifications. Pages reload when the roster or settings change."""

    roster_changed = Signal()
    settings_changed = Signal()
    documents_changed = Signal(int)  # person id
    status_message = Signal(str)


@dataclass
class UiContext:
    db: Database
    settings: Settings
    bus: Bus
    demo: bool = False  # the demo database (帮助 → 打开演示数据): shown with a banner

    def save_settings(self) -> None:
        save_settings(self.settings)
        self.bus.settings_changed.emit()
