"""The person record as the app understands it, independent of storage and UI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass
class UnitData:
    name: str = ""
    uscc: str = ""  # 统一社会信用代码
    nature: str = ""  # 单位性质: 民营企业/国有企业/事业单位/机关/其他
    location: str = ""  # 所在地, e.g. 乌鲁木齐市
    level: str = ""  # 层级: 乡镇及以下/县级/地州市/自治区
    below_class4: bool | None = None  # 四类以下地区
    id: int | None = None


@dataclass
class Education:
    level: str = ""  # 学历
    mode: str = ""  # 学习形式
    school: str = ""
    major: str = ""
    graduation_date: dt.date | None = None
    degree: str = ""  # 学位: 无/学士/硕士/博士
    degree_date: dt.date | None = None
    postdoc_end: dt.date | None = None  # 博士后出站日期
    id: int | None = None


@dataclass
class ContinuingEducation:
    year: int
    public_hours: float | None = None  # 公需科目学时
    professional_hours: float | None = None  # 专业科目学时
    exempt: bool = False  # 免试 / 免修


@dataclass
class Discipline:
    kind: str  # 警告/记过/记大过/降级/撤职/开除
    end_date: dt.date | None = None  # 处分期满日期


@dataclass
class PersonData:
    name: str = ""
    gender: str = ""
    ethnicity: str = ""
    id_number: str = ""
    political_status: str = ""
    phone: str = ""
    work_start: dt.date | None = None  # 参加专业技术工作日期
    series: str = ""  # 系列
    specialty: str = ""  # 申报专业
    position: str = ""  # 现岗位
    post_grade: str = ""  # 岗位等级 (现聘岗位等级, e.g. 专业技术十二级), for Korla 公示 letters
    current_title: str = ""  # 现有职称 (for 公示 letters)
    status: str = "在职"  # 人员状态
    contract: bool | None = None  # 劳动/聘用合同
    dispatched: bool | None = None  # 是否派驻
    dispatch_start: dt.date | None = None
    first_application: bool | None = None  # 首次申报
    notes: str = ""
    count_start_override: dt.date | None = None  # 指定起算日期 (officer's decision, DOMAIN §1.1)
    count_start_reason: str = ""  # 起算日期理由
    educations: list[Education] = field(default_factory=list)
    assessments: dict[int, str] = field(default_factory=dict)
    continuing_education: dict[int, ContinuingEducation] = field(default_factory=dict)
    disciplines: list[Discipline] = field(default_factory=list)
    unit: UnitData = field(default_factory=UnitData)
    id: int | None = None
    version: int | None = None  # the stored row's version when loaded (optimistic concurrency)

    @property
    def highest_education(self) -> Education | None:
        from app.domain.vocab import EDUCATION_LEVELS

        if not self.educations:
            return None

        def rank(e: Education) -> tuple[int, dt.date]:
            lvl = EDUCATION_LEVELS.index(e.level) if e.level in EDUCATION_LEVELS else -1
            return (lvl, e.graduation_date or dt.date.min)

        return max(self.educations, key=rank)
