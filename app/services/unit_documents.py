"""A round's own unit documents: the stamped 推荐单位公示, 公示结果 and 推荐报告 scans that belong to the
申报批次, not to a person (the 单位材料 place of the 文书 page; ``chuding round unit …``).

They are stored as documents with ``round_id`` set and no person (app.models.documents), added
through the one document-add path (app.services.packet.store_document: bounded reader, hostile-input
checks, all-or-nothing). They are never masked (unit-issued documents; app.masking.release
NEVER_MASK_SLOTS), never counted as 待遮盖, and are written into the bundle's 00_单位材料 folder as
they are. Scans filed in a person's packet (older databases) still count for the round
(app.services.rounds.unit_documents).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.errors import NotFoundError, UsageError
from app.masking.release import NEVER_MASK_SLOTS
from app.models import Document
from app.models.db import Database
from app.policy.requirements import SLOT_LABELS, round_unit_slots
from app.services.changes import Change
from app.services.packet import AddResult, DocumentInfo, doc_info, store_document

# the round fields a change of the round's unit documents touches (every checklist's unit rows)
UNIT_CHANGE = "unit_documents"


def unit_slots(db: Database, round_name: str | None = None) -> list[str]:
    """The unit documents the round's profile asks for (slot ids, in the profile's order)."""
    from app.services.rounds import get_round, judge_round

    judge = judge_round(db, round_info=get_round(db, round_name))
    return [m.slot for m in round_unit_slots(judge.profile)]


def add_unit_document(db: Database, slot: str, files: Sequence[str | Path], *, round_name: str | None = None,
                      title: str = "", progress: Callable[[int, int], None] | None = None) -> AddResult:
    """Add the stamped scan of a unit document (``slot``: gongshi / gongshi_result / recommendation)
    to the round. Refused for a slot the round's profile does not ask as a unit document."""
    from app.services.rounds import get_round

    r = get_round(db, round_name)
    allowed = unit_slots(db, r.name)
    if slot not in allowed:
        names = "、".join(f"{SLOT_LABELS.get(s, s)}（{s}）" for s in allowed) or "（无）"
        raise UsageError(f"申报批次“{r.name}”的单位材料中没有“{SLOT_LABELS.get(slot, slot)}”。可添加：{names}")
    if slot not in NEVER_MASK_SLOTS:  # a round's document leaves the vault unmasked: only unit-issued ones
        raise UsageError(f"“{SLOT_LABELS.get(slot, slot)}”含个人信息，须放在人员的材料中遮盖后导出")
    return store_document(db, slot, files, None, round_id=r.id, title=title, progress=progress)


def list_unit_documents(db: Database, round_name: str | None = None, *, round_id: int | None = None
                        ) -> list[DocumentInfo]:
    """The round's own unit documents (active), by slot then upload order."""
    if round_id is None:
        from app.services.rounds import get_round

        round_id = get_round(db, round_name).id
    with db.session() as s:
        q = (select(Document).options(selectinload(Document.pages))
             .where(Document.round_id == round_id, Document.status == "active")
             .order_by(Document.slot, Document.id))
        return [doc_info(d) for d in s.scalars(q)]


def remove_unit_document(db: Database, document_id: int) -> Change:
    """Remove a round's unit document (its files stay in the vault until ``vault gc``)."""
    with db.session() as s:
        d = s.get(Document, document_id)
        if d is None or d.round_id is None:
            raise NotFoundError(f"单位材料不存在（编号 {document_id}）")
        slot = d.slot
        s.delete(d)
    return Change.of(slots=[slot], round_fields=[UNIT_CHANGE])


# letter kind (app.export.letters / profiles DOCUMENT_KINDS) that generates each unit document slot
def letter_kind_of(slot: str) -> str:
    from app.policy.profiles import DOCUMENT_SLOTS

    return next((k for k, s in DOCUMENT_SLOTS.items() if s == slot), "")


def set_unit_decision(db: Database, slot: str, decision: str, *, note: str = "",
                      round_name: str | None = None) -> Change:
    """The officer's 标记为已提供 / 本批次不需要 / 按上传判断 for a unit document, as a change record."""
    from app.services.rounds import set_unit_document

    set_unit_document(db, slot, decision, note=note, name=round_name)
    return Change.of(slots=[slot], round_fields=[UNIT_CHANGE])
