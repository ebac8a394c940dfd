"""What may leave the vault for a document: the one service function every path that writes a
document out of the vault calls (``docs export``, the 材料 page's 导出此材料…; the bundle export takes
the same per-page decision, app.masking.release, in its pre-flight and page sources).

A page whose material needs masking leaves only as its verified masked derivative, or as itself when
the officer explicitly decided 无需遮盖 (recorded with who and when); otherwise the whole document is
refused with a message naming the person, the material and the page. Every page leaves as fresh
pixels: the images returned here carry no metadata (EXIF, comments, XMP, ICC) of the stored file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from app.errors import CheckFailed, NotFoundError
from app.masking.release import MASKED, page_release, slot_needs_mask
from app.models.db import Database


class ReleaseRefused(CheckFailed):
    """Masking applies to the document but is not done (or not recorded): nothing may leave."""


@dataclass
class ReleasedPage:
    page_id: int
    index: int
    image: Image.Image  # the page as displayed, metadata dropped
    dpi: int | None
    masked: bool  # the masked derivative (True) or the page itself (no masking needed / 无需遮盖)


@dataclass
class Release:
    document_id: int
    person_name: str
    slot: str
    title: str
    mask_required: bool
    pages: list[ReleasedPage] = field(default_factory=list)


def profile_mask_rule(slot: str, db: Database | None = None) -> bool | None:
    """The masking rule of the current round's profile for ``slot`` (None when the profile has no such
    slot or cannot be read: then app.masking.release's default applies)."""
    try:
        from app.policy.profiles import load_profile

        if db is not None:
            from app.services.rounds import get_round

            profile = load_profile(get_round(db).profile_id)
        else:
            from app.settings import load_settings

            profile = load_profile(load_settings().profile_id)
    except Exception:  # no profile: the conservative default (mask every personal material)
        return None
    rules = [bool(m.mask) for m in profile.materials if m.slot == slot]
    if not rules:
        return None
    return any(rules)


def _clean(im: Image.Image) -> Image.Image:
    """Pixels only: a new image without the source's info (comments, EXIF, XMP, ICC …)."""
    out = im if im.mode in ("1", "L", "RGB") else im.convert("RGB")
    out = out.copy()
    out.info = {}
    return out


def release_document(db: Database, document_id: int) -> Release:
    """The pages of the document that may leave the vault, or ReleaseRefused saying why none may."""
    from sqlalchemy.orm import selectinload

    from app.documents.render import PageRef, render
    from app.documents.vault import vault_for
    from app.masking.source import sniff_kind
    from app.models import Document, Person
    from app.services.masking import get_page_boxes, not_needed_decisions

    vault = vault_for(db)
    with db.session() as s:
        d = s.get(Document, document_id, options=[selectinload(Document.pages)])
        if d is None:
            raise NotFoundError(f"材料不存在（编号 {document_id}）")
        person = s.get(Person, d.person_id) if d.person_id is not None else None  # None: a round's document
        rows = [(p.id, p.index, p.blob_sha, p.kind, p.source_page or 0, p.rotation or 0, p.dpi, p.mask_state,
                 p.masked_sha) for p in sorted(d.pages, key=lambda x: x.index)]
        decided = not_needed_decisions(s, [r[0] for r in rows])
        rel = Release(document_id, person.name if person else "", d.slot, d.title or d.slot,
                      slot_needs_mask(d.slot, profile_mask_rule(d.slot, db)))
    refusals: list[str] = []
    plan: list[tuple[Any, ...]] = []
    for pid, index, blob_sha, kind, source_page, rotation, dpi, state, masked_sha in rows:
        boxes = len(get_page_boxes(db, pid).boxes) if rel.mask_required and state == "masked" else 0
        exists = bool(masked_sha) and vault.path_of(masked_sha).is_file() if masked_sha else False
        decision = page_release(mask_required=rel.mask_required, mask_state=state, masked_sha=masked_sha,
                                boxes=boxes, not_needed_by=decided.get(pid), masked_exists=exists)
        if not decision.ok:
            refusals.append(decision.message(rel.title, index))
            continue
        plan.append((pid, index, blob_sha, kind, source_page, rotation, dpi, decision.source == MASKED,
                     masked_sha))
    if refusals:
        who = f"{rel.person_name}的" if rel.person_name else ""
        raise ReleaseRefused(f"未导出{who}“{rel.title}”：" + "；".join(refusals))
    for pid, index, blob_sha, kind, source_page, rotation, dpi, masked, masked_sha in plan:
        if masked:
            data = vault.read_bytes(masked_sha)
            mkind = {"pdf": "pdf-page", "jpeg": "jpeg"}.get(sniff_kind(data), "png")
            # a masked blob is the upright page already: its rotation was applied before masking
            im = render(vault, PageRef(masked_sha, mkind, 0, 0, dpi), data=data)
        else:
            im = render(vault, PageRef(blob_sha, kind, source_page, rotation, dpi))
        rel.pages.append(ReleasedPage(pid, index, _clean(im), dpi, masked))
    return rel


def strip_output(data: bytes) -> bytes:
    """Metadata dropped from a file about to leave the vault: JPEG APP/COM segments; PDF Info and XMP."""
    if data[:3] == b"\xff\xd8\xff":
        from app.masking.burn import strip_jpeg_segments

        return strip_jpeg_segments(data)
    if data[:5] == b"%PDF-":
        import pymupdf

        with pymupdf.open(stream=data, filetype="pdf") as doc:
            doc.set_metadata({})
            doc.del_xml_metadata()
            return bytes(doc.tobytes(garbage=3, deflate=True, no_new_id=True))
    return data


