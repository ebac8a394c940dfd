"""Helpers shared by the main-window tests (not a conftest: other engineers own other tests/ui files)."""

from __future__ import annotations

from typing import Any

from app.settings import Settings
from app.ui.context import Bus, UiContext


def make_ctx(db: Any, **settings: Any) -> UiContext:
    """A UI context; ``profile_id``/``as_of`` go to the current round (what every page judges with)."""
    import datetime as dt

    from app.services.rounds import update_round

    fields: dict[str, Any] = {}
    if "profile_id" in settings:
        fields["profile_id"] = settings["profile_id"]
    if settings.get("as_of"):
        fields["as_of"] = dt.date.fromisoformat(settings["as_of"])
    if fields:
        update_round(db, **fields)
    return UiContext(db=db, settings=Settings(**settings), bus=Bus())


def open_window(qtbot: Any, db: Any, *, first_start: bool = False, **settings: Any) -> Any:
    """The real main window, shown, with its first roster load (and check) finished (without the
    首次使用向导 on an empty database unless ``first_start``)."""
    from app.ui.main_window import MainWindow

    window = MainWindow(make_ctx(db, **settings), first_start=first_start)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.roster.loaded, timeout=20000):
        window.show()
    return window


def type_text(qtbot: Any, widget: Any, text: str) -> None:
    """Type like an officer: ASCII as key clicks, Chinese as an input-method commit (what an IME sends;
    QTest cannot click non-ASCII keys)."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    run = ""
    for ch in text + "\0":
        if ch != "\0" and ch.isascii():
            run += ch
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if ch != "\0":
            event = QInputMethodEvent("", [])
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)


def seed_demo_roster(db: Any) -> list[Any]:
    """The demo staff (app.services.demo.demo_people) stored through the roster service, without the
    demo hooks (sample scans take seconds and these tests only need the roster)."""
    from app.services.demo import demo_people
    from app.services.roster import list_persons, save_person_in

    with db.session() as s:
        for p in demo_people():
            save_person_in(s, p)
    return list_persons(db)


try:  # a fixture, imported by the test modules that use it
    import pytest

    @pytest.fixture
    def demo_roster(db: Any) -> Any:
        seed_demo_roster(db)
        return db
except ImportError:  # pragma: no cover
    pass
