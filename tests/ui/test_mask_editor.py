"""The 遮盖 page with a real QApplication: draw/move/resize/delete boxes, categories and shortcuts,
undo/redo, suggestions accepted/rejected, copy to all pages, burned preview, progress, masking."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from app.domain.person import PersonData, UnitData
from app.masking.boxes import Box
from app.services import masking as svc
from app.services.packet import add_documents
from app.services.roster import save_person
from app.ui.masking.editor import COLOURS, MaskEditor
from tests.fixtures.masking.docs import NAME, UNIT, certificate_image
from tests.ui._support import make_ctx


def _setup(db, make_id, tmp_path: Path) -> int:  # type: ignore[no-untyped-def]
    r = save_person(db, PersonData(name=NAME, gender="女", id_number=make_id(dt.date(1990, 1, 1), male=False),
                                   unit=UnitData(name=UNIT)))
    pid = r.person.id
    assert pid is not None
    for i in range(2):
        f = tmp_path / f"c{i}.jpg"
        certificate_image(size=(827, 1170), seal=i == 0).save(f, quality=85)
        add_documents(db, pid, "diploma" if i == 0 else "contract", [f])
    return pid


def _editor(qtbot, db, pid):  # type: ignore[no-untyped-def]
    ed = MaskEditor(make_ctx(db))
    qtbot.addWidget(ed)
    ed.resize(1100, 800)
    ed.show()
    qtbot.waitExposed(ed)
    with qtbot.waitSignal(ed.page_loaded, timeout=10000):
        ed.load_person(pid)
    return ed


def _drag(qtbot, view, a: QPoint, b: QPoint) -> None:  # type: ignore[no-untyped-def]
    vp = view.viewport()
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a)
    for k in range(1, 6):
        qtbot.mouseMove(vp, a + (b - a) * (k / 5))
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b)


def _vp(view, fx: float, fy: float, size) -> QPoint:  # type: ignore[no-untyped-def]
    return view.mapFromScene(fx * size[0], fy * size[1])


def test_draw_category_undo_redo_delete_and_progress(qtbot, db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _setup(db, make_id, tmp_path)
    ed = _editor(qtbot, db, pid)
    assert ed.pages.count() == 2 and ed.progress_label.text() == "已审核 0/2 页，已遮盖 0/2 页"
    size = ed.page_size
    # key "2" picks 工作单位, then a drag draws a box of that category
    qtbot.keyClick(ed, Qt.Key.Key_2)
    assert ed.category == "unit"
    _drag(qtbot, ed.view, _vp(ed.view, 0.2, 0.2, size), _vp(ed.view, 0.5, 0.26, size))
    assert len(ed.boxes) == 1
    (b,) = ed.boxes
    assert b.category == "unit" and b.source == "manual"
    assert abs(b.x0 - 0.2) < 0.02 and abs(b.y1 - 0.26) < 0.02
    (item,) = ed.box_items()
    assert item.pen().color() == QColor(COLOURS["unit"])
    assert svc.get_page_boxes(db, ed.current_page).boxes == ed.boxes  # saved

    # move it by dragging its middle, then resize from the lower-right corner
    _drag(qtbot, ed.view, _vp(ed.view, 0.35, 0.23, size), _vp(ed.view, 0.35, 0.33, size))
    (moved,) = ed.boxes
    assert abs(moved.y0 - 0.3) < 0.02 and abs(moved.x0 - 0.2) < 0.02
    _drag(qtbot, ed.view, _vp(ed.view, moved.x1, moved.y1, size), _vp(ed.view, 0.7, 0.45, size))
    (resized,) = ed.boxes
    assert abs(resized.x1 - 0.7) < 0.02 and abs(resized.y1 - 0.45) < 0.02 and abs(resized.y0 - 0.3) < 0.02

    # select it and change the category with key 3 (公章)
    ed.box_items()[0].setSelected(True)
    qtbot.keyClick(ed, Qt.Key.Key_3)
    assert ed.boxes[0].category == "seal"
    # undo ×3 → back to the first drawn box; redo → resized again
    for _ in range(3):
        ed.undo.undo()
    assert ed.boxes == [b]
    ed.undo.redo()
    ed.undo.redo()
    assert ed.boxes[0] == resized
    ed.box_items()[0].setSelected(True)
    qtbot.keyClick(ed, Qt.Key.Key_Delete)
    assert ed.boxes == []
    ed.undo.undo()
    assert ed.boxes == [resized]

    ed.reviewed.setChecked(True)
    assert ed.progress_label.text() == "已审核 1/2 页，已遮盖 0/2 页"


def test_suggestions_accept_reject_copy_preview_and_mask(qtbot, db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _setup(db, make_id, tmp_path)
    ed = _editor(qtbot, db, pid)
    row = next(i for i in range(ed.pages.count()) if ed.pages.item(i).text().startswith("毕业证书"))
    with qtbot.waitSignal(ed.page_loaded, timeout=10000):
        ed.pages.setCurrentRow(row)
    with qtbot.waitSignal(ed.suggestions_ready, timeout=60000):
        ed.run_suggestions()
    cats = sorted(b.category for b in ed.suggestions)
    assert "seal" in cats and "name" in cats and "unit" in cats
    assert all(it.pen().style() == Qt.PenStyle.DashLine for it in ed.box_items(suggestions=True))
    # reject the seal suggestion, accept the rest
    seal_item = next(it for it in ed.box_items(suggestions=True) if it.box.category == "seal")
    seal_item.setSelected(True)
    ed.reject_selected()
    assert "seal" not in [b.category for b in ed.suggestions]
    ed.accept_all()
    assert ed.suggestions == [] and {b.category for b in ed.boxes} == {"name", "unit"}
    assert all(b.source == "ocr" for b in ed.boxes)
    ed.undo.undo()
    assert ed.boxes == []
    ed.undo.redo()
    n = len(ed.boxes)
    # rejected suggestions stay rejected for this page
    assert [b.category for b in svc.get_page_boxes(db, ed.current_page).rejected] == ["seal"]

    # burned preview: boxes turn into black pixels in the page picture
    ed.preview.setChecked(True)
    img = ed.view.page_item.pixmap().toImage()
    b0 = ed.boxes[0]
    cx, cy = int((b0.x0 + b0.x1) / 2 * ed.page_size[0]), int((b0.y0 + b0.y1) / 2 * ed.page_size[1])
    assert img.pixelColor(cx, cy).lightness() < 10
    ed.preview.setChecked(False)
    assert ed.view.page_item.pixmap().toImage() != img

    # copy a manual box to all pages
    ed.add_box(Box("other", 0.8, 0.9, 0.95, 0.97))
    next(it for it in ed.box_items() if it.box.category == "other").setSelected(True)
    ed.copy_selected_to_all_pages()
    other_page = next(p for p in ed.page_ids() if p != ed.current_page)
    assert [b.category for b in svc.get_page_boxes(db, other_page).boxes] == ["other"]

    # mask the page: verified burn-in; the seal was rejected, so the residual check (in the background)
    # shows it as a dashed box and the page is not masked until the officer keeps it
    ed.mask_current_page()
    qtbot.waitUntil(lambda: bool(ed.residual), timeout=60000)
    assert "seal" in {b.category for b in ed.suggestions} and ed.btn_keep_residual.isEnabled()
    assert "框外仍能识别出" in ed.status.text() and svc.masking_pages(db, pid).masked == 0
    with qtbot.waitSignal(ed.masked, timeout=10000):
        ed.btn_keep_residual.click()
    assert not ed.btn_keep_residual.isEnabled() and ed.suggestions == []
    assert len(ed.boxes) == n + 1
    prog = svc.masking_pages(db, pid)
    assert prog.masked == 1
    assert "已遮盖 1/2 页" in ed.progress_label.text()
    assert "已遮盖" in ed.pages.item(0).text() or "已遮盖" in ed.pages.item(1).text()


def test_preview_of_a_big_scan_is_dct_scaled_and_not_resized_again(tmp_path: Path) -> None:
    from PIL import Image

    from app.ui.masking.editor import PREVIEW_PX, load_preview, to_pixmap

    big = certificate_image(size=(4961, 7016), seal=True)  # A4 at 600 dpi
    big.save(tmp_path / "big.jpg", quality=80)
    big.save(tmp_path / "big.png")
    im = load_preview(tmp_path / "big.jpg")
    # 1/4 DCT scaling gives 1241×1754: shown as it is (within 25 % of the preview size)
    assert im.size == (1241, 1754) and im.mode == "RGB"
    png = load_preview(tmp_path / "big.png")  # no DCT scaling for PNG: an exact downscale
    assert max(png.size) == PREVIEW_PX
    pm = to_pixmap(im)
    assert (pm.width(), pm.height()) == im.size
    # the colours survive the trip (the seal's red at its centre)
    red = pm.toImage().pixelColor(round(1241 * 0.68), round(1754 * 0.41))
    assert red.red() > 150 and red.green() < 120
    small = Image.new("L", (300, 400), 128)  # grey scans come out as RGB too
    assert load_preview(_save(small, tmp_path / "g.jpg")).mode == "RGB"


def _save(im, path: Path) -> Path:  # type: ignore[no-untyped-def]
    im.save(path)
    return path


def test_generate_with_no_box_does_not_mark_the_page_masked(qtbot, db, make_id, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                            monkeypatch) -> None:
    """#13 item 12: 生成遮盖件 on a 劳动合同 with no box and no suggestion run must not report 已遮盖."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: shown.append(a[2]))
    pid = _setup(db, make_id, tmp_path)
    ed = _editor(qtbot, db, pid)
    row = next(i for i in range(ed.pages.count()) if "合同" in ed.pages.item(i).text())
    if ed.pages.currentRow() != row:
        with qtbot.waitSignal(ed.page_loaded, timeout=10000):
            ed.pages.setCurrentRow(row)
    assert ed.boxes == []
    with qtbot.assertNotEmitted(ed.masked, wait=300):
        ed.mask_current_page()
    assert shown and "还没有遮盖框" in shown[0] and "无需遮盖" in shown[0]
    assert "已生成遮盖件" not in ed.status.text()
    assert svc.get_page_boxes(db, ed.current_page).mask_state == "pending"
    assert "已遮盖" not in ed.pages.item(row).text() and svc.masking_pages(db, pid).masked == 0
    # the export pre-flight still blocks the contract (a blocker, not a 提示)
    from app.masking.release import page_release

    st = svc.get_page_boxes(db, ed.current_page)
    assert page_release(mask_required=True, mask_state=st.mask_state, masked_sha=st.masked_sha, boxes=0,
                        not_needed_by=None).problem == "unmasked"


def test_not_needed_needs_confirmation_and_records_who(qtbot, db, make_id, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                        monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.services.release import release_document

    answers = [QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes]
    asked: list[str] = []

    def question(*a, **k):  # type: ignore[no-untyped-def]
        asked.append(a[2])
        return answers.pop(0)

    monkeypatch.setattr(QMessageBox, "question", question)
    pid = _setup(db, make_id, tmp_path)
    ed = _editor(qtbot, db, pid)
    row = next(i for i in range(ed.pages.count()) if "合同" in ed.pages.item(i).text())
    if ed.pages.currentRow() != row:
        with qtbot.waitSignal(ed.page_loaded, timeout=10000):
            ed.pages.setCurrentRow(row)
    page_id = ed.current_page
    ed.btn_not_needed.click()  # answered 否: nothing changes
    assert svc.get_page_boxes(db, page_id).mask_state == "pending" and "合同" in asked[0]
    with qtbot.waitSignal(ed.masked, timeout=5000):
        ed.btn_not_needed.click()  # answered 是
    assert svc.get_page_boxes(db, page_id).mask_state == "not_needed"
    assert "无需遮盖" in ed.pages.item(row).text() and "经办人" in ed.status.text()
    (audit,) = [a for a in svc.list_audits(db, person_id=pid) if a["page_id"] == page_id]
    assert audit["decision"] == "not_needed" and audit["officer"] and audit["created_at"]
    with db.session() as s:
        from app.models import Page

        page = s.get(Page, page_id)
        assert page is not None
        doc_id = page.document_id
    assert [p.masked for p in release_document(db, doc_id).pages] == [False]
