"""Several officers in the UI: a save over a colleague's change offers 重新载入; a lost database server
gives one 无法连接数据库服务器 dialog with 重试 (not one crash dialog per failing operation); 设置 → 数据库."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from app.domain.person import Education, PersonData, UnitData
from app.errors import ServerUnreachable
from app.models.db import Database, make_engine, resolve_url
from app.services.roster import find_person, save_person
from app.ui import crash, server_fault
from app.ui.dialogs.person_editor import PersonEditor
from tests.ui._support import make_ctx, open_window


def _visible_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()]


def test_editor_conflict_shows_both_values_and_reloads(qtbot, db, make_id):
    saved = save_person(db, PersonData(name="冲突甲", gender="男", id_number=make_id(), phone="13800000001",
                                       educations=[Education(level="本科", mode="全日制")],
                                       unit=UnitData(name="示例单位"))).person
    editor = PersonEditor(make_ctx(db), find_person(db, saved.id))
    qtbot.addWidget(editor)
    editor.open()
    colleague = find_person(db, saved.id)
    colleague.phone = "13900000002"
    save_person(db, colleague)  # the colleague saves while the editor is open

    editor.field("联系电话").setText("13700000003")
    editor.save()
    assert editor.isVisible() and editor.conflict_box.isVisible()
    text = editor.conflict_box.text()
    assert "13700000003" in text and "13900000002" in text
    assert find_person(db, saved.id).phone == "13900000002"  # nothing overwritten
    editor.reload_button.click()
    qtbot.waitUntil(lambda: editor.field("联系电话").text() == "13900000002", timeout=5000)
    editor.field("联系电话").setText("13700000003")
    editor.save()  # over the version now shown: accepted
    assert find_person(db, saved.id).phone == "13700000003"


def test_a_lost_server_gives_one_dialog_with_retry(qtbot, db, tmp_path):
    from sqlalchemy.orm import sessionmaker

    engine = make_engine(resolve_url("postgresql://hr@127.0.0.1:9/chuding"))  # nothing listens there
    down = Database(url="down", engine=engine, sessionmaker=sessionmaker(engine))
    old_show = crash.show_dialogs
    crash.show_dialogs = True
    server_fault.install(down.ping)
    before = len(server_fault.shown)
    try:
        try:
            down.ping()
        except ServerUnreachable as exc:
            fault = exc
        for _ in range(4):  # four pages fail at once: through the crash hook and the workers
            crash.report_exception(type(fault), fault, fault.__traceback__)
        assert len(server_fault.shown) == before + 1 and server_fault.suppressed >= 3
        box = server_fault.current
        assert box is not None and box.isVisible() and box.windowTitle() == "无法连接数据库服务器"
        assert "重试" in [b.text() for b in box.buttons()]
        server_fault.retry_button(box).click()  # still down: the box stays
        assert server_fault.current is box
        server_fault.install(db.ping)  # the server is back
        server_fault.retry_button(box).click()
        qtbot.waitUntil(lambda: server_fault.current is None, timeout=5000)
    finally:
        crash.show_dialogs = old_show
        down.dispose()
        if server_fault.current is not None:
            server_fault.current.done(0)


def test_settings_database_tab_tests_and_keeps_the_password_out(qtbot, db, monkeypatch, _isolated_user_dirs):
    monkeypatch.setenv("CHUDING_NO_KEYRING", "1")
    monkeypatch.setenv("CHUDING_DB_CONNECT_TIMEOUT", "2")
    window = open_window(qtbot, db)
    dialog = window.open_settings()
    dialog.db_kind.setCurrentIndex(1)
    dialog.db_host.setText("127.0.0.1")
    dialog.db_port.setText("9")
    dialog.db_name.setText("chuding")
    dialog.db_user.setText("hr")
    dialog.db_password.setText("Pw-ui-secret")
    assert not dialog.test_database()
    assert "无法连接数据库服务器" in dialog.db_result.text() and "Pw-ui-secret" not in dialog.db_result.text()
    dialog.save()  # refused: the server does not answer; nothing stored
    assert dialog.isVisible() and "未保存" in dialog.message.text()
    assert not (_isolated_user_dirs / "credentials.json").exists()
    dialog.reject()


def test_editor_refuses_text_longer_than_its_column(qtbot, db, make_id):
    from PySide6.QtWidgets import QDialogButtonBox

    saved = save_person(db, PersonData(name="超长甲", gender="男", id_number=make_id(),
                                       educations=[Education(level="本科", mode="全日制")])).person
    editor = PersonEditor(make_ctx(db), find_person(db, saved.id))
    qtbot.addWidget(editor)
    editor.open()
    editor.field("现岗位").setText("岗" * 101)
    editor.revalidate()
    assert not editor.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
    assert "最多 100 字" in editor.hint("现岗位").text()
