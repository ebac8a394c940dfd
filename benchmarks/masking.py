"""Masking benchmarks (DESIGN/issue 6 goals), each printed as a rate and a ratio to a same-run baseline.

    .venv/bin/python benchmarks/masking.py [--pages N] [--ocr-pages N]

1. burn-in + write of A4 200 dpi JPEG scans, pinned to one core: goal ≥ 10 pages/s and ≤ 2× a Pillow
   decode+encode of the same pages (baseline, same run, same core);
   also the full fail-closed apply (burn + verify without OCR) for reference;
2. seal + eye suggestions: goal < 150 ms/page (baseline: a Pillow decode of the same page);
3. OCR suggestions at 200 dpi: goal ≤ 2 s/page (baseline: the seal+eye time of the same page);
4. first page visible in the editor for a 10 MB scan: goal < 200 ms (baseline: Pillow decode of it).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.masking.boxes import Box, BoxSet, PageBoxes  # noqa: E402
from app.masking.burn import apply_masks, burn_to_bytes  # noqa: E402
from tests.fixtures.masking.docs import certificate_image, draw_seal, text_page_image  # noqa: E402


def make_pages(n: int) -> list[bytes]:
    """A4 at 200 dpi (1654×2339), text lines + a seal + paper noise, JPEG q85 (typical scanner output)."""
    rng = np.random.default_rng(1)
    base = certificate_image(size=(1654, 2339))
    body = text_page_image([("本人自参加工作以来，认真履行岗位职责，积极参加继续教育，完成各项教学任务。", 0.1,
                             0.5 + k * 0.018, 12) for k in range(24)], size=(1654, 2339))
    base = Image.fromarray(np.minimum(np.asarray(base), np.asarray(body)))
    pages = []
    for i in range(n):
        im = base.copy()
        draw_seal(im, (400 + 40 * i, 1900), 150)
        a = np.asarray(im).astype(np.int16)
        a = np.clip(a + rng.normal(0, 3, a.shape), 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(a).save(buf, "JPEG", quality=85)
        pages.append(buf.getvalue())
    return pages


BOXES = BoxSet([PageBoxes(0, [Box("name", 0.17, 0.2, 0.36, 0.225), Box("unit", 0.25, 0.24, 0.46, 0.265),
                              Box("seal", 0.55, 0.32, 0.8, 0.5)])])


def bench_burn(pages: list[bytes], tmp: Path) -> None:
    pinned = False
    if hasattr(os, "sched_setaffinity"):
        old = os.sched_getaffinity(0)
        os.sched_setaffinity(0, {min(old)})
        pinned = True
    try:
        # warm-up
        burn_to_bytes(pages[0], BOXES)
        t0 = time.perf_counter()
        for data in pages:
            im = Image.open(io.BytesIO(data))
            q = im.quantization
            im.load()
            buf = io.BytesIO()
            im.save(buf, "JPEG", qtables=q, subsampling=2)
            (tmp / "base.jpg").write_bytes(buf.getvalue())
        base = (time.perf_counter() - t0) / len(pages)
        t0 = time.perf_counter()
        sizes = []
        for i, data in enumerate(pages):
            out, _, _ = burn_to_bytes(data, BOXES)
            (tmp / f"m{i}.jpg").write_bytes(out)
            sizes.append(len(out) / len(data))
        ours = (time.perf_counter() - t0) / len(pages)
        print(f"burn-in+write: {1 / ours:.1f} pages/s ({ours * 1000:.0f} ms/page) on one core; "
              f"Pillow decode+encode {base * 1000:.0f} ms/page → ratio {ours / base:.2f}× (goal ≥ 10 pages/s, ≤ 2×); "
              f"output/input bytes {max(sizes):.2f}× max (goal ≤ 1.2×)")
        src = tmp / "in.jpg"
        src.write_bytes(pages[0])
        t0 = time.perf_counter()
        k = min(5, len(pages))
        for i in range(k):
            src.write_bytes(pages[i])
            apply_masks(src, BOXES, tmp / f"a{i}.jpg", secrets=["阿依古丽·买买提"], ocr=False)
        full = (time.perf_counter() - t0) / k
        print(f"apply (burn + fail-closed verify, no OCR): {1 / full:.1f} pages/s ({full * 1000:.0f} ms/page), "
              f"ratio to Pillow decode+encode {full / base:.2f}×")
    finally:
        if pinned:
            os.sched_setaffinity(0, old)


def bench_suggest(pages: list[bytes], ocr_pages: int) -> None:
    from app.masking.suggest.eyes import suggest_eyes
    from app.masking.suggest.ocr import get_engine
    from app.masking.suggest.seal import suggest_seals

    arrays = []
    t0 = time.perf_counter()
    for data in pages:
        arrays.append(np.asarray(Image.open(io.BytesIO(data)).convert("RGB")))
    decode = (time.perf_counter() - t0) / len(pages)
    suggest_seals(arrays[0])
    suggest_eyes(arrays[0])
    t_seal = t_eyes = 0.0
    for a in arrays:
        t0 = time.perf_counter()
        suggest_seals(a)
        t1 = time.perf_counter()
        suggest_eyes(a)
        t_seal += t1 - t0
        t_eyes += time.perf_counter() - t1
    se = (t_seal + t_eyes) / len(arrays)
    print(f"  (seal {t_seal / len(arrays) * 1000:.0f} ms + eyes {t_eyes / len(arrays) * 1000:.0f} ms)")
    print(f"seal+eye suggestions: {se * 1000:.0f} ms/page ({1 / se:.1f} pages/s); "
          f"Pillow decode of the page {decode * 1000:.0f} ms → ratio {se / decode:.2f}× (goal < 150 ms/page)")
    if ocr_pages <= 0 or get_engine() is None:
        print("OCR: skipped")
        return
    from app.masking.suggest import suggest_page

    suggest_page(arrays[0][:400], None, names=["某"], units=["某单位"], kinds=("ocr",))  # model warm-up
    t0 = time.perf_counter()
    for a in arrays[:ocr_pages]:
        suggest_page(a, None, names=["阿依古丽·买买提"], units=["库尔勒市第一中学"], kinds=("ocr",), use_cache=False)
    ocr = (time.perf_counter() - t0) / ocr_pages
    print(f"OCR suggestions at 200 dpi: {ocr:.2f} s/page; ratio to seal+eyes {ocr / se:.0f}× (goal ≤ 2 s/page)")


def bench_editor_first_page(tmp: Path) -> None:
    try:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtWidgets import QApplication

        from app.ui.masking.editor import first_page_pixmap_timing
    except ImportError as exc:
        print(f"editor first page: skipped ({exc})")
        return
    app = QApplication.instance() or QApplication([])
    rng = np.random.default_rng(2)
    page = np.asarray(certificate_image(size=(4961, 7016)))  # A4 at 600 dpi with paper grain: ≈ 10 MB
    big = np.clip(page.astype(np.int16) + rng.normal(0, 6, page.shape), 0, 255).astype(np.uint8)
    path = tmp / "big.jpg"
    Image.fromarray(big).save(path, quality=96)
    size_mb = path.stat().st_size / 1e6
    t0 = time.perf_counter()
    with Image.open(path) as im:
        im.load()
    decode = time.perf_counter() - t0
    shown = first_page_pixmap_timing(path)
    print(f"editor first page visible: {shown * 1000:.0f} ms for a {size_mb:.1f} MB scan; "
          f"full Pillow decode {decode * 1000:.0f} ms → ratio {shown / decode:.2f}× (goal < 200 ms)")
    del app


def bench_ocr_typical() -> None:
    """OCR on the kinds of page officers actually mask: the demo's ID card, diploma and 考核表 (as
    drawn: ID card 1012×638, A4 pages ≈120 dpi), against the dense full-text 200 dpi page above."""
    from app.documents import demo_scans as ds
    from app.masking.suggest import suggest_page
    from app.masking.suggest.ocr import get_engine
    from app.services.demo import demo_people

    if get_engine() is None:
        print("OCR (typical pages): skipped")
        return
    p = demo_people()[0]
    pages = {"ID card": ds.id_card_front(p, 1), "diploma": ds.diploma(p, p.highest_education, 1),
             "考核表 front": ds.assessment_form(p, 2024, "合格", 3)[0]}
    for label, data in pages.items():
        a = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
        t0 = time.perf_counter()
        suggest_page(a, None, names=[p.name], units=[p.unit.name], kinds=("ocr",), use_cache=False)
        print(f"OCR suggestions, {label} {a.shape[1]}×{a.shape[0]}: {time.perf_counter() - t0:.2f} s/page "
              "(goal ≤ 2 s/page)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--ocr-pages", type=int, default=2)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared with other work)")
    pages = make_pages(args.pages)
    print(f"{len(pages)} A4 200 dpi JPEG pages, {sum(map(len, pages)) / len(pages) / 1024:.0f} KB each")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_burn(pages, tmp)
        bench_suggest(pages, args.ocr_pages)
        bench_ocr_typical()
        bench_editor_first_page(tmp)


if __name__ == "__main__":
    main()
