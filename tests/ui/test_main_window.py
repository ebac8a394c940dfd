"""The main window on real data: roster, filters, status bar, menus, dialogs, page registry, crash handler."""

from __future__ import annotations

import logging
import logging.handlers
import re
import sys
import types
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from app.services.demo import DEMO_UNIT
from app.services.roster import list_persons, primary_unit
from tests.ui import _support
from tests.ui._support import make_ctx, open_window, type_text

demo_roster = _support.demo_roster  # fixture: the demo staff without sample scans


def test_main_window_opens_on_demo_data(qtbot, demo_db):
    window = open_window(qtbot, demo_db)
    stored = list_persons(demo_db)
    assert window.roster.model.rowCount() == len(stored) >= 15
    assert {p.name for p in window.roster.visible_persons()} == {p.name for p in stored}
    assert window.status_count.text() == f"人员：{len(stored)}"
    assert window.status_db.text() == f"数据库：{demo_db.sqlite_path.name}"
    assert window.status_as_of.text().startswith("审核日期：20")
    assert window.windowTitle().startswith("职称初定申报助手")
    assert not window.windowIcon().isNull()
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["文件(&F)", "编辑(&E)", "设置(&S)", "帮助(&H)"]
    file_menu = window.menuBar().actions()[0].menu()
    assert [a.text() for a in file_menu.actions() if a.text()] == ["导入名册…", "导出名册…", "名册模板…",
                                                                   "导出申报材料包…", "导入政策文件…", "退出"]
    # nothing selected → edit/delete disabled; selecting a row shows the person in the detail panel
    assert not window.act_edit.isEnabled()
    target = stored[2]
    assert window.roster.select_person(target.id)
    assert window.act_edit.isEnabled()
    assert target.name in window.roster.detail.header.text()


def test_filter_by_name_and_id(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster)
    stored = list_persons(demo_roster)
    surname = stored[1].name[0]
    expected = sorted(p.name for p in stored if surname in p.name)
    type_text(qtbot, window.roster.search, surname)
    assert sorted(p.name for p in window.roster.visible_persons()) == expected
    assert len(expected) < len(stored)
    assert window.status_count.text() == f"人员：{len(stored)}" or "显示" in window.status_count.text()

    window.roster.search.clear()
    qtbot.keyClicks(window.roster.search, stored[5].id_number[-8:].lower())  # x/X insensitive
    assert [p.id for p in window.roster.visible_persons()] == [stored[5].id]
    qtbot.keyClicks(window.roster.search, "Z")
    assert window.roster.visible_persons() == []
    window.roster.search.clear()
    assert len(window.roster.visible_persons()) == len(stored)


def test_sorting_by_column(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster)
    from app.ui.item_models.roster_model import column_index

    col = column_index("work_start")
    window.roster.table.sortByColumn(col, Qt.SortOrder.AscendingOrder)
    dates = [p.work_start for p in window.roster.visible_persons() if p.work_start]
    assert dates == sorted(dates) and len(dates) > 5
    window.roster.table.sortByColumn(col, Qt.SortOrder.DescendingOrder)
    dates = [p.work_start for p in window.roster.visible_persons() if p.work_start]
    assert dates == sorted(dates, reverse=True)


def test_delete_person(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster)
    victim = list_persons(demo_roster)[0]
    window.roster.select_person(victim.id)
    with qtbot.waitSignal(window.roster.loaded, timeout=20000):
        assert window.delete_current(confirm=False)
    assert victim.id not in {p.id for p in window.roster.visible_persons()}
    assert victim.id not in {p.id for p in list_persons(demo_roster)}


def test_unit_dialog_validates_uscc_live(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster)
    dialog = window.open_unit()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert dialog.name_edit.text() == DEMO_UNIT.name and save.isEnabled()
    good = DEMO_UNIT.uscc
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    dialog.uscc_edit.clear()
    qtbot.keyClicks(dialog.uscc_edit, bad)
    assert dialog.uscc_hint.isVisible() and dialog.uscc_hint.text()
    assert not save.isEnabled()
    dialog.uscc_edit.clear()
    qtbot.keyClicks(dialog.uscc_edit, good)
    assert not dialog.uscc_hint.isVisible() and save.isEnabled()
    dialog.location.setText("库尔勒市")
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert primary_unit(demo_roster).location == "库尔勒市"


def test_about_dialog_lists_version_and_licences(qtbot, db):
    from app import __version__

    window = open_window(qtbot, db)
    dialog = window.open_about()
    rows = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert any(r.startswith("PySide6") for r in rows) and any("PyMuPDF" in r for r in rows)
    licences = {dialog.table.item(r, 0).text(): dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())}
    assert "LGPL" in next(v for k, v in licences.items() if k.startswith("PySide6"))
    assert any(__version__ in w.text() for w in dialog.findChildren(type(window.status_count)))
    # the officer reads it: names without developer notes, what each does in Chinese, no test tools
    assert "PyMuPDF" in rows and "pytest, pytest-qt" not in rows and not any("(" in r or "<" in r for r in rows)
    purposes = [dialog.table.item(r, 2).text() for r in range(dialog.table.rowCount())]
    assert all(re.search(r"[\u4e00-\u9fff]", t) and not re.search(r"[A-Za-z]{4,} [a-z]{3,}", t)
               for t in purposes), purposes


def test_every_shipped_component_has_a_chinese_description():
    from app.ui.dialogs.about_dialog import ABOUT_COLUMN, dependencies_file, parse_licence_tables

    text = dependencies_file().read_text(encoding="utf-8")
    rows = parse_licence_tables(text)
    assert len(rows) >= 10 and ABOUT_COLUMN in text
    assert [name for name, _lic, purpose in rows if not purpose] == []


# --- page registry ---------------------------------------------------------------------------------

class _GoodPage(QWidget):
    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx


class _BrokenPage(QWidget):
    def __init__(self, ctx):
        raise RuntimeError("bug in page constructor")


@pytest.fixture
def fake_page_modules(monkeypatch):
    good = types.ModuleType("tests_fake_good_page")
    good.GoodPage = _GoodPage
    broken = types.ModuleType("tests_fake_broken_page")
    broken.BrokenPage = _BrokenPage
    monkeypatch.setitem(sys.modules, "tests_fake_good_page", good)
    monkeypatch.setitem(sys.modules, "tests_fake_broken_page", broken)


def test_page_registry_builds_pages_and_keeps_real_errors(qtbot, db, fake_page_modules, tmp_path, monkeypatch):
    from app.ui import pages

    ctx = make_ctx(db)
    built = pages.build_pages(ctx, [pages.PageSpec("甲", "tests_fake_good_page", "GoodPage")])
    assert [t for t, _ in built] == ["甲"]
    assert built[0][1].ctx is ctx
    with pytest.raises(RuntimeError, match="bug in page constructor"):
        pages.build_pages(ctx, [pages.PageSpec("坏", "tests_fake_broken_page", "BrokenPage")])
    # no page is silently left out: a failing import is a bug that reaches the crash handler
    (tmp_path / "tests_fake_bad_import_page.py").write_text("import no_such_library_xyz\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ImportError):
        pages.build_pages(ctx, [pages.PageSpec("错", "tests_fake_bad_import_page", "X")])
    # the shipped registry names the agreed pages
    assert [(p.title, p.module, p.cls) for p in pages.PAGES] == [
        ("总览", "app.ui.views.dashboard", "DashboardPage"),
        ("材料", "app.ui.packet.view", "PacketView"),
        ("遮盖", "app.ui.masking.editor", "MaskEditor"),
        ("文书", "app.ui.letters.view", "LettersView"),
    ]


def test_start_up_imports_every_page() -> None:
    """Every registered page imports (the app has no optional pages) and names a widget class."""
    from PySide6.QtWidgets import QWidget

    from app.ui import pages

    for spec in pages.PAGES:
        cls = pages.load_page_class(spec)
        assert isinstance(cls, type) and issubclass(cls, QWidget), spec


def test_main_window_navigation_shows_registered_pages(qtbot, db, fake_page_modules, monkeypatch):
    from app.ui import pages

    monkeypatch.setattr(pages, "PAGES", [pages.PageSpec("甲", "tests_fake_good_page", "GoodPage")])
    window = open_window(qtbot, db)
    qtbot.waitUntil(lambda: window.nav.count() == 2, timeout=5000)
    assert [window.nav.item(i).text() for i in range(window.nav.count())] == ["名册", "甲"]
    window.nav.setCurrentRow(1)
    assert isinstance(window.stack.currentWidget(), _GoodPage)


# --- crash handler ---------------------------------------------------------------------------------

def test_crash_handler_logs_and_records_unhandled_exceptions(qtbot, db, monkeypatch, caplog):
    from app.logging_setup import configure_logging
    from app.ui import crash
    from app.ui.workers import op

    monkeypatch.setattr(crash, "show_dialogs", False)
    monkeypatch.setattr(crash, "shown", [])
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    configure_logging()
    crash.install()
    assert sys.excepthook is crash.report_exception

    # 1. an exception reaching sys.excepthook
    try:
        raise ValueError("boom in a slot")
    except ValueError:
        with caplog.at_level(logging.ERROR, logger="app.crash"):
            sys.excepthook(*sys.exc_info())
    assert len(crash.shown) == 1 and "ValueError: boom in a slot" in crash.shown[0]
    assert "boom in a slot" in caplog.text

    # 2. an unexpected (non-Chuding) error in background work goes to the same handler
    def work(_task):
        raise KeyError("worker failure")

    op(None, work).run()
    qtbot.waitUntil(lambda: len(crash.shown) == 2, timeout=5000)
    assert "KeyError: 'worker failure'" in crash.shown[1]

    # 3. it is in the rotating log file
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert handlers
    for h in handlers:
        h.flush()
    text = "".join(Path(h.baseFilename).read_text(encoding="utf-8") for h in handlers)
    assert "boom in a slot" in text and "worker failure" in text


def test_export_wizard_jump_opens_the_person_on_the_packet_page(qtbot, demo_db):
    window = open_window(qtbot, demo_db)
    qtbot.waitUntil(lambda: any(t == "材料" for t, _ in window.extra_pages), timeout=20000)
    packet = next(w for t, w in window.extra_pages if t == "材料")
    qtbot.waitUntil(lambda: packet.persons.count() > 0, timeout=20000)
    wizard = window.open_bundle_wizard()
    qtbot.waitExposed(wizard)
    target = list_persons(demo_db)[5]
    wizard.jump_requested.emit(target.id, "id_card", -1, -1, "missing")
    assert window.stack.currentWidget() is packet
    assert packet.current_person == target.id
    qtbot.waitUntil(lambda: packet.current_slot is not None and packet.current_slot.slot == "id_card", timeout=20000)

    # a page still to mask: 转到此项 opens that very page in the 遮盖 editor
    from app.services.masking import masking_pages

    editor = next(w for t, w in window.extra_pages if t == "遮盖")
    pending = next(i for i in masking_pages(demo_db, target.id).items if i.mask_state == "pending")
    later = [i for i in masking_pages(demo_db, target.id).items if i.mask_state == "pending"][-1]
    wizard.jump_requested.emit(target.id, "", later.document_id, later.page_id, "unmasked")
    assert window.stack.currentWidget() is editor
    assert editor.current_person == target.id and editor.current_page == later.page_id
    wizard.close()

    # a 待遮盖 card's 去遮盖 opens the first page of that document still to mask
    window.nav.setCurrentRow(1 + [t for t, _ in window.extra_pages].index("材料"))
    packet.show_person(target.id)
    qtbot.waitUntil(lambda: any(c.mask_button is not None for c in packet.cards), timeout=20000)
    card = next(c for c in packet.cards if c.mask_button is not None)
    assert card.status.status == "待遮盖"
    card.mask_button.click()
    assert window.stack.currentWidget() is editor
    page = next(i for i in masking_pages(demo_db, target.id).items if i.page_id == editor.current_page)
    assert page.document_id in card.status.document_ids and page.mask_state == "pending"
    assert pending.mask_state == "pending"


def test_demo_window_is_labelled_and_fills_an_empty_demo_database(qtbot, db):
    from app.services.roster import count_persons
    from app.ui.main_window import MainWindow, demo_launch_command
    from tests.ui._support import make_ctx

    ctx = make_ctx(db)
    ctx.demo = True
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.roster.loaded, timeout=120000):
        window.show()
    qtbot.waitUntil(lambda: window.roster.model.rowCount() == 20, timeout=120000)
    assert count_persons(db) == 20
    assert window.demo_banner.isVisible() and "虚构" in window.demo_banner.text()
    assert "演示数据" in window.windowTitle() and not window.act_demo.isVisible()
    program, args = demo_launch_command()
    assert args[-1] == "--demo" and program


def test_officers_window_has_no_demo_banner(qtbot, db):
    window = open_window(qtbot, db)
    assert not window.demo_banner.isVisible() and "演示" not in window.windowTitle()
    assert window.act_demo.isVisible() and window.act_demo.text() == "打开演示数据"
