"""首次使用向导: 单位信息 → 申报批次 → 名册, offered when the officer's database is empty.

Nothing is written before 完成: the unit page reuses the 单位信息 dialog's form (its live checks,
``check_uscc`` among them), the round page only reads the installed profiles. On 完成 the unit is
stored with the roster service's ``save_unit`` and the current round updated with
``app.services.rounds.update_round``; 取消 leaves the database as it was.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.errors import ChudingError
from app.policy.profiles import Profile
from app.ui.context import UiContext
from app.ui.dialogs.unit_dialog import UnitDialog

TITLE = "首次使用向导"


def is_first_start(ctx: UiContext) -> bool:
    """The officer's own database without a unit and without persons (never the demo database)."""
    if ctx.demo:
        return False
    from app.services.roster import count_persons, primary_unit

    try:
        return count_persons(ctx.db) == 0 and primary_unit(ctx.db) is None
    except ChudingError:  # the database cannot be read now: the roster load says why, no wizard
        return False


class UnitPage(QWizardPage):
    """单位信息: the 单位信息 dialog's form, embedded (one set of checks)."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        self.setTitle("第一步：单位信息")
        self.setSubTitle("先填写本单位的信息，申报材料和文书都会用到。")
        self.form = UnitDialog(ctx, parent=self)
        self.form.setWindowFlags(Qt.WindowType.Widget)
        self.form.buttons.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.form)
        for edit in (self.form.name_edit, self.form.uscc_edit, self.form.location):
            edit.textChanged.connect(lambda _t: self.completeChanged.emit())

    def isComplete(self) -> bool:
        return self.form.revalidate()


class RoundPage(QWizardPage):
    """申报批次: a notice from the installed profiles; without an application window the deadline."""

    def __init__(self, ctx: UiContext) -> None:
        super().__init__()
        from app.policy.profiles import list_profiles

        self.setTitle("第二步：申报批次")
        self.setSubTitle("选择本次申报依据的通知。各项资格都按通知的截止日期判断。")
        self.profiles = list_profiles()
        self.profile_combo = QComboBox()
        for p in self.profiles:
            self.profile_combo.addItem(p.name, p.id)
        try:
            current = ctx.current_round().profile_id
        except ChudingError:
            current = ctx.settings.profile_id
        index = self.profile_combo.findData(current)
        self.profile_combo.setCurrentIndex(max(index, 0))
        self.window_label = QLabel()
        self.window_label.setWordWrap(True)
        self.deadline_edit = QLineEdit()
        self.deadline_edit.setPlaceholderText("例如：2026-06-30")
        self.deadline_hint = QLabel()
        self.deadline_hint.setWordWrap(True)
        self.deadline_hint.setStyleSheet("color: #d32f2f;")
        form = QFormLayout(self)
        form.addRow("申报通知", self.profile_combo)
        form.addRow("申报时间", self.window_label)
        form.addRow("截止日期", self.deadline_edit)
        form.addRow("", self.deadline_hint)
        self.profile_combo.currentIndexChanged.connect(self._profile_changed)
        self.deadline_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        self._profile_changed()

    def profile(self) -> Profile | None:
        i = self.profile_combo.currentIndex()
        return self.profiles[i] if 0 <= i < len(self.profiles) else None

    def needs_deadline(self) -> bool:
        p = self.profile()
        return p is not None and p.window_end is None

    def _profile_changed(self) -> None:
        p = self.profile()
        if p is None:
            self.window_label.setText("没有可用的政策配置（文件 → 导入政策文件）")
        elif p.window_end is None:
            self.window_label.setText(f"本通知未规定申报时间。{p.window_note}".strip())
        else:
            text = f"{p.window_start or '—'} 至 {p.window_end}"
            if p.window_end < dt.date.today():
                text += "（已结束：如有当年的新通知，请先导入它，或改选按年度申报的通知并填写截止日期）"
            self.window_label.setText(text)
        self.deadline_edit.setEnabled(self.needs_deadline())
        if not self.needs_deadline():
            self.deadline_edit.clear()
        self.completeChanged.emit()

    def deadline(self) -> dt.date | None:
        """The typed deadline (None when empty); raises ValidationError with a Chinese message."""
        from app.policy.dates import parse_date

        return parse_date(self.deadline_edit.text(), field="截止日期")

    def isComplete(self) -> bool:
        if self.profile() is None:
            return False
        if not self.needs_deadline():
            self.deadline_hint.clear()
            return True
        try:
            day = self.deadline()
        except ChudingError as exc:
            self.deadline_hint.setText(exc.message)
            return False
        self.deadline_hint.setText("" if day else "按年度申报的通知没有统一的截止日期：请填写当年通知的截止日期")
        return day is not None


class RosterPage(QWizardPage):
    """名册: import, add a person, or look at the demo first; 完成 saves."""

    def __init__(self, wizard: FirstStartWizard) -> None:
        super().__init__()
        self.setTitle("第三步：名册")
        self.setSubTitle("单位信息和申报批次将在点“完成”或下面的按钮时保存。接着录入申报人员：")
        self.import_button = QPushButton("导入名册…")
        self.new_button = QPushButton("新增人员…")
        self.demo_button = QPushButton("先打开演示数据看看")
        note = QLabel("演示数据在单独的窗口和数据库中打开，不会写入您的正式数据。也可以直接点“完成”，以后再录入人员。")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        for b in (self.import_button, self.new_button, self.demo_button):
            layout.addWidget(b)
        layout.addWidget(note)
        layout.addStretch(1)
        self.import_button.clicked.connect(lambda: wizard.finish_then("import"))
        self.new_button.clicked.connect(lambda: wizard.finish_then("new"))
        self.demo_button.clicked.connect(wizard.demo_requested.emit)


class FirstStartWizard(QWizard):
    import_requested = Signal()
    new_person_requested = Signal()
    demo_requested = Signal()

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(TITLE)
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步 >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< 上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.unit_page = UnitPage(ctx)
        self.round_page = RoundPage(ctx)
        self.roster_page = RosterPage(self)
        for page in (self.unit_page, self.round_page, self.roster_page):
            self.addPage(page)
        self.resize(640, 560)
        self._then = ""
        self.saved = False

    def finish_then(self, what: str) -> None:
        """Save and close, then ask for the import dialog / the person editor."""
        self._then = what
        self.accept()

    def save(self) -> bool:
        """Write the unit and the current round (validated first; nothing is written on failure of a check)."""
        from app.services.roster import save_unit

        profile = self.round_page.profile()
        if profile is None or not self.unit_page.form.revalidate():
            return False
        try:
            deadline = self.round_page.deadline() if self.round_page.needs_deadline() else None
            unit = save_unit(self.ctx.db, self.unit_page.form.collect())
            self.ctx.update_round(profile_id=profile.id, deadline=deadline, as_of=None)
        except ChudingError as exc:
            QMessageBox.warning(self, TITLE, f"未保存：{exc.message}")
            return False
        self.saved = True
        self.ctx.bus.roster_changed.emit()
        self.ctx.bus.status_message.emit(f"已保存单位信息（{unit.name}）和申报批次（{profile.name}）")
        return True

    def accept(self) -> None:
        if not self.save():
            self._then = ""
            return
        super().accept()
        if self._then == "import":
            self.import_requested.emit()
        elif self._then == "new":
            self.new_person_requested.emit()
