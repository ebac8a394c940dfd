"""Helpers for the bundle tests: invented persons, generated scans, masked pages (real apply_masks)."""

from __future__ import annotations

import datetime as dt
import functools
import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from app.domain.person import Education, PersonData, UnitData

PROFILE = "urumqi-private-2025"
AS_OF = dt.date(2025, 3, 17)
NAME_BOX = {"category": "name", "x0": 0.10, "y0": 0.05, "x1": 0.50, "y1": 0.10, "score": 1.0, "source": "manual"}


def eligible_person(id_number: str, name: str = "测试甲", pid: int = 1) -> PersonData:
    """本科 2023, private enterprise in Urumqi: eligible under urumqi-private-2025 on 2025-03-17."""
    return PersonData(
        id=pid, name=name, gender="男", ethnicity="汉族", id_number=id_number, work_start=dt.date(2023, 7, 10),
        series="工程", specialty="电力", position="技术员", contract=True, dispatched=False, first_application=True,
        educations=[Education(level="本科", mode="全日制", school="示例大学", major="电气",
                              graduation_date=dt.date(2023, 6, 30), degree="学士",
                              degree_date=dt.date(2023, 6, 30))],
        assessments={2023: "合格", 2024: "合格"},
        unit=UnitData(name="示例科技有限公司", nature="民营企业", location="乌鲁木齐市", level="地州市",
                      below_class4=False),
    )


@functools.lru_cache(maxsize=8)
def scan_bytes(seed: int = 0, size: tuple[int, int] = (1240, 1754), noise: int = 5, quality: int = 88,
               dpi: int = 150) -> bytes:
    """A page that looks like a scan: paper with bars of 'text' (one dark bar inside NAME_BOX)."""
    rng = np.random.default_rng(seed)
    w, h = size
    im = Image.new("RGB", size, (246, 245, 240))
    d = ImageDraw.Draw(im)
    d.rectangle([int(0.12 * w), int(0.06 * h), int(0.45 * w), int(0.085 * h)], fill=(30, 30, 35))
    for y in range(int(0.15 * h), int(0.9 * h), max(12, h // 45)):
        x = int(0.08 * w)
        while x < 0.9 * w:
            length = int(rng.integers(w // 60, w // 12))
            d.rectangle([x, y, x + length, y + max(4, h // 120)], fill=(50, 50, 55))
            x += length + int(rng.integers(w // 120, w // 40))
    if noise:
        arr = np.asarray(im).astype(np.int16) + rng.integers(-noise, noise + 1, (h, w, 3))
        im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality, dpi=(dpi, dpi))
    return buf.getvalue()


def mask_file(src: Path, out: Path, boxes: list[dict[str, Any]]) -> None:
    from app.masking import BoxSet, apply_masks

    apply_masks(src, BoxSet.from_json({"pages": [{"index": 0, "boxes": boxes}]}), out, ocr=False)


def person_input(tmp: Path, person: PersonData, *, mask: str = "masked", pages_per_doc: int = 1,
                 seed: int = 0, noise: int = 5, size: tuple[int, int] = (1240, 1754),
                 skip: tuple[str, ...] = (), pending_slot: str | None = None, same_scan: bool = False) -> Any:
    """A PersonInput with one document per required person-issued material of the profile.

    ``mask``: "masked" (real apply_masks output) or "not_needed" for pages of slots that need masking.
    """
    from app.export.bundle import DocInput, PageInput, PersonInput
    from app.policy.eligibility import evaluate
    from app.policy.profiles import load_profile
    from app.services.packet import condition_applies

    profile = load_profile(PROFILE)
    verdict = evaluate(person, profile, AS_OF)
    tmp.mkdir(parents=True, exist_ok=True)
    docs = []
    page_id = 1000 * (person.id or 0)
    for m in profile.materials:
        if m.issuer != "person" or condition_applies(m.condition, person) is not True or m.slot in skip:
            continue
        for year in (verdict.required_years if m.per_year else [None]):
            pages = []
            for k in range(pages_per_doc if m.slot != "photo" else 1):
                page_id += 1
                src = tmp / f"p{person.id}_{m.slot}_{year}_{k}.jpg"
                src.write_bytes(scan_bytes(seed if same_scan else seed + page_id, size=size, noise=noise))
                state = "not_needed"
                masked_path = None
                boxes: list[dict[str, Any]] = []
                if m.mask:
                    state = mask
                    if m.slot == pending_slot:
                        state = "pending"
                    elif mask == "masked":
                        masked_path = src.with_suffix(".masked.jpg")
                        mask_file(src, masked_path, [NAME_BOX])
                        boxes = [NAME_BOX]
                import hashlib

                sha = hashlib.sha256(src.read_bytes()).hexdigest()
                msha = hashlib.sha256(masked_path.read_bytes()).hexdigest() if masked_path else None
                pages.append(PageInput(
                    page_id=page_id, index=k, blob_path=str(src), blob_sha=sha, kind="jpeg", dpi=150,
                    width_px=size[0], height_px=size[1], mask_state=state,
                    masked_path=str(masked_path) if masked_path else None, masked_sha=msha, boxes=boxes,
                    audit=msha, size=src.stat().st_size,
                    not_needed_by="测试经办人" if state == "not_needed" else None,
                ))
            issue = AS_OF - dt.timedelta(days=10) if m.slot == "chsi_record" else None
            words = 2500 if m.slot == "work_summary" else None
            docs.append(DocInput(page_id, m.slot, year, m.name, issue, words, pages))
    return PersonInput(person, verdict, list(verdict.required_years), docs)


def unit_provided(profile: Any) -> dict[str, Any]:
    """The round's unit documents (公示 …) marked as provided: these plans are about personal files."""
    from app.policy.requirements import UNIT_PROVIDED, UnitDocState, round_unit_slots

    return {m.slot: UnitDocState(m.slot, m.name, UNIT_PROVIDED, "已标记为已提供") for m in round_unit_slots(profile)}


def make_plan(tmp: Path, inputs: list[Any], **limits: Any) -> Any:
    from app.export.bundle import plan_bundle
    from app.policy.profiles import load_profile
    from app.settings import UploadLimits

    profile = load_profile(PROFILE)
    return plan_bundle(profile, AS_OF, inputs, limits=UploadLimits(**limits), unit=unit_provided(profile))


def test_scan_has_a_dark_name_bar() -> None:
    im = Image.open(io.BytesIO(scan_bytes(1, size=(400, 560))))
    w, h = im.size
    px = im.convert("L").getpixel((int(0.3 * w), int(0.07 * h)))
    assert px < 80
