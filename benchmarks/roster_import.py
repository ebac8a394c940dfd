"""Roster import: a 10,000-row .xlsx with every contract column into a fresh SQLite file.

Baseline measured in the same run: openpyxl read-only iteration over the same file (values only,
no header detection, parsing, validation or storage) — the floor any xlsx import pays. Also shown:
the read+validate phase alone (read_roster) and a re-import with --update (every row an update).

    .venv/bin/python benchmarks/roster_import.py [--rows 10000] [--runs 3]

Invented data only: names are generated, ID numbers have a valid checksum but belong to no one.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.policy.identifiers import make_id_number  # noqa: E402
from app.roster.columns import COLUMNS  # noqa: E402

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def make_file(path: Path, n: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["2025 年度专业技术人员花名册（基准测试，虚构数据）"])
    ws.append([c.header for c in COLUMNS])
    base = dt.date(1985, 1, 1)
    for i in range(n):
        birth = base + dt.timedelta(days=i // 100)  # 100 people per birth date, distinct sequence numbers
        male = i % 2 == 0
        grad = dt.date(birth.year + 22, 6, 30)
        values = {
            "姓名": SURNAMES[i % 20] + GIVEN[(i // 20) % 20] + GIVEN[(i // 400) % 20],
            "性别": "男" if male else "女", "民族": "汉族",
            "身份证号": make_id_number("650102", birth, (i % 100) * 4, male=male), "政治面貌": "群众",
            "学历": ("大专", "本科", "硕士研究生")[i % 3], "学习形式": "全日制", "毕业院校": "新疆示例大学",
            "所学专业": "电气工程", "毕业日期": grad if i % 2 else grad.isoformat(),
            "学位": ("无", "学士", "硕士")[i % 3], "学位取得日期": None if i % 3 == 0 else grad,
            "博士后出站日期": None, "参加专业技术工作日期": f"{grad.year}/07/{1 + i % 28:02d}",
            "系列": "工程", "申报专业": "电力", "现岗位": "技术员", "单位名称": f"示例单位{i % 50}",
            "单位性质": "民营企业", "单位所在地": "乌鲁木齐市", "单位层级": "地州市", "四类以下地区": "否",
            "是否派驻": "否", "派驻起始日期": None, "人员状态": "在职", "处分": "无", "处分期满日期": None,
            "劳动合同": "有", "首次申报": "是", "考核结果": "2022:合格;2023:合格;2024:优秀",
            "继续教育": "2023:公需30,专业60;2024:公需30,专业60", "联系电话": f"138{i:08d}",
            "现有职称": "", "统一社会信用代码": "", "备注": "",
        }
        ws.append([values.get(c.header) for c in COLUMNS])
    wb.save(path)


def baseline_iterate(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    n = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return n


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from app.models.db import open_database
    from app.roster.io import read_roster
    from app.services.roster_exchange import import_roster

    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "roster.xlsx"
        t_make, _ = timed(lambda: make_file(src, args.rows))
        print(f"file: {args.rows} rows, {src.stat().st_size / 1024 / 1024:.1f} MB (generated in {t_make:.1f} s)")
        base_t, read_t, imp_t, upd_t = [], [], [], []
        for run in range(args.runs):
            t, _ = timed(lambda: baseline_iterate(src))
            base_t.append(t)
            t, res = timed(lambda: read_roster(src))
            read_t.append(t)
            assert len(res.rows) == args.rows and not any(r.has_errors for r in res.rows)  # type: ignore[attr-defined]
            db = open_database(tmpdir / f"bench{run}.sqlite3")
            try:
                t, rep = timed(lambda db=db: import_roster(db, src))
                imp_t.append(t)
                assert rep.created == args.rows and rep.ok, (rep.created, len(rep.duplicates))  # type: ignore[attr-defined]
                if run == 0:
                    t, rep = timed(lambda db=db: import_roster(db, src, update=True))
                    upd_t.append(t)
                    assert rep.updated == args.rows, rep.updated  # type: ignore[attr-defined]
            finally:
                db.dispose()
        b, r, i = statistics.median(base_t), statistics.median(read_t), statistics.median(imp_t)
        n = args.rows
        print(f"baseline  openpyxl read-only iteration: {b:6.2f} s  {n / b:8.0f} rows/s")
        print(f"read_roster (parse + validate):        {r:6.2f} s  {n / r:8.0f} rows/s  ratio {r / b:.1f}x baseline")
        print(f"import_roster (read + store, new):     {i:6.2f} s  {n / i:8.0f} rows/s  ratio {i / b:.1f}x baseline")
        if upd_t:
            u = upd_t[0]
            print(f"import_roster --update (all updates):  {u:6.2f} s  {n / u:8.0f} rows/s  ratio {u / b:.1f}x baseline")
        print(f"(median of {args.runs} runs; machine shared with other work)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
