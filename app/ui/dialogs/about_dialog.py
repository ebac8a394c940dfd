"""关于: version, purpose and the licences table (read from docs/DEPENDENCIES.md)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import APP_DISPLAY_NAME, __version__
from app.paths import resources_dir


def dependencies_file() -> Path:
    return resources_dir().parent / "docs" / "DEPENDENCIES.md"


# The column of docs/DEPENDENCIES.md that says, in the officer's words, what a shipped component does.
# Only tables with it are shown: they list what the app ships (development tools are not).
ABOUT_COLUMN = "关于页说明"


def component_name(cell: str) -> str:
    """The package's name without the developers' notes: "PyMuPDF < 2 (2.0 pulls …)" → "PyMuPDF"."""
    cell = cell.replace("`", "")
    return re.split(r"\s*(?:\(|（|<|,|，)", cell, maxsplit=1)[0].strip() or cell.strip()


def parse_licence_tables(text: str) -> list[tuple[str, str, str]]:
    """Rows (component, licence, what it does — in Chinese) of every markdown table of shipped
    components (those with a 关于页说明 column)."""
    rows: list[tuple[str, str, str]] = []
    about_col: int | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("|"):
            about_col = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if cells and cells[0].lower() == "package":
            about_col = cells.index(ABOUT_COLUMN) if ABOUT_COLUMN in cells else None
            continue
        if about_col is None or re.fullmatch(r":?-{2,}:?", cells[0]):
            continue
        purpose = cells[about_col] if about_col < len(cells) else ""
        rows.append((component_name(cells[0]), cells[1].replace("`", ""), purpose))
    return rows


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, deps_path: Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"关于{APP_DISPLAY_NAME}")
        self.resize(640, 480)
        title = QLabel(f"<h2>{APP_DISPLAY_NAME}</h2><p>版本 {__version__}</p>"
                       "<p>离线辅助新疆专业技术人员职称初定（授予）申报：名册、资格审核、材料整理、"
                       "个人信息遮盖与文书生成。所有数据仅保存在本机。</p>")
        title.setWordWrap(True)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["组件", "许可证", "用途"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        path = deps_path or dependencies_file()
        try:
            rows = parse_licence_tables(path.read_text(encoding="utf-8"))
        except OSError:
            rows = []
        for r, cells in enumerate(rows):
            self.table.insertRow(r)
            for c, value in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(value.replace("`", "")))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        note = QLabel("第三方组件及其许可证：" if rows else "未找到许可证清单（docs/DEPENDENCIES.md）。")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(note)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
