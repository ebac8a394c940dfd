"""Export use cases: pre-flight report, default selection, bundle build and bundle verification.

The database is read here (persons, verdicts, documents, pages, mask records, letters) and turned
into the plain inputs of :mod:`app.export.bundle`; the build itself needs no database.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import __version__
from app.domain.text import scrub
from app.errors import NotFoundError
from app.export.bundle import (
    BuildResult,
    BundlePlan,
    DocInput,
    PageInput,
    PersonInput,
    UnitInput,
    add_summary_sheet,
    build_bundle,
    plan_bundle,
)
from app.models.db import Database
from app.paths import inside, safe_filename
from app.policy.requirements import UNIT_NOT_APPLICABLE
from app.settings import Settings, UploadLimits, load_settings

log = logging.getLogger(__name__)

Progress = Callable[..., object]


# ------------------------------------------------------------------------------------ inputs
def round_judge(db: Database, profile_id: str | None = None, as_of: dt.date | None = None,
                round_name: str | None = None) -> Any:
    """The judge of the round (None → current); ``profile_id``/``as_of`` override it for this call."""
    from app.services.rounds import judge_round

    return judge_round(db, round_name, as_of=as_of, profile_id=profile_id)


def resolve_profile_and_date(db: Database, profile_id: str | None = None, as_of: dt.date | None = None,
                             round_name: str | None = None) -> tuple[Any, dt.date, list[str]]:
    judge = round_judge(db, profile_id, as_of, round_name)
    return judge.profile, judge.as_of, list(judge.notes)


def _load_persons(db: Database, person_ids: Sequence[int] | None) -> list[Any]:
    from app.services.roster import list_persons

    persons = list_persons(db)
    if person_ids is None:
        return persons
    by_id = {p.id: p for p in persons}
    out = []
    for pid in person_ids:
        if pid not in by_id:
            raise NotFoundError(f"人员不存在（编号 {pid}）")
        out.append(by_id[pid])
    return out


def resolve_person_keys(db: Database, keys: Sequence[str]) -> list[int]:
    """Person ids from CLI keys: a database id, an ID number or a unique name."""
    from app.services.roster import list_persons

    persons = list_persons(db)
    out: list[int] = []
    for key in keys:
        k = key.strip()
        hits = [p for p in persons if str(p.id) == k or p.id_number.upper() == k.upper()] or \
               [p for p in persons if p.name == k]
        if not hits:
            raise NotFoundError(f"找不到人员“{k}”（可用编号、身份证号或姓名）")
        if len(hits) > 1:
            raise NotFoundError(f"姓名“{k}”对应多人，请改用身份证号")
        pid = int(hits[0].id or 0)
        if pid not in out:
            out.append(pid)
    return out


def _mask_records(session: Any, page_ids: list[int]) -> dict[int, tuple[list[dict[str, Any]], str | None]]:
    """Boxes (app.models.masking.PageMask) and audit reference (MaskAudit id) per page."""
    import json

    from app.models.masking import MaskAudit, PageMask

    if not page_ids:
        return {}
    def box_list(text: str | None) -> list[dict[str, Any]]:
        try:
            data = json.loads(text or "[]")
        except ValueError:
            return []
        if isinstance(data, dict):  # a Box JSON document rather than a list
            data = [b for pg in data.get("pages", []) if isinstance(pg, dict) for b in pg.get("boxes", [])]
        return [b for b in data if isinstance(b, dict)] if isinstance(data, list) else []

    out: dict[int, tuple[list[dict[str, Any]], str | None]] = {}
    # The audit of the masked output holds the boxes that were actually burned in: prefer it.
    for a in session.scalars(select(MaskAudit).where(MaskAudit.page_id.in_(page_ids)).order_by(MaskAudit.id)):
        out[a.page_id] = (box_list(a.boxes_json), f"mask_audits/{a.id}:{a.output_sha}")
    for pm in session.scalars(select(PageMask).where(PageMask.page_id.in_(page_ids))):
        boxes, ref = out.get(pm.page_id, ([], None))
        if not boxes:
            out[pm.page_id] = (box_list(pm.boxes_json), ref)
    return out


def _documents(db: Database, person_ids: list[int]) -> dict[int, list[DocInput]]:
    from app.documents.vault import vault_for
    from app.models.documents import Document

    vault = vault_for(db)
    out: dict[int, list[DocInput]] = {pid: [] for pid in person_ids}
    with db.session() as s:
        docs = s.scalars(
            select(Document).options(selectinload(Document.pages))
            .where(Document.person_id.in_(person_ids), Document.status == "active")
            .order_by(Document.person_id, Document.slot, Document.year, Document.id)
        ).all()
        records = _mask_records(s, [pg.id for d in docs for pg in d.pages])
        from app.services.masking import not_needed_decisions

        decided = not_needed_decisions(s, [pg.id for d in docs for pg in d.pages])
        for d in docs:
            pages = []
            for pg in d.pages:
                blob = vault.path_of(pg.blob_sha)
                masked = vault.path_of(pg.masked_sha) if pg.masked_sha else None
                boxes, audit = records.get(pg.id, ([], None))
                pages.append(PageInput(
                    page_id=pg.id, index=pg.index, blob_path=str(blob), blob_sha=pg.blob_sha, kind=pg.kind,
                    source_page=pg.source_page or 0, rotation=pg.rotation or 0, dpi=pg.dpi,
                    width_px=pg.width_px or 0, height_px=pg.height_px or 0, mask_state=pg.mask_state or "pending",
                    masked_path=str(masked) if masked else None, masked_sha=pg.masked_sha, boxes=list(boxes),
                    audit=audit or pg.masked_sha, blob_exists=blob.is_file(),
                    masked_exists=bool(masked and masked.is_file()), not_needed_by=decided.get(pg.id),
                    size=blob.stat().st_size if blob.is_file() else 0,
                ))
            out[int(d.person_id or 0)].append(DocInput(d.id, d.slot, d.year, d.title or "", d.issue_date, d.word_count, pages))
    return out


def _unit_scans(db: Database, document_ids: Sequence[int], limits: UploadLimits) -> tuple[list[UnitInput], list[str]]:
    """The round's own unit documents (the stamped 公示 … scans of 单位材料) as files of 00_单位材料:
    what app.services.release lets out of the vault (unit documents are never masked: as they are,
    metadata dropped), within the upload limits, named by the material."""
    import tempfile

    from app.services.documents import export_for_upload
    from app.services.packet import get_document

    out: list[UnitInput] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="chuding-unit-scan-") as scratch:
        for n, doc_id in enumerate(document_ids, start=1):
            info = get_document(db, doc_id)
            target = inside(Path(scratch), safe_filename(f"{info.slot_label}_盖章扫描件_{n:02d}", ".pdf"))
            result = export_for_upload(db, doc_id, target, limits=limits)
            if not result.ok or result.path is None:
                notes.append(f"单位材料“{info.slot_label}”的扫描件压缩后仍超过大小限制，未导出：请重新扫描")
                continue
            name = f"{info.slot_label}_盖章扫描件" + (f"_{n:02d}" if len(document_ids) > 1 else "") + result.path.suffix
            out.append(UnitInput(name, result.path.read_bytes(), [pg.blob_sha for pg in info.pages], info.slot,
                                 len(info.pages)))
    return out, notes


def _unit_files(db: Database, persons: list[Any], profile: Any, as_of: dt.date,
                round_name: str | None = None) -> tuple[list[UnitInput], list[str]]:
    """推荐报告, 公示/公示结果 letters and 呈报表 drafts from the letters and forms features.

    Each is rendered into a scratch folder and read back; a letter that cannot be made (e.g. a
    template is missing data) becomes a note, never a half file in the bundle."""
    import tempfile

    from app.errors import ChudingError

    notes: list[str] = []
    from app.policy.profiles import document_rule

    out: list[UnitInput] = []
    keys = [int(p.id) for p in persons]
    wanted = [("gongshi", "gongshi", "公示"), ("gongshi_result", "gongshi-result", "公示结果"),
              ("recommendation", "tuijian", "推荐报告")]
    with tempfile.TemporaryDirectory(prefix="chuding-unit-") as scratch:
        root = Path(scratch)
        from app.services.letters import generate_letters

        for _slot, kind, label in wanted:
            if document_rule(profile, kind).need != "required":
                continue
            # Per-person letters in small batches (bounded memory); the 推荐报告 is one letter.
            batches = [keys] if kind == "tuijian" else [keys[i:i + 10] for i in range(0, len(keys), 10)]
            missing: list[str] = []
            for b, batch in enumerate(batches):
                d = root / kind / str(b)
                try:
                    rep = generate_letters(db, batch, kind, d, profile_id=profile.id, as_of=as_of,
                                           round_name=round_name, record=False)
                except ChudingError as exc:
                    notes.append(f"未生成{label}：{exc.message}")
                    continue
                for path in rep.paths:
                    out.append(UnitInput(path.name, path.read_bytes()))
                    path.unlink()
                notes.extend(f"{label}：{w}" for w in rep.warnings if f"{label}：{w}" not in notes)
                missing += rep.missing
            if missing:
                notes.append(f"{label}缺少信息：{'、'.join(missing)}（已留空，请手工填写）")
        if document_rule(profile, "form").need == "required":
            from app.services.forms import generate_form

            for n, p in enumerate(persons, start=1):
                f = inside(root, safe_filename(f"呈报表_{n:02d}_{p.name}", ".pdf"))
                try:
                    form = generate_form(db, int(p.id), f, profile_id=profile.id, as_of=as_of, round_name=round_name,
                                         record=False)
                except ChudingError as exc:
                    notes.append(f"{p.name}：未生成呈报表草稿：{exc.message}")
                    continue
                out.append(UnitInput(f.name, f.read_bytes()))
                notes.extend(f"{p.name}呈报表：{w}" for w in form.warnings)
    return out, notes


# ------------------------------------------------------------------------------------ pre-flight
@dataclass
class Preflight:
    plan: BundlePlan
    notes: list[str]

    @property
    def ok(self) -> bool:
        return not self.plan.blockers

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "profile": self.plan.profile_id, "as_of": self.plan.as_of.isoformat(),
            "persons": [{"person_id": pp.person.id, "name": pp.person.name, "folder": pp.folder,
                         "status": getattr(pp.verdict, "status", None), "complete": pp.complete,
                         "files": [f.rel_path for f in pp.files]} for pp in self.plan.persons],
            "pages": self.plan.page_count, "notes": self.notes,
            "blockers": [i.to_json() for i in self.plan.blockers],
            "warnings": [i.to_json() for i in self.plan.warnings],
        }


def preflight(db: Database, *, profile_id: str | None = None, person_ids: Sequence[int] | None = None,
              as_of: dt.date | None = None, settings: Settings | None = None,
              include_unit_files: bool = True, round_name: str | None = None) -> Preflight:
    """Plan the bundle of the round and list what blocks it (nothing is written). The plan takes
    the round's checklists (the 材料 page's rows) and verdicts."""
    from app.services.rounds import round_checklists, round_persons

    settings = settings or load_settings()
    judge = round_judge(db, profile_id, as_of, round_name)
    profile, date, notes = judge.profile, judge.as_of, list(judge.notes)
    if person_ids is None:
        person_ids = _default_ids(db, judge, settings)
    persons = scrub(_load_persons(db, person_ids))  # written into xlsx/PDF/JSON: no XML-illegal characters
    verdicts = judge.judge_all(persons)
    checklists, unit = round_checklists(db, judge, persons, verdicts, members=round_persons(db, judge))
    docs = _documents(db, [int(p.id) for p in persons])
    inputs = []
    for p in persons:
        v = verdicts.get(p.id)
        years = list(getattr(v, "required_years", []) or [])
        inputs.append(PersonInput(p, v, years, docs.get(p.id, []), checklists[int(p.id)]))
    limits: UploadLimits = settings.upload
    plan = plan_bundle(profile, date, inputs, limits=limits, unit=unit)
    plan.roster_writer = _roster_writer(verdicts)
    from app.services.letters import publicity_deadline_notes

    notes += publicity_deadline_notes(db, persons, profile, date, deadline=judge.deadline, round_name=judge.round.name)
    plan.warnings_text = list(notes)
    if not persons and not round_persons(db, judge):
        notes.append(f"申报批次“{judge.round.name}”中没有人员")
    scans = [i for u in unit.values() if u.status != UNIT_NOT_APPLICABLE for i in u.round_document_ids]

    def unit_files() -> tuple[list[UnitInput], list[str]]:
        files, notes_ = _unit_scans(db, scans, settings.upload)
        if include_unit_files and persons:
            more, more_notes = _unit_files(db, persons, profile, date, judge.round.name)
            files, notes_ = files + more, notes_ + more_notes
        return files, notes_

    if scans or (include_unit_files and persons):
        plan.unit_provider = unit_files
    return Preflight(plan, notes)


def _roster_writer(verdicts: dict[int, Any]) -> Callable[[Path, BundlePlan], None]:
    def write(path: Path, plan: BundlePlan) -> None:
        import openpyxl

        from app.export.roster_xlsx import write_roster_xlsx

        write_roster_xlsx(path, [pp.person for pp in plan.persons], verdicts)
        wb = openpyxl.load_workbook(path)
        add_summary_sheet(wb, plan)
        wb.save(path)

    return write


def person_overview(db: Database, *, profile_id: str | None = None, as_of: dt.date | None = None,
                    settings: Settings | None = None, round_name: str | None = None) -> list[dict[str, Any]]:
    """Every person of the round with the eligibility status (for the wizard's person list)."""
    from app.services.rounds import round_persons

    judge = round_judge(db, profile_id, as_of, round_name)
    persons: list[Any] = round_persons(db, judge)
    verdicts = judge.judge_all(persons)
    return [{"person_id": int(p.id), "name": p.name, "id_number": p.id_number,
             "status": getattr(verdicts.get(p.id), "status", "未判定"),
             "eligible": getattr(verdicts.get(p.id), "eligible", None)} for p in persons]


def _default_ids(db: Database, judge: Any, settings: Settings) -> list[int]:
    from app.services.rounds import round_checklists, round_persons

    persons: list[Any] = round_persons(db, judge)
    verdicts = judge.judge_all(persons)
    eligible: list[Any] = [p for p in persons if getattr(verdicts.get(p.id), "eligible", None) is True]
    if not eligible:
        return []
    checklists, unit = round_checklists(db, judge, eligible, verdicts, members=persons)
    docs = _documents(db, [int(p.id) for p in eligible])
    inputs = [PersonInput(p, verdicts[p.id], list(verdicts[p.id].required_years or []), docs.get(p.id, []),
                          checklists[int(p.id)]) for p in eligible]
    plan = plan_bundle(judge.profile, judge.as_of, inputs, limits=settings.upload, unit=unit)
    return [int(pp.person.id) for pp in plan.persons if pp.complete]


def default_selection(db: Database, *, profile_id: str | None = None, as_of: dt.date | None = None,
                      settings: Settings | None = None, round_name: str | None = None) -> list[int]:
    """The persons an export includes by default: eligible now and with a complete packet."""
    return _default_ids(db, round_judge(db, profile_id, as_of, round_name), settings or load_settings())


# ------------------------------------------------------------------------------------ export
def export_bundle(db: Database, target: str | Path, *, profile_id: str | None = None,
                  person_ids: Sequence[int] | None = None, as_of: dt.date | None = None,
                  make_zip: bool = False, progress: Progress | None = None, workers: int | None = None,
                  settings: Settings | None = None, pre: Preflight | None = None,
                  round_name: str | None = None) -> BuildResult:
    """Pre-flight, then build. Raises CheckFailed (with the first blocker) when something blocks."""
    pre = pre or preflight(db, profile_id=profile_id, person_ids=person_ids, as_of=as_of, settings=settings,
                           round_name=round_name)
    return build_bundle(pre.plan, target, app_version=__version__, make_zip=make_zip, progress=progress,
                        workers=workers)


def check_export_target(target: str | Path, *, make_zip: bool = False) -> None:
    """ForeignFilesError (Chinese message) when exporting to ``target`` would replace files this app
    did not write: a non-empty folder that is not a bundle of ours, or someone else's ``.zip``."""
    from app.export.ownership import check_export_target as check

    check(Path(target).expanduser().absolute(), make_zip=make_zip)


def verify_bundle(path: str | Path, *, ocr: bool | None = False) -> Any:
    from app.export.bundle_verify import verify_bundle as _verify

    return _verify(path, ocr=ocr)
