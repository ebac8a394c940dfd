"""Unit letters as docx (python-docx): 推荐单位公示, 公示结果, 推荐报告, 个人承诺书, 师德师风情况说明 and
the 工作小结 template.

The wording is data: one TOML file per profile variant under ``resources/templates/letters/`` with
``{placeholders}``; this module only lays it out. Nothing here touches the database or Qt: the
service (app/services/letters.py) gathers persons, verdicts, the officer's paragraphs and the
publicity period and hands them in as plain dataclasses.

Missing facts never stop a draft: they render as "【未填写：政治面貌】" and are listed by name in
``RenderedLetter.missing``.
"""

from __future__ import annotations

import datetime as dt
import io
import string
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from app.domain.person import PersonData
from app.domain.text import scrub
from app.errors import PolicyError, UsageError
from app.fileio import atomic_write_bytes
from app.paths import inside, resources_dir, safe_basename

KINDS = ("gongshi", "gongshi-result", "tuijian", "chengnuo", "shide", "xiaojie")
PER_PERSON_KINDS = ("gongshi", "gongshi-result", "chengnuo", "xiaojie")
UNIT_KINDS = ("tuijian", "shide")
KIND_LABELS = {
    "gongshi": "推荐单位公示",
    "gongshi-result": "公示结果",
    "tuijian": "推荐报告",
    "chengnuo": "个人承诺书",
    "shide": "师德师风情况说明",
    "xiaojie": "工作小结",
}
MIN_PUBLICITY_DAYS = 5

# Every placeholder a template may use, with the Chinese label shown when it is empty.
PLACEHOLDERS: dict[str, str] = {
    "name": "姓名",
    "id_number": "身份证号",
    "route": "申报类别（初定/授予）",
    "series": "系列",
    "specialty": "申报专业",
    "level": "级别",
    "position": "现岗位",
    "basic_info": "基本信息",
    "political": "思想政治条件",
    "achievements": "业绩成果",
    "start": "公示起始日期",
    "end": "公示截止日期",
    "days": "公示工作日数",
    "days_text": "公示天数",
    "office": "受理异议的办公室",
    "phone": "监督电话",
    "unit": "推荐单位名称",
    "issue_date": "落款日期",
    "blank_date": "日期",
    "names": "人员名单",
    "count": "人数",
    "years_text": "工作年限",
    "person_sentences": "人员情况",
    "groups": "推荐名单",
}
BLANK_DATE = "      年    月    日"

_NUMERALS = {1: "一年", 2: "两年", 3: "三年", 4: "四年", 5: "五年"}
_ROUTE_ORDER = {"初定": 0, "授予": 1}
_LEVEL_ORDER = {"初级": 0, "中级": 1, "副高级": 2, "正高级": 3}


def marker(label: str) -> str:
    return f"【未填写：{label}】"


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


# --------------------------------------------------------------------------- inputs


@dataclass
class Qualification:
    """What the person is recommended for (from the eligibility verdict, or entered)."""

    route: str | None = None  # 初定 / 授予
    level: str | None = None  # 初级 / 中级 / 副高级 / 正高级
    title: str | None = None  # e.g. 助理工程师
    years: int | None = None  # the route's required years (满N年)
    status: str | None = None  # verdict status, e.g. 可申报


@dataclass
class LetterPerson:
    person: PersonData
    qualification: Qualification = field(default_factory=Qualification)
    political: str = ""  # 思想政治条件 (officer's paragraph)
    achievements: str = ""  # 业绩成果 / 专业技术成果 (officer's paragraph)


@dataclass
class Publicity:
    start: dt.date
    end: dt.date
    days: list[dt.date]
    warnings: list[str] = field(default_factory=list)
    estimated: bool = False  # national holidays of a year the calendar lacks were computed (推定)

    @property
    def count(self) -> int:
        return len(self.days)


@dataclass
class UnitInfo:
    name: str = ""
    office: str = ""  # 受理异议的办公室, e.g. 人力资源部
    phone: str = ""  # 监督电话


@dataclass
class LetterContext:
    unit: UnitInfo
    publicity: Publicity | None = None
    issue_date: dt.date | None = None  # 公示结果 / 推荐报告 date; 公示 uses the start date
    word_range: tuple[int, int | None] | None = None  # 工作小结 only


@dataclass
class RenderedLetter:
    kind: str
    filename: str
    data: bytes
    persons: list[str]
    missing: list[str]  # "姓名：政治面貌" style entries
    warnings: list[str] = field(default_factory=list)
    text: str = ""  # plain text of the body, for previews and tests


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class LetterTemplate:
    id: str
    profiles: tuple[str, ...]
    source: str
    path: Path
    sections: dict[str, dict]
    assumption: bool = False

    def section(self, kind: str) -> dict:
        try:
            return self.sections[kind]
        except KeyError:
            raise PolicyError(f"信函模板 {self.path.name} 缺少“{kind}”节") from None


def templates_dir() -> Path:
    return resources_dir() / "templates" / "letters"


def _check_placeholders(path: Path, kind: str, key: str, text: str) -> None:
    for _, fname, _, _ in string.Formatter().parse(text):
        if fname is not None and fname not in PLACEHOLDERS:
            raise PolicyError(f"信函模板 {path.name} 的 [{kind}].{key} 含未知占位符 {{{fname}}}")


@lru_cache(maxsize=16)
def _load_template_file(path: Path) -> LetterTemplate:
    from app.errors import InputFileError
    from app.fileio import MAX_DATA_FILE_BYTES, read_user_text

    try:
        raw = tomllib.loads(read_user_text(path, MAX_DATA_FILE_BYTES, what="信函模板"))
    except InputFileError as exc:
        raise PolicyError(exc.message, detail=exc.detail) from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"信函模板 {path.name} 无法读取：{exc}") from exc
    meta = raw.get("meta", {})
    sections = {k: v for k, v in raw.items() if k != "meta"}
    for kind, sec in sections.items():
        for key, value in sec.items():
            values = value if isinstance(value, list) else [value]
            values = [x for v in values for x in (v if isinstance(v, list) else [v])]  # seals: list of lists
            for v in values:
                if isinstance(v, str):
                    _check_placeholders(path, kind, key, v)
    if "id" not in meta:
        raise PolicyError(f"信函模板 {path.name} 缺少 [meta].id")
    return LetterTemplate(id=meta["id"], profiles=tuple(meta.get("profiles", ())), source=meta.get("source", ""),
                          path=path, sections=sections, assumption=bool(meta.get("assumption", False)))


def list_templates() -> list[LetterTemplate]:
    return [_load_template_file(p) for p in sorted(templates_dir().glob("*.toml"))]


def load_template(profile_id: str) -> LetterTemplate:
    """The template variant for a profile; ``default.toml`` when no variant names the profile."""
    fallback = None
    for tpl in list_templates():
        if profile_id in tpl.profiles:
            return tpl
        if tpl.id == "default":
            fallback = tpl
    if fallback is None:
        raise PolicyError(f"没有适用于方案“{profile_id}”的信函模板（{templates_dir()}）")
    return fallback


# --------------------------------------------------------------------------- filling


class _Filler:
    """Formats template strings; empty values become markers and are recorded as missing."""

    def __init__(self, values: dict[str, str], who: str = "") -> None:
        self.values = values
        self.who = who
        self.missing: list[str] = []

    def get(self, key: str) -> str:
        value = self.values.get(key, "")
        if value:
            return value
        label = PLACEHOLDERS.get(key, key)
        entry = f"{self.who}：{label}" if self.who else label
        if entry not in self.missing:
            self.missing.append(entry)
        return marker(label)

    def __call__(self, template: str) -> str:
        out = []
        for literal, fname, _spec, _conv in string.Formatter().parse(template):
            out.append(literal)
            if fname is not None:
                out.append(self.get(fname))
        return "".join(out)


def _field(value: str | None, label: str, missing: list[str], who: str) -> str:
    if value:
        return value
    entry = f"{who}：{label}" if who else label
    if entry not in missing:
        missing.append(entry)
    return marker(label)


def basic_info(p: PersonData, missing: list[str], *, position_field: str = "position") -> str:
    """The 基本信息 line of the 公示 — a notice posted in public, so the ID number is shown partially
    (:func:`app.policy.identifiers.partial_id` says why). ``position_field`` = ``post_grade`` where the
    notice asks for the 现聘岗位等级 (Korla: a grade such as 专业技术十二级, not the job title)."""
    from app.policy.identifiers import partial_id

    who = p.name or "（未命名）"
    if position_field == "post_grade":
        position = f"现聘岗位等级：{_field(p.post_grade, '岗位等级', missing, who)}"
    else:
        position = f"现任岗位：{_field(p.position, '现任岗位', missing, who)}"
    parts = [
        f"性别：{_field(p.gender, '性别', missing, who)}",
        f"族别：{_field(p.ethnicity, '族别', missing, who)}",
        f"政治面貌：{_field(p.political_status, '政治面貌', missing, who)}",
        f"身份证号：{_field(partial_id(p.id_number), '身份证号', missing, who)}",
        position,
        f"现任专业技术职务任职资格：{p.current_title or '无'}",
    ]
    return "；".join(parts) + "。"


def _person_values(lp: LetterPerson) -> dict[str, str]:
    p, q = lp.person, lp.qualification
    return {
        "name": p.name,
        "id_number": p.id_number,
        "route": q.route or "",
        "series": p.series,
        "specialty": p.specialty,
        "level": q.level or "",
        "position": p.position,
        "political": lp.political.strip(),
        "achievements": lp.achievements.strip(),
        "years_text": _NUMERALS.get(q.years or 0, f"{q.years}年" if q.years else ""),
    }


def _context_values(ctx: LetterContext, *, issue: dt.date | None) -> dict[str, str]:
    pub = ctx.publicity
    return {
        "start": cn_date(pub.start) if pub else "",
        "end": cn_date(pub.end) if pub else "",
        "days": str(pub.count) if pub else "",
        "days_text": f"{pub.count}个工作日" if pub else "",
        "office": ctx.unit.office,
        "phone": ctx.unit.phone,
        "unit": ctx.unit.name,
        "issue_date": cn_date(issue) if issue else BLANK_DATE,
        "blank_date": BLANK_DATE,
    }


def group_for_report(persons: Sequence[LetterPerson]) -> list[tuple[tuple[str, str, str, str], list[LetterPerson]]]:
    """Persons grouped by (route, series, specialty, level): 初定 before 授予, then level, series."""
    groups: dict[tuple[str, str, str, str], list[LetterPerson]] = {}
    for lp in persons:
        q = lp.qualification
        key = (q.route or "", lp.person.series, lp.person.specialty, q.level or "")
        groups.setdefault(key, []).append(lp)

    def order(k: tuple[str, str, str, str]) -> tuple[int, int, str, str]:
        return (_ROUTE_ORDER.get(k[0], 9), _LEVEL_ORDER.get(k[3], 9), k[1], k[2])

    return [(k, groups[k]) for k in sorted(groups, key=order)]


# --------------------------------------------------------------------------- docx layout

BODY_FONT = "仿宋"
TITLE_FONT = "宋体"  # GB/T 9704 7.3.1: 2号小标宋体; 宋体 (bold) where 方正小标宋 is not installed
BODY_PT = 16  # GB/T 9704 5.2.1 / 7.3.3: 3号仿宋
TITLE_PT = 22  # 2号
BODY_LINE_PT = 29  # 22 lines per page on the 225 mm type area (GB/T 9704 5.2.2)
SEAL_SPACE_CM = 4.6  # a seal is ≤ 4.2 cm across: room above the unit name and date


def _set_run_font(run, name: str, size: float, *, bold: bool = False) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    rpr = run._element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _new_document(title: str) -> DocxDocument:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.0), Cm(2.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = Pt(BODY_PT)
    rpr = normal.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    props = doc.core_properties
    props.title = title
    props.author = "职称初定申报助手"
    props.last_modified_by = ""
    props.comments = ""
    return doc


def _para(doc, text: str = "", *, align=None, indent: bool = False, size: float = BODY_PT,
          bold: bool = False, font: str = BODY_FONT, space_after: float = 0, line_pt: float = BODY_LINE_PT):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(line_pt)
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    if text:
        _set_run_font(p.add_run(text), font, size, bold=bold)
    return p


def _title(doc, text: str) -> None:
    _para(doc, text, align=WD_ALIGN_PARAGRAPH.CENTER, size=TITLE_PT, bold=True, font=TITLE_FONT,
          space_after=BODY_LINE_PT, line_pt=38)


def _signature(doc, lines: list[str]) -> None:
    _para(doc, "")
    for line in lines:
        p = _para(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(BODY_PT * 2)


def _set_cell_border(cell, sz: int = 8) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    for edge in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(sz))
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tcpr.append(borders)


def _bottom_rule(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    pbdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    pbdr.append(bottom)
    ppr.append(pbdr)


def _fix_widths(table, widths_cm: list[float]) -> None:
    """Fixed layout with explicit grid and cell widths (Word, WPS and LibreOffice all honour these)."""
    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=False):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(w)


def _row_height(row, cm: float) -> None:
    row.height = Cm(cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY


def _table(doc, rows: list[list[str]], widths_cm: list[float], *, size: float = 12, header: bool = True):
    table = doc.add_table(rows=len(rows), cols=len(widths_cm))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, widths_cm)
    for r, row in enumerate(rows):
        table.rows[r].height = Cm(0.8)
        table.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        for c, text in enumerate(row):
            cell = table.cell(r, c)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            p = cell.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _set_run_font(p.add_run(text), BODY_FONT, size, bold=header and r == 0)
    return table


def _ruled_lines(doc, n: int, width_cm: float, height_cm: float = 1.0) -> None:
    """``n`` empty lines for handwriting: a borderless table whose rows have a bottom rule."""
    table = doc.add_table(rows=n, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, [width_cm])
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "right", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    for edge in ("bottom", "insideH"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "6")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    tblpr.append(borders)
    for row in table.rows:
        _row_height(row, height_cm)


def _seal_blocks(doc, columns: list[list[str]]) -> None:
    """Side-by-side signature blocks, each under an empty space a seal fits in (two seals: the
    recommending unit and its 主管单位, GB/T 9704 联合行文 style)."""
    width = 15.6 / max(1, len(columns))
    table = doc.add_table(rows=2, cols=len(columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, [width] * len(columns))
    _row_height(table.rows[0], SEAL_SPACE_CM)
    for i, lines in enumerate(columns):
        cell = table.cell(1, i)
        for j, line in enumerate(lines):
            p = cell.paragraphs[0] if j == 0 else cell.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            p.paragraph_format.line_spacing = Pt(BODY_LINE_PT)
            _set_run_font(p.add_run(line), BODY_FONT, BODY_PT)


def _to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def safe_filename(text: str) -> str:
    """A letter's file stem from a title and a person's or unit's name (see app.paths)."""
    from app.paths import safe_component

    return safe_component(text)


# --------------------------------------------------------------------------- renderers


def _person_key(lp: LetterPerson, clash: set[str]) -> str:
    name = lp.person.name or "未命名"
    return f"{name}_{lp.person.id_number[-4:]}" if name in clash and lp.person.id_number else name


def render_gongshi(tpl: LetterTemplate, lp: LetterPerson, ctx: LetterContext) -> RenderedLetter:
    sec = tpl.section("gongshi")
    who = lp.person.name or "（未命名）"
    missing: list[str] = []
    position_field = str(sec.get("position_field", "position"))
    values = {**_person_values(lp), **_context_values(ctx, issue=ctx.publicity.start if ctx.publicity else None)}
    fill = _Filler(values, who)
    values["basic_info"] = basic_info(lp.person, missing, position_field=position_field)
    title = fill(sec["title"])
    body = [fill(t) for t in sec["body"]]
    doc = _new_document(title)
    _title(doc, title)
    for text in body:
        _para(doc, text, indent=True)
    sig = [fill(t) for t in sec["signature"]]
    _signature(doc, sig)
    return RenderedLetter("gongshi", "", _to_bytes(doc), [lp.person.name], missing + fill.missing,
                          text="\n".join([title, *body, *sig]))


def render_gongshi_result(tpl: LetterTemplate, lp: LetterPerson, ctx: LetterContext) -> RenderedLetter:
    sec = tpl.section("gongshi-result")
    who = lp.person.name or "（未命名）"
    fill = _Filler({**_person_values(lp), **_context_values(ctx, issue=ctx.issue_date)}, who)
    title = fill(sec["title"])
    body = [fill(t) for t in sec["body"]]
    sig = [fill(t) for t in sec["signature"]]
    doc = _new_document(title)
    _title(doc, title)
    for text in body:
        _para(doc, text, indent=True)
    _signature(doc, sig)
    return RenderedLetter("gongshi-result", "", _to_bytes(doc), [lp.person.name], fill.missing,
                          text="\n".join([title, *body, *sig]))


def render_chengnuo(tpl: LetterTemplate, lp: LetterPerson, ctx: LetterContext) -> RenderedLetter:
    sec = tpl.section("chengnuo")
    p = lp.person
    who = p.name or "（未命名）"
    missing: list[str] = []
    title = sec["title"]
    doc = _new_document(title)
    _title(doc, title)
    info = [
        ["姓名", _field(p.name, "姓名", missing, who), "身份证号", _field(p.id_number, "身份证号", missing, who)],
        ["工作单位", _field(ctx.unit.name or p.unit.name, "工作单位", missing, who),
         "申报专业", _field(p.specialty, "申报专业", missing, who)],
    ]
    _table(doc, info, [2.4, 5.2, 2.4, 5.6], size=12, header=False)
    _para(doc, "")
    _para(doc, sec["instruction"], size=12, line_pt=22)
    box = doc.add_table(rows=1, cols=1)
    cell = box.cell(0, 0)
    _set_cell_border(cell, 4)
    cp = cell.paragraphs[0]
    cp.paragraph_format.first_line_indent = Pt(24)
    _set_run_font(cp.add_run(sec["text"]), "楷体", 12)
    _para(doc, "")
    _ruled_lines(doc, int(sec.get("handwriting_lines", 8)), 15.6, 1.0)
    _para(doc, "")
    sig = [str(x) for x in sec["signature"]]
    table = doc.add_table(rows=2, cols=3)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fix_widths(table, [8.6, 3.0, 4.0])
    _row_height(table.rows[0], 3.0)
    _row_height(table.rows[1], 1.2)
    sign = table.cell(0, 0)
    sign.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    _set_run_font(sign.paragraphs[0].add_run(sig[0]), BODY_FONT, 14)
    _set_run_font(table.cell(0, 1).paragraphs[0].add_run(sig[1] if len(sig) > 1 else "手印："), BODY_FONT, 12)
    table.cell(0, 1).paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table.cell(0, 1).vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    _set_cell_border(table.cell(0, 2), 8)  # the fingerprint box
    date_text = sig[2].replace("{blank_date}", BLANK_DATE) if len(sig) > 2 else BLANK_DATE
    _set_run_font(table.cell(1, 0).paragraphs[0].add_run("日期：" + date_text), BODY_FONT, 14)
    text = "\n".join([title, p.name, p.id_number, sec["instruction"], sec["text"], *sig])
    return RenderedLetter("chengnuo", "", _to_bytes(doc), [p.name], missing, text=text)


def render_xiaojie(tpl: LetterTemplate, lp: LetterPerson, ctx: LetterContext) -> RenderedLetter:
    sec = tpl.section("xiaojie")
    p = lp.person
    who = p.name or "（未命名）"
    missing: list[str] = []
    title = sec["title"]
    doc = _new_document(title)
    _title(doc, title)
    rows = [
        ["姓名", _field(p.name, "姓名", missing, who), "工作单位", _field(ctx.unit.name or p.unit.name, "工作单位", missing, who)],
        ["现岗位", _field(p.position, "现岗位", missing, who), "系列/专业",
         f"{_field(p.series, '系列', missing, who)}/{_field(p.specialty, '申报专业', missing, who)}"],
        ["参加专业技术工作时间", cn_date(p.work_start) or _field("", "参加专业技术工作日期", missing, who), "", ""],
    ]
    _table(doc, rows, [3.2, 4.6, 2.6, 5.2], size=11, header=False)
    wr = ctx.word_range
    if wr:
        lo, hi = wr
        limit = f"{lo}–{hi}字" if hi else f"不少于{lo}字"
    else:
        limit = "见通知"
    guidance = sec["guidance"] if "字数" in sec["guidance"] else f"{sec['guidance']}字数要求：{limit}。"
    note = f"（填写说明：{guidance}汉字按字计、英文按词计，完成后可用本软件的字数统计核对。）"
    _para(doc, note, size=11, line_pt=20)
    _para(doc, "")
    for _ in range(3):
        _para(doc, "", indent=True)
    text = "\n".join([title, p.name, note])
    return RenderedLetter("xiaojie", "", _to_bytes(doc), [p.name], missing, text=text)


def render_tuijian(tpl: LetterTemplate, persons: Sequence[LetterPerson], ctx: LetterContext) -> RenderedLetter:
    sec = tpl.section("tuijian")
    base = _context_values(ctx, issue=ctx.issue_date)
    missing: list[str] = []
    sentences = []
    for lp in persons:
        f = _Filler({**base, **_person_values(lp)}, lp.person.name or "（未命名）")
        sentences.append(f(sec["person_sentence"]))
        missing.extend(m for m in f.missing if m not in missing)
    clauses = []
    for (route, series, specialty, level), members in group_for_report(persons):
        f = _Filler({"names": "、".join(m.person.name for m in members), "count": str(len(members)),
                     "route": route, "series": series, "specialty": specialty, "level": level},
                    "、".join(m.person.name for m in members))
        clauses.append(f(sec["group_clause"]))
        missing.extend(m for m in f.missing if m not in missing)
    fill = _Filler({**base, "names": "、".join(lp.person.name for lp in persons),
                    "person_sentences": "".join(sentences), "groups": "，".join(clauses)})
    title = fill(sec["title"])
    body = [fill(t) for t in sec["body"]]
    sig = [fill(t) for t in sec["signature"]]
    doc = _new_document(title)
    _title(doc, title)
    for text in body:
        _para(doc, text, indent=True)
    _para(doc, "")
    if sec.get("seals"):
        seals = [[fill(t) for t in col] for col in sec["seals"]]
        _seal_blocks(doc, seals)
        sig = [line for col in seals for line in col]
    else:
        for line in sig:
            p = _para(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(BODY_PT * 2)
    missing.extend(m for m in fill.missing if m not in missing)
    return RenderedLetter("tuijian", "", _to_bytes(doc), [lp.person.name for lp in persons], missing,
                          text="\n".join([title, *body, *sig]))


def render_shide(tpl: LetterTemplate, persons: Sequence[LetterPerson], ctx: LetterContext) -> RenderedLetter:
    sec = tpl.section("shide")
    levels = {lp.qualification.level for lp in persons if lp.qualification.level}
    level = levels.pop() if len(levels) == 1 else ""
    missing: list[str] = []
    fill = _Filler({**_context_values(ctx, issue=ctx.issue_date), "level": level,
                    "names": "、".join(lp.person.name for lp in persons), "count": str(len(persons))})
    title = fill(sec["title"])
    body = [fill(t) for t in sec["body"]]
    sig = [fill(t) for t in sec["signature"]]
    doc = _new_document(title)
    _title(doc, title)
    for text in body:
        _para(doc, text, indent=True)
    _signature(doc, sig)
    _para(doc, "")
    _para(doc, sec.get("list_title", "附：人员名单"), bold=True)
    rows = [["序号", "姓名", "性别", "身份证号", "系列", "申报专业", "现岗位"]]
    for i, lp in enumerate(persons, 1):
        p = lp.person
        who = p.name or "（未命名）"
        rows.append([str(i), _field(p.name, "姓名", missing, who), _field(p.gender, "性别", missing, who),
                     _field(p.id_number, "身份证号", missing, who), _field(p.series, "系列", missing, who),
                     _field(p.specialty, "申报专业", missing, who), _field(p.position, "现岗位", missing, who)])
    _table(doc, rows, [1.0, 1.9, 1.0, 4.9, 2.0, 2.2, 2.6], size=10.5)
    warnings = []
    not_teacher = [lp.person.name for lp in persons if "教师" not in lp.person.series]
    if not_teacher:
        warnings.append(f"以下人员的系列不是教师系列：{'、'.join(not_teacher)}")
    missing.extend(m for m in fill.missing if m not in missing)
    return RenderedLetter("shide", "", _to_bytes(doc), [lp.person.name for lp in persons], missing, warnings,
                          text="\n".join([title, *body, *sig, *(r[1] for r in rows[1:])]))


_PERSON_RENDERERS = {
    "gongshi": render_gongshi,
    "gongshi-result": render_gongshi_result,
    "chengnuo": render_chengnuo,
    "xiaojie": render_xiaojie,
}
_UNIT_RENDERERS = {"tuijian": render_tuijian, "shide": render_shide}


def render_letters(kind: str, tpl: LetterTemplate, persons: Sequence[LetterPerson],
                   ctx: LetterContext) -> list[RenderedLetter]:
    """All letters of one kind, in memory (nothing written yet): one per person or one per unit."""
    if kind not in KINDS:
        raise UsageError(f"未知的信函类型“{kind}”，可选：{'、'.join(KINDS)}")
    if not persons:
        raise UsageError("请至少选择一名人员")
    label = KIND_LABELS[kind]
    persons, ctx = scrub(list(persons)), scrub(ctx)  # no character python-docx refuses (older databases)
    if kind in _UNIT_RENDERERS:
        letter = _UNIT_RENDERERS[kind](tpl, persons, ctx)
        letter.filename = safe_filename(f"{label}_{ctx.unit.name or '本单位'}") + ".docx"
        return [letter]
    names = [lp.person.name for lp in persons]
    clash = {n for n in names if names.count(n) > 1}
    out = []
    for lp in persons:
        letter = _PERSON_RENDERERS[kind](tpl, lp, ctx)
        letter.filename = safe_filename(f"{label}_{_person_key(lp, clash)}") + ".docx"
        out.append(letter)
    return out


def write_letters(letters: Sequence[RenderedLetter], out_dir: str | Path) -> list[Path]:
    """Write every rendered letter atomically into ``out_dir`` (created if needed)."""
    out = Path(out_dir)
    paths = []
    used: set[str] = set()
    for letter in letters:
        name = safe_basename(letter.filename)
        stem, dot, ext = name.rpartition(".")
        k = 1
        while name.lower() in used:  # two names that sanitise alike: never overwrite the first letter
            k += 1
            name = f"{stem}_{k}.{ext}" if dot else f"{name}_{k}"
        used.add(name.lower())
        path = inside(out, name)
        atomic_write_bytes(path, letter.data, what=f"写入《{KIND_LABELS[letter.kind]}》")
        paths.append(path)
    return paths


def docx_text(data: bytes | str | Path) -> str:
    """Plain text of a docx (paragraphs, then table cells), for checks and word counts."""
    src = io.BytesIO(data) if isinstance(data, bytes) else str(data)
    doc = Document(src)
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)
