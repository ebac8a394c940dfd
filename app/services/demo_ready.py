"""Demo: make the first eligible demo persons ready to export — every personal material present and
every page that needs it masked (and verified) — so `chuding demo && chuding export -o out &&
chuding verify-bundle out` works out of the box.

Where are the name, the unit, the seal and the eyes on a generated scan? We draw each document
twice — once as is and once with just that one thing changed (the name or the unit swapped for other
characters of the same width, the seal or the face left out) — and take the pixels that differ. The
drawing is deterministic, so the difference is exactly the thing. These boxes then go through the real
masking service (burn-in + fail-closed verification), as the officer's accepted boxes would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import io
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from app.domain.person import PersonData
from app.masking.boxes import Box
from app.models.db import Database

READY_PERSONS = 2
DEMO_PROFILE = "urumqi-private-2025"
_SWAP = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
_RENDER_DPI = 100  # text PDFs are compared at this resolution (boxes are fractions of the page)

Pages = list[np.ndarray]


def _swap_chars(text: str) -> str:
    """Same-width replacement: CJK characters become other CJK characters, the rest stays."""
    out = []
    for i, ch in enumerate(text):
        cjk = "\u4e00" <= ch <= "\u9fff"
        alt = _SWAP[i % len(_SWAP)]
        out.append((alt if alt != ch else _SWAP[(i + 1) % len(_SWAP)]) if cjk else ch)
    return "".join(out)


def _to_pages(blob: bytes | list[bytes] | list[Image.Image]) -> Pages:
    if isinstance(blob, list):
        return [p for item in blob for p in _to_pages(item)]  # type: ignore[arg-type]
    if isinstance(blob, Image.Image):
        return [np.asarray(blob.convert("RGB"))]
    if blob[:4] == b"%PDF":
        import pymupdf

        with pymupdf.open(stream=blob, filetype="pdf") as doc:
            out = []
            for page in doc:
                pix = page.get_pixmap(dpi=_RENDER_DPI)
                out.append(np.frombuffer(pix.samples, np.uint8).reshape(pix.height, pix.width, pix.n)[:, :, :3])
            return out
    return [np.asarray(Image.open(io.BytesIO(blob)).convert("RGB"))]


def _diff_boxes(a: np.ndarray, b: np.ndarray, *, join_px: int) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (x0, y0, x1, y1 in px) of the regions where two renderings differ."""
    import cv2

    changed = (np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2) > 40).astype(np.uint8)
    if not changed.any():
        return []
    kernel = np.ones((join_px, join_px), np.uint8)
    n, _, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(changed, kernel), connectivity=8)
    half = join_px // 2
    return [(int(x) + half, int(y) + half, int(x + w) - half, int(y + h) - half)
            for x, y, w, h, area in stats[1:n] if area > join_px * join_px]


def _frac(box: tuple[int, int, int, int], shape: tuple[int, ...], category: str, pad: int) -> Box:
    h, w = shape[0], shape[1]
    x0, y0, x1, y1 = box
    return Box(category, max(0.0, (x0 - pad) / w), max(0.0, (y0 - pad) / h), min(1.0, (x1 + pad) / w),
               min(1.0, (y1 + pad) / h), 1.0, "manual")


def _eye_band(face_box: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    """The band over both eyes of a demo face (geometry of app.documents.demo_scans.face)."""
    x0, y0, x1, y1 = face_box
    w, h = x1 - x0, y1 - y0
    return (round(x0 + 0.27 * w), round(y0 + 0.28 * h), round(x0 + 0.73 * w), round(y0 + 0.45 * h))


@contextlib.contextmanager
def _without(module: Any, name: str, replacement: Callable[..., Any]) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, replacement)
    try:
        yield
    finally:
        setattr(module, name, original)


def mask_boxes_for(draw: Callable[[PersonData], Any], p: PersonData) -> tuple[Any, list[list[Box]]]:
    """Draw a document for ``p``; return its bytes and, per page, the boxes to mask."""
    from app.documents import demo_scans as ds

    base = draw(p)
    pages = _to_pages(base)
    boxes: list[list[Box]] = [[] for _ in pages]

    def add(variant: Pages, category: str, join_px: int, pad: int, transform: Callable[..., Any] | None = None) -> None:
        for i, (a, b) in enumerate(zip(pages, variant, strict=True)):
            for bx in _diff_boxes(a, b, join_px=join_px):
                boxes[i].append(_frac(transform(bx) if transform else bx, a.shape, category, pad))

    scale = max(pages[0].shape[:2]) / 1200  # join distance grows with the page resolution
    join = max(5, round(14 * scale))
    renamed = dataclasses.replace(p, name=_swap_chars(p.name))
    add(_to_pages(draw(renamed)), "name", join, round(4 * scale))
    unit = dataclasses.replace(p.unit)
    unit.name = _swap_chars(p.unit.name)
    add(_to_pages(draw(dataclasses.replace(p, unit=unit))), "unit", join, round(4 * scale))
    with _without(ds, "seal", lambda diameter, *a, **k: Image.new("RGB", (diameter, diameter), (255, 255, 255))):
        add(_to_pages(draw(p)), "seal", round(40 * scale), round(6 * scale))

    def flat_face(size: tuple[int, int], seed: int, background: tuple[int, int, int] = (226, 236, 246)) -> Image.Image:
        im = Image.new("RGB", size, background)
        ImageDraw.Draw(im).rectangle((0, 0, size[0] - 1, size[1] - 1), outline=(128, 128, 128))
        return im

    with _without(ds, "face", flat_face):
        add(_to_pages(draw(p)), "eyes", round(20 * scale), round(2 * scale), transform=_eye_band)
    return base, boxes


def _certificate(title: str, lines: list[str], unit: str, seed: int) -> bytes:
    """A plain A4 certificate page in the demo style (name in the text, the issuer's seal)."""
    from app.documents import demo_scans as ds

    im = ds._paper(ds.A4, seed)
    d = ImageDraw.Draw(im)
    d.text((ds.A4[0] // 2, 180), title, font=ds.font(48), fill=ds.INK, anchor="mm")
    y = 360
    for line in lines:
        d.text((130, y), line, font=ds.font(30), fill=ds.INK)
        y += 66
    ds.stamp(im, ds.seal(240, unit, "", seed + 3), (ds.A4[0] - 330, y + 160))
    d.text((90, ds.A4[1] - 70), "（演示样例）", font=ds.font(18), fill=(150, 150, 150))
    return ds._jpeg(im)


def _assessment_drawer(year: int, result: str, seed: int) -> Callable[[PersonData], Any]:
    from app.documents import demo_scans as ds

    return lambda q: ds.assessment_form(q, year, result, seed + year)


def _ce_drawer(year: int, seed: int) -> Callable[[PersonData], Any]:
    return lambda q: _certificate(
        f"{year} 年度继续教育合格证明",
        [f"学员：{q.name}", f"工作单位：{q.unit.name}", f"{year} 年度完成公需科目 30 学时、专业科目 60 学时，成绩合格。"],
        "新疆示例继续教育中心", seed + year)


def _drawers(p: PersonData, index: int, as_of: dt.date, required_years: list[int]) -> list[tuple[str, int | None, Callable[[PersonData], Any], str]]:
    from app.documents import demo_scans as ds

    seed = index * 13 + 1
    edu = p.highest_education
    out: list[tuple[str, int | None, Callable[[PersonData], Any], str]] = [
        ("id_card", None, lambda q: [ds.id_card_front(q, seed), ds.id_card_back(q, seed)], ".jpg"),
        ("photo", None, lambda q: ds.photo(q, seed), ".jpg"),
        ("contract", None, lambda q: ds.contract_pdf(q, seed), ".pdf"),
        ("diploma", None, lambda q: ds.diploma(q, edu, seed), ".jpg"),
        ("chsi_record", None, lambda q: ds.chsi_record_pdf(q, edu, as_of - dt.timedelta(days=20), seed), ".pdf"),
        ("work_summary", None, lambda q: ds.work_summary_pdf(q, 2400, seed), ".pdf"),
    ]
    if edu is not None and edu.degree and edu.degree != "无":
        out.append(("degree_cert", None, lambda q: ds.degree_certificate(q, edu, seed), ".jpg"))
        out.append(("degree_verification", None, lambda q: _certificate(
            "学位在线验证报告", [f"姓名：{q.name}", f"学位：{edu.degree}", f"授予单位：{edu.school}",
                          "验证结论：经核查，该学位信息真实有效。"], edu.school or "示例大学", seed), ".jpg"))
    for year in required_years:
        out.append(("assessment", year, _assessment_drawer(year, p.assessments.get(year, "合格"), seed), ".jpg"))
        out.append(("continuing_education", year, _ce_drawer(year, seed), ".jpg"))
    return out


def make_ready(db: Database, person: PersonData, index: int) -> int:
    """Replace ``person``'s personal materials with a complete, masked set. Returns pages masked."""
    from sqlalchemy import update

    from app.documents.ingest import ingest_bytes
    from app.models.documents import Document
    from app.policy.profiles import load_profile
    from app.services import masking
    from app.services.eligibility import check_persons
    from app.services.packet import add_documents, condition_applies, list_documents

    profile = load_profile(DEMO_PROFILE)
    as_of = profile.default_as_of or dt.date.today()
    [(_, verdict)] = check_persons([person], DEMO_PROFILE, as_of)
    wanted = {m.slot: m for m in profile.materials
              if m.issuer == "person" and condition_applies(m.condition, person) is True}
    with db.session() as s:  # the generic demo scans of this person are superseded by the full set
        s.execute(update(Document).where(Document.person_id == person.id, Document.slot.in_(list(wanted)))
                  .values(status="superseded"))
    masked = 0
    for slot, year, draw, suffix in _drawers(person, index, as_of, list(verdict.required_years)):
        spec = wanted.get(slot)
        if spec is None:
            continue
        blob, boxes = mask_boxes_for(draw, person)
        blobs = blob if isinstance(blob, list) else [blob]
        files = [ingest_bytes(b, f"{spec.name}_{k + 1}{suffix}") for k, b in enumerate(blobs)]
        issue = as_of - dt.timedelta(days=20) if slot == "chsi_record" else None
        res = add_documents(db, person.id, slot, files, year, issue_date=issue)  # type: ignore[arg-type]
        if not spec.mask:
            continue
        doc = next(d for d in list_documents(db, person.id) if d.id == res.document_id)
        for page, page_boxes in zip(doc.pages, boxes, strict=True):
            if page_boxes:
                masking.save_page_boxes(db, page.id, page_boxes, reviewed=True)
                masking.mask_page(db, page.id, ocr=False)
                masked += 1
            else:
                masking.set_not_needed(db, page.id, officer="演示数据")
    return masked


def demo_ready_hook(db: Database, persons: list[PersonData]) -> dict[str, Any]:
    """``app.services.demo.DEMO_HOOKS`` entry: the first READY_PERSONS eligible demo persons."""
    from app.policy.profiles import load_profile
    from app.services.eligibility import check_persons

    verdicts = check_persons(persons, DEMO_PROFILE, load_profile(DEMO_PROFILE).default_as_of)
    ready = [(i, p) for i, (p, v) in enumerate(verdicts) if v.eligible][:READY_PERSONS]
    pages = sum(make_ready(db, p, i) for i, p in ready)
    if ready:
        add_unit_documents(db, ready[0][1], [p.name for _, p in ready])
    return {"ready_persons": [p.name for _, p in ready], "masked_pages": pages}


def add_unit_documents(db: Database, holder: PersonData, names: list[str]) -> list[str]:
    """The round's unit documents (公示, 公示结果, 推荐报告), signed and stamped, stored as the current
    round's own documents (单位材料, app.services.unit_documents), as an officer uploads them.
    ``holder``: the person whose unit the letters are issued by."""
    from app.documents.demo_scans import unit_document
    from app.documents.ingest import ingest_bytes
    from app.policy.profiles import load_profile
    from app.policy.requirements import round_unit_slots
    from app.services.packet import store_document
    from app.services.rounds import get_round

    unit = holder.unit.name or "新疆示例单位"
    round_id = get_round(db).id
    added = []
    for n, spec in enumerate(round_unit_slots(load_profile(DEMO_PROFILE))):
        blob = unit_document(spec.name, unit, names, seed=700 + n)
        store_document(db, spec.slot, [ingest_bytes(blob, f"{spec.name}.jpg")], round_id=round_id,
                       check_scans=False)
        added.append(spec.slot)
    return added

