"""导入名册: choose an xlsx/csv, optionally update existing persons, import in the background and
show the row-level report (row, column, reason)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChudingError
from app.ui.context import UiContext
from app.ui.workers import TaskState, op

log = logging.getLogger(__name__)

KIND_LABELS = {"rejected": ("未导入", "#d32f2f"), "duplicates": ("重复", "#b85c00"), "warnings": ("提醒", "#8a6d00")}


class ImportDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: Any = None
        self.error: str | None = None
        self.setWindowTitle("导入名册")
        self.resize(760, 520)

        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("选择 Excel（.xlsx）或 CSV 名册文件")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.update_box = QCheckBox("更新已有人员（身份证号相同时用文件中的信息覆盖；不勾选则报告为重复）")
        self.import_button = QPushButton("开始导入")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.start)
        self.path_edit.textChanged.connect(lambda t: self.import_button.setEnabled(bool(t.strip())))
        self.import_button.setEnabled(False)

        self.summary = QLabel("导入时逐行检查：合格的行保存，有问题的行列在下表，不会保存。")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["行号", "列", "原因", "类型"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSortingEnabled(True)

        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("名册文件（表头见“文件 → 名册模板”）"))
        layout.addLayout(row)
        layout.addWidget(self.update_box)
        layout.addWidget(self.import_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(close)

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择名册文件", "", "名册 (*.xlsx *.csv);;所有文件 (*)")
        if path:
            self.path_edit.setText(path)

    def start(self) -> TaskState | None:
        path = Path(self.path_edit.text().strip())
        if not path.is_file():
            self.summary.setText(f'<span style="color:#d32f2f">找不到文件：{path}</span>')
            return None
        update = self.update_box.isChecked()
        db = self.ctx.db
        self.import_button.setEnabled(False)
        self.summary.setText("正在导入…")

        def work(task: TaskState) -> Any:
            from app.services.roster_exchange import import_roster

            return import_roster(db, path, update=update, progress=lambda done, total: task.progress(done, total))

        return (op(self, work).with_progress(f"正在导入 {path.name}…")
                .success(self._done).failure(self._failed).run())

    def _failed(self, exc: BaseException) -> None:
        self.import_button.setEnabled(True)
        self.error = exc.message if isinstance(exc, ChudingError) else str(exc)
        self.summary.setText(f'<span style="color:#d32f2f">导入未完成：{self.error}</span>')

    def _done(self, report: Any) -> None:
        self.report = report
        self.import_button.setEnabled(True)
        n_bad = report.rejected_rows  # `rejected` holds one entry per row-and-column problem
        text = (f"共 {report.total_rows} 行：新增 {report.created} 人，更新 {report.updated} 人，"
                f"未导入 {n_bad} 行，重复 {len(report.duplicates)} 行，提醒 {len(report.warnings)} 条。")
        colour = "#1b5e20" if report.ok else "#d32f2f"
        self.summary.setText(f'<span style="color:{colour}">{text}</span>')
        self.table.setSortingEnabled(False)
        self.table.setRowCount(0)
        for kind in ("rejected", "duplicates", "warnings"):
            label, colour = KIND_LABELS[kind]
            for issue in getattr(report, kind):
                r = self.table.rowCount()
                self.table.insertRow(r)
                row_item = QTableWidgetItem()
                row_item.setData(Qt.ItemDataRole.DisplayRole, int(issue.row))
                kind_item = QTableWidgetItem(label)
                kind_item.setForeground(QBrush(QColor(colour)))
                for c, item in enumerate((row_item, QTableWidgetItem(issue.column),
                                          QTableWidgetItem(issue.message), kind_item)):
                    self.table.setItem(r, c, item)
        self.table.setSortingEnabled(True)
        self.table.sortItems(0)
        if report.created or report.updated:
            self.ctx.bus.roster_changed.emit()
        self.ctx.bus.status_message.emit(text)

    def report_rows(self) -> list[tuple[int, str, str, str]]:
        """The report table as shown (for tests and copy/paste)."""
        rows = []
        for r in range(self.table.rowCount()):
            cells = [self.table.item(r, c) for c in range(4)]
            rows.append((int(cells[0].data(Qt.ItemDataRole.DisplayRole)), cells[1].text(),  # type: ignore[union-attr]
                         cells[2].text(), cells[3].text()))  # type: ignore[union-attr]
        return rows
