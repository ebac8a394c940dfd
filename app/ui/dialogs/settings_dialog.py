"""设置: counting options and the holiday table the officer edits: Xinjiang regional festivals (肉孜节,
古尔邦节 …) and the State Council's announced national schedule (元旦 … 国庆节, with 调休 working days)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChudingError, ValidationError
from app.policy.dates import parse_date
from app.ui.context import UiContext
from app.ui.dialogs.fields import ColumnSpec, RecordTable, hint_label, mark, save_cancel_buttons

log = logging.getLogger(__name__)

ANNIVERSARY_MODES = (("same_day", "满 N 年当日（通行做法）"), ("day_after", "满 N 年次日（民法典第二百零一、二百零二条）"))
HOLIDAY_COLUMNS = (
    ColumnSpec("year", "年度", "int", minimum=2000, maximum=2100, width=70),
    ColumnSpec("name", "节日", width=80),
    ColumnSpec("start", "放假开始", "date", width=100),
    ColumnSpec("end", "放假结束", "date", width=100),
    ColumnSpec("festival", "节日当天", "date", width=100),
    ColumnSpec("workdays", "调休上班日（逗号分隔）", width=150),
    ColumnSpec("source", "来源（文件、日期）", width=180),
    ColumnSpec("assumption", "推定", "bool", width=45),
    ColumnSpec("enabled", "启用", "bool", width=45),
    ColumnSpec("note", "备注", width=120),
    ColumnSpec("origin", "origin", hidden=True),
)
_SPLIT = re.compile(r"[,，;；、\s]+")


def holiday_to_row(h: Any) -> dict[str, Any]:
    row = dataclasses.asdict(h)
    row["workdays"] = ", ".join(d.isoformat() for d in h.workdays)
    return row


class SettingsDialog(QDialog):
    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("设置")
        self.resize(760, 520)
        self.tabs = QTabWidget()

        general = QWidget()
        form = QFormLayout(general)
        self.anniversary = QComboBox()
        for key, label in ANNIVERSARY_MODES:
            self.anniversary.addItem(label, key)
        self._round = ctx.current_round()  # the option belongs to the current 申报批次
        idx = self.anniversary.findData(self._round.options.anniversary_mode or ctx.settings.anniversary_mode)
        self.anniversary.setCurrentIndex(max(idx, 0))
        form.addRow(f"年限计算（申报批次“{self._round.name}”）", self.anniversary)
        self.tabs.addTab(general, "常规")

        holidays = QWidget()
        hv = QVBoxLayout(holidays)
        intro = QLabel("计算“N 个工作日”时扣除的节假日。新疆地方节日（肉孜节、古尔邦节等）按自治区当年公布的放假安排录入；"
                       "国务院公布某年放假安排后，可按节日名称（元旦、春节、清明节、劳动节、端午节、中秋节、国庆节）录入"
                       "放假日期和调休上班日，录入的安排优先于软件内置或推算（推定）的日期。每行请在“来源”中注明文件。")
        intro.setWordWrap(True)
        hv.addWidget(intro)
        self.holiday_cls: type | None = None
        self.holidays: RecordTable | None = None
        self.holiday_hint = hint_label()
        from app.policy.workdays import RegionalHoliday, load_regional_holidays

        self.holiday_cls = RegionalHoliday
        self.holidays = RecordTable(HOLIDAY_COLUMNS, add_text="添加节假日",
                                    defaults={"enabled": True, "origin": "officer"})
        for h in load_regional_holidays(include_disabled=True):
            self.holidays.add_row(holiday_to_row(h))
        self.holidays.changed.connect(self.revalidate)
        hv.addWidget(self.holidays, 1)
        hv.addWidget(self.holiday_hint)
        self.tabs.addTab(holidays, "节假日")

        self.tabs.addTab(self._database_tab(), "数据库")

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.buttons = save_cancel_buttons(self, self.save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _database_tab(self) -> QWidget:
        """本机 SQLite or a shared PostgreSQL server; the password is typed here, never shown again."""
        from sqlalchemy.engine import make_url

        w = QWidget()
        form = QFormLayout(w)
        form.addRow(QLabel("几位经办人共同准备申报时，可改用单位的 PostgreSQL 服务器：人员、扫描件和遮盖结果由大家共享。"
                           "修改后请重新启动程序。"))
        self.db_kind = QComboBox()
        self.db_kind.addItem("本机数据库（默认）", "local")
        self.db_kind.addItem("单位服务器（PostgreSQL）", "server")
        self.db_host, self.db_port, self.db_name, self.db_user = QLineEdit(), QLineEdit("5432"), QLineEdit(), QLineEdit()
        self.db_password = QLineEdit()
        self.db_password.setEchoMode(QLineEdit.EchoMode.Password)
        self.db_password.setPlaceholderText("留空表示沿用已保存的密码")
        current = self.ctx.settings.db_url
        if current and not current.startswith("sqlite"):
            u = make_url(current)
            self.db_kind.setCurrentIndex(1)
            self.db_host.setText(u.host or "")
            self.db_port.setText(str(u.port or 5432))
            self.db_name.setText(u.database or "")
            self.db_user.setText(u.username or "")
        form.addRow("数据库", self.db_kind)
        form.addRow("服务器地址", self.db_host)
        form.addRow("端口", self.db_port)
        form.addRow("数据库名", self.db_name)
        form.addRow("用户名", self.db_user)
        form.addRow("密码", self.db_password)
        self.db_test_button = QPushButton("测试连接")
        self.db_test_button.clicked.connect(self.test_database)
        self.db_result = QLabel()
        self.db_result.setWordWrap(True)
        form.addRow(self.db_test_button, self.db_result)
        self.db_kind.currentIndexChanged.connect(self._db_fields_enabled)
        self._db_fields_enabled()
        return w

    def _db_fields_enabled(self) -> None:
        on = self.db_kind.currentData() == "server"
        for f in (self.db_host, self.db_port, self.db_name, self.db_user, self.db_password, self.db_test_button):
            f.setEnabled(on)

    def _server_url(self) -> str:
        from app.services.database import server_url

        return server_url(self.db_host.text(), self.db_port.text(), self.db_name.text(), self.db_user.text())

    def test_database(self) -> bool:
        from app.services.database import describe, test_connection, url_with_password

        try:
            info = test_connection(url_with_password(self._server_url(), self.db_password.text() or None))
        except ChudingError as exc:
            self.db_result.setText(f'<span style="color:#d32f2f">{exc.message}</span>')
            return False
        self.db_result.setText(describe(info))
        return True

    def _save_database(self) -> bool:
        """Store the database choice; False (with the reason shown) when the server does not answer."""
        from app.services.database import choose_database

        if self.db_kind.currentData() != "server":
            if self.ctx.settings.db_url and not self.ctx.settings.db_url.startswith("sqlite"):
                choose_database(self.ctx.settings, None)
            return True
        url = self._server_url()
        if url == self.ctx.settings.db_url and not self.db_password.text():
            return True
        if not self.test_database():
            return False
        choose_database(self.ctx.settings, url, self.db_password.text() or None)
        self.db_password.clear()
        return True

    def collect_holidays(self) -> tuple[list[Any], list[str]]:
        """The table as RegionalHoliday rows, and the problems that stop saving (Chinese)."""
        if self.holidays is None or self.holiday_cls is None:
            return [], []
        rows, errors = [], []
        for i, raw in enumerate(self.holidays.raw_rows(), start=1):
            where = f"第 {i} 行"
            row_errors: list[str] = []

            def day(key: str, title: str, *, required: bool, where: str = where, errs: list[str] = row_errors,
                    raw: dict[str, Any] = raw) -> dt.date | None:
                try:
                    d = parse_date(raw[key], field=f"{where}{title}")
                except ValidationError as exc:
                    errs.append(exc.message)
                    return None
                if d is None and required:
                    errs.append(f"{where}{title}不能为空")
                return d

            start, end = day("start", "放假开始", required=True), day("end", "放假结束", required=True)
            festival = day("festival", "节日当天", required=False)
            workdays = []
            for part in (p for p in _SPLIT.split(raw["workdays"]) if p):
                try:
                    d = parse_date(part, field=f"{where}调休上班日")
                except ValidationError as exc:
                    row_errors.append(exc.message)
                else:
                    if d is not None:
                        workdays.append(d)
            if not raw["name"]:
                row_errors.append(f"{where}节日名称不能为空")
            if start and end and end < start:
                row_errors.append(f"{where}放假结束早于放假开始")
            if start and start.year != raw["year"]:
                row_errors.append(f"{where}放假开始日期不在 {raw['year']} 年")
            if not raw["source"]:
                row_errors.append(f"{where}请注明来源（文件名称或发布日期）")
            errors += row_errors
            if not row_errors:
                rows.append(self.holiday_cls(
                    year=raw["year"], name=raw["name"], start=start, end=end, festival=festival,
                    workdays=tuple(workdays), source=raw["source"], assumption=raw["assumption"],
                    note=raw["note"], origin=raw["origin"] or "officer", enabled=raw["enabled"]))
        return rows, errors

    def revalidate(self) -> bool:
        _, errors = self.collect_holidays()
        if self.holidays is not None:
            mark(self.holidays.table, self.holiday_hint, [("error", e) for e in errors])
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not errors)
        return not errors

    def save(self) -> None:
        if not self.revalidate():
            return
        try:
            if self.holidays is not None:
                from app.policy.workdays import save_regional_holidays

                rows, _ = self.collect_holidays()
                save_regional_holidays(rows)
            import dataclasses

            options = dataclasses.replace(self._round.options, anniversary_mode=self.anniversary.currentData())
            self.ctx.update_round(options=options)  # → bus.changed: every page judges again
            if not self._save_database():
                self.tabs.setCurrentIndex(self.tabs.count() - 1)
                self.message.setText('<span style="color:#d32f2f">未保存：无法连接所填的数据库服务器</span>')
                return
            self.ctx.save_settings()
        except ChudingError as exc:
            self.message.setText(f'<span style="color:#d32f2f">未保存：{exc.message}</span>')
            return
        self.accept()
