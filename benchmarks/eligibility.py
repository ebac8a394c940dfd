"""Eligibility check: 10,000 generated persons evaluated under each profile (goal: < 1 s).

Baseline measured in the same run: building the 10,000 PersonData objects themselves (the work any
caller does before checking; e.g. reading them from the database or a roster file costs more).
The ratio says how many "builds" one full check costs. Both wall-clock and CPU time
(time.process_time) are printed: on a shared machine the wall clock includes waiting for a core.

    .venv/bin/python benchmarks/eligibility.py [--persons 10000] [--runs 5]

Invented data only: persons are generated from a fixed seed, no real names or ID numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.person import Discipline, Education, PersonData, UnitData  # noqa: E402
from app.policy.eligibility import evaluate  # noqa: E402
from app.policy.profiles import list_profiles  # noqa: E402

D = dt.date


def specs(n: int, seed: int = 20250317) -> list[dict[str, Any]]:
    """Plain-data descriptions of varied persons: every route, mode, unit and exclusion shows up."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        level = rnd.choice(("中专", "大专", "本科", "本科", "硕士研究生", "博士研究生"))
        grad = D(2015, 1, 1) + dt.timedelta(days=rnd.randrange(0, 3650))
        degree = {"硕士研究生": "硕士", "博士研究生": "博士", "本科": "学士"}.get(level, "无")
        out.append(dict(
            name=f"示例{i}", level=level, mode=rnd.choice(("全日制",) * 8 + ("非全日制", "党校")), grad=grad,
            degree=degree, postdoc=grad + dt.timedelta(days=700) if level == "博士研究生" and i % 3 == 0 else None,
            work=grad + dt.timedelta(days=rnd.randrange(0, 120)),
            series=rnd.choice(("工程",) * 6 + ("农业", "中小学教师", "会计", "档案")),
            specialty=rnd.choice(("电力", "建筑", "兽医", "软件", "化工")),
            status=rnd.choice(("在职",) * 18 + ("离退休", "参公")),
            contract=rnd.choice((True,) * 9 + (False,)), dispatched=i % 13 == 0,
            dispatch_start=grad + dt.timedelta(days=200) if i % 13 == 0 else None,
            disc=rnd.choice((None,) * 15 + ("警告", "记过")),
            nature=rnd.choice(("民营企业",) * 6 + ("事业单位", "国有企业", "机关")),
            location=rnd.choice(("乌鲁木齐市",) * 5 + ("库尔勒市",)),
            unit_level=rnd.choice(("乡镇及以下", "县级", "地州市", "地州市", "自治区")),
            below4=rnd.choice((True, False)),
            assessments={y: rnd.choice(("合格",) * 12 + ("优秀", "基本合格")) for y in range(2015, 2026)
                         if rnd.random() > 0.02},
        ))
    return out


def build(rows: list[dict[str, Any]]) -> list[PersonData]:
    people = []
    for s in rows:
        edus = [Education(level=s["level"], mode=s["mode"], graduation_date=s["grad"], degree=s["degree"],
                          degree_date=s["grad"], postdoc_end=s["postdoc"])]
        people.append(PersonData(
            name=s["name"], work_start=s["work"], series=s["series"], specialty=s["specialty"], status=s["status"],
            contract=s["contract"], dispatched=s["dispatched"], dispatch_start=s["dispatch_start"],
            first_application=True, educations=edus, assessments=dict(s["assessments"]),
            disciplines=[Discipline(s["disc"], D(2025, 9, 30))] if s["disc"] else [],
            unit=UnitData(nature=s["nature"], location=s["location"], level=s["unit_level"],
                          below_class4=s["below4"]),
        ))
    return people


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rows = specs(args.persons)
    profiles = list_profiles()
    as_of = D(2025, 3, 17)

    build_times, build_cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        people = build(rows)
        build_times.append(time.perf_counter() - t0)
        build_cpu.append(time.process_time() - c0)
    base = min(build_times)
    base_cpu = min(build_cpu)
    print(f"baseline: build {args.persons:,} PersonData objects: best {base * 1000:.1f} ms wall "
          f"(median {statistics.median(build_times) * 1000:.1f} ms), {base_cpu * 1000:.1f} ms CPU")

    for prof in profiles:
        evaluate(people[0], prof, as_of)  # warm the per-profile cache
        times, cpu = [], []
        statuses: dict[str, int] = {}
        for _ in range(args.runs):
            t0, c0 = time.perf_counter(), time.process_time()
            verdicts = [evaluate(p, prof, as_of) for p in people]
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        for v in verdicts:
            statuses[v.status] = statuses.get(v.status, 0) + 1
        best, best_cpu = min(times), min(cpu)
        print(f"{prof.id:20s} {args.persons:,} persons: best {best * 1000:6.1f} ms wall "
              f"(median {statistics.median(times) * 1000:6.1f}), {best_cpu * 1000:6.1f} ms CPU "
              f"= {args.persons / best:8,.0f} persons/s wall, {args.persons / best_cpu:8,.0f}/s CPU; "
              f"ratio to baseline {best / base:4.1f}x wall, {best_cpu / base_cpu:4.1f}x CPU; "
              f"goal < 1 s: {'met' if best < 1 else 'NOT met'}  {statuses}")


if __name__ == "__main__":
    main()
