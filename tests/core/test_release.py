"""Issue #13 items 3 and 12: what may leave the vault for a document (app.services.release), and a page
is 已遮盖 only with a box or the officer's recorded 无需遮盖 — service level."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from app.errors import UsageError
from app.masking.boxes import Box
from app.masking.release import page_release
from app.masking.verify import secret_forms
from app.models import MaskAudit, Page
from app.services import masking as svc
from app.services.documents import export_for_upload
from app.services.release import ReleaseRefused, release_document
from tests.core.test_mask_service import _person
from tests.fixtures.masking.docs import ID_NUMBER, NAME, certificate_image

LINE = Box("name", 0.05, 0.195, 0.95, 0.245, 1.0, "manual")  # the line naming the person and the ID number


def _add_scan(db, pid: int, tmp_path: Path, slot: str = "contract", comment: str = ID_NUMBER) -> int:  # type: ignore[no-untyped-def]
    """A scan whose JPEG comment holds the ID number (as some scanner software writes)."""
    from app.services.packet import add_documents

    f = tmp_path / f"{slot}.jpg"
    certificate_image(size=(827, 1170), seal=False).save(f, quality=90, comment=comment.encode())
    add_documents(db, pid, slot, [f])
    with db.session() as s:
        return max(p.id for p in s.scalars(select(Page)))


def _doc_of(db, page_id: int) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        page = s.get(Page, page_id)
        assert page is not None
        return int(page.document_id)


def _no_secret_bytes(data: bytes) -> None:
    for secret in (ID_NUMBER, NAME):
        for form in secret_forms(secret):
            if len(form) >= 6:
                assert form not in data, f"a form of a secret survived: {form[:8]!r}…"


def test_docs_export_of_a_masked_document_writes_the_masked_pixels_without_metadata(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    page_id = _add_scan(db, pid, tmp_path)
    svc.save_page_boxes(db, page_id, [LINE], reviewed=True)
    svc.mask_page(db, page_id, ocr=False)
    out = tmp_path / "out.jpg"
    r = export_for_upload(db, _doc_of(db, page_id), out)
    assert r.ok
    data = out.read_bytes()
    assert b"\xff\xfe" not in data[:data.find(b"\xff\xda")]  # no COM segment before the scan
    assert not any(data[i:i + 2] in {bytes([0xFF, m]) for m in range(0xE1, 0xF0)}
                   for i in range(0, data.find(b"\xff\xda")))  # no APP1..APP15 (EXIF, XMP, ICC …)
    _no_secret_bytes(data)
    arr = np.asarray(Image.open(io.BytesIO(data)).convert("L"), dtype=np.int16)
    h, w = arr.shape
    region = arr[int(0.205 * h):int(0.235 * h), int(0.08 * w):int(0.92 * w)]
    assert region.max() - region.min() <= 24 and region.mean() < 30  # the box: uniform black, no name


def test_docs_export_refuses_a_document_that_needs_masking_and_is_not_masked(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    page_id = _add_scan(db, pid, tmp_path)
    out = tmp_path / "out.jpg"
    with pytest.raises(ReleaseRefused) as exc:
        export_for_upload(db, _doc_of(db, page_id), out)
    assert "尚未遮盖" in exc.value.message and NAME in exc.value.message and "第 1 页" in exc.value.message
    assert not out.exists() and not list(tmp_path.glob("out*"))


def test_material_that_needs_no_masking_leaves_without_its_metadata(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Hostile case of the same class: the 推荐 materials never masked, yet the file's comment holds the
    ID number — the pixels may leave, the comment may not."""
    pid = _person(db, make_id)
    page_id = _add_scan(db, pid, tmp_path, slot="recommendation")
    out = tmp_path / "rec.jpg"
    assert export_for_upload(db, _doc_of(db, page_id), out).ok
    data = out.read_bytes()
    assert ID_NUMBER.encode() not in data and b"\xff\xfe" not in data[:data.find(b"\xff\xda")]


def test_masking_with_no_box_is_refused_and_the_page_stays_pending(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    page_id = _add_scan(db, pid, tmp_path)
    with pytest.raises(UsageError) as exc:
        svc.mask_page(db, page_id, ocr=False)
    assert "没有任何遮盖框" in exc.value.message and "无需遮盖" in exc.value.message
    assert svc.get_page_boxes(db, page_id).mask_state == "pending"
    assert svc.masking_pages(db, pid).masked == 0


def test_not_needed_is_recorded_with_who_and_when_and_only_then_releases(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    page_id = _add_scan(db, pid, tmp_path)
    doc_id = _doc_of(db, page_id)
    # a 无需遮盖 state nobody recorded (e.g. set before this version) is not a decision
    with db.session() as s:
        page = s.get(Page, page_id)
        assert page is not None
        page.mask_state = "not_needed"
    with pytest.raises(ReleaseRefused) as exc:
        release_document(db, doc_id)
    assert "重新点“无需遮盖”" in exc.value.message

    svc.set_not_needed(db, page_id, officer="王经办")
    with db.session() as s:
        a = s.scalars(select(MaskAudit)).one()
        assert (a.decision, a.officer, a.page_id, a.person_id) == ("not_needed", "王经办", page_id, pid)
        assert a.created_at is not None and abs((dt.datetime.now() - a.created_at).total_seconds()) < 24 * 3600
    rel = release_document(db, doc_id)
    assert [p.masked for p in rel.pages] == [False] and rel.mask_required
    assert svc.list_audits(db, person_id=pid)[0]["officer"] == "王经办"

    # masking afterwards supersedes the decision; withdrawing it makes the page pending and refused
    svc.set_not_needed(db, page_id, False)
    with pytest.raises(ReleaseRefused):
        release_document(db, doc_id)


def test_not_needed_defaults_to_the_os_user(db, make_id, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("USER", "hr-officer-1")
    monkeypatch.setenv("USERNAME", "hr-officer-1")
    monkeypatch.setenv("LOGNAME", "hr-officer-1")
    pid = _person(db, make_id)
    page_id = _add_scan(db, pid, tmp_path)
    svc.set_not_needed(db, page_id)
    assert svc.list_audits(db, person_id=pid)[0]["officer"] == "hr-officer-1"


@pytest.mark.parametrize(("state", "sha", "boxes", "by", "expected"), [
    ("pending", None, 0, None, "unmasked"),
    ("masked", "ab" * 32, 0, None, "no_boxes"),
    ("masked", None, 2, None, "masked_missing"),
    ("not_needed", None, 0, None, "not_needed_unrecorded"),
    ("not_needed", None, 0, "  ", "not_needed_unrecorded"),
    ("masked", "ab" * 32, 1, None, ""),
    ("not_needed", None, 0, "王经办", ""),
])
def test_page_release_rule(state: str, sha: str | None, boxes: int, by: str | None, expected: str) -> None:
    r = page_release(mask_required=True, mask_state=state, masked_sha=sha, boxes=boxes, not_needed_by=by)
    assert r.problem == expected
    assert page_release(mask_required=False, mask_state=state, masked_sha=sha, boxes=boxes,
                        not_needed_by=by).source == "original"


def test_vault_masking_requires_name_and_unit_boxed_but_not_the_id_number(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The masking rule covers name, unit, seal and eyes (DOMAIN.md §4), not the ID number: a text PDF
    showing the name outside the boxes is refused, the ID number shown outside them is allowed."""
    import pymupdf

    from app.errors import CheckFailed
    from app.services.packet import add_documents
    from tests.fixtures.masking.docs import cjk_font

    pid = _person(db, make_id)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_font(fontname="cjk", fontbuffer=cjk_font().buffer)
    page.insert_text((72, 100), f"姓名：{NAME}", fontname="cjk", fontsize=14)
    page.insert_text((72, 400), f"证件号码：{ID_NUMBER}", fontname="cjk", fontsize=14)
    doc.save(tmp_path / "chsi.pdf")
    doc.close()
    add_documents(db, pid, "contract", [tmp_path / "chsi.pdf"])
    with db.session() as s:
        page_id = max(p.id for p in s.scalars(select(Page)))
    svc.save_page_boxes(db, page_id, [Box("other", 0.1, 0.6, 0.3, 0.7)], reviewed=True)
    with pytest.raises(CheckFailed) as exc:
        svc.mask_page(db, page_id, ocr=False)
    assert "不在任何遮盖框内" in exc.value.message
    svc.save_page_boxes(db, page_id, [Box("name", 0.1, 0.095, 0.6, 0.13)], reviewed=True)
    assert svc.mask_page(db, page_id, ocr=False).report.ok
