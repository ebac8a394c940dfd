"""Masking benchmarks (DESIGN/issue 6 goals), each printed as a rate and a ratio to a same-run baseline.

    .venv/bin/python benchmarks/masking.py [--pages N] [--ocr-rounds N]

1. burn-in + write of A4 200 dpi JPEG scans, pinned to one core: goal ≥ 10 pages/s and ≤ 2× a Pillow
   decode+encode of the same pages (baseline, same run, same core);
   also the full fail-closed apply (burn + verify without OCR) for reference;
2. seal + eye suggestions: goal < 150 ms/page (baseline: a Pillow decode of the same page);
   and (issue 19) `apply_masks` end to end with its default verification on a 20-page PDF of the scans,
   both cores: goal ≥ 6 pages/s, printed beside the Pillow decode+encode floor;
3. OCR suggestions at 200 dpi: goal ≤ 2 s/page (baseline: a stock RapidOCR call on the same page);
4. first page visible in the editor for a 10 MB scan: goal < 200 ms (baseline: full Pillow decode of it);
   medians of three.
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


def _scan_pdf(pages: list[bytes], path: Path) -> Path:
    import pymupdf

    doc = pymupdf.open()
    for data in pages:
        page = doc.new_page(width=595.28, height=841.89)
        page.insert_image(page.rect, stream=data)
    doc.save(path)
    doc.close()
    return path


def bench_apply_verified(pages: list[bytes], tmp: Path) -> None:
    """Issue 19: `mask apply` end to end with its default verification (OCR check included) on a PDF
    of the A4 200 dpi scans, both cores; baseline: a Pillow decode + encode of the same pages, same run.
    Boxes: name and unit inside lines of text, a seal box whose bottom edge cuts a line of text."""
    from app.masking.suggest.ocr import get_engine

    src = _scan_pdf(pages, tmp / "scan.pdf")
    boxes = BoxSet([PageBoxes(i, list(BOXES.for_page(0))) for i in range(len(pages))])
    get_engine()
    apply_masks(src, BoxSet([PageBoxes(0, list(BOXES.for_page(0)))]), tmp / "warm.pdf")  # warm-up
    t0 = time.perf_counter()
    for data in pages:
        im = Image.open(io.BytesIO(data))
        q = im.quantization
        im.load()
        buf = io.BytesIO()
        im.save(buf, "JPEG", qtables=q, subsampling=2)
    base = (time.perf_counter() - t0) / len(pages)
    t0 = time.perf_counter()
    result = apply_masks(src, boxes, tmp / "masked.pdf", secrets=["阿依古丽·买买提", "库尔勒市第一中学"])
    ours = (time.perf_counter() - t0) / len(pages)
    ocr = result.report.get("ocr_in_boxes") if result.report else None
    print(f"apply with default verification (OCR check on), {len(pages)}-page PDF: {1 / ours:.1f} pages/s "
          f"({ours * 1000:.0f} ms/page); Pillow decode+encode {base * 1000:.0f} ms/page → ratio {ours / base:.1f}× "
          f"(goal ≥ 6 pages/s; was 1.8 pages/s ≈ 30×); OCR check: {ocr.detail if ocr else '—'}")


def bench_suggest(pages: list[bytes]) -> None:
    from app.masking.suggest.eyes import suggest_eyes
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
    page = np.asarray(certificate_image(size=(4961, 7016)))  # A4 at 600 dpi with paper grain
    big = Image.fromarray(np.clip(page.astype(np.int16) + rng.normal(0, 6, page.shape), 0, 255).astype(np.uint8))
    path = tmp / "big.jpg"
    for quality in (95, 94, 93, 92, 91, 90):  # the case: a 10 MB scan (≥ 10 MB, the first that is)
        big.save(tmp / "try.jpg", quality=quality)
        if (tmp / "try.jpg").stat().st_size < 10e6:
            break
        (tmp / "try.jpg").replace(path)
    if not path.exists():
        (tmp / "try.jpg").replace(path)
    size_mb = path.stat().st_size / 1e6
    decodes = []
    for _ in range(3):
        t0 = time.perf_counter()
        with Image.open(path) as im:
            im.load()
        decodes.append(time.perf_counter() - t0)
    decode = sorted(decodes)[1]
    first_page_pixmap_timing(path)  # warm-up (imports, Qt image plugins)
    shown = sorted(first_page_pixmap_timing(path) for _ in range(3))[1]
    print(f"editor first page visible: {shown * 1000:.0f} ms for a {size_mb:.1f} MB scan; "
          f"full Pillow decode {decode * 1000:.0f} ms → ratio {shown / decode:.2f}× (goal < 200 ms)")
    del app


def _render_pdf_page(data: bytes, dpi: int = 200) -> np.ndarray:
    import pymupdf

    with pymupdf.open(stream=data, filetype="pdf") as doc:
        pix = doc[0].get_pixmap(dpi=dpi)
        return np.frombuffer(pix.samples, np.uint8).reshape(pix.h, pix.w, pix.n)[:, :, :3].copy()


def bench_ocr(dense_scan: bytes, rounds: int) -> None:
    """OCR suggestions (name + unit) per page, against the same pages read by a stock RapidOCR call
    (its defaults: detection at up to 2000 px, full-width lines, batches of 6, all cores) — what the
    app did before. Pages: the dense generated scan above, a full 工作小结 page of text rendered at
    200 dpi (≈ 1 300 characters, the densest page officers mask), and the demo's ID card, diploma,
    考核表 and the contract page whose name and unit lie under the seal."""
    from app.documents import demo_scans as ds
    from app.masking.suggest import suggest_page
    from app.masking.suggest.ocr import get_engine
    from app.services.demo import demo_people

    if get_engine() is None:
        print("OCR: skipped (engine not installed)")
        return
    from rapidocr_onnxruntime import RapidOCR

    stock = RapidOCR(print_verbose=False)
    p = demo_people()[1]
    rgb = lambda b: np.asarray(Image.open(io.BytesIO(b)).convert("RGB"))  # noqa: E731
    pages = {
        "dense scan 200 dpi": rgb(dense_scan),
        "工作小结 200 dpi": _render_pdf_page(ds.work_summary_pdf(p, 1500, 1)),
        "ID card": rgb(ds.id_card_front(p, 1)),
        "diploma": rgb(ds.diploma(p, p.highest_education, 1)),
        "考核表 front": rgb(ds.assessment_form(p, 2024, "合格", 3)[0]),
        "contract p2 (seal over name, unit)": np.asarray(ds.contract_pages(p, 1)[1].convert("RGB")),
    }
    suggest_page(pages["ID card"], None, names=[p.name], units=[p.unit.name], kinds=("ocr",), use_cache=False)
    stock(np.ascontiguousarray(pages["ID card"][:, :, ::-1]), return_word_box=True)  # warm-up both
    worst = 0.0
    for label, a in pages.items():
        times, boxes = [], []
        for _ in range(rounds):
            t0 = time.perf_counter()
            boxes = suggest_page(a, None, names=[p.name], units=[p.unit.name], kinds=("ocr",), use_cache=False)
            times.append(time.perf_counter() - t0)
        t_new = sorted(times)[len(times) // 2]
        t0 = time.perf_counter()
        res, _ = stock(np.ascontiguousarray(a[:, :, ::-1]), return_word_box=True)
        t_stock = time.perf_counter() - t0
        chars = sum(len(r[1]) for r in res or [])
        cats = [b.category for b in boxes]
        worst = max(worst, t_new)
        print(f"OCR suggestions, {label} {a.shape[1]}×{a.shape[0]}, {chars} characters: {t_new:.2f} s/page "
              f"(stock RapidOCR {t_stock:.2f} s → {t_stock / t_new:.1f}× faster); "
              f"found name ×{cats.count('name')}, unit ×{cats.count('unit')}")
    print(f"OCR suggestions, slowest page: {worst:.2f} s (goal ≤ 2 s/page)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--ocr-rounds", type=int, default=3, help="runs per OCR page (median); 0 skips OCR")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} (shared with other work)")
    pages = make_pages(args.pages)
    print(f"{len(pages)} A4 200 dpi JPEG pages, {sum(map(len, pages)) / len(pages) / 1024:.0f} KB each")
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_burn(pages, tmp)
        bench_apply_verified(pages, tmp)
        bench_suggest(pages)
        if args.ocr_rounds > 0:
            bench_ocr(pages[0], args.ocr_rounds)
        bench_editor_first_page(tmp)


if __name__ == "__main__":
    main()
