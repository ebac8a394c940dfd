"""#13 item 3 in the GUI: 导出此材料… on the 材料 page writes what app.services.release lets out of the
vault — the masked copy, metadata dropped — and refuses an unmasked material that needs masking."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from app.masking.boxes import Box
from app.services import masking
from app.services.packet import list_documents
from tests.fixtures.masking.docs import ID_NUMBER, certificate_image
from tests.ui.test_packet_view import _drop, _open, _person, _settle

LINE = Box("name", 0.05, 0.195, 0.95, 0.245, 1.0, "manual")


def test_export_this_material_uses_the_release_decision(qtbot: Any, db: Any, make_id: Any, tmp_path: Path,
                                                        monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    target = tmp_path / "out" / "合同.jpg"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    pid = _person(db, make_id, "界面导出")
    view = _open(qtbot, db)
    scan = tmp_path / "contract.jpg"
    certificate_image(size=(827, 1170), seal=False).save(scan, quality=90, comment=ID_NUMBER.encode())
    card = next(c for c in view.cards if c.status.slot == "contract")
    with qtbot.waitSignal(view.loaded, timeout=20000):
        _drop(card, [scan])
    _settle(qtbot)
    view.select_slot(next(c for c in view.cards if c.status.slot == "contract").status)
    _settle(qtbot)
    assert view.current_doc is not None and view.tool_buttons["export_doc"].isEnabled()

    # not masked yet: refused, nothing written
    view.tool_buttons["export_doc"].click()
    _settle(qtbot)
    assert warned and "尚未遮盖" in warned[0] and "界面导出" in warned[0]
    assert not target.exists() and list(target.parent.iterdir()) == []

    # masked: the masked pixels leave, without the scan's comment
    (doc,) = list_documents(db, pid)
    page_id = doc.pages[0].id
    masking.save_page_boxes(db, page_id, [LINE], reviewed=True)
    masking.mask_page(db, page_id, ocr=False)
    with qtbot.waitSignal(view.exported, timeout=30000):
        view.tool_buttons["export_doc"].click()
    data = target.read_bytes()
    assert ID_NUMBER.encode() not in data and b"\xff\xfe" not in data[:data.find(b"\xff\xda")]
    arr = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.int16)
    h, w = arr.shape
    region = arr[int(0.205 * h):int(0.235 * h), int(0.08 * w):int(0.92 * w)]
    assert region.max() - region.min() <= 24 and region.mean() < 30
    assert len(warned) == 1
