"""Demo data: one invented unit with ~20 invented staff covering the eligibility situations of
DOMAIN.md (eligible now, eligible later, excluded, missing data). No real person: names are made
up and ID numbers are generated with a valid checksum.

Later features hook into ``DEMO_HOOKS`` (e.g. generated scans for the document vault).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import delete, select

from app.domain.person import ContinuingEducation, Discipline, Education, PersonData, UnitData
from app.errors import UsageError
from app.models import Person, Unit
from app.models.db import Database
from app.policy.identifiers import make_id_number, make_uscc
from app.services.roster import save_person_in

DEMO_UNIT = UnitData(
    name="新疆天山云数科技有限公司",
    uscc=make_uscc("91650100MA7X2Y3K4"),
    nature="民营企业",
    location="乌鲁木齐市",
    level="地州市",
    below_class4=False,
)
DEMO_UNIT_SHORT = "天山云数"
DEMO_MARKER = "[演示数据]"

# Hooks run after the persons are stored: f(db, persons) -> dict of summary additions.
DEMO_HOOKS: list[Callable[[Database, list[PersonData]], dict[str, Any]]] = []

D = dt.date


def _ce(*years: int) -> dict[int, ContinuingEducation]:
    return {y: ContinuingEducation(y, 30, 60) for y in years}


def _edu(level: str, grad: dt.date, *, mode: str = "全日制", degree: str = "无", degree_date: dt.date | None = None,
         school: str = "新疆示例大学", major: str = "电气工程及其自动化", postdoc: dt.date | None = None) -> Education:
    return Education(level=level, mode=mode, school=school, major=major, graduation_date=grad,
                     degree=degree, degree_date=degree_date, postdoc_end=postdoc)


def demo_people() -> list[PersonData]:
    """The invented staff. Comments say what each case shows under urumqi-private-2025 on 2025-03-17."""
    specs: list[tuple[str, str, str, dt.date, dict[str, Any]]] = [
        # name, gender, ethnicity, birth, fields
        ("艾力·示例", "男", "维吾尔族", D(2000, 5, 12), dict(  # 本科 1 year: eligible now
            educations=[_edu("本科", D(2023, 6, 30), degree="学士", degree_date=D(2023, 6, 30))],
            work_start=D(2023, 7, 10), series="工程", specialty="电力", position="电气技术员")),
        ("李晓雯", "女", "汉族", D(2001, 8, 3), dict(  # 大专 2 years: eligible now
            educations=[_edu("大专", D(2022, 6, 20), school="新疆示例职业技术学院", major="机电一体化技术")],
            work_start=D(2022, 7, 1), series="工程", specialty="机械电子", position="机电技术员")),
        ("马建国", "男", "回族", D(1999, 1, 21), dict(  # 中专 3 years: eligible now (grade 需确认)
            educations=[_edu("中专", D(2021, 7, 1), school="乌鲁木齐示例中等专业学校", major="建筑施工")],
            work_start=D(2021, 7, 15), series="工程", specialty="建筑", position="施工员")),
        ("王思远", "男", "汉族", D(2002, 2, 14), dict(  # 本科 graduated 2024: eligible from 2025-07-15
            educations=[_edu("本科", D(2024, 6, 28), degree="学士", degree_date=D(2024, 6, 28))],
            work_start=D(2024, 7, 15), series="工程", specialty="电力", position="运维工程师助理")),
        ("古丽娜·示例", "女", "哈萨克族", D(1997, 11, 2), dict(  # 硕士: 授予 中级
            educations=[_edu("本科", D(2020, 6, 30), degree="学士", degree_date=D(2020, 6, 30)),
                        _edu("硕士研究生", D(2023, 6, 30), degree="硕士", degree_date=D(2023, 6, 30),
                             major="电气工程")],
            work_start=D(2023, 7, 20), series="工程", specialty="电力", position="研发工程师")),
        ("赵博文", "男", "汉族", D(1992, 4, 9), dict(  # 博士: 授予 副高级
            educations=[_edu("博士研究生", D(2023, 12, 20), degree="博士", degree_date=D(2023, 12, 20),
                             major="材料科学与工程")],
            work_start=D(2024, 1, 8), series="工程", specialty="建材", position="首席研发")),
        ("孙丽萍", "女", "汉族", D(1998, 9, 30), dict(  # 本科 非全日制: not eligible
            educations=[_edu("本科", D(2022, 1, 10), mode="非全日制", degree="学士", degree_date=D(2022, 1, 10))],
            work_start=D(2019, 7, 1), series="工程", specialty="电力", position="值班员")),
        ("周德海", "男", "汉族", D(1962, 3, 3), dict(  # retired: excluded
            educations=[_edu("大专", D(1984, 7, 1))], work_start=D(1984, 8, 1),
            status="离退休", series="工程", specialty="电力", position="顾问")),
        ("吴晨", "男", "汉族", D(1999, 6, 18), dict(  # 记过 in force: excluded
            educations=[_edu("本科", D(2021, 6, 30), degree="学士", degree_date=D(2021, 6, 30))],
            work_start=D(2021, 7, 1), series="工程", specialty="电力", position="技术员",
            disciplines=[Discipline("记过", D(2025, 9, 30))])),
        ("郑雅琴", "女", "汉族", D(2000, 12, 1), dict(  # 会计: 以考代评, excluded
            educations=[_edu("本科", D(2022, 6, 30), degree="学士", degree_date=D(2022, 6, 30), major="会计学")],
            work_start=D(2022, 7, 1), series="会计", specialty="会计", position="会计")),
        ("陈志强", "男", "汉族", D(2000, 7, 7), dict(  # 2024 assessment missing: unknown
            educations=[_edu("本科", D(2022, 6, 30), degree="学士", degree_date=D(2022, 6, 30))],
            work_start=D(2022, 7, 4), series="工程", specialty="石油", position="技术员",
            assessments={2023: "合格"})),
        ("阿依古丽·示例", "女", "维吾尔族", D(2000, 3, 8), dict(  # 2024 基本合格: not eligible
            educations=[_edu("大专", D(2021, 6, 30), major="化工技术")],
            work_start=D(2021, 7, 1), series="工程", specialty="化工", position="化验员",
            assessments={2023: "合格", 2024: "基本合格"})),
        ("刘洋", "男", "汉族", D(1999, 10, 10), dict(  # dispatched < 1 year: eligible later
            educations=[_edu("本科", D(2021, 6, 30), degree="学士", degree_date=D(2021, 6, 30))],
            work_start=D(2021, 7, 1), series="工程", specialty="电力", position="驻乌技术员",
            dispatched=True, dispatch_start=D(2024, 9, 1))),
        ("黄蕾", "女", "汉族", D(2000, 1, 25), dict(  # no contract
            educations=[_edu("本科", D(2022, 6, 30), degree="学士", degree_date=D(2022, 6, 30))],
            work_start=D(2022, 7, 1), series="工程", specialty="电力", position="实习技术员", contract=False)),
        ("杨帆", "男", "汉族", D(2001, 5, 5), dict(  # missing graduation date: unknown
            educations=[_edu("大专", None)],  # type: ignore[arg-type]
            work_start=None, series="工程", specialty="机械电子", position="技术员")),
        ("何静", "女", "汉族", D(1999, 2, 2), dict(  # 警告 does not bar: eligible
            educations=[_edu("本科", D(2021, 6, 30), degree="学士", degree_date=D(2021, 6, 30))],
            work_start=D(2021, 7, 1), series="工程", specialty="电力", position="技术员",
            disciplines=[Discipline("警告", D(2024, 6, 30))])),
        ("努尔兰·示例", "男", "哈萨克族", D(1996, 8, 19), dict(  # 全日制 大专 then 非全日制 本科
            educations=[_edu("大专", D(2017, 6, 30), major="畜牧兽医"),
                        _edu("本科", D(2022, 1, 10), mode="非全日制", degree="学士", degree_date=D(2022, 1, 10),
                             major="动物医学")],
            work_start=D(2017, 7, 10), series="农业", specialty="兽医", position="兽医技术员")),
        ("徐闰", "女", "汉族", D(2001, 2, 28), dict(  # 29 Feb start: reaches 1 year on 2025-03-01
            educations=[_edu("本科", D(2024, 2, 29), degree="学士", degree_date=D(2024, 2, 29))],
            work_start=D(2024, 2, 29), series="工程", specialty="电力", position="技术员")),
        ("林海涛", "男", "汉族", D(1988, 12, 12), dict(  # 博士后出站: 授予 正高级
            educations=[_edu("博士研究生", D(2020, 6, 30), degree="博士", degree_date=D(2020, 6, 30),
                             major="化学工程", postdoc=D(2023, 9, 1))],
            work_start=D(2023, 9, 15), series="工程", specialty="化工", position="总工程师")),
        ("高晓敏", "女", "汉族", D(1999, 4, 16), dict(  # teacher (中小学教师) for the Korla profile
            educations=[_edu("本科", D(2022, 6, 30), degree="学士", degree_date=D(2022, 6, 30),
                             school="新疆示例师范大学", major="汉语言文学")],
            work_start=D(2022, 9, 1), series="中小学教师", specialty="中小学教师", position="语文教师")),
    ]
    people = []
    for i, (name, gender, eth, birth, f) in enumerate(specs, start=1):
        fields: dict[str, Any] = dict(
            status="在职", contract=True, dispatched=False, first_application=True,
            assessments={2022: "合格", 2023: "合格", 2024: "优秀"},
            continuing_education=_ce(2022, 2023, 2024),
            political_status="群众" if i % 3 else "中共党员",
        )
        fields.update(f)
        people.append(PersonData(
            name=name, gender=gender, ethnicity=eth,
            id_number=make_id_number("650102" if i % 2 else "650104", birth, 100 + 7 * i, male=gender == "男"),
            phone=f"1390991{i:04d}", unit=DEMO_UNIT, notes=DEMO_MARKER, **fields,
        ))
    return people


def create_demo(db: Database, *, force: bool = False) -> dict[str, Any]:
    """Replace the roster with the demo roster. Refuses to wipe non-demo data unless ``force``."""
    people = demo_people()
    with db.session() as s:
        real = s.scalar(select(Person.id).where(Person.notes != DEMO_MARKER).limit(1))
        if real is not None and not force:
            raise UsageError("数据库中已有非演示人员。为避免覆盖真实数据，未创建演示数据；演示数据请使用单独的演示数据库")
        s.execute(delete(Person))
        s.execute(delete(Unit))
        for p in people:
            save_person_in(s, p)
        unit = s.scalar(select(Unit).where(Unit.name == DEMO_UNIT.name))
        assert unit is not None
        unit.short_name = DEMO_UNIT_SHORT
    from app.services.roster import list_persons

    stored = list_persons(db)
    summary: dict[str, Any] = {"persons": len(stored), "unit": DEMO_UNIT.name}
    for hook in DEMO_HOOKS:
        summary.update(hook(db, stored))
    return summary


def _register_document_hooks() -> None:
    """Generated sample scans (app.documents.demo_scans) filed into the demo persons' packets; then
    the first eligible persons completed and masked, ready to export (app.services.demo_ready)."""
    from app.services.demo_ready import demo_ready_hook
    from app.services.documents import demo_scans_hook

    for hook in (demo_scans_hook, demo_ready_hook):
        if hook not in DEMO_HOOKS:
            DEMO_HOOKS.append(hook)


_register_document_hooks()
