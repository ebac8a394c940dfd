"""The submission bundle: plan (what goes where, what blocks) and build (pages → files → folder).

Layout of a bundle folder::

    00_单位材料/            unit-level letters and 呈报表 drafts
    01_姓名/01_身份证.pdf   per person, files named by the profile's slot order (and year)
    花名册.xlsx  清单.pdf  manifest.json

The plan is pure (plain inputs from :mod:`app.services.export`); the build renders every page in a
process pool (picklable :class:`PageTask`, one per page, a byte budget each so the file fits the
upload limit), assembles the files, verifies masked files (fail-closed), writes the roster, the
checklist and the manifest into a temporary folder beside the target and renames it into place at
the very end. The previous bundle is kept until that moment; an interrupted build leaves only a
hidden ``.<name>.building-*`` folder, removed by the next export. Only a bundle of ours is replaced,
and of it only the files its manifest lists; anything else is moved aside (app/export/ownership.py).
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import datetime as dt
import io
import itertools
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from app.errors import Cancelled, CheckFailed, ChudingError, storage_error_from_os
from app.export.cells import append_row
from app.export.manifest import (
    KIND_CHECKLIST,
    KIND_MATERIAL,
    KIND_ROSTER,
    KIND_UNIT,
    FileEntry,
    Manifest,
    PageMask,
    PersonEntry,
    RequiredItem,
    now_iso,
    sha256_file,
)
from app.export.ownership import (
    check_export_target,
    check_zip_target,
    discard_old,
    moved_message,
    replace_with,
    zip_is_ours,
)
from app.paths import inside, safe_basename, safe_component
from app.policy.requirements import (
    EXPIRED,
    MISSING,
    NONCONFORMING,
    TO_MASK,
    UNIT_MISSING,
    UNIT_PLACE,
    UNIT_PROVIDED,
    PersonPacket,
    UnitDocState,
    person_checklist,
    round_unit_slots,
)

log = logging.getLogger(__name__)

UNIT_FOLDER = "00_单位材料"
PERSON_FOLDER_CHARS = 40  # "01_" + the name: paths stay short enough for Windows without long paths
ROSTER_NAME = "花名册.xlsx"
CHECKLIST_NAME = "清单.pdf"
PDF_OVERHEAD = 2048  # bytes per file for the PDF structure
PAGE_OVERHEAD = 400  # bytes per page object
MIN_PAGE_BUDGET = 20 * 1024  # below this a page is unreadable: split the file instead
POOL_MIN_PAGES = 16  # fewer pages: render in-process (spawning workers costs more)

Progress = Callable[..., object]  # progress(done, total, message="") — TaskState.progress fits

# Short file-name labels; anything else uses the profile's name without its parenthesis.
SHORT_LABELS = {
    "id_card": "身份证", "photo": "一寸照片", "contract": "劳动合同", "dispatch_note": "派驻情况说明",
    "diploma": "毕业证", "degree_cert": "学位证", "chsi_record": "学历备案表",
    "degree_verification": "学位验证报告", "continuing_education": "继续教育证书", "assessment": "年度考核表",
    "work_summary": "工作小结", "commitment": "个人承诺书", "gongshi": "公示", "gongshi_result": "公示结果",
    "recommendation": "推荐报告", "social_security": "社保缴费清单", "teacher_cert": "教师资格证",
    "mandarin_cert": "普通话等级证书", "ethics_statement": "师德师风情况说明", "chengbaobiao": "呈报表",
}

def short_label(slot: str, name: str) -> str:
    if slot in SHORT_LABELS:
        return SHORT_LABELS[slot]
    return safe_component(re.split(r"[（(]", name, maxsplit=1)[0], max_chars=24)


# ============================================================================ plan inputs (plain)
@dataclass
class PageInput:
    page_id: int
    index: int
    blob_path: str  # absolute vault path of the page's blob
    blob_sha: str
    kind: str  # jpeg | png | pdf-page
    source_page: int = 0
    rotation: int = 0
    dpi: int | None = None
    width_px: int = 0
    height_px: int = 0
    mask_state: str = "pending"  # pending | masked | not_needed
    masked_path: str | None = None
    masked_sha: str | None = None
    boxes: list[dict[str, Any]] = field(default_factory=list)  # Box JSON boxes of this page
    audit: str | None = None
    blob_exists: bool = True
    masked_exists: bool = True
    not_needed_by: str | None = None  # mask_state "not_needed": who decided it (masking audit), else None
    size: int = 0  # bytes of the blob (for the pre-flight size estimate)


@dataclass
class DocInput:
    document_id: int
    slot: str
    year: int | None
    title: str = ""
    issue_date: dt.date | None = None
    word_count: int | None = None
    pages: list[PageInput] = field(default_factory=list)


@dataclass
class PersonInput:
    person: Any  # PersonData
    verdict: Any | None  # Verdict (policy) or None when eligibility is unavailable
    required_years: list[int]
    documents: list[DocInput]
    checklist: PersonPacket | None = None  # the person's checklist rows (the one requirement evaluator)


@dataclass
class UnitInput:
    """Unit-level files made by other features (letters, forms), already rendered to bytes."""

    name: str  # file name inside 00_单位材料
    data: bytes
    sources: list[str] = field(default_factory=list)
    slot: str | None = None  # the unit document it is (a round's stamped scan), listed in the manifest
    pages: int = 0


# ============================================================================ plan
@dataclass
class Issue:
    severity: str  # "blocker" | "warning"
    code: str
    message: str  # Chinese
    person_id: int | None = None
    person_name: str = ""
    slot: str | None = None
    year: int | None = None
    document_id: int | None = None
    page_id: int | None = None
    page_index: int | None = None

    @property
    def blocker(self) -> bool:
        return self.severity == "blocker"

    def to_json(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("severity", "code", "message", "person_id", "person_name", "slot",
                                              "year", "document_id", "page_id", "page_index")}


@dataclass
class FilePlan:
    rel_path: str
    person_folder: str
    slot: str
    year: int | None
    label: str
    fmt: str  # pdf | jpg
    pages: list[PageInput]
    limit_bytes: int
    mask_required: bool
    secrets: list[str] = field(default_factory=list)

    @property
    def sources(self) -> list[str]:
        out: list[str] = []
        for p in self.pages:
            for s in (p.blob_sha, p.masked_sha if p.mask_state == "masked" else None):
                if s and s not in out:
                    out.append(s)
        return out


@dataclass
class PersonPlan:
    person: Any
    folder: str
    verdict: Any | None
    required: list[RequiredItem]
    files: list[FilePlan]
    complete: bool


@dataclass
class BundlePlan:
    profile_id: str
    profile_name: str
    as_of: dt.date
    limits: Any  # settings.UploadLimits
    persons: list[PersonPlan]
    unit_files: list[UnitInput]
    issues: list[Issue]
    roster_writer: Callable[[Path, BundlePlan], None] | None = None
    warnings_text: list[str] = field(default_factory=list)
    # Unit files made at build time (letters, forms): () -> (files, notes). Runs in the calling
    # thread while the pool renders pages.
    unit_provider: Callable[[], tuple[list[UnitInput], list[str]]] | None = None
    unit_documents: list[UnitDocState] = field(default_factory=list)  # the round's 公示 … and their state

    @property
    def unit_complete(self) -> bool:
        return all(u.done for u in self.unit_documents)

    @property
    def blockers(self) -> list[Issue]:
        return [i for i in self.issues if i.blocker]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.blocker]

    @property
    def files(self) -> list[FilePlan]:
        return [f for p in self.persons for f in p.files]

    @property
    def page_count(self) -> int:
        return sum(len(f.pages) for f in self.files)


class _DocView:
    """A DocInput seen by the requirement evaluator (app.policy.requirements.DocumentLike)."""

    def __init__(self, d: DocInput) -> None:
        self.id, self.slot, self.year = d.document_id, d.slot, d.year
        self.issue_date, self.word_count, self.source_kind = d.issue_date, d.word_count, "pdf"
        self.pages = d.pages


def checklist_for(profile: Any, as_of: dt.date, pin: PersonInput,
                  unit: Mapping[str, UnitDocState] | None) -> PersonPacket:
    """The person's checklist from the plain inputs (when the caller did not bring one)."""
    return person_checklist(pin.person, [_DocView(d) for d in pin.documents], profile, as_of,
                            years=list(pin.required_years), unit=unit)


def round_unit_states(profile: Any, persons: Sequence[PersonInput]) -> dict[str, UnitDocState]:
    """The round's unit documents judged from the persons' uploads alone (no officer decisions)."""
    ids: dict[str, list[int]] = {}
    for pin in persons:
        for d in pin.documents:
            ids.setdefault(d.slot, []).append(d.document_id)
    return {m.slot: UnitDocState(m.slot, m.name, UNIT_PROVIDED if ids.get(m.slot) else UNIT_MISSING,
                                 "" if ids.get(m.slot) else "尚未上传", tuple(ids.get(m.slot, ())))
            for m in round_unit_slots(profile)}


def plan_bundle(profile: Any, as_of: dt.date, persons: Sequence[PersonInput], *, limits: Any,
                unit_files: Sequence[UnitInput] = (), allow_ineligible: bool = False,
                unit: Mapping[str, UnitDocState] | None = None) -> BundlePlan:
    """Decide the bundle layout and collect the blockers and warnings (nothing is written).

    What is required and whether it is met comes from the checklist's rows (the one requirement
    evaluator, app.policy.requirements): each person's ``checklist`` when given, else one computed
    here with the round's ``unit`` documents. The plan adds what only files can tell (pages not
    masked, blobs missing, too many pages for the size limit)."""
    if unit is None:
        unit = round_unit_states(profile, persons)
    issues: list[Issue] = []
    plans: list[PersonPlan] = []
    order = {m.slot: i + 1 for i, m in enumerate(profile.materials)}
    specs = {m.slot: m for m in profile.materials}
    used_folders: set[str] = set()
    for n, pin in enumerate(persons, start=1):
        p = pin.person
        folder = safe_component(f"{n:02d}_{p.name}", max_chars=PERSON_FOLDER_CHARS)
        while folder in used_folders:
            folder += "_"
        used_folders.add(folder)

        def issue(severity: str, code: str, message: str, *, p: Any = p, **kw: Any) -> None:
            if not message.startswith(f"{p.name}："):
                message = f"{p.name}：{message}"
            issues.append(Issue(severity, code, message, person_id=p.id, person_name=p.name, **kw))

        first_issue = len(issues)  # this person's issues are issues[first_issue:]
        v = pin.verdict
        if v is None:
            issue("warning", "no_verdict", f"{p.name}：无法判定申报资格（资格审核不可用），请人工确认")
        elif v.eligible is not True:
            reasons = "；".join(r.message for r in getattr(v, "reasons", [])[:3]) or "、".join(getattr(v, "missing", []))
            issue("warning" if allow_ineligible else "blocker", "ineligible",
                  f"{p.name}：资格审核结果为“{v.status}”" + (f"（{reasons}）" if reasons else ""))
        secrets = [s for s in (p.name, getattr(p.unit, "name", "")) if s]
        checklist = pin.checklist if pin.checklist is not None else checklist_for(profile, as_of, pin, unit)
        pin.checklist = checklist
        docs_by_id = {d.document_id: d for d in pin.documents}
        required: list[RequiredItem] = []
        files: list[FilePlan] = []
        used_names: set[str] = set()
        for row in checklist.slots:
            spec = specs.get(row.slot)
            if spec is None or spec.issuer == "platform":
                continue  # not asked by this profile; 呈报表: made by the platform (our draft: unit folder)
            docs = [docs_by_id[i] for i in row.counting_ids if i in docs_by_id and docs_by_id[i].pages]
            nn = order[spec.slot]
            label = short_label(spec.slot, spec.name)
            year = row.year
            item = RequiredItem(slot=spec.slot, label=spec.name, year=year, mask=bool(spec.mask))
            where = {"slot": spec.slot, "year": year}
            what = f"{year} 年度{label}" if year else spec.name
            if row.counted and not row.done:
                if row.status == MISSING:
                    if row.issuer == "unit" and spec.slot in unit:
                        issue("blocker", "unit_missing",
                              f"{p.name}：缺少单位材料“{spec.name}”（本批次共用：请在{UNIT_PLACE}中上传盖章后的扫描件，"
                              "或标记为已提供）",
                              **where)
                    else:
                        hint = "（单位出具：请打印、签章后扫描加入）" if row.issuer == "unit" else ""
                        issue("blocker", "missing", f"{p.name}：缺少“{what}”{hint}", **where)
                elif row.status == EXPIRED:
                    issue("blocker", "stale", f"{p.name}：“{what}”{row.reason}", **where)
                elif row.status == NONCONFORMING:
                    issue("blocker", "word_count" if spec.word_range else "nonconforming", f"{p.name}：“{what}”不符合要求：{row.reason}", **where)
                elif row.status == TO_MASK and not docs:
                    issue("blocker", "unmasked", f"{p.name}：“{what}”{row.reason}", **where)
            elif row.status == NONCONFORMING and docs:
                issue("warning", "nonconforming", f"{p.name}：“{what}”{row.reason}", **where)
            for k, d in enumerate(docs, start=1):
                stem = f"{nn:02d}_{label}" + (f"_{year}" if year else "") + (f"_{k}" if len(docs) > 1 else "")
                fmt = "jpg" if spec.slot == "photo" else "pdf"
                while f"{stem}.{fmt}" in used_names:
                    stem += "_"
                used_names.add(f"{stem}.{fmt}")
                rel = f"{folder}/{stem}.{fmt}"
                limit_kb = limits.photo_max_kb if spec.slot == "photo" else limits.max_file_kb
                fp = FilePlan(rel, folder, spec.slot, year, spec.name, fmt, list(d.pages), limit_kb * 1024,
                              bool(spec.mask), secrets)
                files.append(fp)
                item.files.append(rel)
                _check_document(spec, d, fp, as_of, issue)
            # a round unit document provided elsewhere (another person's packet, on paper) is not
            # this folder's requirement: the verifier checks the files listed here
            if item.files or (row.counted and not (row.issuer == "unit" and spec.slot in unit)):
                required.append(item)
        complete = not any(i.blocker and i.code != "ineligible" for i in issues[first_issue:])
        plans.append(PersonPlan(p, folder, v, required, files, complete))
    return BundlePlan(profile.id, profile.name, as_of, limits, plans, list(unit_files), issues,
                      unit_documents=list(unit.values()))


def _check_document(spec: Any, d: DocInput, fp: FilePlan, as_of: dt.date, issue: Callable[..., None]) -> None:
    """What only the files can tell (content rules — validity, word count, 考核 result — are the
    checklist's, app.policy.requirements)."""
    where = {"slot": spec.slot, "year": d.year, "document_id": d.document_id}
    label = spec.name + (f"（{d.year}）" if d.year else "")
    if fp.fmt == "jpg" and len(d.pages) > 1:
        issue("warning", "photo_pages", f"“{label}”有 {len(d.pages)} 页，只导出第 1 页", **where)
        fp.pages = fp.pages[:1]
    budget = _page_budget(fp)
    if fp.fmt == "pdf" and budget < MIN_PAGE_BUDGET:
        issue("blocker", "oversize", f"“{label}”共 {len(fp.pages)} 页，无法在 {fp.limit_bytes // 1024} KB 内保持清晰，"
              "请拆分为多个文件", **where)
    for pg in fp.pages:
        pw = {**where, "page_id": pg.page_id, "page_index": pg.index}
        if not pg.blob_exists:
            issue("blocker", "missing_blob", f"“{label}”第 {pg.index + 1} 页的扫描件在文件库中缺失", **pw)
        rel = _page_release(pg, bool(spec.mask))
        if not rel.ok:
            issue("blocker", rel.problem, rel.message(label, pg.index), **pw)
    if fp.fmt == "pdf" and sum(pg.size for pg in fp.pages) > fp.limit_bytes:
        issue("warning", "compress", f"“{label}”原始大小超过 {fp.limit_bytes // 1024} KB，导出时将压缩", **where)


def _page_budget(fp: FilePlan) -> int:
    n = max(1, len(fp.pages))
    return int((fp.limit_bytes * 0.97 - PDF_OVERHEAD) / n) - PAGE_OVERHEAD


# ============================================================================ page rendering (pool)
@dataclass(frozen=True)
class PageTask:
    """Everything a worker process needs to produce one page (picklable, no database)."""

    key: tuple[int, int]  # (file number, page number) — for bookkeeping only
    path: str  # the blob to render: the masked blob for masked pages, else the original
    kind: str  # jpeg | png | pdf-page | auto (sniff)
    source_page: int
    rotation: int
    dpi: float | None
    budget: int  # bytes
    min_dpi: int
    exact: bool  # masked page: keep the masked bytes untouched when they fit
    photo: tuple[int, int, int] | None = None  # (width, height, max bytes) for the 一寸照


@dataclass
class PageOut:
    data: bytes  # JPEG
    width: int
    height: int
    dpi: float  # physical resolution (page size = pixels / dpi)
    reencoded: bool
    below_min_dpi: bool = False
    mode: str = "RGB"  # L | RGB


def _sniff(data: bytes) -> str:
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:4] == b"%PDF":
        return "pdf"
    return "image"


def _load_source(task: PageTask) -> tuple[bytes | None, Image.Image | None, float | None]:
    """(JPEG bytes usable as is | None, decoded image | None, known dpi)."""
    with open(task.path, "rb") as fh:
        data = fh.read()
    kind = _sniff(data)
    if kind == "pdf":
        import pymupdf

        with pymupdf.open(stream=data, filetype="pdf") as doc:
            page = doc.load_page(task.source_page if task.kind == "pdf-page" else 0)
            imgs = page.get_images(full=True)
            if len(imgs) == 1:
                info = doc.extract_image(imgs[0][0])
                rects = page.get_image_rects(imgs[0][0])
                covers = rects and abs(rects[0].width - page.rect.width) < 2 and abs(rects[0].height - page.rect.height) < 2
                if covers and info.get("ext") in ("jpeg", "jpg") and not page.get_text("text").strip():
                    dpi = info["width"] / (page.rect.width / 72)
                    return info["image"], None, dpi
                if covers and not page.get_text("text").strip():
                    im = Image.open(io.BytesIO(info["image"]))
                    im.load()
                    return None, im, info["width"] / (page.rect.width / 72)
            zoom = (task.dpi or 200) / 72
            pix = page.get_pixmap(matrix=pymupdf.Matrix(zoom, zoom), alpha=False, colorspace=pymupdf.csRGB)
            return None, Image.frombytes("RGB", (pix.width, pix.height), pix.samples), task.dpi or 200.0
    if kind == "jpeg":
        return data, None, task.dpi
    im = Image.open(io.BytesIO(data))
    im.load()
    return None, im, task.dpi


def _strip_jpeg(data: bytes) -> bytes | None:
    from app.masking.burn import strip_jpeg_segments

    try:
        return strip_jpeg_segments(data)
    except (ValueError, IndexError):
        return None


def _encode(im: Image.Image, quality: int) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return buf.getvalue()


def _decode_jpeg(raw: bytes) -> Image.Image:
    """Decode a JPEG; a colour scan without colour content is decoded straight to grey (libjpeg
    skips the chroma work), decided on a 1/8-scale DCT preview that costs almost nothing."""
    im = Image.open(io.BytesIO(raw))
    if im.mode == "RGB":
        probe = Image.open(io.BytesIO(raw))
        probe.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
        probe.load()
        if _is_grey(probe):
            im.draft("L", im.size)
    im.load()
    return im


def _is_grey(im: Image.Image) -> bool:
    """True when the page has no colour worth keeping (no red seal, no photo): checked on a thumbnail."""
    import numpy as np

    f = max(1, min(im.width, im.height) // 96)
    a = np.asarray(im.reduce(f) if f > 1 else im, dtype=np.int16)
    chroma = np.max(np.abs(a - a.mean(axis=2, keepdims=True)), axis=2)
    return float(np.percentile(chroma, 99.8)) < 18


def _a4_dpi(w: int, h: int) -> float:
    return max(w, h) / (297 / 25.4)


def render_page(task: PageTask) -> PageOut:
    """Produce one page as a JPEG within ``task.budget`` bytes (runs in a worker process)."""
    raw, im, dpi = _load_source(task)
    if task.photo is not None:
        return _render_photo(raw, im, task)
    if raw is not None:
        stripped = _strip_jpeg(raw)
        if stripped is not None and task.rotation % 360 == 0 and (len(stripped) <= task.budget):
            with Image.open(io.BytesIO(stripped)) as probe:
                w, h = probe.size
                mode = probe.mode
            if mode in ("L", "RGB"):
                return PageOut(stripped, w, h, dpi or _a4_dpi(w, h), False, mode=mode)
        im = _decode_jpeg(raw)
    assert im is not None
    if im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    if im.mode == "RGB" and _is_grey(im):
        im = im.convert("L")  # a black-and-white page scanned in colour: half the bytes, same legibility
    rot = task.rotation % 360
    if rot:
        im = im.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                           270: Image.Transpose.ROTATE_90}[rot])
    phys_dpi = dpi or _a4_dpi(*im.size)
    return _fit(im, phys_dpi, task.budget, task.min_dpi, len(raw) if raw is not None else None)


# Typical JPEG size at quality q relative to quality 80 (measured on 200-dpi scans); used to pick
# the quality from one trial encode instead of walking a ladder.
_REL_SIZE = ((80, 1.0), (70, 0.78), (60, 0.64), (50, 0.54), (42, 0.48), (35, 0.43))


# Size at quality 80 relative to the source JPEG's bytes, learned per worker process and image mode:
# lets most pages skip the trial encode (one encode instead of two).
_Q80_RATIO: dict[str, float] = {}


def _fit(im: Image.Image, phys_dpi: float, budget: int, min_dpi: int, src_len: int | None = None) -> PageOut:
    """Fit one page into ``budget`` bytes with as few encodes as possible.

    The size at quality 80 is predicted (from earlier pages) or measured by one trial encode; it
    predicts the size at lower qualities; the best predicted quality is tried, then lower ones;
    when even the lowest is too big the page is downscaled (never below ``min_dpi`` unless nothing
    else fits) and the same is repeated."""
    scale = 1.0
    cur = im
    last = b""
    learn = src_len if src_len else None
    guess = _Q80_RATIO[im.mode] * learn if learn and im.mode in _Q80_RATIO else None
    for attempt in range(6):
        if attempt == 0 and guess is not None and guess > budget * 1.04:
            base = guess
        else:
            trial = _encode(cur, 80)
            if attempt == 0 and learn:
                _Q80_RATIO[cur.mode] = len(trial) / learn
            if len(trial) <= budget:
                return _page_out(trial, cur, phys_dpi, scale, min_dpi)
            last = trial
            base = len(trial)
        for q, rel in _REL_SIZE[1:]:
            if base * rel > budget * 1.04:
                continue
            data = _encode(cur, q)
            base = len(data) / rel  # re-calibrate the prediction on the real size
            if attempt == 0 and learn:
                _Q80_RATIO[cur.mode] = base / learn
            if len(data) <= budget:
                return _page_out(data, cur, phys_dpi, scale, min_dpi)
            last = data
        # Even the lowest quality is too big: downscale so quality ~60 should fit.
        need = (budget / (base * 0.64)) ** 0.5 * 0.97
        floor = min_dpi / phys_dpi if phys_dpi > min_dpi else 1.0
        new_scale = scale * min(0.9, need)
        if new_scale < floor <= scale * 0.999:
            new_scale = floor  # first try exactly the legibility floor
        scale = new_scale
        size = (max(8, round(im.width * scale)), max(8, round(im.height * scale)))
        cur = im.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    if not last:
        last = _encode(cur, 35)
    return PageOut(last, cur.width, cur.height, phys_dpi, True, True, mode=cur.mode)


def _page_out(data: bytes, cur: Image.Image, phys_dpi: float, scale: float, min_dpi: int) -> PageOut:
    return PageOut(data, cur.width, cur.height, phys_dpi, True, phys_dpi * scale < min_dpi - 0.5, mode=cur.mode)


def _render_photo(raw: bytes | None, im: Image.Image | None, task: PageTask) -> PageOut:
    assert task.photo is not None
    w, h, max_bytes = task.photo
    if raw is not None:
        stripped = _strip_jpeg(raw)
        if stripped is not None and len(stripped) <= max_bytes:
            with Image.open(io.BytesIO(stripped)) as probe:
                if probe.size == (w, h) and probe.mode in ("L", "RGB"):
                    return PageOut(stripped, w, h, 300.0, False)
        im = Image.open(io.BytesIO(raw))
        im.draft("RGB", (w * 2, h * 2))  # fast DCT downscale: the photo ends at w×h anyway
        im.load()
    assert im is not None
    from app.documents.compress import compress_photo
    from app.settings import UploadLimits

    lim = UploadLimits(photo_width_px=w, photo_height_px=h, photo_max_kb=max(1, max_bytes // 1024))
    rot = task.rotation % 360
    if rot:
        im = im.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                           270: Image.Transpose.ROTATE_90}[rot])
    res = compress_photo(im, limits=lim)
    return PageOut(res.data, w, h, 300.0, True)


def assemble_pdf(pages: Sequence[PageOut]) -> bytes:
    """A minimal PDF of JPEG pages only (the masking module's writer): no text, no metadata, no ICC."""
    from app.masking.burn import build_pdf

    return build_pdf([(pg.data, pg.width, pg.height, pg.mode, pg.width / (pg.dpi or 200.0) * 72,
                       pg.height / (pg.dpi or 200.0) * 72) for pg in pages])


# ============================================================================ build
@dataclass
class BuildResult:
    target: Path
    manifest: Manifest
    files: int
    pages: int
    bytes: int
    seconds: float
    zip_path: Path | None
    warnings: list[str]


def _page_release(pg: PageInput, mask_required: bool) -> Any:
    """The one decision of what may leave the vault for this page (app.masking.release)."""
    from app.masking.release import page_release

    return page_release(mask_required=mask_required, mask_state=pg.mask_state, masked_sha=pg.masked_sha,
                        boxes=len(pg.boxes), not_needed_by=pg.not_needed_by, masked_exists=pg.masked_exists)


def _tasks_for(fp: FilePlan, fno: int, limits: Any, budget: int | None = None) -> list[PageTask]:
    from app.errors import CheckFailed
    from app.masking.release import MASKED

    budget = budget if budget is not None else _page_budget(fp)
    out = []
    for k, pg in enumerate(fp.pages):
        rel = _page_release(pg, fp.mask_required)
        if not rel.ok:  # the pre-flight blocks this; never write the original if it was bypassed
            raise CheckFailed(f"{fp.person_folder}：{rel.message(fp.slot, pg.index)}，未导出")
        masked = rel.source == MASKED
        path = pg.masked_path if masked and pg.masked_path else pg.blob_path
        # A masked blob is the upright page already: its rotation was applied before masking.
        rotation = 0 if masked else pg.rotation
        photo = (limits.photo_width_px, limits.photo_height_px, fp.limit_bytes) if fp.fmt == "jpg" else None
        out.append(PageTask((fno, k), path, "auto" if masked else pg.kind, 0 if masked else pg.source_page,
                            rotation, float(pg.dpi) if pg.dpi else None, budget, int(limits.min_dpi), masked,
                            photo))
    return out


class _Runner:
    """Maps page tasks in a process pool (or in-process for small jobs); cancellable."""

    def __init__(self, workers: int | None, n_pages: int) -> None:
        self.pool: cf.ProcessPoolExecutor | None = None
        self.workers = workers if workers is not None else min(4, os.cpu_count() or 1)
        if self.workers > 1 and n_pages >= POOL_MIN_PAGES:
            from app.procs import spawn_pool  # workers exit when this process dies

            self.pool = spawn_pool(self.workers, _worker_init)

    def submit_verify(self, path: Path, boxes: dict[str, Any], secrets: list[str],
                      ocr: bool | None) -> cf.Future[tuple[bool, str]]:
        if self.pool is not None:
            return self.pool.submit(verify_task, str(path), boxes, secrets, ocr)
        fut: cf.Future[tuple[bool, str]] = cf.Future()
        fut.set_result(verify_task(str(path), boxes, secrets, ocr))
        return fut

    def map(self, tasks: Sequence[PageTask]) -> Iterator[PageOut]:
        """Results in order; at most ``4 × workers`` pages in flight, so memory stays bounded
        however slowly the caller consumes them."""
        if self.pool is None:
            for t in tasks:
                yield render_page(t)
            return
        it = iter(tasks)
        pending: collections.deque[cf.Future[PageOut]] = collections.deque(
            self.pool.submit(render_page, t) for t in itertools.islice(it, 4 * self.workers))
        while pending:
            result = pending.popleft().result()
            nxt = next(it, None)
            if nxt is not None:
                pending.append(self.pool.submit(render_page, nxt))
            yield result

    def close(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            self.pool = None


def verify_task(path: str, boxes: dict[str, Any], secrets: list[str], ocr: bool | None) -> tuple[bool, str]:
    """Mask verification of one written file (runs in a worker process)."""
    from app.export.bundle_verify import run_mask_verification

    return run_mask_verification(Path(path), boxes, secrets, ocr=ocr)


def _worker_init() -> None:
    """Pool workers never need PyMuPDF's optional layout analyser (pymupdf_layout, if installed):
    importing it loads ONNX models (seconds and ~60 MB per process). Only these workers skip it."""
    import sys

    sys.modules.setdefault("pymupdf.layout", None)  # type: ignore[arg-type]


def _file_entry(fp: FilePlan, path: Path, rel: str, n_pages: int) -> FileEntry:
    mask_pages = []
    if fp.mask_required:
        for k, pg in enumerate(fp.pages):
            state = "masked" if pg.mask_state == "masked" else "not_needed"
            mask_pages.append(PageMask(k, state, list(pg.boxes) if state == "masked" else [], pg.audit,
                                       pg.not_needed_by if state == "not_needed" else None))
    return FileEntry(path=rel, size=path.stat().st_size, sha256=sha256_file(path), kind=KIND_MATERIAL,
                     person=fp.person_folder, slot=fp.slot, year=fp.year, pages=n_pages,
                     limit_kb=fp.limit_bytes // 1024, sources=fp.sources, mask_required=fp.mask_required,
                     mask_pages=mask_pages)


def build_bundle(plan: BundlePlan, target: str | Path, *, app_version: str, make_zip: bool = False,
                 progress: Progress | None = None, workers: int | None = None,
                 verify_ocr: bool | None = False) -> BuildResult:
    """Write the bundle of ``plan`` to ``target`` (replacing a previous bundle only at the end)."""
    if plan.blockers:
        raise CheckFailed(f"预检发现 {len(plan.blockers)} 个阻止导出的问题，请先处理：" + plan.blockers[0].message)
    started = time.perf_counter()
    target = Path(target).expanduser().absolute()
    check_export_target(target, make_zip=make_zip)  # before any work: never the officer's files
    recover_interrupted(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    except OSError as exc:
        raise _storage_error(exc) from exc
    files = plan.files
    total = plan.page_count + len(files) + 4
    done = 0
    warnings: list[str] = []

    def tick(msg: str = "") -> None:
        if progress is not None:
            progress(done, total, msg)

    runner: _Runner | None = None
    try:
        tick("正在准备导出…")
        entries: list[FileEntry] = []
        checks: list[tuple[str, cf.Future[tuple[bool, str]]]] = []
        runner = _Runner(workers, plan.page_count)
        tasks = [t for fno, fp in enumerate(files) for t in _tasks_for(fp, fno, plan.limits)]
        results = runner.map(tasks)
        unit_files = list(plan.unit_files)
        unit_job: dict[str, Any] = {}
        unit_thread: threading.Thread | None = None
        if plan.unit_provider is not None:  # letters and forms, beside the page pool
            provider = plan.unit_provider

            def make_unit_files() -> None:
                try:
                    unit_job["result"] = provider()
                except BaseException as exc:  # re-raised in the building thread
                    unit_job["error"] = exc

            unit_thread = threading.Thread(target=make_unit_files, name="bundle-unit-files", daemon=True)
            unit_thread.start()
        for fno, fp in enumerate(files):
            outs: list[PageOut] = []
            for _ in fp.pages:
                outs.append(next(results))
                done += 1
                tick(f"正在处理 {fp.rel_path}")
            data = _file_bytes(fp, outs)
            if len(data) > fp.limit_bytes:  # rare: shrink the budget and redo this file in-process
                budget = int(_page_budget(fp) * fp.limit_bytes / len(data) * 0.9)
                outs = [render_page(t) for t in _tasks_for(fp, fno, plan.limits, budget)]
                data = _file_bytes(fp, outs)
            if len(data) > fp.limit_bytes:
                raise CheckFailed(f"{fp.rel_path} 压缩后仍超过 {fp.limit_bytes // 1024} KB，请拆分文件或重新扫描")
            if any(o.below_min_dpi for o in outs):
                warnings.append(f"{fp.rel_path}：为满足大小限制，分辨率已低于 {plan.limits.min_dpi} dpi，请检查清晰度")
            path = inside(tmp, fp.rel_path)
            _write(path, data)
            entry = _file_entry(fp, path, fp.rel_path, len(outs))
            if fp.mask_required and entry.boxset()["pages"]:
                checks.append((fp.rel_path, runner.submit_verify(path, entry.boxset(), fp.secrets, verify_ocr)))
            entries.append(entry)
            done += 1
            tick()
        for rel, fut in checks:  # every masked file verified (fail-closed) before anything is swapped in
            ok, detail = fut.result()
            if not ok:
                raise CheckFailed(f"{rel} 的遮盖校验未通过：{detail}。已停止导出，原有材料包保持不变。")
        runner.close()
        runner = None
        if unit_thread is not None:
            tick("正在生成单位材料…")
            unit_thread.join()
            if "error" in unit_job:
                raise unit_job["error"]
            more, notes = unit_job["result"]
            unit_files += more
            warnings += notes
        unit_names: set[str] = set()
        for uf in unit_files:
            name = safe_basename(uf.name)
            while name.lower() in unit_names:  # two names that sanitise alike never overwrite each other
                stem, dot, ext = name.rpartition(".")
                name = f"{stem}_.{ext}" if dot else name + "_"
            unit_names.add(name.lower())
            rel = f"{UNIT_FOLDER}/{name}"
            path = inside(tmp, rel)
            _write(path, uf.data)
            entries.append(FileEntry(rel, path.stat().st_size, sha256_file(path), KIND_UNIT, slot=uf.slot,
                                     pages=uf.pages, sources=uf.sources))
        done += 1
        tick("正在生成花名册…")
        if plan.roster_writer is not None:
            plan.roster_writer(tmp / ROSTER_NAME, plan)
        else:
            write_summary_xlsx(tmp / ROSTER_NAME, plan)
        entries.append(FileEntry(ROSTER_NAME, (tmp / ROSTER_NAME).stat().st_size, sha256_file(tmp / ROSTER_NAME),
                                 KIND_ROSTER))
        done += 1
        tick("正在生成清单…")
        from app.export.checklist_pdf import write_checklist

        manifest = Manifest(
            app_version=app_version, profile_id=plan.profile_id, profile_name=plan.profile_name,
            as_of=plan.as_of.isoformat(), created_at=now_iso(),
            limits={"max_file_kb": int(plan.limits.max_file_kb), "photo_max_kb": int(plan.limits.photo_max_kb)},
            persons=[PersonEntry(pp.folder, int(pp.person.id or 0), pp.person.name,
                                 getattr(pp.person.unit, "name", ""), getattr(pp.verdict, "status", "") or "",
                                 pp.required) for pp in plan.persons],
            files=entries, warnings=[i.message for i in plan.warnings] + plan.warnings_text + warnings,
        )
        write_checklist(tmp / CHECKLIST_NAME, manifest)
        manifest.files.append(FileEntry(CHECKLIST_NAME, (tmp / CHECKLIST_NAME).stat().st_size,
                                        sha256_file(tmp / CHECKLIST_NAME), KIND_CHECKLIST))
        manifest.write(tmp)
        done += 1
        tick("正在写入…")
        zip_tmp: Path | None = None
        if make_zip:
            zip_tmp = _make_zip(tmp, target)
        _fsync_tree(tmp)
        if progress is not None:
            progress(done, total, "正在替换旧的材料包…")  # last chance to cancel
        zip_path = None
        old_zip = target.with_name(target.name + ".zip")
        if zip_tmp is not None:
            check_zip_target(old_zip, target.name)  # still ours (checked before the build too)
        moved, aside = replace_with(tmp, target)
        if (note := moved_message(moved, aside)) is not None:
            warnings.append(note)
        if zip_tmp is not None:
            zip_path = old_zip
            os.replace(zip_tmp, zip_path)
        elif zip_is_ours(old_zip, target.name):
            old_zip.unlink()  # a zip of the replaced bundle would no longer match the folder
        done = total
        tick("导出完成")
    except OSError as exc:
        _cleanup(tmp, runner)
        raise _storage_error(exc) from exc
    except BaseException as exc:
        _cleanup(tmp, runner, cancel=isinstance(exc, Cancelled | KeyboardInterrupt))
        raise
    n_bytes = sum(f.size for f in manifest.files)
    return BuildResult(target, manifest, len(manifest.files), plan.page_count, n_bytes,
                       time.perf_counter() - started, zip_path, warnings)


def _storage_error(exc: OSError) -> ChudingError:
    import errno

    if exc.errno in (errno.ENOTDIR, errno.EISDIR, errno.ENOENT, errno.EINVAL, errno.ENAMETOOLONG):
        from app.errors import StorageError

        return StorageError(f"导出材料包失败：导出位置无效（{exc.filename or ''}）。请选择一个可写的文件夹。",
                            detail=f"errno={errno.errorcode.get(exc.errno or 0)}")
    return storage_error_from_os(exc, "导出材料包")


def _file_bytes(fp: FilePlan, outs: list[PageOut]) -> bytes:
    if fp.fmt == "jpg":
        return outs[0].data
    return assemble_pdf(outs)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data)


def _cleanup(tmp: Path, runner: _Runner | None, cancel: bool = True) -> None:
    if runner is not None:
        with contextlib.suppress(Exception):
            runner.close(cancel=True)
    shutil.rmtree(tmp, ignore_errors=True)
    with contextlib.suppress(OSError):
        for z in tmp.parent.glob(f".{tmp.name}*.zip.part"):
            z.unlink()


def _fsync_tree(root: Path) -> None:
    if os.name != "posix":
        return
    for dirpath, _dirs, names in os.walk(root):
        for n in names:
            fd = os.open(os.path.join(dirpath, n), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _make_zip(tmp: Path, target: Path) -> Path:
    import zipfile

    zip_tmp = target.with_name(f".{target.name}.zip.{os.getpid()}.part")
    with zipfile.ZipFile(zip_tmp, "w", compression=zipfile.ZIP_STORED) as zf:
        for path in sorted(tmp.rglob("*")):
            if path.is_file():
                zf.write(path, f"{target.name}/{path.relative_to(tmp).as_posix()}")
    return zip_tmp


def check_target(target: Path) -> None:
    """Refuse (ForeignFilesError) a target holding files that are not a bundle of ours."""
    check_export_target(target)


def _leftovers(target: Path, tag: str) -> list[Path]:
    return sorted(target.parent.glob(f".{glob_escape(target.name)}.{tag}-*"))


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def recover_interrupted(target: Path) -> list[str]:
    """Undo what an interrupted export left beside ``target``; returns what was done (for the log).

    A crash between the two renames of the swap leaves the old bundle as ``.<name>.old-*`` and no
    target: put it back. Half-built ``.<name>.building-*`` folders are deleted."""
    actions: list[str] = []
    if not target.parent.is_dir():
        return actions
    olds = _leftovers(target, "old")
    if olds and not target.exists():
        newest = max(olds, key=lambda p: p.stat().st_mtime)
        os.replace(newest, target)
        actions.append(f"restored {newest.name}")
        olds.remove(newest)
    for p in olds:  # a replaced bundle: only its own files are deleted, anything else moved aside
        aside = discard_old(p, None, target)
        actions.append(f"removed {p.name}" + (f" (kept other files in {aside.name})" if aside else ""))
    for p in _leftovers(target, "building"):  # our own half-built folder
        shutil.rmtree(p, ignore_errors=True)
        actions.append(f"removed {p.name}")
    for z in target.parent.glob(f".{glob_escape(target.name)}.zip.*.part"):
        z.unlink(missing_ok=True)
    if actions:
        log.info("recovered interrupted export at %s: %s", target, actions)
    return actions


# ============================================================================ roster fallback
def write_summary_xlsx(path: Path, plan: BundlePlan) -> None:
    """花名册 when the roster exporter is unavailable: one row per person with verdict and completeness."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    add_summary_sheet(wb, plan, ws)
    wb.save(path)


SUMMARY_HEADERS = ("序号", "文件夹", "姓名", "身份证号", "单位", "资格审核", "级别", "职称", "材料完整", "文件数", "说明")


def add_summary_sheet(wb: Any, plan: BundlePlan, ws: Any = None) -> None:
    ws = ws if ws is not None else wb.create_sheet("导出概况")
    append_row(ws, list(SUMMARY_HEADERS))
    for n, pp in enumerate(plan.persons, start=1):
        v = pp.verdict
        notes = [i.message for i in plan.issues if i.person_id == pp.person.id]
        append_row(ws, [n, pp.folder, pp.person.name, pp.person.id_number, getattr(pp.person.unit, "name", ""),
                   getattr(v, "status", "") if v else "未判定", getattr(v, "level", "") if v else "",
                   getattr(v, "title", "") if v else "", "完整" if pp.complete else "不完整", len(pp.files),
                   "；".join(notes)])
    for col, width in zip("ABCDEFGHIJK", (6, 16, 12, 22, 28, 10, 8, 14, 8, 8, 60), strict=True):
        ws.column_dimensions[col].width = width


def iter_bundle_files(root: Path) -> Iterable[str]:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path.relative_to(root).as_posix()


__all__ = [
    "BuildResult", "BundlePlan", "ChudingError", "DocInput", "FilePlan", "Issue", "PageInput", "PageTask",
    "PersonInput", "PersonPlan", "UnitInput", "build_bundle", "check_target", "plan_bundle", "recover_interrupted",
    "render_page",
]
