"""The 材料 page with a real QApplication: cards per checklist row, drop files onto a card, page
strip tools, the unit overview matrix."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.domain.person import Education, PersonData, UnitData
from app.services.packet import list_documents
from app.services.roster import save_person
from app.settings import Settings
from app.ui.context import Bus, UiContext
from tests.fixtures.docs import gen


def _person(db: Any, make_id: Any, name: str) -> int:
    r = save_person(db, PersonData(
        name=name, gender="女", id_number=make_id(dt.date(2000, 2, 2), male=False), work_start=dt.date(2023, 7, 1),
        series="工程", specialty="电力", contract=True, dispatched=False, first_application=True,
        educations=[Education(level="本科", mode="全日制", graduation_date=dt.date(2023, 6, 30), degree="学士",
                              degree_date=dt.date(2023, 6, 30))],
        assessments={2024: "合格"},
        unit=UnitData(name="界面测试公司", nature="民营企业", location="乌鲁木齐市", level="地州市")))
    assert r.person.id is not None
    return r.person.id


def _open(qtbot: Any, db: Any) -> Any:
    from app.ui.packet.view import PacketView

    ctx = UiContext(db=db, settings=Settings(profile_id="urumqi-private-2025"), bus=Bus())
    view = PacketView(ctx)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded, timeout=20000):
        view.show()
    qtbot.waitUntil(lambda: bool(view.cards), timeout=10000)
    return view


def _settle(qtbot: Any) -> None:
    """Wait until every background operation (and the ones their callbacks start) has finished."""
    from app.ui.workers import _live_ops

    qtbot.waitUntil(lambda: not _live_ops, timeout=30000)
    qtbot.wait(50)
    qtbot.waitUntil(lambda: not _live_ops, timeout=30000)


def _drop(card: Any, paths: list[Path]) -> None:
    md = QMimeData()
    md.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    ev = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, md, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    card.dropEvent(ev)


def test_cards_drop_and_page_tools(qtbot: Any, db: Any, make_id: Any, tmp_path: Path) -> None:
    pid = _person(db, make_id, "界面甲")
    _person(db, make_id, "界面乙")
    view = _open(qtbot, db)
    assert view.persons.count() == 2 and view.overview.rowCount() == 2
    packet = view._packet(view.current_person)
    assert [c.status.label for c in view.cards] == [s.label for s in packet.slots]
    assert all(c.status.status == "缺失" for c in view.cards)
    view.only_incomplete.setChecked(True)
    assert len(view.cards) == len([s for s in packet.slots if s.counted])

    view.persons.setCurrentRow(next(i for i in range(2) if view.persons.item(i).text().startswith("界面甲")))
    card = next(c for c in view.cards if c.status.slot == "contract")
    scan = tmp_path / "合同.pdf"
    scan.write_bytes(gen.scanned_pdf(3, dpi=60))
    with qtbot.waitSignal(view.loaded, timeout=20000):
        _drop(card, [scan])
    docs = list_documents(db, pid)
    assert [(d.slot, len(d.pages)) for d in docs] == [("contract", 3)]
    card = next(c for c in view.cards if c.status.slot == "contract")
    assert card.status.status == "待遮盖"
    qtbot.waitUntil(lambda: card.thumb.pixmap() is not None and not card.thumb.pixmap().isNull(), timeout=10000)

    # the page strip stays folded away for a card without pages (room for the cards on small screens)
    empty = next(c for c in view.cards if c.status.slot == "diploma")
    empty.clicked.emit(empty.status)
    _settle(qtbot)
    assert not view.strip_panel.isVisible()
    # page strip: select the card, rotate the second page, reorder, split
    card.clicked.emit(card.status)
    _settle(qtbot)
    assert view.strip_panel.isVisible() and view.strip.count() == 3
    ids = view.strip.page_ids()
    view.strip.item(1).setSelected(True)
    # every edit reloads the checklist, then the cards' thumbnails, then the strip
    view.tool_buttons["rotate_right"].click()
    _settle(qtbot)
    assert [p.rotation for p in list_documents(db, pid)[0].pages] == [0, 90, 0]
    assert view.strip.count() == 3 and "90°" in view.strip.item(1).text()
    view.strip.reordered.emit([ids[2], ids[0], ids[1]])
    _settle(qtbot)
    assert [p.id for p in list_documents(db, pid)[0].pages] == [ids[2], ids[0], ids[1]]
    assert view.strip.page_ids() == [ids[2], ids[0], ids[1]]
    view.split_at(ids[0])
    _settle(qtbot)
    assert sorted(len(d.pages) for d in list_documents(db, pid)) == [1, 2]
    assert view.current_slot is not None and len(view.current_slot.document_ids) == 2
    view.merge_slot_documents()
    _settle(qtbot)
    assert [len(d.pages) for d in list_documents(db, pid)] == [3]


def test_bad_drop_changes_nothing_and_overview_marks_progress(qtbot: Any, db: Any, make_id: Any, tmp_path: Path,
                                                              monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QMessageBox

    pid = _person(db, make_id, "界面丙")
    view = _open(qtbot, db)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    bad = tmp_path / "坏.jpg"
    bad.write_bytes(gen.truncated(gen.jpeg((800, 600)), 0.4))
    card = next(c for c in view.cards if c.status.slot == "diploma")
    _drop(card, [bad])
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert "不完整" in shown[0] and "未改动" in shown[0]
    assert list_documents(db, pid) == []

    good = tmp_path / "毕业证.jpg"
    good.write_bytes(gen.jpeg((1200, 850)))
    with qtbot.waitSignal(view.loaded, timeout=20000):
        _drop(next(c for c in view.cards if c.status.slot == "diploma"), [good])
    headers = [view.overview.horizontalHeaderItem(c).text() for c in range(view.overview.columnCount())]
    col = next(i for i, h in enumerate(headers) if h.startswith("毕业证"))
    assert view.overview.item(0, col).text() == "待遮盖"
    assert view.overview.item(0, 0).text().startswith("0/")


def test_dragging_a_card_onto_another_refiles_its_documents(qtbot: Any, db: Any, make_id: Any,
                                                           tmp_path: Path) -> None:
    pid = _person(db, make_id, "界面丙")
    view = _open(qtbot, db)
    src = next(c for c in view.cards if c.status.slot == "diploma")
    assert src.document_mime() is None  # nothing to drag from an empty card
    scan = tmp_path / "学位证.pdf"  # the officer dropped the 学位证 on the 毕业证 card
    scan.write_bytes(gen.scanned_pdf(1, dpi=60))
    with qtbot.waitSignal(view.loaded, timeout=20000):
        _drop(src, [scan])
    _settle(qtbot)
    src = next(c for c in view.cards if c.status.slot == "diploma")
    dst = next(c for c in view.cards if c.status.slot == "degree_cert")
    assert src.status.document_ids and dst.status.status == "缺失"
    md = src.document_mime()
    assert md is not None

    def drop_on(card: Any) -> None:
        card.dropEvent(QDropEvent(QPointF(10, 10), Qt.DropAction.MoveAction, md, Qt.MouseButton.LeftButton,
                                  Qt.KeyboardModifier.NoModifier))

    drop_on(src)  # onto its own card: nothing happens
    _settle(qtbot)
    assert [d.slot for d in list_documents(db, pid)] == ["diploma"]
    with qtbot.waitSignal(view.loaded, timeout=20000):
        drop_on(dst)
    _settle(qtbot)
    assert [d.slot for d in list_documents(db, pid)] == ["degree_cert"]
    assert next(c for c in view.cards if c.status.slot == "degree_cert").status.status != "缺失"
    assert next(c for c in view.cards if c.status.slot == "diploma").status.status == "缺失"
    # the strip's "改为其他材料…" offers every other card; documents of another person are ignored
    view.select_slot(next(c for c in view.cards if c.status.slot == "degree_cert").status)
    targets = {st.slot for st in view.move_targets()}
    assert "degree_cert" not in targets and "diploma" in targets
    view.move_documents(next(c for c in view.cards if c.status.slot == "diploma").status, [10_000])
    _settle(qtbot)
    assert [d.slot for d in list_documents(db, pid)] == ["degree_cert"]
