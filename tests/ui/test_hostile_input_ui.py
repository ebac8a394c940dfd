"""Hostile input in the GUI: the person editor and the unit dialog refuse invisible characters
live (same rules as the importer), the export wizard refuses a folder of the officer's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialogButtonBox, QWizard

from tests.ui import _support
from tests.ui._support import open_window, type_text

demo_roster = _support.demo_roster  # fixture: the demo staff without sample scans


def test_person_editor_flags_invisible_characters_live(qtbot, db, make_id):
    window = open_window(qtbot, db)
    editor = window.open_editor(None)
    save = editor.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.keyClicks(editor.field("身份证号"), make_id())
    editor.field("姓名").setText("李晓\u202e雯")  # pasted: the IME never types these
    hint = editor.hint("姓名")
    assert hint.isVisible() and "不可见" in hint.text() and "U+202E" in hint.text()
    assert not save.isEnabled()
    editor.field("姓名").setText("李晓雯.")
    assert hint.isVisible() and "末尾" in hint.text() and not save.isEnabled()
    editor.field("姓名").clear()
    type_text(qtbot, editor.field("姓名"), "李晓雯")
    assert not hint.isVisible() and save.isEnabled()


def test_unit_dialog_flags_invisible_characters_live(qtbot, demo_roster):
    window = open_window(qtbot, demo_roster)
    dialog = window.open_unit()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    dialog.name_edit.setText("示例\u200b公司")
    assert dialog.name_hint.isVisible() and "不可见" in dialog.name_hint.text() and not save.isEnabled()
    dialog.name_edit.setText("示例公司")
    dialog.location.setText("库尔勒\x0b市")
    assert dialog.location_hint.isVisible() and "控制字符" in dialog.location_hint.text() and not save.isEnabled()
    dialog.location.setText("库尔勒市")
    assert save.isEnabled()


def test_export_wizard_refuses_a_folder_of_the_officers_files(qtbot, db, tmp_path: Path):
    from app.settings import Settings
    from app.ui.context import Bus, UiContext
    from app.ui.export import ExportWizard

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"precious")
    w = ExportWizard(UiContext(db=db, settings=Settings(), bus=Bus()))
    qtbot.addWidget(w)
    w.target_page.target.setText(str(mine))
    w.show()
    w.next()
    assert w.currentPage() is w.target_page
    text = w.target_page.problem.text()
    assert w.target_page.problem.isVisible() and "thesis.docx" in text and "空文件夹或新文件夹" in text
    assert "--" not in text  # GUI words, no CLI flags
    (tmp_path / "new.zip").write_bytes(b"not ours")
    w.target_page.target.setText(str(tmp_path / "new"))
    assert not w.target_page.problem.isVisible()
    w.target_page.zip.setChecked(True)
    w.next()
    assert w.currentPage() is w.target_page and "压缩文件" in w.target_page.problem.text()
    assert (mine / "thesis.docx").read_bytes() == b"precious"
    assert w.button(QWizard.WizardButton.NextButton).isEnabled()
    import gc

    w.close()
    del w
    gc.collect()
