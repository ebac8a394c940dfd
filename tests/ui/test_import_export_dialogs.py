"""Importing an xlsx through the import dialog (row-level report) and exporting the roster."""

from __future__ import annotations

import datetime as dt

import openpyxl
from PySide6.QtCore import Qt

from app.services.roster import count_persons, find_person, list_persons
from tests.ui import _support
from tests.ui._support import open_window

demo_roster = _support.demo_roster  # fixture: the demo staff without sample scans

HEADERS = ["姓名", "性别", "民族", "身份证号", "学历", "学习形式", "毕业院校", "所学专业", "毕业日期",
           "学位", "参加专业技术工作日期", "系列", "申报专业", "单位名称", "单位性质", "单位所在地",
           "单位层级", "人员状态", "考核结果"]


def _row(name, gender, id_number, grad, work_start, **extra):
    values = dict(zip(HEADERS, [name, gender, "汉族", id_number, "本科", "全日制", "新疆示例大学", "电力工程",
                                grad, "学士", work_start, "工程", "电力", "示例导入单位有限公司", "民营企业",
                                "乌鲁木齐市", "地州市", "在职", "2023:合格;2024:优秀"], strict=True))
    values.update(extra)
    return [values[h] for h in HEADERS]


def test_import_xlsx_through_dialog_shows_row_report(qtbot, db, make_id, tmp_path):
    good1 = make_id(dt.date(1999, 2, 3), male=True)
    good2 = make_id(dt.date(2000, 4, 5), male=False)
    bad_id = make_id(dt.date(1998, 1, 1), male=True)
    bad_id = bad_id[:-1] + ("0" if bad_id[-1] != "0" else "1")  # wrong check digit
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(_row("导入甲", "男", good1, dt.date(2022, 6, 30), "2022-07-01"))
    ws.append(_row("导入乙", "女", good2, "2021/06/30", dt.date(2021, 7, 15)))
    ws.append(_row("导入丙", "男", bad_id, "2021-02-30", "2021-07-01"))  # two problems in one row
    path = tmp_path / "名册.xlsx"
    wb.save(path)

    window = open_window(qtbot, db)
    dialog = window.open_import()
    assert not dialog.import_button.isEnabled()
    dialog.path_edit.setText(str(path))
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(window.roster.loaded, timeout=20000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=5000)

    report = dialog.report
    assert (report.total_rows, report.created, report.updated) == (3, 2, 0)
    assert "新增 2 人" in dialog.summary.text() and "未导入 1 行" in dialog.summary.text()
    rows = dialog.report_rows()
    rejected = [r for r in rows if r[3] == "未导入"]
    assert all(r[0] == 4 for r in rejected)  # sheet row 4 = 导入丙, counted once in the summary
    assert {r[1] for r in rejected} == {"身份证号", "毕业日期"}
    assert any("校验" in r[2] for r in rejected)
    # the good rows are in the database and in the table
    assert count_persons(db) == 2
    assert find_person(db, good2).work_start == dt.date(2021, 7, 15)
    assert sorted(p.name for p in window.roster.visible_persons()) == ["导入乙", "导入甲"]

    # importing again without 更新 → duplicates; with 更新 → updated
    dialog.start()
    qtbot.waitUntil(lambda: dialog.report is not report, timeout=10000)
    assert len(dialog.report.duplicates) == 2 and dialog.report.created == 0
    assert sum(1 for r in dialog.report_rows() if r[3] == "重复") == 2
    second = dialog.report
    dialog.update_box.setChecked(True)
    dialog.start()
    qtbot.waitUntil(lambda: dialog.report is not second, timeout=10000)
    assert dialog.report.updated == 2 and not dialog.report.duplicates


def test_import_dialog_reports_unreadable_file(qtbot, db, tmp_path):
    broken = tmp_path / "坏文件.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a zip")
    window = open_window(qtbot, db)
    dialog = window.open_import()
    dialog.path_edit.setText(str(broken))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.error is not None, timeout=10000)
    assert "导入未完成" in dialog.summary.text()
    assert dialog.import_button.isEnabled() and dialog.report is None
    assert count_persons(db) == 0


def test_export_dialog_writes_xlsx(qtbot, demo_roster, tmp_path):
    window = open_window(qtbot, demo_roster)
    dialog = window.open_export()
    target = tmp_path / "导出.xlsx"
    dialog.path_edit.setText(str(target))
    dialog.start()
    qtbot.waitUntil(lambda: dialog.rows_written is not None, timeout=10000)
    n = len(list_persons(demo_roster))
    assert dialog.rows_written == n and "已导出" in dialog.message.text()
    wb = openpyxl.load_workbook(target, read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    wb.close()
    header_row = next(i for i, r in enumerate(rows) if "姓名" in r)
    names = {r[rows[header_row].index("姓名")] for r in rows[header_row + 1:] if any(r)}
    assert names == {p.name for p in list_persons(demo_roster)}


def test_template_menu_writes_template(qtbot, db, tmp_path):
    from app.ui.dialogs.export_dialog import save_template

    target = tmp_path / "模板.xlsx"
    assert save_template(None, str(target)) == target
    wb = openpyxl.load_workbook(target, read_only=True)
    first = [c for c in next(wb.active.iter_rows(values_only=True)) if c]
    wb.close()
    assert "姓名" in first and "身份证号" in first
