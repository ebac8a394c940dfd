"""呈报表 draft PDF: 4 A4 pages (2 copies, front/back), embedded subset CJK font, fixed boxes that never
overflow, photo, footer, size."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pymupdf
import pytest
from PIL import Image

from app.domain.person import ContinuingEducation, Education, PersonData, UnitData
from app.export.form import (
    PAGE_H,
    SUMMARY_BOX,
    WATERMARK,
    FormData,
    fit_text,
    render_form,
    wrap,
    write_form,
    years_from_person,
)
from app.export.letters import Qualification

D = dt.date


def _photo() -> bytes:
    im = Image.new("RGB", (295, 413), (30, 90, 200))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _data(make_id, **kw) -> FormData:
    p = PersonData(name="测试申报人", gender="女", ethnicity="回族", id_number=make_id(D(2000, 1, 2), male=False),
                   political_status="中共党员", series="工程", specialty="电力", position="电气技术员",
                   work_start=D(2023, 7, 10), phone="13900000000",
                   educations=[Education(level="本科", mode="全日制", school="测试大学", major="电气工程及其自动化",
                                         graduation_date=D(2023, 6, 30), degree="学士", degree_date=D(2023, 6, 30))],
                   assessments={2023: "合格", 2024: "优秀"},
                   continuing_education={2024: ContinuingEducation(2024, 30, 60)},
                   unit=UnitData(name="测试电力科技有限公司", nature="民营企业", location="库尔勒市", level="地州市"))
    base = dict(person=p, qualification=Qualification("初定", "初级", "助理工程师", 1), unit_name=p.unit.name,
                summary="本人自参加工作以来认真履职。", photo=_photo(), years=years_from_person(p, [2023, 2024]),
                basis="全日制本科毕业从事专业技术工作满1年", generated=D(2024, 10, 20))
    base.update(kw)
    return FormData(**base)


def test_two_copies_make_four_a4_pages_with_embedded_subset_fonts(make_id) -> None:
    r = render_form(_data(make_id))
    assert r.pages == 4
    with pymupdf.open(stream=r.data, filetype="pdf") as doc:
        assert doc.page_count == 4
        for page in doc:
            assert abs(page.rect.width - 595.28) < 0.5 and abs(page.rect.height - 841.89) < 0.5
            fonts = page.get_fonts()
            assert fonts and all(f[1] == "ttf" for f in fonts), fonts  # every font embedded
            assert all("+" in f[3] for f in fonts), fonts  # subset tag ABCDEF+Name
        texts = [page.get_text() for page in doc]
        # Fronts are pages 1 and 3, backs 2 and 4: pairs for long-edge duplex.
        for i in (0, 2):
            assert "初次确定专业技术职务呈报表" in texts[i] and "测试申报人" in texts[i] and "拟确定资格" in texts[i]
            assert "助理工程师" in texts[i] and "测试大学" in texts[i]
        for i in (1, 3):
            assert "单位意见" in texts[i].replace("\n", "") and "主管部门意见" in texts[i].replace("\n", "")
            assert "审批机构意见" in texts[i].replace("\n", "") and "优秀" in texts[i]
        assert "第 1/2 份" in texts[0] and "第 2/2 份" in texts[3]
        for t in texts:
            assert "本地草稿" in t and "带水印" in t.replace("\n", "")
        # The unit-opinion box stays empty: the sentence is handwritten.
        assert "同意推荐" not in "".join(texts)
        # The photo is embedded on both fronts, once as an image object.
        assert doc[0].get_images() and doc[2].get_images()
        assert doc.xref_get_key(doc.pdf_catalog(), "ViewerPreferences")[0] in ("dict", "xref")
    assert len(r.data) < 500_000


def test_long_text_shrinks_and_stays_inside_its_box(make_id) -> None:
    long_summary = "在岗位上刻苦钻研业务，积极参与技术改造和安全生产管理工作。" * 200
    r = render_form(_data(make_id, summary=long_summary, basis="依据说明很长。" * 300,
                          unit_name="新疆" + "特别长的单位名称" * 20 + "有限公司"))
    assert r.pages == 4
    assert "工作总结摘要" in r.truncated
    with pymupdf.open(stream=r.data, filetype="pdf") as doc:
        assert doc.page_count == 4
        back = doc[1]
        box = pymupdf.Rect(SUMMARY_BOX.x, SUMMARY_BOX.top, SUMMARY_BOX.x + SUMMARY_BOX.w, SUMMARY_BOX.top + SUMMARY_BOX.h)
        hits = back.search_for("刻苦钻研")
        assert hits
        for rect in hits:
            assert box.contains(rect), (rect, box)
        for page in doc:
            for block in page.get_text("blocks"):
                x0, _y0, x1, y1 = block[:4]
                assert x0 >= 0 and x1 <= page.rect.width + 0.5 and y1 <= PAGE_H + 0.5, block


def test_fit_text_shrinks_before_truncating() -> None:
    from app.export.form import cjk_font

    cjk_font()
    short = fit_text("短文本", 100, 20, max_size=10.5)
    assert short.size == 10.5 and not short.truncated
    medium = fit_text("中" * 60, 100, 40, max_size=10.5, min_size=6)
    assert 6 <= medium.size < 10.5 and not medium.truncated
    long = fit_text("长" * 2000, 100, 40, max_size=10.5, min_size=6)
    assert long.truncated and long.lines[-1].endswith("…") and long.size == 6
    assert len(long.lines) * 6 * 1.3 <= 40.01


def test_missing_photo_and_blank_fields_still_render(make_id, tmp_path: Path) -> None:
    d = _data(make_id, photo=None, summary="", qualification=Qualification())
    d.person.political_status = ""
    r = write_form(d, tmp_path / "f.pdf")
    with pymupdf.open(tmp_path / "f.pdf") as doc:
        assert doc.page_count == 4
        assert "一寸免冠" in doc[0].get_text() and not doc[0].get_images()
    assert r.pages == 4


def test_unreadable_photo_falls_back_to_the_empty_box(make_id) -> None:
    r = render_form(_data(make_id, photo=b"not an image"))
    with pymupdf.open(stream=r.data, filetype="pdf") as doc:
        assert "一寸免冠" in doc[0].get_text()


def test_form_service_uses_verdict_summary_and_photo(db, make_id, tmp_path: Path) -> None:
    from app.services.forms import generate_form
    from app.services.letters import save_inputs
    from app.services.packet import add_documents
    from app.services.roster import save_person

    d = _data(make_id)
    saved = save_person(db, d.person).person
    save_inputs(db, saved.id, summary="我的工作总结摘要。")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(_photo())
    add_documents(db, saved.id, "photo", [photo])
    report = generate_form(db, saved.id, tmp_path / "out.pdf", profile_id="korla-2024", as_of=D(2024, 10, 25))
    assert report.pages == 4 and report.size < 500_000
    with pymupdf.open(tmp_path / "out.pdf") as doc:
        front, back = doc[0].get_text(), doc[1].get_text()
        assert "初定" in front and "初级" in front
        assert "我的工作总结摘要。" in back
        assert doc[0].get_images()
    assert not any("照片" in w for w in report.warnings)


def test_print_check_flags_odd_pages_and_non_a4(tmp_path: Path) -> None:
    from app.errors import InputFileError
    from app.services.forms import check_printable

    doc = pymupdf.open()
    doc.new_page(width=595.28, height=841.89)
    doc.new_page(width=612, height=792)  # US Letter
    doc.new_page(width=595.28, height=841.89)
    doc.save(tmp_path / "odd.pdf")
    check = check_printable(tmp_path / "odd.pdf")
    assert not check.ok and check.pages == 3
    assert any("第 2 页不是 A4" in p for p in check.problems)
    assert any("奇数" in p for p in check.problems)
    (tmp_path / "bad.pdf").write_bytes(b"garbage")
    with pytest.raises(InputFileError):
        check_printable(tmp_path / "bad.pdf")


# --------------------------------------------------------------------------- layout (issue: overlaps)

def _boxes_lines_spans(page: pymupdf.Page) -> tuple[list[pymupdf.Rect], list[tuple[float, float, float]], list]:
    rects, hlines = [], []
    for dr in page.get_drawings():
        for item in dr["items"]:
            if item[0] == "re":
                rects.append(pymupdf.Rect(item[1]))
            elif item[0] == "l" and abs(item[1].y - item[2].y) < 0.1:
                hlines.append((item[1].y, min(item[1].x, item[2].x), max(item[1].x, item[2].x)))
    spans = [s for b in page.get_text("dict")["blocks"] for ln in b.get("lines", ()) for s in ln["spans"]
             if s["text"].strip()]
    return rects, hlines, spans


def _glyph_box(span: dict) -> pymupdf.Rect:
    """The span's ink area: baseline minus the size (CJK glyphs sit within one em)."""
    x0, _, x1, _ = span["bbox"]
    y = span["origin"][1]
    return pymupdf.Rect(x0, y - span["size"] * 0.88, x1, y + span["size"] * 0.12)


def test_nothing_overlaps_and_nothing_is_below_8pt_or_unmarked(make_id) -> None:
    long_summary = ("本人自参加工作以来，认真学习专业知识，严格遵守规章制度，积极参与设备检修与技术改造。" * 40)[:1465]
    d = _data(make_id, summary=long_summary)
    res = render_form(d)
    assert res.truncated == ["工作总结摘要"] and res.small == []  # labels never cut
    with pymupdf.open(stream=res.data, filetype="pdf") as doc:
        for page in doc:
            rects, hlines, spans = _boxes_lines_spans(page)
            assert rects
            marks = [s for s in spans if WATERMARK in s["text"]]
            assert marks, "every page carries the diagonal draft mark"
            assert any(abs(ln["dir"][1]) > 0.5 for b in page.get_text("dict")["blocks"]
                       for ln in b.get("lines", ()) if any(WATERMARK in s["text"] for s in ln["spans"]))
            footer_y = max(y for y, _, _ in hlines)  # the footer rule is the lowest horizontal line
            for r in rects:  # no box crosses the footer rule (or any other rule)
                assert r.y1 <= footer_y - 1, (page.number, r, footer_y)
                for y, x0, x1 in hlines:
                    if x1 > r.x0 + 1 and x0 < r.x1 - 1:
                        assert not (r.y0 + 1 < y < r.y1 - 1), (page.number, r, y)
            for s in spans:
                if WATERMARK in s["text"]:
                    continue
                assert s["size"] >= 8 - 0.01, (page.number, s["text"], s["size"])
                g = _glyph_box(s)
                for r in rects:  # a text run is inside a box or clear of it, never across its edge
                    inter = g & r
                    if inter.is_empty or inter.width < 0.5 or inter.height < 0.5:
                        continue
                    assert (g.x0 >= r.x0 - 0.5 and g.x1 <= r.x1 + 0.5 and g.y0 >= r.y0 - 0.5
                            and g.y1 <= r.y1 + 0.5), (page.number, s["text"], g, r)


def test_no_line_starts_with_a_lone_closing_bracket(make_id) -> None:
    assert all(not ln.startswith("）") for ln in wrap("学位（取得时间）", 57.0, 9.5))
    res = render_form(_data(make_id))
    with pymupdf.open(stream=res.data, filetype="pdf") as doc:
        lines = [ln.strip() for ln in doc[0].get_text().splitlines()]
    assert "）" not in lines and ")" not in lines


def test_small_text_is_named_in_the_warnings(db, make_id, tmp_path: Path) -> None:
    from app.services.forms import generate_form
    from app.services.letters import save_inputs
    from app.services.roster import save_person

    d = _data(make_id)
    saved = save_person(db, d.person).person
    save_inputs(db, saved.id, summary="很长的工作总结。" * 300)
    report = generate_form(db, saved.id, tmp_path / "out.pdf", profile_id="korla-2024", as_of=D(2024, 10, 25))
    assert any("工作总结摘要" in w and "8 磅" in w for w in report.warnings)
