"""The 遮盖 page (``MaskEditor(ctx)``): review and mask a person's pages.

Page view with zoom (Ctrl+wheel, buttons), pan (scroll bars, middle button drag) and fit; draw a box
by dragging on the page, move it by dragging, resize it from its lower-right corner, delete it with
Del; category per box (colour-coded; keys 1–5 set it); undo/redo (QUndoStack); suggestions (OCR name
and unit, seals, eyes) shown dashed for accept/reject one by one or all; copy a box to all pages;
burned preview; per-page and per-person progress. Everything goes through app.services.masking.
"""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path
from typing import Any

from PIL import Image
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QImage,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QShortcut,
    QUndoCommand,
    QUndoStack,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGraphicsItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.errors import ChudingError, ConflictError
from app.masking.boxes import CATEGORIES, CATEGORY_LABELS, SOURCE_LABELS, Box
from app.services import masking as svc
from app.ui.context import UiContext
from app.ui.workers import TaskState, emit_change, op

log = logging.getLogger(__name__)

COLOURS = {"name": "#1e88e5", "unit": "#43a047", "seal": "#e53935", "eyes": "#fb8c00", "other": "#8e24aa"}
PREVIEW_PX = 1600  # the page is shown at most this large (a 600 dpi A4 scan decodes at 1/4 DCT scale); boxes are fractions
HANDLE = 10.0  # px (screen) around the lower-right corner that resizes a box


def load_preview(data: bytes | str | Path, max_px: int = PREVIEW_PX) -> Image.Image:
    """A fast screen-size decode: JPEG DCT scaling (draft) first, then an exact downscale."""
    im: Image.Image = Image.open(io.BytesIO(data) if isinstance(data, bytes) else data)
    if im.format == "JPEG":  # DCT scaling: decode at 1/2, 1/4 or 1/8 size when that still covers max_px
        f = min(1.0, max_px / max(im.size))
        im.draft("RGB" if im.mode != "L" else "L", (round(im.width * f), round(im.height * f)))
    im = im.convert("RGB") if im.mode != "RGB" else im
    im.load()
    if max(im.size) > max_px * 1.25:  # a DCT-scaled decode up to 25 % larger is shown as it is
        f = max_px / max(im.size)
        im = im.resize((round(im.width * f), round(im.height * f)), Image.Resampling.BILINEAR)
    return im


def to_pixmap(im: Image.Image) -> QPixmap:
    if im.mode != "RGB":
        im = im.convert("RGB")
    data = im.tobytes()
    qimg = QImage(data, im.width, im.height, im.width * 3, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(qimg.copy())


def first_page_pixmap_timing(path: str | Path) -> float:
    """Seconds from a scan file to its page pixmap in the editor's scene (for benchmarks/masking.py)."""
    t0 = time.perf_counter()
    scene = QGraphicsScene()
    scene.addPixmap(to_pixmap(load_preview(Path(path))))
    return time.perf_counter() - t0


# ------------------------------------------------------------------------------ scene items

class BoxItem(QGraphicsRectItem):
    """A mask box (solid outline) or a suggestion (dashed). Geometry in scene pixels of the preview."""

    def __init__(self, box: Box, size: tuple[int, int], *, suggestion: bool = False) -> None:
        w, h = size
        super().__init__(QRectF(0, 0, (box.x1 - box.x0) * w, (box.y1 - box.y0) * h))
        self.setPos(box.x0 * w, box.y0 * h)
        self.box = box
        self.size = size
        self.suggestion = suggestion
        flags = QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
        if not suggestion:
            flags |= QGraphicsItem.GraphicsItemFlag.ItemIsMovable
        self.setFlags(flags)
        self.setZValue(2 if suggestion else 3)
        self.apply_style(preview=False)
        tip = f"{CATEGORY_LABELS[box.category]}（{SOURCE_LABELS[box.source]}"
        self.setToolTip(tip + (f"，置信度 {box.score:.2f}）" if suggestion else "）"))

    def apply_style(self, *, preview: bool) -> None:
        colour = QColor(COLOURS[self.box.category])
        pen = QPen(colour, 2)
        pen.setCosmetic(True)
        if self.suggestion:
            pen.setStyle(Qt.PenStyle.DashLine)
            fill = QColor(colour)
            fill.setAlpha(40)
        else:
            fill = QColor(colour)
            fill.setAlpha(70)
        self.setPen(pen)
        self.setBrush(QBrush(fill))
        self.setVisible(not (preview and self.suggestion))
        if preview and not self.suggestion:
            self.setBrush(QBrush(QColor(0, 0, 0, 0)))
            self.setPen(QPen(Qt.PenStyle.NoPen))

    def current_box(self) -> Box:
        w, h = self.size
        r = self.rect().translated(self.pos())
        x0, y0 = max(0.0, r.left() / w), max(0.0, r.top() / h)
        x1, y1 = min(1.0, r.right() / w), min(1.0, r.bottom() / h)
        if x1 <= x0 or y1 <= y0:
            return self.box
        return Box(self.box.category, x0, y0, x1, y1, self.box.score, self.box.source)


# ------------------------------------------------------------------------------ undo commands

class SetBoxes(QUndoCommand):
    """Replace the page's box list (add, delete, move, resize, re-categorise are all this)."""

    def __init__(self, editor: MaskEditor, before: list[Box], after: list[Box], text: str) -> None:
        super().__init__(text)
        self.editor, self.before, self.after = editor, before, after
        self.page_id = editor.current_page

    def redo(self) -> None:
        self.editor._set_boxes(self.page_id, self.after)

    def undo(self) -> None:
        self.editor._set_boxes(self.page_id, self.before)


# ------------------------------------------------------------------------------ the view

class PageView(QGraphicsView):
    """Zoom (Ctrl+wheel), pan (middle button), draw (left drag on the page), move/resize boxes."""

    box_drawn = Signal(QRectF)
    boxes_edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.page_item: QGraphicsPixmapItem | None = None
        self._drawing: QGraphicsRectItem | None = None
        self._origin = QPointF()
        self._resizing: BoxItem | None = None
        self._panning: QPointF | None = None
        self._moved = False

    def set_pixmap(self, pm: QPixmap) -> None:
        self.scene().clear()
        self.page_item = self.scene().addPixmap(pm)
        self.page_item.setZValue(0)
        self.scene().setSceneRect(QRectF(pm.rect()))
        self.fit()

    def fit(self) -> None:
        if self.page_item is not None:
            self.fitInView(self.page_item, Qt.AspectRatioMode.KeepAspectRatio)

    def zoom(self, factor: float) -> None:
        self.scale(factor, factor)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.25 if event.angleDelta().y() > 0 else 0.8)
            event.accept()
        else:
            super().wheelEvent(event)

    def _box_at(self, pos: Any) -> BoxItem | None:
        for it in self.items(pos):
            if isinstance(it, BoxItem) and it.isVisible():
                return it
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.MiddleButton:
            self._panning = event.position()
            event.accept()
            return
        if event.button() == Qt.MouseButton.LeftButton and self.page_item is not None:
            item = self._box_at(event.position().toPoint())
            scene_pt = self.mapToScene(event.position().toPoint())
            if item is not None and not item.suggestion:
                corner = item.mapToScene(item.rect().bottomRight())
                tol = HANDLE / max(self.transform().m11(), 1e-6)
                if abs(corner.x() - scene_pt.x()) <= tol and abs(corner.y() - scene_pt.y()) <= tol:
                    self._resizing = item
                    self.scene().clearSelection()
                    item.setSelected(True)
                    event.accept()
                    return
            if item is None:
                self.scene().clearSelection()
                self._origin = scene_pt
                self._drawing = self.scene().addRect(QRectF(scene_pt, scene_pt), QPen(QColor("#000"), 0))
                self._drawing.setZValue(5)
                event.accept()
                return
        self._moved = False
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._panning is not None:
            delta = event.position() - self._panning
            self._panning = event.position()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(delta.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(delta.y()))
            return
        scene_pt = self.mapToScene(event.position().toPoint())
        if self._drawing is not None:
            self._drawing.setRect(QRectF(self._origin, scene_pt).normalized())
            return
        if self._resizing is not None:
            top_left = self._resizing.mapToScene(self._resizing.rect().topLeft())
            w = max(2.0, scene_pt.x() - top_left.x())
            h = max(2.0, scene_pt.y() - top_left.y())
            self._resizing.setRect(QRectF(0, 0, w, h))
            return
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._moved = True
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._panning is not None:
            self._panning = None
            return
        if self._drawing is not None:
            rect = self._drawing.rect().intersected(self.sceneRect())
            self.scene().removeItem(self._drawing)
            self._drawing = None
            if rect.width() >= 3 and rect.height() >= 3:
                self.box_drawn.emit(rect)
            return
        if self._resizing is not None:
            self._resizing = None
            self.boxes_edited.emit()
            return
        super().mouseReleaseEvent(event)
        if self._moved:
            self._moved = False
            self.boxes_edited.emit()


class MaskEditor(QWidget):
    """The 遮盖 page."""

    page_loaded = Signal(int)  # page id
    mask_version: int | None = None  # the shown page's stored boxes version (optimistic concurrency)
    conflict_box: Any = None
    suggestions_ready = Signal(int)  # page id
    masked = Signal(int)  # page id

    def __init__(self, ctx: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.current_person: int | None = None
        self.current_page: int | None = None
        self.page_size = (1, 1)
        self.boxes: list[Box] = []
        self.suggestions: list[Box] = []
        self.rejected: list[Box] = []
        self.residual: list[Any] = []  # what the residual check found on the current page's masked copy
        self.category = "name"
        self.undo = QUndoStack(self)
        self._progress: svc.MaskProgress | None = None
        self._image: Image.Image | None = None

        # left: persons, pages, progress
        self.persons = QListWidget()
        self.persons.currentItemChanged.connect(self._on_person)
        self.pages = QListWidget()
        self.pages.currentItemChanged.connect(self._on_page)
        self.progress_label = QLabel("请选择人员")
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel("人员"))
        ll.addWidget(self.persons, 2)
        ll.addWidget(QLabel("需遮盖的页面"))
        ll.addWidget(self.pages, 3)
        ll.addWidget(self.progress_label)

        # tool bar
        self.view = PageView()
        self.view.box_drawn.connect(self._on_drawn)
        self.view.boxes_edited.connect(self._on_items_edited)
        self.view.scene().selectionChanged.connect(self._update_buttons)
        self.cat_group = QButtonGroup(self)
        cats = QHBoxLayout()
        for i, cat in enumerate(CATEGORIES, start=1):
            b = QPushButton(f"{i} {CATEGORY_LABELS[cat]}")
            b.setCheckable(True)
            b.setStyleSheet(f"QPushButton {{ color: {COLOURS[cat]}; font-weight: bold; }}")
            self.cat_group.addButton(b, i - 1)
            cats.addWidget(b)
        self.cat_group.button(0).setChecked(True)
        self.cat_group.idClicked.connect(lambda i: self.set_category(CATEGORIES[i]))

        def button(label: str, slot: Any) -> QPushButton:
            b = QPushButton(label)
            b.clicked.connect(slot)
            return b

        self.btn_zoom_in = button("放大", lambda: self.view.zoom(1.25))
        self.btn_zoom_out = button("缩小", lambda: self.view.zoom(0.8))
        self.btn_fit = button("适应窗口", self.view.fit)
        self.btn_undo = button("撤销", self.undo.undo)
        self.btn_redo = button("重做", self.undo.redo)
        self.btn_delete = button("删除框", self.delete_selected)
        self.btn_copy_all = button("复制到所有页", self.copy_selected_to_all_pages)
        self.btn_suggest = button("识别建议", self.run_suggestions)
        self.btn_accept = button("接受选中建议", self.accept_selected)
        self.btn_reject = button("拒绝选中建议", self.reject_selected)
        self.btn_accept_all = button("全部接受", self.accept_all)
        self.btn_reject_all = button("全部拒绝", self.reject_all)
        self.preview = QCheckBox("预览遮盖效果")
        self.preview.toggled.connect(self._show_preview)
        self.reviewed = QCheckBox("本页已审核")
        self.reviewed.toggled.connect(self._on_reviewed)
        self.btn_mask = button("生成遮盖件", self.mask_current_page)
        self.btn_keep_residual = button("保留并确认", self.accept_residual)
        self.btn_keep_residual.setToolTip("遮盖件上框外仍能识别的内容确认可以保留：本页即可导出（记入审计）")
        self.btn_not_needed = button("无需遮盖", self.mark_not_needed)
        self.btn_not_needed.setToolTip("确认本页没有需要遮盖的内容（记录经办人和时间）")
        self.undo.canUndoChanged.connect(self.btn_undo.setEnabled)
        self.undo.canRedoChanged.connect(self.btn_redo.setEnabled)
        QShortcut(QKeySequence.StandardKey.Undo, self).activated.connect(self.undo.undo)
        QShortcut(QKeySequence.StandardKey.Redo, self).activated.connect(self.undo.redo)
        QShortcut(QKeySequence("Ctrl+Y"), self).activated.connect(self.undo.redo)
        QShortcut(QKeySequence("Ctrl+0"), self).activated.connect(self.view.fit)

        row1 = QHBoxLayout()
        for w in (self.btn_zoom_in, self.btn_zoom_out, self.btn_fit, self.btn_undo, self.btn_redo, self.btn_delete,
                  self.btn_copy_all, self.preview):
            row1.addWidget(w)
        row1.addStretch(1)
        row2 = QHBoxLayout()
        for w in (self.btn_suggest, self.btn_accept, self.btn_reject, self.btn_accept_all, self.btn_reject_all):
            row2.addWidget(w)
        row2.addStretch(1)
        row2.addWidget(self.reviewed)
        row2.addWidget(self.btn_not_needed)
        row2.addWidget(self.btn_mask)
        row2.addWidget(self.btn_keep_residual)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addLayout(cats)
        rl.addLayout(row1)
        rl.addLayout(row2)
        rl.addWidget(self.view, 1)
        rl.addWidget(self.status)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 4)
        lay = QVBoxLayout(self)
        lay.addWidget(split)
        ctx.bus.roster_changed.connect(self.reload)
        ctx.bus.documents_changed.connect(lambda pid: self.load_person(pid) if pid == self.current_person else None)
        self.reload()
        self._update_buttons()

    def keyPressEvent(self, event: Any) -> None:
        """1–5 pick the category (and re-categorise the selected boxes); Del deletes the selection."""
        key = event.key()
        if Qt.Key.Key_1 <= key <= Qt.Key.Key_5 and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.set_category(CATEGORIES[key - Qt.Key.Key_1])
            event.accept()
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selected()
            event.accept()
        else:
            super().keyPressEvent(event)

    # -------------------------------------------------------------- persons and pages

    def reload(self) -> None:
        from app.services.roster import list_persons

        keep = self.current_person
        self.persons.blockSignals(True)
        self.persons.clear()
        for p in list_persons(self.ctx.db):
            it = QListWidgetItem(f"{p.name}（{p.unit.name if p.unit else '无单位'}）")
            it.setData(Qt.ItemDataRole.UserRole, p.id)
            self.persons.addItem(it)
            if p.id == keep:
                self.persons.setCurrentItem(it)
        self.persons.blockSignals(False)

    def _on_person(self, cur: QListWidgetItem | None, _prev: Any) -> None:
        if cur is not None and int(cur.data(Qt.ItemDataRole.UserRole)) != self.current_person:
            self.load_person(int(cur.data(Qt.ItemDataRole.UserRole)))

    def load_person(self, person_id: int) -> None:
        self._save_current()
        self.current_person = person_id
        self.persons.blockSignals(True)
        for i in range(self.persons.count()):
            if self.persons.item(i).data(Qt.ItemDataRole.UserRole) == person_id:
                self.persons.setCurrentRow(i)
        self.persons.blockSignals(False)
        self._targets = svc.person_targets(self.ctx.db, person_id)
        self._refresh_pages()
        if self.pages.count():
            self.pages.setCurrentRow(0)
        else:
            self.current_page = None
            self.view.scene().clear()
            self.view.page_item = None
            self.status.setText("此人没有需要遮盖的材料（一寸照片和单位出具的材料不遮盖）")

    def _refresh_pages(self) -> None:
        if self.current_person is None:
            return
        self._progress = svc.masking_pages(self.ctx.db, self.current_person)
        keep = self.current_page
        self.pages.blockSignals(True)
        self.pages.clear()
        marks = {"masked": "已遮盖", "not_needed": "无需遮盖"}
        for item in self._progress.items:
            state = marks.get(item.mask_state, "已审核" if item.reviewed else "待审核")
            it = QListWidgetItem(f"{item.document_title} 第 {item.index + 1} 页 · {state}")
            it.setData(Qt.ItemDataRole.UserRole, item.page_id)
            self.pages.addItem(it)
            if item.page_id == keep:
                self.pages.setCurrentItem(it)
        self.pages.blockSignals(False)
        self.progress_label.setText(self._progress.label)

    def open_target(self, person_id: int, document_id: int = -1, page_id: int = -1) -> int | None:
        """Show ``person_id`` at the page to work on: ``page_id`` itself, else the first page of
        ``document_id`` still to mask, else that document's first page, else the person's first page
        still to mask. Returns the page shown (None: the person has no page to mask)."""
        if self.persons.count() == 0:
            self.reload()
        if person_id != self.current_person:
            self.load_person(person_id)
        items = self._progress.items if self._progress is not None else []
        pending = [i for i in items if i.mask_state == "pending"]
        wanted = page_id if page_id in {i.page_id for i in items} else None
        if wanted is None:
            for pool in ([i for i in pending if i.document_id == document_id],
                         [i for i in items if i.document_id == document_id], pending, items):
                if pool:
                    wanted = pool[0].page_id
                    break
        if wanted is None:
            return None
        row = self.page_ids().index(wanted)
        if self.pages.currentRow() == row and self.current_page == wanted:
            return wanted
        self.pages.setCurrentRow(row)
        return wanted

    def page_ids(self) -> list[int]:
        return [int(self.pages.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.pages.count())]

    def _on_page(self, cur: QListWidgetItem | None, _prev: Any) -> None:
        if cur is not None:
            self.show_page(int(cur.data(Qt.ItemDataRole.UserRole)))

    def show_page(self, page_id: int) -> None:
        self._save_current()
        self.undo.clear()
        self.current_page = page_id
        blob, kind, rotation = svc.page_blob(self.ctx.db, page_id)
        if kind in ("jpeg", "png") and rotation == 0:
            im = load_preview(blob)  # fast path: DCT-scaled decode of the stored scan
        else:
            im = svc.render_page_image(self.ctx.db, page_id, max_px=PREVIEW_PX)
        self._image = im.convert("RGB")
        self.page_size = self._image.size
        self.view.set_pixmap(to_pixmap(self._image))
        st = svc.get_page_boxes(self.ctx.db, page_id)
        self.boxes, self.rejected, self.suggestions = list(st.boxes), list(st.rejected), []
        self.mask_version = st.version
        self.residual = []
        self.reviewed.blockSignals(True)
        self.reviewed.setChecked(st.reviewed)
        self.reviewed.blockSignals(False)
        self.preview.setChecked(False)
        self._rebuild_items()
        self.status.setText("在页面上拖动鼠标画框；拖动框可移动，拖动框的右下角可改变大小")
        self.page_loaded.emit(page_id)

    def _save_current(self, *, reviewed: bool | None = None) -> None:
        if self.current_page is None:
            return
        try:
            self.mask_version = svc.save_page_boxes(
                self.ctx.db, self.current_page, self.boxes, reviewed=reviewed, rejected=self.rejected,
                expected_version=self.mask_version)
        except ConflictError as exc:
            self._offer_reload(exc)
        except ChudingError as exc:
            log.warning("saving boxes of page %s failed: %s (%s)", self.current_page, type(exc).__name__, exc.detail)
            from app.ui import server_fault

            server_fault.handle(exc, self)

    def _offer_reload(self, exc: ConflictError) -> None:
        """A colleague saved this page's boxes: say so (both counts) and offer 重新载入."""
        from PySide6.QtWidgets import QMessageBox

        self.status.setText(exc.message.replace("\n", " "))
        if self.conflict_box is not None and self.conflict_box.isVisible():
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "同事已修改", exc.message, parent=self)
        self.reload_button = box.addButton("重新载入", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        page = self.current_page

        def done(_r: int) -> None:
            if box.clickedButton() is self.reload_button and page is not None:
                self.current_page = None  # drop the unsaved boxes, show the colleague's
                self.show_page(page)

        box.finished.connect(done)
        self.conflict_box = box
        box.open()

    # -------------------------------------------------------------- boxes

    def box_items(self, *, suggestions: bool = False) -> list[BoxItem]:
        return [it for it in self.view.scene().items() if isinstance(it, BoxItem) and it.suggestion == suggestions]

    def _rebuild_items(self) -> None:
        for it in self.box_items() + self.box_items(suggestions=True):
            self.view.scene().removeItem(it)
        for b in self.boxes:
            self.view.scene().addItem(BoxItem(b, self.page_size))
        for b in self.suggestions:
            self.view.scene().addItem(BoxItem(b, self.page_size, suggestion=True))
        self._show_preview(self.preview.isChecked())
        self._update_buttons()

    def _set_boxes(self, page_id: int | None, boxes: list[Box]) -> None:
        if page_id != self.current_page:
            return
        if boxes != self.boxes:
            self.residual = []  # boxes changed: the page is masked again, not kept as it was
        self.boxes = list(boxes)
        self._rebuild_items()
        self._save_current()

    def push(self, after: list[Box], text: str) -> None:
        self.undo.push(SetBoxes(self, list(self.boxes), list(after), text))

    def add_box(self, box: Box) -> None:
        self.push([*self.boxes, box], "添加遮盖框")

    def _on_drawn(self, rect: QRectF) -> None:
        w, h = self.page_size
        box = Box.from_pixels((rect.left(), rect.top(), rect.right(), rect.bottom()), w, h,
                              category=self.category, source="manual")
        self.add_box(box)

    def _on_items_edited(self) -> None:
        after = [it.current_box() for it in self.box_items()]
        after.sort(key=lambda b: (b.y0, b.x0))
        if sorted(self.boxes, key=lambda b: (b.y0, b.x0)) != after:
            self.push(after, "移动或调整遮盖框")

    def selected_items(self) -> list[BoxItem]:
        return [it for it in self.view.scene().selectedItems() if isinstance(it, BoxItem)]

    def delete_selected(self) -> None:
        gone = {id(it.box) for it in self.selected_items() if not it.suggestion}
        if gone:
            self.push([b for b in self.boxes if id(b) not in gone], "删除遮盖框")

    def set_category(self, category: str) -> None:
        self.category = category
        self.cat_group.button(CATEGORIES.index(category)).setChecked(True)
        chosen = {id(it.box) for it in self.selected_items() if not it.suggestion}
        if chosen:
            after = [Box(category, b.x0, b.y0, b.x1, b.y1, b.score, b.source) if id(b) in chosen else b
                     for b in self.boxes]
            self.push(after, "更改类别")

    def copy_selected_to_all_pages(self) -> None:
        items = [it for it in self.selected_items() if not it.suggestion]
        if not items or self.current_person is None:
            self.status.setText("请先选中一个遮盖框")
            return
        self._save_current()
        others = [pid for pid in self.page_ids() if pid != self.current_page]
        n = 0
        for it in items:
            n += svc.copy_box_to_pages(self.ctx.db, it.box, others)
        self._refresh_pages()
        self.status.setText(f"已复制到其他 {len(others)} 页中的 {n} 处")

    # -------------------------------------------------------------- suggestions

    def run_suggestions(self) -> None:
        if self.current_page is None:
            return
        page_id, targets = self.current_page, self._targets

        def work(task: TaskState) -> list[Box]:
            task.progress(0, 1, "正在识别姓名、单位、公章和眼部…")
            return svc.suggest_for_page(self.ctx.db, page_id, names=targets.names, units=targets.units)

        def done(found: list[Box]) -> None:
            if page_id != self.current_page:
                return
            self.set_suggestions(found)
            self.suggestions_ready.emit(page_id)

        op(self, work).with_progress("正在识别…").success(done).run()

    def set_suggestions(self, found: list[Box]) -> None:
        self.suggestions = [b for b in found if not any(b.overlaps(x) > 0.9 and b.category == x.category
                                                        for x in self.boxes)]
        self._rebuild_items()
        self.status.setText(f"共 {len(self.suggestions)} 条建议（虚线框）：请逐一接受或拒绝" if self.suggestions
                            else "没有新的建议")

    def _take(self, chosen: list[Box], accept: bool) -> None:
        ids = {id(b) for b in chosen}
        self.suggestions = [b for b in self.suggestions if id(b) not in ids]
        if accept:
            self.push([*self.boxes, *chosen], f"接受 {len(chosen)} 条建议")
        else:
            self.rejected.extend(chosen)
            self._rebuild_items()
            self._save_current()

    def accept_selected(self) -> None:
        self._take([it.box for it in self.selected_items() if it.suggestion], True)

    def reject_selected(self) -> None:
        self._take([it.box for it in self.selected_items() if it.suggestion], False)

    def accept_all(self) -> None:
        self._take(list(self.suggestions), True)

    def reject_all(self) -> None:
        self._take(list(self.suggestions), False)

    # -------------------------------------------------------------- preview, review, mask

    def _show_preview(self, on: bool) -> None:
        from app.masking.burn import fill_boxes

        if self.view.page_item is None or self._image is None:
            return
        img = fill_boxes(self._image, self.boxes, (0, 0, 0)) if on else self._image
        self.view.page_item.setPixmap(to_pixmap(img))
        for it in self.box_items() + self.box_items(suggestions=True):
            it.apply_style(preview=on)

    def _on_reviewed(self, on: bool) -> None:
        self._save_current(reviewed=on)
        self._refresh_pages()

    def _page_title(self) -> str:
        items = self._progress.items if self._progress else []
        item = next((i for i in items if i.page_id == self.current_page), None)
        return f"“{item.document_title}”第 {item.index + 1} 页" if item else "本页"

    def mask_current_page(self) -> None:
        if self.current_page is None:
            return
        page_id = self.current_page
        if not self.boxes:  # nothing would be masked: never report an unmasked page as 已遮盖
            msg = (f"{self._page_title()}还没有遮盖框，未生成遮盖件。请框选需要遮盖的内容（或点“识别建议”后接受建议）；"
                   "若本页确实没有需要遮盖的内容，请点“无需遮盖”。")
            self.status.setText(msg)
            QMessageBox.information(self, "未生成遮盖件", msg)
            return
        self._save_current(reviewed=True)

        def work(task: TaskState) -> Any:
            task.progress(0, 1, "正在烧录、校验并检查框外是否还有遗漏…")
            return svc.mask_page(self.ctx.db, page_id, check_residual=True)

        def done(result: Any) -> None:
            self._refresh_pages()
            if result.residual and page_id == self.current_page:
                from app.masking.residual import residual_summary

                self.residual = list(result.residual)
                self.set_suggestions([r.box() for r in self.residual])
                self.status.setText(
                    f"遮盖件已通过校验，但框外仍能识别出：{residual_summary(self.residual)}（虚线框）。"
                    "请接受这些框并重新生成遮盖件；确认可以保留时点击“保留并确认”。在此之前本页不能导出")
                return
            self.status.setText(f"已生成遮盖件并通过全部校验（{result.output_bytes // 1024} KB）")
            self.masked.emit(page_id)

        def failed(exc: BaseException) -> None:
            msg = getattr(exc, "message", str(exc))
            self.status.setText(f"未生成遮盖件：{msg}")
            if isinstance(exc, ChudingError):
                QMessageBox.warning(self, "未生成遮盖件", msg)

        op(self, work).with_progress("正在生成遮盖件…").success(done).failure(failed).run()

    def accept_residual(self) -> None:
        """Keep what the residual check found on this page (recorded in the audit): the page is masked."""
        if self.current_page is None or not self.residual:
            return
        page_id = self.current_page
        svc.accept_page_residual(self.ctx.db, page_id, self.residual)
        self.residual = []
        self.suggestions = []
        self._rebuild_items()
        self._refresh_pages()
        self.status.setText("已确认保留框外内容并记入审计，本页遮盖完成")
        self.masked.emit(page_id)

    def mark_not_needed(self) -> None:
        """The officer's explicit 无需遮盖 for the current page, after a confirmation; recorded with who
        and when in the masking audit."""
        if self.current_page is None:
            return
        page_id = self.current_page
        title = self._page_title()
        if self.boxes:
            msg = f"{title}已有 {len(self.boxes)} 个遮盖框：请生成遮盖件；若确实无需遮盖，请先删除这些框。"
            self.status.setText(msg)
            QMessageBox.information(self, "无需遮盖", msg)
            return
        officer = svc.officer_name()
        answer = QMessageBox.question(
            self, "确认无需遮盖",
            f"确认{title}没有需要遮盖的内容（姓名、单位、公章、眼部）吗？\n\n确认后本页将按原样导出，"
            f"并在遮盖记录中登记经办人“{officer}”和确认时间。",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            self.status.setText("未更改：本页仍待遮盖")
            return
        self._save_current(reviewed=True)
        change = svc.set_not_needed(self.ctx.db, page_id, officer=officer)
        emit_change(change)  # the one change signal (as op() does for background work): pages refresh
        self.status.setText(f"已确认{title}无需遮盖（经办人：{officer}）")
        self._refresh_pages()
        self.masked.emit(page_id)

    def _update_buttons(self) -> None:
        sel = self.selected_items()
        has_page = self.current_page is not None
        self.btn_delete.setEnabled(any(not it.suggestion for it in sel))
        self.btn_copy_all.setEnabled(any(not it.suggestion for it in sel))
        self.btn_accept.setEnabled(any(it.suggestion for it in sel))
        self.btn_reject.setEnabled(any(it.suggestion for it in sel))
        self.btn_accept_all.setEnabled(bool(self.suggestions))
        self.btn_reject_all.setEnabled(bool(self.suggestions))
        for b in (self.btn_suggest, self.btn_mask, self.btn_not_needed, self.reviewed, self.preview):
            b.setEnabled(has_page)
        self.btn_keep_residual.setEnabled(bool(self.residual))
        self.btn_undo.setEnabled(self.undo.canUndo())
        self.btn_redo.setEnabled(self.undo.canRedo())
