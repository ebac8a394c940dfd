"""导出申报材料包 — a QWizard over app.services.export.

Pages: 1 profile, as-of date and target folder; 2 persons (default: eligible and complete);
3 pre-flight report (blockers stop the wizard; each line can jump to the person / slot / page);
4 export with progress and cancel (app.ui.workers.op), then "打开文件夹".
All work runs in the background; the UI never talks SQL.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import Cancelled
from app.ui.context import UiContext
from app.ui.workers import TaskState, op

ISSUE_ROLE = Qt.ItemDataRole.UserRole
PERSON_ROLE = Qt.ItemDataRole.UserRole + 1


class _TargetPage(QWizardPage):
    def __init__(self, wizard: ExportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("导出设置")
        self.setSubTitle("导出当前申报批次的材料包。已有的材料包会在新材料包完整生成后才被替换。")
        form = QFormLayout(self)
        # the round decides the policy and the date (changed on the roster page), not this wizard
        from app.services.rounds import judge_round

        judge = judge_round(wizard.ctx.db)
        self.round_label = QLabel(f"{judge.round.name}：{judge.profile.name}，审核日期 {judge.as_of.isoformat()}")
        self.round_label.setWordWrap(True)
        form.addRow("申报批次：", self.round_label)
        self.target = QLineEdit()
        self.target.setPlaceholderText("导出文件夹，例如 D:/职称申报/材料包")
        self.target.textChanged.connect(self.completeChanged)
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        row2 = QHBoxLayout()
        row2.addWidget(self.target, 1)
        row2.addWidget(browse)
        form.addRow("导出到：", row2)
        self.zip = QCheckBox("同时生成 zip 压缩包")
        form.addRow("", self.zip)
        self.problem = QLabel()  # why the chosen folder cannot be used (the officer's own files)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color:#d32f2f")
        self.problem.hide()
        form.addRow("", self.problem)
        self.target.textChanged.connect(lambda _t: self.problem.hide())

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "选择导出文件夹", self.target.text() or str(Path.home()))
        if path:
            self.target.setText(str(Path(path) / "申报材料包"))

    def isComplete(self) -> bool:
        return bool(self.target.text().strip())

    def validatePage(self) -> bool:
        """Refuse, before any work, a folder (or zip) holding files this app did not write."""
        from app.errors import ChudingError
        from app.services.export import check_export_target

        try:
            check_export_target(self.target.text().strip(), make_zip=self.zip.isChecked())
        except ChudingError as exc:
            self.problem.setText(exc.message)
            self.problem.show()
            return False
        self.problem.hide()
        return True

    def as_of_date(self) -> dt.date | None:
        return None  # the current round's


class _PersonsPage(QWizardPage):
    def __init__(self, wizard: ExportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("选择人员")
        self.setSubTitle("默认勾选符合申报条件且材料齐全的人员。")
        lay = QVBoxLayout(self)
        self.status = QLabel("正在读取人员…")
        lay.addWidget(self.status)
        self.list = QListWidget()
        self.list.itemChanged.connect(lambda _i: self.completeChanged.emit())
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        for text, state in (("全选", True), ("全不选", False)):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, s=state: self._check_all(s))
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        self.loading = False

    def initializePage(self) -> None:
        self.list.clear()
        self.loading = True
        self.status.setText("正在判断申报资格与材料完整性…")
        profile_id, as_of = self.w.profile_id(), self.w.as_of()
        db = self.w.ctx.db

        def work(task: TaskState) -> Any:
            from app.services.export import default_selection, person_overview

            task.progress(0, 2, "正在读取人员…")
            rows = person_overview(db, profile_id=profile_id, as_of=as_of)
            task.progress(1, 2, "正在检查材料…")
            chosen = set(default_selection(db, profile_id=profile_id, as_of=as_of))
            return rows, chosen

        op(self, work).success(self._loaded).failure(self._failed).run()

    def _loaded(self, result: Any) -> None:
        rows, chosen = result
        self.list.blockSignals(True)
        for r in rows:
            item = QListWidgetItem(f"{r['name']}    {r['status']}")
            item.setData(PERSON_ROLE, r["person_id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if r["person_id"] in chosen else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.loading = False
        self.status.setText(f"共 {len(rows)} 人，默认选中 {len(chosen)} 人（符合条件且材料齐全）")
        self.completeChanged.emit()
        self.w.persons_loaded.emit(len(rows))

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.status.setText(f"读取失败：{getattr(exc, 'message', exc)}")

    def _check_all(self, on: bool) -> None:
        for i in range(self.list.count()):
            self.list.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def selected(self) -> list[int]:
        return [int(self.list.item(i).data(PERSON_ROLE)) for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]

    def isComplete(self) -> bool:
        return not self.loading and bool(self.selected())


class _PreflightPage(QWizardPage):
    def __init__(self, wizard: ExportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("导出前检查")
        self.setSubTitle("红色为阻止导出的问题，须先处理；双击某一项可转到对应的人员和材料。")
        lay = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        lay.addWidget(self.summary)
        self.list = QListWidget()
        self.list.itemActivated.connect(self._jump)
        lay.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.jump_button = QPushButton("转到此项")
        self.jump_button.clicked.connect(lambda: self._jump(self.list.currentItem()))
        self.recheck = QPushButton("重新检查")
        self.recheck.clicked.connect(self.initializePage)
        row.addWidget(self.jump_button)
        row.addWidget(self.recheck)
        row.addStretch(1)
        lay.addLayout(row)
        self.pre: Any = None
        self.running = False

    def initializePage(self) -> None:
        self.list.clear()
        self.pre = None
        self.running = True
        self.summary.setText("正在检查…")
        self.completeChanged.emit()
        db, profile_id, as_of, persons = self.w.ctx.db, self.w.profile_id(), self.w.as_of(), self.w.persons()

        def work(task: TaskState) -> Any:
            from app.services.export import preflight

            task.progress(0, 1, "正在检查材料…")
            return preflight(db, profile_id=profile_id, person_ids=persons, as_of=as_of)

        op(self, work).success(self._done).failure(self._failed).run()

    def _done(self, pre: Any) -> None:
        self.running = False
        self.pre = pre
        plan = pre.plan
        for issue in plan.blockers + plan.warnings:
            prefix = "阻止导出" if issue.blocker else "提示"
            item = QListWidgetItem(f"【{prefix}】{issue.message}")
            item.setData(ISSUE_ROLE, issue.to_json())
            if issue.blocker:
                item.setForeground(Qt.GlobalColor.red)
            self.list.addItem(item)
        for n in pre.notes:
            self.list.addItem(QListWidgetItem(f"【提示】{n}"))
        self.summary.setText(
            f"{plan.profile_name}，截止日期 {plan.as_of}：{len(plan.persons)} 人，{len(plan.files)} 个文件，"
            f"{plan.page_count} 页。阻止导出 {len(plan.blockers)} 项，提示 {len(plan.warnings)} 项。"
            + ("" if not plan.blockers else "请处理红色项目后点“重新检查”。"))
        self.completeChanged.emit()
        self.w.preflight_done.emit(len(plan.blockers), len(plan.warnings))

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        self.summary.setText(f"检查失败：{getattr(exc, 'message', exc)}")
        self.completeChanged.emit()

    def _jump(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        issue = item.data(ISSUE_ROLE)
        if not issue or issue.get("person_id") is None:
            return
        self.w.jump_requested.emit(int(issue["person_id"]), issue.get("slot") or "",
                                   int(issue.get("document_id") or -1), int(issue.get("page_id") or -1),
                                   str(issue.get("code") or ""))

    def isComplete(self) -> bool:
        return not self.running and self.pre is not None and self.pre.ok


class _RunPage(QWizardPage):
    def __init__(self, wizard: ExportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("导出")
        lay = QVBoxLayout(self)
        self.label = QLabel("点击“开始导出”。导出过程中可以取消，已有的材料包不受影响。")
        self.label.setWordWrap(True)
        lay.addWidget(self.label)
        self.start = QPushButton("开始导出")
        self.start.clicked.connect(self.run_export)
        self.open_folder = QPushButton("打开文件夹")
        self.open_folder.setEnabled(False)
        self.open_folder.clicked.connect(self._open)
        row = QHBoxLayout()
        row.addWidget(self.start)
        row.addWidget(self.open_folder)
        row.addStretch(1)
        lay.addLayout(row)
        self.notes = QListWidget()
        lay.addWidget(self.notes, 1)
        self.result: Any = None
        self.state: TaskState | None = None

    def initializePage(self) -> None:
        self.result = None
        self.open_folder.setEnabled(False)
        self.start.setEnabled(True)
        self.notes.clear()

    def run_export(self) -> None:
        pre = self.w.preflight_page.pre
        if pre is None or not pre.ok:
            return
        self.start.setEnabled(False)
        self.label.setText("正在导出…")
        db, target, make_zip = self.w.ctx.db, self.w.target(), self.w.target_page.zip.isChecked()

        def work(task: TaskState) -> Any:
            from app.services.export import export_bundle

            return export_bundle(db, target, pre=pre, make_zip=make_zip, progress=task.progress)

        self.state = op(self, work).with_progress("正在导出申报材料包…").success(self._done) \
            .failure(self._failed).run()

    def _done(self, result: Any) -> None:
        self.result = result
        self.label.setText(f"已导出到 {result.target}：{result.files} 个文件，{result.bytes // 1024} KB，"
                           f"用时 {result.seconds:.1f} 秒。" + (f"压缩包：{result.zip_path}" if result.zip_path else ""))
        for w in result.warnings:
            self.notes.addItem(w)
        self.open_folder.setEnabled(True)
        self.completeChanged.emit()
        self.w.exported.emit(str(result.target))

    def _failed(self, exc: BaseException) -> None:
        self.start.setEnabled(True)
        if isinstance(exc, Cancelled):
            self.label.setText("导出已取消，原有材料包保持不变。")
        else:
            self.label.setText(f"导出失败：{getattr(exc, 'message', exc)}（原有材料包保持不变）")
        self.w.export_failed.emit(getattr(exc, "message", str(exc)))

    def _open(self) -> None:
        if self.result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result.target)))

    def isComplete(self) -> bool:
        return self.result is not None


class ExportWizard(QWizard):
    """The export wizard. ``jump_requested(person_id, slot, document_id, page_id)`` asks the main
    window to show that person's material (−1 when there is no document or page)."""

    jump_requested = Signal(int, str, int, int, str)  # person, slot, document, page, issue code
    persons_loaded = Signal(int)
    preflight_done = Signal(int, int)  # blockers, warnings
    exported = Signal(str)
    export_failed = Signal(str)

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("导出申报材料包")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.target_page = _TargetPage(self)
        self.persons_page = _PersonsPage(self)
        self.preflight_page = _PreflightPage(self)
        self.run_page = _RunPage(self)
        for page in (self.target_page, self.persons_page, self.preflight_page, self.run_page):
            self.addPage(page)
        self.resize(760, 560)

    def profile_id(self) -> str | None:
        return None  # the current round's

    def as_of(self) -> dt.date | None:
        return self.target_page.as_of_date()

    def target(self) -> str:
        return self.target_page.target.text().strip()

    def persons(self) -> list[int]:
        return self.persons_page.selected()
