"""导出名册 and 名册模板: write the roster (with the current verdicts) or an empty template."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChudingError
from app.ui.context import UiContext
from app.ui.workers import TaskState, op


class ExportDialog(QDialog):
    def __init__(self, ctx: UiContext, verdicts: dict[int, Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.verdicts = verdicts or {}
        self.rows_written: int | None = None
        self.setWindowTitle("导出名册")
        self.resize(560, 200)
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("保存为 .xlsx 或 .csv")
        browse = QPushButton("浏览…")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.with_verdicts = QCheckBox("附带当前申报资格审核结果")
        self.with_verdicts.setChecked(bool(self.verdicts))
        self.with_verdicts.setEnabled(bool(self.verdicts))
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("导出")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("关闭")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("导出文件"))
        layout.addLayout(row)
        layout.addWidget(self.with_verdicts)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "导出名册", "名册.xlsx", "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            self.path_edit.setText(path)

    def start(self) -> TaskState | None:
        text = self.path_edit.text().strip()
        if not text:
            self.message.setText('<span style="color:#d32f2f">请先选择导出文件</span>')
            return None
        path = Path(text)
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_suffix(".xlsx")
        verdicts = self.verdicts if self.with_verdicts.isChecked() else None
        db = self.ctx.db

        def work(_task: TaskState) -> int:
            from app.services.roster_exchange import export_roster

            return export_roster(db, path, verdicts=verdicts)

        def done(n: int) -> None:
            self.rows_written = n
            self.message.setText(f'<span style="color:#1b5e20">已导出 {n} 人到 {path}</span>')
            self.ctx.bus.status_message.emit(f"已导出 {n} 人")

        def failed(exc: BaseException) -> None:
            msg = exc.message if isinstance(exc, ChudingError) else str(exc)
            self.message.setText(f'<span style="color:#d32f2f">导出未完成：{msg}</span>')

        self.message.setText("正在导出…")
        return op(self, work).with_progress("正在导出名册…").success(done).failure(failed).run()


def save_template(parent: QWidget | None, path: str | None = None) -> Path | None:
    """名册模板: ask where to save (unless ``path`` is given) and write the empty template."""
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, "保存名册模板", "名册模板.xlsx", "Excel (*.xlsx);;CSV (*.csv)")
        if not path:
            return None
    from app.services.roster_exchange import write_template

    write_template(Path(path))
    return Path(path)
