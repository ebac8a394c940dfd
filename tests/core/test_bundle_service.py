"""Export service on a real database: documents, masking records, pre-flight, build, verify."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.errors import CheckFailed
from tests.core.test_bundle_support import AS_OF, NAME_BOX, PROFILE, eligible_person, scan_bytes


def _fill_packet(db, tmp: Path, person_id: int, *, mask_pages: int = 2, leave_pending: str | None = None) -> None:
    """Every required person-issued material as a scan; the first ``mask_pages`` mask-slot pages are
    masked with the masking service, the others marked 无需遮盖 (or left pending for one slot)."""
    from app.masking.boxes import Box
    from app.policy.eligibility import evaluate
    from app.policy.profiles import load_profile
    from app.services import masking
    from app.services.packet import add_documents, condition_applies, list_documents
    from app.services.roster import find_person

    profile = load_profile(PROFILE)
    person = find_person(db, person_id)
    v = evaluate(person, profile, AS_OF)
    for m in profile.materials:
        if m.issuer != "person" or condition_applies(m.condition, person) is not True:
            continue
        for year in (v.required_years if m.per_year else [None]):
            f = tmp / f"{person_id}_{m.slot}_{year}.jpg"
            f.write_bytes(scan_bytes(hash((person_id, m.slot, year)) % 1000, size=(620, 877)))
            add_documents(db, person_id, m.slot, [f], year,
                          issue_date=AS_OF if m.slot == "chsi_record" else None)
    masked = 0
    for d in list_documents(db, person_id):
        spec = profile.material(d.slot)
        for pg in d.pages:
            if spec is None or not spec.mask or d.slot == leave_pending:
                continue
            if masked < mask_pages:
                masking.save_page_boxes(db, pg.id, [Box(**NAME_BOX)])
                masking.mask_page(db, pg.id, ocr=False)
                masked += 1
            else:
                masking.set_not_needed(db, pg.id)


@pytest.fixture
def person_id(db, make_id) -> int:
    from app.services.roster import save_person

    p = eligible_person(make_id(), "库测甲")
    p.id = None
    res = save_person(db, p)
    assert res.person.id is not None
    return res.person.id


def test_preflight_points_at_the_unmasked_page_then_exports(db, tmp_path: Path, person_id: int) -> None:
    # work_summary: the demo-free profile wants 2000–3000 words; a scan has no count → no blocker
    from app.services import rounds
    from app.services.export import default_selection, export_bundle, preflight, verify_bundle

    _fill_packet(db, tmp_path, person_id, leave_pending="contract")
    rounds.update_round(db, profile_id=PROFILE)
    # the round's unit documents (公示, 公示结果 …) are requirements: without them nothing exports
    pre = preflight(db, profile_id=PROFILE, person_ids=[person_id], as_of=AS_OF)
    unit_slots = {u.slot for u in pre.plan.unit_documents}
    assert unit_slots and {b.slot for b in pre.plan.blockers if b.code == "unit_missing"} == unit_slots
    assert not pre.plan.persons[0].complete and not pre.plan.unit_complete
    for slot in unit_slots:  # handed in on paper: the officer marks them provided
        rounds.set_unit_document(db, slot, "provided", note="纸质件已报送")
    assert default_selection(db, profile_id=PROFILE, as_of=AS_OF) == []  # not complete yet
    pre = preflight(db, profile_id=PROFILE, person_ids=[person_id], as_of=AS_OF)
    blockers = pre.plan.blockers
    assert [(b.code, b.slot, b.page_index) for b in blockers] == [("unmasked", "contract", 0)]
    assert blockers[0].person_id == person_id and blockers[0].page_id and blockers[0].document_id
    with pytest.raises(CheckFailed):
        export_bundle(db, tmp_path / "out", pre=pre)
    assert not (tmp_path / "out").exists()

    from app.services import masking
    from app.services.packet import list_documents

    for d in list_documents(db, person_id):
        if d.slot == "contract":
            for pg in d.pages:
                masking.set_not_needed(db, pg.id)
    assert default_selection(db, profile_id=PROFILE, as_of=AS_OF) == [person_id]
    res = export_bundle(db, tmp_path / "out", profile_id=PROFILE, as_of=AS_OF, workers=1)
    m = res.manifest
    masked = [f for f in m.files if any(pm.state == "masked" for pm in f.mask_pages)]
    assert len(masked) == 2
    assert all(pm.audit and pm.audit.startswith("mask_audits/") for f in masked for pm in f.mask_pages
               if pm.state == "masked")
    assert all(f.mask_pages[0].boxes for f in masked)
    unit = [f.path for f in m.files if f.kind == "unit"]
    assert any("推荐报告" in p for p in unit) and any("公示" in p for p in unit)
    rep = verify_bundle(tmp_path / "out")
    assert rep.ok, rep.to_json()


def test_person_keys_resolve_by_id_number_and_name(db, person_id: int) -> None:
    from app.errors import NotFoundError
    from app.services.export import resolve_person_keys
    from app.services.roster import find_person

    p = find_person(db, person_id)
    assert resolve_person_keys(db, [p.id_number, "库测甲", str(person_id)]) == [person_id]
    with pytest.raises(NotFoundError):
        resolve_person_keys(db, ["无此人"])
