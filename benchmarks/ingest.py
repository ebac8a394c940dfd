"""Documents: ingest of a 100-page scanned PDF (pages/s), thumbnails (pages/s), compression to the
upload limit (files/s).

Baselines measured in the same run, on the same input:
- ingest  vs. PyMuPDF merely opening the PDF and loading every page (the floor any ingest pays);
  our ingest additionally reads each page's text and image placement, hashes and stores the file
  (atomic write + fsync) and writes 100 page rows in one transaction.
- thumbnails (256 px) vs. full renders of the same pages at 150 dpi.
- compression of 300-dpi colour scans on textured paper (fit ≤ 600 KB at ≥ 150 dpi, JPEG quality
  search and downscaling) vs. one plain JPEG encode (q 92) of the same page.
The ratio says how many baselines one unit of our work costs (ingest, compression) or how much
faster thumbnails are than full renders.

    .venv/bin/python benchmarks/ingest.py [--pages 100] [--dpi 200] [--files 10]

Invented content only (random paragraphs drawn by Pillow).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--files", type=int, default=10)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="chuding-bench-"))
    os.environ["CHUDING_DATA_DIR"] = str(tmp / "data")

    import pymupdf
    from PIL import Image

    from app.documents.compress import compress_pages
    from app.documents.render import PageRef, render, thumbnail_png
    from app.documents.vault import vault_for
    from app.domain.person import PersonData
    from app.models.db import open_database
    from app.policy.identifiers import make_id_number
    from app.services.packet import add_documents, list_documents
    from app.services.roster import save_person
    from tests.fixtures.docs import gen

    # --- input: a scanned PDF, every page a JPEG of an A4 text page at --dpi ---------------------
    t0 = time.perf_counter()
    from PIL import ImageDraw

    pages = [gen.text_page((round(8.27 * args.dpi), round(11.69 * args.dpi)), seed=i) for i in range(4)]
    jpegs = []
    doc = pymupdf.open()
    for i in range(args.pages):  # every page a distinct image (a page number drawn on one of 4 texts)
        im = pages[i % 4].copy()
        ImageDraw.Draw(im).text((im.width // 2, im.height - 60), f"- {i + 1} -", fill=0)
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=75)
        jpegs.append(buf.getvalue())
        page = doc.new_page(width=595, height=842)
        page.insert_image(page.rect, stream=jpegs[-1])
    pdf_path = tmp / "scan100.pdf"
    doc.save(pdf_path)
    doc.close()
    print(f"input: {args.pages}-page scanned PDF at {args.dpi} dpi, {pdf_path.stat().st_size / 1e6:.1f} MB "
          f"(built in {time.perf_counter() - t0:.1f} s)")

    # --- baseline: open + load every page --------------------------------------------------------
    t = time.perf_counter()
    with pymupdf.open(pdf_path) as d:
        for p in d:
            _ = p.rect
    base_ingest = time.perf_counter() - t

    db = open_database(tmp / "bench.sqlite3")
    person = save_person(db, PersonData(name="基准测试", gender="男",
                                        id_number=make_id_number("650102", dt.date(1999, 1, 1), 7, male=True)))
    t = time.perf_counter()
    r = add_documents(db, person.person.id, "contract", [pdf_path])  # type: ignore[arg-type]
    ingest = time.perf_counter() - t
    assert r.pages == args.pages
    print(f"ingest:      {args.pages / ingest:8.1f} pages/s  ({ingest:.2f} s)   baseline open+load "
          f"{args.pages / base_ingest:8.1f} pages/s   ratio {ingest / base_ingest:.1f}×")

    # --- thumbnails vs full renders --------------------------------------------------------------
    vault = vault_for(db)
    info = list_documents(db, person.person.id)[0]
    refs = [PageRef(p.blob_sha, p.kind, p.source_page, p.rotation, p.dpi) for p in info.pages]
    data = vault.read_bytes(refs[0].blob_sha)  # read once; both loops render from memory
    n_full = min(20, len(refs))
    t = time.perf_counter()
    for ref in refs[:n_full]:
        render(vault, ref, dpi=150, data=data)
    full = (time.perf_counter() - t) / n_full
    t = time.perf_counter()
    for ref in refs:
        thumbnail_png(vault, ref, 256, data=data)
    thumbs = (time.perf_counter() - t) / len(refs)
    print(f"thumbnails:  {1 / thumbs:8.1f} pages/s  (256 px)          baseline 150-dpi render "
          f"{1 / full:8.1f} pages/s   ratio {full / thumbs:.1f}× faster")

    # --- compression to the upload limit ---------------------------------------------------------
    # 300-dpi colour scans of text on textured paper: these need the quality search / downscaling.
    noise = Image.effect_noise((2480, 3508), 40).convert("RGB")
    base300 = [Image.blend(gen.text_page((2480, 3508), seed=10 + i).convert("RGB"), noise, 0.25) for i in range(2)]
    imgs = [base300[i % 2] for i in range(args.files)]
    t = time.perf_counter()
    for im in imgs:
        buf = io.BytesIO()
        im.save(buf, "JPEG", quality=92)
    base_c = (time.perf_counter() - t) / len(imgs)
    t = time.perf_counter()
    results = [compress_pages([im], dpi=300) for im in imgs]
    comp = (time.perf_counter() - t) / len(imgs)
    ok = sum(r.ok for r in results)
    sizes = sorted(r.size // 1024 for r in results)
    print(f"compression: {1 / comp:8.2f} files/s  ({ok}/{len(results)} fit 600 KB; {sizes[0]}–{sizes[-1]} KB; "
          f"q {min(r.quality for r in results)}–{max(r.quality for r in results)}, "
          f"{min(r.dpi or 0 for r in results):.0f}–{max(r.dpi or 0 for r in results):.0f} dpi)   "
          f"baseline one JPEG encode {1 / base_c:8.2f} files/s   ratio {comp / base_c:.1f}×")
    print(f"machine: {os.cpu_count()} cores, shared with other work while measured")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
