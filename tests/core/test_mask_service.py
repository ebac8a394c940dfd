"""Masking a stored person's pages: boxes with review state, rotation, burn-in into a derived vault copy,
audit records without text, per-person progress, and an end-to-end run on the demo scans."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import numpy as np
from PIL import Image
from sqlalchemy import select

from app.documents import demo_scans
from app.documents.vault import vault_for
from app.domain.person import PersonData, UnitData
from app.masking.boxes import Box
from app.masking.verify import verify_masked
from app.models import MaskAudit, Page, Unit
from app.services import masking as svc
from app.services.packet import add_documents
from app.services.roster import save_person
from tests.fixtures.masking.docs import NAME, UNIT, certificate_image

D = dt.date


def _person(db, make_id) -> int:  # type: ignore[no-untyped-def]
    r = save_person(db, PersonData(
        name=NAME, gender="女", ethnicity="维吾尔族", id_number=make_id(D(1990, 1, 1), male=False), status="在职",
        unit=UnitData(name=UNIT, nature="事业单位", location="库尔勒市", level="县级"),
    ))
    assert r.person.id is not None
    with db.session() as s:
        s.scalars(select(Unit)).one().short_name = "库一中"
    return r.person.id


def _add(db, pid: int, tmp_path: Path, slot: str = "diploma") -> list[int]:  # type: ignore[no-untyped-def]
    f = tmp_path / "cert.jpg"
    certificate_image(size=(827, 1170)).save(f, quality=85)
    add_documents(db, pid, slot, [f])
    with db.session() as s:
        return [p.id for p in s.scalars(select(Page).order_by(Page.id))]


def test_targets_from_roster(db, make_id) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    t = svc.person_targets(db, pid)
    assert t.names == [NAME] and t.units == [UNIT, "库一中"]
    assert len(t.secrets) == 4 and t.secrets[-1].startswith("65")


def test_boxes_review_rotation_and_mask(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    (page_id,) = _add(db, pid, tmp_path)
    name_box = Box("name", 0.15, 0.19, 0.5, 0.235, 0.9, "ocr")
    svc.save_page_boxes(db, page_id, [name_box], reviewed=False)
    st = svc.get_page_boxes(db, page_id)
    assert st.boxes == [name_box] and not st.reviewed and st.mask_state == "pending"
    prog = svc.masking_pages(db, pid)
    assert (prog.pages, prog.reviewed, prog.masked) == (1, 0, 0)
    assert prog.label == "已审核 0/1 页，已遮盖 0/1 页"

    # suggestions for the stored page: the seal and the unit are proposed
    found = svc.suggest_for_page(db, page_id, names=[], units=[], kinds=("seal",))
    assert [b.category for b in found] == ["seal"]
    svc.save_page_boxes(db, page_id, [name_box, *found], reviewed=True)

    result = svc.mask_page(db, page_id, ocr=False)
    assert result.report.ok
    with db.session() as s:
        page = s.get(Page, page_id)
        assert page is not None and page.mask_state == "masked" and page.masked_sha
        masked_sha, blob_sha = page.masked_sha, page.blob_sha
    vault = vault_for(db)
    assert vault.has(blob_sha)  # the original stays
    masked = vault.read_bytes(masked_sha)
    assert masked[:3] == b"\xff\xd8\xff"
    out = np.asarray(Image.open(io.BytesIO(masked)).convert("L"))
    h, w = out.shape
    assert out[int(0.2 * h):int(0.225 * h), int(0.2 * w):int(0.45 * w)].max() < 10
    prog = svc.masking_pages(db, pid)
    assert (prog.reviewed, prog.masked) == (1, 1)

    audits = svc.list_audits(db, person_id=pid)
    assert len(audits) == 1
    a = audits[0]
    assert a["verify_ok"] and a["categories"] == ["name", "seal"] and a["sources"] == ["ocr", "seal"]
    assert a["output_sha256"] == masked_sha and a["input_sha256"] == blob_sha and a["app_version"]
    with db.session() as s:
        row = s.scalars(select(MaskAudit)).one()
        stored = " ".join(str(v) for v in row.__dict__.values())
    for secret in svc.person_targets(db, pid).secrets:
        assert secret not in stored  # never the masked text

    # rotating the page rotates its stored boxes; changing boxes makes the page pending again
    with db.session() as s:
        page = s.get(Page, page_id)
        assert page is not None
        page.rotation = 90
    (rot, *_rest) = svc.get_page_boxes(db, page_id).boxes
    assert rot.x0 == 1 - name_box.y1 and rot.y0 == name_box.x0
    svc.save_page_boxes(db, page_id, [rot])
    assert svc.get_page_boxes(db, page_id).mask_state == "pending"


def test_copy_box_to_all_pages_and_not_needed(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    a = _add(db, pid, tmp_path)
    ids = _add(db, pid, tmp_path, slot="contract")
    box = Box("unit", 0.1, 0.1, 0.3, 0.2)
    assert svc.copy_box_to_pages(db, box, ids) == 2
    assert svc.copy_box_to_pages(db, box, ids) == 0
    svc.set_not_needed(db, a[0])
    prog = svc.masking_pages(db, pid)
    assert prog.masked == 1 and prog.pages == 2


def test_demo_scans_masked_through_suggestions_pass_verification(tmp_path: Path) -> None:
    """The documents engineer's demo scans: an ID card (drawn face + name) and a diploma (seal + unit):
    suggestions plus a few manual boxes, then apply; every output verifies. The demo faces are
    drawings, which the Haar detector (trained on photos) does not see: their eye band is manual."""
    from app.domain.person import Education
    from app.masking import apply_masks
    from app.masking.boxes import BoxSet, PageBoxes
    from app.masking.suggest import suggest

    p = PersonData(name="古丽娜·艾力", gender="女", ethnicity="维吾尔族", id_number="650102199001011248",
                   unit=UnitData(name="巴音郭楞示例职业学校"),
                   educations=[Education(level="本科", school="新疆示例大学", major="数学",
                                         graduation_date=D(2012, 6, 30))])
    (tmp_path / "id.jpg").write_bytes(demo_scans.id_card_front(p))
    (tmp_path / "dip.jpg").write_bytes(demo_scans.diploma(p, p.educations[0]))
    id_boxes = suggest(tmp_path / "id.jpg", kinds=("eyes", "seal"))
    assert id_boxes.for_page(0) == []  # no seal on an ID card front, no photo face
    id_boxes = BoxSet([PageBoxes(0, [Box("eyes", 760 / 1012, 212 / 638, 880 / 1012, 252 / 638)])])
    dip_boxes = suggest(tmp_path / "dip.jpg", kinds=("seal", "eyes"))
    (seal,) = dip_boxes.for_page(0)  # the stamp at (w-250, h-200), not the red frame or the red title
    w, h = demo_scans.A4_LANDSCAPE
    assert seal.category == "seal" and seal.x0 * w < w - 250 < seal.x1 * w and seal.y0 * h < h - 200 < seal.y1 * h
    for src, boxes in (("id.jpg", id_boxes), ("dip.jpg", dip_boxes)):
        boxes = boxes.merged(BoxSet([PageBoxes(0, [Box("name", 0.05, 0.05, 0.3, 0.12)])]))
        res = apply_masks(tmp_path / src, boxes, tmp_path / f"m-{src}", secrets=[p.name, p.unit.name], ocr=False)
        rep = verify_masked(tmp_path / f"m-{src}", boxes, original=tmp_path / src, secrets=[p.name], ocr=False)
        assert res.report.ok and rep.ok, rep.summary()
        assert json.loads(rep.dumps())["ok"] is True


def test_residual_on_a_stored_page_blocks_until_accepted(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The certificate names the unit twice (in the text and under the seal): boxing the name and the
    seal only leaves the unit readable in the text — a residual; the page stays pending (export
    blocked) until the officer accepts it, and the acceptance is in the audit (boxes, no text)."""
    pid = _person(db, make_id)
    (page_id,) = _add(db, pid, tmp_path)
    seal = svc.suggest_for_page(db, page_id, names=[], units=[], kinds=("seal",))
    svc.save_page_boxes(db, page_id, [Box("name", 0.15, 0.19, 0.5, 0.235, 0.9, "ocr"), *seal], reviewed=True)
    result = svc.mask_page(db, page_id, ocr=False, check_residual=True)
    assert result.report.ok
    assert {r.category for r in result.residual} == {"unit"}, result.residual
    assert any(r.y0 < 0.25 < r.y1 for r in result.residual)  # the line "自2015年起在…从事教学工作"
    st = svc.get_page_boxes(db, page_id)
    assert st.mask_state == "pending" and st.masked_sha  # blocked, derived copy kept to show it
    (entry,) = [c for c in svc.list_audits(db, person_id=pid)[-1]["checks"] if c["name"] == "residual"]
    assert entry["ok"] is False and entry["accepted"] is False and len(entry["residual"]) == len(result.residual)

    svc.accept_page_residual(db, page_id, result.residual)
    assert svc.get_page_boxes(db, page_id).mask_state == "masked"
    (entry,) = [c for c in svc.list_audits(db, person_id=pid)[-1]["checks"] if c["name"] == "residual"]
    assert entry["accepted"] is True and entry["residual"][0]["category"] == "unit"
    with db.session() as s:
        stored = " ".join(str(v) for row in s.scalars(select(MaskAudit)) for v in row.__dict__.values())
    assert UNIT not in stored and NAME not in stored

    # boxed as well: masked straight away
    svc.save_page_boxes(db, page_id, [*svc.get_page_boxes(db, page_id).boxes, *(r.box() for r in result.residual)])
    again = svc.mask_page(db, page_id, ocr=False, check_residual=True)
    assert again.residual == [] and svc.get_page_boxes(db, page_id).mask_state == "masked"


def test_page_list_tells_the_years_of_per_year_documents_apart(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    for year in (2023, 2024):
        f = tmp_path / f"kh{year}.jpg"
        certificate_image(size=(827, 1170)).save(f, quality=85)
        add_documents(db, pid, "assessment", [f], year)
    titles = [i.document_title for i in svc.masking_pages(db, pid).items]
    assert len(titles) == 2 and titles[0] != titles[1]
    assert any("2023年" in t for t in titles) and any("2024年" in t for t in titles)


def test_the_editor_lists_the_pages_the_rounds_checklist_counts_as_to_mask(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A material the round's notice does not mask (库尔勒 2024: the unit's 社保缴费清单, mask = false) is
    not offered in 遮盖: the 总览/材料 count of pages to mask and the editor's list are the same pages."""
    from app.services.packet import packet_status
    from app.services.rounds import update_round

    update_round(db, profile_id="korla-2024")
    pid = _person(db, make_id)
    _add(db, pid, tmp_path, "social_security")
    _add(db, pid, tmp_path, "diploma")
    prog = svc.masking_pages(db, pid)
    assert [i.slot for i in prog.items] == ["diploma"] and prog.pages == 1
    [packet] = packet_status(db, pid).persons
    slots = {s.slot: s for s in packet.slots}
    assert slots["social_security"].pages_pending == 0 and slots["diploma"].pages_pending == 1
    assert sum(s.pages_pending for s in packet.slots) == prog.pages - prog.masked
    # without a profile rule for a slot, the conservative default stays: every personal material
    update_round(db, profile_id="xj-2013-101")  # lists no 社保 slot
    assert [i.slot for i in svc.masking_pages(db, pid).items] == ["diploma", "social_security"]
