"""呈报表 draft as PDF (reportlab): front and back of one A4 sheet, two copies → 4 pages, paired for
long-edge duplex printing.

Every box has a fixed size: long text wraps and shrinks inside its box (down to 8 pt, then is cut with
"…" and the field is named in the warnings) and never pushes anything to another page; no text is
drawn below 8 pt unnamed (``FormResult.small``). Lines never start with closing punctuation (a lone
"）"). Every page carries a diagonal "本地草稿 以平台生成带水印版本为准" mark, and nothing is drawn
below the footer rule. The CJK font is embedded and subset:
宋体 (SimSun) from the system when present, else PyMuPDF's bundled Droid Sans Fallback (Apache-2.0),
so the PDF looks the same on a machine without any CJK font.

The platform's auto-generated, watermarked 呈报表 is the only valid one (notice 003 §五(三)8); the footer
says so on every page.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from app.domain.person import PersonData
from app.export.letters import Qualification, cn_date
from app.fileio import atomic_write_bytes

log = logging.getLogger(__name__)

PAGE_W, PAGE_H = A4
MARGIN_X = 48.0
CONTENT_W = PAGE_W - 2 * MARGIN_X
FONT_NAME = "ChudingCJK"
FOOTER = ("本表为“职称初定申报助手”生成的本地草稿，仅供核对信息与排版；"
          "纸质材料须使用平台网上审核后自动生成、带水印的呈报表。")
WATERMARK = "本地草稿 以平台生成带水印版本为准"
MIN_PT = 8.0  # smallest text size drawn without a warning naming the field
FOOTER_RULE_TOP = PAGE_H - 50.0  # the footer rule (top-left y); every box ends above it
FOOTER_GAP = 4.0
UNIT_OPINION_HINT = "本单位已对提供的申报材料逐一审核，真实准确，同意推荐"

# Where 宋体 lives when the system has it (Windows first).
_SIMSUN_CANDIDATES = (
    Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts" / "simsun.ttc",
    Path("/usr/share/fonts/truetype/simsun/simsun.ttc"),
    Path("/usr/share/fonts/simsun.ttc"),
    Path("/Library/Fonts/SimSun.ttf"),
)


@lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the CJK font once; returns a description of the font used."""
    for path in _SIMSUN_CANDIDATES:
        if path.is_file():
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
                return f"宋体 ({path})"
            except Exception as exc:  # a damaged or unsupported system font: fall back
                log.warning("cannot use %s: %s", path, exc)
    import pymupdf

    buf = bytes(pymupdf.Font("cjk").buffer)
    pdfmetrics.registerFont(TTFont(FONT_NAME, io.BytesIO(buf)))
    return "Droid Sans Fallback (PyMuPDF, Apache-2.0)"


# --------------------------------------------------------------------------- data


@dataclass
class YearRow:
    year: int
    assessment: str = ""
    public_hours: float | None = None
    professional_hours: float | None = None
    exempt: bool = False


@dataclass
class FormData:
    person: PersonData
    qualification: Qualification = field(default_factory=Qualification)
    unit_name: str = ""
    summary: str = ""  # 工作总结/自我鉴定 excerpt
    photo: bytes | None = None  # JPEG/PNG bytes of the 一寸照
    years: list[YearRow] = field(default_factory=list)
    basis: str = ""  # one line on why (verdict reasons)
    generated: dt.date | None = None
    title: str = "初次确定专业技术职务呈报表"  # the name the notice gives (profile [documents].form_title)

    @property
    def form_title(self) -> str:
        return self.title


def years_from_person(p: PersonData, years: Sequence[int]) -> list[YearRow]:
    rows = []
    for y in sorted(set(years) if years else set(p.assessments)):
        ce = p.continuing_education.get(y)
        rows.append(YearRow(y, p.assessments.get(y, ""), ce.public_hours if ce else None,
                            ce.professional_hours if ce else None, bool(ce and ce.exempt)))
    return rows


# --------------------------------------------------------------------------- text fitting

_TOKENS = re.compile(r"[A-Za-z0-9\u00c0-\u024f.,:;'()\-/@%+]+|\n|\s|.", re.S)


@dataclass
class Fitted:
    lines: list[str]
    size: float
    truncated: bool


@lru_cache(maxsize=65536)
def _unit_width(token: str) -> float:
    """Width of ``token`` at 1 pt (widths scale linearly with the size)."""
    return pdfmetrics.stringWidth(token, FONT_NAME, 1.0)


def _width(text: str, size: float) -> float:
    return _unit_width(text) * size


# Characters a line must not start with (closing punctuation, 禁则): they pull the previous
# character down with them instead of standing alone.
_NO_LINE_START = set("）)］]】」』〉》，。、；：！？…—%’”·,.;:!?")


def wrap(text: str, width: float, size: float) -> list[str]:
    lines: list[str] = []
    cur, cur_w = "", 0.0
    for tok in _TOKENS.findall(text):
        if tok == "\n":
            lines.append(cur)
            cur, cur_w = "", 0.0
            continue
        w = _width(tok, size)
        if cur_w + w > width and cur:
            if tok[0] in _NO_LINE_START and len(cur) > 1 and not tok.isspace():
                # 禁则: carry the last character over so the punctuation never starts a line alone
                lines.append(cur[:-1].rstrip())
                cur = cur[-1] + tok
                cur_w = _width(cur, size)
                continue
            lines.append(cur.rstrip())
            cur, cur_w = ("", 0.0) if tok.isspace() else (tok, w)
            if w > width:  # a single very long Latin token: hard-split it
                while _width(cur, size) > width and len(cur) > 1:
                    cut = len(cur) - 1
                    while cut > 1 and _width(cur[:cut], size) > width:
                        cut -= 1
                    lines.append(cur[:cut])
                    cur = cur[cut:]
                cur_w = _width(cur, size)
        else:
            cur += tok
            cur_w += w
    if cur:
        lines.append(cur)
    return lines


def fit_text(text: str, width: float, height: float, *, max_size: float = 10.5, min_size: float = MIN_PT,
             leading: float = 1.3) -> Fitted:
    """Largest size in [min_size, max_size] (0.5 pt steps) at which ``text`` fits the box; at the
    minimum size, the lines that do not fit are dropped and the last one ends with "…"."""
    size = max_size
    while True:
        lines = wrap(text, width, size)
        if len(lines) * size * leading <= height + 0.01:
            return Fitted(lines, size, False)
        if size - 0.5 < min_size:
            break
        size -= 0.5
    size = min_size
    lines = wrap(text, width, size)
    keep = max(1, int((height + 0.01) // (size * leading)))
    lines = lines[:keep]
    last = lines[-1]
    while last and _width(last + "…", size) > width:
        last = last[:-1]
    lines[-1] = last + "…"
    return Fitted(lines, size, True)


# --------------------------------------------------------------------------- drawing


@dataclass
class Box:
    """A rectangle in top-left coordinates (points), as PyMuPDF reports them."""

    x: float
    top: float
    w: float
    h: float

    @property
    def rl_y(self) -> float:  # reportlab's bottom edge
        return PAGE_H - self.top - self.h


class _Painter:
    def __init__(self, c: rl_canvas.Canvas) -> None:
        self.c = c
        self.truncated: list[str] = []
        self.small: list[str] = []  # fields drawn below MIN_PT

    def rect(self, b: Box, *, width: float = 0.8) -> None:
        self.c.setLineWidth(width)
        self.c.rect(b.x, b.rl_y, b.w, b.h)

    def text(self, b: Box, text: str, *, size: float = 10.5, min_size: float = MIN_PT, align: str = "center",
             valign: str = "middle", pad: float = 3.0, what: str = "") -> Fitted:
        inner_w, inner_h = b.w - 2 * pad, b.h - 2 * pad
        fitted = fit_text(text, inner_w, inner_h, max_size=size, min_size=min_size)
        if fitted.truncated and what:
            self.truncated.append(what)
        if text.strip() and fitted.size < MIN_PT:
            self.small.append(what or text[:10])
        lead = fitted.size * 1.3
        block_h = len(fitted.lines) * lead
        y0 = b.top + pad if valign == "top" else b.top + pad + (inner_h - block_h) / 2
        self.c.setFont(FONT_NAME, fitted.size)
        for i, line in enumerate(fitted.lines):
            baseline = PAGE_H - (y0 + i * lead + fitted.size * 1.02)
            if align == "center" and len(fitted.lines) == 1:
                self.c.drawCentredString(b.x + b.w / 2, baseline, line)
            else:
                self.c.drawString(b.x + pad, baseline, line)
        return fitted

    def cell(self, b: Box, text: str, **kw: object) -> None:
        self.rect(b)
        self.text(b, text, **kw)  # type: ignore[arg-type]

    def right_text(self, x_right: float, top: float, text: str, size: float) -> None:
        self.c.setFont(FONT_NAME, size)
        self.c.drawRightString(x_right, PAGE_H - top - size, text)


def _hours(v: float | None) -> str:
    if v is None:
        return ""
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


# Layout of the front (all in points, top-left origin) — constants so tests can check the boxes.
TOP = 40.0
ROW_H = 26.0
COLS = (72.0, 120.0, 72.0, 130.0)  # label, value, label, value; the photo column takes the rest
PHOTO_W = CONTENT_W - sum(COLS)
GRID_TOP = TOP + 62.0
SUMMARY_BOX = Box(MARGIN_X, TOP + 24.0, CONTENT_W, 236.0)  # back page
OPINION_HEIGHTS = (140.0, 90.0, 90.0)  # 单位意见, 主管部门意见, 审批机构意见


def _draw_front(p: _Painter, d: FormData, copy_no: int, copies: int) -> None:
    c, person = p.c, d.person
    c.setFont(FONT_NAME, 18)
    c.drawCentredString(PAGE_W / 2, PAGE_H - TOP - 18, d.form_title)
    c.setFont(FONT_NAME, 9)
    c.drawCentredString(PAGE_W / 2, PAGE_H - TOP - 34, "（本地草稿 · 仅供核对，不作为正式报表）")
    p.right_text(PAGE_W - MARGIN_X, TOP + 46, f"填表日期：{cn_date(d.generated) or '    年  月  日'}", 9.5)

    x = [MARGIN_X]
    for w in COLS:
        x.append(x[-1] + w)
    birth = ""
    if len(person.id_number) == 18 and person.id_number[6:14].isdigit():
        birth = f"{person.id_number[6:10]}年{int(person.id_number[10:12])}月"
    edu = person.highest_education
    rows4 = [
        ("姓名", person.name, "性别", person.gender),
        ("民族", person.ethnicity, "出生年月", birth),
        ("政治面貌", person.political_status, "身份证号", person.id_number),
        ("联系电话", person.phone, "人员状态", person.status),
        ("参加专业技术\n工作时间", cn_date(person.work_start), "现岗位", person.position),
    ]
    top = GRID_TOP
    for row in rows4:
        for i, text in enumerate(row):
            p.cell(Box(x[i], top, COLS[i], ROW_H), text, size=10 if i % 2 == 0 else 10.5, pad=2.0 if i % 2 == 0 else 3.0,
                   what=row[i - 1] if i % 2 else row[i].replace("\n", ""))
        top += ROW_H
    photo_box = Box(x[4], GRID_TOP, PHOTO_W, ROW_H * len(rows4))
    p.rect(photo_box)
    _draw_photo(p, photo_box, d.photo)

    def wide(label: str, value: str, *, h: float = ROW_H) -> None:
        nonlocal top
        p.cell(Box(x[0], top, COLS[0], h), label, size=10)
        p.cell(Box(x[1], top, CONTENT_W - COLS[0], h), value, size=10.5, align="left", what=label)
        top += h

    def pair(l1: str, v1: str, l2: str, v2: str) -> None:
        nonlocal top
        p.cell(Box(x[0], top, COLS[0], ROW_H), l1, size=10)
        p.cell(Box(x[1], top, COLS[1], ROW_H), v1, size=10.5, what=l1)
        p.cell(Box(x[2], top, COLS[2], ROW_H), l2, size=10)
        p.cell(Box(x[3], top, CONTENT_W - sum(COLS[:3]), ROW_H), v2, size=10.5, what=l2)
        top += ROW_H

    unit = person.unit
    wide("工作单位", d.unit_name or unit.name)
    pair("单位性质", unit.nature, "单位所在地/层级", "/".join(v for v in (unit.location, unit.level) if v))
    pair("系列", person.series, "申报专业", person.specialty)
    pair("现有职称", person.current_title or "无", "首次申报", {True: "是", False: "否"}.get(person.first_application, ""))  # type: ignore[arg-type]
    if person.dispatched:
        wide("派驻情况", f"派驻，起始日期 {cn_date(person.dispatch_start)}")

    # Education grid: header + 3 fixed rows.
    top += 8
    p.cell(Box(MARGIN_X, top, CONTENT_W, ROW_H), "学历学位情况", size=11)
    top += ROW_H
    ecols: tuple[float, ...] = (52.0, 56.0, 122.0, 100.0, 68.0)
    ecols = (*ecols, CONTENT_W - sum(ecols))
    heads = ("学历", "学习形式", "毕业院校", "所学专业", "毕业时间", "学位（取得时间）")
    ex = MARGIN_X
    for w, h in zip(ecols, heads, strict=True):
        p.cell(Box(ex, top, w, ROW_H), h, size=9.5)
        ex += w
    top += ROW_H
    edus = sorted(person.educations, key=lambda e: e.graduation_date or dt.date.min)[-3:]
    for i in range(3):
        e = edus[i] if i < len(edus) else None
        vals = ("", "", "", "", "", "") if e is None else (
            e.level, e.mode, e.school, e.major, cn_date(e.graduation_date),
            (f"{e.degree}（{cn_date(e.degree_date)}）" if e.degree and e.degree != "无" and e.degree_date
             else (e.degree or "")))
        ex = MARGIN_X
        for w, v in zip(ecols, vals, strict=True):
            p.cell(Box(ex, top, w, ROW_H), v, size=9.5, what="学历")
            ex += w
        top += ROW_H
    del edu

    # Work: 专业技术工作经历 (fixed box).
    top += 8
    work = (f"{cn_date(person.work_start) or '____'}起在{d.unit_name or unit.name or '____'}从事"
            f"{person.specialty or '____'}专业技术工作，现任{person.position or '____'}岗位。")
    p.cell(Box(MARGIN_X, top, COLS[0], 52), "专业技术\n工作经历", size=10)
    p.cell(Box(MARGIN_X + COLS[0], top, CONTENT_W - COLS[0], 52), work, size=10.5, align="left",
           valign="top", what="工作经历")
    top += 52 + 8

    # 拟确定资格 (from the verdict).
    q = d.qualification
    p.cell(Box(MARGIN_X, top, CONTENT_W, ROW_H), "拟确定资格", size=11)
    top += ROW_H
    qcols: tuple[float, ...] = (70.0, 90.0, 70.0, 90.0)
    qcols = (*qcols, CONTENT_W - sum(qcols))
    heads2 = ("申报类别", "级别", "系列", "专业", "拟确定资格名称")
    vals2 = (q.route or "", q.level or "", person.series, person.specialty, q.title or "")
    for hdrs in (heads2, vals2):
        ex = MARGIN_X
        for w, v in zip(qcols, hdrs, strict=True):
            p.cell(Box(ex, top, w, ROW_H), v, size=10.5 if hdrs is vals2 else 10, what="拟确定资格")
            ex += w
        top += ROW_H
    remaining = FOOTER_RULE_TOP - FOOTER_GAP - top
    basis_h = max(30.0, min(90.0, remaining))
    p.cell(Box(MARGIN_X, top, COLS[0], basis_h), "依据", size=10)
    p.cell(Box(MARGIN_X + COLS[0], top, CONTENT_W - COLS[0], basis_h), d.basis, size=9.5, align="left",
           valign="top", what="依据")
    _footer(p, copy_no, copies, "正面")


def _draw_photo(p: _Painter, box: Box, photo: bytes | None) -> None:
    inner = Box(box.x + 8, box.top + 6, box.w - 16, box.h - 12)
    if photo:
        try:
            from PIL import Image
            from reportlab.lib.utils import ImageReader

            with Image.open(io.BytesIO(photo)) as src:
                im = src.convert("RGB")
                # ≈ 300 dpi at the printed size keeps the file small.
                target = (int(inner.w / 72 * 300), int(inner.h / 72 * 300))
                im.thumbnail(target)
                buf = io.BytesIO()
                im.save(buf, "JPEG", quality=85)
                iw, ih = im.size
            scale = min(inner.w / iw, inner.h / ih)
            w, h = iw * scale, ih * scale
            x = inner.x + (inner.w - w) / 2
            top = inner.top + (inner.h - h) / 2
            p.c.drawImage(ImageReader(io.BytesIO(buf.getvalue())), x, PAGE_H - top - h, w, h)
            return
        except Exception as exc:  # unreadable photo: show the empty box instead
            log.warning("photo not drawn: %s", exc)
    p.text(inner, "一寸免冠\n照片", size=10)


def _draw_back(p: _Painter, d: FormData, copy_no: int, copies: int) -> None:
    c = p.c
    c.setFont(FONT_NAME, 12)
    c.drawString(MARGIN_X, PAGE_H - TOP - 14, f"{d.person.name or ''}  {d.form_title}（续）")
    sb = SUMMARY_BOX
    p.rect(sb)
    p.text(Box(sb.x, sb.top, sb.w, 18), "任现职以来工作总结（自我鉴定）摘要", size=10.5, align="left")
    p.text(Box(sb.x, sb.top + 18, sb.w, sb.h - 20), d.summary or "", size=10.5, align="left",
           valign="top", what="工作总结摘要")
    top = sb.top + sb.h + 8

    # 考核 and 继续教育: header + 4 fixed rows.
    tcols: tuple[float, ...] = (60.0, 110.0, 95.0, 95.0)
    tcols = (*tcols, CONTENT_W - sum(tcols))
    p.cell(Box(MARGIN_X, top, CONTENT_W, 22), "年度考核及继续教育情况", size=10.5)
    top += 22
    heads = ("年度", "年度考核结果", "公需科目（学时）", "专业科目（学时）", "备注")
    ex = MARGIN_X
    for w, h in zip(tcols, heads, strict=True):
        p.cell(Box(ex, top, w, 22), h, size=9.5)
        ex += w
    top += 22
    rows = d.years[-4:]
    for i in range(4):
        r = rows[i] if i < len(rows) else None
        vals = ("", "", "", "", "") if r is None else (
            str(r.year), r.assessment or "（未填）", _hours(r.public_hours), _hours(r.professional_hours),
            "继续教育免试" if r.exempt else "")
        ex = MARGIN_X
        for w, v in zip(tcols, vals, strict=True):
            p.cell(Box(ex, top, w, 22), v, size=10, what="考核")
            ex += w
        top += 22
    top += 8

    def opinion(label: str, h: float, lines: tuple[str, ...]) -> None:
        nonlocal top
        lab = Box(MARGIN_X, top, 28, h)
        body = Box(MARGIN_X + 28, top, CONTENT_W - 28, h)
        p.rect(lab)
        p.rect(body)
        p.text(lab, "\n".join(label), size=10.5)
        y = top + h - 14 * len(lines) - 6
        for line in lines:
            p.right_text(body.x + body.w - 16, y, line, 10)
            y += 14
        top += h

    # 单位意见: empty, room for the handwritten sentence, the signature, the seal and the date.
    unit_h, dept_h, approve_h = OPINION_HEIGHTS
    opinion("单位意见", unit_h, ("负责人签字：              （单位公章）", "年    月    日"))
    opinion("主管部门意见", dept_h, ("（盖章）", "年    月    日"))
    opinion("审批机构意见", approve_h, ("（盖章）", "年    月    日"))
    _footer(p, copy_no, copies, "背面")


def _footer(p: _Painter, copy_no: int, copies: int, side: str) -> None:
    c = p.c
    c.setLineWidth(0.4)
    rule_y = PAGE_H - FOOTER_RULE_TOP
    c.line(MARGIN_X, rule_y, PAGE_W - MARGIN_X, rule_y)
    p.text(Box(MARGIN_X, FOOTER_RULE_TOP + 3, CONTENT_W - 90, 30), FOOTER, size=MIN_PT, align="left", pad=1,
           what="页脚")
    c.setFont(FONT_NAME, MIN_PT)
    c.drawRightString(PAGE_W - MARGIN_X, rule_y - 3 - MIN_PT, f"第 {copy_no}/{copies} 份 · {side}")


def _watermark(c: rl_canvas.Canvas) -> None:
    """The diagonal draft mark, light grey, under everything else on the page."""
    c.saveState()
    c.setFillGray(0.82)
    c.setFont(FONT_NAME, 34)
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(55)
    c.drawCentredString(0, -12, WATERMARK)
    c.restoreState()


@dataclass
class FormResult:
    data: bytes
    pages: int
    font: str
    truncated: list[str]
    small: list[str] = field(default_factory=list)  # fields drawn below 8 pt


def render_form(d: FormData, *, copies: int = 2) -> FormResult:
    """The draft as PDF bytes: for each copy a front page then its back page."""
    font = cjk_font()
    buf = io.BytesIO()
    c = rl_canvas.Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=FONT_NAME)
    c.setTitle(d.form_title + "（本地草稿）")
    c.setAuthor("职称初定申报助手")
    c.setSubject("本地草稿；以平台生成的带水印呈报表为准")
    # Ask viewers to print duplex, long-edge flip, at 100 % (no "fit to page" shrinking).
    c.setViewerPreference("Duplex", "DuplexFlipLongEdge")
    c.setViewerPreference("PrintScaling", "None")
    p = _Painter(c)
    pages = 0
    previous = rl_config.useA85
    rl_config.useA85 = 0  # binary image streams: smaller, and no slow pure-Python ASCII85 pass
    try:
        for n in range(1, copies + 1):
            _watermark(c)
            _draw_front(p, d, n, copies)
            c.showPage()
            _watermark(c)
            _draw_back(p, d, n, copies)
            c.showPage()
            pages += 2
        c.save()
    finally:
        rl_config.useA85 = previous
    truncated = sorted(set(p.truncated))
    return FormResult(buf.getvalue(), pages, font, truncated, sorted(set(p.small)))


def write_form(d: FormData, path: str | Path, *, copies: int = 2) -> FormResult:
    result = render_form(d, copies=copies)
    atomic_write_bytes(path, result.data, what="写入呈报表")
    return result
