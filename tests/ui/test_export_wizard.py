"""Export wizard with a real QApplication, a real database and real scans."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from tests.core.test_bundle_service import _fill_packet
from tests.core.test_bundle_support import AS_OF, PROFILE, eligible_person


@pytest.fixture
def wizard(qtbot, db, make_id, tmp_path: Path):
    from app.services.roster import save_person
    from app.settings import Settings
    from app.ui.context import Bus, UiContext
    from app.ui.export import ExportWizard

    ids = []
    for name in ("界面甲", "界面乙"):
        p = eligible_person(make_id(), name)
        p.id = None
        ids.append(save_person(db, p).person.id)
    _fill_packet(db, tmp_path, ids[0], mask_pages=1)  # complete
    _fill_packet(db, tmp_path, ids[1], mask_pages=0, leave_pending="diploma")  # one page unmasked
    from app.policy.requirements import round_unit_slots
    from app.services import rounds

    rounds.update_round(db, profile_id=PROFILE, as_of=AS_OF)  # the wizard exports the current round
    for spec in round_unit_slots(rounds.judge_round(db).profile):  # 公示 … handed in on paper
        rounds.set_unit_document(db, spec.slot, "provided")
    ctx = UiContext(db=db, settings=Settings(), bus=Bus())
    w = ExportWizard(ctx)
    qtbot.addWidget(w)
    assert f"审核日期 {AS_OF.isoformat()}" in w.target_page.round_label.text()
    w.target_page.target.setText(str(tmp_path / "bundle"))
    w.show()
    yield w, ids
    # Collect the wizard's reference cycles here, on the GUI thread (tests/ui/conftest.py keeps
    # automatic collection off during UI tests so no worker thread destroys widgets).
    import gc

    w.close()
    del w
    gc.collect()


def _to_persons(qtbot, w) -> None:
    with qtbot.waitSignal(w.persons_loaded, timeout=60000):
        w.next()


def test_default_selection_preflight_and_export(qtbot, wizard, tmp_path: Path) -> None:
    w, ids = wizard
    _to_persons(qtbot, w)
    items = [w.persons_page.list.item(i) for i in range(w.persons_page.list.count())]
    checked = [it.text() for it in items if it.checkState() == Qt.CheckState.Checked]
    assert len(items) == 2 and len(checked) == 1 and checked[0].startswith("界面甲")
    assert w.persons() == [ids[0]]
    with qtbot.waitSignal(w.preflight_done, timeout=60000) as blocker:
        w.next()
    assert blocker.args[0] == 0
    assert w.button(QWizard.WizardButton.NextButton).isEnabled()
    w.next()
    with qtbot.waitSignal(w.exported, timeout=120000) as done:
        w.run_page.start.click()
    out = Path(done.args[0])
    assert (out / "manifest.json").is_file() and (out / "01_界面甲").is_dir()
    assert w.run_page.open_folder.isEnabled()
    from app.services.export import verify_bundle

    assert verify_bundle(out).ok


def test_blockers_stop_the_wizard_and_jump_to_the_page(qtbot, wizard) -> None:
    w, ids = wizard
    _to_persons(qtbot, w)
    for i in range(w.persons_page.list.count()):  # pick the incomplete person too
        w.persons_page.list.item(i).setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(w.preflight_done, timeout=60000) as blocker:
        w.next()
    assert blocker.args[0] >= 1
    assert not w.button(QWizard.WizardButton.NextButton).isEnabled()
    lst = w.preflight_page.list
    row = next(i for i in range(lst.count()) if "毕业证" in lst.item(i).text() and "阻止" in lst.item(i).text())
    lst.setCurrentRow(row)
    with qtbot.waitSignal(w.jump_requested, timeout=5000) as jump:
        w.preflight_page.jump_button.click()
    person_id, slot, document_id, page_id, code = jump.args
    assert person_id == ids[1] and slot == "diploma" and document_id > 0 and page_id > 0 and code
