"""总览, the home page: the current round at a glance (the round status of ``chuding status``).

Counts on top, one row per person of the round through 资格 → 材料 → 遮盖 → 文书 → 可导出, and the
round's unit documents as their own rows. Every cell is a link to the place to act (the main window
wires the signals). Nothing here judges: verdicts, completeness, pages to mask and exportability all
come from :func:`app.services.status.round_status`, computed once per change for every page by
the context's status source (app.ui.status_source).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.ui.context import UiContext

COLUMNS = ["姓名", "资格", "材料", "遮盖", "文书", "可导出"]
NAME, VERDICT, PACKET, MASK, LETTERS, EXPORT = range(len(COLUMNS))
LINK_ROLE = Qt.ItemDataRole.UserRole + 1  # (kind, person id, detail) of a cell's link

GOOD, BAD, WAIT = QColor("#1e7b34"), QColor("#b42318"), QColor("#8a5300")
IDLE = QColor("#7a7a7a")  # packet columns of a person who cannot apply in this round: nothing to prepare
UNDATED_TEXT = "暂按今天判断；请输入当年通知的截止日期"


def deadline_banner(deadline: dt.date | None, today: dt.date | None = None, *, here: bool = False) -> str:
    """The warning about the round's dates ("" while the round is open): closed, or no deadline.
    ``here``: shown on the roster page itself, whose toolbar edits the round."""
    where = "在上方" if here else "在名册页"
    if deadline is None:
        return f"{UNDATED_TEXT}（{where}的“审核日期”中输入）。"
    if deadline < (today or dt.date.today()):
        return (f"本批次申报已于 {deadline.isoformat()} 截止，资格按截止日判断。如有新的通知，请{where}"
                "选择本次通知的政策文件，并在“审核日期”中输入新通知的截止日期。")
    return ""


def banner_text(status: Any, today: dt.date | None = None) -> str:
    """The dashboard's warning about the round status's dates."""
    return deadline_banner(status.deadline, today)


def counts_text(status: Any) -> str:
    eligible = sum(1 for p in status.persons if p.verdict.eligible is True)
    incomplete = sum(1 for p in status.persons if not p.packet.complete)
    pending = sum(p.packet.pages_pending for p in status.persons)
    exportable = sum(1 for p in status.persons if p.exportable)
    unit_missing = sum(1 for u in status.unit if not u.done)
    text = (f"{eligible} 人可申报，{incomplete} 人材料不全，{pending} 页待遮盖，"
            f"{exportable} 人可导出（共 {len(status.persons)} 人）")
    if unit_missing:
        text += f"；单位材料缺 {unit_missing} 项"
    return text


def letters_cell(name: str, letters: Any) -> tuple[str, str, QColor | None]:
    """The 文书 cell of a person: "已生成 2/3" with the generated and missing letters named (the
    person's letter state in the round, app.policy.requirements.LetterState)."""
    from app.policy.profiles import DOCUMENT_LABELS

    if letters is None or not letters.total:
        return "无需文书", f"{name}：本批次的通知不要求为本人生成文书", None
    made = [DOCUMENT_LABELS[k] for k in letters.wanted if k in letters.generated]
    missing = [DOCUMENT_LABELS[k] for k in letters.missing]
    lines = [f"{name}：已生成 {letters.done}/{letters.total}"]
    if made:
        lines.append("已生成：" + "、".join(made))
    if missing:
        lines.append("未生成：" + "、".join(missing))
    lines.append("点击转到“文书”页（生成后打印、签字或盖章，再扫描上传）")
    color = GOOD if not missing else WAIT
    return f"已生成 {letters.done}/{letters.total}", "\n".join(lines), color


class DashboardPage(QWidget):
    """The home page. Signals carry the link of a clicked cell; the main window opens the place."""

    edit_requested = Signal(int, str)  # person id, first missing field → the person editor
    packet_requested = Signal(int, str)  # person id, slot → the person's card on 材料
    mask_requested = Signal(int, int, int)  # person id, document id, page id → 遮盖 (-1: first pending)
    page_requested = Signal(str)  # a page title
    letters_requested = Signal(int)  # person id → the 文书 page with that person
    unit_requested = Signal(str)  # unit document slot → the 文书 page's 单位材料
    round_edit_requested = Signal()  # the place the round's profile and date are edited (名册 toolbar)
    loaded = Signal()  # a round status is shown

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.status: Any = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)

        self.banner = QFrame()
        self.banner.setStyleSheet("QFrame { background: #fff3cd; border-radius: 4px; } QLabel { color: #664d03; }")
        b = QHBoxLayout(self.banner)
        b.setContentsMargins(10, 6, 10, 6)
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.banner_button = QPushButton("修改申报批次…")
        self.banner_button.setToolTip("在名册页选择本次通知的政策文件、输入审核日期")
        self.banner_button.clicked.connect(self.round_edit_requested.emit)
        b.addWidget(self.banner_label, 1)
        b.addWidget(self.banner_button)
        self.banner.setVisible(False)
        layout.addWidget(self.banner)

        self.title = QLabel("正在汇总本批次…")
        f = QFont(self.title.font())
        f.setPointSizeF(f.pointSizeF() * 1.15)
        f.setBold(True)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        layout.addWidget(self.title)
        layout.addWidget(self.counts)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMouseTracking(True)
        self.table.cellClicked.connect(self.follow)
        self.table.cellActivated.connect(self.follow)  # Enter on a cell: keyboard reachable
        layout.addWidget(self.table, 1)
        hint = QLabel("点击任一格转到要处理的地方。")
        hint.setStyleSheet("color: #666")
        layout.addWidget(hint)

        src = ctx.status
        src.ready.connect(self.show_status)
        src.failed.connect(self._failed)
        if src.fresh() is not None:
            self.show_status(src.fresh())
        else:
            src.ensure()

    # --- the round status: computed once for every page (app.ui.status_source) ------------------
    def refresh(self) -> None:
        """Compute the round status again."""
        self.ctx.status.refresh()

    def _failed(self, message: str) -> None:
        self.title.setText(message if message.startswith("本批次汇总未完成") else "本批次汇总未完成：" + message)

    @property
    def is_loading(self) -> bool:
        return bool(self.ctx.status.busy)

    # --- showing it -----------------------------------------------------------------------------
    def show_status(self, status: Any) -> None:
        self.status = status
        self.title.setText(f"申报批次：{status.round_name}　审核日期：{status.as_of.isoformat()}"
                           + (f"　截止日期：{status.deadline.isoformat()}" if status.deadline else ""))
        self.counts.setText(counts_text(status))
        text = banner_text(status)
        self.banner_label.setText(text)
        self.banner.setVisible(bool(text))
        t = self.table
        t.setRowCount(0)
        t.setRowCount(len(status.persons) + len(status.unit))
        for row, ps in enumerate(status.persons):
            self._person_row(row, ps)
        for i, u in enumerate(status.unit):
            self._unit_row(len(status.persons) + i, u)
        self.loaded.emit()

    def _cell(self, row: int, col: int, text: str, link: tuple[str, int, Any] | None, *,
              color: QColor | None = None, tip: str = "") -> None:
        item = QTableWidgetItem(text)
        if link is not None:
            item.setData(LINK_ROLE, link)
            f = item.font()
            f.setUnderline(True)
            item.setFont(f)
        if color is not None:
            item.setForeground(QBrush(color))
        if tip:
            item.setToolTip(tip)
        self.table.setItem(row, col, item)

    def _person_row(self, row: int, ps: Any) -> None:
        p, v, pk = ps.person, ps.verdict, ps.packet
        pid = int(p.id)
        self._cell(row, NAME, p.name, ("edit", pid, ""))
        verdict = v.status + (f"（{v.title}）" if v.eligible is True and v.title else "")
        field = v.missing[0] if v.missing else ""
        vtip = f"{p.name}：" + ("；".join(r.message for r in v.reasons[:6]) or v.status)
        if field:
            vtip += f"\n点击填写“{field}”"
        self._cell(row, VERDICT, verdict, ("edit", pid, field),
                   color=GOOD if v.eligible is True else BAD if v.eligible is False else WAIT, tip=vtip)
        missing = pk.missing
        # 不符合 / 待满年限: cannot apply in this round, so what the packet lacks is no task — grey, not red
        idle = v.eligible is False
        why = f"{p.name}：资格审核结果为“{v.status}”，本批次无需准备材料。\n" if idle else ""
        slot = missing[0].split(":")[0] if missing else ""
        names = [x.name + (f"（{x.year}年度）" if x.year else "") for x in pk.counted if not x.done]
        self._cell(row, PACKET, f"{pk.done}/{pk.total}" + ("　齐全" if pk.complete else f"　缺 {len(missing)} 项"),
                   ("packet", pid, slot), color=IDLE if idle else GOOD if pk.complete else BAD,
                   tip=why + (f"{p.name}：缺 " + "、".join(names) if names else f"{p.name}：材料齐全"))
        pending = pk.pages_pending
        if pending:
            self._cell(row, MASK, f"待遮盖 {pending} 页", ("mask", pid, None), color=IDLE if idle else WAIT,
                       tip=why + f"{p.name}：点击打开第一页待遮盖的页面")
        else:
            self._cell(row, MASK, "无待遮盖", ("mask", pid, None), color=IDLE if idle else GOOD)
        text, tip, color = letters_cell(p.name, pk.letters)
        self._cell(row, LETTERS, text, ("letters", pid, None), color=IDLE if idle else color, tip=why + tip)
        if ps.exportable:
            self._cell(row, EXPORT, "可导出", None, color=GOOD)
        else:
            first = ps.blockers[0] if ps.blockers else None
            lines = [f"{p.name}：{i.message}" for i in ps.blockers[:8]]
            if v.eligible is not True:
                lines.insert(0, f"{p.name}：资格审核结果为“{v.status}”")
            link = (("blocker", pid, first) if first is not None and not idle else ("edit", pid, field))
            self._cell(row, EXPORT, "不可导出" + (f"（{v.status}）" if idle else f"（{len(ps.blockers)} 项）"
                                                   if ps.blockers else ""), link,
                       color=IDLE if idle else BAD, tip="\n".join(lines))

    def _unit_row(self, row: int, u: Any) -> None:
        from app.ui.letters.unit_panel import SOURCE_TEXT, next_step_text

        link = ("unit", -1, u.slot)
        tip = (f"本单位（本批次共用）：{u.name}{u.status}" + (f"（{u.reason}）" if u.reason else "")
               + "\n步骤：① 生成 → ② 打印盖章 → ③ 扫描上传；点击转到“文书”页的“单位材料”")
        self._cell(row, NAME, f"单位材料：{u.name}", link, tip=tip)
        self._cell(row, PACKET, u.status, link, color=GOOD if u.done else BAD, tip=tip)
        if u.done:
            self._cell(row, LETTERS, SOURCE_TEXT.get(u.source, u.status), link, color=GOOD, tip=tip)
        else:
            self._cell(row, LETTERS, "下一步：" + next_step_text(u), link, color=WAIT, tip=tip)

    # --- links ----------------------------------------------------------------------------------
    def link_at(self, row: int, col: int) -> tuple[str, int, Any] | None:
        item = self.table.item(row, col)
        link = item.data(LINK_ROLE) if item is not None else None
        return tuple(link) if link else None

    def follow(self, row: int, col: int) -> None:
        """Open the place a cell links to."""
        link = self.link_at(row, col)
        if link is None:
            return
        kind, pid, detail = link
        if kind == "edit":
            self.edit_requested.emit(pid, detail or "")
        elif kind == "packet":
            self.packet_requested.emit(pid, detail or "")
        elif kind == "mask":
            self.mask_requested.emit(pid, -1, -1)
        elif kind == "page":
            self.page_requested.emit(str(detail))
        elif kind == "letters":
            self.letters_requested.emit(pid)
        elif kind == "unit":
            self.unit_requested.emit(str(detail or ""))
        elif kind == "blocker":
            issue = detail
            from app.ui.main_window import MASK_ISSUE_CODES

            if issue.code in MASK_ISSUE_CODES:
                self.mask_requested.emit(pid, issue.document_id or -1, issue.page_id or -1)
            else:
                self.packet_requested.emit(pid, issue.slot or "")

    def row_of(self, person_id: int) -> int:
        if self.status is None:
            return -1
        return next((i for i, ps in enumerate(self.status.persons) if int(ps.person.id) == person_id), -1)
