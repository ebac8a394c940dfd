"""The one requirement evaluator: which materials a profile requires of a person, under which
conditions, and the status of each slot (DOMAIN.md §3) from the documents present.

Used by the checklist (app.services.packet) and, through the checklist's rows, by the bundle plan
(app.export.bundle) and every surface that says "complete". Unit documents of the round (公示, 公示结果,
推荐报告) are requirements too: each person's row of such a slot is done when the round has the
document (see :func:`round_unit_slots`).

Slot statuses: 缺失 / 已上传 / 待遮盖 / 已遮盖 / 过期 / 不符合要求, each with a Chinese reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.domain.person import PersonData

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

# Unit documents that cover the whole round (one 公示 lists every person): provided once per round.
# Other unit-issued materials (派驻情况说明, 社保缴费清单, 师德师风情况说明 for teachers) are per person.
ROUND_DOCUMENT_KINDS = ("gongshi", "gongshi-result", "tuijian")
UNIT_PROVIDED, UNIT_MISSING, UNIT_NOT_APPLICABLE = "已提供", "缺失", "不适用"
# Where a unit document of the round comes from: the stamped scan in the round's 单位材料 ("unit"), a
# scan filed in a person's packet (older databases: "packet"), the officer's 标记为已提供 ("marked"),
# 本批次不需要 ("not_needed"), or nowhere yet ("missing").
UNIT_SOURCES = ("unit", "packet", "marked", "not_needed", "missing")
# the place in the GUI where the officer provides them (blockers and checklist rows name it)
UNIT_PLACE = "“文书”页的“单位材料”"


def round_unit_slots(profile: Any) -> list[Any]:
    """The unit documents a round under ``profile`` requires (MaterialSpec rows): those of
    ROUND_DOCUMENT_KINDS the notice requires (the profile's ``[documents]`` table, read through
    app.policy.profiles.document_rule). Optional (非必需) and not-asked ones are no requirement."""
    from app.policy.profiles import DOCUMENT_SLOTS, document_rule

    out = []
    for kind in ROUND_DOCUMENT_KINDS:
        if document_rule(profile, kind).need != "required":
            continue
        spec = profile.material(DOCUMENT_SLOTS[kind])
        if spec is not None:
            out.append(spec)
    return out


@dataclass(frozen=True)
class UnitDocState:
    """The round's state of one unit document: 已提供 / 缺失 / 不适用, with where it comes from."""

    slot: str
    name: str
    status: str
    reason: str = ""
    document_ids: tuple[int, ...] = ()  # every scan that provides it (the round's own and packet ones)
    # where it comes from: one of UNIT_SOURCES
    source: str = "missing"
    round_document_ids: tuple[int, ...] = ()  # the round's own scans (单位材料), exported to 00_单位材料
    generated: bool = False  # its letter was generated in the round (next step: print, stamp, scan)

    @property
    def next_step(self) -> str:
        """The next of 生成 → 打印盖章 → 扫描上传 ("" when provided or not needed)."""
        if self.done:
            return ""
        return "打印盖章后扫描上传" if self.generated else "生成"

    @property
    def done(self) -> bool:
        return self.status != UNIT_MISSING

    def to_json(self) -> dict[str, Any]:
        return {"slot": self.slot, "name": self.name, "status": self.status, "reason": self.reason,
                "source": self.source, "generated": self.generated, "next_step": self.next_step,
                "document_ids": list(self.document_ids),
                "round_document_ids": list(self.round_document_ids)}


class _PageLike(Protocol):
    mask_state: str


class DocumentLike(Protocol):
    """What the evaluator reads of a stored document (app.services.packet.DocumentInfo fits)."""

    id: int
    slot: str
    year: int | None
    issue_date: dt.date | None
    word_count: int | None
    source_kind: str

    @property
    def pages(self) -> Sequence[Any]: ...

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
    pages_pending: int = 0  # pages that need masking and are not yet masked
    # The documents that count (and are exported): all present ones, except that of several dated
    # documents (备案表) only the newest counts. None → document_ids.
    export_ids: list[int] | None = None

    @property
    def counting_ids(self) -> list[int]:
        return list(self.document_ids if self.export_ids is None else self.export_ids)

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
                "pages": self.pages, "pages_pending": self.pages_pending, "export_ids": self.counting_ids}


# the checklist row of a letter the app generated for the person that is not scanned back yet
GENERATED_NOT_SCANNED = "已生成，待打印签字后扫描上传"
GENERATED_UNIT_NOT_SCANNED = "已生成，待打印盖章后扫描上传"


@dataclass(frozen=True)
class LetterState:
    """Which letters (docx) and the 呈报表 draft the round's profile asks for this person (its
    ``[documents]`` table via app.policy.profiles.document_rule: required ones, 师德师风 for teachers
    only), and which of them were generated for the person in the round (app.models.LetterRecord)."""

    wanted: tuple[str, ...]  # DOCUMENT_KINDS, the profile's order
    generated: Mapping[str, dt.datetime] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return sum(1 for k in self.wanted if k in self.generated)

    @property
    def total(self) -> int:
        return len(self.wanted)

    @property
    def missing(self) -> list[str]:
        return [k for k in self.wanted if k not in self.generated]

    def to_json(self) -> dict[str, Any]:
        return {"done": self.done, "total": self.total,
                "generated": {k: self.generated[k].isoformat(sep=" ", timespec="seconds")
                              for k in self.wanted if k in self.generated},
                "missing": self.missing}


def letter_state(person: PersonData, profile: Any, generated: Mapping[str, dt.datetime] | None = None) -> LetterState:
    """The person's letter state in a round under ``profile`` (the one reader of which letters)."""
    from app.policy.profiles import DOCUMENT_KINDS, document_rule, is_teacher

    wanted = []
    for kind in DOCUMENT_KINDS:
        rule = document_rule(profile, kind)
        if rule.need == "required" and (not rule.teachers_only or is_teacher(person)):
            wanted.append(kind)
    return LetterState(tuple(wanted), dict(generated or {}))


@dataclass
class PersonPacket:
    person_id: int
    name: str
    id_number: str
    slots: list[SlotStatus]
    warnings: list[str] = field(default_factory=list)
    letters: LetterState | None = None  # the round's letters for the person (文书)

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

    @property
    def missing(self) -> list[str]:
        """Slot ids of the required rows not done ("assessment:2024" for a per-year row)."""
        return [x.slot + (f":{x.year}" if x.year else "") for x in self.counted if not x.done]

    @property
    def pages_pending(self) -> int:
        return sum(x.pages_pending for x in self.slots)

    def to_json(self) -> dict[str, Any]:
        return {"person_id": self.person_id, "name": self.name, "id_number": self.id_number,
                "done": self.done, "total": self.total, "complete": self.complete,
                "completeness": round(self.completeness, 4), "warnings": self.warnings,
                "letters": self.letters.to_json() if self.letters is not None else None,
                "slots": [x.to_json() for x in self.slots]}


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
        from app.policy.profiles import is_teacher

        return is_teacher(p)
    if c == "not_first_application":
        return p.first_application is False
    if c == "first_application":
        return p.first_application is not False
    return None  # optional, foreign_degree (no roster field) and unknown conditions


CONDITION_TEXT = {"dispatched": "派驻人员需要", "has_degree": "有学位者需要", "teacher": "教师需要",
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
        # the newest document is the one that counts (and is exported); older ones are superseded
        docs = [next(d for d in docs if d.issue_date == newest)]
        st.export_ids = [docs[0].id]
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
            st.status, st.pages_pending = TO_MASK, n
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


def _unit_row(spec: Any, state: UnitDocState, own: list[_Doc]) -> SlotStatus:
    """A person's row of a round unit document: done when the round has it."""
    required = state.status != UNIT_NOT_APPLICABLE
    st = SlotStatus(slot=spec.slot, name=spec.name or SLOT_LABELS.get(spec.slot, spec.slot), year=None,
                    status=MISSING, reason="", required=required, counted=required, mask=bool(spec.mask),
                    issuer="unit", source=spec.source or "", assumption=bool(spec.assumption), note=spec.note or "",
                    pages_hint=spec.pages_hint or "", document_ids=[d.id for d in own],
                    pages=sum(len(d.mask_states) for d in own))
    if state.status == UNIT_NOT_APPLICABLE:
        st.status, st.reason = UPLOADED if own else MISSING, "本批次不需要此单位材料"
    elif state.done:
        st.status, st.reason = UPLOADED, state.reason or "单位材料已提供"
    else:
        st.reason = "单位材料（本批次共用）尚未提供：" + (state.reason or f"请在{UNIT_PLACE}中上传盖章后的扫描件或标记为已提供")
    return st


def person_checklist(person: PersonData, documents: Sequence[DocumentLike], profile: Any, as_of: dt.date,
                     *, years: list[int] | None = None, verdict: Any = None,
                     unit: Mapping[str, UnitDocState] | None = None,
                     generated: Mapping[str, dt.datetime] | None = None) -> PersonPacket:
    """The checklist of one person against ``profile.materials``.

    ``verdict`` (the round's judgement) gives the years that need an assessment and continuing
    education; ``unit`` gives the round's unit documents (公示 …), each row of which is done when the
    round has the document. Without ``unit``, the person's own uploads of those slots decide."""
    assert person.id is not None
    if years is None and verdict is not None:
        years = list(verdict.required_years)
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
        cond_reason = CONDITION_TEXT.get(getattr(spec, "condition", ""), "")
        if unit is not None and spec.slot in unit:
            rows.append(_unit_row(spec, unit[spec.slot], docs))
            continue
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
    letters = None
    if generated is not None:  # in a round: the letter state, and generated letters not scanned back
        from app.policy.profiles import DOCUMENT_SLOTS

        letters = letter_state(person, profile, generated)
        made = {DOCUMENT_SLOTS[k] for k in letters.wanted if k in letters.generated}
        for row in rows:
            if row.slot in made and row.status == MISSING:
                if unit is not None and row.slot in unit:
                    row.reason = f"{GENERATED_UNIT_NOT_SCANNED}（{UNIT_PLACE}）"
                else:
                    row.reason = GENERATED_NOT_SCANNED
    return PersonPacket(person.id, person.name, person.id_number, rows, warnings, letters)

