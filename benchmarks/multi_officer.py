"""Several officers on one PostgreSQL server: 5 processes working one round of 200 persons at once.

Each officer (a process with its own user data dir) does, at the same time as the others:
  - a partial roster import --update of its share (40 persons: one column, 联系电话);
  - an edit of EVERY person of the round (append its tag to 备注): all five officers save the same
    200 persons, so saves collide; a conflict is answered as the UI does (重新载入, then save again);
  - for its share: a scan added (docs add), boxes saved on the page (masking), the person's status;
  - the whole unit's status at the end.
Checked afterwards: every person carries all five tags and its officer's phone (no lost update),
200 documents and 200 saved mask pages, no error.

Baseline in the same run: the same total work done by ONE officer on a SQLite file (sequentially).

    .venv/bin/python benchmarks/multi_officer.py --pg postgresql://user@127.0.0.1:5432/db [--persons 200]

Invented data only (generated names, valid-checksum ID numbers that belong to no one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OFFICERS = 5
PROFILE = "urumqi-private-2025"


def p95(values: list[float]) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, round(0.95 * (len(v) - 1)))]


def _jpeg(seed: int) -> bytes:
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (1240, 1754), (250, 250, 245))
    d = ImageDraw.Draw(im)
    for i in range(30):
        d.rectangle((80, 100 + i * 50, 1100 - (seed * 7 + i * 13) % 400, 120 + i * 50), fill=(40, 40, 40))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80, dpi=(150, 150))
    return buf.getvalue()


def seed_round(url: str, n: int) -> list[str]:
    from app.domain.person import Education, PersonData, UnitData
    from app.models.db import open_database
    from app.policy.identifiers import make_id_number
    from app.services.roster import save_person

    db = open_database(url)
    ids = []
    for i in range(n):
        male = i % 2 == 0
        idn = make_id_number("650102", dt.date(1990 + i % 8, 1 + i % 12, 1 + i % 27), 100 + i * 2, male=male)
        save_person(db, PersonData(
            name=f"测试{i:03d}", gender="男" if male else "女", id_number=idn, work_start=dt.date(2019, 7, 1),
            series="工程", specialty="电力", contract=True, dispatched=False, first_application=True,
            educations=[Education(level="本科", mode="全日制", graduation_date=dt.date(2019, 6, 30), degree="学士",
                                  degree_date=dt.date(2019, 6, 30))],
            assessments={2023: "合格", 2024: "合格"}, unit=UnitData(name="新疆示例科技有限公司", nature="民营企业")))
        ids.append(idn)
    db.dispose()
    return ids


def officer(url: str, data_dir: str, tags: list[int], ids: list[str], out: Any) -> None:
    """One officer's work for each tag in ``tags`` (one tag = one officer's share)."""
    os.environ["CHUDING_DATA_DIR"] = data_dir
    import openpyxl

    from app.errors import ChudingError, ConflictError
    from app.masking.boxes import Box
    from app.models.db import open_database
    from app.services import masking, packet, roster
    from app.services.documents import page_ids_of
    from app.services.roster_exchange import import_roster

    db = open_database(url)
    save_ms: list[float] = []
    status_ms: list[float] = []
    import_ms: list[float] = []
    other_ms: list[float] = []
    conflicts = errors = ops = 0
    tmp = Path(data_dir)
    try:
        for tag in tags:
            share = [idn for k, idn in enumerate(ids) if k % OFFICERS == tag]
            wb = openpyxl.Workbook()
            ws = wb.active
            ws.append(["姓名", "身份证号", "联系电话"])
            for k, idn in enumerate(ids):
                if k % OFFICERS == tag:
                    ws.append([f"测试{k:03d}", idn, f"139{tag:02d}{k:06d}"])
            xlsx = tmp / f"share{tag}.xlsx"
            wb.save(xlsx)
            t0 = time.perf_counter()
            rep = import_roster(db, xlsx, update=True)
            import_ms.append((time.perf_counter() - t0) * 1000)
            ops += 1
            if rep.rejected_rows:
                errors += rep.rejected_rows
            order = ids[tag * 7:] + ids[:tag * 7]  # everyone edits everyone, starting at different places
            for idn in order:
                t0 = time.perf_counter()
                while True:
                    p = roster.find_person(db, idn)
                    p.notes = (p.notes + f" O{tag}").strip()
                    try:
                        roster.save_person(db, p)
                        break
                    except ConflictError:
                        conflicts += 1  # 重新载入 and save again
                save_ms.append((time.perf_counter() - t0) * 1000)
                ops += 1
            for k, idn in enumerate(share):
                t0 = time.perf_counter()
                scan = tmp / f"s{tag}-{k}.jpg"
                scan.write_bytes(_jpeg(tag * 1000 + k))
                res = packet.add_documents(db, idn, "diploma", [scan])
                page_id = page_ids_of(db, res.document_id)[0]
                st = masking.get_page_boxes(db, page_id)
                masking.save_page_boxes(db, page_id, [Box("name", 0.1, 0.1, 0.3, 0.14)], expected_version=st.version)
                other_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                packet.packet_status(db, roster.find_person(db, idn).id, PROFILE)
                status_ms.append((time.perf_counter() - t0) * 1000)
                ops += 3
        t0 = time.perf_counter()
        packet.packet_status(db, None, PROFILE)
        status_ms.append((time.perf_counter() - t0) * 1000)
        ops += 1
    except ChudingError as exc:
        errors += 1
        print(f"officer {tags}: {exc.message}", file=sys.stderr)
    finally:
        db.dispose()
    out.put({"save_ms": save_ms, "status_ms": status_ms, "import_ms": import_ms, "other_ms": other_ms,
             "conflicts": conflicts, "errors": errors, "ops": ops})


def verify(url: str, ids: list[str], tags: int) -> dict[str, Any]:
    from sqlalchemy import func, select

    from app.models import Document, PageMask
    from app.models.db import open_database
    from app.services.roster import list_persons

    db = open_database(url)
    try:
        persons = {p.id_number: p for p in list_persons(db)}
        lost_notes = sum(1 for idn in ids if sorted(persons[idn].notes.split()) != [f"O{t}" for t in range(tags)])
        lost_phones = sum(1 for k, idn in enumerate(ids) if not persons[idn].phone.startswith(f"139{k % OFFICERS:02d}"))
        with db.session() as s:
            docs = s.scalar(select(func.count(Document.id))) or 0
            masks = s.scalar(select(func.count(PageMask.page_id))) or 0
    finally:
        db.dispose()
    return {"lost_notes": lost_notes, "lost_phones": lost_phones, "documents": docs, "masks": masks}


def run(url: str, ids: list[str], processes: int, root: Path) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    plan = [list(range(OFFICERS))] if processes == 1 else [[i] for i in range(OFFICERS)]
    procs = [ctx.Process(target=officer, args=(url, str(root / f"officer{i}"), tags, ids, q))
             for i, tags in enumerate(plan)]
    for i in range(len(plan)):
        (root / f"officer{i}").mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    results = [q.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    agg: dict[str, Any] = {k: [x for r in results for x in r[k]] for k in ("save_ms", "status_ms", "import_ms", "other_ms")}
    agg.update({k: sum(r[k] for r in results) for k in ("conflicts", "errors", "ops")})
    agg["wall_s"] = wall
    agg["throughput"] = agg["ops"] / wall
    agg.update(verify(url, ids, OFFICERS))
    return agg


def show(label: str, r: dict[str, Any]) -> None:
    print(f"{label}: {r['ops']} operations in {r['wall_s']:.1f} s → {r['throughput']:.1f} ops/s; "
          f"save p95 {p95(r['save_ms']):.0f} ms (median {statistics.median(r['save_ms'] or [0]):.0f}), "
          f"status p95 {p95(r['status_ms']):.0f} ms, import median {statistics.median(r['import_ms'] or [0]):.0f} ms, "
          f"scan+mask p95 {p95(r['other_ms']):.0f} ms; conflicts answered by reload {r['conflicts']}, "
          f"errors {r['errors']}; lost updates {r['lost_notes'] + r['lost_phones']}; "
          f"documents {r['documents']}, mask pages {r['masks']}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pg", required=True, help="PostgreSQL URL of a database the benchmark may add a schema to")
    ap.add_argument("--persons", type=int, default=200)
    args = ap.parse_args()
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.dburl import normalise_url

    schema = f"bench_multi_{os.getpid()}"
    admin = create_engine(normalise_url(args.pg), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    pg_url = make_url(normalise_url(args.pg)).update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)
    print(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; {args.persons} persons, {OFFICERS} officers")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            os.environ["CHUDING_DATA_DIR"] = str(root / "seed")
            ids = seed_round(pg_url, args.persons)
            pg = run(pg_url, ids, OFFICERS, root / "pg")
            sqlite_url = str(root / "one.sqlite3")
            os.environ["CHUDING_DATA_DIR"] = str(root / "seed-sqlite")
            seed_round(sqlite_url, args.persons)
            one = run(sqlite_url, ids, 1, root / "sqlite")
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
    show("PostgreSQL, 5 officers at once", pg)
    show("SQLite, 1 officer, same work  ", one)
    print(f"throughput ratio (5 officers on PostgreSQL / 1 officer on SQLite): {pg['throughput'] / one['throughput']:.2f}")
    ok = all(r["errors"] == 0 and r["lost_notes"] == 0 and r["lost_phones"] == 0 for r in (pg, one))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
