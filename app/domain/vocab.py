"""Controlled vocabularies of the roster contract (DESIGN.md, roster headers)."""

from __future__ import annotations

GENDERS = ("男", "女")
EDUCATION_LEVELS = ("中专", "大专", "本科", "硕士研究生", "博士研究生")
STUDY_MODES = ("全日制", "非全日制", "党校")
DEGREES = ("无", "学士", "硕士", "博士")
UNIT_NATURES = ("民营企业", "国有企业", "事业单位", "机关", "其他")
UNIT_LEVELS = ("乡镇及以下", "县级", "地州市", "自治区")
PERSON_STATUSES = ("在职", "离退休", "公务员", "参公")
DISCIPLINE_KINDS = ("无", "警告", "记过", "记大过", "降级", "撤职", "开除")
ASSESSMENT_RESULTS = ("优秀", "称职", "合格", "基本合格", "不合格")
PASSING_ASSESSMENTS = ("优秀", "称职", "合格")
POLITICAL_STATUSES = ("中共党员", "中共预备党员", "共青团员", "民主党派", "无党派人士", "群众")
YES_NO = ("是", "否")
HAS_NONE = ("有", "无")

# Common aliases seen in real rosters, normalised on import.
EDUCATION_ALIASES = {
    "专科": "大专",
    "大学专科": "大专",
    "高职": "大专",
    "大学本科": "本科",
    "硕士": "硕士研究生",
    "研究生": "硕士研究生",
    "博士": "博士研究生",
    "中等专科": "中专",
    "中职": "中专",
}
STUDY_MODE_ALIASES = {
    "统招": "全日制",
    "普通全日制": "全日制",
    "成人": "非全日制",
    "成人教育": "非全日制",
    "自考": "非全日制",
    "自学考试": "非全日制",
    "函授": "非全日制",
    "网络": "非全日制",
    "网络教育": "非全日制",
    "业余": "非全日制",
    "党校学历": "党校",
}
PERSON_STATUS_ALIASES = {"退休": "离退休", "离休": "离退休", "参照公务员法管理": "参公"}

# Teacher series (教师资格证, 普通话, 师德师风 apply to these only)
TEACHER_SERIES = ("中小学教师", "幼儿园教师", "中等职业院校教师", "技工院校教师", "高等学校教师")
