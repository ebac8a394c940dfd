"""单位材料: the 文书 page's place for the round's unit documents (推荐单位公示, 公示结果, 推荐报告 …).

One row per unit document the round's notice asks for, with its state and where it comes from, and
the officer's steps: ① 生成 (the letter, on the 人员文书 tab) → ② 打印盖章 → ③ 扫描上传 (the stamped
scan becomes the round's own document, app.services.unit_documents), or the decisions 标记为已提供 /
本批次不需要. The states are the ones the dashboard, the 材料 page and ``chuding status`` show.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChudingError
from app.ui.context import UiContext
from app.ui.workers import emit_change, op

SOURCE_TEXT = {"unit": "单位材料中的盖章扫描件", "packet": "人员材料中的扫描件", "marked": "已标记为已提供",
               "not_needed": "本批次不需要", "missing": "—"}
COLUMNS = ["单位材料", "状态", "来源", "下一步"]
DOC_ROLE = Qt.ItemDataRole.UserRole + 1
GOOD, BAD, WAIT = QColor("#1e7b34"), QColor("#b42318"), QColor("#8a5300")
STEPS = ("① 生成：在“人员文书”中勾选人员后生成该文书；② 打印盖章：用 Word 打开生成的文件打印，加盖单位公章；"
         "③ 扫描上传：把盖章后的纸件扫描为 PDF 或图片，点“选择扫描件…”加入本批次的单位材料。"
         "已用其他方式报送的，点“标记为已提供”；本批次不需要的，点“本批次不需要”。")


def next_step_text(state: Any) -> str:
    """What the officer does next for a unit document (the dashboard's unit rows say the same)."""
    if state.done:
        return "已完成"
    return "③ 扫描上传（已生成，打印盖章后）" if state.generated else "① 生成"


class UnitDocumentsPanel(QWidget):
    """The 单位材料 tab. ``generate_requested(kind)`` asks the 文书 page to prepare that letter."""

    generate_requested = Signal(str)  # letter kind (app.export.letters KINDS)
    folder_requested = Signal()  # open the letters' output folder (to print the generated file)
    loaded = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.states: list[Any] = []
        self.files: list[Any] = []
        self._busy = False
        self._wanted = ""  # a slot asked for before the rows were there (select_slot)
        lay = QVBoxLayout(self)
        intro = QLabel("本批次共用的单位材料（不属于某个人）。每项按 ① 生成 → ② 打印盖章 → ③ 扫描上传 完成：")
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        lay.addWidget(self.table, 1)

        self.generate_btn = QPushButton("① 生成…")
        self.generate_btn.setToolTip("转到“人员文书”，选好该文书和本批次可申报的人员")
        self.generate_btn.clicked.connect(self.generate)
        self.print_btn = QPushButton("② 打印盖章…")
        self.print_btn.setToolTip("打开生成文书的文件夹：用 Word 打开打印，加盖单位公章")
        self.print_btn.clicked.connect(self.print_step)
        self.upload_btn = QPushButton("③ 选择扫描件…")
        self.upload_btn.setToolTip("把盖章后的扫描件（PDF 或图片）加入本批次的单位材料")
        self.upload_btn.clicked.connect(self.choose_files)
        self.provided_btn = QPushButton("标记为已提供")
        self.provided_btn.clicked.connect(lambda: self.decide("provided"))
        self.na_btn = QPushButton("本批次不需要")
        self.na_btn.clicked.connect(lambda: self.decide("not_applicable"))
        self.auto_btn = QPushButton("按上传判断")
        self.auto_btn.setToolTip("取消“已提供 / 不需要”的标记，按是否上传了扫描件判断")
        self.auto_btn.clicked.connect(lambda: self.decide("auto"))
        row = QHBoxLayout()
        for b in (self.generate_btn, self.print_btn, self.upload_btn, self.provided_btn, self.na_btn, self.auto_btn):
            row.addWidget(b)
        lay.addLayout(row)
        self.hint = QLabel(STEPS)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #444")
        lay.addWidget(self.hint)
        lay.addWidget(QLabel("已上传的盖章扫描件："))
        self.file_list = QListWidget()
        self.file_list.setMaximumHeight(110)
        lay.addWidget(self.file_list)
        self.remove_btn = QPushButton("删除所选扫描件")
        self.remove_btn.clicked.connect(self.remove_selected)
        rrow = QHBoxLayout()
        rrow.addStretch(1)
        rrow.addWidget(self.remove_btn)
        lay.addLayout(rrow)
        ctx.status.ready.connect(self.show_status)
        self.refresh()

    # ------------------------------------------------------------------ data
    def refresh(self) -> None:
        """Show the round's unit documents from the shared round status (app.ui.status_source): at
        once when it is current, else it is computed in the background and ``show_status`` follows."""
        fresh = self.ctx.status.fresh()
        if fresh is not None:
            self.show_status(fresh)
        else:
            self.ctx.status.ensure()

    def show_status(self, status: Any) -> None:
        """The shared round status (app.ui.status_source) after a change: its unit documents."""
        from app.services.unit_documents import list_unit_documents

        try:
            files = list_unit_documents(self.ctx.db)
        except ChudingError as exc:
            self.hint.setText(f"无法读取本批次的单位材料：{exc.message}")
            return
        self._show(list(status.unit), files)

    def _show(self, states: list[Any], files: list[Any]) -> None:
        slot = self.current_slot()
        self.states, self.files = states, files
        t = self.table
        t.setRowCount(len(self.states))
        for i, u in enumerate(self.states):
            color = GOOD if u.done else BAD
            for col, text in enumerate((u.name, u.status, SOURCE_TEXT.get(u.source, u.source), next_step_text(u))):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{u.name}：{u.status}（{u.reason}）")
                if col in (1, 3):
                    item.setForeground(QBrush(color if col == 1 else (GOOD if u.done else WAIT)))
                t.setItem(i, col, item)
        if not self.states:
            self.hint.setText("本批次的政策不要求单位材料。")
        self.file_list.clear()
        names = {u.slot: u.name for u in self.states}
        for d in self.files:
            when = d.created_at.strftime("%Y-%m-%d %H:%M") if d.created_at else ""
            entry = QListWidgetItem(f"{names.get(d.slot, d.slot_label)}：{d.original_name}（{len(d.pages)} 页，{when}）")
            entry.setData(DOC_ROLE, d.id)
            self.file_list.addItem(entry)
        wanted, self._wanted = self._wanted, ""
        self.select_slot(wanted or slot or (self.states[0].slot if self.states else ""))
        self.loaded.emit()

    def current_slot(self) -> str:
        row = self.table.currentRow()
        return self.states[row].slot if 0 <= row < len(self.states) else ""

    def current_state(self) -> Any:
        row = self.table.currentRow()
        return self.states[row] if 0 <= row < len(self.states) else None

    def select_slot(self, slot: str) -> bool:
        for i, u in enumerate(self.states):
            if u.slot == slot:
                self.table.selectRow(i)
                self.table.setCurrentCell(i, 0)
                return True
        if not self.states:
            self._wanted = slot  # selected when the rows arrive
        return False

    def _selection_changed(self) -> None:
        u = self.current_state()
        for b in (self.generate_btn, self.print_btn, self.upload_btn, self.provided_btn, self.na_btn, self.auto_btn):
            b.setEnabled(u is not None and not self._busy)

    # ------------------------------------------------------------------ the steps
    def generate(self) -> None:
        from app.services.unit_documents import letter_kind_of

        u = self.current_state()
        if u is not None:
            self.generate_requested.emit(letter_kind_of(u.slot))

    def print_step(self) -> None:
        u = self.current_state()
        if u is None:
            return
        self.hint.setText(f"② 打印盖章：用 Word 打开生成的《{u.name}》打印，加盖单位公章；"
                          "然后扫描为 PDF 或图片，点“③ 选择扫描件…”加入。")
        self.folder_requested.emit()

    def choose_files(self) -> None:
        u = self.current_state()
        if u is None:
            return
        names, _ = QFileDialog.getOpenFileNames(self, f"选择盖章后的《{u.name}》扫描件", "",
                                                "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.bmp)")
        if names:
            self.add_files(names)

    def add_files(self, paths: Sequence[str], slot: str | None = None) -> None:
        """Add the stamped scan (the files the dialog returned) as the round's unit document."""
        from app.services.unit_documents import add_unit_document

        slot = slot or self.current_slot()
        if not slot or not paths:
            return
        db = self.ctx.db
        name = next((u.name for u in self.states if u.slot == slot), slot)
        self._set_busy(True)

        def done(result: Any) -> None:
            self._set_busy(False)
            extra = "".join(f"\n提示：{w}" for w in result.warnings)
            self.hint.setText(f"已加入本批次单位材料：《{name}》{result.pages} 页。{extra}")
            self.ctx.status.refresh()  # op() emitted the change; this covers a panel without a main window

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            self.hint.setText(f"未加入《{name}》：{getattr(exc, 'message', str(exc))}")

        op(self, lambda _s: add_unit_document(db, slot, list(paths))) \
            .with_progress(f"正在加入《{name}》…").success(done).failure(failed).run()

    def decide(self, decision: str) -> None:
        from app.services.unit_documents import set_unit_decision

        u = self.current_state()
        if u is None:
            return
        try:
            change = set_unit_decision(self.ctx.db, u.slot, decision,
                                       note={"provided": "已标记为已提供", "not_applicable": "本批次不需要"}.get(decision, ""))
        except ChudingError as exc:
            self.hint.setText(exc.message)
            return
        emit_change(change)
        self.ctx.status.refresh()

    def remove_selected(self) -> None:
        from app.services.unit_documents import remove_unit_document

        item = self.file_list.currentItem()
        if item is None:
            return
        try:
            change = remove_unit_document(self.ctx.db, int(item.data(DOC_ROLE)))
        except ChudingError as exc:
            self.hint.setText(exc.message)
            return
        emit_change(change)
        self.ctx.status.refresh()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._selection_changed()
