"""Packet use cases: add scans to a person's slot, list them, and the checklist (which materials the
profile requires, what is present, stale, non-conforming or missing) per person and for the unit.

Slot statuses (DOMAIN.md §3): 缺失 / 已上传 / 待遮盖 / 已遮盖 / 过期 / 不符合要求, each with a Chinese reason.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.documents.ingest import IngestedFile, count_words, ingest_path
from app.documents.render import PageRef
from app.documents.vault import vault_for
from app.errors import NotFoundError, UsageError
from app.models import Document, Page
from app.models.db import Database
from app.policy.requirements import (  # noqa: F401 - the checklist's vocabulary, re-exported
    DONE_STATUSES,
    EXPIRED,
    MASKED,
    MISSING,
    NONCONFORMING,
    PER_YEAR_SLOTS,
    SLOT_LABELS,
    STATUSES,
    TO_MASK,
    UPLOADED,
    PersonPacket,
    SlotStatus,
    UnitDocState,
    condition_applies,
    person_checklist,
)
from app.services.changes import Change

# --------------------------------------------------------------------------------------- adding

@dataclass
class AddResult:
    document_id: int
    person_id: int
    slot: str
    year: int | None
    pages: int
    word_count: int | None
    issue_date: dt.date | None
    warnings: list[str]

    @property
    def change(self) -> Change:
        return Change.of(persons=[self.person_id], slots=[self.slot])

    def to_json(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "person_id": self.person_id, "slot": self.slot,
                "year": self.year, "pages": self.pages, "word_count": self.word_count,
                "issue_date": self.issue_date.isoformat() if self.issue_date else None,
                "warnings": self.warnings}


def check_slot(slot: str, year: int | None) -> None:
    if slot not in SLOT_LABELS:
        raise UsageError(f"未知的材料类别“{slot}”。可用：{', '.join(SLOT_LABELS)}")
    if slot in PER_YEAR_SLOTS and year is None:
        raise UsageError(f"“{SLOT_LABELS[slot]}”按年度提交，请指定年度")
    if year is not None and not 1950 <= year <= 2100:
        raise UsageError(f"年度无效：{year}")


_DATE_RX = re.compile(r"(?:更新日期|出具日期|查询日期|打印日期|日期)\s*[:：]?\s*(\d{4})\s*[年\-./]\s*(\d{1,2})\s*[月\-./]\s*(\d{1,2})")


def find_issue_date(text: str) -> dt.date | None:
    """The 备案表's 更新/出具 date from its text layer (学信网 PDFs carry one)."""
    for m in _DATE_RX.finditer(text):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
    return None


def _person_id(db: Database, person_key: str | int) -> int:
    from app.services.roster import find_person

    p = find_person(db, person_key)
    assert p.id is not None
    return p.id


def add_documents(db: Database, person_key: str | int, slot: str, files: Sequence[str | Path] | Sequence[IngestedFile],
                  year: int | None = None, *, password: str | None = None, issue_date: dt.date | None = None,
                  title: str = "", progress: Callable[[int, int], None] | None = None,
                  check_scans: bool = True) -> AddResult:
    """Ingest ``files`` into ONE new document of ``slot`` (pages in file order).

    ``check_scans`` adds the warnings of :func:`scan_warnings` (pages that read upside down, a photo
    that is no 一寸照); the demo, which draws its scans upright, skips it.

    Every file is read and validated before anything is stored: one bad file → InputFileError,
    and the vault and the database stay as they were."""
    check_slot(slot, year)
    if not files:
        raise UsageError("没有要添加的文件")
    person_id = _person_id(db, person_key)
    ingested: list[IngestedFile] = []
    for i, f in enumerate(files):
        ingested.append(f if isinstance(f, IngestedFile) else ingest_path(f, password=password))
        if progress:
            progress(i + 1, len(files) + 1)
    if slot != "work_summary" and any(x.source_kind == "docx" for x in ingested):
        raise UsageError("Word 文件只能添加到“工作小结”；其他材料请提供 PDF 或图片")
    text = "\n".join(x.text for x in ingested)
    words = count_words(text) if slot == "work_summary" and text.strip() else None
    if issue_date is None and slot == "chsi_record":
        issue_date = find_issue_date(text)
    # All files accepted: now store blobs, then rows in one transaction.
    vault = vault_for(db)
    warnings: list[str] = []
    with db.session() as s:
        kinds = {x.source_kind for x in ingested}
        doc = Document(person_id=person_id, slot=slot, year=year, title=title or SLOT_LABELS[slot],
                       status="active", original_name="；".join(x.name for x in ingested)[:260],
                       source_kind=kinds.pop() if len(kinds) == 1 else "mixed", issue_date=issue_date,
                       word_count=words, note="")
        index = 0
        for x in ingested:
            src_sha = vault.put_bytes(x.source, Path(x.name).suffix)
            if doc.source_sha is None:
                doc.source_sha = src_sha
            warnings.extend(x.warnings)
            for pg in x.pages:
                sha = vault.put_bytes(pg.blob) if pg.blob is not None else src_sha
                doc.pages.append(Page(index=index, blob_sha=sha, kind=pg.kind, source_page=pg.source_page,
                                      width_px=pg.width_px, height_px=pg.height_px, dpi=pg.dpi, rotation=0,
                                      mask_state="pending", masked_sha=None, origin_sha=src_sha))
                index += 1
        if len(ingested) > 1:
            doc.note = "来源文件摘要：" + "，".join(vault_sha_short(x.source) for x in ingested)
        s.add(doc)
        s.flush()
        refs = [PageRef.of(pg) for pg in doc.pages]
        result = AddResult(doc.id, person_id, slot, year, index, words, issue_date, warnings)
    if check_scans:
        result.warnings.extend(scan_warnings(vault, slot, refs))
    if progress:
        progress(len(files) + 1, len(files) + 1)
    return result


# Pages checked for orientation when a document is added (a long PDF: its first pages tell).
ORIENTATION_PAGES = 30


def scan_warnings(vault: Any, slot: str, refs: Sequence[PageRef]) -> list[str]:
    """What the officer should look at in freshly added pages: a 一寸照 whose size or proportions
    are not the certificate photo's, and pages that read upside down or on their side."""
    from app.documents.pages import photo_problems, propose_rotation
    from app.documents.render import render
    from app.settings import load_settings

    out: list[str] = []
    if slot == "photo":
        limits = load_settings().upload
        for ref in refs[:1]:
            out += photo_problems(ref.width_px, ref.height_px, limits.photo_width_px, limits.photo_height_px)
        if len(refs) > 1:
            out.append(f"一寸免冠照片只需 1 张，本次添加了 {len(refs)} 页，导出时只使用第 1 页")
        return out
    for i, ref in enumerate(refs[:ORIENTATION_PAGES]):
        proposal = propose_rotation(render(vault, ref, max_px=1000))
        if proposal.rotation in (90, 180, 270) and proposal.confidence >= 0.6:
            turn = {180: "倒置", 90: "横置", 270: "横置"}[proposal.rotation]
            out.append(f"第 {i + 1} 页可能{turn}（{proposal.reason}），请在材料页选中该页后旋转")
    return out


def vault_sha_short(data: bytes) -> str:
    from app.documents.vault import sha256_bytes

    return sha256_bytes(data)[:12]


# -------------------------------------------------------------------------------------- listing

@dataclass
class PageInfo:
    id: int
    index: int
    blob_sha: str
    kind: str
    source_page: int
    width_px: int
    height_px: int
    dpi: int | None
    rotation: int
    mask_state: str
    masked_sha: str | None
    origin_sha: str | None = None

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class DocumentInfo:
    id: int
    person_id: int
    slot: str
    slot_label: str
    year: int | None
    title: str
    original_name: str
    source_sha: str | None
    source_kind: str
    issue_date: dt.date | None
    word_count: int | None
    created_at: dt.datetime | None
    pages: list[PageInfo] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "person_id": self.person_id, "slot": self.slot, "slot_label": self.slot_label,
                "year": self.year, "title": self.title, "original_name": self.original_name,
                "source_sha": self.source_sha, "source_kind": self.source_kind,
                "issue_date": self.issue_date.isoformat() if self.issue_date else None,
                "word_count": self.word_count,
                "created_at": self.created_at.isoformat(sep=" ") if self.created_at else None,
                "pages": [p.to_json() for p in self.pages]}


def doc_info(d: Document) -> DocumentInfo:
    return DocumentInfo(
        d.id, d.person_id, d.slot, SLOT_LABELS.get(d.slot, d.slot), d.year, d.title, d.original_name,
        d.source_sha, d.source_kind, d.issue_date, d.word_count, d.created_at,
        [PageInfo(p.id, p.index, p.blob_sha, p.kind, p.source_page, p.width_px, p.height_px, p.dpi, p.rotation,
                  p.mask_state, p.masked_sha, p.origin_sha) for p in d.pages])


def list_documents(db: Database, person_id: int | None = None) -> list[DocumentInfo]:
    with db.session() as s:
        q = select(Document).options(selectinload(Document.pages)).where(Document.status == "active")
        if person_id is not None:
            q = q.where(Document.person_id == person_id)
        q = q.order_by(Document.person_id, Document.slot, Document.year, Document.id)
        return [doc_info(d) for d in s.scalars(q)]


def get_document(db: Database, document_id: int) -> DocumentInfo:
    with db.session() as s:
        d = s.get(Document, document_id, options=[selectinload(Document.pages)])
        if d is None:
            raise NotFoundError(f"材料不存在（编号 {document_id}）")
        return doc_info(d)


# ------------------------------------------------------------------------------------ checklist

@dataclass
class PacketReport:
    profile_id: str
    profile_name: str
    as_of: dt.date
    persons: list[PersonPacket]
    warnings: list[str] = field(default_factory=list)
    unit: list[UnitDocState] = field(default_factory=list)  # the round's unit documents
    round_name: str = ""

    @property
    def unit_complete(self) -> bool:
        return all(u.done for u in self.unit)

    @property
    def done(self) -> int:
        return sum(p.done for p in self.persons)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.persons)

    @property
    def completeness(self) -> float:
        return self.done / self.total if self.total else 1.0

    @property
    def complete(self) -> bool:
        return all(p.complete for p in self.persons)

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile_id, "profile_name": self.profile_name, "as_of": self.as_of.isoformat(),
                "done": self.done, "total": self.total, "complete": self.complete,
                "completeness": round(self.completeness, 4),
                "complete_persons": sum(1 for p in self.persons if p.complete),
                "warnings": self.warnings, "round": self.round_name,
                "unit": {"documents": [u.to_json() for u in self.unit], "complete": self.unit_complete},
                "persons": [p.to_json() for p in self.persons]}



def report_from_status(status: Any) -> PacketReport:
    """The 材料 page's report from the round status (app.services.status.RoundStatus): the same
    checklists, nothing computed again."""
    return PacketReport(status.profile_id, status.plan.profile_name, status.as_of, [ps.packet for ps in status.persons],
                        list(status.notes), unit=list(status.unit), round_name=status.round_name)


def packet_status(db: Database, person_id: int | None, profile_id: str | None = None, as_of: dt.date | None = None,
                  *, round_name: str | None = None) -> PacketReport:
    """The checklist for one person (``person_id``) or every person of the round (None → the current
    round), judged by the round (``profile_id``/``as_of`` override the round's for this call).
    The round's unit documents (公示 …) are rows of every person's checklist."""
    from app.services.roster import find_person
    from app.services.rounds import judge_round, round_checklists, round_persons

    judge = judge_round(db, round_name, as_of=as_of, profile_id=profile_id)
    members = round_persons(db, judge)
    persons = [find_person(db, person_id)] if person_id is not None else members
    checklists, unit = round_checklists(db, judge, persons, members=members)
    packets = [checklists[int(p.id)] for p in persons if p.id is not None]
    return PacketReport(judge.profile.id, judge.profile.name, judge.as_of, packets, list(judge.notes),
                        unit=list(unit.values()), round_name=judge.round.name)
