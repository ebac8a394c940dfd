"""总览, the home page: the round status (the one ``chuding status`` shows) per person, every cell a
link to the place to act, refreshed by the one change signal; and the expired-round banner."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from app.masking.boxes import Box
from app.services.masking import masking_pages
from app.services.status import round_status
from app.ui.views.dashboard import EXPORT, MASK, NAME, PACKET, counts_text
from tests.ui._support import open_window


def _pages(qtbot, window):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: {"总览", "材料", "遮盖"} <= {t for t, _ in window.extra_pages}, timeout=30000)
    return {t: w for t, w in window.extra_pages}


def _loaded(qtbot, dash):  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: dash.status is not None and not dash.is_loading, timeout=60000)


def _click(qtbot, dash, row: int, col: int) -> None:  # type: ignore[no-untyped-def]
    table = dash.table
    table.scrollToItem(table.item(row, col))
    rect = table.visualItemRect(table.item(row, col))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def _pending_row(dash):  # type: ignore[no-untyped-def]
    return next(i for i, ps in enumerate(dash.status.persons) if ps.packet.pages_pending > 0)


def test_dashboard_is_the_home_page_and_counts_are_the_round_status(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_db)
    dash = _pages(qtbot, window)["总览"]
    assert window.nav.item(0).text() == "总览" and window.nav.item(1).text() == "名册"
    assert window.stack.currentWidget() is dash
    _loaded(qtbot, dash)
    rs = round_status(demo_db)
    eligible = sum(1 for p in rs.persons if p.verdict.eligible is True)
    incomplete = sum(1 for p in rs.persons if not p.packet.complete)
    pending = sum(p.packet.pages_pending for p in rs.persons)
    assert pending > 0
    text = dash.counts.text()
    assert text == counts_text(rs)
    assert text.startswith(f"{eligible} 人可申报，{incomplete} 人材料不全，{pending} 页待遮盖")
    # one row per person of the round, then the unit documents
    assert dash.table.rowCount() == len(rs.persons) + len(rs.unit) and rs.unit
    assert [dash.table.item(i, NAME).text() for i in range(len(rs.persons))] == [p.person.name for p in rs.persons]
    unit_row = len(rs.persons)
    assert dash.table.item(unit_row, NAME).text() == f"单位材料：{rs.unit[0].name}"
    assert dash.table.item(unit_row, PACKET).text() == rs.unit[0].status
    # a blocked person's blockers are named in the tooltip
    blocked = next(i for i, ps in enumerate(rs.persons) if ps.blockers)
    tip = dash.table.item(blocked, EXPORT).toolTip()
    assert f"{rs.persons[blocked].person.name}：{rs.persons[blocked].blockers[0].message}" in tip


def test_cells_open_the_place_to_act(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_db)
    pages = _pages(qtbot, window)
    dash, packet, editor = pages["总览"], pages["材料"], pages["遮盖"]
    _loaded(qtbot, dash)
    qtbot.waitUntil(lambda: packet.persons.count() > 0, timeout=30000)
    row = _pending_row(dash)
    pid = int(dash.status.persons[row].person.id)

    _click(qtbot, dash, row, MASK)  # 遮盖 → that person's first page still to mask
    assert window.stack.currentWidget() is editor
    assert editor.current_person == pid
    page = next(i for i in masking_pages(demo_db, pid).items if i.page_id == editor.current_page)
    assert page.mask_state == "pending"

    window.nav.setCurrentRow(0)
    _click(qtbot, dash, row, PACKET)  # 材料 → the person's cards on 材料
    assert window.stack.currentWidget() is packet
    assert packet.current_person == pid


def test_masking_a_page_updates_the_dashboard_without_a_refresh(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_db)
    pages = _pages(qtbot, window)
    dash, editor = pages["总览"], pages["遮盖"]
    _loaded(qtbot, dash)
    row = _pending_row(dash)
    pid = int(dash.status.persons[row].person.id)
    before = dash.status.persons[row].packet.pages_pending
    assert dash.table.item(row, MASK).text() == f"待遮盖 {before} 页"

    with qtbot.waitSignal(editor.page_loaded, timeout=20000):
        editor.load_person(pid)
    editor.add_box(Box("other", 0.0, 0.0, 1.0, 1.0))
    with qtbot.waitSignal(editor.masked, timeout=90000):
        editor.mask_current_page()
    # no refresh called: the change record reaches the dashboard
    qtbot.waitUntil(lambda: dash.status is not None and not dash.is_loading
                    and dash.status.persons[dash.row_of(pid)].packet.pages_pending == before - 1, timeout=60000)
    left = "无待遮盖" if before == 1 else f"待遮盖 {before - 1} 页"
    assert dash.table.item(dash.row_of(pid), MASK).text() == left


def test_expired_round_banner_and_a_future_deadline(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_db)
    dash = _pages(qtbot, window)["总览"]
    _loaded(qtbot, dash)
    deadline = dash.status.deadline
    assert deadline is not None and deadline.year == 2025 and deadline < dt.date.today()  # the demo's 2025 round
    assert dash.banner.isVisible()
    assert f"本批次申报已于 {deadline.isoformat()} 截止" in dash.banner_label.text()
    # the banner's button opens the place where the round is edited: the roster page's toolbar
    dash.banner_button.click()
    assert window.stack.currentWidget() is window.roster
    window.nav.setCurrentRow(0)

    future = dt.date.today() + dt.timedelta(days=30)
    window.ctx.update_round(deadline=future, as_of=dt.date.today())  # → bus.changed → the dashboard reloads
    qtbot.waitUntil(lambda: not dash.is_loading and dash.status.deadline == future, timeout=60000)
    assert not dash.banner.isVisible() and dash.banner_label.text() == ""


def test_a_round_without_deadline_says_it_is_judged_as_of_today(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    from app.ui.views.dashboard import UNDATED_TEXT

    window = open_window(qtbot, demo_db)
    dash = _pages(qtbot, window)["总览"]
    _loaded(qtbot, dash)
    window.ctx.update_round(profile_id="urumqi-chuding", as_of=None, deadline=None)  # the annual profile
    qtbot.waitUntil(lambda: not dash.is_loading and dash.status.profile_id == "urumqi-chuding", timeout=60000)
    assert dash.status.undated and dash.status.as_of == dt.date.today()
    assert dash.banner.isVisible() and UNDATED_TEXT in dash.banner_label.text()


def test_the_roster_page_shows_the_round_banner_outside_the_toolbar(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_db)
    roster = window.roster
    window.nav.setCurrentRow(window.stack.indexOf(roster))
    assert roster.round_banner.isVisible() and "截止" in roster.round_banner.text()
    assert roster.round_banner.parent() is roster  # not in the toolbar's overflow
    window.ctx.update_round(deadline=dt.date.today() + dt.timedelta(days=30), as_of=dt.date.today())
    assert not roster.round_banner.isVisible()


def test_a_person_who_cannot_apply_has_no_red_tasks(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    """不符合 / 待满年限: what the packet lacks is no task in this round — grey, said why, the 可导出
    cell opens the person (the verdict), not a missing card; a 可申报 person's gaps stay red."""
    from app.ui.views.dashboard import BAD, IDLE, LETTERS, VERDICT

    window = open_window(qtbot, demo_db)
    dash = _pages(qtbot, window)["总览"]
    _loaded(qtbot, dash)
    refused = next(i for i, ps in enumerate(dash.status.persons) if ps.verdict.status == "不符合")
    waiting = next(i for i, ps in enumerate(dash.status.persons) if ps.verdict.status == "待满年限")
    todo = next(i for i, ps in enumerate(dash.status.persons)
                if ps.verdict.eligible is True and not ps.packet.complete)
    name = dash.status.persons[refused].person.name
    for col in (PACKET, MASK, LETTERS):
        item = dash.table.item(refused, col)
        assert item.foreground().color() == IDLE, (col, item.text())
        assert item.toolTip().startswith(f"{name}：资格审核结果为“不符合”，本批次无需准备材料")
    assert dash.table.item(refused, EXPORT).text() == "不可导出（不符合）"
    assert dash.table.item(waiting, EXPORT).text() == "不可导出（待满年限）"
    assert dash.table.item(waiting, PACKET).toolTip().startswith(
        f"{dash.status.persons[waiting].person.name}：资格审核结果为“待满年限”，本批次无需准备材料")
    assert dash.link_at(refused, EXPORT)[0] == "edit"
    assert dash.table.item(refused, VERDICT).foreground().color() == BAD  # the verdict itself stays red
    assert dash.table.item(todo, PACKET).foreground().color() == BAD
    assert dash.table.item(todo, EXPORT).foreground().color() == BAD
