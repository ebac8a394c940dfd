"""The packet checklist against the real policy profiles, adding documents atomically, page tools."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from app.documents.vault import vault_for
from app.domain.person import Education, PersonData, UnitData
from app.errors import InputFileError, UsageError
from app.models import Document, Page
from app.services import documents as docsvc
from app.services.packet import (
    EXPIRED,
    MASKED,
    MISSING,
    NONCONFORMING,
    TO_MASK,
    UPLOADED,
    add_documents,
    list_documents,
    packet_status,
)
from app.services.roster import save_person
from tests.fixtures.docs import gen

D = dt.date


def _person(db, make_id, **kw) -> int:  # type: ignore[no-untyped-def]
    fields = dict(
        name="测试甲", gender="男", ethnicity="汉族", id_number=make_id(D(2000, 1, 1)), status="在职",
        contract=True, dispatched=False, first_application=True, work_start=D(2023, 7, 10),
        series="工程", specialty="电力", position="技术员",
        educations=[Education(level="本科", mode="全日制", school="新疆示例大学", major="电气",
                              graduation_date=D(2023, 6, 30), degree="学士", degree_date=D(2023, 6, 30))],
        assessments={2023: "合格", 2024: "合格"},
        unit=UnitData(name="示例科技有限公司", nature="民营企业", location="乌鲁木齐市", level="地州市"),
    )
    fields.update(kw)
    r = save_person(db, PersonData(**fields))
    assert r.person.id is not None
    return r.person.id


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(data)
    return p


def _slot(packet, slot, year=None):  # type: ignore[no-untyped-def]
    return next(s for s in packet.slots if s.slot == slot and s.year == year)


def test_checklist_statuses_under_urumqi_private(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    rep = packet_status(db, pid, "urumqi-private-2025")
    assert rep.as_of == D(2025, 3, 17)
    pk = rep.persons[0]
    slots = {s.slot for s in pk.slots}
    assert "dispatch_note" not in slots  # not dispatched
    assert "continuing_education" not in slots  # first application: not required (001 §四(三))
    assert {"id_card", "photo", "contract", "degree_cert", "work_summary", "recommendation"} <= slots
    assert all(s.status == MISSING for s in pk.slots) and pk.done == 0 and pk.total == len(pk.slots)
    assessment_years = [s.year for s in pk.slots if s.slot == "assessment"]
    assert assessment_years == [2024]

    # ID card front+back: personal material → 待遮盖 until every page is masked.
    r = add_documents(db, pid, "id_card", [_write(tmp_path, "f.jpg", gen.jpeg()), _write(tmp_path, "b.png", gen.rgba_png())])
    assert r.pages == 2
    st = _slot(packet_status(db, pid, "urumqi-private-2025").persons[0], "id_card")
    assert st.status == TO_MASK and "2 页待遮盖" in st.reason and not st.done
    with db.session() as s:
        for page in s.scalars(select(Page)):
            page.mask_state = "masked"
    st = _slot(packet_status(db, pid, "urumqi-private-2025").persons[0], "id_card")
    assert st.status == MASKED and st.done

    # The photo is never masked: uploaded = done.
    add_documents(db, pid, "photo", [_write(tmp_path, "p.jpg", gen.jpeg((295, 413)))])
    # Work summary: 2000–3000 字 under this profile.
    short = _write(tmp_path, "short.pdf", gen.text_pdf(["工作小结" * 10] * 10))
    add_documents(db, pid, "work_summary", [short])
    pk = packet_status(db, pid, "urumqi-private-2025").persons[0]
    assert _slot(pk, "photo").status == UPLOADED
    ws = _slot(pk, "work_summary")
    assert ws.status == NONCONFORMING and "字数约 400" in ws.reason and "2000–3000" in ws.reason
    assert pk.done == 2
    # An assessment for a year that is not required is listed but not counted.
    add_documents(db, pid, "assessment", [_write(tmp_path, "a.jpg", gen.jpeg())], year=2019)
    pk = packet_status(db, pid, "urumqi-private-2025").persons[0]
    stray = [s for s in pk.slots if s.slot == "assessment" and not s.counted]
    assert len(stray) == 1 and "2019" in stray[0].reason
    assert _slot(pk, "assessment", 2024).status == MISSING


def test_conditions_teacher_dispatch_and_platform_items(db, make_id) -> None:  # type: ignore[no-untyped-def]
    teacher = _person(db, make_id, name="教师乙", series="中小学教师", specialty="中小学教师")
    engineer = _person(db, make_id, name="工程丙", dispatched=True, dispatch_start=D(2023, 1, 1))
    rep = packet_status(db, None, "korla-2024")
    by_id = {p.person_id: p for p in rep.persons}
    t_slots = {s.slot for s in by_id[teacher].slots}
    e_slots = {s.slot for s in by_id[engineer].slots}
    assert {"teacher_cert", "mandarin_cert", "ethics_statement"} <= t_slots
    assert not {"teacher_cert", "mandarin_cert"} & e_slots
    cbb = _slot(by_id[teacher], "chengbaobiao")
    assert not cbb.counted and "平台" in cbb.reason  # platform-generated: never counted as missing work
    assert "dispatch_note" in {s.slot for s in packet_status(db, engineer, "urumqi-private-2025").persons[0].slots}
    assert rep.total == by_id[teacher].total + by_id[engineer].total and rep.completeness == 0.0
    assert not rep.complete and rep.to_json()["persons"][0]["slots"]


def test_chsi_record_freshness(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    # Korla: ≤ 90 days before the as-of date (2024-10-25).
    old = add_documents(db, pid, "chsi_record", [_write(tmp_path, "c.pdf", gen.text_pdf(["更新日期：2024年05月10日"]))])
    assert old.issue_date == D(2024, 5, 10)  # read from the PDF's text layer
    st = _slot(packet_status(db, pid, "korla-2024").persons[0], "chsi_record")
    assert st.status == EXPIRED and "168 天" in st.reason and "90" in st.reason
    st = _slot(packet_status(db, pid, "korla-2024", D(2024, 6, 1)).persons[0], "chsi_record")
    assert st.status == TO_MASK  # fresh on an earlier as-of date
    docsvc.delete_document(db, old.document_id)
    add_documents(db, pid, "chsi_record", [_write(tmp_path, "scan.jpg", gen.jpeg())])  # no date on a scan
    st = _slot(packet_status(db, pid, "korla-2024").persons[0], "chsi_record")
    assert st.status == NONCONFORMING and "日期" in st.reason


def test_bad_file_in_a_batch_changes_nothing(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    good = _write(tmp_path, "good.jpg", gen.jpeg())
    for bad_name, bad in [("cut.jpg", gen.truncated(gen.jpeg((800, 600)), 0.4)), ("empty.pdf", b""),
                          ("locked.pdf", gen.encrypted_pdf()), ("bomb.png", gen.png_header_only(30000, 30000))]:
        with pytest.raises(InputFileError):
            add_documents(db, pid, "diploma", [good, _write(tmp_path, bad_name, bad)])
    vault = vault_for(db)
    assert list(vault.iter_shas()) == []
    with db.session() as s:
        assert s.scalar(select(func.count(Document.id))) == 0
    with pytest.raises(UsageError, match="年度"):
        add_documents(db, pid, "assessment", [good])
    with pytest.raises(UsageError, match="未知"):
        add_documents(db, pid, "passport", [good])
    # the password unlocks the PDF; the stored copy is decrypted
    r = add_documents(db, pid, "diploma", [_write(tmp_path, "locked.pdf", gen.encrypted_pdf("pw"))], password="pw")
    assert r.pages == 1 and any("去除保护" in w for w in r.warnings)


def test_page_tools_and_gc(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    a = add_documents(db, pid, "contract", [_write(tmp_path, "c.pdf", gen.scanned_pdf(3, dpi=60))])
    b = add_documents(db, pid, "id_card", [_write(tmp_path, "t.tif", gen.tiff(2))])
    doc = list_documents(db, pid)[0]
    assert doc.id == a.document_id and [p.source_page for p in doc.pages] == [0, 1, 2]
    ids = [p.id for p in doc.pages]

    docsvc.rotate_pages(db, [ids[0]], 90)
    docsvc.rotate_pages(db, [ids[0]], 270)
    docsvc.rotate_pages(db, [ids[1]], -90)
    with pytest.raises(UsageError):
        docsvc.rotate_pages(db, [ids[1]], 45)
    info = docsvc.reorder_pages(db, a.document_id, [ids[2], ids[0], ids[1]])
    assert [p.id for p in info.pages] == [ids[2], ids[0], ids[1]]
    assert [p.rotation for p in info.pages] == [0, 0, 270]
    with pytest.raises(UsageError):
        docsvc.reorder_pages(db, a.document_id, [ids[0], ids[1]])

    # Thumbnails follow the rotation: the rotated page is landscape.
    portrait = Image.open(__import__("io").BytesIO(docsvc.page_thumbnail(db, ids[0], 128)))
    landscape = Image.open(__import__("io").BytesIO(docsvc.page_thumbnail(db, ids[1], 128)))
    assert portrait.height > portrait.width and landscape.width > landscape.height
    assert max(portrait.size) <= 128

    new_id = docsvc.split_document(db, a.document_id, 1)
    assert [p.id for p in docsvc.get_doc(db, new_id).pages] == [ids[0], ids[1]]
    merged = docsvc.merge_documents(db, a.document_id, [new_id, b.document_id])
    assert len(merged.pages) == 5 and [p.index for p in merged.pages] == [0, 1, 2, 3, 4]
    assert merged.pages[0].id == ids[2] and {d.id for d in list_documents(db, pid)} == {a.document_id}

    assert docsvc.delete_pages(db, [ids[2]]) == []
    assert len(docsvc.get_doc(db, a.document_id).pages) == 4
    vault = vault_for(db)
    n_blobs = len(list(vault.iter_shas()))
    assert docsvc.vault_gc(db) == 0  # TIFF original and its page PNGs are all still referenced
    docsvc.delete_document(db, a.document_id)
    assert len(list(vault.iter_shas())) == n_blobs  # deleting drops references only
    assert docsvc.vault_gc(db) == n_blobs and list(vault.iter_shas()) == []


def test_orientation_and_deskew_proposals_on_pages(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    page = gen.text_page((900, 1270), seed=3)
    upside = _write(tmp_path, "u.png", gen.png(page.rotate(180)))
    skewed = _write(tmp_path, "s.png", gen.png(page.rotate(2.0, fillcolor=255, resample=Image.Resampling.BICUBIC)))
    r = add_documents(db, pid, "contract", [upside, skewed])
    p0, p1 = (p.id for p in docsvc.get_doc(db, r.document_id).pages)
    prop = docsvc.propose_page_rotation(db, p0)
    assert prop.rotation == 180 and prop.confidence >= 0.5
    docsvc.rotate_pages(db, [p0], prop.rotation)
    assert docsvc.propose_page_rotation(db, p0).rotation == 0  # after applying, it reads upright
    sk = docsvc.propose_page_deskew(db, p1)
    assert sk.angle == pytest.approx(-2.0, abs=0.35)
    before = docsvc.get_doc(db, r.document_id).pages[1]
    new_sha = docsvc.apply_deskew(db, p1, sk.angle)
    after = docsvc.get_doc(db, r.document_id).pages[1]
    assert after.blob_sha == new_sha != before.blob_sha and after.origin_sha == before.origin_sha
    assert abs(docsvc.propose_page_deskew(db, p1).angle) < 0.35


def test_adding_warns_about_upside_down_pages_and_odd_photos(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pid = _person(db, make_id)
    page = gen.text_page((900, 1270), seed=5)
    upright = add_documents(db, pid, "contract", [_write(tmp_path, "ok.png", gen.png(page))])
    assert upright.warnings == []
    turned = add_documents(db, pid, "contract", [_write(tmp_path, "a.png", gen.png(page)),
                                                 _write(tmp_path, "b.png", gen.png(page.rotate(180)))])
    assert len(turned.warnings) == 1 and "第 2 页可能倒置" in turned.warnings[0]
    # A phone picture (3:4, 1200×1600) as the certificate photo: cropped at export → say so.
    phone = add_documents(db, pid, "photo", [_write(tmp_path, "phone.jpg", gen.jpeg((1200, 1600)))])
    assert any("比例" in w and "裁剪" in w for w in phone.warnings)
    tiny = add_documents(db, pid, "photo", [_write(tmp_path, "tiny.jpg", gen.jpeg((150, 210)))])
    assert any("150×210" in w and "模糊" in w for w in tiny.warnings)
    sideways = add_documents(db, pid, "photo", [_write(tmp_path, "side.jpg", gen.jpeg((413, 295)))])
    assert any("横向" in w for w in sideways.warnings)
    good = add_documents(db, pid, "photo", [_write(tmp_path, "good.jpg", gen.jpeg((354, 496)))])
    assert good.warnings == []  # 35:49 is within the tolerance of 25:35


def test_an_upright_id_card_with_a_portrait_is_not_reported_as_turned(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The portrait's solid rows and columns are not lines of text: an upright ID card (the fixture's, with
    the public-domain astronaut photo) adds without a 横置/倒置 warning, and a form with a photo pasted on
    it still tells its orientation from its text."""
    from tests.fixtures.masking.docs import ASTRONAUT, id_card_image, jpeg_bytes

    pid = _person(db, make_id)
    card = add_documents(db, pid, "id_card", [_write(tmp_path, "card.jpg", jpeg_bytes(id_card_image()))])
    assert card.warnings == []
    form = gen.text_page((900, 1270), seed=7).convert("RGB")
    form.paste(Image.open(ASTRONAUT).convert("RGB").crop((120, 20, 400, 330)).resize((180, 240)), (660, 60))
    turned = add_documents(db, pid, "contract", [_write(tmp_path, "form.png", gen.png(form.rotate(180)))])
    assert len(turned.warnings) == 1 and "倒置" in turned.warnings[0]
