"""The main window: navigation (名册 + registered pages), menus, status bar."""

from __future__ import annotations

import logging
import sys
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import APP_DISPLAY_NAME, __version__
from app.errors import ChudingError
from app.paths import resource
from app.ui.context import UiContext
from app.ui.views.roster_page import RosterPage

log = logging.getLogger(__name__)

# Missing items that live on the unit, not the person: they open the unit dialog.
UNIT_FIELDS = ("单位性质", "单位层级", "单位所在地", "四类以下地区", "统一社会信用代码")


# Export issues fixed in the 遮盖 editor (app/export/bundle.py codes); the others on the 材料 page.
MASK_ISSUE_CODES = frozenset({"unmasked", "masked_missing", "no_boxes", "not_needed_unrecorded", "residual",
                              "not_masked"})  # the codes of app.masking.release.PROBLEMS and more

# The window's preferred size; a smaller screen (1366×768 laptops: ~1366×728 available) opens maximised.
PREFERRED_SIZE = QSize(1280, 780)


def opens_maximised(available: QSize) -> bool:
    """Whether the window should open maximised on a screen with this available area (the preferred
    size plus a frame and some room around it does not fit)."""
    return available.width() < PREFERRED_SIZE.width() + 60 or available.height() < PREFERRED_SIZE.height() + 60


DEMO_BANNER = ("演示数据：这里的单位和人员都是虚构的，用来熟悉操作。在这里做的修改只留在演示数据库中，"
               "不会进入您的正式数据。")


def demo_launch_command() -> tuple[str, list[str]]:
    """How to start a second copy of the app on the demo database (the frozen app is its own
    executable; from source it is ``python -m app``)."""
    if getattr(sys, "frozen", False):
        return sys.executable, ["--demo"]
    return sys.executable, ["-m", "app", "--demo"]


def app_icon() -> QIcon:
    path = resource("icons", "app.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


class MainWindow(QMainWindow):
    def __init__(self, ctx: UiContext, *, load_on_show: bool = True, first_start: bool = True) -> None:
        super().__init__()
        self.ctx = ctx
        self._offer_first_start = first_start  # 首次使用向导 on an empty officer's database
        self.first_start_wizard: QDialog | None = None
        self.dialog: QDialog | None = None  # the last dialog opened (non-modal handles kept alive)
        self._shown_once = False
        self._load_on_show = load_on_show
        self._select_after_load: int | None = None
        self._pages_pending = False
        self.extra_pages: list[tuple[str, QWidget]] = []
        self.setWindowTitle(f"{APP_DISPLAY_NAME} {__version__}" + ("【演示数据】" if ctx.demo else ""))
        self.setWindowIcon(app_icon())
        self.resize(PREFERRED_SIZE)

        self.nav = QListWidget()
        self.nav.setFixedWidth(96)
        self.nav.setIconSize(QSize(24, 24))
        self.nav.setStyleSheet("QListWidget { font-size: 15px; } QListWidget::item { padding: 10px 6px; }")
        self.stack = QStackedWidget()
        self.roster = RosterPage(ctx)
        self._add_page("名册", self.roster)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.setCurrentRow(0)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.demo_banner = QLabel(DEMO_BANNER)
        self.demo_banner.setWordWrap(True)
        self.demo_banner.setStyleSheet("background: #fff3cd; color: #664d03; padding: 6px 12px;")
        self.demo_banner.setVisible(ctx.demo)
        outer.addWidget(self.demo_banner)
        h = QHBoxLayout()
        h.setSpacing(0)
        h.addWidget(self.nav)
        h.addWidget(self.stack, 1)
        outer.addLayout(h, 1)
        self.setCentralWidget(central)

        self._build_menus()
        self._build_status_bar()
        self.roster.edit_requested.connect(self.open_editor)
        self.roster.context_changed.connect(self.update_status)
        self.roster.loaded.connect(self._after_load)
        self.roster.table.selectionModel().currentRowChanged.connect(lambda *_: self._update_actions())
        ctx.bus.status_message.connect(lambda m: self.statusBar().showMessage(m, 8000))
        # the one change signal: every finished background operation's change record arrives here once
        from app.ui.workers import set_change_sink

        set_change_sink(ctx.bus.changed.emit)
        self._update_actions()

    def show_fitted(self) -> None:
        """Show the window at its preferred size, centred, or maximised where that does not fit."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry()
        if opens_maximised(available.size()):
            self.showMaximized()
            return
        self.resize(PREFERRED_SIZE)
        frame = self.frameGeometry()
        frame.moveCenter(available.center())
        self.move(frame.topLeft())
        self.show()

    # --- pages ---------------------------------------------------------------------------------
    def _add_page(self, title: str, widget: QWidget, *, first: bool = False) -> None:
        row = 0 if first else self.nav.count()
        self.stack.insertWidget(row, widget)
        self.nav.insertItem(row, title)
        self.nav.item(row).setTextAlignment(Qt.AlignmentFlag.AlignCenter)

    def load_extra_pages(self) -> list[str]:
        """Build the pages after 名册 (once: a second call returns the titles again)."""
        from app.ui.pages import build_pages, is_home

        self._pages_pending = False
        if self.extra_pages:
            return [t for t, _ in self.extra_pages]
        on_roster = self.stack.currentWidget() is self.roster
        for title, widget in build_pages(self.ctx):
            self.extra_pages.append((title, widget))
            self._add_page(title, widget, first=is_home(title))
            if hasattr(widget, "mask_requested"):
                widget.mask_requested.connect(self.jump_to_mask)
            for signal, slot in (("packet_requested", self.jump_to_packet), ("edit_requested", self.open_editor),
                                 ("page_requested", self._page), ("round_edit_requested", self.edit_round),
                                 ("letters_requested", self.jump_to_letters), ("unit_requested", self.jump_to_unit)):
                if hasattr(widget, signal):
                    getattr(widget, signal).connect(slot)
            if on_roster and is_home(title):
                self.nav.setCurrentRow(0)  # the home page, once it is there (the roster shows first)
        return [t for t, _ in self.extra_pages]

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if self._load_on_show:
                QTimer.singleShot(0, self.start_up)

    def start_up(self) -> None:
        """The work deferred until the window is on screen: profiles, the roster, extra pages."""
        self.roster.init_profiles()
        if self.ctx.demo and self._demo_empty():
            self._create_demo()
        else:
            self.roster.reload()
        self.update_status()
        # the other pages import heavier modules: only once the roster is on screen
        self._pages_pending = True
        if self._offer_first_start:
            from app.ui.dialogs.first_start import is_first_start

            if is_first_start(self.ctx):
                self.open_first_start()

    def open_first_start(self) -> QDialog:
        """设置 → 首次使用向导 (and at start-up on an empty database): unit, round, roster."""
        from app.ui.dialogs.first_start import FirstStartWizard

        wizard = FirstStartWizard(self.ctx, self)
        wizard.import_requested.connect(self.open_import)
        wizard.new_person_requested.connect(lambda: self.open_editor(None))
        wizard.demo_requested.connect(self.open_demo)
        self.first_start_wizard = wizard
        wizard.open()
        return wizard

    def _demo_empty(self) -> bool:
        from app.services.roster import count_persons

        return count_persons(self.ctx.db) == 0

    def _create_demo(self) -> None:
        """Fill an empty demo database (the invented unit, staff and scans), then show it."""
        from app.services.demo import create_demo
        from app.ui.workers import op

        db = self.ctx.db

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(self, "演示数据", getattr(exc, "message", str(exc)))
            self.roster.reload()

        def done(_summary: object) -> None:
            self.roster.reload()

        op(self, lambda _task: create_demo(db)).with_progress("正在创建演示数据…").success(done).failure(failed).run()

    def open_demo(self) -> bool:
        """帮助 → 打开演示数据: a second window on the demo database, in its own process, so the
        officer's data and the demo never share a database."""
        from PySide6.QtCore import QProcess

        program, args = demo_launch_command()
        started = QProcess.startDetached(program, args)
        ok = bool(started[0] if isinstance(started, tuple) else started)
        if not ok:
            QMessageBox.warning(self, "演示数据", "无法启动演示数据窗口，请稍后重试。")
        else:
            self.statusBar().showMessage("正在打开演示数据窗口…", 8000)
        return ok

    # --- menus ---------------------------------------------------------------------------------
    def _action(self, text: str, slot: Any,
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None) -> QAction:
        a = QAction(text, self)
        a.triggered.connect(lambda _checked=False: slot())
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        return a

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("文件(&F)")
        self.act_import = self._action("导入名册…", self.open_import, "Ctrl+I")
        self.act_export = self._action("导出名册…", self.open_export, "Ctrl+E")
        self.act_template = self._action("名册模板…", self.save_template)
        self.act_bundle = self._action("导出申报材料包…", self.open_bundle_wizard, "Ctrl+Shift+E")
        self.act_policy = self._action("导入政策文件…", self.open_policy_import)
        self.act_quit = self._action("退出", self.close, QKeySequence.StandardKey.Quit)
        for a in (self.act_import, self.act_export, self.act_template):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.act_bundle)
        m.addSeparator()
        m.addAction(self.act_policy)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("编辑(&E)")
        self.act_new = self._action("新增人员…", lambda: self.open_editor(None), QKeySequence.StandardKey.New)
        self.act_edit = self._action("编辑…", self.edit_current, "Ctrl+Return")
        self.act_delete = self._action("删除", self.delete_current, QKeySequence.StandardKey.Delete)
        for a in (self.act_new, self.act_edit, self.act_delete):
            m.addAction(a)
        m = mb.addMenu("设置(&S)")
        self.act_unit = self._action("单位信息…", self.open_unit)
        self.act_settings = self._action("设置…", self.open_settings)
        self.act_first_start = self._action("首次使用向导…", self.open_first_start)
        self.act_first_start.setVisible(not self.ctx.demo)
        m.addAction(self.act_unit)
        m.addAction(self.act_settings)
        m.addAction(self.act_first_start)
        m = mb.addMenu("帮助(&H)")
        self.act_about = self._action("关于…", self.open_about)
        self.act_logs = self._action("打开日志文件夹", self.open_log_folder)
        self.act_guide = self._action("使用说明", self.open_guide, QKeySequence.StandardKey.HelpContents)
        m.addAction(self.act_guide)
        self.act_demo = self._action("打开演示数据", self.open_demo)
        self.act_demo.setVisible(not self.ctx.demo)
        m.addAction(self.act_demo)
        m.addAction(self.act_about)
        m.addAction(self.act_logs)

    def open_bundle_wizard(self) -> Any:
        """The submission-bundle export wizard; its "转到此项" opens the person on the 材料 page."""
        from app.ui.export.wizard import ExportWizard

        wizard = ExportWizard(self.ctx, self)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        wizard.jump_requested.connect(self.jump_to_packet)
        wizard.show()
        return wizard

    def _page(self, title: str) -> QWidget | None:
        """Show the page called ``title`` and return it (None when it is not installed)."""
        for t, widget in self.extra_pages:
            if t == title:
                self.nav.setCurrentRow(self.stack.indexOf(widget))
                self.activateWindow()
                return widget
        return None

    def jump_to_letters(self, person_id: int) -> bool:
        """The 文书 page with the person current (the dashboard's 文书 cell)."""
        widget = self._page("文书")
        return bool(widget is not None and widget.focus_person(person_id))  # type: ignore[attr-defined]

    def jump_to_unit(self, slot: str = "") -> bool:
        """The 文书 page's 单位材料 with the unit document ``slot`` selected (the dashboard's unit rows)."""
        widget = self._page("文书")
        return bool(widget is not None and widget.focus_unit(slot))  # type: ignore[attr-defined]

    def edit_round(self) -> None:
        """Where the current round's profile and date are edited: the roster page's toolbar."""
        self.nav.setCurrentRow(self.stack.indexOf(self.roster))
        self.roster.as_of_edit.setFocus()

    def jump_to_packet(self, person_id: int, slot: str = "", document_id: int = -1, page_id: int = -1,
                       code: str = "") -> bool:
        """Show the place to fix an issue: a page still to mask opens in 遮盖 at that page, anything
        else opens the person on 材料 with the slot's card selected."""
        if code in MASK_ISSUE_CODES:
            return self.jump_to_mask(person_id, document_id, page_id)
        widget = self._page("材料")
        if widget is None or not hasattr(widget, "show_person"):
            return False
        shown = bool(widget.show_person(person_id))
        if shown and slot and hasattr(widget, "select_slot_key"):
            widget.select_slot_key(slot)
        return shown

    def jump_to_mask(self, person_id: int, document_id: int = -1, page_id: int = -1) -> bool:
        """The 遮盖 page on ``person_id``'s page to mask (from a card's 去遮盖 or the export wizard)."""
        widget = self._page("遮盖")
        if widget is None or not hasattr(widget, "open_target"):
            return False
        return widget.open_target(person_id, document_id, page_id) is not None

    def _update_actions(self) -> None:
        has = self.roster.current_person() is not None
        self.act_edit.setEnabled(has)
        self.act_delete.setEnabled(has)

    # --- status bar ----------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.status_count = QLabel()
        self.status_profile = QLabel()
        self.status_as_of = QLabel()
        self.status_db = QLabel()
        for w in (self.status_count, self.status_profile, self.status_as_of, self.status_db):
            w.setContentsMargins(8, 0, 8, 0)
            sb.addPermanentWidget(w)
        self.update_status()

    def update_status(self) -> None:
        n = self.roster.model.rowCount()
        shown = self.roster.proxy.rowCount()
        self.status_count.setText(f"人员：{n}" + (f"（显示 {shown}）" if shown != n else ""))
        profile = self.roster.current_profile()
        self.status_profile.setText(f"政策：{profile.name if profile else getattr(self.roster, '_round_profile', '')}")
        as_of = self.roster.as_of
        self.status_as_of.setText(f"审核日期：{as_of.isoformat() if as_of else '—'}")
        path = self.ctx.db.sqlite_path
        self.status_db.setText(f"数据库：{path.name if path else self.ctx.db.url.split('@')[-1]}")
        self.status_db.setToolTip(str(path) if path else "")

    def _after_load(self) -> None:
        if self._pages_pending:
            self._pages_pending = False
            QTimer.singleShot(0, self.load_extra_pages)
        if self._select_after_load is not None:
            self.roster.select_person(self._select_after_load)
            self._select_after_load = None
        self.update_status()
        self._update_actions()

    # --- dialogs -------------------------------------------------------------------------------
    def _show(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        dialog.open()
        return dialog

    def open_editor(self, person_id: int | None, field: str = "") -> QDialog | None:
        from app.services.roster import find_person
        from app.ui.dialogs.person_editor import PersonEditor

        person = None
        if person_id is not None:
            try:
                person = find_person(self.ctx.db, person_id)
            except ChudingError as exc:
                from app.ui.server_fault import warn

                warn(self, "无法编辑", exc)
                return None
        unit_field = next((f for f in UNIT_FIELDS if field and f in field), None)
        if person is not None and unit_field and person.unit.name:
            return self.open_unit(person.unit, focus_field=unit_field)
        editor = PersonEditor(self.ctx, person, self, focus_field=field or None)

        def saved() -> None:
            if editor.saved_person is not None:
                self._select_after_load = editor.saved_person.id

        editor.accepted.connect(saved)
        return self._show(editor)

    def edit_current(self) -> None:
        p = self.roster.current_person()
        if p is not None and p.id is not None:
            self.open_editor(p.id)

    def delete_current(self, *, confirm: bool = True) -> bool:
        p = self.roster.current_person()
        if p is None or p.id is None:
            return False
        if confirm:
            answer = QMessageBox.question(
                self, "删除人员", f"确定删除“{p.name}”（{p.id_number}）及其全部记录吗？此操作不能撤销。",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return False
        from app.services.roster import delete_person

        try:
            delete_person(self.ctx.db, p.id)
        except ChudingError as exc:
            from app.ui.server_fault import warn

            warn(self, "未删除", exc)
            return False
        self.ctx.bus.status_message.emit(f"已删除：{p.name}")
        self.ctx.bus.roster_changed.emit()
        return True

    def open_import(self) -> QDialog:
        from app.ui.dialogs.import_dialog import ImportDialog

        return self._show(ImportDialog(self.ctx, self))

    def open_export(self) -> QDialog:
        from app.ui.dialogs.export_dialog import ExportDialog

        return self._show(ExportDialog(self.ctx, self.roster.model.verdicts(), self))

    def save_template(self) -> None:
        from app.ui.dialogs.export_dialog import save_template

        try:
            path = save_template(self)
        except ChudingError as exc:
            from app.ui.server_fault import warn

            warn(self, "未保存模板", exc)
            return
        if path is not None:
            self.statusBar().showMessage(f"名册模板已保存：{path}", 8000)

    def open_unit(self, unit: Any = None, *, focus_field: str | None = None) -> QDialog:
        from app.ui.dialogs.unit_dialog import UnitDialog

        dialog = self._show(UnitDialog(self.ctx, unit, parent=self))
        if focus_field:
            dialog.focus_field(focus_field)  # type: ignore[attr-defined]
        return dialog

    def open_settings(self) -> QDialog:
        from app.ui.dialogs.settings_dialog import SettingsDialog

        return self._show(SettingsDialog(self.ctx, self))

    def open_policy_import(self, path: str | None = None) -> QDialog | None:
        """文件 → 导入政策文件: validate, show source and differences, keep it in the data folder."""
        from app.ui.dialogs.policy_import_dialog import open_policy_import

        dialog = open_policy_import(self, path, self.ctx.settings.profile_id)
        if dialog is None:
            return None

        def imported() -> None:
            p = dialog.preview.profile
            self.roster.init_profiles()
            self.ctx.bus.status_message.emit(f"已导入政策配置：{p.name}（{p.id}）")

        dialog.accepted.connect(imported)
        return self._show(dialog)

    def open_guide(self) -> QDialog:
        from app.ui.dialogs.guide_dialog import GuideDialog

        self.dialog = GuideDialog(self)
        self.dialog.show()
        return self.dialog

    def open_about(self) -> QDialog:
        from app.ui.dialogs.about_dialog import AboutDialog

        return self._show(AboutDialog(self))

    def open_log_folder(self) -> None:
        from app.paths import user_log_dir

        QDesktopServices.openUrl(QUrl.fromLocalFile(str(user_log_dir())))

    def closeEvent(self, event: QCloseEvent) -> None:
        from PySide6.QtCore import QThreadPool

        # let a running roster load finish so its result has somewhere to go
        QThreadPool.globalInstance().waitForDone(5000)
        from app.ui.workers import set_change_sink

        set_change_sink(None)
        log.info("main window closed")
        super().closeEvent(event)
