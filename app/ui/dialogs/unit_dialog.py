"""单位信息: the officer's own unit (name, 统一社会信用代码 checked live, nature, location, level)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain import vocab
from app.domain.person import UnitData
from app.errors import ChudingError
from app.policy.identifiers import check_uscc
from app.ui.context import UiContext
from app.ui.dialogs.fields import (
    choice_combo,
    hint_label,
    mark,
    save_cancel_buttons,
    set_combo_text,
    set_tri_state,
    tri_state,
)

# What "四类以下地区" means and where it matters, for an officer who has never met the term.
BELOW_CLASS4_HELP = ("指单位所在地属于国家艰苦边远地区类别划分中的“四类以下”地区（以当地人社部门公布的划分为准）。"
                     "只在《关于进一步明确自治区有关职称政策的通知》（新人社发〔2013〕101号）第四条中使用："
                     "党校学历人员在此类地区县级专业技术岗位工作的，可与全日制毕业生同等初定。不确定时选“否”，并向当地人社局确认。")


class UnitDialog(QDialog):
    def __init__(self, ctx: UiContext, unit: UnitData | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("单位信息")
        self.resize(520, 320)
        if unit is None:
            from app.services.roster import primary_unit

            unit = primary_unit(ctx.db) or UnitData()
        self.unit = unit
        self.saved_unit: UnitData | None = None
        self.name_edit = QLineEdit(unit.name)
        self.uscc_edit = QLineEdit(unit.uscc)
        self.uscc_edit.setMaxLength(20)
        self.uscc_edit.setPlaceholderText("18 位统一社会信用代码")
        self.uscc_hint = hint_label()
        self.name_hint = hint_label()
        self.location_hint = hint_label()
        self.nature = choice_combo(vocab.UNIT_NATURES)
        set_combo_text(self.nature, unit.nature)
        self.location = QLineEdit(unit.location)
        self.location.setPlaceholderText("例如：乌鲁木齐市")
        self.level = choice_combo(vocab.UNIT_LEVELS)
        set_combo_text(self.level, unit.level)
        self.below_class4 = choice_combo(vocab.YES_NO)
        set_tri_state(self.below_class4, unit.below_class4, "是", "否")
        form = QFormLayout()
        form.addRow("单位名称", self.name_edit)
        form.addRow("", self.name_hint)
        form.addRow("统一社会信用代码", self.uscc_edit)
        form.addRow("", self.uscc_hint)
        form.addRow("单位性质", self.nature)
        form.addRow("所在地", self.location)
        form.addRow("", self.location_hint)
        form.addRow("层级", self.level)
        form.addRow("四类以下地区", self.below_class4)
        self.below_class4_help = QLabel(BELOW_CLASS4_HELP)
        self.below_class4_help.setWordWrap(True)
        self.below_class4_help.setStyleSheet("color: #666;")
        self.below_class4.setToolTip(BELOW_CLASS4_HELP)
        form.addRow("", self.below_class4_help)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.name_edit.textChanged.connect(self.revalidate)
        self.uscc_edit.textChanged.connect(self.revalidate)
        self.location.textChanged.connect(self.revalidate)
        self.revalidate()

    def focus_field(self, label: str) -> bool:
        widgets = {"单位名称": self.name_edit, "统一社会信用代码": self.uscc_edit, "单位性质": self.nature,
                   "单位所在地": self.location, "所在地": self.location, "单位层级": self.level, "层级": self.level,
                   "四类以下地区": self.below_class4}
        w = widgets.get(label)
        if w is None:
            return False
        w.setFocus()
        return True

    def revalidate(self) -> bool:
        from app.roster.validate import text_field_issues

        name = self.name_edit.text().strip()
        name_issues = [("error", i.message) for i in text_field_issues("单位名称", name)] if name \
            else [("error", "单位名称不能为空")]
        mark(self.name_edit, self.name_hint, name_issues)
        uscc_issues: list[tuple[str, str]] = []
        text = self.uscc_edit.text().strip()
        if text:
            r = check_uscc(text)
            uscc_issues = [("error", m) for m in r.errors] + [("warning", m) for m in r.warnings]
        mark(self.uscc_edit, self.uscc_hint, uscc_issues)
        loc_issues = [("error", i.message) for i in text_field_issues("单位所在地", self.location.text().strip())]
        mark(self.location, self.location_hint, loc_issues)
        ok = not any(s == "error" for s, _ in name_issues + uscc_issues + loc_issues)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)
        return ok

    def collect(self) -> UnitData:
        return UnitData(name=self.name_edit.text().strip(), uscc=self.uscc_edit.text().strip().upper(),
                        nature=self.nature.currentText(), location=self.location.text().strip(),
                        level=self.level.currentText(), below_class4=tri_state(self.below_class4, "是"),
                        id=self.unit.id)

    def save(self) -> None:
        if not self.revalidate():
            return
        from app.services.roster import save_unit

        try:
            self.saved_unit = save_unit(self.ctx.db, self.collect())
        except ChudingError as exc:
            self.message.setText(f'<span style="color:#d32f2f">未保存：{exc.message}</span>')
            return
        self.ctx.bus.roster_changed.emit()
        self.ctx.bus.status_message.emit(f"单位信息已保存：{self.saved_unit.name}")
        self.accept()


