"""Re-check an exported bundle from its folder alone (``chuding verify-bundle DIR``).

Checks: every file of the manifest exists with the same size and SHA-256 (a changed byte, a missing
file); no file is there that the manifest does not list (an extra file); every file is within its
upload limit; every file that must be masked — by the profile's rule for its material, not by the
manifest's flag — has each page either masked (with at least one box) or marked 无需遮盖 with who
decided it, and passes the masking module's fail-closed verification (``verify_masked``) plus an
independent check that each box is one flat colour; each person's required items of the profile
are present. Fail-closed: a check that cannot run is a failed check.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import ChudingError
from app.export.manifest import KIND_MATERIAL, MANIFEST_NAME, FileEntry, Manifest, load_manifest, sha256_file

log = logging.getLogger(__name__)

# Flat-fill check: a masked box (shrunk by INSET of its size on each side, to skip JPEG edge ringing)
# must have 98 % of its pixels within FLAT_TOLERANCE of the median.
INSET = 0.08
FLAT_TOLERANCE = 24
FLAT_SHARE = 0.98


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""
    path: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "path": self.path}


@dataclass
class BundleReport:
    root: Path
    checks: list[Check] = field(default_factory=list)
    files: int = 0
    manifest: Manifest | None = None

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def problems(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def add(self, name: str, ok: bool, detail: str = "", path: str | None = None) -> None:
        self.checks.append(Check(name, ok, detail, path))

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "root": str(self.root), "files": self.files,
                "problems": [c.to_json() for c in self.problems], "checks": [c.to_json() for c in self.checks]}


# ----------------------------------------------------------------------------------- page images
def page_images(path: Path) -> list[Any]:
    """PIL images of every page of a bundle file (the embedded JPEG of our PDFs, or the JPG itself)."""
    from PIL import Image

    data = path.read_bytes()
    if data[:4] != b"%PDF":
        im = Image.open(io.BytesIO(data))
        im.load()
        return [im]
    import pymupdf

    out: list[Any] = []
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        for page in doc:
            imgs = page.get_images(full=True)
            if len(imgs) == 1:
                info = doc.extract_image(imgs[0][0])
                page_im: Any = Image.open(io.BytesIO(info["image"]))
                page_im.load()
            else:
                pix = page.get_pixmap(dpi=150, alpha=False)
                page_im = Image.frombytes("RGB", (pix.width, pix.height), pix.samples)
            out.append(page_im)
    return out


def box_is_flat(im: Any, box: dict[str, Any]) -> tuple[bool, str]:
    import numpy as np

    w, h = im.size
    bw, bh = (box["x1"] - box["x0"]) * w, (box["y1"] - box["y0"]) * h
    left = int(box["x0"] * w + bw * INSET + 1)
    top = int(box["y0"] * h + bh * INSET + 1)
    right = int(box["x1"] * w - bw * INSET - 1)
    bottom = int(box["y1"] * h - bh * INSET - 1)
    if right <= left or bottom <= top:
        return True, "框过小，跳过"
    region = np.asarray(im.convert("L").crop((left, top, right, bottom)), dtype=np.int16)
    med = int(np.median(region))
    share = float(np.mean(np.abs(region - med) <= FLAT_TOLERANCE))
    return share >= FLAT_SHARE, f"框内 {share:.1%} 像素为同一填充色"


def flat_fill_check(path: Path, boxset: dict[str, Any]) -> tuple[bool, str]:
    images = page_images(path)
    for page in boxset["pages"]:
        idx = page["index"]
        if idx >= len(images):
            return False, f"第 {idx + 1} 页不存在"
        for b in page["boxes"]:
            ok, detail = box_is_flat(images[idx], b)
            if not ok:
                return False, f"第 {idx + 1} 页的“{b.get('category', '')}”遮盖框未完全覆盖（{detail}）"
    return True, "所有遮盖框均为纯色填充"


def run_mask_verification(path: Path, boxset: dict[str, Any], secrets: list[str], *,
                          ocr: bool | None = None) -> tuple[bool, str]:
    """Independent flat-fill check, then the masking module's verify_masked. Fail-closed."""
    try:
        ok, detail = flat_fill_check(path, boxset)
    except Exception as exc:  # unreadable file: fail closed
        return False, f"无法读取页面图像（{exc}）"
    if not ok:
        return False, detail
    from app.masking import BoxSet, verify_masked

    try:
        boxes = BoxSet.from_json(boxset)
        report = verify_masked(path, boxes, original=None, secrets=secrets, ocr=ocr)
    except ChudingError as exc:
        return False, exc.message
    if not report.ok:
        failed = [c for c in report.checks if not getattr(c, "ok", True)]
        text = "；".join(f"{getattr(c, 'name', '')}: {getattr(c, 'detail', '')}" for c in failed[:3])
        return False, text or "遮盖校验未通过"
    return True, "遮盖校验通过"


# ----------------------------------------------------------------------------------- bundle
def verify_bundle(root: str | Path, *, ocr: bool | None = False, check_profile: bool = True) -> BundleReport:
    """All checks on the bundle at ``root``. Raises InputFileError when there is no readable manifest."""
    root = Path(root)
    manifest = load_manifest(root)
    report = BundleReport(root, manifest=manifest, files=len(manifest.files))
    on_disk = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    on_disk.discard(MANIFEST_NAME)
    listed = {f.path for f in manifest.files}

    for extra in sorted(on_disk - listed):
        report.add("extra_file", False, f"清单中没有的多余文件：{extra}", extra)
    intact: dict[str, FileEntry] = {}
    for f in manifest.files:
        p = root / f.path
        if f.path not in on_disk:
            report.add("missing_file", False, f"缺少文件：{f.path}", f.path)
            continue
        size = p.stat().st_size
        digest = sha256_file(p)
        if size != f.size or digest != f.sha256:
            report.add("hash", False, f"文件内容已改变（摘要不符）：{f.path}", f.path)
            continue
        intact[f.path] = f
        if f.limit_kb and size > f.limit_kb * 1024:
            report.add("size_limit", False, f"{f.path} 大小 {size // 1024} KB，超过上限 {f.limit_kb} KB", f.path)
    if intact and len(intact) == len(manifest.files) and not (on_disk - listed):
        report.add("hash", True, f"全部 {len(intact)} 个文件与清单一致")

    _check_masks(report, manifest, root, intact, ocr=ocr)
    _check_completeness(report, manifest, on_disk, check_profile=check_profile)
    return report


class _MaskRules:
    """Whether a bundle file must be masked — from the profile's masking rule for its material, never
    from the manifest's ``mask_required`` flag (which anyone can edit together with the hash). The
    material is known from the entry's slot *and* from the file's name (the bundle names each file by
    its material); either one needing masking makes the file need masking. Files in a person's folder
    are that person's materials whatever the entry's ``kind`` says. Without the profile: the default
    rule of app.masking.release (every personal material but the never-masked ones)."""

    def __init__(self, manifest: Manifest) -> None:
        self.person_folders = {p.folder for p in manifest.persons}
        self.by_slot: dict[str, bool] | None = None
        self.by_label: list[tuple[str, bool]] = []
        self.profile_name = manifest.profile_name or manifest.profile_id
        self.error = ""
        try:
            from app.export.bundle import short_label
            from app.policy.profiles import load_profile

            profile = load_profile(manifest.profile_id)
        except ChudingError as exc:
            self.error = exc.message
            return
        self.by_slot = {}
        for m in profile.materials:
            self.by_slot[m.slot] = self.by_slot.get(m.slot, False) or bool(m.mask)
            self.by_label.append((short_label(m.slot, m.name), bool(m.mask)))

    def required(self, f: FileEntry) -> bool:
        from app.masking.release import slot_needs_mask

        top = f.path.split("/", 1)[0]
        personal = top in self.person_folders or f.person is not None or f.kind == KIND_MATERIAL
        if not personal:
            return bool(f.mask_required)  # unit letters, roster, checklist: written by the app, no scans
        slot = f.slot or ""
        if self.by_slot is None:
            return bool(f.mask_required) or slot_needs_mask(slot)
        stem = Path(f.path).stem
        return (bool(f.mask_required) or self.by_slot.get(slot, True)  # a slot the profile does not know: mask
                or any(mask and label and label in stem for label, mask in self.by_label))


def _check_masks(report: BundleReport, manifest: Manifest, root: Path, intact: dict[str, FileEntry], *,
                 ocr: bool | None, workers: int | None = None) -> None:
    secrets_by_folder = {p.folder: [s for s in (p.name, p.unit) if s] for p in manifest.persons}
    names = {p.folder: p.name for p in manifest.persons}
    rules = _MaskRules(manifest)
    if rules.error:
        report.add("mask_rules", False, f"无法加载政策配置“{manifest.profile_id}”（{rules.error}），"
                   "按默认规则判断哪些材料须遮盖")
    jobs: list[tuple[str, dict[str, Any], list[str]]] = []
    for f in manifest.files:
        if f.path not in intact or not rules.required(f):
            continue  # changed or missing files are reported already
        who = names.get(f.person or f.path.split("/", 1)[0]) or f.person or ""
        whose = f"{who}的" if who else ""
        path = root / f.path
        pages = _page_count(path)
        if not f.mask_required:
            report.add("unmasked_page", False,
                       f"{whose}材料 {f.path} 按政策配置“{rules.profile_name}”须遮盖，但清单标为无需遮盖：不能证明已遮盖",
                       f.path)
            continue
        states = {m.index: m for m in f.mask_pages}
        unmasked = [i for i in range(pages) if i not in states or states[i].state not in ("masked", "not_needed")]
        if unmasked:
            report.add("unmasked_page", False,
                       f"{whose}材料 {f.path} 第 {'、'.join(str(i + 1) for i in unmasked)} 页须遮盖但没有遮盖记录", f.path)
            continue
        no_box = [i for i in range(pages) if states[i].state == "masked" and not states[i].boxes]
        undecided = [i for i in range(pages) if states[i].state == "not_needed" and not (states[i].decided_by or "").strip()]
        if no_box or undecided:
            parts = []
            if no_box:
                parts.append(f"第 {'、'.join(str(i + 1) for i in no_box)} 页标为已遮盖却没有任何遮盖框")
            if undecided:
                parts.append(f"第 {'、'.join(str(i + 1) for i in undecided)} 页标为无需遮盖却没有经办人确认记录")
            report.add("unmasked_page", False, f"{whose}材料 {f.path}：{'；'.join(parts)}", f.path)
            continue
        # every file that must be masked is re-verified, masked boxes or not: pixels only, no text layer,
        # no metadata, one revision, no secret in any form (app.masking.verify)
        jobs.append((f.path, f.boxset(), secrets_by_folder.get(f.person or "", [])))
    for rel, (ok, detail) in zip([j[0] for j in jobs], _run_jobs(root, jobs, ocr, workers), strict=True):
        if not ok:
            owner = names.get(rel.split("/", 1)[0]) or ""
            report.add("mask", False, f"{owner + '的' if owner else ''}{rel}：{detail}", rel)
    if jobs and not any(c.name in ("mask", "unmasked_page") for c in report.checks):
        report.add("mask", True, f"{len(jobs)} 个遮盖文件复核通过")


def _run_jobs(root: Path, jobs: list[tuple[str, dict[str, Any], list[str]]], ocr: bool | None,
              workers: int | None) -> list[tuple[bool, str]]:
    """Mask verification of many files: in a process pool when there are enough of them."""
    import os

    n = workers if workers is not None else min(4, os.cpu_count() or 1)
    if n < 2 or len(jobs) < 16:
        return [run_mask_verification(root / rel, boxes, secrets, ocr=ocr) for rel, boxes, secrets in jobs]
    from app.export.bundle import _worker_init, verify_task
    from app.procs import spawn_pool  # workers exit when this process dies

    with spawn_pool(n, _worker_init) as pool:
        futs = [pool.submit(verify_task, str(root / rel), boxes, secrets, ocr) for rel, boxes, secrets in jobs]
        return [f.result() for f in futs]


def _page_count(path: Path) -> int:
    data = path.read_bytes()
    if data[:4] != b"%PDF":
        return 1
    try:
        import pymupdf

        with pymupdf.open(stream=data, filetype="pdf") as doc:
            return doc.page_count
    except Exception:
        return 0


def _check_completeness(report: BundleReport, manifest: Manifest, on_disk: set[str], *, check_profile: bool) -> None:
    problems_before = len(report.problems)
    for person in manifest.persons:
        for item in person.required:
            present = [p for p in item.files if p in on_disk]
            if not present:
                what = f"{item.year} 年度“{item.label}”" if item.year else f"“{item.label}”"
                report.add("completeness", False, f"{person.folder} 缺少 {what}", person.folder)
    if check_profile:
        try:
            from app.policy.profiles import load_profile

            profile = load_profile(manifest.profile_id)
        except ChudingError as exc:
            report.add("profile", False, f"无法加载政策配置“{manifest.profile_id}”：{exc.message}")
            return
        always = [m for m in profile.materials if m.condition == "always" and m.issuer == "person"]
        for person in manifest.persons:
            slots = {i.slot for i in person.required}
            for m in always:
                if m.slot not in slots:
                    report.add("completeness", False, f"{person.folder} 缺少政策要求的“{m.name}”", person.folder)
    if len(report.problems) == problems_before:
        report.add("completeness", True, f"{len(manifest.persons)} 人的必备材料齐全")
