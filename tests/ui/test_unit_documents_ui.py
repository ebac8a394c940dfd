"""单位材料 on the 文书 page and the dashboard: unit rows link to it and say the next step; the 文书
column shows each person's letter state; a stamped scan chosen there becomes the round's document and
every page shows it without a refresh."""

from __future__ import annotations

from pathlib import Path

from app.services.status import round_status
from app.ui.letters.unit_panel import UnitDocumentsPanel
from app.ui.views.dashboard import LETTERS, NAME, PACKET
from tests.core.test_bundle_support import scan_bytes
from tests.ui._support import make_ctx, open_window
from tests.ui.test_dashboard import _click, _loaded, _pages


def _without_unit_scans(db) -> None:  # type: ignore[no-untyped-def]
    """The demo uploads the signed 公示 … as the round's documents: start from none."""
    from app.services.unit_documents import list_unit_documents, remove_unit_document

    for d in list_unit_documents(db):
        remove_unit_document(db, d.id)


def test_panel_steps_upload_and_decisions(qtbot, demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _without_unit_scans(demo_db)
    panel = UnitDocumentsPanel(make_ctx(demo_db))
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: bool(panel.states), timeout=30000)  # the shared round status, in the background
    slots = [u.slot for u in panel.states]
    assert slots == ["gongshi", "gongshi_result", "recommendation"]
    assert [panel.table.item(i, 1).text() for i in range(3)] == ["缺失"] * 3
    assert panel.table.item(0, 3).text() == "① 生成"
    kinds: list[str] = []
    panel.generate_requested.connect(kinds.append)
    assert panel.select_slot("recommendation")
    panel.generate_btn.click()
    assert kinds == ["tuijian"]
    panel.print_btn.click()
    assert "加盖单位公章" in panel.hint.text()
    # ③ the dialog's result: the stamped scan
    scan = tmp_path / "推荐报告_盖章.jpg"
    scan.write_bytes(scan_bytes(7, size=(620, 877)))
    panel.add_files([str(scan)])
    qtbot.waitUntil(lambda: panel.file_list.count() == 1, timeout=30000)
    assert "已加入本批次单位材料" in panel.hint.text()
    row = slots.index("recommendation")
    assert panel.table.item(row, 1).text() == "已提供" and "单位材料" in panel.table.item(row, 2).text()
    # a broken file: a clear message, nothing added
    bad = tmp_path / "坏.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    panel.select_slot("gongshi")
    panel.add_files([str(bad)])
    qtbot.waitUntil(lambda: "未加入" in panel.hint.text(), timeout=30000)
    assert panel.file_list.count() == 1
    # decisions
    panel.select_slot("gongshi")
    panel.provided_btn.click()
    panel.select_slot("gongshi_result")
    panel.na_btn.click()
    states = {u.slot: u for u in round_status(demo_db).unit}
    assert states["gongshi"].source == "marked" and states["gongshi_result"].source == "not_needed"
    assert round_status(demo_db).unit_complete
    panel.select_slot("gongshi")
    panel.auto_btn.click()
    qtbot.waitUntil(lambda: {u.slot: u.status for u in panel.states}["gongshi"] == "缺失", timeout=30000)
    panel.file_list.setCurrentRow(0)
    panel.remove_btn.click()
    qtbot.waitUntil(lambda: panel.file_list.count() == 0, timeout=30000)


def test_dashboard_unit_rows_and_letter_column_link_to_the_letters_page(qtbot, demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _without_unit_scans(demo_db)
    window = open_window(qtbot, demo_db)
    _pages(qtbot, window)
    qtbot.waitUntil(lambda: "文书" in {t for t, _ in window.extra_pages}, timeout=30000)
    pages = {t: w for t, w in window.extra_pages}
    dash, letters = pages["总览"], pages["文书"]
    _loaded(qtbot, dash)
    rs = dash.status
    n = len(rs.persons)
    # unit rows: the next step, and a link to 单位材料 with that document selected
    rec = n + [u.slot for u in rs.unit].index("recommendation")
    assert dash.table.item(rec, LETTERS).text() == "下一步：① 生成"
    assert "① 生成 → ② 打印盖章 → ③ 扫描上传" in dash.table.item(rec, NAME).toolTip()
    _click(qtbot, dash, rec, NAME)
    assert window.stack.currentWidget() is letters
    assert letters.tabs.currentWidget() is letters.unit_panel
    assert letters.unit_panel.current_slot() == "recommendation"
    # the 文书 column: the person's letter state, a link to that person on 文书
    li_row = next(i for i, ps in enumerate(rs.persons) if ps.person.name == "李晓雯")
    pid = int(rs.persons[li_row].person.id)
    cell = dash.table.item(li_row, LETTERS)
    assert cell.text() == "已生成 0/4" and "未生成：推荐单位公示、公示结果、推荐报告、工作小结" in cell.toolTip()
    window.nav.setCurrentRow(0)
    _click(qtbot, dash, li_row, LETTERS)
    assert window.stack.currentWidget() is letters and letters.tabs.currentIndex() == 0
    assert letters._current_id == pid
    # generating the 工作小结 on 文书 updates the column without a refresh
    letters.set_checked([pid])
    letters.kind.setCurrentIndex(letters.kind.findData("xiaojie"))
    letters.out_dir.setText(str(tmp_path / "out"))
    letters.generate_btn.click()
    qtbot.waitUntil(lambda: dash.status is not None and not dash.is_loading
                    and dash.table.item(li_row, LETTERS).text() == "已生成 1/4", timeout=60000)
    assert "已生成：工作小结" in dash.table.item(li_row, LETTERS).toolTip()
    # ③ on 单位材料: the stamped scan makes the unit row done on the dashboard
    scan = tmp_path / "推荐报告.jpg"
    scan.write_bytes(scan_bytes(9, size=(620, 877)))
    letters.focus_unit("recommendation")
    letters.unit_panel.add_files([str(scan)])
    qtbot.waitUntil(lambda: not dash.is_loading and dash.table.item(rec, LETTERS).text() == "单位材料中的盖章扫描件",
                    timeout=60000)
    assert dash.table.item(rec, PACKET).text() == "已提供"
