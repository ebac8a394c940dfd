"""The roster page: profile/as-of toolbar, search, status filters, the table and the detail panel."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QDate, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.person import PersonData
from app.ui.context import UiContext
from app.ui.item_models import eligibility as elig
from app.ui.item_models.roster_model import (
    ELIGIBILITY_COLUMN,
    PERSON_ROLE,
    RosterFilterProxy,
    RosterTableModel,
)
from app.ui.views.eligibility_panel import EligibilityPanel

log = logging.getLogger(__name__)

FILTERS = ("全部", *elig.STATUSES)


class RosterPage(QWidget):
    edit_requested = Signal(int, str)  # person id, field
    context_changed = Signal()  # profile / as-of / counts changed (status bar)
    loaded = Signal()  # a roster load (and check) finished

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.profiles: list[elig.ProfileChoice] = []
        self.as_of: dt.date | None = None
        self.as_of_notes: list[str] = []
        self.eligibility_available = True
        self._loading = False
        self._updating_toolbar = False

        # toolbar: profile, as-of, notes
        self.toolbar = QToolBar("审核条件")
        self.toolbar.setMovable(False)
        self.profile_combo = QComboBox()
        self.profile_combo.setMinimumContentsLength(28)
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.as_of_edit = QDateEdit()
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDisplayFormat("yyyy-MM-dd")
        self.default_date_button = QToolButton()
        self.default_date_button.setText("默认日期")
        self.default_date_button.setToolTip("使用申报批次的截止日期（未填写时为政策文件规定的截止日）")
        self.round_label = QLabel()
        self.toolbar.addWidget(self.round_label)
        self.toolbar.addWidget(QLabel(" 政策文件："))
        self.toolbar.addWidget(self.profile_combo)
        self.toolbar.addWidget(QLabel("  审核日期："))
        self.toolbar.addWidget(self.as_of_edit)
        self.toolbar.addWidget(self.default_date_button)
        self.notes_label = QLabel()
        self.notes_label.setStyleSheet("color:#8a5300")
        self.toolbar.addWidget(self.notes_label)

        # search + filters
        self.search = QLineEdit()
        self.search.setPlaceholderText("按姓名或身份证号筛选…")
        self.search.setClearButtonEnabled(True)
        self.filter_group = QButtonGroup(self)
        self.filter_group.setExclusive(True)
        self.filter_buttons: dict[str, QToolButton] = {}
        filters = QHBoxLayout()
        filters.addWidget(self.search, 1)
        for i, name in enumerate(FILTERS):
            b = QToolButton()
            b.setText(name)
            b.setCheckable(True)
            b.setAutoRaise(False)
            self.filter_group.addButton(b, i)
            self.filter_buttons[name] = b
            filters.addWidget(b)
        self.filter_buttons["全部"].setChecked(True)

        # table + detail
        self.model = RosterTableModel(self)
        self.proxy = RosterFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self._double_clicked)
        self.detail = EligibilityPanel()
        self.detail.edit_requested.connect(self.edit_requested)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([860, 400])
        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.addWidget(self.toolbar)
        # the round's dates, visibly (not in the toolbar's overflow): closed, or no deadline known
        self.round_banner = QLabel()
        self.round_banner.setWordWrap(True)
        self.round_banner.setStyleSheet("background: #fff3cd; color: #664d03; padding: 4px 8px;")
        self.round_banner.setVisible(False)
        layout.addWidget(self.round_banner)
        layout.addLayout(filters)
        layout.addWidget(self.empty_label)
        layout.addWidget(splitter, 1)

        self.search.textChanged.connect(self._search_changed)
        self.filter_group.idClicked.connect(lambda i: self.set_status_filter(FILTERS[i]))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_current())
        self.profile_combo.currentIndexChanged.connect(self._profile_changed)
        self.as_of_edit.dateChanged.connect(self._date_changed)
        self.default_date_button.clicked.connect(self._default_date)
        ctx.bus.changed.connect(self._on_change)
        ctx.status.ready.connect(self._status_ready)  # computed once for every page (app.ui.status_source)
        ctx.status.failed.connect(self._failed)

    # --- the round's profile and date ------------------------------------------------------------
    def init_profiles(self) -> None:
        """Fill the profile selector (imports the policy package; called after the window shows)."""
        from app.errors import ChudingError

        try:
            self.profiles = elig.list_profile_choices()
        except ChudingError as exc:  # a bad profile file: say which, keep the roster usable
            log.error("profiles not loaded: %s", exc.message)
            self.profiles = []
            self.ctx.bus.status_message.emit(exc.message)
        self._updating_toolbar = True
        try:
            self.profile_combo.clear()
            for p in self.profiles:
                self.profile_combo.addItem(p.name, p.id)
                self.profile_combo.setItemData(self.profile_combo.count() - 1, p.id, Qt.ItemDataRole.ToolTipRole)
            self._show_round()
        finally:
            self._updating_toolbar = False

    def _show_round(self) -> None:
        """Show the current round's profile and (resolved) date in the toolbar."""
        from app.services.rounds import judge_round, round_deadline
        from app.ui.views.dashboard import deadline_banner

        r = self.ctx.current_round()
        self._round_profile = r.profile_id
        if self.profile_combo.findData(r.profile_id) < 0:
            self.profile_combo.addItem(r.profile_id, r.profile_id)
        self.profile_combo.setEnabled(bool(self.profiles))
        self._updating_toolbar, was = True, self._updating_toolbar
        try:
            self.profile_combo.setCurrentIndex(self.profile_combo.findData(r.profile_id))
            try:
                judge = judge_round(round_info=r)
                self.as_of, self.as_of_notes = judge.as_of, list(judge.notes)
                banner = deadline_banner(round_deadline(judge), here=True)
            except Exception as exc:
                banner = ""
                self.as_of, self.as_of_notes = r.as_of or dt.date.today(), [getattr(exc, "message", str(exc))]
            self.as_of_edit.setDate(QDate(self.as_of.year, self.as_of.month, self.as_of.day))
        finally:
            self._updating_toolbar = was
        self.round_label.setText(f" 申报批次：{r.name} ")
        self.default_date_button.setEnabled(r.as_of is not None)
        self.notes_label.setText("  " + "；".join(self.as_of_notes) if self.as_of_notes else "")
        self.round_banner.setText(banner)
        self.round_banner.setVisible(bool(banner))

    def current_profile(self) -> elig.ProfileChoice | None:
        pid = getattr(self, "_round_profile", None)
        return next((p for p in self.profiles if p.id == pid), None)

    def _profile_changed(self, _i: int) -> None:
        if self._updating_toolbar:
            return
        pid = self.profile_combo.currentData()
        if pid:
            self.ctx.update_round(profile_id=pid)  # → bus.changed → recheck

    def _date_changed(self, qd: QDate) -> None:
        if self._updating_toolbar:
            return
        d = dt.date(qd.year(), qd.month(), qd.day())
        if d != self.as_of:
            self.ctx.update_round(as_of=d)

    def _default_date(self) -> None:
        self.ctx.update_round(as_of=None)

    def set_profile(self, profile_id: str) -> None:
        i = self.profile_combo.findData(profile_id)
        if i >= 0:
            self.profile_combo.setCurrentIndex(i)

    def set_as_of(self, d: dt.date) -> None:
        self.as_of_edit.setDate(QDate(d.year, d.month, d.day))

    # --- loading -----------------------------------------------------------------------------------
    def reload(self) -> None:
        """Judge the round's persons again (in the background); the table updates when done."""
        self._loading = True
        self.ctx.status.refresh()

    def _status_ready(self, status: Any) -> None:
        persons, run = elig.run_from_status(status)
        self._apply(persons, run)

    def _on_change(self, change: Any) -> None:
        """Any data change (a mask, an upload, the round's date …): the status source judges again."""
        self._loading = True
        if change.round_fields:
            self._show_round()

    def recheck(self) -> None:
        self._show_round()
        self.reload()

    def _failed(self, message: str) -> None:
        self._loading = False
        self.notes_label.setText(f"  审核未完成：{message}")
        self.loaded.emit()

    def _apply(self, persons: list[PersonData], run: elig.EligibilityRun) -> None:
        current = self.current_person()
        self.eligibility_available = run.available
        self.model.set_persons(persons, run.verdicts, run.status)
        self.table.setColumnHidden(ELIGIBILITY_COLUMN, not run.available)
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for col in range(self.model.columnCount()):
            header.resizeSection(col, min(header.sectionSize(col), 150))
        header.resizeSection(ELIGIBILITY_COLUMN, 210)
        self._update_filter_counts()
        self.empty_label.setVisible(not persons)
        self.empty_label.setText("名册为空。请使用“文件 → 导入名册”或“编辑 → 新增人员”。")
        if current is not None and current.id is not None:
            self.select_person(current.id)
        else:
            self._show_current()
        if not run.available:
            self.notes_label.setText("  资格审核模块不可用")
        self._loading = False
        self.context_changed.emit()
        self.loaded.emit()

    def is_loading(self) -> bool:
        return self._loading or bool(self.ctx.status.busy)

    # --- filters -----------------------------------------------------------------------------------
    def _search_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self._show_current()

    def set_status_filter(self, status: str) -> None:
        self.filter_buttons[status].setChecked(True)
        self.proxy.set_status(status)
        self._show_current()

    def _update_filter_counts(self) -> None:
        counts = self.model.status_counts()
        self.filter_buttons["全部"].setText(f"全部 {self.model.rowCount()}")
        for s in elig.STATUSES:
            self.filter_buttons[s].setText(f"{s} {counts.get(s, 0)}")
            fg, _bg = elig.STATUS_COLOURS[s]
            self.filter_buttons[s].setStyleSheet(f"QToolButton {{ color: {fg}; }}")

    # --- selection ---------------------------------------------------------------------------------
    def visible_persons(self) -> list[PersonData]:
        return [self.proxy.index(r, 0).data(PERSON_ROLE) for r in range(self.proxy.rowCount())]

    def current_person(self) -> PersonData | None:
        idx = self.table.currentIndex()
        if not idx.isValid():
            return None
        return idx.data(PERSON_ROLE)

    def select_person(self, person_id: int) -> bool:
        row = self.model.row_of(person_id)
        if row < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        if not idx.isValid():
            return False
        self.table.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(idx)
        self._show_current()
        return True

    def _show_current(self) -> None:
        p = self.current_person()
        if p is not None and self.proxy.mapFromSource(self.model.index(self.model.row_of(p.id or -1), 0)).isValid():
            note = "" if self.eligibility_available else "资格审核模块不可用"
            self.detail.show_person(p, self.model.verdict(p.id), note=note)
        else:
            self.detail.show_person(None, None)

    def _double_clicked(self, idx: QModelIndex) -> None:
        p: Any = idx.data(PERSON_ROLE)
        if p is not None and p.id is not None:
            self.edit_requested.emit(p.id, "")
