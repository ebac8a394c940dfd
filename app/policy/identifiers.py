"""Identifier checks: 居民身份证号码 (GB 11643-1999), 统一社会信用代码 (GB 32100-2015), mobile numbers.

Every check returns a result object with Chinese ``errors`` (the value is unusable) and ``warnings``
(the value is usable but worth a second look), plus the fields derived from the value.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# GB/T 2260 province-level codes (first two digits). Finer codes change often; an unknown
# province is a warning, never an error.
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省",
    "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省", "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省",
    "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区", "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区",
}


@dataclass
class CheckResult:
    value: str
    valid: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    derived: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        derived = d.pop("derived")
        d.update(derived)
        return d


def normalize_id(value: str) -> str:
    return (value or "").strip().replace(" ", "").replace("x", "X").translate(
        str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
    )


def partial_id(value: str) -> str:
    """An ID number for a notice posted in public (the 公示): the first 6 digits (the issuing region)
    and the last 4, the 8 digits of the birth date hidden — "650102********123X". Enough for colleagues
    to tell two namesakes apart, not enough to reuse the number. The documents that go to the 人社局
    only (公示结果, 推荐报告, 承诺书, 呈报表) keep the full number. Why: 《中华人民共和国个人信息保护法》
    第二十八条 counts ID numbers as sensitive personal information, and 第六条 limits processing to what
    the purpose needs; a notice on the unit's board needs no birth date."""
    v = normalize_id(value)
    if len(v) != 18:
        return v
    return v[:6] + "*" * 8 + v[14:]


def id_check_char(first17: str) -> str:
    s = sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[s % 11]


def check_id_number(value: str, *, gender: str | None = None, today: dt.date | None = None) -> CheckResult:
    today = today or dt.date.today()
    v = normalize_id(value)
    r = CheckResult(value=v, valid=False)
    if not v:
        r.errors.append("身份证号为空")
        return r
    if len(v) == 15 and v.isdigit():
        r.errors.append("这是 15 位旧身份证号，请填写 18 位身份证号")
        return r
    if len(v) != 18:
        r.errors.append(f"身份证号应为 18 位，当前为 {len(v)} 位")
        return r
    if not (v[:17].isdigit() and (v[17].isdigit() or v[17] == "X")):
        r.errors.append("身份证号前 17 位应为数字，最后一位为数字或 X")
        return r
    try:
        birth = dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
    except ValueError:
        r.errors.append(f"身份证号中的出生日期 {v[6:10]}-{v[10:12]}-{v[12:14]} 不存在")
        birth = None
    if birth is not None:
        if birth > today:
            r.errors.append(f"身份证号中的出生日期 {birth.isoformat()} 在今天之后")
        else:
            age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
            r.derived["birth_date"] = birth.isoformat()
            r.derived["age"] = age
            if not 16 <= age <= 70:
                r.warnings.append(f"按身份证号计算年龄为 {age} 岁，超出 16–70 岁的常见范围，请核对")
    expected = id_check_char(v[:17])
    if v[17] != expected:
        r.errors.append(f"身份证号校验位错误：最后一位应为 {expected}，请核对是否输错")
    derived_gender = "男" if int(v[16]) % 2 == 1 else "女"
    r.derived["gender"] = derived_gender
    if gender and gender in ("男", "女") and gender != derived_gender:
        r.errors.append(f"性别与身份证号不符：身份证号第 17 位表示“{derived_gender}”，填写的是“{gender}”")
    province = PROVINCES.get(v[:2])
    r.derived["region_code"] = v[:6]
    if province:
        r.derived["province"] = province
    else:
        r.warnings.append(f"身份证号地区码 {v[:6]} 不是已知的省级行政区划代码，请核对")
    r.valid = not r.errors
    return r


def uscc_check_char(first17: str) -> str:
    s = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - s % 31) % 31]


def check_uscc(value: str) -> CheckResult:
    v = (value or "").strip().replace(" ", "").upper()
    r = CheckResult(value=v, valid=False)
    if not v:
        r.errors.append("统一社会信用代码为空")
        return r
    if len(v) != 18:
        r.errors.append(f"统一社会信用代码应为 18 位，当前为 {len(v)} 位")
        return r
    bad = sorted({c for c in v if c not in USCC_CHARS})
    if bad:
        r.errors.append(f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）")
        return r
    expected = uscc_check_char(v[:17])
    if v[17] != expected:
        r.errors.append(f"统一社会信用代码校验位错误：最后一位应为 {expected}")
    r.derived["registration_authority"] = v[0]
    r.derived["entity_type"] = v[1]
    r.derived["region_code"] = v[2:8]
    province = PROVINCES.get(v[2:4])
    if province:
        r.derived["province"] = province
    r.valid = not r.errors
    return r


_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def check_phone(value: str) -> CheckResult:
    v = re.sub(r"[\s()（）]", "", (value or "")).removeprefix("+86").removeprefix("0086")
    r = CheckResult(value=v, valid=False)
    if not v:
        r.errors.append("联系电话为空")
    elif _MOBILE.match(v):
        r.derived["kind"] = "mobile"
    elif _LANDLINE.match(v):
        r.derived["kind"] = "landline"
        r.warnings.append("这是固定电话号码，平台通常需要手机号")
    else:
        r.errors.append("联系电话格式不正确：手机号应为以 1 开头的 11 位数字")
    r.valid = not r.errors
    return r


def make_id_number(region: str, birth: dt.date, seq: int, *, male: bool) -> str:
    """Build a checksum-valid ID number (for demo data and tests: never a real person's)."""
    seq3 = seq % 1000
    if (seq3 % 10) % 2 != (1 if male else 0):
        seq3 = (seq3 + 1) % 1000
    first17 = f"{region}{birth:%Y%m%d}{seq3:03d}"
    return first17 + id_check_char(first17)


def make_uscc(body17: str) -> str:
    return body17 + uscc_check_char(body17)
