"""文件 → 导入政策文件: a new notice's profile (.toml) checked, shown with its source and its differences from
the installed profile, then kept in the per-user data folder (the installed profiles are never edited)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChudingError
from app.policy.profiles import ImportPreview, import_profile, import_summary, preview_import


class PolicyImportDialog(QDialog):
    """Shows an :class:`ImportPreview`; 导入 keeps the file in the data folder (``imported_path`` after)."""

    def __init__(self, preview: ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.imported_path: Path | None = None
        self.setWindowTitle("导入政策文件")
        self.resize(760, 520)
        lay = QVBoxLayout(self)
        head = QLabel(f"文件：{preview.source_file}\n已通过格式校验。请核对依据和差异后再导入；"
                      "程序自带的政策配置不会被修改，导入的文件保存在本机的数据文件夹中。")
        head.setWordWrap(True)
        lay.addWidget(head)
        self.text = QPlainTextEdit("\n".join(import_summary(preview)))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        lay.addWidget(self.text, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = self.buttons.addButton("导入", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setEnabled(not preview.identical)
        self.buttons.accepted.connect(self._import)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)

    def _import(self) -> None:
        try:
            self.imported_path = import_profile(self.preview)
        except ChudingError as exc:
            QMessageBox.warning(self, "未导入政策文件", exc.message)
            return
        self.accept()


def choose_policy_file(parent: QWidget | None) -> str | None:
    path, _ = QFileDialog.getOpenFileName(parent, "导入政策文件", "", "政策配置文件 (*.toml);;所有文件 (*)")
    return path or None


def open_policy_import(parent: QWidget | None, path: str | Path | None, compare_with: str | None) -> PolicyImportDialog | None:
    """Validate ``path`` (asking for one when None); on a bad file say why and return None."""
    if path is None:
        path = choose_policy_file(parent)
        if path is None:
            return None
    try:
        preview = preview_import(path, compare_with=compare_with)
    except ChudingError as exc:
        QMessageBox.warning(parent, "无法导入政策文件", exc.message)
        return None
    return PolicyImportDialog(preview, parent)
