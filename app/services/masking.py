"""Masking use cases: boxes per stored page (with review state), suggestions, burn-in of vault pages
into derived masked copies, files outside the vault (CLI), audit records and progress.

Boxes of a stored page are fractions of the page as displayed (its rotation applied), like
``app.documents.render.render``. When the page is rotated later, stored boxes are rotated with it.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.errors import CheckFailed, NotFoundError, UsageError
from app.masking.audit import AuditRecord, record_for
from app.masking.boxes import Box, BoxSet, PageBoxes
from app.masking.release import NEVER_MASK_SLOTS
from app.models.db import Database
from app.services.changes import Change

Progress = Callable[..., object]
__all__ = ["NEVER_MASK_SLOTS"]  # re-exported: callers used to import it from here


@dataclass
class PersonTargets:
    names: list[str]
    units: list[str]
    secrets: list[str]  # names + units + ID number: what must not survive in a masked file


@dataclass
class PageMaskState:
    page_id: int
    boxes: list[Box]
    rejected: list[Box]
    reviewed: bool
    mask_state: str = "pending"
    masked_sha: str | None = None
    version: int = 0  # the stored boxes' row version (0: none stored yet); see save_page_boxes


@dataclass
class MaskPage:
    page_id: int
    document_id: int
    document_title: str
    slot: str
    index: int
    reviewed: bool
    mask_state: str
    boxes: int


@dataclass
class MaskProgress:
    pages: int = 0
    reviewed: int = 0
    masked: int = 0
    items: list[MaskPage] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"已审核 {self.reviewed}/{self.pages} 页，已遮盖 {self.masked}/{self.pages} 页"


# ------------------------------------------------------------------------------ targets

def person_targets(db: Database, person_id: int) -> PersonTargets:
    from app.models import Person

    with db.session() as s:
        p = s.get(Person, person_id)
        if p is None:
            raise NotFoundError(f"人员不存在（编号 {person_id}）")
        names = [p.name] if p.name else []
        units = []
        if p.unit is not None:
            units = [u for u in (p.unit.name, p.unit.short_name) if u]
        secrets = [*names, *units] + ([p.id_number] if p.id_number else [])
        return PersonTargets(names, units, secrets)


# ------------------------------------------------------------------------------ boxes per page

def _rotate_box(b: Box, quarter_turns_cw: int) -> Box:
    x0, y0, x1, y1 = b.x0, b.y0, b.x1, b.y1
    for _ in range(quarter_turns_cw % 4):
        # a point (x, y) of the page maps to (1 - y, x) after a clockwise quarter turn
        x0, y0, x1, y1 = 1 - y1, x0, 1 - y0, x1
    return Box(b.category, x0, y0, x1, y1, b.score, b.source)


def _boxes_from(text: str) -> list[Box]:
    return BoxSet.from_json({"pages": [{"index": 0, "boxes": json.loads(text or "[]")}]}).for_page(0)


def get_page_boxes(db: Database, page_id: int) -> PageMaskState:
    from app.models import Page, PageMask

    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"页面不存在（编号 {page_id}）")
        pm = s.get(PageMask, page_id)
        if pm is None:
            return PageMaskState(page_id, [], [], False, page.mask_state, page.masked_sha, 0)
        turns = ((page.rotation or 0) - (pm.rotation or 0)) // 90
        boxes = [_rotate_box(b, turns) for b in _boxes_from(pm.boxes_json)]
        rejected = [_rotate_box(b, turns) for b in _boxes_from(pm.rejected_json)]
        return PageMaskState(page_id, boxes, rejected, bool(pm.reviewed), page.mask_state, page.masked_sha,
                             pm.version)


def save_page_boxes(db: Database, page_id: int, boxes: Sequence[Box], *, reviewed: bool | None = None,
                    rejected: Sequence[Box] | None = None, expected_version: int | None = None) -> int:
    """Store the page's boxes. Changing the boxes of a masked page makes it pending again.

    ``expected_version`` (from ``get_page_boxes``): refuse with a ``ConflictError`` when a colleague
    saved this page's boxes since. Returns the new version."""
    from app.errors import ConflictError
    from app.models import Page, PageMask

    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"页面不存在（编号 {page_id}）")
        pm = s.get(PageMask, page_id)
        stored_version = pm.version if pm is not None else 0
        if expected_version is not None and stored_version != expected_version:
            theirs = len(_boxes_from(pm.boxes_json)) if pm is not None else 0
            raise ConflictError(
                f"保存失败：这一页的遮盖框在您打开之后已被同事修改（您的是 {len(boxes)} 个框，同事保存的是 {theirs} 个框）。"
                "\n请点击“重新载入”查看同事的遮盖框后再修改。",
                entity="page_mask", entity_id=page_id, mine={"遮盖框": len(boxes)}, theirs={"遮盖框": theirs},
                detail=f"page {page_id}: mask version {expected_version} saved over {stored_version}")
        new_json = json.dumps([b.to_json() for b in boxes], ensure_ascii=False)
        if pm is None:
            pm = PageMask(page_id=page_id, boxes_json="[]", rejected_json="[]", reviewed=False,
                          rotation=page.rotation or 0)
            s.add(pm)
        else:
            from sqlalchemy.orm.attributes import flag_modified

            flag_modified(pm, "boxes_json")  # every save bumps the version, so a colleague's stale save is caught
        changed = pm.boxes_json != new_json or (pm.rotation or 0) != (page.rotation or 0)
        pm.boxes_json = new_json
        pm.rotation = page.rotation or 0
        if rejected is not None:
            pm.rejected_json = json.dumps([b.to_json() for b in rejected], ensure_ascii=False)
        if reviewed is not None:
            pm.reviewed = reviewed
        if changed and page.mask_state == "masked":
            page.mask_state, page.masked_sha = "pending", None
        s.flush()
        return pm.version


def copy_box_to_pages(db: Database, box: Box, page_ids: Sequence[int]) -> int:
    """Add ``box`` at the same place on each page (skipping pages that already have it)."""
    n = 0
    for pid in page_ids:
        st = get_page_boxes(db, pid)
        if any(b == box for b in st.boxes):
            continue
        save_page_boxes(db, pid, [*st.boxes, box])
        n += 1
    return n


def officer_name() -> str:
    """Who is deciding: the officer name saved in the settings, else the operating-system user."""
    import getpass

    try:
        from app.settings import load_settings

        st = load_settings()
        name = str(getattr(st, "officer_name", "") or st.extra.get("officer_name", "") or "").strip()
    except Exception:  # unreadable settings: fall back to the OS user
        name = ""
    if name:
        return name[:100]
    try:
        return getpass.getuser()[:100] or "未知用户"
    except Exception:
        return "未知用户"


def set_not_needed(db: Database, page_id: int, not_needed: bool = True, *, officer: str | None = None) -> Change:
    """The officer's explicit 无需遮盖 for a page (or its withdrawal), recorded in the masking audit with
    who and when. Without such a record a 无需遮盖 page is refused at export (app.masking.release)."""
    from app.models import Document, MaskAudit, Page

    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"页面不存在（编号 {page_id}）")
        page.mask_state = "not_needed" if not_needed else "pending"
        page.masked_sha = None
        doc = s.get(Document, page.document_id)
        if not_needed:
            s.add(MaskAudit(person_id=doc.person_id if doc else None, document_id=page.document_id,
                            page_id=page_id, input_sha=page.blob_sha, output_sha="", decision="not_needed",
                            officer=(officer or officer_name()).strip()[:100] or "未知用户", verify_ok=False,
                            boxes_json='{"pages": []}', checks_json="[]", page_count=1))
        return Change.of(persons=[doc.person_id] if doc and doc.person_id is not None else [],
                         slots=[doc.slot] if doc else [], pages=[page_id])


def not_needed_decisions(session: Any, page_ids: Sequence[int]) -> dict[int, str]:
    """page id → the officer who decided 无需遮盖, for pages whose latest audit record is that decision."""
    from app.models import MaskAudit

    out: dict[int, str] = {}
    if not page_ids:
        return out
    latest: dict[int, Any] = {}
    for a in session.scalars(select(MaskAudit).where(MaskAudit.page_id.in_(list(page_ids))).order_by(MaskAudit.id)):
        latest[a.page_id] = a
    for pid, a in latest.items():
        if a.decision == "not_needed" and (a.officer or "").strip():
            out[pid] = a.officer
    return out


# ------------------------------------------------------------------------------ pages and progress

def masking_pages(db: Database, person_id: int) -> MaskProgress:
    """The person's pages that need masking and how far review got. Which materials need masking is the
    one rule of what may leave the vault (``slot_needs_mask`` with the current round's profile): the
    editor lists exactly the pages the checklist counts as 待遮盖 and the export refuses unmasked."""
    from app.masking.release import slot_needs_mask
    from app.models import Document, Page, PageMask
    from app.services.release import profile_mask_rule

    prog = MaskProgress()
    with db.session() as s:
        q = (select(Document, Page).join(Page, Page.document_id == Document.id)
             .where(Document.person_id == person_id, Document.status == "active")
             .order_by(Document.slot, Document.year, Document.id, Page.index))
        rows = s.execute(q).all()
        masks = {pm.page_id: pm for pm in s.scalars(select(PageMask).where(
            PageMask.page_id.in_([p.id for _, p in rows])))} if rows else {}
        needs: dict[str, bool] = {}
        for d, p in rows:
            if d.slot not in needs:
                needs[d.slot] = slot_needs_mask(d.slot, profile_mask_rule(d.slot, db))
            if not needs[d.slot]:
                continue
            pm = masks.get(p.id)
            n_boxes = len(json.loads(pm.boxes_json)) if pm else 0
            reviewed = bool(pm and pm.reviewed) or p.mask_state in ("masked", "not_needed")
            title = (d.title or d.slot) + (f"（{d.year}年）" if d.year else "")  # 考核表 of two years
            prog.items.append(MaskPage(p.id, d.id, title, d.slot, p.index, reviewed, p.mask_state,
                                       n_boxes))
    prog.pages = len(prog.items)
    prog.reviewed = sum(1 for i in prog.items if i.reviewed)
    prog.masked = sum(1 for i in prog.items if i.mask_state in ("masked", "not_needed"))
    return prog


# ------------------------------------------------------------------------------ suggestions

def _page_ref(db: Database, page_id: int) -> Any:
    from app.documents.render import PageRef
    from app.models import Page

    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"页面不存在（编号 {page_id}）")
        return PageRef.of(page)


def render_page_image(db: Database, page_id: int, *, max_px: int | None = None):
    """The page as displayed (rotation applied): native resolution, or bounded by ``max_px``."""
    from app.documents.render import render
    from app.documents.vault import vault_for

    ref = _page_ref(db, page_id)
    dpi = None if ref.kind != "pdf-page" else max(200, ref.dpi or 200)
    return render(vault_for(db), ref, dpi=dpi, max_px=max_px)


def page_blob(db: Database, page_id: int) -> tuple[bytes, str, int]:
    """(stored bytes, kind, rotation) of a page — for viewers that decode it themselves."""
    from app.documents.vault import vault_for

    ref = _page_ref(db, page_id)
    return vault_for(db).read_bytes(ref.blob_sha), ref.kind, ref.rotation or 0


def suggest_for_page(db: Database, page_id: int, *, names: Sequence[str], units: Sequence[str],
                     kinds: Sequence[str] = ("ocr", "seal", "eyes")) -> list[Box]:
    """Suggestions for a stored page, cached by (blob, page, rotation). Rejected ones are left out."""
    import numpy as np

    from app.masking.suggest import cache, suggest_page

    ref = _page_ref(db, page_id)
    im = render_page_image(db, page_id)
    key = cache.page_key(ref.blob_sha, ref.source_page * 4 + (ref.rotation // 90) % 4)
    _share_suggestion_cache(db, key, pull=True)
    found = suggest_page(np.asarray(im.convert("RGB")), key, names=names, units=units, kinds=kinds)
    _share_suggestion_cache(db, key, pull=False)
    state = get_page_boxes(db, page_id)
    return [b for b in found if not any(b.overlaps(r) > 0.8 and b.category == r.category for r in state.rejected)]


def _share_suggestion_cache(db: Database, key: str, *, pull: bool) -> None:
    """With a server database the OCR/seal/eye results of a page are shared by all officers: taken
    from the database before suggesting (no second OCR on another PC), stored there after."""
    if not getattr(db, "is_server", False):
        return
    from app.masking.suggest import cache
    from app.models.blobs import shared_cache_get, shared_cache_put

    for kind in ("ocr", "seal", "eyes"):
        shared_key = f"{key}-{kind}-v{cache.VERSION}"
        local = cache.get(key, kind)
        if pull and local is None:
            value = shared_cache_get(db, shared_key)
            if value is not None:
                cache.put(key, kind, json.loads(value))
        elif not pull and local is not None and shared_cache_get(db, shared_key) is None:
            shared_cache_put(db, shared_key, json.dumps(local, ensure_ascii=False))


def suggest_for_pages(db: Database, page_ids: Sequence[int], *, names: Sequence[str], units: Sequence[str],
                      progress: Progress | None = None) -> dict[int, list[Box]]:
    out: dict[int, list[Box]] = {}
    for i, pid in enumerate(page_ids):
        if progress:
            progress(i, len(page_ids), f"正在识别第 {i + 1}/{len(page_ids)} 页")
        out[pid] = suggest_for_page(db, pid, names=names, units=units)
    if progress:
        progress(len(page_ids), len(page_ids), "识别完成")
    return out


# ------------------------------------------------------------------------------ burn-in and audit

def record_audit(db: Database, record: AuditRecord, *, person_id: int | None = None,
                 document_id: int | None = None, page_id: int | None = None, decision: str = "masked") -> int:
    from app.models import MaskAudit

    with db.session() as s:
        row = MaskAudit(
            person_id=person_id, document_id=document_id, page_id=page_id, input_sha=record.input_sha,
            output_sha=record.output_sha, file_name=record.file_name,
            boxes_json=json.dumps(record.boxes.to_json(), ensure_ascii=False),
            categories=",".join(record.categories), sources=",".join(record.sources),
            verify_ok=record.verify_ok, checks_json=json.dumps(record.checks, ensure_ascii=False),
            app_version=record.app_version, created_at=record.created_at, page_count=record.page_count,
            decision=decision, officer=officer_name(),
        )
        s.add(row)
        s.flush()
        return int(row.id)


def list_audits(db: Database, *, person_id: int | None = None) -> list[dict[str, Any]]:
    from app.models import MaskAudit

    with db.session() as s:
        q = select(MaskAudit).order_by(MaskAudit.id)
        if person_id is not None:
            q = q.where(MaskAudit.person_id == person_id)
        return [{
            "id": a.id, "person_id": a.person_id, "document_id": a.document_id, "page_id": a.page_id,
            "input_sha256": a.input_sha, "output_sha256": a.output_sha, "file_name": a.file_name,
            "boxes": json.loads(a.boxes_json), "categories": a.categories.split(",") if a.categories else [],
            "sources": a.sources.split(",") if a.sources else [], "verify_ok": a.verify_ok,
            "checks": json.loads(a.checks_json), "app_version": a.app_version,
            "created_at": a.created_at.isoformat(sep=" ", timespec="seconds") if a.created_at else None,
            "pages": a.page_count, "decision": a.decision, "officer": a.officer,
        } for a in s.scalars(q)]


class ResidualFound(CheckFailed):
    """The masked output passed verification but the suggestion pipeline still finds a name, unit,
    seal or eye region outside the boxes; ``found`` says where (never what)."""

    def __init__(self, found: Sequence[Any]) -> None:
        from app.masking.residual import residual_summary

        super().__init__(f"遮盖后仍能识别出未遮盖的内容：{residual_summary(found)}。请补充遮盖框，或确认可以保留后再导出",
                         detail=json.dumps([r.to_json() for r in found]))
        self.found = list(found)


def residual_audit_entry(found: Sequence[Any], *, accepted: bool) -> dict[str, Any]:
    """The residual check as an entry of the audit's checks list (boxes only, never the words)."""
    return {"name": "residual", "ok": not found, "accepted": bool(found) and accepted,
            "residual": [r.to_json() for r in found]}


def mask_file(db: Database | None, in_path: str | Path, boxes: BoxSet, out_path: str | Path, *,
              secrets: Sequence[str] = (), fill: tuple[int, int, int] = (0, 0, 0), person_id: int | None = None,
              progress: Progress | None = None, ocr: bool | None = None, not_needed: bool = False,
              names: Sequence[str] = (), units: Sequence[str] = (), accept_residual: bool = False
              ) -> tuple[Any, int | None]:
    """Mask a file anywhere on disk (CLI). Returns (MaskResult, audit id or None without a database).

    An empty box set masks nothing: it is refused unless the officer states 无需遮盖 (``not_needed``),
    which is recorded in the audit as that decision, with who decided and when.

    With names, units or secrets to look for, the output is checked for residuals (app.masking.residual)
    before it replaces ``out_path``: any found raises ResidualFound and nothing is written, unless
    ``accept_residual`` (then they are listed in ``result.residual`` and in the audit)."""
    import os

    from app.masking.burn import apply_masks
    from app.masking.residual import find_residual

    if boxes.count() == 0 and not not_needed:
        raise UsageError(f"遮盖框文件中没有任何遮盖框，未生成文件：{Path(in_path).name} 将不会被遮盖。"
                         "请先框选需遮盖的内容；若该文件确实没有需要遮盖的内容，请确认“无需遮盖”")
    if boxes.count() and not_needed:
        raise UsageError("遮盖框文件中有遮盖框，却又确认了“无需遮盖”：请二选一")
    out_path = Path(out_path)
    if out_path.resolve() == Path(in_path).resolve():
        raise UsageError("输出文件不能覆盖原件：原件须保持不变")
    names = [n for n in names if n]
    units = [u for u in units if u]
    others = [s for s in secrets if s and s not in names and s not in units]
    looking = bool(names or units or others)
    target = out_path.with_name(f".{out_path.stem}.residual{out_path.suffix}") if looking else out_path
    result = apply_masks(in_path, boxes, target, secrets=secrets, fill=fill, progress=progress, ocr=ocr)
    found: list[Any] = []
    if looking:
        try:
            found = find_residual(target, boxes, names=names, units=units, others=others, original=in_path,
                                  progress=progress)
            if found and not accept_residual:
                raise ResidualFound(found)
            os.replace(target, out_path)
        finally:
            target.unlink(missing_ok=True)
        result.out_path = out_path
    result.residual = found
    audit_id = None
    if db is not None:
        record = record_for(result, boxes, file_name=out_path.name)
        if looking:
            record.checks.append(residual_audit_entry(found, accepted=accept_residual))
        audit_id = record_audit(db, record, person_id=person_id, decision="not_needed" if not_needed else "masked")
    return result, audit_id


def _page_input(db: Database, page_id: int) -> tuple[bytes, str]:
    """The page as a standalone file (bytes, suffix) in display orientation, for burn-in."""
    import pymupdf

    from app.documents.vault import vault_for

    ref = _page_ref(db, page_id)
    blob = vault_for(db).read_bytes(ref.blob_sha)
    rot = (ref.rotation or 0) % 360
    if ref.kind == "pdf-page":
        with pymupdf.open(stream=blob, filetype="pdf") as src, pymupdf.open() as one:
            one.insert_pdf(src, from_page=ref.source_page, to_page=ref.source_page)
            if rot:
                one[0].set_rotation((one[0].rotation + rot) % 360)
            return one.tobytes(garbage=3), ".pdf"
    if not rot:
        return blob, ".jpg" if ref.kind == "jpeg" else ".png"
    from app.documents.render import render

    im = render(vault_for(db), ref)
    buf = io.BytesIO()
    if ref.kind == "jpeg":
        im.convert("RGB" if im.mode not in ("L", "RGB") else im.mode).save(buf, "JPEG", quality=95)
        return buf.getvalue(), ".jpg"
    im.save(buf, "PNG")
    return buf.getvalue(), ".png"


def _page_label(db: Database, page_id: int) -> str:
    """e.g. 张三的“劳动合同”第 1 页 — for messages."""
    from app.models import Document, Page, Person

    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"页面不存在（编号 {page_id}）")
        doc = s.get(Document, page.document_id)
        person = s.get(Person, doc.person_id) if doc and doc.person_id is not None else None
        who = person.name if person and person.name else ""
        title = (doc.title or doc.slot) if doc else ""
        return f"{who}的“{title}”第 {page.index + 1} 页"


def mask_page(db: Database, page_id: int, *, secrets: Sequence[str] | None = None,
              fill: tuple[int, int, int] = (0, 0, 0), ocr: bool | None = None, check_residual: bool = False) -> Any:
    """Burn the page's stored boxes into a derived copy in the vault (verified, fail-closed) and mark
    the page masked. The original stays untouched. Returns the MaskResult.

    ``check_residual``: the person's and unit's names (and seals, eyes) are looked for on the derived
    copy outside the boxes; when any is found (``result.residual``) the page stays pending — export
    blocked — until it is boxed and masked again or the officer accepts it (accept_page_residual)."""
    from app.documents.vault import vault_for
    from app.masking.burn import apply_masks
    from app.models import Document, Page

    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"页面不存在（编号 {page_id}）")
        doc = s.get(Document, page.document_id)
        assert doc is not None
        person_id, document_id, slot = doc.person_id, doc.id, doc.slot
    if person_id is None:  # DOMAIN.md §4: unit-issued documents are never masked
        raise UsageError("这是申报批次的单位材料（公示、推荐报告等），按规定不遮盖，原样导出")
    targets = person_targets(db, person_id)
    if secrets is None:
        secrets = targets.secrets
    state = get_page_boxes(db, page_id)
    if not state.boxes:
        raise UsageError(f"{_page_label(db, page_id)}没有任何遮盖框，未生成遮盖件：请框选需遮盖的内容（或运行识别建议），"
                         "若确实没有需遮盖的内容，请点“无需遮盖”")
    boxes = BoxSet([PageBoxes(0, list(state.boxes))])
    data, suffix = _page_input(db, page_id)
    out_suffix = {".jpg": ".jpg", ".png": ".png", ".pdf": ".pdf"}[suffix]
    with tempfile.TemporaryDirectory(prefix="chuding-mask-") as tmp:
        src = Path(tmp) / f"page{suffix}"
        src.write_bytes(data)
        out = Path(tmp) / f"masked{out_suffix}"
        # the rule masks name and unit (DOMAIN.md §4): those must not show outside the boxes
        result = apply_masks(src, boxes, out, secrets=secrets, fill=fill, ocr=ocr,
                             visible_secrets=[*targets.names, *targets.units])
        if check_residual and (targets.names or targets.units):
            from app.masking.residual import find_residual

            result.residual = find_residual(out, boxes, names=targets.names, units=targets.units, original=src)
        sha = vault_for(db).put_bytes(out.read_bytes(), out_suffix)
    with db.session() as s:
        page = s.get(Page, page_id)
        assert page is not None
        page.mask_state, page.masked_sha = "masked", sha
    record = record_for(result, boxes)
    record.input_sha = _page_ref(db, page_id).blob_sha  # the original in the vault, not the temporary copy
    if check_residual:
        record.checks.append(residual_audit_entry(result.residual, accepted=False))
    record_audit(db, record, person_id=person_id, document_id=document_id, page_id=page_id)
    save_page_boxes(db, page_id, state.boxes, reviewed=True)
    with db.session() as s:  # saving the same boxes keeps the state; make sure
        page = s.get(Page, page_id)
        assert page is not None
        # residuals found: the derived copy is kept (to show them) but the page is not masked yet
        page.mask_state, page.masked_sha = ("pending" if result.residual else "masked"), sha
    result.change = Change.of(persons=[person_id], slots=[slot], pages=[page_id])
    return result


@dataclass
class DocumentMaskOutcome:
    """One page of :func:`mask_document`: ``state`` is 已遮盖 / 无需遮盖 / 有残留 / 已保留残留 / 无遮盖框."""

    page_id: int
    index: int  # 0-based position in the document
    state: str
    boxes: int = 0
    residual: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.state in ("已遮盖", "无需遮盖", "已保留残留")

    def to_json(self) -> dict[str, Any]:
        return {"page": self.index, "page_id": self.page_id, "state": self.state, "ok": self.ok,
                "boxes": self.boxes, "residual": [r.to_json() for r in self.residual]}


def mask_document(db: Database, document_id: int, *, pages: Sequence[int] | None = None, ocr: bool | None = None,
                  accept_residual: bool = False, progress: Callable[[int, int], None] | None = None
                  ) -> list[DocumentMaskOutcome]:
    """Burn a stored document's boxes page by page with the residual check (the person's and unit's
    names, seals and eyes looked for outside the boxes), as the 遮盖 editor does. ``pages``: 0-based
    positions (None → all). A page without boxes and without a recorded 无需遮盖 is reported, not
    skipped silently; residuals keep the page pending unless ``accept_residual`` (audited)."""
    from app.masking.release import slot_needs_mask
    from app.services.documents import get_doc
    from app.services.release import profile_mask_rule

    doc = get_doc(db, document_id)
    if not slot_needs_mask(doc.slot, profile_mask_rule(doc.slot, db)):  # the one rule (release, checklist, editor)
        raise UsageError(f"“{doc.slot_label}”按本批次通知不遮盖（如照片、单位出具的材料），无需生成遮盖件")
    chosen = [pg for pg in doc.pages if pages is None or pg.index in set(pages)]
    if pages is not None and len(chosen) != len(set(pages)):
        have = {pg.index for pg in doc.pages}
        bad = sorted(i + 1 for i in set(pages) - have)
        raise UsageError(f"材料（编号 {document_id}）共 {len(doc.pages)} 页，没有第 {'、'.join(map(str, bad))} 页")
    with db.session() as s:
        decided_by = not_needed_decisions(s, [pg.id for pg in chosen])
    out: list[DocumentMaskOutcome] = []
    for n, pg in enumerate(chosen, start=1):
        state = get_page_boxes(db, pg.id)
        if not state.boxes:
            decided = pg.mask_state == "not_needed" and pg.id in decided_by  # who and when are recorded
            out.append(DocumentMaskOutcome(pg.id, pg.index, "无需遮盖" if decided else "无遮盖框"))
        else:
            result = mask_page(db, pg.id, ocr=ocr, check_residual=True)
            found = list(result.residual or [])
            if found and accept_residual:
                accept_page_residual(db, pg.id, found)
            outcome = "已遮盖" if not found else "已保留残留" if accept_residual else "有残留"
            out.append(DocumentMaskOutcome(pg.id, pg.index, outcome, len(state.boxes), found))
        if progress is not None:
            progress(n, len(chosen))
    return out


def accept_page_residual(db: Database, page_id: int, residual: Sequence[Any]) -> None:
    """The officer keeps what the residual check found on the page's derived copy: the page is masked
    (export no longer blocked) and the acceptance is recorded in the page's latest audit record."""
    from app.models import MaskAudit, Page

    current = get_page_boxes(db, page_id).boxes
    with db.session() as s:
        page = s.get(Page, page_id)
        if page is None:
            raise NotFoundError(f"页面不存在（编号 {page_id}）")
        if not page.masked_sha:
            raise UsageError("该页尚未生成遮盖件，请先生成遮盖件")
        audit = s.scalars(select(MaskAudit).where(MaskAudit.page_id == page_id, MaskAudit.output_sha != "")
                          .order_by(MaskAudit.id.desc()).limit(1)).first()
        if audit is None or audit.output_sha != page.masked_sha:
            raise UsageError("该页的遮盖件已变化，请重新生成遮盖件后再确认")
        if BoxSet.from_json(json.loads(audit.boxes_json)).for_page(0) != current:
            raise UsageError("该页的遮盖框在生成遮盖件后又有改动，请重新生成遮盖件")
        checks = [c for c in json.loads(audit.checks_json or "[]") if c.get("name") != "residual"]
        checks.append(residual_audit_entry(residual, accepted=True))
        audit.checks_json = json.dumps(checks, ensure_ascii=False)
        page.mask_state = "masked"
