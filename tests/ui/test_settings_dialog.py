"""设置: counting option and the Xinjiang regional holiday table editor."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.policy.workdays import load_regional_holidays, working_days_from
from tests.ui._support import open_window, type_text


def test_holiday_table_editor_adds_validates_and_saves(qtbot, db):
    window = open_window(qtbot, db)
    dialog = window.open_settings()
    table = dialog.holidays
    shipped = load_regional_holidays(include_disabled=True)
    assert table.row_count() == len(shipped) > 0
    assert [r["name"] for r in table.raw_rows()] == [h.name for h in shipped]
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    dialog.tabs.setCurrentIndex(1)

    qtbot.mouseClick(table.add_button, Qt.MouseButton.LeftButton)
    row = table.row_count() - 1
    table.cell(row, "year").setValue(2031)
    type_text(qtbot, table.cell(row, "name"), "测试节")
    qtbot.keyClicks(table.cell(row, "start"), "2031-05-06")
    qtbot.keyClicks(table.cell(row, "end"), "2031-05-05")  # before the start
    assert not save.isEnabled() and "早于" in dialog.holiday_hint.text()
    assert "来源" in dialog.holiday_hint.text()
    table.cell(row, "end").clear()
    qtbot.keyClicks(table.cell(row, "end"), "2031-05-07")
    type_text(qtbot, table.cell(row, "source"), "测试用通知（2031年）")
    assert save.isEnabled(), dialog.holiday_hint.text()

    dialog.anniversary.setCurrentIndex(dialog.anniversary.findData("day_after"))
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()

    added = [h for h in load_regional_holidays() if h.year == 2031 and h.name == "测试节"]
    assert len(added) == 1 and (added[0].start, added[0].end) == (dt.date(2031, 5, 6), dt.date(2031, 5, 7))
    assert added[0].source == "测试用通知（2031年）" and added[0].enabled
    # untouched shipped rows are still there, and the working-day count skips the new days
    assert {h.key for h in shipped if h.enabled} <= {h.key for h in load_regional_holidays()}
    result = working_days_from(dt.date(2031, 5, 5), 2)  # Mon 5 May 2031; 6–7 are now holidays
    assert dt.date(2031, 5, 6) not in result.days and dt.date(2031, 5, 7) not in result.days
    from app.services.rounds import get_round

    assert get_round(db).options.anniversary_mode == "day_after"  # the current round's option


def test_disabling_a_shipped_holiday_survives_reopen(qtbot, db):
    window = open_window(qtbot, db)
    dialog = window.open_settings()
    first = dialog.holidays.raw_rows()[0]
    dialog.holidays.cell(0, "enabled").setChecked(False)
    dialog.save()
    assert (first["year"], first["name"]) not in {h.key for h in load_regional_holidays()}
    again = window.open_settings()
    rows = again.holidays.raw_rows()
    assert rows[0]["name"] == first["name"] and rows[0]["enabled"] is False
