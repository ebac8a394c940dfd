"""Builders for invented persons used by the eligibility tests (no real personal data; no tests here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.domain.person import Discipline, Education, PersonData, UnitData

D = dt.date
GRAD = D(2023, 6, 30)


def edu(level: str = "本科", grad: dt.date | None = GRAD, *, mode: str = "全日制", degree: str = "无",
        degree_date: dt.date | None = None, postdoc: dt.date | None = None) -> Education:
    return Education(level=level, mode=mode, school="示例大学", major="示例专业", graduation_date=grad,
                     degree=degree, degree_date=degree_date, postdoc_end=postdoc)


def unit(nature: str = "民营企业", location: str = "乌鲁木齐市", level: str = "地州市",
         below_class4: bool | None = False) -> UnitData:
    return UnitData(name="示例科技有限公司", nature=nature, location=location, level=level, below_class4=below_class4)


def person(**kw: Any) -> PersonData:
    """A 本科 全日制 graduate (2023-06-30, work from 2023-07-10), 工程/电力, passing every year."""
    base: dict[str, Any] = dict(
        name="测试人", gender="男", id_number="650102199905170013", work_start=D(2023, 7, 10), series="工程",
        specialty="电力", status="在职", contract=True, dispatched=False, first_application=True,
        educations=[edu()], assessments={y: "合格" for y in range(2015, 2027)}, unit=unit(),
    )
    if "disc" in kw:
        kind, end = kw.pop("disc")
        base["disciplines"] = [Discipline(kind, end)]
    base.update(kw)
    return PersonData(**base)
