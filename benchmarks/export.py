"""Bundle export: 100 persons × 20 scanned pages (≈ 2,000 pages, no OCR). Goal: < 60 s, peak RSS < 500 MB.

Setup (not timed): a real SQLite database with 100 invented, eligible persons; every person gets
20 pages of A4 scans at 200 dpi (JPEG, ~0.55 MB each; 24 distinct generated pages, so the vault
stays small) spread over the slots of urumqi-private-2025 like a real packet: ID card 2 pages, photo,
contract 3, diploma, degree, 备案表, degree report, 考核表 2 per required year, 工作小结 4, and
one-page 继续教育 certificates to make up 20. Files holding several pages must be compressed to fit
600 KB; one-page files pass through unchanged. ``--masked`` marks that share of the
pages in mask-required slots as masked (real apply_masks outputs, boxes recorded) — those files are
then verified (fail-closed, no OCR) during the export; the rest are marked 无需遮盖.

Timed: ``export_bundle`` (pre-flight + build, process pool) in a child process, so its peak RSS and
that of its pool workers (RUSAGE_CHILDREN, the largest worker) are measured alone.
Baseline in the same run: plain copy of the same 2,000 page files into a folder (what a
"just copy the scans" export would cost). Ratio = export time / copy time.

    .venv/bin/python benchmarks/export.py [--persons 100] [--pages 20] [--masked 0.0] [--workers 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PROFILE = "urumqi-private-2025"
NAME_BOX = {"category": "name", "x0": 0.10, "y0": 0.05, "x1": 0.50, "y1": 0.10, "score": 1.0, "source": "manual"}


def scan(seed: int) -> bytes:
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    w, h = 1654, 2339  # A4 at 200 dpi
    im = Image.new("RGB", (w, h), (247, 246, 241))
    d = ImageDraw.Draw(im)
    d.rectangle([int(0.12 * w), int(0.06 * h), int(0.45 * w), int(0.085 * h)], fill=(30, 30, 35))
    for y in range(int(0.14 * h), int(0.92 * h), 44):
        x = 160
        while x < w - 200:
            n = int(rng.integers(20, 140))
            d.rectangle([x, y, x + n, y + 20], fill=(45, 45, 50))
            x += n + int(rng.integers(10, 40))
    arr = np.asarray(im).astype(np.int16) + rng.integers(-4, 5, (h, w, 3))
    im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90, dpi=(200, 200))
    return buf.getvalue()


def setup(root: Path, n_persons: int, n_pages: int, masked_share: float) -> tuple[Path, list[Path]]:
    from app.documents.vault import vault_for
    from app.domain.person import Education, PersonData, UnitData
    from app.masking import BoxSet, apply_masks
    from app.models.db import open_database
    from app.models.documents import Document, Page
    from app.models.masking import PageMask
    from app.policy.eligibility import evaluate
    from app.policy.identifiers import make_id_number
    from app.policy.profiles import load_profile
    from app.services.roster import save_person

    db_path = root / "bench.sqlite3"
    db = open_database(db_path)
    vault = vault_for(db)
    profile = load_profile(PROFILE)
    as_of = profile.default_as_of
    scans = [scan(i) for i in range(24)]
    shas = [vault.put_bytes(s) for s in scans]
    masked_shas = []
    for i, s in enumerate(scans[:8] if masked_share > 0 else []):
        src, out = root / f"m{i}.jpg", root / f"m{i}.masked.jpg"
        src.write_bytes(s)
        apply_masks(src, BoxSet.from_json({"pages": [{"index": 0, "boxes": [NAME_BOX]}]}), out, ocr=False)
        masked_shas.append(vault.put_file(out))
    sizes = [len(s) for s in scans]
    print(f"setup: 24 distinct scans, {min(sizes) // 1024}–{max(sizes) // 1024} KB each", file=sys.stderr)
    plan = [("id_card", None, 2), ("photo", None, 1), ("contract", None, 3), ("diploma", None, 1),
            ("degree_cert", None, 1), ("chsi_record", None, 1), ("degree_verification", None, 1)]
    page_files: list[Path] = []
    masked_pages = 0
    k = 0
    for i in range(n_persons):
        p = PersonData(
            name=f"示例{i:03d}", gender="男" if i % 2 else "女", ethnicity="汉族",
            id_number=make_id_number("650102", dt.date(1998, 1, 1) + dt.timedelta(days=i), 7 + i, male=bool(i % 2)),
            work_start=dt.date(2023, 7, 10), series="工程", specialty="电力", position="技术员", contract=True,
            dispatched=False, first_application=True,
            educations=[Education(level="本科", mode="全日制", school="示例大学", major="电气",
                                  graduation_date=dt.date(2023, 6, 30), degree="学士",
                                  degree_date=dt.date(2023, 6, 30))],
            assessments={2023: "合格", 2024: "合格"},
            unit=UnitData(name="示例科技有限公司", nature="民营企业", location="乌鲁木齐市", level="地州市"))
        saved = save_person(db, p).person
        v = evaluate(saved, profile, as_of)
        person_plan = list(plan) + [("assessment", y, 2) for y in v.required_years] + [("work_summary", None, 4)]
        year = 2024
        while sum(n for _, _, n in person_plan) < n_pages:  # one-page continuing-education certificates
            person_plan.append(("continuing_education", year, 1))
            year -= 1
        with db.session() as s:
            for slot, year, n in person_plan:
                spec = profile.material(slot)
                doc = Document(person_id=saved.id, slot=slot, year=year, title=slot, status="active",
                               issue_date=as_of - dt.timedelta(days=5) if slot == "chsi_record" else None,
                               word_count=2500 if slot == "work_summary" else None)
                for j in range(n):
                    k += 1
                    idx = k % len(shas)
                    mask = bool(spec and spec.mask)
                    is_masked = mask and masked_shas and (k % 100) < masked_share * 100
                    m_idx = k % len(masked_shas) if is_masked else 0
                    page = Page(index=j, blob_sha=shas[m_idx if is_masked else idx], kind="jpeg", source_page=0,
                                width_px=1654, height_px=2339, dpi=200, rotation=0,
                                mask_state="masked" if is_masked else "not_needed",
                                masked_sha=masked_shas[m_idx] if is_masked else None)
                    doc.pages.append(page)
                    page_files.append(vault.path_of(page.blob_sha))
                    masked_pages += int(bool(is_masked))
                s.add(doc)
                s.flush()
                for page in doc.pages:
                    if page.mask_state == "masked":
                        s.add(PageMask(page_id=page.id, boxes_json=json.dumps([NAME_BOX]), reviewed=True))
    db.dispose()
    print(f"setup: {n_persons} persons, {len(page_files)} pages ({masked_pages} masked)", file=sys.stderr)
    return db_path, page_files


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (Linux /proc)."""
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children", encoding="ascii") as fh:
                    stack.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total


def child(db_path: str, out: str, workers: int) -> None:
    from app.models.db import open_database
    from app.services.export import export_bundle

    db = open_database(db_path)
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    cpu0 = r0.ru_utime + r0.ru_stime
    t = time.perf_counter()
    res = export_bundle(db, out, profile_id=PROFILE, workers=workers)
    seconds = time.perf_counter() - t
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "pages": res.pages, "files": res.files, "bytes": res.bytes,
                      "self_rss_kb": me.ru_maxrss, "child_rss_kb": kids.ru_maxrss,
                      "self_cpu": me.ru_utime + me.ru_stime - cpu0, "child_cpu": kids.ru_utime + kids.ru_stime,
                      "persons": len(res.manifest.persons)}))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=100)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--masked", type=float, default=0.0, help="share of mask-slot pages that are masked (0–1)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--child", nargs=3, metavar=("DB", "OUT", "WORKERS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return 0
    with tempfile.TemporaryDirectory(prefix="chuding-bench-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "CHUDING_DATA_DIR": str(root / "data")}
        os.environ["CHUDING_DATA_DIR"] = env["CHUDING_DATA_DIR"]
        db_path, page_files = setup(root, args.persons, args.pages, args.masked)
        # Baseline: plain copy of the same page files.
        t = time.perf_counter()
        copy_dir = root / "copy"
        copy_dir.mkdir()
        for i, f in enumerate(page_files):
            shutil.copyfile(f, copy_dir / f"{i:05d}.jpg")
        copy_s = time.perf_counter() - t
        out = root / "bundle"
        proc = subprocess.Popen([sys.executable, __file__, "--child", str(db_path), str(out), str(args.workers)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        sampled = 0
        while proc.poll() is None:  # the real peak: child + its workers, sampled together every 0.1 s
            sampled = max(sampled, tree_rss_kb(proc.pid))
            time.sleep(0.1)
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            sys.stderr.write(stderr)
            return 1
        res = json.loads(stdout.strip().splitlines()[-1])
        from app.export.bundle_verify import verify_bundle

        t = time.perf_counter()
        rep = verify_bundle(out)
        verify_s = time.perf_counter() - t
        pages = res["pages"]
        peak = res["self_rss_kb"] + args.workers * res["child_rss_kb"]
        print(f"export: {res['persons']} persons, {pages} pages, {res['files']} files, "
              f"{res['bytes'] / 1e6:.0f} MB in {res['seconds']:.1f} s = {pages / res['seconds']:.0f} pages/s "
              f"(goal < 60 s)")
        print(f"baseline plain copy of the same {len(page_files)} pages: {copy_s:.2f} s "
              f"= {len(page_files) / copy_s:.0f} pages/s; ratio export/copy = {res['seconds'] / copy_s:.0f}×")
        print(f"peak RSS: main {res['self_rss_kb'] / 1024:.0f} MB, largest worker {res['child_rss_kb'] / 1024:.0f} MB; "
              f"sampled peak of main + workers together {sampled / 1024:.0f} MB (goal < 500 MB); "
              f"upper bound main + {args.workers} × largest worker = {peak / 1024:.0f} MB")
        cpu = res["self_cpu"] + res["child_cpu"]
        idle = max(res["self_cpu"], cpu / args.workers)
        print(f"CPU time: main {res['self_cpu']:.1f} s + workers {res['child_cpu']:.1f} s = {cpu:.1f} s; "
              f"on {args.workers} otherwise idle cores that is ≈ {idle:.0f} s wall ({pages / idle:.0f} pages/s); "
              f"load average during the run: {os.getloadavg()[0]:.1f}")
        print(f"verify-bundle: {verify_s:.1f} s, ok={rep.ok}")
        return 0 if res["seconds"] < 60 and sampled < 500 * 1024 and rep.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
