"""文书 page: pick persons and a letter kind, set the publicity start date, enter the officer's
paragraphs, generate the docx letters, open the folder, and make / print the 呈报表 draft (tab
人员文书); and the round's 单位材料 with their steps 生成 → 打印盖章 → 扫描上传 (tab 单位材料,
app.ui.letters.unit_panel)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChudingError
from app.export.letters import KIND_LABELS, KINDS
from app.paths import user_documents_dir
from app.services import letters as letters_svc
from app.ui.context import UiContext
from app.ui.workers import TaskState, op

log = logging.getLogger(__name__)

PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _qdate(d: dt.date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> dt.date:
    return dt.date(q.year(), q.month(), q.day())


class LettersView(QWidget):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._current_id: int | None = None
        self._unit_id: int | None = None
        self.last_report: letters_svc.LettersReport | None = None
        self.last_form: Path | None = None

        # Left: persons with check boxes.
        self.persons = QListWidget()
        self.persons.currentItemChanged.connect(self._on_current_changed)
        all_btn, none_btn = QPushButton("全选"), QPushButton("全不选")
        all_btn.clicked.connect(lambda: self._check_all(True))
        none_btn.clicked.connect(lambda: self._check_all(False))
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.addWidget(QLabel("勾选要生成文书的人员："))
        ll.addWidget(self.persons, 1)
        row = QHBoxLayout()
        row.addWidget(all_btn)
        row.addWidget(none_btn)
        ll.addLayout(row)

        # Right: settings of the run.
        self.kind = QComboBox()
        self._fill_kinds()
        self.start = QDateEdit()
        self.start.setCalendarPopup(True)
        self.start.setDisplayFormat("yyyy-MM-dd")
        self.start.setDate(_qdate(dt.date.today()))
        self.start.dateChanged.connect(self._update_period)
        self.period = QLabel()
        self.period.setWordWrap(True)
        self.office = QLineEdit()
        self.office.setPlaceholderText("例如：人力资源部")
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("监督电话")
        self.out_dir = QLineEdit(str(ctx.settings.extra.get("letters_dir") or user_documents_dir() / "文书"))
        browse = QPushButton("选择…")
        browse.clicked.connect(self._choose_dir)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out_dir, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("文书类型", self.kind)
        form.addRow("公示起始日期", self.start)
        form.addRow("", self.period)
        form.addRow("受理异议的办公室", self.office)
        form.addRow("监督电话", self.phone)
        form.addRow("输出文件夹", out_row)

        # The officer's paragraphs for the current person.
        self.political = QPlainTextEdit()
        self.political.setPlaceholderText("思想政治条件：突出政治表现，强调职业操守和从业行为")
        self.achievements = QPlainTextEdit()
        self.achievements.setPlaceholderText("业绩成果：简要描述近五年的实践能力和业绩成果，并说明对业绩成果的实际贡献")
        self.summary = QPlainTextEdit()
        self.summary.setPlaceholderText("工作总结（自我鉴定）摘要：印在呈报表背面")
        self.save_btn = QPushButton("保存本人材料")
        self.save_btn.clicked.connect(self.save_current)
        self.paragraphs = QGroupBox("当前人员的信函材料")
        pl = QFormLayout(self.paragraphs)
        pl.addRow("思想政治条件", self.political)
        pl.addRow("业绩成果", self.achievements)
        pl.addRow("工作总结摘要", self.summary)
        pl.addRow("", self.save_btn)

        self.generate_btn = QPushButton("生成文书")
        self.generate_btn.clicked.connect(self.generate)
        self.open_btn = QPushButton("打开文件夹")
        self.open_btn.clicked.connect(self.open_folder)
        self.form_btn = QPushButton("生成并打印呈报表…")
        self.form_btn.clicked.connect(self.print_form)
        self.print_pdf_btn = QPushButton("打印平台下载的 PDF…")
        self.print_pdf_btn.clicked.connect(self.print_downloaded)
        self.count_btn = QPushButton("工作小结字数统计…")
        self.count_btn.clicked.connect(self.choose_and_count)
        buttons = QHBoxLayout()
        for b in (self.generate_btn, self.open_btn, self.form_btn, self.print_pdf_btn, self.count_btn):
            buttons.addWidget(b)
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setMaximumBlockCount(500)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addLayout(form)
        rl.addWidget(self.paragraphs, 1)
        rl.addLayout(buttons)
        rl.addWidget(self.result, 1)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        from app.ui.letters.unit_panel import UnitDocumentsPanel

        self.unit_panel = UnitDocumentsPanel(ctx)
        self.unit_panel.generate_requested.connect(self.prepare_kind)
        self.unit_panel.folder_requested.connect(self.open_folder)
        self.tabs = QTabWidget()
        self.tabs.addTab(split, "人员文书")
        self.tabs.addTab(self.unit_panel, "单位材料")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)

        ctx.bus.roster_changed.connect(self.reload)
        self.reload()

    # ------------------------------------------------------------------ data
    def _fill_kinds(self) -> None:
        """Only the documents the profile's notice asks for; optional ones marked 非必需."""
        current = self.kind.currentData()
        self.kind.clear()
        rules = {}
        try:
            from app.policy.profiles import document_rule, load_profile

            profile = load_profile(self.ctx.current_round().profile_id)
            rules = {k: document_rule(profile, k) for k in (*KINDS, "form")}
        except ChudingError as exc:
            log.warning("profile not loaded for the letter kinds: %s", exc.message)
        for k in KINDS:
            rule = rules.get(k)
            if rule is not None and not rule.offered:
                continue
            label = KIND_LABELS[k] + ("（非必需）" if rule is not None and rule.need == "optional" else "")
            self.kind.addItem(label, k)
        idx = self.kind.findData(current)
        self.kind.setCurrentIndex(max(idx, 0))
        form_rule = rules.get("form")
        self._form_offered = form_rule is None or form_rule.offered

    def reload(self) -> None:
        self._fill_kinds()
        if hasattr(self, "form_btn"):
            self.form_btn.setVisible(self._form_offered)
        checked = set(self.checked_ids())
        self.persons.blockSignals(True)
        self.persons.clear()
        rows = letters_svc.persons_with_inputs(self.ctx.db)
        for p, _li in rows:
            item = QListWidgetItem(f"{p.name}（{p.series or '—'}/{p.specialty or '—'}）")
            item.setData(PERSON_ID_ROLE, p.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if p.id in checked else Qt.CheckState.Unchecked)
            self.persons.addItem(item)
        self.persons.blockSignals(False)
        if rows:
            first = rows[0][0]
            self._unit_id = first.unit.id
            office, phone = letters_svc.get_unit_settings(self.ctx.db, first.unit.id)
            self.office.setText(office)
            self.phone.setText(phone)
            self.persons.setCurrentRow(0)
        self._update_period()

    # ------------------------------------------------------------------ places (dashboard links)
    def focus_person(self, person_id: int) -> bool:
        """Show the 人员文书 tab with ``person_id`` as the current person."""
        self.tabs.setCurrentIndex(0)
        for i in range(self.persons.count()):
            if int(self.persons.item(i).data(PERSON_ID_ROLE)) == person_id:
                self.persons.setCurrentRow(i)
                return True
        return False

    def focus_unit(self, slot: str = "") -> bool:
        """Show the 单位材料 tab with the unit document ``slot`` selected."""
        self.tabs.setCurrentWidget(self.unit_panel)
        self.unit_panel.refresh()
        return self.unit_panel.select_slot(slot) if slot else True

    def prepare_kind(self, kind: str) -> None:
        """Step ① of a unit document: its letter chosen, the round's eligible persons ticked."""
        self.tabs.setCurrentIndex(0)
        idx = self.kind.findData(kind)
        if idx < 0:
            self.result.setPlainText(f"本批次的政策不提供《{KIND_LABELS.get(kind, kind)}》的生成，请按通知自行准备")
            return
        self.kind.setCurrentIndex(idx)
        try:
            eligible = [int(p.id) for p, v in letters_svc.eligible_persons(self.ctx.db)
                        if p.id is not None and getattr(v, "eligible", None) is True]
        except ChudingError as exc:
            self.result.setPlainText(exc.message)
            return
        self.set_checked(eligible)
        self.result.setPlainText(f"已选《{KIND_LABELS.get(kind, kind)}》并勾选本批次可申报的 {len(eligible)} 人："
                                 "核对公示起始日期后点“生成文书”。")

    def checked_ids(self) -> list[int]:
        out = []
        for i in range(self.persons.count()):
            item = self.persons.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(PERSON_ID_ROLE)))
        return out

    def set_checked(self, person_ids: list[int]) -> None:
        for i in range(self.persons.count()):
            item = self.persons.item(i)
            on = int(item.data(PERSON_ID_ROLE)) in person_ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _check_all(self, on: bool) -> None:
        for i in range(self.persons.count()):
            self.persons.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _on_current_changed(self, current: QListWidgetItem | None, _previous: Any = None) -> None:
        if self._current_id is not None and self._dirty():
            self.save_current()
        self._current_id = int(current.data(PERSON_ID_ROLE)) if current is not None else None
        if self._current_id is None or current is None:
            self.paragraphs.setTitle("当前人员的信函材料")
            return
        self.paragraphs.setTitle(f"当前人员的信函材料：{current.text()}")
        li = letters_svc.get_inputs(self.ctx.db, self._current_id)
        self._loaded = (li.political, li.achievements, li.summary)
        self.political.setPlainText(li.political)
        self.achievements.setPlainText(li.achievements)
        self.summary.setPlainText(li.summary)
        if li.publicity_start:
            self.start.setDate(_qdate(li.publicity_start))

    def _dirty(self) -> bool:
        now = (self.political.toPlainText().strip(), self.achievements.toPlainText().strip(),
               self.summary.toPlainText().strip())
        return now != getattr(self, "_loaded", ("", "", ""))

    def save_current(self) -> None:
        if self._current_id is None:
            return
        try:
            li = letters_svc.save_inputs(self.ctx.db, self._current_id, political=self.political.toPlainText(),
                                         achievements=self.achievements.toPlainText(),
                                         summary=self.summary.toPlainText())
        except ChudingError as exc:
            from app.ui.server_fault import warn

            warn(self, "保存失败", exc)
            return
        self._loaded = (li.political, li.achievements, li.summary)
        self.ctx.bus.status_message.emit("已保存信函材料")

    def _update_period(self) -> None:
        try:
            from app.services.rounds import judge_round

            deadline = judge_round(self.ctx.db).deadline  # the current round's
            pub = letters_svc.publicity_period(_pydate(self.start.date()))
            issue = letters_svc.default_issue_date("gongshi-result", pub)
        except ChudingError as exc:
            self.period.setText(exc.message)
            return
        days = "、".join(f"{d.month}月{d.day}日" for d in pub.days)
        basis = "（推定）" if pub.estimated else ""
        text = f"公示期{basis} {pub.start:%Y-%m-%d} 至 {pub.end:%Y-%m-%d}，共 {pub.count} 个工作日（{days}）"
        if issue is not None:
            text += f"；公示结果、推荐报告落款 {issue:%Y-%m-%d}"
        late = [m.replace("《公示结果》落款日期", "《公示结果》《推荐报告》落款日期")
                for m in letters_svc.late_dates("gongshi-result", pub, issue, deadline)]
        warnings = [*pub.warnings, *late]
        if warnings:
            text += "\n⚠ " + "\n⚠ ".join(warnings)
        self.period.setText(text)

    def _choose_dir(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "选择输出文件夹", self.out_dir.text())
        if d:
            self.set_output_dir(d)

    def set_output_dir(self, folder: str) -> None:
        """Use ``folder`` for letters and drafts from now on, also after a restart."""
        from app.settings import save_settings

        self.out_dir.setText(folder)
        self.ctx.settings.extra["letters_dir"] = folder
        try:
            save_settings(self.ctx.settings)
        except OSError as exc:
            log.warning("settings not saved: %s", exc)

    # ------------------------------------------------------------------ actions
    def generate(self) -> None:
        ids = self.checked_ids()
        if not ids:
            QMessageBox.information(self, "生成文书", "请先勾选人员")
            return
        if self._dirty():
            self.save_current()
        if self._unit_id is not None:
            letters_svc.save_unit_settings(self.ctx.db, self._unit_id, office=self.office.text(),
                                           phone=self.phone.text())
        kind = str(self.kind.currentData())
        start = _pydate(self.start.date())
        out = Path(self.out_dir.text())
        profile_id = None  # the current round's
        db = self.ctx.db
        self.generate_btn.setEnabled(False)

        def work(state: TaskState) -> letters_svc.LettersReport:
            return letters_svc.generate_letters(db, ids, kind, out, profile_id=profile_id, start=start,
                                                progress=lambda done, total: state.progress(done, total))

        def done(report: letters_svc.LettersReport) -> None:
            self.generate_btn.setEnabled(True)
            self.last_report = report
            lines = [f"已生成 {len(report.paths)} 份《{KIND_LABELS[kind]}》："]
            lines += [f"  {p.name}" for p in report.paths]
            lines += [f"提示：{w}" for w in report.warnings]
            if report.missing:
                lines.append("未填写（信函中已标出“【未填写：…】”）：" + "；".join(report.missing))
            self.result.setPlainText("\n".join(lines))

        def failed(exc: BaseException) -> None:
            self.generate_btn.setEnabled(True)
            if isinstance(exc, ChudingError):
                self.result.setPlainText(f"未生成：{exc.message}")
                QMessageBox.warning(self, "生成文书", exc.message)

        op(self, work).with_progress("正在生成文书…").success(done).failure(failed).run()

    def open_folder(self) -> None:
        path = Path(self.out_dir.text())
        path.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def make_form(self) -> Path | None:
        """Write the current person's 呈报表 draft (one copy: the printer makes two)."""
        if self._current_id is None:
            return None
        from app.services.forms import generate_form

        if self._dirty():
            self.save_current()
        from app.paths import inside
        from app.services.forms import draft_file_name

        out = inside(Path(self.out_dir.text()), draft_file_name(self.ctx.db, self._current_id))
        report = generate_form(self.ctx.db, self._current_id, out, copies=1)  # the current round
        from app.services.changes import Change
        from app.ui.workers import emit_change

        emit_change(Change.of(persons=[self._current_id], slots=["chengbaobiao"]))  # the 文书 column
        self.last_form = out
        self.result.setPlainText("\n".join([f"已生成呈报表草稿：{out}", *[f"提示：{w}" for w in report.warnings]]))
        return out

    def print_form(self) -> None:
        from app.ui.printing import print_pdf

        try:
            path = self.make_form()
        except ChudingError as exc:
            from app.ui.server_fault import warn

            warn(self, "呈报表", exc)
            return
        if path is not None:
            print_pdf(self, path, copies=2)

    def count_words(self, path: str | Path) -> str:
        """Count a 工作小结 file against the profile's word range; the message is shown and returned."""
        from app.export.wordcount import count_file
        from app.policy.profiles import load_profile

        try:
            spec = load_profile(self.ctx.current_round().profile_id).material("work_summary")
            wc = count_file(path, spec.word_range if spec else None)
        except ChudingError as exc:
            message = f"无法统计：{exc.message}"
        else:
            message = f"{Path(path).name}：{wc.message()}"
        self.result.setPlainText(message)
        return message

    def choose_and_count(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择工作小结", self.out_dir.text(), "Word 或文本 (*.docx *.txt)")
        if name:
            self.count_words(name)

    def print_downloaded(self) -> None:
        from app.ui.printing import print_pdf

        name, _ = QFileDialog.getOpenFileName(self, "选择平台下载的呈报表 PDF", str(Path.home()), "PDF (*.pdf)")
        if name:
            print_pdf(self, name, copies=2)
