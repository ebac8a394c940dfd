"""Adding and editing a person through the editor dialog, with live validation."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from app.services.roster import find_person, list_persons
from app.ui.dialogs.person_editor import PersonEditor
from tests.ui import _support
from tests.ui._support import make_ctx, open_window, type_text

demo_roster = _support.demo_roster  # fixture: the demo staff without sample scans


def _wrong_check_digit(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


def test_add_person_through_editor_with_live_validation(qtbot, db, make_id):
    window = open_window(qtbot, db)
    assert window.roster.model.rowCount() == 0
    editor = window.open_editor(None)
    assert isinstance(editor, PersonEditor) and editor.isVisible()
    save = editor.buttons.button(QDialogButtonBox.StandardButton.Save)

    type_text(qtbot, editor.field("姓名"), "测试员甲")
    good = make_id(dt.date(1998, 3, 4), male=False)
    qtbot.keyClicks(editor.field("身份证号"), _wrong_check_digit(good))
    hint = editor.hint("身份证号")
    assert hint.isVisible() and "校验位" in hint.text()
    assert editor.field("身份证号").property("issue") == "error"
    assert not save.isEnabled()
    assert "✖" in editor.tabs.tabText(0)

    # a gender that contradicts the ID number is flagged too, then fixed
    editor.field("性别").setCurrentText("男")
    editor.field("身份证号").clear()
    qtbot.keyClicks(editor.field("身份证号"), good)
    assert "性别" in hint.text() and not save.isEnabled()
    editor.field("性别").setCurrentText("女")
    assert not hint.isVisible() and editor.field("身份证号").property("issue") == ""

    # an unparseable date is red, a fixed one clears
    type_text(qtbot, editor.field("参加专业技术工作日期"), "2020年13月1日")
    assert editor.hint("参加专业技术工作日期").isVisible() and not save.isEnabled()
    editor.field("参加专业技术工作日期").clear()
    type_text(qtbot, editor.field("参加专业技术工作日期"), "2020年7月1日")
    type_text(qtbot, editor.field("系列"), "工程")

    editor.tabs.setCurrentIndex(1)  # the 学历 tab
    edu = editor.educations
    edu.cell(0, "level").setCurrentText("本科")
    qtbot.keyClicks(edu.cell(0, "graduation_date"), "2020/6/30")
    edu.cell(0, "degree").setCurrentText("学士")
    # a degree without its date is only a warning (orange): saving stays possible
    assert editor.hint("学位").isVisible() and editor.hint("学位").property("severity") == "warning"
    assert save.isEnabled()
    qtbot.keyClicks(edu.cell(0, "degree_date"), "2020-06-30")

    editor.assessments.add_row({"year": 2021, "result": "合格"})
    editor.assessments.add_row({"year": 2022, "result": "优秀"})
    editor.continuing.add_row({"year": 2022, "public_hours": 30, "professional_hours": 60})
    assert not editor.has_errors()

    with qtbot.waitSignal(window.roster.loaded, timeout=20000):
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()

    names = [p.name for p in window.roster.visible_persons()]
    assert names == ["测试员甲"]
    assert window.roster.current_person().name == "测试员甲"  # the new row is selected
    stored = find_person(db, good)
    assert stored.gender == "女" and stored.work_start == dt.date(2020, 7, 1)
    assert stored.educations[0].level == "本科"
    assert stored.educations[0].graduation_date == dt.date(2020, 6, 30)
    assert stored.assessments == {2021: "合格", 2022: "优秀"}
    assert stored.continuing_education[2022].professional_hours == 60
    assert window.status_count.text() == "人员：1"


def test_editor_round_trips_an_existing_person_and_refuses_duplicates(qtbot, demo_roster, make_id):
    ctx = make_ctx(demo_roster)
    persons = list_persons(demo_roster)
    original = next(p for p in persons if len(p.educations) > 1)
    editor = PersonEditor(ctx, original)
    qtbot.addWidget(editor)
    editor.open()
    collected, issues = editor.collect()
    assert not [i for i in issues if i.is_error]
    assert [(e.level, e.graduation_date) for e in collected.educations] == \
        [(e.level, e.graduation_date) for e in original.educations]
    assert collected.assessments == original.assessments

    # another person's ID number: saving is refused with a Chinese message, nothing changes
    other = next(p for p in persons if p.id != original.id)
    editor.field("身份证号").setText(other.id_number)
    editor.field("性别").setCurrentText(other.gender)
    editor.save()
    assert editor.isVisible() and "未保存" in editor.summary.text()
    assert find_person(demo_roster, original.id).id_number == original.id_number

    editor.field("身份证号").setText(original.id_number)
    editor.field("性别").setCurrentText(original.gender)
    editor.field("现岗位").setText("新岗位")
    editor.field("岗位等级").setText("专业技术十二级")
    editor.save()
    assert not editor.isVisible()
    assert find_person(demo_roster, original.id).position == "新岗位"
    assert find_person(demo_roster, original.id).post_grade == "专业技术十二级"


def test_focus_field_opens_the_right_tab(qtbot, demo_roster):
    ctx = make_ctx(demo_roster)
    person = list_persons(demo_roster)[0]
    editor = PersonEditor(ctx, person, focus_field="2023年考核结果")
    qtbot.addWidget(editor)
    assert editor.tabs.tabText(editor.tabs.currentIndex()).startswith("考核")
    assert editor.focus_field("work_start")
    assert editor.tabs.currentIndex() == 0
    assert editor.focus_field("毕业日期")
    assert editor.tabs.tabText(editor.tabs.currentIndex()).startswith("学历")
    assert not editor.focus_field("完全不存在的字段")


def test_counting_start_override_needs_a_reason_in_the_editor(qtbot, demo_roster):
    ctx = make_ctx(demo_roster)
    person = list_persons(demo_roster)[0]
    editor = PersonEditor(ctx, person)
    qtbot.addWidget(editor)
    editor.open()
    editor.field("指定起算日期").setText("2024-01-02")
    hint = editor.hint("起算日期理由")
    assert hint.isVisible() and "理由" in hint.text()  # live validation: a reason is required
    editor.save()
    assert editor.isVisible()  # refused
    assert find_person(demo_roster, person.id).count_start_override is None
    type_text(qtbot, editor.field("起算日期理由"), "由机关调入")
    assert not hint.isVisible()
    editor.save()
    assert not editor.isVisible()
    stored = find_person(demo_roster, person.id)
    assert stored.count_start_override == dt.date(2024, 1, 2) and stored.count_start_reason == "由机关调入"
    # reopening shows both, and "count_start_override" (a verdict's field name) focuses the date
    again = PersonEditor(ctx, stored, focus_field="count_start_override")
    qtbot.addWidget(again)
    assert again.field("指定起算日期").text() == "2024-01-02"
    assert again.field("起算日期理由").text() == "由机关调入"


def test_new_form_is_quiet_until_touched_and_fills_gender_from_the_id(qtbot, db, make_id):
    window = open_window(qtbot, db)
    editor = window.open_editor(None)
    save = editor.buttons.button(QDialogButtonBox.StandardButton.Save)
    # nothing typed yet: no red field, no ✖ tab, no error summary, although 姓名/身份证号 are empty
    assert editor.has_errors()  # the problems are known …
    assert all(editor.field(k).property("issue") in (None, "") for k in ("姓名", "身份证号"))
    assert not editor.hint("姓名").isVisible() and "✖" not in editor.tabs.tabText(0)
    assert "错误" not in editor.summary.text() and save.isEnabled()  # … but not shouted before typing

    # a valid ID fills the empty 性别 (17th digit odd = 男) and shows no error for the touched field
    qtbot.keyClicks(editor.field("身份证号"), make_id(dt.date(1996, 5, 6), male=True))
    assert editor.field("性别").currentText() == "男"
    assert editor.field("身份证号").property("issue") == ""
    assert not editor.hint("姓名").isVisible()  # still untouched

    # 保存 with 姓名 empty: now every problem shows and nothing is saved
    qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
    assert editor.isVisible() and editor.hint("姓名").isVisible()
    assert editor.field("姓名").property("issue") == "error" and "错误" in editor.summary.text()
    assert list_persons(db) == []


def test_editing_an_existing_person_shows_problems_at_once(qtbot, demo_roster):
    person = list_persons(demo_roster)[0]
    window = open_window(qtbot, demo_roster)
    editor = window.open_editor(person.id)
    editor.field("姓名").setText("")
    assert editor.hint("姓名").isVisible()
    editor.field("身份证号").setText(_wrong_check_digit(person.id_number))
    assert "校验位" in editor.hint("身份证号").text()
