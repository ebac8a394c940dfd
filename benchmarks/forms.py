"""Benchmark: 呈报表 draft generation (2 copies, 4 pages) and letters for 100 persons.

Goals (issue 7): one form < 300 ms and < 500 KB; letters reported as documents/s.
Baselines measured in the same run: a bare 4-page reportlab PDF with one CJK line per page (the
floor cost of any PDF with our font) and an empty python-docx document saved to memory.

    .venv/bin/python benchmarks/forms.py [--persons 100]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image

from app.domain.person import ContinuingEducation, Education, PersonData, UnitData
from app.export.form import FONT_NAME, FormData, cjk_font, render_form, years_from_person
from app.export.letters import (
    LetterContext,
    LetterPerson,
    Publicity,
    Qualification,
    UnitInfo,
    load_template,
    render_letters,
    write_letters,
)
from app.policy.identifiers import make_id_number

D = dt.date


def person(i: int) -> PersonData:
    return PersonData(
        name=f"测试人员{i:03d}", gender="男" if i % 2 else "女", ethnicity="汉族", political_status="群众",
        id_number=make_id_number("650102", D(1999, 1, 1) + dt.timedelta(days=i), i, male=bool(i % 2)),
        series="工程", specialty="电力", position="技术员", work_start=D(2023, 7, 10), phone="13900000000",
        educations=[Education(level="本科", mode="全日制", school="测试大学", major="电气工程",
                              graduation_date=D(2023, 6, 30), degree="学士", degree_date=D(2023, 6, 30))],
        assessments={2023: "合格", 2024: "优秀"}, continuing_education={2024: ContinuingEducation(2024, 30, 60)},
        unit=UnitData(name="测试科技有限公司", nature="民营企业", location="乌鲁木齐市", level="地州市"))


def photo() -> bytes:
    im = Image.effect_noise((295, 413), 60).convert("RGB")
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def timed(fn, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def baseline_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, initialFontName=FONT_NAME)
    for _ in range(4):
        c.setFont(FONT_NAME, 12)
        c.drawString(72, 720, "初次确定专业技术职务呈报表")
        c.showPage()
    c.save()
    return buf.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    t0 = time.perf_counter()
    font = cjk_font()
    print(f"font registration (once per process): {(time.perf_counter() - t0) * 1000:.0f} ms — {font}")

    data = FormData(person(1), Qualification("初定", "初级", "助理工程师", 1), unit_name="测试科技有限公司",
                    summary="本人自参加工作以来认真履职，积极参与技术改造。" * 40, photo=photo(),
                    years=years_from_person(person(1), [2023, 2024]), basis="全日制本科毕业满1年", generated=D(2025, 3, 1))
    render_form(data)  # warm-up
    form_times = timed(lambda: render_form(data), args.repeat)
    base_times = timed(baseline_pdf, args.repeat)
    size = len(render_form(data).data)
    med, base = statistics.median(form_times), statistics.median(base_times)
    print(f"form (2 copies, 4 pages, with photo): median {med * 1000:.1f} ms, max {max(form_times) * 1000:.1f} ms, "
          f"{size / 1024:.0f} KB, {1 / med:.1f} forms/s")
    print(f"baseline (bare 4-page CJK PDF): median {base * 1000:.1f} ms; ratio form/baseline = {med / base:.1f}x")
    print(f"goal < 300 ms: {'met' if med < 0.3 else 'MISSED'}; goal < 500 KB: {'met' if size < 500_000 else 'MISSED'}")

    from docx import Document

    def empty_docx() -> None:
        Document().save(io.BytesIO())

    tpl = load_template("urumqi-private-2025")
    people = [LetterPerson(person(i), Qualification("初定", "初级", years=1), political="政治立场坚定。" * 5,
                           achievements="完成多项技术改造。" * 10) for i in range(args.persons)]
    pub = Publicity(D(2025, 3, 3), D(2025, 3, 7), [D(2025, 3, 3) + dt.timedelta(days=k) for k in range(5)])
    ctx = LetterContext(UnitInfo("测试科技有限公司", "综合部", "0991-0000000"), pub, D(2025, 3, 10), (2000, 3000))
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        n = 0
        for kind in ("gongshi", "gongshi-result", "chengnuo"):
            letters = render_letters(kind, tpl, people, ctx)
            write_letters(letters, Path(tmp) / kind)
            n += len(letters)
        letters = render_letters("tuijian", tpl, people, ctx)
        write_letters(letters, Path(tmp) / "tuijian")
        n += len(letters)
        elapsed = time.perf_counter() - t
    base_docx = statistics.median(timed(empty_docx, args.repeat))
    per_doc = elapsed / n
    print(f"letters: {n} documents for {args.persons} persons in {elapsed:.2f} s = {n / elapsed:.0f} documents/s "
          f"({per_doc * 1000:.1f} ms each, written to disk)")
    print(f"baseline (empty python-docx save): {base_docx * 1000:.1f} ms; ratio letter/baseline = "
          f"{per_doc / base_docx:.1f}x")


if __name__ == "__main__":
    main()
