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
from app.domain.person import PersonData
from app.errors import NotFoundError, UsageError
from app.models import Document, Page
from app.models.db import Database
from app.policy.profiles import is_teacher

MISSING = "缺失"
UPLOADED = "已上传"
TO_MASK = "待遮盖"
MASKED = "已遮盖"
EXPIRED = "过期"
NONCONFORMING = "不符合要求"
STATUSES = (MISSING, UPLOADED, TO_MASK, MASKED, EXPIRED, NONCONFORMING)
DONE_STATUSES = (UPLOADED, MASKED)

# Stable slot keys (interface B) with a default label; the profile's MaterialSpec.name wins when present.
SLOT_LABELS: dict[str, str] = {
    "id_card": "身份证（正反面）",
    "photo": "一寸免冠照片",
    "contract": "聘用/劳动合同",
    "dispatch_note": "派驻情况说明",
    "diploma": "毕业证书",
    "degree_cert": "学位证书",
    "chsi_record": "学信网学历证书电子注册备案表",
    "degree_verification": "学位在线验证报告/国外学历学位认证书",
    "continuing_education": "继续教育证书（或免试表）",
    "assessment": "年度考核表",
    "work_summary": "工作小结",
    "commitment": "个人承诺书",
    "gongshi": "推荐单位公示",
    "gongshi_result": "公示结果",
    "recommendation": "推荐报告",
    "social_security": "社保缴费清单",
    "teacher_cert": "教师资格证",
    "mandarin_cert": "普通话等级证书",
    "ethics_statement": "师德师风情况说明",
    "chengbaobiao": "呈报表",
}
PER_YEAR_SLOTS = ("assessment", "continuing_education")


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
class SlotStatus:
    slot: str
    name: str
    year: int | None
    status: str
    reason: str
    required: bool  # the profile requires it for this person
    counted: bool  # part of the completeness figure (required and uploadable by the unit)
    mask: bool
    issuer: str
    source: str
    assumption: bool
    note: str
    pages_hint: str
    document_ids: list[int] = field(default_factory=list)
    pages: int = 0

    @property
    def done(self) -> bool:
        return self.status in DONE_STATUSES

    @property
    def label(self) -> str:
        return f"{self.name}（{self.year}年度）" if self.year else self.name

    def to_json(self) -> dict[str, Any]:
        return {"slot": self.slot, "name": self.name, "year": self.year, "status": self.status,
                "reason": self.reason, "required": self.required, "counted": self.counted, "done": self.done,
                "mask": self.mask, "issuer": self.issuer, "source": self.source, "assumption": self.assumption,
                "note": self.note, "pages_hint": self.pages_hint, "document_ids": self.document_ids,
                "pages": self.pages}


@dataclass
class PersonPacket:
    person_id: int
    name: str
    id_number: str
    slots: list[SlotStatus]
    warnings: list[str] = field(default_factory=list)

    @property
    def counted(self) -> list[SlotStatus]:
        return [x for x in self.slots if x.counted]

    @property
    def done(self) -> int:
        return sum(1 for x in self.counted if x.done)

    @property
    def total(self) -> int:
        return len(self.counted)

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def completeness(self) -> float:
        return self.done / self.total if self.total else 1.0

    def to_json(self) -> dict[str, Any]:
        return {"person_id": self.person_id, "name": self.name, "id_number": self.id_number,
                "done": self.done, "total": self.total, "complete": self.complete,
                "completeness": round(self.completeness, 4), "warnings": self.warnings,
                "slots": [x.to_json() for x in self.slots]}


@dataclass
class PacketReport:
    profile_id: str
    profile_name: str
    as_of: dt.date
    persons: list[PersonPacket]
    warnings: list[str] = field(default_factory=list)

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
                "warnings": self.warnings, "persons": [p.to_json() for p in self.persons]}


def _has_degree(p: PersonData) -> bool:
    return any(e.degree and e.degree != "无" for e in p.educations)


def condition_applies(condition: str, p: PersonData) -> bool | None:
    """True (required), False (not required) or None (optional / cannot tell from the roster)."""
    c = (condition or "always").strip()
    if c == "always":
        return True
    if c == "dispatched":
        return bool(p.dispatched)
    if c == "has_degree":
        return _has_degree(p)
    if c == "teacher":
        return is_teacher(p)
    if c == "not_first_application":
        return p.first_application is False
    if c == "first_application":
        return p.first_application is not False
    return None  # optional, foreign_degree (no roster field) and unknown conditions


_CONDITION_TEXT = {"dispatched": "派驻人员需要", "has_degree": "有学位者需要", "teacher": "教师需要",
                   "not_first_application": "非首次申报需要", "foreign_degree": "国外学历学位需要",
                   "optional": "可选"}


@dataclass
class _Doc:
    id: int
    year: int | None
    issue_date: dt.date | None
    word_count: int | None
    source_kind: str
    mask_states: list[str]


def _word_range_text(wr: tuple[int, int | None]) -> str:
    lo, hi = wr
    return f"{lo}–{hi} 字" if hi else f"不少于 {lo} 字"


def _evaluate_slot(spec: Any, p: PersonData, docs: list[_Doc], year: int | None, as_of: dt.date,
                   required: bool, counted: bool, cond_reason: str) -> SlotStatus:
    slot = spec.slot
    st = SlotStatus(slot=slot, name=getattr(spec, "name", "") or SLOT_LABELS.get(slot, slot), year=year,
                    status=MISSING, reason="", required=required, counted=counted,
                    mask=bool(getattr(spec, "mask", False)), issuer=getattr(spec, "issuer", "person") or "person",
                    source=getattr(spec, "source", "") or "", assumption=bool(getattr(spec, "assumption", False)),
                    note=getattr(spec, "note", "") or "", pages_hint=getattr(spec, "pages_hint", "") or "",
                    document_ids=[d.id for d in docs], pages=sum(len(d.mask_states) for d in docs))
    if not docs:
        if st.issuer == "platform":
            st.reason = "由平台在网上审核通过后生成（带水印），届时打印提交"
        elif not required:
            st.reason = cond_reason or "非必需"
        else:
            what = f" {year} 年度材料" if year else ""
            st.reason = f"尚未上传{what}" + (f"（{cond_reason}）" if cond_reason and cond_reason != "可选" else "")
        return st
    # Present: check content rules first, masking last.
    if slot == "assessment" and year is not None:
        result = p.assessments.get(year)
        if result in ("基本合格", "不合格"):
            st.status, st.reason = NONCONFORMING, f"{year} 年度考核结果为“{result}”，需合格及以上"
            return st
    max_age = getattr(spec, "max_age_days", None)
    if max_age:
        dates = [d.issue_date for d in docs if d.issue_date]
        if not dates:
            st.status, st.reason = NONCONFORMING, f"未记录出具/查询日期，无法确认是否在 {max_age} 天有效期内，请填写日期"
            return st
        newest = max(dates)
        age = (as_of - newest).days
        if age > max_age:
            st.status = EXPIRED
            st.reason = f"出具日期 {newest.isoformat()}，截至 {as_of.isoformat()} 已 {age} 天，超过 {max_age} 天，请重新查询打印"
            return st
    wr = getattr(spec, "word_range", None)
    word_note = ""
    if wr:
        counts = [d.word_count for d in docs if d.word_count is not None]
        if counts:
            n = max(counts)
            lo, hi = wr
            if n < lo or (hi is not None and n > hi):
                st.status, st.reason = NONCONFORMING, f"字数约 {n}，要求 {_word_range_text(wr)}"
                return st
            word_note = f"字数约 {n}（要求 {_word_range_text(wr)}）"
        else:
            word_note = f"扫描件无法自动统计字数，请人工核对（要求 {_word_range_text(wr)}）"
    states = [s for d in docs for s in d.mask_states]
    prefix = (word_note + "；") if word_note else ""
    if st.mask:
        if not states:
            st.status, st.reason = TO_MASK, prefix + "Word 文件需先转为 PDF 再遮盖"
        elif all(s in ("masked", "not_needed") for s in states):
            if any(s == "masked" for s in states):
                st.status, st.reason = MASKED, prefix + f"{len(states)} 页已遮盖"
            else:
                st.status, st.reason = UPLOADED, prefix + "已确认无需遮盖"
        else:
            n = sum(1 for s in states if s not in ("masked", "not_needed"))
            st.status = TO_MASK
            st.reason = prefix + f"{n} 页待遮盖（本人姓名、工作单位、单位公章、照片眼部）"
    else:
        st.status = UPLOADED
        st.reason = prefix + f"{len(states)} 页" + ("（不遮盖）" if slot == "photo" else "")
    if not required:
        st.reason += "；非必需材料"
    return st


def _required_years(person: PersonData, profile: Any, as_of: dt.date) -> list[int]:
    from app.policy.profiles import required_years

    return list(required_years(person, profile, as_of))


def person_checklist(person: PersonData, documents: Sequence[DocumentInfo], profile: Any, as_of: dt.date,
                     *, years: list[int] | None = None) -> PersonPacket:
    """The checklist of one person against ``profile.materials``."""
    assert person.id is not None
    docs_by_slot: dict[str, list[_Doc]] = {}
    for d in documents:
        docs_by_slot.setdefault(d.slot, []).append(
            _Doc(d.id, d.year, d.issue_date, d.word_count, d.source_kind, [pg.mask_state for pg in d.pages]))
    warnings: list[str] = []
    if years is None:
        try:
            years = _required_years(person, profile, as_of)
        except Exception as exc:  # incomplete data: the per-year rows say so
            warnings.append(f"无法确定所需年度：{exc}")
            years = []
    rows: list[SlotStatus] = []
    seen: set[str] = set()
    for spec in profile.materials:
        seen.add(spec.slot)
        applies = condition_applies(getattr(spec, "condition", "always"), person)
        docs = docs_by_slot.get(spec.slot, [])
        if applies is False and not docs:
            continue
        required = applies is True
        counted = required and (getattr(spec, "issuer", "person") != "platform")
        cond_reason = _CONDITION_TEXT.get(getattr(spec, "condition", ""), "")
        if getattr(spec, "per_year", False):
            for y in years:
                rows.append(_evaluate_slot(spec, person, [d for d in docs if d.year == y], y, as_of, required,
                                           counted, cond_reason))
            if not years and required:
                rows.append(SlotStatus(spec.slot, getattr(spec, "name", spec.slot), None, MISSING,
                                       "所需年度尚未确定（人员信息不全），请先补全毕业/工作日期", True, True,
                                       bool(spec.mask), spec.issuer, spec.source, bool(spec.assumption),
                                       spec.note or "", spec.pages_hint or ""))
            stray = [d for d in docs if d.year not in years]
            if stray:
                st = _evaluate_slot(spec, person, stray, None, as_of, False, False, "")
                st.status = NONCONFORMING if any(d.year is None for d in stray) else st.status
                yrs = sorted({str(d.year) for d in stray if d.year is not None})
                st.reason = ("未注明年度，请指定年度" if any(d.year is None for d in stray)
                             else f"{'、'.join(yrs)} 年度不在所需年度（{'、'.join(map(str, years)) or '未定'}）内，非必需")
                rows.append(st)
        else:
            rows.append(_evaluate_slot(spec, person, docs, None, as_of, required, counted, cond_reason))
    for slot, docs in docs_by_slot.items():  # uploaded to a slot this profile does not ask for
        if slot not in seen:
            rows.append(SlotStatus(slot, SLOT_LABELS.get(slot, slot), None, UPLOADED, "本政策不要求此材料",
                                   False, False, False, "person", "", False, "", "", [d.id for d in docs],
                                   sum(len(d.mask_states) for d in docs)))
    return PersonPacket(person.id, person.name, person.id_number, rows, warnings)


def packet_status(db: Database, person_id: int | None, profile_id: str | None, as_of: dt.date | None = None) -> PacketReport:
    """The checklist for one person (``person_id``) or everyone, under ``profile_id`` at ``as_of``."""
    from app.policy.profiles import load_profile
    from app.services.roster import find_person, list_persons
    from app.settings import load_settings

    profile = load_profile(profile_id or load_settings().profile_id)
    warnings: list[str] = []
    if as_of is None:
        as_of = getattr(profile, "default_as_of", None)
        if as_of is None:
            as_of = dt.date.today()
            warnings.append(f"本政策未规定截止日期，按今天（{as_of.isoformat()}）核对有效期与年度")
    persons = [find_person(db, person_id)] if person_id is not None else list_persons(db)
    docs = list_documents(db, person_id)
    by_person: dict[int, list[DocumentInfo]] = {}
    for d in docs:
        by_person.setdefault(d.person_id, []).append(d)
    packets = [person_checklist(p, by_person.get(p.id or -1, []), profile, as_of) for p in persons]
    return PacketReport(profile.id, getattr(profile, "name", profile.id), as_of, packets, warnings)
