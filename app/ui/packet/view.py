"""材料 page: each person's packet as slot cards (status, reason, thumbnail), files dropped from the
file manager onto a card land in that slot, a page strip with the page tools, and a unit overview
(persons × slots) that shows where work remains. All work runs through app.services on a worker."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QMimeData, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QDrag, QDragEnterEvent, QDropEvent, QIcon, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.documents.ingest import PasswordRequired
from app.errors import ChudingError
from app.services import documents as docsvc
from app.services.packet import (
    EXPIRED,
    MASKED,
    MISSING,
    NONCONFORMING,
    TO_MASK,
    UPLOADED,
    DocumentInfo,
    PacketReport,
    PersonPacket,
    SlotStatus,
    add_documents,
    list_documents,
    report_from_status,
)
from app.ui.context import UiContext
from app.ui.workers import TaskState, op

log = logging.getLogger(__name__)

STATUS_COLORS = {
    MISSING: "#c62828", EXPIRED: "#c62828", NONCONFORMING: "#c62828",
    TO_MASK: "#ef6c00", UPLOADED: "#2e7d32", MASKED: "#2e7d32",
}
PAGE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PERSON_ID_ROLE = Qt.ItemDataRole.UserRole + 2
THUMB_PX = 140
DOC_MIME = "application/x-chuding-documents"  # a card's documents dragged onto another card


def _pixmap(png: bytes | None) -> QPixmap | None:
    if not png:
        return None
    pm = QPixmap()
    return pm if pm.loadFromData(png) else None


class SlotCard(QFrame):
    """One checklist row: name, status badge, reason, the first page's thumbnail; a drop target."""

    files_dropped = Signal(object, list)  # SlotStatus, [paths]
    documents_dropped = Signal(object, list)  # target SlotStatus, [document ids] dragged from another card
    clicked = Signal(object)  # SlotStatus
    add_requested = Signal(object)  # SlotStatus
    mask_requested = Signal(object)  # SlotStatus: open its pages in the 遮盖 editor

    def __init__(self, st: SlotStatus, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.status = st
        self.setObjectName("slotCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAcceptDrops(True)
        self.setMinimumWidth(230)
        self.setToolTip(f"{st.label}\n{st.reason}\n依据：{st.source}" + ("（假设）" if st.assumption else "")
                        + (f"\n{st.note}" if st.note else "") + "\n把文件拖到此处即可添加"
                        + ("；把本卡片拖到另一张卡片可改为该类材料" if st.document_ids else ""))
        self._press: QPoint | None = None
        lay = QVBoxLayout(self)
        title = QLabel(f"<b>{st.label}</b>" + ("" if st.counted else " <span style='color:#777'>（不计入）</span>"))
        title.setWordWrap(True)
        self.badge = QLabel(st.status)
        color = STATUS_COLORS.get(st.status, "#555")
        self.badge.setStyleSheet(f"color: white; background: {color}; border-radius: 4px; padding: 1px 6px;")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        top = QHBoxLayout()
        top.addWidget(title, 1)
        top.addWidget(self.badge)
        lay.addLayout(top)
        self.thumb = QLabel("（拖入文件）" if not st.document_ids else "…")
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setFixedHeight(THUMB_PX)
        self.thumb.setStyleSheet("color: #888; border: 1px dashed #bbb;")
        lay.addWidget(self.thumb)
        reason = QLabel(st.reason + (f"（{st.pages} 页）" if st.pages and "页" not in st.reason else ""))
        reason.setWordWrap(True)
        reason.setStyleSheet("color: #444;")
        lay.addWidget(reason)
        add = QPushButton("添加文件…")
        add.clicked.connect(lambda: self.add_requested.emit(self.status))
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        self.mask_button: QPushButton | None = None
        if st.status == TO_MASK:
            self.mask_button = QPushButton("去遮盖")
            self.mask_button.setToolTip("在“遮盖”页打开本项待遮盖的页面")
            self.mask_button.clicked.connect(lambda: self.mask_requested.emit(self.status))
            buttons.addWidget(self.mask_button)
        lay.addLayout(buttons)

    def set_thumbnail(self, pm: QPixmap | None) -> None:
        if pm is not None:
            self.thumb.setPixmap(pm.scaled(QSize(THUMB_PX * 2, THUMB_PX), Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))
            self.thumb.setStyleSheet("")

    @staticmethod
    def _local_files(event: QDragEnterEvent | QDropEvent) -> list[str]:
        md = event.mimeData()
        if not md.hasUrls():
            return []
        return [u.toLocalFile() for u in md.urls() if u.isLocalFile() and Path(u.toLocalFile()).is_file()]

    def document_mime(self) -> QMimeData | None:
        """What dragging this card carries: its documents and where they are filed now."""
        if not self.status.document_ids:
            return None
        md = QMimeData()
        payload = {"ids": list(self.status.document_ids), "slot": self.status.slot, "year": self.status.year}
        md.setData(DOC_MIME, QByteArray(json.dumps(payload).encode()))
        return md

    def _dragged_documents(self, event: QDragEnterEvent | QDropEvent) -> list[int]:
        """Document ids dragged from *another* card (a card dropped on itself moves nothing)."""
        md = event.mimeData()
        if not md.hasFormat(DOC_MIME):
            return []
        try:
            data = json.loads(bytes(md.data(DOC_MIME).data()).decode())
            ids = [int(i) for i in data["ids"]]
        except (ValueError, KeyError, TypeError):
            return []
        if (data.get("slot"), data.get("year")) == (self.status.slot, self.status.year):
            return []
        return ids

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._local_files(event) or self._dragged_documents(event):
            event.acceptProposedAction()
            self.setStyleSheet("#slotCard { border: 2px solid #1565c0; }")
        else:
            event.ignore()

    def dragLeaveEvent(self, event: Any) -> None:
        self.setStyleSheet("")

    def dropEvent(self, event: QDropEvent) -> None:
        self.setStyleSheet("")
        ids = self._dragged_documents(event)
        if ids:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self.documents_dropped.emit(self.status, ids)
            return
        files = self._local_files(event)
        if files:
            event.acceptProposedAction()
            self.files_dropped.emit(self.status, files)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        self.clicked.emit(self.status)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None or not event.buttons() & Qt.MouseButton.LeftButton:
            return super().mouseMoveEvent(event)
        if (event.position().toPoint() - self._press).manhattanLength() < QApplication.startDragDistance():
            return None
        self._press = None
        md = self.document_mime()
        if md is None:
            return None
        drag = QDrag(self)
        drag.setMimeData(md)
        thumb = self.thumb.pixmap()
        if thumb is not None and not thumb.isNull():
            drag.setPixmap(thumb.scaledToHeight(80, Qt.TransformationMode.SmoothTransformation))
        drag.exec(Qt.DropAction.MoveAction)
        return None

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)


class PageStrip(QListWidget):
    """Thumbnails of one document's pages; drag to reorder (emits the new page-id order)."""

    reordered = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListWidget.ViewMode.IconMode)
        self.setFlow(QListWidget.Flow.LeftToRight)
        self.setWrapping(False)
        self.setIconSize(QSize(120, 160))
        self.setFixedHeight(215)
        self.setMovement(QListWidget.Movement.Snap)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSpacing(6)

    def page_ids(self) -> list[int]:
        return [int(self.item(i).data(PAGE_ID_ROLE)) for i in range(self.count())]

    def selected_page_ids(self) -> list[int]:
        return [int(it.data(PAGE_ID_ROLE)) for it in self.selectedItems()]

    def dropEvent(self, event: QDropEvent) -> None:
        before = self.page_ids()
        super().dropEvent(event)
        after = self.page_ids()
        if after != before and sorted(after) == sorted(before):
            self.reordered.emit(after)


class PacketView(QWidget):
    """The 材料 page (``PacketView(ctx)``)."""

    loaded = Signal()  # the checklist (and overview) were refreshed
    strip_loaded = Signal()  # the page strip shows the selected document
    changed = Signal()  # a document was added or edited
    exported = Signal(str)  # path written by 导出此材料…
    mask_requested = Signal(int, int)  # person id, document id: open it in the 遮盖 editor

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: PacketReport | None = None
        self.cards: list[SlotCard] = []
        self.current_person: int | None = None
        self.current_slot: SlotStatus | None = None
        self.current_doc: DocumentInfo | None = None
        self._docs: list[DocumentInfo] = []
        self._keep_doc: int | None = None
        self.notice: QMessageBox | None = None  # the last "please check" box after adding files
        self._generation = 0

        # top bar
        self.round_label = QLabel("")  # the current round's name and profile (set on the roster page)
        self.only_incomplete = QCheckBox("只看未完成")
        self.only_incomplete.toggled.connect(lambda _b: self._show_person(self.current_person))
        self.search = QLineEdit()
        self.search.setPlaceholderText("筛选姓名")
        self.search.textChanged.connect(self._filter_persons)
        self.summary = QLabel("")
        for wrapping in (self.round_label, self.summary):
            wrapping.setWordWrap(True)  # long round names and unit-document lists must not widen the window
        bar = QHBoxLayout()
        bar.addWidget(self.round_label, 1)
        bar.addWidget(self.only_incomplete)
        bar.addWidget(self.summary, 1)

        # person tab: persons | cards + page strip
        self.persons = QListWidget()
        self.persons.currentItemChanged.connect(self._on_person_changed)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search)
        ll.addWidget(self.persons, 1)

        self.cards_host = QWidget()
        self.cards_grid = QGridLayout(self.cards_host)
        self.cards_grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.cards_host)

        self.strip_title = QLabel("点击材料卡片查看页面")
        self.doc_choice = QComboBox()
        self.doc_choice.currentIndexChanged.connect(self._on_doc_choice)
        self.strip = PageStrip()
        self.strip.reordered.connect(self._on_reordered)
        tools = QHBoxLayout()
        self.tool_buttons: dict[str, QPushButton] = {}
        for key, label, slot in [
            ("rotate_left", "向左转", lambda: self.rotate_selected(-90)),
            ("rotate_right", "向右转", lambda: self.rotate_selected(90)),
            ("delete", "删除页", self._delete_clicked),
            ("split", "从此页拆分", self._split_clicked),
            ("merge", "合并本类材料", self._merge_clicked),
            ("orient", "检测方向", self._orient_clicked),
            ("deskew", "纠偏建议", self._deskew_clicked),
            ("delete_doc", "删除整份材料", self._delete_doc_clicked),
            ("move_doc", "改为其他材料…", self._move_doc_clicked),
            ("export_doc", "导出此材料…", lambda: self.export_document()),
        ]:
            b = QPushButton(label)
            b.clicked.connect(slot)
            self.tool_buttons[key] = b
            tools.addWidget(b)
        tools.addStretch(1)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.strip_title, 1)
        head.addWidget(self.doc_choice)
        bl.addLayout(head)
        bl.addWidget(self.strip)
        bl.addLayout(tools)
        # The page strip takes room only once a card with pages is chosen: on a 1366×768 screen an
        # empty strip would leave a third of the cards visible.
        self.strip_panel = bottom
        bottom.setVisible(False)

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(scroll)
        right.addWidget(bottom)
        right.setStretchFactor(0, 3)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 4)

        # overview tab
        self.overview = QTableWidget()
        self.overview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.overview.cellDoubleClicked.connect(self._on_overview_double_clicked)

        self.tabs = QTabWidget()
        self.tabs.addTab(split, "人员材料")
        self.tabs.addTab(self.overview, "单位总览")
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.tabs, 1)
        self._set_tools_enabled(False)
        # masks, uploads, the round's date …: the status source judges again, once for every page
        ctx.status.ready.connect(self._status_ready)
        if ctx.status.fresh() is not None:
            self._status_ready(ctx.status.fresh())
        else:
            ctx.status.ensure()

    # ----------------------------------------------------------------------------- loading
    @property
    def profile_id(self) -> str | None:
        """The current round's profile (shown, not chosen here: the round is set on the roster page)."""
        return self.report.profile_id if self.report is not None else None

    def reload(self) -> None:
        """Read the checklists again (in the background, shared with the other pages)."""
        self.ctx.status.refresh()

    def _status_ready(self, status: Any) -> None:
        self._generation += 1  # thumbnails of an older status are dropped
        report = report_from_status(status)
        self.report = report
        self.round_label.setText(f"申报批次：{report.round_name}（{report.profile_name}）")
        self._fill_persons()
        self._fill_overview()
        self.summary.setText(
            f"核对日期 {report.as_of.isoformat()}；全单位 {report.done}/{report.total} 项完成"
            f"（{report.completeness:.0%}），{sum(1 for p in report.persons if p.complete)}/"
            f"{len(report.persons)} 人齐全"
            + ("；单位材料（本批次共用）：" + "，".join(f"{u.name}{u.status}" for u in report.unit)
               if report.unit else ""))
        self.loaded.emit()

    def _packet(self, person_id: int | None) -> PersonPacket | None:
        if self.report is None or person_id is None:
            return None
        return next((p for p in self.report.persons if p.person_id == person_id), None)

    def _fill_persons(self) -> None:
        assert self.report is not None
        keep = self.current_person
        self.persons.blockSignals(True)
        self.persons.clear()
        select_row = 0
        for i, p in enumerate(self.report.persons):
            it = QListWidgetItem(f"{p.name}  {p.done}/{p.total}")
            it.setData(PERSON_ID_ROLE, p.person_id)
            it.setForeground(QBrush(QColor("#2e7d32" if p.complete else "#c62828")))
            self.persons.addItem(it)
            if p.person_id == keep:
                select_row = i
        self.persons.blockSignals(False)
        self._filter_persons(self.search.text())
        if self.persons.count():
            self.persons.setCurrentRow(select_row)
            self._show_person(self.persons.item(select_row).data(PERSON_ID_ROLE))
        else:
            self._show_person(None)

    def _filter_persons(self, text: str) -> None:
        for i in range(self.persons.count()):
            it = self.persons.item(i)
            it.setHidden(bool(text.strip()) and text.strip() not in it.text())

    def _fill_overview(self) -> None:
        assert self.report is not None
        cols: list[tuple[str, int | None, str]] = []
        slot_order: dict[str, int] = {}
        for p in self.report.persons:
            for st in p.slots:
                slot_order.setdefault(st.slot, len(slot_order))
                key = (st.slot, st.year, st.label)
                if st.counted and key not in cols:
                    cols.append(key)
        cols.sort(key=lambda k: (slot_order[k[0]], k[1] or 0))  # the profile's material order
        self.overview.clear()
        self.overview.setColumnCount(len(cols) + 1)
        self.overview.setRowCount(len(self.report.persons))
        self.overview.setHorizontalHeaderLabels(["完成"] + [self._short(c[2], c[1]) for c in cols])
        for i, col in enumerate(cols, start=1):
            header = self.overview.horizontalHeaderItem(i)
            if header is not None:
                header.setToolTip(col[2])
        self.overview.setVerticalHeaderLabels([p.name for p in self.report.persons])
        for r, p in enumerate(self.report.persons):
            done = QTableWidgetItem(f"{p.done}/{p.total}")
            done.setData(PERSON_ID_ROLE, p.person_id)
            self.overview.setItem(r, 0, done)
            by_key = {(s.slot, s.year): s for s in p.slots if s.counted}
            for ci, (slot, year, _label) in enumerate(cols, start=1):
                cell = by_key.get((slot, year))
                item = QTableWidgetItem(cell.status if cell else "—")
                item.setData(PERSON_ID_ROLE, p.person_id)
                if cell:
                    item.setToolTip(cell.reason)
                    item.setBackground(QBrush(QColor(STATUS_COLORS.get(cell.status, "#999")).lighter(170)))
                self.overview.setItem(r, ci, item)
        self.overview.resizeColumnsToContents()

    @staticmethod
    def _short(label: str, year: int | None) -> str:
        name = label.split("（")[0] if not label.startswith("（") else label
        name = name if len(name) <= 8 else name[:7] + "…"
        return f"{name} {year}" if year else name

    def show_person(self, person_id: int) -> bool:
        """Select ``person_id`` in the list (e.g. from the export wizard's "转到此项")."""
        for i in range(self.persons.count()):
            if self.persons.item(i).data(PERSON_ID_ROLE) == person_id:
                self.persons.item(i).setHidden(False)
                self.persons.setCurrentRow(i)
                self.tabs.setCurrentIndex(0)
                return True
        return False

    def select_slot_key(self, slot: str) -> bool:
        """Select the card of ``slot`` for the shown person (the export wizard's 转到此项)."""
        card = next((c for c in self.cards if c.status.slot == slot), None)
        if card is None:
            return False
        self.select_slot(card.status)
        return True

    def _on_overview_double_clicked(self, row: int, _col: int) -> None:
        self.persons.setCurrentRow(row)
        self.tabs.setCurrentIndex(0)

    def _on_person_changed(self, cur: QListWidgetItem | None, _prev: Any) -> None:
        self._show_person(cur.data(PERSON_ID_ROLE) if cur else None)

    def _show_person(self, person_id: int | None) -> None:
        same_person = person_id == self.current_person
        prev_key = (self.current_slot.slot, self.current_slot.year) if self.current_slot and same_person else None
        self._keep_doc = self.current_doc.id if self.current_doc and same_person else None
        self.current_person = person_id
        self.current_slot = None
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []
        packet = self._packet(person_id)
        self._clear_strip()
        if packet is None:
            return
        slots = [s for s in packet.slots if not (self.only_incomplete.isChecked() and (s.done or not s.counted))]
        for i, st in enumerate(slots):
            card = SlotCard(st)
            card.files_dropped.connect(self.add_files)
            card.documents_dropped.connect(self.move_documents)
            card.add_requested.connect(self._add_clicked)
            card.mask_requested.connect(self._mask_clicked)
            card.clicked.connect(self.select_slot)
            self.cards_grid.addWidget(card, i // 3, i % 3)
            self.cards.append(card)
        self.current_slot = next((s for s in packet.slots if (s.slot, s.year) == prev_key), None)
        self._load_card_thumbnails(person_id)

    def _load_card_thumbnails(self, person_id: int | None) -> None:
        db = self.ctx.db
        gen = self._generation

        def work(task: TaskState) -> tuple[list[DocumentInfo], dict[int, bytes]]:
            docs = list_documents(db, person_id)
            thumbs: dict[int, bytes] = {}
            for d in docs:
                task.check()
                if d.pages:
                    try:
                        thumbs[d.id] = docsvc.page_thumbnail(db, d.pages[0].id, THUMB_PX * 2)
                    except ChudingError as exc:  # a missing/corrupt blob: show the card without it
                        log.warning("thumbnail of document %s: %s (%s)", d.id, type(exc).__name__, exc.detail)
            return docs, thumbs

        def done(result: tuple[list[DocumentInfo], dict[int, bytes]]) -> None:
            if gen != self._generation or person_id != self.current_person:
                return
            self._docs, thumbs = result
            for card in self.cards:
                first = next((d for d in card.status.document_ids if d in thumbs), None)
                card.set_thumbnail(_pixmap(thumbs.get(first)) if first is not None else None)
            if self.current_slot is not None:
                self.select_slot(self.current_slot)

        op(self, work).success(done).run()

    # ------------------------------------------------------------------------------ adding
    def _add_clicked(self, st: SlotStatus) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, f"添加到“{st.label}”", "",
                                                "扫描件 (*.pdf *.jpg *.jpeg *.png *.tif *.tiff *.bmp *.docx);;所有文件 (*)")
        if files:
            self.add_files(st, files)

    def _mask_clicked(self, st: SlotStatus) -> None:
        if self.current_person is not None:
            self.mask_requested.emit(self.current_person, st.document_ids[0] if st.document_ids else -1)

    def add_files(self, st: SlotStatus, files: list[str], password: str | None = None) -> None:
        """Add ``files`` as one document of the card's slot (and year); asks for a PDF password."""
        person_id = self.current_person
        if person_id is None:
            return
        db = self.ctx.db
        self.current_slot = st

        def work(task: TaskState) -> Any:
            return add_documents(db, person_id, st.slot, files, st.year, password=password,
                                 progress=lambda d, t: task.progress(d, t, "正在读取文件…"))

        def ok(result: Any) -> None:
            if result.warnings:
                self.ctx.bus.status_message.emit("；".join(result.warnings))
                self.notice = QMessageBox(QMessageBox.Icon.Information, "请检查刚添加的材料",
                                          "材料已添加，但有以下情况需要留意：\n\n"
                                          + "\n".join(f"• {w}" for w in result.warnings),
                                          QMessageBox.StandardButton.Ok, self)
                self.notice.open()  # not exec(): the page stays usable, nothing waits on it
            self.changed.emit()
            self.ctx.bus.documents_changed.emit(person_id)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, PasswordRequired):
                pw, accepted = QInputDialog.getText(self, "PDF 密码", exc.message, QLineEdit.EchoMode.Password)
                if accepted and pw:
                    self.add_files(st, files, pw)
                return
            QMessageBox.warning(self, "无法添加文件", getattr(exc, "message", str(exc)) + "\n\n文件库和数据库均未改动。")

        op(self, work).with_progress("正在添加材料…").success(ok).failure(failed).run()

    # -------------------------------------------------------------------------- page strip
    def select_slot(self, st: SlotStatus) -> None:
        self.current_slot = st
        docs = [d for d in self._docs if d.id in st.document_ids]
        self.doc_choice.blockSignals(True)
        self.doc_choice.clear()
        for d in docs:
            self.doc_choice.addItem(f"#{d.id} {d.original_name}（{len(d.pages)} 页）", d.id)
        self.doc_choice.blockSignals(False)
        self.strip_title.setText(f"{st.label}：{len(docs)} 份材料" if docs else f"{st.label}：尚无文件，可拖入")
        self.strip_panel.setVisible(bool(docs))
        keep = self._keep_doc if self._keep_doc is not None else (self.current_doc.id if self.current_doc else None)
        self._keep_doc = None
        idx = self.doc_choice.findData(keep) if keep is not None else -1
        self.doc_choice.setCurrentIndex(idx if idx >= 0 else 0)
        self._on_doc_choice(self.doc_choice.currentIndex())

    def _on_doc_choice(self, _index: int) -> None:
        doc_id = self.doc_choice.currentData()
        self.current_doc = next((d for d in self._docs if d.id == doc_id), None)
        self.strip.clear()
        self._set_tools_enabled(self.current_doc is not None)
        if self.current_doc is None:
            self.strip_loaded.emit()
            return
        doc = self.current_doc
        db = self.ctx.db

        def work(task: TaskState) -> dict[int, bytes]:
            out = {}
            for p in doc.pages:
                task.check()
                out[p.id] = docsvc.page_thumbnail(db, p.id, 200)
            return out

        def done(thumbs: dict[int, bytes]) -> None:
            if self.current_doc is None or self.current_doc.id != doc.id:
                return
            self.strip.clear()
            for p in doc.pages:
                label = f"第 {p.index + 1} 页" + (f"（{p.rotation}°）" if p.rotation else "")
                if p.mask_state == "masked":
                    label += " 已遮盖"
                pm = _pixmap(thumbs.get(p.id))
                it = QListWidgetItem(QIcon(pm) if pm else QIcon(), label)
                it.setData(PAGE_ID_ROLE, p.id)
                self.strip.addItem(it)
            self.strip_loaded.emit()

        op(self, work).success(done).run()

    def _clear_strip(self) -> None:
        self.strip.clear()
        self.doc_choice.clear()
        self.current_doc = None
        self._set_tools_enabled(False)
        self.strip_title.setText("点击材料卡片查看页面")

    def _set_tools_enabled(self, on: bool) -> None:
        for b in self.tool_buttons.values():
            b.setEnabled(on)

    def _run_edit(self, fn: Any, after: Any = None) -> None:
        person_id = self.current_person

        def ok(result: Any) -> None:
            if after is not None:
                after(result)
            self.changed.emit()
            self.ctx.bus.documents_changed.emit(person_id or 0)

        op(self, lambda task: fn()).success(ok).run()

    def _targets(self) -> list[int]:
        ids = self.strip.selected_page_ids()
        if not ids and self.strip.count():
            ids = [int(self.strip.item(0).data(PAGE_ID_ROLE))]
        return ids

    def rotate_selected(self, degrees: int) -> None:
        ids = self._targets()
        if ids:
            db = self.ctx.db
            self._run_edit(lambda: docsvc.rotate_pages(db, ids, degrees))

    def _on_reordered(self, page_ids: list[int]) -> None:
        if self.current_doc is not None:
            db, doc_id = self.ctx.db, self.current_doc.id
            self._run_edit(lambda: docsvc.reorder_pages(db, doc_id, page_ids))

    def _delete_clicked(self) -> None:
        ids = self.strip.selected_page_ids()
        if not ids:
            return
        if QMessageBox.question(self, "删除页面", f"从材料中删除选中的 {len(ids)} 页？（原文件仍保留在文件库中）") \
                == QMessageBox.StandardButton.Yes:
            db = self.ctx.db
            self._run_edit(lambda: docsvc.delete_pages(db, ids))

    def move_documents(self, st: SlotStatus, document_ids: list[int]) -> None:
        """File the person's ``document_ids`` under the card ``st`` (a scan put on the wrong card)."""
        mine = {d.id for d in self._docs}
        ids = [i for i in document_ids if i in mine]  # only this person's documents
        if not ids:
            return
        db = self.ctx.db
        self.current_slot = st

        def work() -> None:
            for doc_id in ids:
                docsvc.move_document(db, doc_id, st.slot, st.year)

        self._run_edit(work)

    def move_targets(self) -> list[SlotStatus]:
        """The cards the current document can be moved to (every other card of the person)."""
        here = (self.current_slot.slot, self.current_slot.year) if self.current_slot else None
        packet = self._packet(self.current_person)
        return [st for st in (packet.slots if packet else []) if (st.slot, st.year) != here]

    def _move_doc_clicked(self) -> None:
        if self.current_doc is None:
            return
        menu = QMenu(self)
        doc_id = self.current_doc.id
        for st in self.move_targets():
            menu.addAction(st.label).triggered.connect(lambda _=False, st=st: self.move_documents(st, [doc_id]))
        menu.exec(self.tool_buttons["move_doc"].mapToGlobal(self.tool_buttons["move_doc"].rect().bottomLeft()))

    def export_document(self, path: str | None = None) -> None:
        """Write the current document out of the vault for upload. What is written is decided by the one
        service that decides what may leave the vault (app.services.release, through export_for_upload):
        the masked copy where masking applies, metadata dropped — or a refusal saying what to do."""
        if self.current_doc is None:
            return
        from app.paths import safe_filename

        label = self.current_slot.label if self.current_slot else "材料"
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出此材料", safe_filename(label, ".pdf"),
                                                  "PDF 或 JPG 文件 (*.pdf *.jpg)")
            if not path:
                return
        db, doc_id, target = self.ctx.db, self.current_doc.id, path

        def work(task: TaskState) -> Any:
            return docsvc.export_for_upload(db, doc_id, target, progress=lambda d, t: task.progress(d, t, "正在导出…"))

        def ok(result: Any) -> None:
            if not result.ok:
                QMessageBox.warning(self, "未导出", result.message)
                return
            self.ctx.bus.status_message.emit(f"已导出 {result.path}：{result.message}")
            self.exported.emit(str(result.path))

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(self, "未导出", getattr(exc, "message", str(exc)))

        op(self, work).with_progress("正在导出材料…").success(ok).failure(failed).run()

    def _delete_doc_clicked(self) -> None:
        if self.current_doc is None:
            return
        if QMessageBox.question(self, "删除材料", f"删除材料 #{self.current_doc.id}（{self.current_doc.original_name}）？") \
                == QMessageBox.StandardButton.Yes:
            db, doc_id = self.ctx.db, self.current_doc.id
            self.current_doc = None
            self._run_edit(lambda: docsvc.delete_document(db, doc_id))

    def split_at(self, page_id: int) -> None:
        if self.current_doc is None:
            return
        ids = [p.id for p in self.current_doc.pages]
        if page_id not in ids or ids.index(page_id) == 0:
            QMessageBox.information(self, "拆分", "请选择第 2 页或之后的页面作为新材料的第一页。")
            return
        db, doc_id, at = self.ctx.db, self.current_doc.id, ids.index(page_id)
        self._run_edit(lambda: docsvc.split_document(db, doc_id, at))

    def _split_clicked(self) -> None:
        ids = self.strip.selected_page_ids()
        if ids:
            self.split_at(ids[0])

    def merge_slot_documents(self) -> None:
        """Merge every document of the selected card into the first one (e.g. front and back scans)."""
        if self.current_slot is None:
            return
        ids = sorted(self.current_slot.document_ids)
        if len(ids) < 2:
            return
        db = self.ctx.db
        self._run_edit(lambda: docsvc.merge_documents(db, ids[0], ids[1:]))

    def _merge_clicked(self) -> None:
        self.merge_slot_documents()

    def _orient_clicked(self) -> None:
        ids = self._targets()
        if not ids:
            return
        db, pid = self.ctx.db, ids[0]

        def show(prop: Any) -> None:
            if prop.rotation in (None, 0):
                QMessageBox.information(self, "检测方向", prop.reason)
            elif QMessageBox.question(self, "检测方向", f"{prop.reason}。现在旋转？") == QMessageBox.StandardButton.Yes:
                self._run_edit(lambda: docsvc.rotate_pages(db, [pid], prop.rotation))

        op(self, lambda task: docsvc.propose_page_rotation(db, pid)).success(show).run()

    def _deskew_clicked(self) -> None:
        ids = self._targets()
        if not ids:
            return
        db, pid = self.ctx.db, ids[0]

        def show(prop: Any) -> None:
            if not prop.angle:
                QMessageBox.information(self, "纠偏建议", prop.reason)
            elif QMessageBox.question(self, "纠偏建议", f"{prop.reason}。生成纠偏后的页面？（原件保留）") \
                    == QMessageBox.StandardButton.Yes:
                self._run_edit(lambda: docsvc.apply_deskew(db, pid, prop.angle))

        op(self, lambda task: docsvc.propose_page_deskew(db, pid)).success(show).run()
