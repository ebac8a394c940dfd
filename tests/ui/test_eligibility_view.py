"""Eligibility in the roster: column (colour + text), filters, detail panel, profile/as-of selector."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.services.eligibility import check_roster
from app.services.roster import find_person
from app.ui.dialogs.person_editor import PersonEditor
from app.ui.dialogs.unit_dialog import UnitDialog
from app.ui.item_models.eligibility import STATUS_COLOURS
from app.ui.item_models.roster_model import ELIGIBILITY_COLUMN
from tests.ui import _support
from tests.ui._support import open_window

demo_roster = _support.demo_roster  # fixture: the demo staff without sample scans

PROFILE = "urumqi-private-2025"


def _expected(db, profile=PROFILE, as_of=None):
    return {p.id: v for p, v in check_roster(db, profile, as_of)}


def _shown(window):
    """person id -> (text, background colour) of the eligibility column as displayed."""
    out = {}
    proxy = window.roster.proxy
    for r in range(proxy.rowCount()):
        idx = proxy.index(r, ELIGIBILITY_COLUMN)
        p = window.roster.visible_persons()[r]
        bg = idx.data(Qt.ItemDataRole.BackgroundRole)
        out[p.id] = (idx.data(), bg.color().name() if bg is not None else None)
    return out


def test_eligibility_column_and_filters_on_demo_roster(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster, profile_id=PROFILE)
    expected = _expected(demo_roster)
    assert window.roster.as_of == dt.date(2025, 3, 17)  # the profile's deadline
    shown = _shown(window)
    assert set(shown) == set(expected)
    statuses = {v.status for v in expected.values()}
    assert {"可申报", "不符合"} <= statuses and len(statuses) >= 3
    for pid, v in expected.items():
        text, bg = shown[pid]
        assert text.startswith(v.status)
        assert bg == STATUS_COLOURS[v.status][1]
        if v.status == "待满年限" and v.earliest_date:
            assert v.earliest_date.isoformat() in text

    for status in ("可申报", "待满年限", "不符合", "信息不全"):
        button = window.roster.filter_buttons[status]
        want = sorted(pid for pid, v in expected.items() if v.status == status)
        assert button.text() == f"{status} {len(want)}"
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert sorted(p.id for p in window.roster.visible_persons()) == want
    qtbot.mouseClick(window.roster.filter_buttons["全部"], Qt.MouseButton.LeftButton)
    assert len(window.roster.visible_persons()) == len(expected)

    # text filter and status filter combine
    window.roster.set_status_filter("可申报")
    first = window.roster.visible_persons()[0]
    window.roster.search.setText(first.id_number)
    assert [p.id for p in window.roster.visible_persons()] == [first.id]
    window.roster.search.setText(next(p.id_number for p in find_all(demo_roster) if expected[p.id].status == "不符合"))
    assert window.roster.visible_persons() == []


def find_all(db):
    from app.services.roster import list_persons

    return list_persons(db)


def test_detail_panel_shows_reasons_citations_assumptions_and_earliest_date(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster, profile_id=PROFILE)
    expected = _expected(demo_roster)
    waiting = next(pid for pid, v in expected.items() if v.status == "待满年限" and v.earliest_date)
    v = expected[waiting]
    window.roster.select_person(waiting)
    panel = window.roster.detail
    assert "待满年限" in panel.header.text()
    assert v.earliest_date.isoformat() in panel.earliest.text()
    for reason in v.reasons:
        assert reason.message.replace("“", "&ldquo;")[:8] in panel.reasons.text() or \
            reason.message[:8] in panel.reasons.text()
        if reason.source:
            assert reason.source[:6] in panel.reasons.text()
    assumption_shown = any(r.assumption for pv in expected.values() for r in pv.reasons)
    assert assumption_shown
    with_assumption = next(pid for pid, pv in expected.items() if any(r.assumption for r in pv.reasons))
    window.roster.select_person(with_assumption)
    assert "假设" in panel.reasons.text()
    # 待满年限: ⏳ on the unmet years (never ✗), and a 建议 with the date
    window.roster.select_person(waiting)
    assert "⏳" in panel.reasons.text() and "✗" not in panel.reasons.text()
    assert panel.advice.isVisibleTo(panel) and f"{v.earliest_date.year}年{v.earliest_date.month}月" in panel.advice.text()
    refused = next(pid for pid, pv in expected.items() if pv.status == "不符合")
    window.roster.select_person(refused)
    assert "不符合" in panel.header.text() and not panel.missing.isVisibleTo(panel)
    # the failing reason carries ✗, a met one ✓ — they no longer look alike — and no title is offered
    rv = expected[refused]
    assert "✗" in panel.reasons.text()
    assert panel.reasons.text().count("✗") == sum(r.severity == "bar" for r in rv.reasons)
    assert not (rv.title and rv.title in panel.header.text())
    assert "建议" in panel.advice.text()
    eligible = next(pid for pid, pv in expected.items() if pv.status == "可申报")
    window.roster.select_person(eligible)
    assert "✗" not in panel.reasons.text() and not panel.advice.isVisibleTo(panel)


def test_clicking_missing_item_opens_editor_on_that_field_and_fixing_it_rechecks(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster, profile_id=PROFILE)
    expected = _expected(demo_roster)
    pid, verdict = next((pid, v) for pid, v in expected.items()
                        if v.status == "信息不全" and any("考核" in m for m in v.missing))
    window.roster.select_person(pid)
    panel = window.roster.detail
    assert panel.missing.count() == len(verdict.missing)
    idx = next(i for i in range(panel.missing.count()) if "考核" in panel.missing.item(i).text())
    item = panel.missing.item(idx)
    rect = panel.missing.visualItemRect(item)
    qtbot.mouseClick(panel.missing.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    editor = window.dialog
    assert isinstance(editor, PersonEditor) and editor.isVisible()
    assert editor.tabs.tabText(editor.tabs.currentIndex()).startswith("考核")
    missing_year = int("".join(ch for ch in verdict.missing[idx] if ch.isdigit()))
    rows = editor.assessments.raw_rows()
    row = editor.assessments.table.currentRow()
    assert rows[row]["year"] == missing_year
    # the new row has no result yet: that is an error until the officer picks one
    assert not editor.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
    editor.assessments.cell(row, "result").setCurrentText("合格")
    with qtbot.waitSignal(window.roster.loaded, timeout=20000):
        qtbot.mouseClick(editor.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton)
    assert find_person(demo_roster, pid).assessments[missing_year] == "合格"
    new = window.roster.model.verdict(pid)
    assert new.status == _expected(demo_roster)[pid].status
    assert not any(str(missing_year) in m and "考核" in m for m in new.missing)
    assert window.roster.current_person().id == pid


def test_missing_unit_field_opens_unit_dialog(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster, profile_id=PROFILE)
    pid = window.roster.visible_persons()[0].id
    dialog = window.open_editor(pid, "单位性质")
    assert isinstance(dialog, UnitDialog)
    assert dialog.focusWidget() is dialog.nature


def test_profile_and_as_of_selectors_recheck(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster, profile_id=PROFILE)
    roster = window.roster
    ids = [roster.profile_combo.itemData(i) for i in range(roster.profile_combo.count())]
    assert {"korla-2024", "urumqi-private-2025"} <= set(ids)
    with qtbot.waitSignal(roster.loaded, timeout=20000):
        roster.set_profile("korla-2024")
    assert window.ctx.current_round().profile_id == "korla-2024"  # the round's profile, not a page's copy
    assert roster.as_of == dt.date(2024, 10, 25)
    assert "库尔勒" in window.status_profile.text() and "2024-10-25" in window.status_as_of.text()
    expected = _expected(demo_roster, "korla-2024")
    assert {pid: v.status for pid, v in roster.model.verdicts().items()} == \
        {pid: v.status for pid, v in expected.items()}

    day = dt.date(2026, 10, 1)
    with qtbot.waitSignal(roster.loaded, timeout=20000):
        roster.as_of_edit.setDate(QDate(day.year, day.month, day.day))
    assert roster.as_of == day and window.ctx.current_round().as_of == day
    assert roster.default_date_button.isEnabled()
    expected = _expected(demo_roster, "korla-2024", day)
    assert {pid: v.status for pid, v in roster.model.verdicts().items()} == \
        {pid: v.status for pid, v in expected.items()}
    with qtbot.waitSignal(roster.loaded, timeout=20000):
        qtbot.mouseClick(roster.default_date_button, Qt.MouseButton.LeftButton)
    assert roster.as_of == dt.date(2024, 10, 25) and window.ctx.current_round().as_of is None

    # a profile without a deadline: today, with the warning shown in the toolbar
    with qtbot.waitSignal(roster.loaded, timeout=20000):
        roster.set_profile("urumqi-chuding")
    assert roster.as_of == dt.date.today()
    assert "截止" in roster.notes_label.text()
