"""Small form helpers shared by the dialogs: date fields, tri-state choices, issue marking, record tables."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.policy.dates import parse_date

ERROR_COLOUR = "#d32f2f"


def save_cancel_buttons(dialog: QDialog, on_save: Any) -> QDialogButtonBox:
    """The 保存/取消 button row of an editing dialog: 保存 calls ``on_save``, 取消 rejects."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    return buttons
WARNING_COLOUR = "#e67e00"


class DateField(QLineEdit):
    """A date typed as text (YYYY-MM-DD, 2024/7/1, 2024年7月1日 …), parsed with the app's date parser."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText("YYYY-MM-DD")
        self.setClearButtonEnabled(True)

    def set_date(self, d: dt.date | None) -> None:
        self.setText(d.isoformat() if d else "")

    def date_or_error(self, field: str) -> tuple[dt.date | None, str | None]:
        try:
            return parse_date(self.text(), field=field), None
        except ValidationError as exc:
            return None, exc.message


def choice_combo(values: Sequence[str], *, editable: bool = False, blank: bool = True) -> QComboBox:
    combo = QComboBox()
    combo.setEditable(editable)
    if blank:
        combo.addItem("")
    combo.addItems(list(values))
    return combo


def set_combo_text(combo: QComboBox, text: str) -> None:
    i = combo.findText(text)
    if i >= 0:
        combo.setCurrentIndex(i)
    elif combo.isEditable():
        combo.setEditText(text)
    elif text:
        combo.addItem(text)
        combo.setCurrentIndex(combo.count() - 1)


def tri_state(combo: QComboBox, yes: str) -> bool | None:
    text = combo.currentText()
    return None if not text else text == yes


def set_tri_state(combo: QComboBox, value: bool | None, yes: str, no: str) -> None:
    set_combo_text(combo, "" if value is None else (yes if value else no))


def hint_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setVisible(False)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def mark(widget: QWidget, label: QLabel | None, issues: list[tuple[str, str]]) -> None:
    """Show ``issues`` [(severity, message)] on ``widget`` (red/orange frame) and in ``label``."""
    severity = "error" if any(s == "error" for s, _ in issues) else ("warning" if issues else "")
    widget.setProperty("issue", severity)
    colour = ERROR_COLOUR if severity == "error" else WARNING_COLOUR
    cls = type(widget).__name__ if isinstance(widget, QLineEdit | QComboBox | QTableWidget) else ""
    widget.setStyleSheet(f"{cls} {{ border: 2px solid {colour}; }}" if severity and cls else "")
    if label is None:
        return
    if not issues:
        label.clear()
        label.setVisible(False)
        return
    errors = [m for s, m in issues if s == "error"]
    warnings = [m for s, m in issues if s != "error"]
    parts = [f'<span style="color:{ERROR_COLOUR}">✖ {m}</span>' for m in errors]
    parts += [f'<span style="color:{WARNING_COLOUR}">⚠ {m}</span>' for m in warnings]
    label.setText("<br>".join(parts))
    label.setProperty("severity", severity)
    label.setVisible(True)


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    title: str
    kind: str = "text"  # text | choice | date | int | float | bool
    choices: tuple[str, ...] = ()
    editable_choice: bool = False
    minimum: float = 0
    maximum: float = 3000
    width: int = 0
    hidden: bool = False  # carried along (e.g. a record's origin) but not shown


class RecordTable(QWidget):
    """An editable list of records (one row each), with 添加/删除 buttons. Cells are real widgets,
    so typing in them is the same as typing in any field and every edit emits ``changed``."""

    changed = Signal()

    def __init__(self, columns: Sequence[ColumnSpec], *, add_text: str = "添加",
                 defaults: dict[str, Any] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self.defaults = dict(defaults or {})
        self.table = QTableWidget(0, len(self.columns))
        self.table.setHorizontalHeaderLabels([c.title for c in self.columns])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for i, c in enumerate(self.columns):
            if c.width:
                header.resizeSection(i, c.width)
            if c.hidden:
                self.table.setColumnHidden(i, True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.add_button = QPushButton(add_text)
        self.remove_button = QPushButton("删除所选")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.remove_button.clicked.connect(self.remove_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

    def _make_cell(self, spec: ColumnSpec, value: Any) -> QWidget:
        w: QWidget
        if spec.kind == "choice":
            combo = choice_combo(spec.choices, editable=spec.editable_choice)
            set_combo_text(combo, str(value or ""))
            combo.currentTextChanged.connect(lambda _t: self.changed.emit())
            w = combo
        elif spec.kind == "date":
            field = DateField()
            if isinstance(value, dt.date):
                field.set_date(value)
            else:
                field.setText(str(value or ""))
            field.textChanged.connect(lambda _t: self.changed.emit())
            w = field
        elif spec.kind == "int":
            spin = QSpinBox()
            spin.setRange(int(spec.minimum), int(spec.maximum))
            fallback = min(max(dt.date.today().year, int(spec.minimum)), int(spec.maximum))
            spin.setValue(int(value) if value is not None else fallback)
            spin.valueChanged.connect(lambda _v: self.changed.emit())
            w = spin
        elif spec.kind == "float":
            dspin = QDoubleSpinBox()
            dspin.setRange(spec.minimum, spec.maximum)
            dspin.setDecimals(1)
            dspin.setSpecialValueText("—")  # minimum - 1 shown as blank
            dspin.setMinimum(spec.minimum - 1)
            dspin.setValue(float(value) if value is not None else spec.minimum - 1)
            dspin.valueChanged.connect(lambda _v: self.changed.emit())
            w = dspin
        elif spec.kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            box.toggled.connect(lambda _v: self.changed.emit())
            w = box
        else:
            line = QLineEdit(str(value or ""))
            line.textChanged.connect(lambda _t: self.changed.emit())
            w = line
        return w

    def add_row(self, values: dict[str, Any] | None = None) -> int:
        values = {**self.defaults, **(values or {})}
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, spec in enumerate(self.columns):
            self.table.setCellWidget(row, col, self._make_cell(spec, values.get(spec.key)))
        self.changed.emit()
        return row

    def remove_selected(self) -> None:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()}, reverse=True)
        if not rows and self.table.currentRow() >= 0:
            rows = [self.table.currentRow()]
        for r in rows:
            self.table.removeRow(r)
        if rows:
            self.changed.emit()

    def clear_rows(self) -> None:
        self.table.setRowCount(0)

    def cell(self, row: int, key: str) -> QWidget:
        col = next(i for i, c in enumerate(self.columns) if c.key == key)
        w = self.table.cellWidget(row, col)
        assert w is not None
        return w

    def row_count(self) -> int:
        return self.table.rowCount()

    def raw_rows(self) -> list[dict[str, Any]]:
        """Each row as {key: value}: text for text/choice/date cells, numbers, bools (float blank → None)."""
        rows: list[dict[str, Any]] = []
        for r in range(self.table.rowCount()):
            row: dict[str, Any] = {}
            for spec in self.columns:
                w = self.cell(r, spec.key)
                if isinstance(w, QComboBox):
                    row[spec.key] = w.currentText().strip()
                elif isinstance(w, QLineEdit):
                    row[spec.key] = w.text().strip()
                elif isinstance(w, QSpinBox):
                    row[spec.key] = w.value()
                elif isinstance(w, QDoubleSpinBox):
                    row[spec.key] = None if w.value() < spec.minimum else w.value()
                elif isinstance(w, QCheckBox):
                    row[spec.key] = w.isChecked()
            rows.append(row)
        return rows
