"""Document use cases beyond adding: page tools (rotate, reorder, delete, split, merge, move),
orientation and deskew proposals, thumbnails, export within the upload limits, and vault gc.

Page tools never touch a file: they edit rows (order, rotation, membership). Deskew writes a *derived*
blob for the page; the original file stays in the vault, referenced through ``Document.source_sha``.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session, selectinload

from app.documents.compress import CompressResult, compress_pages, compress_photo
from app.documents.ingest import encode_page
from app.documents.pages import (
    DeskewProposal,
    RotationProposal,
    deskew_image,
    propose_deskew,
    propose_rotation,
)
from app.documents.render import PageRef, render, thumbnail_png
from app.documents.vault import Vault, vault_for
from app.domain.person import PersonData
from app.errors import NotFoundError, UsageError
from app.fileio import atomic_write_bytes
from app.models import Document, Page
from app.models.db import Database
from app.services.packet import DocumentInfo, check_slot, doc_info
from app.settings import UploadLimits


def _doc(s: Session, document_id: int) -> Document:
    d = s.get(Document, document_id, options=[selectinload(Document.pages)])
    if d is None:
        raise NotFoundError(f"材料不存在（编号 {document_id}）")
    return d


def _page(s: Session, page_id: int) -> Page:
    p = s.get(Page, page_id)
    if p is None:
        raise NotFoundError(f"页面不存在（编号 {page_id}）")
    return p


def _renumber(d: Document) -> None:
    for i, p in enumerate(sorted(d.pages, key=lambda x: x.index)):
        p.index = i


# ----------------------------------------------------------------------------------- page tools

def rotate_pages(db: Database, page_ids: Sequence[int], degrees: int) -> None:
    """Turn pages clockwise by ``degrees`` (a multiple of 90); non-destructive (a row value)."""
    if degrees % 90:
        raise UsageError("只能按 90° 的倍数旋转")
    with db.session() as s:
        for pid in page_ids:
            p = _page(s, pid)
            p.rotation = (p.rotation + degrees) % 360


def reorder_pages(db: Database, document_id: int, page_ids: Sequence[int]) -> DocumentInfo:
    with db.session() as s:
        d = _doc(s, document_id)
        current = {p.id for p in d.pages}
        if sorted(page_ids) != sorted(current) or len(page_ids) != len(current):
            raise UsageError("新的页面顺序必须恰好包含该材料的全部页面")
        by_id = {p.id: p for p in d.pages}
        for i, pid in enumerate(page_ids):
            by_id[pid].index = i
        s.flush()
        s.refresh(d)
        return doc_info(d)


def delete_pages(db: Database, page_ids: Sequence[int]) -> list[int]:
    """Remove pages; a document left without pages is deleted. Returns the deleted document ids."""
    emptied: list[int] = []
    with db.session() as s:
        docs: dict[int, Document] = {}
        for pid in page_ids:
            p = _page(s, pid)
            d = _doc(s, p.document_id)
            docs[d.id] = d
            d.pages.remove(p)
        for d in docs.values():
            if not d.pages:
                emptied.append(d.id)
                s.delete(d)
            else:
                _renumber(d)
    return emptied


def delete_document(db: Database, document_id: int) -> None:
    """Drop the document and its page rows; the files stay in the vault until ``vault gc``."""
    with db.session() as s:
        s.delete(_doc(s, document_id))


def split_document(db: Database, document_id: int, at_index: int) -> int:
    """Pages ``at_index…`` move to a new document of the same slot/year. Returns the new id."""
    with db.session() as s:
        d = _doc(s, document_id)
        pages = sorted(d.pages, key=lambda x: x.index)
        if not 0 < at_index < len(pages):
            raise UsageError(f"拆分位置须在第 2 页到第 {len(pages)} 页之间")
        new = Document(person_id=d.person_id, slot=d.slot, year=d.year, title=d.title, status="active",
                       original_name=d.original_name, source_sha=d.source_sha, source_kind=d.source_kind,
                       issue_date=d.issue_date, word_count=None, note=f"由材料 {d.id} 拆分")
        s.add(new)
        for p in pages[at_index:]:
            d.pages.remove(p)
            new.pages.append(p)
        _renumber(d)
        _renumber(new)
        s.flush()
        return new.id


def merge_documents(db: Database, target_id: int, source_ids: Sequence[int]) -> DocumentInfo:
    """Append the pages of ``source_ids`` (in that order) to ``target_id``; the sources are removed.
    All must belong to the same person (pages may come from different files and slots)."""
    with db.session() as s:
        target = _doc(s, target_id)
        for sid in source_ids:
            if sid == target_id:
                continue
            src = _doc(s, sid)
            if src.person_id != target.person_id:
                raise UsageError("只能合并同一人员的材料")
            base = len(target.pages)
            for i, p in enumerate(sorted(src.pages, key=lambda x: x.index)):
                src.pages.remove(p)
                p.index = base + i
                target.pages.append(p)
            extra = f"合并自材料 {src.id}（{src.original_name}）"
            target.note = f"{target.note}；{extra}" if target.note else extra
            s.delete(src)
        _renumber(target)
        s.flush()
        s.refresh(target)
        return doc_info(target)


def move_pages(db: Database, page_ids: Sequence[int], target_document_id: int, position: int | None = None) -> None:
    """Move pages (from any documents of the same person) into another document at ``position``."""
    with db.session() as s:
        target = _doc(s, target_document_id)
        moving = [_page(s, pid) for pid in page_ids]
        sources: dict[int, Document] = {}
        for p in moving:
            src = _doc(s, p.document_id)
            if src.person_id != target.person_id:
                raise UsageError("只能在同一人员的材料之间移动页面")
            sources[src.id] = src
            if src.id != target.id:
                src.pages.remove(p)
                target.pages.append(p)
        rest = [p for p in sorted(target.pages, key=lambda x: x.index) if p not in moving]
        pos = len(rest) if position is None else max(0, min(position, len(rest)))
        order = rest[:pos] + moving + rest[pos:]
        for i, p in enumerate(order):
            p.index = i
        for src in sources.values():
            if src.id != target.id:
                if not src.pages:
                    s.delete(src)
                else:
                    _renumber(src)


def move_document(db: Database, document_id: int, slot: str, year: int | None = None) -> None:
    """File a document under another slot/year (e.g. a scan dropped on the wrong card)."""
    check_slot(slot, year)
    with db.session() as s:
        d = _doc(s, document_id)
        d.slot, d.year = slot, year


def set_issue_date(db: Database, document_id: int, issue_date: dt.date | None) -> None:
    with db.session() as s:
        _doc(s, document_id).issue_date = issue_date


def set_word_count(db: Database, document_id: int, words: int | None) -> None:
    with db.session() as s:
        _doc(s, document_id).word_count = words


# --------------------------------------------------------------------------- analysis & pixels

def _ref(db: Database, page_id: int) -> PageRef:
    with db.session() as s:
        return PageRef.of(_page(s, page_id))


def render_page(db: Database, page_id: int, *, dpi: float | None = None, max_px: int | None = None) -> Image.Image:
    return render(vault_for(db), _ref(db, page_id), dpi=dpi, max_px=max_px)


def propose_page_rotation(db: Database, page_id: int) -> RotationProposal:
    return propose_rotation(render_page(db, page_id, max_px=1200))


def propose_page_deskew(db: Database, page_id: int) -> DeskewProposal:
    return propose_deskew(render_page(db, page_id, max_px=1400))


def apply_deskew(db: Database, page_id: int, angle: float) -> str:
    """Replace the page's pixels by a straightened derived copy (new blob); returns its sha.
    The original file stays in the vault, referenced by the document's ``source_sha``."""
    vault = vault_for(db)
    ref = _ref(db, page_id)
    im = render(vault, PageRef(ref.blob_sha, ref.kind, ref.source_page, 0, ref.dpi), dpi=ref.dpi or 200)
    out = deskew_image(im, angle)
    kind, blob = encode_page(out, prefer_jpeg=ref.kind != "png")
    sha = vault.put_bytes(blob)
    with db.session() as s:
        p = _page(s, page_id)
        p.blob_sha, p.kind, p.source_page = sha, kind, 0
        p.width_px, p.height_px = out.width, out.height
        p.dpi = ref.dpi or 200
        p.mask_state, p.masked_sha = "pending", None
    return sha


class ThumbnailCache:
    """Small thread-safe LRU of PNG thumbnails keyed by (blob, page, rotation, size)."""

    def __init__(self, capacity: int = 512) -> None:
        self._data: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.capacity = capacity

    def get(self, vault: Vault, ref: PageRef, max_px: int = 256) -> bytes:
        key = (ref.blob_sha, ref.source_page, ref.rotation, max_px)
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        png = thumbnail_png(vault, ref, max_px)
        with self._lock:
            self._data[key] = png
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)
        return png


THUMBNAILS = ThumbnailCache()


def page_thumbnail(db: Database, page_id: int, max_px: int = 256) -> bytes:
    return THUMBNAILS.get(vault_for(db), _ref(db, page_id), max_px)


# ------------------------------------------------------------------------------ upload export

def export_for_upload(db: Database, document_id: int, out_path: str | Path, *, limits: UploadLimits | None = None,
                      progress: Callable[[int, int], None] | None = None) -> CompressResult:
    """Write the document as a file within the upload limits (JPG for one page, else PDF; the 一寸照
    resized to the photo size). Writes atomically, and only when the limit is met. What is written is
    what app.services.release allows out of the vault: masked derivatives where masking applies (or a
    refusal), metadata stripped."""
    from app.services.release import release_document, strip_output
    from app.settings import load_settings

    limits = limits or load_settings().upload
    info = get_doc(db, document_id)
    if not info.pages:
        raise UsageError("该材料没有可导出的页面（Word 文件请先转为 PDF）")
    # what may leave the vault: masked derivatives where masking applies, else refused (no original)
    released = release_document(db, document_id)
    images = []
    dpis = []
    for i, rp in enumerate(released.pages):
        images.append(rp.image)
        dpis.append(rp.dpi)
        if progress:
            progress(i + 1, len(released.pages) + 1)
    if not images:
        raise UsageError("该材料没有可导出的页面（Word 文件请先转为 PDF）")
    if info.slot == "photo":
        result = compress_photo(images[0], limits=limits)
    else:
        out = Path(out_path)
        as_pdf = len(images) > 1 or out.suffix.lower() == ".pdf"
        result = compress_pages(images, dpi=dpis[0] or (150 if info.pages[0].kind == "pdf-page" else None),
                                limits=limits, as_pdf=as_pdf)
    if result.ok:
        result.data = strip_output(result.data)  # no EXIF/comment/XMP/Info leaves with the pixels
        result.size = len(result.data)
        # the name says what the file is: several pages make a PDF even when "x.jpg" was asked for
        target = Path(out_path)
        if target.suffix.lower().lstrip(".") not in ({"jpg", "jpeg"} if result.fmt == "jpg" else {result.fmt}):
            target = target.with_name(target.stem + "." + result.fmt)
        atomic_write_bytes(target, result.data, what="导出上传文件")
        result.path = target
    return result


def get_doc(db: Database, document_id: int) -> DocumentInfo:
    from app.services.packet import get_document

    return get_document(db, document_id)


# ------------------------------------------------------------------------------------------ gc

def referenced_shas(db: Database) -> set[str]:
    """Every sha any table references: by convention, all columns named ``*_sha`` in any table
    (documents, pages, and other features' tables such as masking audit records)."""
    refs: set[str] = set()
    with db.engine.connect() as conn:
        insp = inspect(conn)
        for table in insp.get_table_names():
            cols = [c["name"] for c in insp.get_columns(table) if c["name"].endswith("_sha")]
            for col in cols:
                rows = conn.execute(text(f'SELECT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL'))
                refs.update(str(r[0]).lower() for r in rows if r[0])
    return refs


def vault_gc(db: Database, *, min_age_seconds: float = 0.0) -> int:
    return vault_for(db).gc(referenced_shas(db), min_age_seconds=min_age_seconds)


def page_ids_of(db: Database, document_id: int) -> list[int]:
    with db.session() as s:
        return list(s.scalars(select(Page.id).where(Page.document_id == document_id).order_by(Page.index)))


# ------------------------------------------------------------------------------------ demo scans

def demo_scans_hook(db: Database, persons: Sequence[PersonData]) -> dict[str, int]:
    """``app.services.demo.DEMO_HOOKS`` entry: invented sample scans for the demo persons.

    Everyone gets an ID card (front + back JPEG) and a diploma; the first ten also a photo, a
    contract (scanned PDF; one page slightly skewed), a 学信网 备案表 (text PDF; one stale); six get
    考核表 for 2023/2024 (one of them 基本合格); two get a 工作小结 (one too short)."""
    import datetime as _dt

    from app.documents import demo_scans as ds
    from app.documents.ingest import ingest_bytes
    from app.services.packet import add_documents

    count = 0

    def add(p: PersonData, slot: str, blobs: list[tuple[bytes, str]], year: int | None = None,
            issue_date: _dt.date | None = None) -> None:
        nonlocal count
        files = []
        for b, name in blobs:
            key = (b, name)
            if key not in _INGEST_MEMO:
                _INGEST_MEMO[key] = ingest_bytes(b, name)
            files.append(_INGEST_MEMO[key])
        add_documents(db, p.id, slot, files, year, issue_date=issue_date,  # type: ignore[arg-type]
                      check_scans=False)
        count += 1

    for i, p in enumerate(persons):
        seed = i * 13 + 1
        edu = p.highest_education
        key = (p.name, p.gender, p.ethnicity, p.id_number, p.unit.name, p.position, p.specialty, repr(edu),
               tuple(sorted(p.assessments.items())), i)
        draw = _DRAW_MEMO.get(key)
        if draw is None:
            draw = _draw_demo_person(ds, p, i, seed)
            _DRAW_MEMO[key] = draw
        for slot, blobs, year, issued in draw:
            add(p, slot, blobs, year, issued)
    return {"documents": count}


# Drawing and decoding the demo scans dominates ``chuding demo``; tests create the demo many times in
# one process, so the drawn bytes and their ingest results are memoised (bounded by the demo size).
_DRAW_MEMO: dict[tuple, list] = {}
_INGEST_MEMO: dict[tuple[bytes, str], object] = {}


def _draw_demo_person(ds: Any, p: PersonData, i: int, seed: int) -> list:
    import datetime as _dt

    edu = p.highest_education
    out: list = [
        ("id_card", [(ds.id_card_front(p, seed), "身份证正面.jpg"), (ds.id_card_back(p, seed), "身份证反面.jpg")],
         None, None),
        ("diploma", [(ds.diploma(p, edu, seed), "毕业证.jpg")], None, None),
    ]
    if i < 10:
        out.append(("photo", [(ds.photo(p, seed), "一寸照.jpg")], None, None))
        if edu is not None and edu.degree and edu.degree != "无":
            out.append(("degree_cert", [(ds.degree_certificate(p, edu, seed), "学位证.jpg")], None, None))
        out.append(("contract", [(ds.contract_pdf(p, seed, skew=1.5 if i == 2 else 0.0), "劳动合同.pdf")], None, None))
        issued = _dt.date(2024, 5, 10) if i == 2 else _dt.date(2025, 2, 26)
        out.append(("chsi_record", [(ds.chsi_record_pdf(p, edu, issued, seed), "学信网备案表.pdf")], None, issued))
    if i < 6 or p.assessments.get(2024) == "基本合格":
        for year in (2023, 2024):
            if year in p.assessments:
                front, back = ds.assessment_form(p, year, p.assessments[year], seed + year)
                out.append(("assessment", [(front, f"{year}考核表正面.jpg"), (back, f"{year}考核表反面.jpg")], year,
                            None))
    if i in (0, 2):
        out.append(("work_summary", [(ds.work_summary_pdf(p, 2400 if i == 0 else 800, seed), "工作小结.pdf")],
                    None, None))
    return out
