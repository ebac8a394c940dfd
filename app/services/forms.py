"""呈报表 draft use case: gather the person, the verdict, the officer's summary excerpt and the photo,
and write the two-copy duplex PDF. Also checks any PDF before printing (A4, even page count)."""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.domain.text import scrub
from app.errors import InputFileError, ValidationError
from app.export.form import FormData, FormResult, write_form, years_from_person
from app.models.db import Database
from app.services.roster import find_person

log = logging.getLogger(__name__)

A4_PT = (595.28, 841.89)
A4_TOLERANCE_PT = 3.0  # ≈ 1 mm


def person_photo(db: Database, person_id: int) -> bytes | None:
    """The newest active 一寸照 (slot ``photo``), first page, as image bytes; None when absent."""
    from app.documents.vault import vault_for
    from app.models import Document, Page

    with db.session() as s:
        page = s.scalar(
            select(Page).join(Document).where(Document.person_id == person_id, Document.slot == "photo",
                                              Document.status == "active")
            .order_by(Document.id.desc(), Page.index).limit(1))
        if page is None:
            return None
        sha, kind, source_page, rotation = page.blob_sha, page.kind, page.source_page, page.rotation
    vault = vault_for(db)
    if not vault.has(sha):
        log.warning("photo blob %s missing from the vault", sha)
        return None
    data = vault.read_bytes(sha)
    if kind == "pdf-page":
        import pymupdf

        with pymupdf.open(stream=data, filetype="pdf") as doc:
            data = doc[source_page].get_pixmap(dpi=300).tobytes("png")
    if rotation:
        from PIL import Image

        with Image.open(io.BytesIO(data)) as im:
            out = io.BytesIO()
            im.convert("RGB").rotate(-rotation, expand=True).save(out, "JPEG", quality=90)
            data = out.getvalue()
    return data


def _basis(v: Any) -> str:
    parts = [r.message for r in v.reasons if getattr(r, "severity", "") != "info"] or [r.message for r in v.reasons]
    text = "；".join(parts[:4])
    if v.missing:
        text += ("；" if text else "") + "缺少：" + "、".join(v.missing)
    return f"资格判断：{v.status}。{text}" if text else f"资格判断：{v.status}"


@dataclass
class FormReport:
    path: Path
    pages: int
    size: int
    font: str
    status: str
    truncated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.path), "pages": self.pages, "bytes": self.size, "font": self.font,
                "status": self.status, "truncated": self.truncated, "warnings": self.warnings}


def build_form_data(db: Database, person_key: str | int, *, profile_id: str | None = None,
                    as_of: dt.date | None = None, round_name: str | None = None) -> tuple[FormData, list[str]]:
    from app.policy.profiles import document_rule
    from app.services.letters import get_inputs, qualification_from_verdict
    from app.services.rounds import judge_round

    person = find_person(db, person_key)
    assert person.id is not None
    judge = judge_round(db, round_name, as_of=as_of, profile_id=profile_id)
    profile = judge.profile
    rule = document_rule(profile, "form")
    if not rule.offered:
        raise ValidationError(f"“{profile.short_name}”的通知不要求纸质呈报表，未生成草稿（依据：{rule.source}）")
    verdict = judge.judge(person)
    route_kind = verdict.route or "初定"
    title = profile.form_titles.get(route_kind)
    if title is None:
        raise ValidationError(f"{person.name}：“{profile.short_name}”的通知没有规定{route_kind}人员的呈报表，未生成草稿")
    inputs = get_inputs(db, person.id, round_name=round_name)
    warnings = []
    if verdict.eligible is not True:
        warnings.append(f"{person.name}：资格判断为“{verdict.status}”，请核对后再打印")
    if not inputs.summary:
        warnings.append("未填写工作总结（自我鉴定）摘要，呈报表背面该栏留空")
    photo = person_photo(db, person.id)
    if photo is None:
        warnings.append("未找到一寸照片，照片栏留空")
    years = verdict.required_years or sorted(person.assessments)[-3:]
    data = FormData(person=person, qualification=qualification_from_verdict(verdict, profile),
                    unit_name=person.unit.name, summary=inputs.summary, photo=photo,
                    years=years_from_person(person, years), basis=_basis(verdict), generated=dt.date.today(),
                    title=title)
    if rule.need == "optional":
        warnings.append(f"呈报表为非必需材料：“{profile.short_name}”的通知未要求，按需使用")
    return scrub(data), warnings  # no invisible or XML-illegal character from an older database


def draft_file_name(db: Database, person_key: str | int) -> str:
    """The file name the 文书 page gives a person's 呈报表 draft: the person's name (made safe for a file
    name) and the last four digits of the ID, so two 张伟 do not overwrite each other."""
    from app.paths import safe_filename

    p = find_person(db, person_key)
    tail = f"_{p.id_number[-4:]}" if p.id_number else ""
    return safe_filename(f"呈报表草稿_{p.name or '未命名'}{tail}", ".pdf")


def generate_form(db: Database, person_key: str | int, out_path: str | Path, *, profile_id: str | None = None,
                  as_of: dt.date | None = None, copies: int = 2, round_name: str | None = None,
                  record: bool = True) -> FormReport:
    """Write the 呈报表 draft of the person; ``record``: remember it as generated in the round (the
    文书 column; the export, which puts drafts into the bundle only, passes False)."""
    data, warnings = build_form_data(db, person_key, profile_id=profile_id, as_of=as_of, round_name=round_name)
    result: FormResult = write_form(data, out_path, copies=copies)
    if record and data.person.id is not None:
        from app.services.letters import record_generated

        record_generated(db, [int(data.person.id)], "form", round_name=round_name)
    if result.truncated:
        warnings.append(f"以下栏目内容过长，缩小到 8 磅仍放不下，已截断（以“…”结尾）：{'、'.join(result.truncated)}")
    if result.small:
        warnings.append(f"以下栏目字号小于 8 磅，打印后可能难以辨认：{'、'.join(result.small)}")
    return FormReport(Path(out_path), result.pages, len(result.data), result.font,
                      data.qualification.status or "", result.truncated, warnings)


# --------------------------------------------------------------------------- print check


@dataclass
class PrintCheck:
    pages: int
    sizes_mm: list[tuple[float, float]]
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def check_printable(path: str | Path) -> PrintCheck:
    """A4 portrait pages and an even page count (front/back pairs for duplex); problems in Chinese."""
    import pymupdf

    from app.fileio import MAX_DOCUMENT_BYTES, read_user_file

    p = Path(path)
    data = read_user_file(p, MAX_DOCUMENT_BYTES, what="PDF")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as exc:
        raise InputFileError(f"无法打开 PDF“{p.name}”：文件损坏或不是 PDF") from exc
    with doc:
        if doc.needs_pass:
            raise InputFileError(f"PDF“{p.name}”已加密，无法打印")
        sizes: list[tuple[float, float]] = []
        problems: list[str] = []
        for i in range(doc.page_count):
            page = doc[i]
            w, h = page.rect.width, page.rect.height
            sizes.append((round(w / 72 * 25.4, 1), round(h / 72 * 25.4, 1)))
            portrait = (min(w, h), max(w, h))
            if abs(portrait[0] - A4_PT[0]) > A4_TOLERANCE_PT or abs(portrait[1] - A4_PT[1]) > A4_TOLERANCE_PT:
                problems.append(f"第 {i + 1} 页不是 A4（{sizes[-1][0]}×{sizes[-1][1]} 毫米）")
        n = doc.page_count
    if n == 0:
        problems.append("PDF 没有页面")
    elif n % 2:
        problems.append(f"页数为 {n}（奇数）：双面打印时正反面会错位，请核对是否缺页")
    return PrintCheck(n, sizes, problems)
