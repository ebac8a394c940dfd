"""Title names per series and level (GB/T 8561 and the series rules; DOMAIN.md §2).

初级 has two grades, 员级 and 助理级: we propose 助理级 (the platform's 初定 example reads
"[乌市][初级]林业专业/助理工程师", 004) and the officer may change it; for a 中专 route the grade is
marked "需确认" (assumption).
"""

from __future__ import annotations

from dataclasses import dataclass

GRADES = ("员级", "助理级", "中级", "副高级", "正高级")

# series → titles for (员级, 助理级, 中级, 副高级, 正高级); "" where the series has no such grade.
SERIES_TITLES: dict[str, tuple[str, str, str, str, str]] = {
    "工程": ("技术员", "助理工程师", "工程师", "高级工程师", "正高级工程师"),
    "农业": ("农业技术员", "助理农艺师", "农艺师", "高级农艺师", "正高级农艺师"),
    "实验技术": ("实验员", "助理实验师", "实验师", "高级实验师", "正高级实验师"),
    "自然科学研究": ("", "研究实习员", "助理研究员", "副研究员", "研究员"),
    "社会科学研究": ("", "研究实习员", "助理研究员", "副研究员", "研究员"),
    "中小学教师": ("三级教师", "二级教师", "一级教师", "高级教师", "正高级教师"),
    "幼儿园教师": ("三级教师", "二级教师", "一级教师", "高级教师", "正高级教师"),
    "中等职业院校教师": ("", "助理讲师", "讲师", "高级讲师", "正高级讲师"),
    "中等职业学校教师": ("", "助理讲师", "讲师", "高级讲师", "正高级讲师"),
    "技工院校教师": ("", "助理讲师", "讲师", "高级讲师", "正高级讲师"),
    "党干校": ("", "助教", "讲师", "副教授", "教授"),
    "图书资料": ("管理员", "助理馆员", "馆员", "副研究馆员", "研究馆员"),
    "档案": ("管理员", "助理馆员", "馆员", "副研究馆员", "研究馆员"),
    "文物博物": ("管理员", "助理馆员", "馆员", "副研究馆员", "研究馆员"),
    "群众文化": ("管理员", "助理馆员", "馆员", "副研究馆员", "研究馆员"),
    "工艺美术": ("工艺美术员", "助理工艺美术师", "工艺美术师", "高级工艺美术师", "正高级工艺美术师"),
    "新闻": ("", "助理记者", "记者", "主任记者", "高级记者"),
    "少数民族语文翻译": ("", "助理翻译", "翻译", "副译审", "译审"),
    "体育教练": ("", "初级教练", "中级教练", "高级教练", "国家级教练"),
    "广播电视播音": ("", "三级播音员", "二级播音员", "一级播音员", "播音指导"),
    "会计": ("", "助理会计师", "会计师", "高级会计师", "正高级会计师"),
    "经济": ("", "助理经济师", "经济师", "高级经济师", "正高级经济师"),
    "统计": ("", "助理统计师", "统计师", "高级统计师", "正高级统计师"),
    "审计": ("", "助理审计师", "审计师", "高级审计师", "正高级审计师"),
}

# specialty → titles, when the specialty names its own titles inside a series (e.g. 农业 › 畜牧).
SPECIALTY_TITLES: dict[str, tuple[str, str, str, str, str]] = {
    "畜牧": ("畜牧技术员", "助理畜牧师", "畜牧师", "高级畜牧师", "正高级畜牧师"),
    "兽医": ("兽医技术员", "助理兽医师", "兽医师", "高级兽医师", "正高级兽医师"),
    "农艺": ("农业技术员", "助理农艺师", "农艺师", "高级农艺师", "正高级农艺师"),
    "实验技术": SERIES_TITLES["实验技术"],
    "自然科学研究": SERIES_TITLES["自然科学研究"],
    "图书资料": SERIES_TITLES["图书资料"],
    "档案": SERIES_TITLES["档案"],
    "文物博物": SERIES_TITLES["文物博物"],
    "群众文化": SERIES_TITLES["群众文化"],
    "新闻": SERIES_TITLES["新闻"],
}

# Specialties of the 工程 series (so a roster that fills only 申报专业 still gets an engineering title).
ENGINEERING_SPECIALTIES = frozenset({
    "机械电子", "石油", "化工", "纺织", "建材", "电力", "建筑", "林业", "公路工程", "运输工程", "水利",
    "生态环境", "质量技术监督",
})


@dataclass(frozen=True)
class TitleChoice:
    title: str | None  # the proposed title, None when the series is not in the table
    grade: str  # 员级 / 助理级 / 中级 / 副高级 / 正高级
    grade_unconfirmed: bool  # 中专 初级: 员级 or 助理级 needs the officer's confirmation
    options: tuple[str, ...]  # titles the officer may choose from (初级: 员级 and 助理级)


def _norm(s: str) -> str:
    s = (s or "").strip()
    for suffix in ("系列", "专业"):
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
    return s


def _row(series: str, specialty: str) -> tuple[str, str, str, str, str] | None:
    sp, se = _norm(specialty), _norm(series)
    if sp in SPECIALTY_TITLES:
        return SPECIALTY_TITLES[sp]
    if se in SERIES_TITLES:
        return SERIES_TITLES[se]
    if se in ENGINEERING_SPECIALTIES or (not se and sp in ENGINEERING_SPECIALTIES):
        return SERIES_TITLES["工程"]
    return None


def title_for(series: str, specialty: str, level: str, *, education_level: str = "") -> TitleChoice:
    """The proposed title for ``level`` (初级/中级/副高级/正高级) in a series/specialty."""
    row = _row(series, specialty)
    if level == "初级":
        grade = "助理级"
        unconfirmed = education_level == "中专"
        options = tuple(t for t in (row[0], row[1]) if t) if row else ()
        title = (row[1] or row[0]) if row else None
        return TitleChoice(title or None, grade, unconfirmed, options)
    idx = {"中级": 2, "副高级": 3, "正高级": 4}.get(level)
    if idx is None or row is None:
        return TitleChoice(None, level, False, ())
    return TitleChoice(row[idx] or None, level, False, (row[idx],) if row[idx] else ())
