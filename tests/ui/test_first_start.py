"""首次使用向导: offered on an empty officer's database only; checks before 下一步; saves on 完成 only."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.services.demo import DEMO_UNIT
from tests.ui import _support
from tests.ui._support import make_ctx, open_window

ANNUAL = "urumqi-chuding"  # no application window: the deadline is typed in
WINDOWED = "korla-2024"
demo_roster = _support.demo_roster  # fixture: the demo staff without sample scans


def _wizard(qtbot, db):  # type: ignore[no-untyped-def]
    from app.ui.dialogs.first_start import FirstStartWizard

    wizard = FirstStartWizard(make_ctx(db))
    qtbot.addWidget(wizard)
    wizard.show()
    return wizard


def _next(wizard) -> object:  # type: ignore[no-untyped-def]
    return wizard.button(QWizard.WizardButton.NextButton)


def _fill_unit(qtbot, wizard, uscc: str = DEMO_UNIT.uscc) -> None:  # type: ignore[no-untyped-def]
    form = wizard.unit_page.form
    form.name_edit.setText("天山示例科技有限公司")
    qtbot.keyClicks(form.uscc_edit, uscc)
    form.location.setText("乌鲁木齐市")


def _choose(wizard, profile_id: str) -> None:  # type: ignore[no-untyped-def]
    combo = wizard.round_page.profile_combo
    combo.setCurrentIndex(combo.findData(profile_id))


def test_wizard_opens_on_an_empty_database(qtbot, db):
    from app.ui.main_window import MainWindow

    window = MainWindow(make_ctx(db))
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.roster.loaded, timeout=20000):
        window.show()
    qtbot.waitUntil(lambda: window.first_start_wizard is not None and window.first_start_wizard.isVisible())
    assert window.first_start_wizard.windowTitle() == "首次使用向导"
    assert window.act_first_start.text() == "首次使用向导…"


def test_wizard_not_offered_with_persons_nor_on_the_demo_database(qtbot, demo_roster, tmp_path):
    from app.models.db import open_database
    from app.ui.dialogs.first_start import is_first_start

    window = open_window(qtbot, demo_roster, first_start=True)
    qtbot.wait(50)
    assert window.first_start_wizard is None
    empty = open_database(tmp_path / "empty-demo.sqlite3")
    try:
        ctx = make_ctx(empty)
        assert is_first_start(ctx)
        ctx.demo = True  # the demo database fills itself at start-up instead
        assert not is_first_start(ctx)
    finally:
        empty.dispose()


def test_invalid_uscc_blocks_next_with_a_hint(qtbot, db):
    wizard = _wizard(qtbot, db)
    good = DEMO_UNIT.uscc
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    _fill_unit(qtbot, wizard, bad)
    hint = wizard.unit_page.form.uscc_hint
    assert not _next(wizard).isEnabled()
    assert hint.isVisible() and hint.text()
    wizard.unit_page.form.uscc_edit.clear()
    qtbot.keyClicks(wizard.unit_page.form.uscc_edit, good)
    assert _next(wizard).isEnabled() and not hint.isVisible()


def test_finish_stores_the_unit_and_the_round_with_the_typed_deadline(qtbot, db):
    from app.services.roster import count_persons, primary_unit
    from app.services.rounds import get_round, judge_round, list_rounds

    wizard = _wizard(qtbot, db)
    _fill_unit(qtbot, wizard)
    qtbot.mouseClick(_next(wizard), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.round_page
    _choose(wizard, ANNUAL)
    page = wizard.round_page
    assert page.deadline_edit.isEnabled() and not _next(wizard).isEnabled()  # annual: deadline required
    assert "截止日期" in page.deadline_hint.text()
    qtbot.keyClicks(page.deadline_edit, "2026-02-30")
    assert not _next(wizard).isEnabled() and "不存在" in page.deadline_hint.text()
    page.deadline_edit.clear()
    qtbot.keyClicks(page.deadline_edit, "2026-06-30")
    assert _next(wizard).isEnabled() and not page.deadline_hint.text()
    assert primary_unit(db) is None  # nothing written before 完成
    qtbot.mouseClick(_next(wizard), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.roster_page
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert not wizard.isVisible() and wizard.saved
    unit = primary_unit(db)
    assert unit is not None and unit.name == "天山示例科技有限公司" and unit.uscc == DEMO_UNIT.uscc
    assert unit.location == "乌鲁木齐市"
    rounds = list_rounds(db)
    assert len(rounds) == 1 and rounds[0].current
    info = get_round(db)
    assert info.profile_id == ANNUAL and info.deadline == dt.date(2026, 6, 30) and info.as_of is None
    assert judge_round(db).as_of == dt.date(2026, 6, 30)
    assert count_persons(db) == 0


def test_a_notice_with_a_window_shows_it_and_needs_no_deadline(qtbot, db):
    from app.services.rounds import get_round

    wizard = _wizard(qtbot, db)
    _fill_unit(qtbot, wizard)
    wizard.next()
    _choose(wizard, WINDOWED)
    page = wizard.round_page
    assert "2024-09-30 至 2024-10-25" in page.window_label.text() and "已结束" in page.window_label.text()
    assert not page.deadline_edit.isEnabled() and _next(wizard).isEnabled()
    wizard.next()
    wizard.accept()
    info = get_round(db)
    assert info.profile_id == WINDOWED and info.deadline is None


def test_cancel_stores_nothing(qtbot, db):
    from app.services.roster import count_persons, primary_unit
    from app.services.rounds import list_rounds

    before = [r.to_json() for r in list_rounds(db)]
    wizard = _wizard(qtbot, db)
    _fill_unit(qtbot, wizard)
    wizard.next()
    _choose(wizard, ANNUAL)
    qtbot.keyClicks(wizard.round_page.deadline_edit, "2026-06-30")
    wizard.next()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CancelButton), Qt.MouseButton.LeftButton)
    assert not wizard.isVisible() and not wizard.saved
    assert primary_unit(db) is None and count_persons(db) == 0
    assert [r.to_json() for r in list_rounds(db)] == before


def test_import_button_saves_then_opens_the_import_dialog_and_menu_reruns_prefilled(qtbot, db):
    from app.services.roster import primary_unit
    from app.ui.dialogs.import_dialog import ImportDialog

    window = open_window(qtbot, db)
    wizard = window.open_first_start()
    _fill_unit(qtbot, wizard)
    wizard.next()
    _choose(wizard, WINDOWED)
    wizard.next()
    demo = []
    wizard.demo_requested.disconnect()
    wizard.demo_requested.connect(lambda: demo.append(True))
    qtbot.mouseClick(wizard.roster_page.demo_button, Qt.MouseButton.LeftButton)
    assert demo and wizard.isVisible() and primary_unit(db) is None  # the demo is not the officer's data
    qtbot.mouseClick(wizard.roster_page.import_button, Qt.MouseButton.LeftButton)
    assert not wizard.isVisible() and primary_unit(db) is not None
    assert isinstance(window.dialog, ImportDialog) and window.dialog.isVisible()
    from app.policy.profiles import load_profile

    name = load_profile(WINDOWED).name
    qtbot.waitUntil(lambda: name in window.status_profile.text(), timeout=10000)  # the window follows the round
    window.dialog.reject()
    window.act_first_start.trigger()
    again = window.first_start_wizard
    assert again is not wizard and again.unit_page.form.name_edit.text() == "天山示例科技有限公司"
    assert again.round_page.profile_combo.currentData() == WINDOWED
    again.reject()
