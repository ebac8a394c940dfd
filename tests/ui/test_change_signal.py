"""One change signal: masking a page in the editor updates the 材料 page and the roster without a
refresh (the masking service returns a change record; workers.op() emits it once on the main
window's bus; each page reloads what it shows)."""

from __future__ import annotations

from app.masking.boxes import Box
from app.services.changes import Change, change_of
from app.services.roster import find_person
from app.ui.item_models.roster_model import PACKET_COLUMN
from tests.ui._support import open_window


def _roster_text(window, pid: int) -> str:  # type: ignore[no-untyped-def]
    model = window.roster.model
    return str(model.index(model.row_of(pid), PACKET_COLUMN).data())


def _pending(packet, pid: int) -> int:  # type: ignore[no-untyped-def]
    pk = packet._packet(pid)
    return pk.pages_pending if pk is not None else -1


def test_change_records() -> None:
    c = Change.of(persons=[1], slots=["id_card"], pages=[7])
    assert c and not Change() and change_of(c) is c and change_of(object()) is None
    assert c.merge(Change.of(round_fields=["as_of"])).round_fields == frozenset({"as_of"})


def test_masking_a_page_updates_the_packet_page_and_the_roster(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, demo_db)
    qtbot.waitUntil(lambda: {"材料", "遮盖"} <= {t for t, _ in window.extra_pages}, timeout=30000)
    packet = next(w for t, w in window.extra_pages if t == "材料")
    editor = next(w for t, w in window.extra_pages if t == "遮盖")
    pid = int(find_person(demo_db, "马建国").id)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: _pending(packet, pid) > 0, timeout=30000)
    before = _pending(packet, pid)
    assert "单位材料（本批次共用）：推荐单位公示已提供" in packet.summary.text()  # the round's unit documents
    assert f"待遮盖 {before} 页" in _roster_text(window, pid)
    changes: list[Change] = []
    window.ctx.bus.changed.connect(changes.append)

    with qtbot.waitSignal(editor.page_loaded, timeout=20000):
        editor.load_person(pid)
    editor.add_box(Box("other", 0.0, 0.0, 1.0, 1.0))  # the whole page: nothing readable is left
    with qtbot.waitSignal(editor.masked, timeout=90000):
        editor.mask_current_page()
    # no reload called here: the change record reaches both pages
    qtbot.waitUntil(lambda: _pending(packet, pid) == before - 1, timeout=30000)
    qtbot.waitUntil(lambda: f"待遮盖 {before - 1} 页" in _roster_text(window, pid), timeout=30000)
    assert len(changes) == 1 and changes[0].persons == frozenset({pid}) and len(changes[0].pages) == 1


def test_the_round_status_is_computed_once_for_every_page(qtbot, demo_db) -> None:  # type: ignore[no-untyped-def]
    """The dashboard, the roster and the 材料 page show one round status: computed once at start-up
    and once per change (they used to compute it each, three times)."""
    window = open_window(qtbot, demo_db)
    qtbot.waitUntil(lambda: {"总览", "材料"} <= {t for t, _ in window.extra_pages}, timeout=30000)
    dash = next(w for t, w in window.extra_pages if t == "总览")
    packet = next(w for t, w in window.extra_pages if t == "材料")
    qtbot.waitUntil(lambda: dash.status is not None and packet.report is not None, timeout=30000)
    src = window.ctx.status
    assert src.computations == 1
    assert dash.status is src.latest and len(packet.report.persons) == len(src.latest.persons)
    assert window.roster.model.rowCount() == len(src.latest.persons)

    # one operation's signals (a change record, a roster change, a document change) → one run
    with qtbot.waitSignal(src.ready, timeout=30000) as blocker:
        window.ctx.bus.changed.emit(Change.of(persons=[1]))
        window.ctx.bus.roster_changed.emit()
        window.ctx.bus.documents_changed.emit(1)
    assert src.computations == 2 and blocker.args[0] is dash.status is src.latest
    assert not dash.is_loading and not window.roster.is_loading()
