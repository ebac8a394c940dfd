"""The 文书 page: pick persons, enter paragraphs, generate letters in the background, make the form."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pymupdf
from PySide6.QtCore import QDate, Qt

from app.export.letters import docx_text
from app.ui.letters.view import PERSON_ID_ROLE, LettersView
from tests.ui._support import make_ctx, seed_demo_roster


def test_generate_gongshi_for_checked_persons(qtbot, db, tmp_path: Path) -> None:
    persons = seed_demo_roster(db)
    view = LettersView(make_ctx(db, profile_id="urumqi-private-2025"))
    qtbot.addWidget(view)
    assert view.persons.count() == len(persons)
    # Enter the current (first) person's paragraphs and save them.
    first_id = int(view.persons.item(0).data(PERSON_ID_ROLE))
    view.political.setPlainText("拥护党的领导，遵守职业道德。")
    view.achievements.setPlainText("完成 3 项技术改造。")
    view.save_btn.click()
    view.set_checked([first_id])
    view.kind.setCurrentIndex(view.kind.findData("gongshi"))
    view.start.setDate(QDate(2025, 3, 14))  # 5th working day is after the 2025-03-17 deadline
    assert "晚于申报截止日期" in view.period.text()
    view.start.setDate(QDate(2025, 3, 3))
    assert "2025-03-07" in view.period.text() and "⚠" not in view.period.text()
    view.office.setText("综合办公室")
    view.phone.setText("0991-3333333")
    view.out_dir.setText(str(tmp_path / "out"))
    view.generate_btn.click()
    qtbot.waitUntil(lambda: view.last_report is not None, timeout=30000)
    [path] = view.last_report.paths
    text = docx_text(path)
    assert "拥护党的领导，遵守职业道德。" in text and "综合办公室" in text
    assert "公示时间从2025年3月3日起至2025年3月7日止" in text
    assert "已生成 1 份" in view.result.toPlainText()
    assert view.generate_btn.isEnabled()

    from app.services.letters import get_inputs

    assert get_inputs(db, first_id).publicity_start == dt.date(2025, 3, 3)


def test_make_form_for_the_current_person(qtbot, db, tmp_path: Path) -> None:
    seed_demo_roster(db)
    view = LettersView(make_ctx(db, profile_id="korla-2024"))  # 001 asks for no paper 呈报表
    qtbot.addWidget(view)
    view.summary.setPlainText("本人工作总结摘要。")
    view.out_dir.setText(str(tmp_path))
    path = view.make_form()
    assert path is not None and path.is_file()
    first = view.persons.item(0).text()
    # named after the person (not a database id), with the ID's last four digits against namesakes
    assert path.name.startswith("呈报表草稿_") and path.stem.split("_")[1] in first and path.stem[-4:].isalnum()
    with pymupdf.open(path) as doc:
        assert doc.page_count == 2  # one copy; the printer makes the second
        assert "本人工作总结摘要。" in doc[1].get_text()


def test_nothing_checked_generates_nothing(qtbot, db, tmp_path: Path, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    seed_demo_roster(db)
    view = LettersView(make_ctx(db))
    qtbot.addWidget(view)
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    view.out_dir.setText(str(tmp_path / "none"))
    view.generate_btn.click()
    assert shown == ["请先勾选人员"] and view.last_report is None
    assert not (tmp_path / "none").exists()
    assert all(view.persons.item(i).checkState() == Qt.CheckState.Unchecked for i in range(view.persons.count()))


def test_word_count_uses_the_profile_range(qtbot, db, tmp_path: Path) -> None:
    view = LettersView(make_ctx(db, profile_id="korla-2024"))
    qtbot.addWidget(view)
    (tmp_path / "s.txt").write_text("总结" * 400, encoding="utf-8")
    assert "不足 200 字" in view.count_words(tmp_path / "s.txt")
    assert "不足 200 字" in view.result.toPlainText()
    (tmp_path / "bad.docx").write_bytes(b"x")
    assert "无法统计" in view.count_words(tmp_path / "bad.docx")


def test_kinds_follow_the_notice_and_dates_are_checked(qtbot, db) -> None:
    seed_demo_roster(db)
    ko = LettersView(make_ctx(db, profile_id="korla-2024"))
    qtbot.addWidget(ko)
    kinds = [ko.kind.itemData(i) for i in range(ko.kind.count())]
    assert "tuijian" not in kinds and "shide" in kinds  # 003 asks for no 推荐报告
    assert not ko.form_btn.isHidden()
    up = LettersView(make_ctx(db, profile_id="urumqi-private-2025"))
    qtbot.addWidget(up)
    kinds = [up.kind.itemData(i) for i in range(up.kind.count())]
    assert "chengnuo" not in kinds and "shide" not in kinds and "tuijian" in kinds
    assert up.form_btn.isHidden()  # 001 asks for no paper 呈报表
    # 公示 from 2025-03-11 ends on the deadline, but the 公示结果 / 推荐报告 would be dated 03-18
    up.start.setDate(QDate(2025, 3, 11))
    assert "落款日期2025年3月18日晚于申报截止日期2025年3月17日" in up.period.text()
    up.start.setDate(QDate(2026, 12, 28))  # 2027 is not in the calendar library: computed, 推定
    assert "推定" in up.period.text() and "2027-01-04" in up.period.text()
    xj = LettersView(make_ctx(db, profile_id="xj-2013-101"))
    qtbot.addWidget(xj)
    assert xj.kind.itemText(xj.kind.findData("tuijian")) == "推荐报告（非必需）"


def test_letters_go_to_the_documents_folder_and_a_chosen_folder_is_kept(qtbot, db, tmp_path: Path,
                                                                         monkeypatch) -> None:
    from app.paths import user_data_dir
    from app.settings import load_settings

    monkeypatch.setenv("CHUDING_DOCUMENTS_DIR", str(tmp_path / "我的文档"))
    view = LettersView(make_ctx(db))
    qtbot.addWidget(view)
    folder = Path(view.out_dir.text())
    assert folder == tmp_path / "我的文档" / "文书"
    assert user_data_dir() not in folder.parents  # not the hidden app-data folder
    view.set_output_dir(str(tmp_path / "单位文书"))
    assert load_settings().extra["letters_dir"] == str(tmp_path / "单位文书")
    again = LettersView(make_ctx(db, extra=load_settings().extra))
    qtbot.addWidget(again)
    assert again.out_dir.text() == str(tmp_path / "单位文书")
