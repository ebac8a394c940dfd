"""The person editor: every roster field, several education records, assessments and continuing
education per year, discipline — with live validation (red = blocks saving, orange = warning)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import vocab
from app.domain.person import ContinuingEducation, Discipline, Education, PersonData, UnitData
from app.errors import ChudingError, ConflictError
from app.roster.validate import FieldIssue, validate_person
from app.ui.context import UiContext
from app.ui.dialogs.fields import (
    ColumnSpec,
    DateField,
    RecordTable,
    choice_combo,
    hint_label,
    mark,
    save_cancel_buttons,
    set_combo_text,
    set_tri_state,
    tri_state,
)

log = logging.getLogger(__name__)

EDUCATION_COLUMNS = (
    ColumnSpec("level", "学历", "choice", vocab.EDUCATION_LEVELS, width=100),
    ColumnSpec("mode", "学习形式", "choice", vocab.STUDY_MODES, width=90),
    ColumnSpec("school", "毕业院校", width=150),
    ColumnSpec("major", "所学专业", width=130),
    ColumnSpec("graduation_date", "毕业日期", "date", width=100),
    ColumnSpec("degree", "学位", "choice", vocab.DEGREES, width=70),
    ColumnSpec("degree_date", "学位取得日期", "date", width=100),
    ColumnSpec("postdoc_end", "博士后出站日期", "date", width=110),
)
ASSESSMENT_COLUMNS = (
    ColumnSpec("year", "年度", "int", minimum=1950, maximum=2100, width=80),
    ColumnSpec("result", "考核结果", "choice", vocab.ASSESSMENT_RESULTS, width=100),
)
CE_COLUMNS = (
    ColumnSpec("year", "年度", "int", minimum=1950, maximum=2100, width=80),
    ColumnSpec("public_hours", "公需科目学时", "float", minimum=0, maximum=2000, width=110),
    ColumnSpec("professional_hours", "专业科目学时", "float", minimum=0, maximum=2000, width=110),
    ColumnSpec("exempt", "免修", "bool", width=50),
)
DISCIPLINE_COLUMNS = (
    ColumnSpec("kind", "处分", "choice", vocab.DISCIPLINE_KINDS[1:], width=100),
    ColumnSpec("end_date", "处分期满日期", "date", width=120),
)

# Where each issue (by the roster column name FieldIssue.field uses) is shown.
_TABLE_FIELDS = {
    "学历": "educations", "学习形式": "educations", "学位": "educations", "毕业日期": "educations",
    "学位取得日期": "educations", "博士后出站日期": "educations", "毕业院校": "educations",
    "所学专业": "educations",
    "考核结果": "assessments", "继续教育": "continuing_education",
    "处分": "disciplines", "处分期满日期": "disciplines",
}
# Verdict.missing and attribute names → the form key (Chinese label).
FIELD_ALIASES = {
    "name": "姓名", "gender": "性别", "ethnicity": "民族", "id_number": "身份证号",
    "political_status": "政治面貌", "phone": "联系电话", "work_start": "参加专业技术工作日期",
    "series": "系列", "specialty": "申报专业", "position": "现岗位", "post_grade": "岗位等级", "current_title": "现有职称",
    "status": "人员状态", "contract": "劳动合同", "dispatched": "是否派驻", "dispatch_start": "派驻起始日期",
    "count_start_override": "指定起算日期", "count_start_reason": "起算日期理由",
    "first_application": "首次申报", "unit": "单位名称", "unit.name": "单位名称", "unit.nature": "单位性质",
    "unit.level": "单位层级", "unit.location": "单位所在地", "unit.below_class4": "四类以下地区",
    "单位性质": "单位名称", "单位层级": "单位名称", "单位所在地": "单位名称", "四类以下地区": "单位名称",
    "统一社会信用代码": "单位名称",
    "educations": "学历", "education": "学历", "graduation_date": "毕业日期", "degree": "学位",
    "assessments": "考核结果", "assessment": "考核结果", "考核": "考核结果",
    "continuing_education": "继续教育", "disciplines": "处分", "discipline": "处分",
}


class PersonEditor(QDialog):
    def __init__(self, ctx: UiContext, person: PersonData | None = None, parent: QWidget | None = None,
                 *, focus_field: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.original = person
        self.saved_person: PersonData | None = None
        self.setWindowTitle("编辑人员" if person and person.id else "新增人员")
        self.resize(820, 640)
        self._fields: dict[str, QWidget] = {}
        self._hints: dict[str, QLabel] = {}
        self._tab_of: dict[str, int] = {}
        self.issues: list[FieldIssue] = []
        # A new, empty form shows a field's problems only once the officer has touched it (or tried
        # to save): a page of red errors before typing anything says nothing useful. None = show all.
        self._touched: set[str] | None = None if person else set()

        self.tabs = QTabWidget()
        self._build_basic_tab()
        self._build_education_tab()
        self._build_records_tab()
        self._build_discipline_tab()

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.buttons = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.summary)
        layout.addWidget(self.buttons)

        self._load(person)
        self._connect_live_validation()
        self.revalidate()
        if focus_field:
            self.focus_field(focus_field)

    # --- construction ------------------------------------------------------------------------
    def _add(self, form: QFormLayout, key: str, widget: QWidget, tab: int) -> None:
        hint = hint_label()
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(widget)
        v.addWidget(hint)
        form.addRow(key, box)
        widget.setObjectName(key)
        self._fields[key] = widget
        self._hints[key] = hint
        self._tab_of[key] = tab

    def _build_basic_tab(self) -> None:
        page = QWidget()
        left, right = QFormLayout(), QFormLayout()
        tab = 0
        self._add(left, "姓名", QLineEdit(), tab)
        self._add(left, "性别", choice_combo(vocab.GENDERS), tab)
        self._add(left, "民族", QLineEdit(), tab)
        id_edit = QLineEdit()
        id_edit.setMaxLength(20)
        id_edit.setPlaceholderText("18 位身份证号")
        self._add(left, "身份证号", id_edit, tab)
        self._add(left, "政治面貌", choice_combo(vocab.POLITICAL_STATUSES, editable=True), tab)
        self._add(left, "联系电话", QLineEdit(), tab)
        self._add(left, "人员状态", choice_combo(vocab.PERSON_STATUSES, blank=False), tab)
        units = choice_combo([], editable=True)
        self._add(left, "单位名称", units, tab)
        self._add(right, "系列", QLineEdit(), tab)
        self._add(right, "申报专业", QLineEdit(), tab)
        self._add(right, "现岗位", QLineEdit(), tab)
        grade = QLineEdit()
        grade.setPlaceholderText("如 专业技术十二级")
        self._add(right, "岗位等级", grade, tab)
        self._add(right, "现有职称", QLineEdit(), tab)
        self._add(right, "参加专业技术工作日期", DateField(), tab)
        self._add(right, "劳动合同", choice_combo(vocab.HAS_NONE), tab)
        self._add(right, "是否派驻", choice_combo(vocab.YES_NO), tab)
        self._add(right, "派驻起始日期", DateField(), tab)
        self._add(right, "首次申报", choice_combo(vocab.YES_NO), tab)
        override = DateField()
        override.setToolTip("一般不填：任职年限从毕业（学位）与参加工作两者中较晚的日期起算。\n"
                            "经办人确认需另行起算时（如由机关调入）填写，并写明理由。")
        self._add(right, "指定起算日期", override, tab)
        reason = QLineEdit()
        reason.setMaxLength(200)
        reason.setPlaceholderText("必填，如：由机关调入")
        self._add(right, "起算日期理由", reason, tab)
        notes = QPlainTextEdit()
        notes.setMaximumHeight(60)
        self._add(right, "备注", notes, tab)
        from PySide6.QtWidgets import QHBoxLayout

        h = QHBoxLayout(page)
        for form in (left, right):
            column = QVBoxLayout()
            column.addLayout(form)
            column.addStretch(1)
            h.addLayout(column, 1)
        self.tabs.addTab(page, "基本信息")

    def _table_tab(self, key: str, table: RecordTable, tab: int, parent_layout: QVBoxLayout, title: str) -> None:
        hint = hint_label()
        parent_layout.addWidget(QLabel(f"<b>{title}</b>"))
        parent_layout.addWidget(table, 1)
        parent_layout.addWidget(hint)
        table.setObjectName(key)
        self._fields[key] = table
        self._hints[key] = hint
        self._tab_of[key] = tab

    def _build_education_tab(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.educations = RecordTable(EDUCATION_COLUMNS, add_text="添加学历")
        self._table_tab("educations", self.educations, 1, v, "学历记录（可填写多条；资格按最有利的一条判断）")
        self.tabs.addTab(page, "学历")

    def _build_records_tab(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.assessments = RecordTable(ASSESSMENT_COLUMNS, add_text="添加年度考核")
        self.continuing = RecordTable(CE_COLUMNS, add_text="添加继续教育")
        self._table_tab("assessments", self.assessments, 2, v, "年度考核")
        self._table_tab("continuing_education", self.continuing, 2, v, "继续教育")
        self.tabs.addTab(page, "考核与继续教育")

    def _build_discipline_tab(self) -> None:
        page = QWidget()
        v = QVBoxLayout(page)
        self.disciplines = RecordTable(DISCIPLINE_COLUMNS, add_text="添加处分")
        self._table_tab("disciplines", self.disciplines, 3, v, "处分（无处分则不填）")
        self.tabs.addTab(page, "处分")

    # --- widgets by name ---------------------------------------------------------------------
    def field(self, key: str) -> Any:
        """The widget for a roster label or attribute name (record fields → their table)."""
        return self._fields[self._resolve_field(key) or key]

    def hint(self, key: str) -> QLabel:
        """The live-validation message under that widget."""
        return self._hints[self._resolve_field(key) or key]

    def _text(self, key: str) -> str:
        w = self._fields[key]
        if isinstance(w, QComboBox):
            return w.currentText().strip()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText().strip()
        assert isinstance(w, QLineEdit)
        return w.text().strip()

    def _set_text(self, key: str, value: str) -> None:
        w = self._fields[key]
        if isinstance(w, QComboBox):
            set_combo_text(w, value)
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value)
        else:
            assert isinstance(w, QLineEdit)
            w.setText(value)

    def focus_field(self, key: str) -> bool:
        """Show the tab holding ``key`` (a roster label, an attribute name or a missing item like
        "2023年考核结果") and put the cursor there. False when the field is unknown."""
        target = self._resolve_field(key)
        if target is None:
            log.info("editor: no field for %r", key)
            return False
        self.tabs.setCurrentIndex(self._tab_of[target])
        w = self._fields[target]
        if isinstance(w, RecordTable):
            row = 0
            year = re.search(r"(19|20)\d{2}", key)
            if year and any(c.key == "year" for c in w.columns):
                wanted = int(year.group(0))
                years = [r["year"] for r in w.raw_rows()]
                row = years.index(wanted) if wanted in years else w.add_row({"year": wanted})
            elif w.row_count() == 0:
                w.add_row()
            w.table.setCurrentCell(row, 1 if w.table.columnCount() > 1 and year else 0)
            cell = w.table.cellWidget(row, w.table.currentColumn())
            (cell or w.table).setFocus()
        else:
            w.setFocus()
        return True

    def _resolve_field(self, key: str) -> str | None:
        key = key.strip()
        key = FIELD_ALIASES.get(key, key)
        key = _TABLE_FIELDS.get(key, key)
        if key in self._fields:
            return key
        for label in sorted(list(self._fields) + list(_TABLE_FIELDS) + list(FIELD_ALIASES), key=len, reverse=True):
            if label in key:
                resolved = FIELD_ALIASES.get(label, label)
                resolved = _TABLE_FIELDS.get(resolved, resolved)
                if resolved in self._fields:
                    return resolved
        return None

    # --- data in/out -------------------------------------------------------------------------
    def _load(self, p: PersonData | None) -> None:
        from app.services.roster import list_units, primary_unit

        units = self._fields["单位名称"]
        assert isinstance(units, QComboBox)
        for u in list_units(self.ctx.db):
            units.addItem(u.name)
        if p is None:
            unit = primary_unit(self.ctx.db)
            set_combo_text(units, unit.name if unit else "")
            self.educations.add_row({"mode": "全日制"})
            return
        for key, attr in (("姓名", "name"), ("民族", "ethnicity"), ("身份证号", "id_number"),
                          ("联系电话", "phone"), ("系列", "series"), ("申报专业", "specialty"),
                          ("现岗位", "position"), ("岗位等级", "post_grade"), ("现有职称", "current_title"), ("备注", "notes"),
                          ("起算日期理由", "count_start_reason"),
                          ("性别", "gender"), ("政治面貌", "political_status"), ("人员状态", "status")):
            self._set_text(key, getattr(p, attr) or "")
        set_combo_text(units, p.unit.name)
        self._fields["参加专业技术工作日期"].set_date(p.work_start)  # type: ignore[attr-defined]
        self._fields["派驻起始日期"].set_date(p.dispatch_start)  # type: ignore[attr-defined]
        self._fields["指定起算日期"].set_date(p.count_start_override)  # type: ignore[attr-defined]
        set_tri_state(self._fields["劳动合同"], p.contract, "有", "无")  # type: ignore[arg-type]
        set_tri_state(self._fields["是否派驻"], p.dispatched, "是", "否")  # type: ignore[arg-type]
        set_tri_state(self._fields["首次申报"], p.first_application, "是", "否")  # type: ignore[arg-type]
        for e in p.educations:
            self.educations.add_row(vars(e))
        for year, result in sorted(p.assessments.items()):
            self.assessments.add_row({"year": year, "result": result})
        for year, ce in sorted(p.continuing_education.items()):
            self.continuing.add_row({"year": year, "public_hours": ce.public_hours,
                                     "professional_hours": ce.professional_hours, "exempt": ce.exempt})
        for d in p.disciplines:
            self.disciplines.add_row({"kind": d.kind, "end_date": d.end_date})

    def collect(self) -> tuple[PersonData, list[FieldIssue]]:
        """The form as PersonData, plus the issues found while reading it (unparseable dates)."""
        issues: list[FieldIssue] = []

        def date_of(key: str) -> dt.date | None:
            w = self._fields[key]
            assert isinstance(w, DateField)
            d, err = w.date_or_error(key)
            if err:
                issues.append(FieldIssue(key, err))
            return d

        def parse_cell(field: str, text: str) -> dt.date | None:
            from app.errors import ValidationError
            from app.policy.dates import parse_date

            try:
                return parse_date(text, field=field)
            except ValidationError as exc:
                issues.append(FieldIssue(field, exc.message))
                return None

        base = self.original
        p = PersonData(
            id=base.id if base else None, version=base.version if base else None,
            name=self._text("姓名"), gender=self._text("性别"), ethnicity=self._text("民族"),
            id_number=self._text("身份证号"), political_status=self._text("政治面貌"),
            phone=self._text("联系电话"), status=self._text("人员状态") or "在职",
            series=self._text("系列"), specialty=self._text("申报专业"), position=self._text("现岗位"), post_grade=self._text("岗位等级"),
            current_title=self._text("现有职称"), notes=self._text("备注"),
            work_start=date_of("参加专业技术工作日期"), dispatch_start=date_of("派驻起始日期"),
            count_start_override=date_of("指定起算日期"), count_start_reason=self._text("起算日期理由"),
            contract=tri_state(self._fields["劳动合同"], "有"),  # type: ignore[arg-type]
            dispatched=tri_state(self._fields["是否派驻"], "是"),  # type: ignore[arg-type]
            first_application=tri_state(self._fields["首次申报"], "是"),  # type: ignore[arg-type]
            unit=UnitData(name=self._text("单位名称")),
        )
        for row in self.educations.raw_rows():
            if not any(v for k, v in row.items() if k != "mode"):
                continue  # an untouched blank row
            p.educations.append(Education(
                level=row["level"], mode=row["mode"], school=row["school"], major=row["major"],
                graduation_date=parse_cell("毕业日期", row["graduation_date"]),
                degree=row["degree"], degree_date=parse_cell("学位取得日期", row["degree_date"]),
                postdoc_end=parse_cell("博士后出站日期", row["postdoc_end"])))
            if not row["level"]:
                issues.append(FieldIssue("学历", "请为每条学历记录选择学历"))
        for row in self.assessments.raw_rows():
            if row["year"] in p.assessments:
                issues.append(FieldIssue("考核结果", f"{row['year']} 年考核填写了两次"))
            if not row["result"]:
                issues.append(FieldIssue("考核结果", f"请选择 {row['year']} 年的考核结果"))
                continue
            p.assessments[row["year"]] = row["result"]
        for row in self.continuing.raw_rows():
            if row["year"] in p.continuing_education:
                issues.append(FieldIssue("继续教育", f"{row['year']} 年继续教育填写了两次"))
            p.continuing_education[row["year"]] = ContinuingEducation(
                row["year"], row["public_hours"], row["professional_hours"], row["exempt"])
        for row in self.disciplines.raw_rows():
            if row["kind"]:
                p.disciplines.append(Discipline(row["kind"], parse_cell("处分期满日期", row["end_date"])))
        return p, issues

    # --- live validation ---------------------------------------------------------------------
    def _connect_live_validation(self) -> None:
        for key, w in self._fields.items():
            def changed(*_: object, key: str = key) -> None:
                if self._touched is not None:
                    self._touched.add(key)
                self.revalidate()

            if isinstance(w, RecordTable):
                w.changed.connect(changed)
            elif isinstance(w, QComboBox):
                w.currentTextChanged.connect(changed)
            elif isinstance(w, QPlainTextEdit | QLineEdit):
                w.textChanged.connect(changed)
        id_edit = self._fields["身份证号"]
        assert isinstance(id_edit, QLineEdit)
        id_edit.textChanged.connect(self._gender_from_id)

    def _gender_from_id(self, text: str) -> None:
        """Fill an empty 性别 from a valid 身份证号 (its 17th digit); a filled one is cross-checked by the
        validator instead, so a typo in either shows up."""
        from app.policy.identifiers import check_id_number

        gender = self._fields["性别"]
        assert isinstance(gender, QComboBox)
        if gender.currentText().strip():
            return
        result = check_id_number(text)
        if result.valid:
            set_combo_text(gender, result.derived["gender"])

    def revalidate(self) -> list[FieldIssue]:
        person, issues = self.collect()
        parse_failed = {i.field for i in issues}
        issues += [i for i in validate_person(person) if i.field not in parse_failed or i.field == "身份证号"]
        self.issues = issues
        per_key: dict[str, list[tuple[str, str]]] = {k: [] for k in self._fields}
        shown: list[FieldIssue] = []
        for i in issues:
            key = _TABLE_FIELDS.get(i.field, i.field)
            if key in ("统一社会信用代码", "单位性质", "单位层级"):
                key = "单位名称"
            if self._touched is not None and key not in self._touched:
                continue  # untouched field of a new form: shown once touched or on 保存
            shown.append(i)
            per_key.setdefault(key, []).append((i.severity, i.message))
        for key, widget in self._fields.items():
            target = widget.table if isinstance(widget, RecordTable) else widget
            mark(target, self._hints[key], per_key.get(key, []))
        errors = [i for i in shown if i.is_error]
        warnings = [i for i in shown if not i.is_error]
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not errors)
        for idx in range(self.tabs.count()):
            bad = any(self._tab_of[k] == idx and any(s == "error" for s, _ in per_key.get(k, []))
                      for k in self._fields)
            title = self.tabs.tabText(idx).rstrip(" ✖")
            self.tabs.setTabText(idx, f"{title} ✖" if bad else title)
        if errors:
            self.summary.setText(f'<span style="color:#d32f2f">有 {len(errors)} 处错误需要修正后才能保存。</span>')
        elif warnings:
            self.summary.setText(f'<span style="color:#e67e00">有 {len(warnings)} 处提醒，可以保存。</span>')
        else:
            self.summary.setText("")
        return issues

    def has_errors(self) -> bool:
        return any(i.is_error for i in self.issues)

    # --- a colleague saved this person meanwhile -------------------------------------------------
    def _offer_reload(self, exc: ConflictError) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, "同事已修改", exc.message, parent=self)
        self.reload_button = box.addButton("重新载入", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.finished.connect(lambda _r: self.reload() if box.clickedButton() is self.reload_button else None)
        self.conflict_box = box
        box.open()

    def reload(self) -> None:
        """Show what is stored now (the colleague's save); the officer's unsaved edits are dropped."""
        from app.services.roster import find_person

        if self.original is None or self.original.id is None:
            return
        fresh = find_person(self.ctx.db, self.original.id)
        self.original = fresh
        units = self._fields["单位名称"]
        assert isinstance(units, QComboBox)
        units.clear()
        for table in (self.educations, self.assessments, self.continuing, self.disciplines):
            table.clear_rows()
        self._load(fresh)
        self.revalidate()
        self.summary.setText("已重新载入同事保存的内容，可在此基础上修改后保存。")

    # --- save --------------------------------------------------------------------------------
    def save(self) -> None:
        self._touched = None  # from now on every problem shows
        self.revalidate()
        if self.has_errors():
            return
        person, _ = self.collect()
        from app.services.roster import save_person

        try:
            result = save_person(self.ctx.db, person, update_existing=False)
        except ConflictError as exc:
            self.conflict = exc
            self.summary.setText(f'<span style="color:#d32f2f">未保存：{exc.message}</span>'.replace("\n", "<br>"))
            self.summary.setTextFormat(Qt.TextFormat.RichText)
            self._offer_reload(exc)
            return
        except ChudingError as exc:
            from app.ui import server_fault

            if server_fault.handle(exc, self):
                return
            self.summary.setText(f'<span style="color:#d32f2f">未保存：{exc.message}</span>')
            self.summary.setTextFormat(Qt.TextFormat.RichText)
            return
        self.saved_person = result.person
        log.info("person %s saved (created=%s)", result.person.id, result.created)
        self.ctx.bus.roster_changed.emit()
        self.ctx.bus.status_message.emit(f"已保存：{result.person.name}")
        self.accept()
