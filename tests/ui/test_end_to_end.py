"""The officer's way through, end to end, in the real GUI (issue #15, deliver 5).

From an EMPTY data dir (no database) through the 首次使用向导, a roster import, the check, adding
generated scans on 材料, suggestions and masking on 遮盖, letters and the 呈报表 draft on 文书, the
export wizard and ``chuding verify-bundle`` — asserting what 总览 shows after each step. Real parts only:
the SQLite file the app creates in the data dir, generated PDFs/JPEGs (name and unit drawn as text, a
face on the ID card), the xlsx read by the importer, docx/PDF read back. Heavy work runs through
``app.ui.workers.op`` (off the UI thread); the test waits on the widgets' completion signals.

The round: the 库尔勒市 2024 notice, chosen in the wizard with its application window (2024-09-30 to
2024-10-25), so every verdict is judged as of the window's end whatever today is. Its checklist has a
per-year 继续教育 and 年度考核表, a ≥1000字 工作总结, the 承诺书, a unit-issued 社保 list and the round's
公示/公示结果, and it asks for the paper 呈报表. Pages are kept small so the OCR of suggestions and of the
residual check stays quick on a 2-core CI machine.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import openpyxl
import pymupdf
from PIL import Image
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWizard

from app.policy.identifiers import make_id_number, make_uscc
from app.ui.views.dashboard import EXPORT, LETTERS, MASK, NAME, PACKET, VERDICT
from tests.fixtures.masking.docs import ASTRONAUT, draw_seal, jpeg_bytes, text_page_image

PROFILE = "korla-2024"  # a notice with its application window: the round is judged as of its end
AS_OF = dt.date(2024, 10, 25)  # the window's last day, whatever today is
UNIT = "天山示例电力有限公司"
USCC = make_uscc("91650100MA7B4C8D1")  # invented: 17 characters + the computed check character
READY = "周晓岚"  # 本科 全日制, graduated 2023: 满1年 before AS_OF → 可申报
WAITING = "郑一鸣"  # graduated 2023-06, work from 2023-11-01: 满1年 only after AS_OF → 待满年限
REFUSED = "马文静"  # 非全日制: 初定 needs a full-time degree → 不符合

HEADERS = ["姓名", "性别", "民族", "身份证号", "学历", "学习形式", "毕业院校", "所学专业", "毕业日期",
           "学位", "参加专业技术工作日期", "系列", "申报专业", "单位名称", "单位性质", "单位所在地",
           "单位层级", "人员状态", "考核结果", "政治面貌", "现岗位", "岗位等级"]


# ------------------------------------------------------------------------------------ inputs
def _roster_xlsx(path: Path) -> dict[str, str]:
    """The officer's roster: three invented persons with generated valid-checksum ID numbers."""
    ids = {
        READY: make_id_number("650102", dt.date(2000, 3, 8), 41, male=False),
        WAITING: make_id_number("650103", dt.date(2002, 9, 1), 52, male=True),
        REFUSED: make_id_number("650104", dt.date(1998, 1, 20), 63, male=False),
    }
    rows = [
        (READY, "女", "本科", "全日制", dt.date(2023, 6, 30), dt.date(2023, 7, 1), "2023:合格"),
        (WAITING, "男", "本科", "全日制", dt.date(2023, 6, 30), dt.date(2023, 11, 1), "2023:合格"),
        (REFUSED, "女", "本科", "非全日制", dt.date(2021, 1, 10), dt.date(2021, 3, 1), "2022:合格;2023:合格"),
    ]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for name, gender, edu, mode, grad, work, assessments in rows:
        ws.append([name, gender, "汉族", ids[name], edu, mode, "新疆示例大学", "电气工程及其自动化", grad, "无",
                   work, "工程", "电力", UNIT, "民营企业", "库尔勒市", "地州市", "在职", assessments, "群众", "电气技术员",
                   "专业技术十三级"])
    wb.save(path)
    return ids


def _page(lines: list[str], size: tuple[int, int] = (900, 640)) -> Image.Image:
    """A small scanned page: the lines drawn as text (large enough for OCR, small enough to be quick)."""
    return text_page_image([(t, 0.08, 0.16 + 0.14 * i, 13) for i, t in enumerate(lines)], size=size)


def _id_card(name: str) -> Image.Image:
    """An invented ID-card-like scan: name and sex as text, the public-domain astronaut as portrait."""
    card = Image.new("RGB", (1000, 630), (236, 240, 246))
    face = Image.open(ASTRONAUT).convert("RGB").crop((120, 20, 400, 330)).resize((300, 332))
    card.paste(face, (650, 90))
    text = text_page_image([(f"姓名 {name}", 0.08, 0.2, 13), ("性别 女  民族 汉", 0.08, 0.36, 11)],
                           size=(620, 630), bg=(236, 240, 246))
    card.paste(text, (0, 0))
    return card


def _text_pdf(path: Path, lines: list[str], size: tuple[float, float] = (420, 300), fontsize: float = 12) -> Path:
    """A PDF with a text layer (as the 学信网 report or a typed 工作总结 is)."""
    doc = pymupdf.open()
    page = doc.new_page(width=size[0], height=size[1])
    page.insert_font(fontname="cjk", fontbuffer=pymupdf.Font("cjk").buffer)
    y = 40.0
    for line in lines:
        page.insert_text((24, y), line, fontname="cjk", fontsize=fontsize)
        y += fontsize * 1.6
    doc.save(path)
    doc.close()
    return path


def _scan_for(folder: Path, slot: str, year: int | None, name: str) -> Path:
    """A generated scan for one card of the eligible person's checklist (name and unit drawn as text)."""
    path = folder / f"{slot}_{year or 0}"
    if slot == "id_card":
        return _jpg(path, _id_card(name))
    if slot == "photo":  # 295×413: the certificate photo's size (no 一寸照 warning)
        return _jpg(path, Image.open(ASTRONAUT).convert("RGB").crop((140, 10, 380, 346)).resize((295, 413)))
    if slot == "chsi_record":  # its 更新日期 is read from the text layer (fresh at AS_OF)
        return _text_pdf(path.with_suffix(".pdf"), ["教育部学历证书电子注册备案表", f"姓名：{name}", "学历：本科  学习形式：全日制",
                                                    f"更新日期：{AS_OF - dt.timedelta(days=20):%Y年%m月%d日}"])
    if slot == "work_summary":  # ≥ 1000 字, typed: a text PDF
        body = "本人自参加工作以来，认真学习电力专业知识，参与变电站运行维护与设备检修工作，严格执行安全规程。"
        text = body * 26  # ≈ 1200 字 on one page
        lines = [f"个人工作总结　{name}　{UNIT}"] + [text[i:i + 40] for i in range(0, len(text), 40)]
        return _text_pdf(path.with_suffix(".pdf"), lines, size=(595, 842), fontsize=10)
    titles = {"diploma": "普通高等学校毕业证书", "continuing_education": f"{year}年度继续教育合格证书",
              "assessment": f"{year}年度考核登记表", "commitment": "个人承诺书",
              "social_security": "社会保险缴费清单（近6个月）"}
    return _jpg(path, _page([titles.get(slot, slot), f"姓名：{name}", f"单位：{UNIT}", "以上情况属实。"]))


def _jpg(path: Path, im: Image.Image) -> Path:
    path = path.with_suffix(".jpg")
    path.write_bytes(jpeg_bytes(im))
    return path


# ------------------------------------------------------------------------------------ waiting
def _dash_status(qtbot: Any, dash: Any, ready: Any = lambda s: True, timeout: int = 60000) -> Any:
    """Wait until 总览 shows a finished round status satisfying ``ready`` (it reloads itself on changes)."""
    qtbot.waitUntil(lambda: dash.status is not None and not dash.is_loading and ready(dash.status), timeout=timeout)
    return dash.status


def _rows(dash: Any) -> dict[str, dict[int, Any]]:
    """name → {column: item} of the person rows shown."""
    out = {}
    for r in range(len(dash.status.persons)):
        out[dash.table.item(r, NAME).text()] = {c: dash.table.item(r, c) for c in range(dash.table.columnCount())}
    return out


def _click(qtbot: Any, dash: Any, name: str, col: int) -> None:
    row = next(r for r in range(dash.table.rowCount()) if dash.table.item(r, NAME).text() == name)
    item = dash.table.item(row, col)
    dash.table.scrollToItem(item)
    qtbot.mouseClick(dash.table.viewport(), Qt.MouseButton.LeftButton, pos=dash.table.visualItemRect(item).center())


def _person(dash: Any, name: str) -> Any:
    return next(ps for ps in dash.status.persons if ps.person.name == name)


UNIT_DOCUMENT_SLOTS = ("gongshi", "gongshi_result")  # the round's unit documents (round_unit_slots)


def _card(packet: Any, slot: str, year: int | None = None) -> Any:
    return next((c for c in packet.cards if c.status.slot == slot and c.status.year == year), None)


def _add(qtbot: Any, packet: Any, slot: str, year: int | None, path: Path) -> Any:
    """What a card's 添加… does with the files the dialog returns (file dialogs are not driven offscreen)."""
    qtbot.waitUntil(lambda: _card(packet, slot, year) is not None, timeout=30000)
    card = _card(packet, slot, year)
    assert not card.status.document_ids, card.status
    with qtbot.waitSignal(packet.changed, timeout=60000):
        packet.add_files(card.status, [str(path)])
    qtbot.waitUntil(lambda: _card(packet, slot, year) is not None and bool(_card(packet, slot, year).status.document_ids),
                    timeout=60000)
    st = _card(packet, slot, year).status
    assert st.status == ("待遮盖" if st.mask else "已上传"), st
    # no "请检查刚添加的材料" box: these scans are upright (the ID card's portrait is no sideways text)
    assert packet.notice is None or not packet.notice.isVisible(), packet.notice.text()
    return st


# --------------------------------------------------------------------------- unit documents
def _file_unit_documents(qtbot: Any, window: Any, dash: Any, letters: Any, folder: Path) -> list[str]:
    """The round's unit documents (推荐单位公示, 公示结果): signed, stamped and scanned, then added where
    the officer is sent — 总览's 单位材料 row opens 文书 → 单位材料 with the document selected; ③
    选择扫描件… adds the scan to the round (the file dialog's result is passed on)."""
    from app.policy.profiles import load_profile
    from app.policy.requirements import round_unit_slots

    assert {spec.slot for spec in round_unit_slots(load_profile(PROFILE))} == set(UNIT_DOCUMENT_SLOTS)
    panel = letters.unit_panel
    filed = []
    for n, u in enumerate(list(dash.status.unit)):
        assert u.slot in UNIT_DOCUMENT_SLOTS and not u.done, u
        window.nav.setCurrentRow(0)
        _click(qtbot, dash, f"单位材料：{u.name}", NAME)
        assert window.stack.currentWidget() is letters and letters.tabs.currentWidget() is panel
        assert panel.current_slot() == u.slot
        im = _page([u.name, f"推荐人员：{READY}", f"单位：{UNIT}（盖章）", "分管领导签字：李示例"])
        draw_seal(im, (640, 470), 90)
        path = folder / f"unit_{n}.jpg"
        path.write_bytes(jpeg_bytes(im))
        before = panel.file_list.count()
        panel.add_files([str(path)])
        qtbot.waitUntil(lambda before=before: panel.file_list.count() == before + 1, timeout=60000)
        filed.append(u.slot)
    return filed


# ------------------------------------------------------------------------------------ the walk
def test_an_officer_reaches_a_verified_bundle_from_an_empty_data_dir(qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv("CHUDING_DATA_DIR", str(data))
    monkeypatch.setenv("CHUDING_DOCUMENTS_DIR", str(tmp_path / "documents"))
    assert not any(data.iterdir())  # no database yet

    # start as app.ui.application.run does: the default database in the data dir, the saved settings
    from app.models.db import open_database
    from app.paths import default_db_path
    from app.settings import load_settings
    from app.ui.context import Bus, UiContext
    from app.ui.main_window import MainWindow

    db = open_database(None)
    try:
        assert db.sqlite_path == default_db_path() and db.sqlite_path.parent == data and db.sqlite_path.is_file()
        ctx = UiContext(db=db, settings=load_settings(), bus=Bus())
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.roster.loaded, timeout=20000):
            window.show()
        _walk(qtbot, window, tmp_path)
    finally:
        from PySide6.QtCore import QThreadPool

        QThreadPool.globalInstance().waitForDone(60000)
        db.dispose()
    print(f"end-to-end walk: {time.perf_counter() - t0:.1f} s")


def _walk(qtbot: Any, window: Any, tmp_path: Path) -> None:
    from app.ui.dialogs.import_dialog import ImportDialog

    # 1. first start: the wizard for an empty data dir; 单位信息 → 申报批次 (the notice and its window) → 名册
    qtbot.waitUntil(lambda: window.first_start_wizard is not None and window.first_start_wizard.isVisible())
    wizard = window.first_start_wizard
    form = wizard.unit_page.form
    form.name_edit.setText(UNIT)
    qtbot.keyClicks(form.uscc_edit, USCC)
    form.location.setText("库尔勒市")
    form.level.setCurrentText("地州市")
    form.nature.setCurrentText("民营企业")
    next_button = wizard.button(QWizard.WizardButton.NextButton)
    assert next_button.isEnabled() and not form.uscc_hint.isVisible()
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    page = wizard.round_page
    page.profile_combo.setCurrentIndex(page.profile_combo.findData(PROFILE))
    assert "2024-09-30 至 2024-10-25" in page.window_label.text()  # the notice's own window: no deadline asked
    assert not page.deadline_edit.isEnabled() and next_button.isEnabled()
    qtbot.mouseClick(next_button, Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.roster_page
    qtbot.mouseClick(wizard.roster_page.import_button, Qt.MouseButton.LeftButton)  # saves, then 导入名册
    assert not wizard.isVisible() and wizard.saved
    dialog = window.dialog
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()

    qtbot.waitUntil(lambda: "总览" in {t for t, _ in window.extra_pages}, timeout=30000)
    pages = dict(window.extra_pages)
    dash, packet, editor, letters = pages["总览"], pages["材料"], pages["遮盖"], pages["文书"]
    assert window.stack.currentWidget() is dash  # the home page
    status = _dash_status(qtbot, dash, lambda s: s.profile_id == PROFILE)
    assert status.deadline == AS_OF and status.as_of == AS_OF and not status.undated
    assert status.persons == [] and dash.counts.text().startswith("0 人可申报，0 人材料不全，0 页待遮盖，0 人可导出（共 0 人）")
    assert not window.demo_banner.isVisible() and "演示" not in window.windowTitle()
    # the window has closed: 总览 says so and offers the place to change the round (the verdicts stay as of AS_OF)
    assert dash.banner.isVisible() and f"本批次申报已于 {AS_OF.isoformat()} 截止" in dash.banner_label.text()
    assert f"审核日期：{AS_OF.isoformat()}" in dash.title.text()

    # 2. import the roster through the dialog the wizard opened (文件 → 导入名册 is the same dialog)
    roster_file = tmp_path / "本单位名册.xlsx"
    _roster_xlsx(roster_file)
    dialog.path_edit.setText(str(roster_file))
    with qtbot.waitSignal(window.roster.loaded, timeout=30000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        assert dialog.report is None  # the import runs off the UI thread
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=30000)
    assert (dialog.report.created, dialog.report.rejected_rows) == (3, 0), dialog.report_rows()
    dialog.reject()
    status = _dash_status(qtbot, dash, lambda s: len(s.persons) == 3)
    rows = _rows(dash)
    assert set(rows) == {READY, WAITING, REFUSED}
    assert rows[READY][VERDICT].text().startswith("可申报")
    assert rows[WAITING][VERDICT].text() == "待满年限"
    assert rows[REFUSED][VERDICT].text() == "不符合"
    assert dash.counts.text().startswith("1 人可申报，3 人材料不全，0 页待遮盖，0 人可导出（共 3 人）")
    ready_id = int(_person(dash, READY).person.id)
    packet_before = _person(dash, READY).packet.done

    # 3. the check: ✓/✗/⏳ on each reason in the roster's detail panel; 总览 says 可申报 for READY
    window.nav.setCurrentRow(window.stack.indexOf(window.roster))
    panel = window.roster.detail
    for name, mark, absent in ((READY, "✓", "✗"), (REFUSED, "✗", None), (WAITING, "⏳", "✗")):
        person = next(p for p in window.roster.visible_persons() if p.name == name)
        window.roster.select_person(person.id)
        assert mark in panel.reasons.text(), (name, panel.reasons.text())
        if absent:
            assert absent not in panel.reasons.text(), (name, panel.reasons.text())
    assert "建议" in panel.advice.text()  # 待满年限: advice with the date
    window.nav.setCurrentRow(0)
    assert dash.table.item(dash.row_of(ready_id), VERDICT).text().startswith("可申报")
    assert READY in dash.table.item(dash.row_of(ready_id), VERDICT).toolTip()

    # 4. add the eligible person's scans on 材料 (the 材料 cell of 总览 opens the person there)
    scans = tmp_path / "scans"
    scans.mkdir()
    _click(qtbot, dash, READY, PACKET)
    assert window.stack.currentWidget() is packet
    qtbot.waitUntil(lambda: packet.current_person == ready_id and bool(packet.cards), timeout=30000)
    # every counted card the person fills (the round's unit documents come in step 6)
    todo = [(c.status.slot, c.status.year) for c in packet.cards
            if c.status.counted and not c.status.document_ids and c.status.slot not in UNIT_DOCUMENT_SLOTS]
    assert ("assessment", 2023) in todo and ("work_summary", None) in todo and len(todo) >= 8, todo
    pending = 0
    for slot, year in todo:
        pending += _add(qtbot, packet, slot, year, _scan_for(scans, slot, year, READY)).pages_pending
    assert pending >= 7  # 身份证, 毕业证, 学信网, 继续教育, 年度考核表, 工作总结, 承诺书 (not the 照片 nor 社保)
    window.nav.setCurrentRow(0)
    status = _dash_status(qtbot, dash, lambda s: _person(dash, READY).packet.pages_pending == pending)
    ready = _person(dash, READY)
    assert ready.packet.done > packet_before
    row = dash.row_of(ready_id)
    assert dash.table.item(row, MASK).text() == f"待遮盖 {pending} 页"
    assert dash.table.item(row, PACKET).text().startswith(f"{ready.packet.done}/{ready.packet.total}")
    assert f"{pending} 页待遮盖" in dash.counts.text()

    # 5. 遮盖: the 总览 cell opens the first page to mask; suggestions, accept all, 生成遮盖件 — page by page
    _click(qtbot, dash, READY, MASK)
    assert window.stack.currentWidget() is editor and editor.current_person == ready_id
    masked = 0
    while True:
        progress = editor._progress
        todo = [i for i in progress.items if i.mask_state == "pending"]
        if not todo:
            break
        if editor.current_page != todo[0].page_id:
            with qtbot.waitSignal(editor.page_loaded, timeout=20000):
                editor.pages.setCurrentRow(editor.page_ids().index(todo[0].page_id))
        with qtbot.waitSignal(editor.suggestions_ready, timeout=120000) as found:
            qtbot.mouseClick(editor.btn_suggest, Qt.MouseButton.LeftButton)
            assert not found.signal_triggered  # OCR runs off the UI thread
        assert editor.suggestions and any(b.category == "name" for b in editor.suggestions), \
            (todo[0].document_title, editor.suggestions)
        assert editor.btn_accept_all.isEnabled()
        qtbot.mouseClick(editor.btn_accept_all, Qt.MouseButton.LeftButton)
        assert editor.boxes and not editor.suggestions
        with qtbot.waitSignal(editor.masked, timeout=120000) as burnt:
            qtbot.mouseClick(editor.btn_mask, Qt.MouseButton.LeftButton)
            assert not burnt.signal_triggered  # burn-in, verification and the residual OCR: off the UI thread
        masked += 1
        assert masked <= pending, str([(i.document_title, i.index) for i in editor._progress.items])
    assert masked == pending
    window.nav.setCurrentRow(0)
    _dash_status(qtbot, dash, lambda s: _person(dash, READY).packet.pages_pending == 0)
    assert dash.table.item(dash.row_of(ready_id), MASK).text() == "无待遮盖"

    # 6. letters on 文书 (the 文书 cell), the 呈报表 draft; the unit documents filed
    _click(qtbot, dash, READY, LETTERS)
    assert window.stack.currentWidget() is letters
    out_dir = tmp_path / "文书"
    letters.set_output_dir(str(out_dir))
    letters.set_checked([ready_id])
    letters.kind.setCurrentIndex(letters.kind.findData("gongshi"))
    letters.start.setDate(QDate(2024, 10, 8))  # 5 working days before the window closes
    letters.office.setText("人力资源部")
    letters.phone.setText("0991-1234567")
    letters.persons.setCurrentRow(next(i for i in range(letters.persons.count())
                                       if letters.persons.item(i).text().startswith(READY)))
    letters.political.setPlainText("拥护党的路线方针政策，遵纪守法，爱岗敬业。")
    letters.achievements.setPlainText("参与示例变电站改造项目三项，负责设备调试。")
    letters.summary.setPlainText("任职以来认真完成变电运行与检修工作。")
    qtbot.mouseClick(letters.save_btn, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(letters.generate_btn, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: letters.last_report is not None, timeout=60000)
    [docx_path] = letters.last_report.paths
    assert docx_path.is_file() and docx_path.parent == out_dir
    import docx

    document = docx.Document(str(docx_path))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert READY in text and "人力资源部" in text and "示例变电站改造项目" in text and "【未填写" not in text, text
    assert WAITING not in text and REFUSED not in text
    # the 呈报表 draft (生成并打印呈报表… writes it, then opens the print dialog, which is not driven offscreen)
    assert letters.form_btn.isVisibleTo(letters)  # this notice asks for the paper 呈报表
    form_pdf = letters.make_form()
    assert form_pdf is not None and form_pdf.is_file() and form_pdf.parent == out_dir
    assert READY in form_pdf.name and "_1" not in form_pdf.stem  # named after the person, not a database id
    with pymupdf.open(form_pdf) as pdf:
        form_text = "".join(p.get_text() for p in pdf)
    assert READY in form_text and UNIT in form_text and "变电运行" in form_text, form_text  # 摘要 on the back

    window.nav.setCurrentRow(0)  # 总览's 文书 column: the letters generated for this person in the round
    _dash_status(qtbot, dash, lambda s: _person(dash, READY).packet.letters.done >= 1)
    cell = dash.table.item(dash.row_of(ready_id), LETTERS)
    assert cell.text().startswith("已生成 ") and "推荐单位公示" in cell.toolTip(), cell.toolTip()

    scans_dir = tmp_path / "unit-scans"
    scans_dir.mkdir()
    assert _file_unit_documents(qtbot, window, dash, letters, scans_dir) == list(UNIT_DOCUMENT_SLOTS)
    window.nav.setCurrentRow(0)
    status = _dash_status(qtbot, dash, lambda s: _person(dash, READY).exportable)
    ready = _person(dash, READY)
    assert ready.packet.complete and not ready.blockers
    assert dash.table.item(dash.row_of(ready_id), PACKET).text() == f"{ready.packet.total}/{ready.packet.total}　齐全"
    assert dash.table.item(dash.row_of(ready_id), EXPORT).text() == "可导出"
    assert dash.counts.text().startswith("1 人可申报，2 人材料不全，0 页待遮盖，1 人可导出（共 3 人）")

    # 7. export through the wizard (文件 → 导出申报材料包), then the real `chuding verify-bundle`
    from app.ui.export.wizard import ExportWizard

    bundle = tmp_path / "材料包"
    export = window.open_bundle_wizard()
    assert isinstance(export, ExportWizard)
    export.target_page.target.setText(str(bundle))
    with qtbot.waitSignal(export.persons_loaded, timeout=60000):
        export.next()
    checked = [export.persons_page.list.item(i).text() for i in range(export.persons_page.list.count())
               if export.persons_page.list.item(i).checkState() == Qt.CheckState.Checked]
    assert len(checked) == 1 and checked[0].startswith(READY)
    shown = {export.persons_page.list.item(i).text().split()[0]: export.persons_page.list.item(i).text()
             for i in range(export.persons_page.list.count())}
    assert "待满年限" in shown[WAITING] and "不符合" in shown[REFUSED]  # why they are not ticked
    with qtbot.waitSignal(export.preflight_done, timeout=60000) as pre:
        export.next()
    assert pre.args[0] == 0, [export.preflight_page.list.item(i).text() for i in range(export.preflight_page.list.count())]
    export.next()
    with qtbot.waitSignal(export.exported, timeout=120000) as done:
        qtbot.mouseClick(export.run_page.start, Qt.MouseButton.LeftButton)
        assert not done.signal_triggered  # the export runs off the UI thread
    assert Path(done.args[0]) == bundle and (bundle / "manifest.json").is_file()
    export.close()

    from tests.e2e.cli import run_cli

    verified = run_cli("verify-bundle", bundle, "--ocr")  # reads the bundle only; --ocr: no name left legible
    assert verified.returncode == 0 and "复核通过" in verified.stdout, verified.stdout + verified.stderr

    status = _dash_status(qtbot, dash)
    rows = _rows(dash)
    assert rows[READY][EXPORT].text() == "可导出"
    for name in (WAITING, REFUSED):
        assert rows[name][EXPORT].text().startswith("不可导出")
        assert rows[name][EXPORT].toolTip().startswith(f"{name}：资格审核结果为“")
    assert "1 人可申报" in dash.counts.text() and "1 人可导出（共 3 人）" in dash.counts.text()
