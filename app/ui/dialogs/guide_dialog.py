"""帮助 → 使用说明: the user guide (docs/USER_GUIDE.md, with its screenshots) in a window."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.paths import resources_dir


def guide_file() -> Path:
    """docs/USER_GUIDE.md beside ``resources/`` (in a checkout and inside the frozen app)."""
    return resources_dir().parent / "docs" / "USER_GUIDE.md"


class GuideDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("使用说明")
        self.resize(980, 700)
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        path = path or guide_file()
        layout = QVBoxLayout(self)
        if path.is_file():
            self.browser.setSearchPaths([str(path.parent)])
            self.browser.setSource(QUrl.fromLocalFile(str(path)))
            layout.addWidget(self.browser, 1)
        else:
            layout.addWidget(QLabel("未找到使用说明文件，请重新安装本程序。"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
