"""Parsing the date formats officers type or paste: YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD,
YYYY年MM月DD日, YYYYMMDD, Excel serial numbers and datetime objects."""

from __future__ import annotations

import datetime as dt
import re

from app.errors import ValidationError

_SEP = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
ACCEPTED_FORMATS = "YYYY-MM-DD、YYYY/MM/DD、YYYY.MM.DD 或 YYYY年MM月DD日"


def excel_serial_to_date(serial: float) -> dt.date:
    if not 1 <= serial < 2958466:  # 9999-12-31
        raise ValidationError(f"无法识别的 Excel 日期序号：{serial}")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def parse_date(value: object, *, field: str = "日期", allow_year_month: bool = False) -> dt.date | None:
    """Return a date, None for an empty value, or raise ValidationError with a Chinese message."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ValidationError(f"{field}格式不正确：{value}")
    if isinstance(value, int | float):
        return excel_serial_to_date(float(value))
    text = str(value).strip()
    if not text:
        return None
    m = _SEP.match(text) or _COMPACT.match(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _YEAR_MONTH.match(text) if allow_year_month else None
        if not m:
            if re.fullmatch(r"\d{5}(\.\d+)?", text):
                return excel_serial_to_date(float(text))
            raise ValidationError(f"{field}“{text}”无法识别，请使用 {ACCEPTED_FORMATS}")
        y, mo, d = int(m.group(1)), int(m.group(2)), 1
    try:
        return dt.date(y, mo, d)
    except ValueError:
        raise ValidationError(f"{field}“{text}”不是有效日期（{y}年{mo}月{d}日不存在）") from None


def check_plausible(d: dt.date | None, *, field: str, today: dt.date | None = None,
                    earliest: dt.date = dt.date(1950, 1, 1), allow_future: bool = False) -> None:
    """Reject dates that cannot be real for a roster: before 1950 or in the future."""
    if d is None:
        return
    today = today or dt.date.today()
    if d < earliest:
        raise ValidationError(f"{field} {d.isoformat()} 早于 {earliest.year} 年，请核对")
    if not allow_future and d > today:
        raise ValidationError(f"{field} {d.isoformat()} 晚于今天，请核对")
