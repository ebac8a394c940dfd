"""Working days for the 公示 period (DOMAIN.md §5).

A working day is a Monday–Friday that is not a national statutory holiday, or a weekend day that is a
调休 working day (national data: the ``chinesecalendar`` package), minus Xinjiang regional holidays
(肉孜节, 古尔邦节) from ``resources/holidays/xinjiang.toml`` merged with the officer's edits (user data
dir), minus/plus the caller's extra holidays / working days. Day 1 is the start date if it is a
working day.

The same editable table holds the State Council's announced national schedule (rows named 元旦, 春节,
清明节, 劳动节, 端午节, 中秋节, 国庆节 with their 调休 working days): those rows override both the
library and the computed days. Years the library does not cover get the statutory holidays computed
from the 2024 revision of 《全国年节及纪念日放假办法》 (lunar dates: ``lunar_python``), with 补假 for days
falling on a weekend (第六条) but no 调休; such results are marked 推定 (``WorkdaysResult.estimated``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar

from app.errors import PolicyError, ValidationError
from app.fileio import atomic_write_text
from app.paths import resource, user_data_dir

log = logging.getLogger(__name__)

MAX_DAYS = 250  # a 公示 is counted in days, not years: refuse absurd requests clearly
REGIONAL_NAMES = ("肉孜节", "古尔邦节")
NATIONAL_NAMES = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
ESTIMATED = "推定"
STATUTE = "《全国年节及纪念日放假办法》（2024年11月10日国务院令第795号第四次修订）"


@dataclass
class RegionalHoliday:
    year: int
    name: str  # 肉孜节 / 古尔邦节 (other names allowed for officer rows)
    start: dt.date  # first day off
    end: dt.date  # last day off (inclusive)
    festival: dt.date | None = None
    workdays: tuple[dt.date, ...] = ()  # regional make-up working days
    source: str = ""
    assumption: bool = False
    note: str = ""
    origin: str = "shipped"  # shipped | officer
    enabled: bool = True

    @property
    def key(self) -> tuple[int, str]:
        return (self.year, self.name)

    def days(self) -> list[dt.date]:
        n = (self.end - self.start).days
        return [self.start + dt.timedelta(days=i) for i in range(n + 1)]

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("start", "end", "festival"):
            d[k] = d[k].isoformat() if d[k] else None
        d["workdays"] = [w.isoformat() for w in self.workdays]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> RegionalHoliday:
        def date(v: Any) -> dt.date | None:
            return dt.date.fromisoformat(v) if v else None

        start, end = date(d["start"]), date(d["end"])
        if start is None or end is None:
            raise ValueError("start/end missing")
        return cls(year=int(d["year"]), name=str(d["name"]), start=start, end=end, festival=date(d.get("festival")),
                   workdays=tuple(dt.date.fromisoformat(w) for w in d.get("workdays", ())),
                   source=str(d.get("source", "")), assumption=bool(d.get("assumption", False)),
                   note=str(d.get("note", "")), origin=str(d.get("origin", "officer")),
                   enabled=bool(d.get("enabled", True)))


@dataclass
class WorkdaysResult:
    start: dt.date
    end: dt.date
    days: list[dt.date]
    warnings: list[str] = field(default_factory=list)
    estimated_years: list[int] = field(default_factory=list)  # national days computed, not announced

    @property
    def estimated(self) -> bool:
        """True when the national holidays of some year in the period were computed (推定)."""
        return bool(self.estimated_years)

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "days": [d.isoformat() for d in self.days], "warnings": list(self.warnings),
                "estimated": self.estimated, "basis": ESTIMATED if self.estimated else "",
                "estimated_years": list(self.estimated_years)}


# ------------------------------------------------------------------------------------------ table
def shipped_path() -> Path:
    return resource("holidays", "xinjiang.toml")


def officer_path() -> Path:
    return user_data_dir() / "regional_holidays.json"


def load_shipped_holidays(path: Path | None = None) -> list[RegionalHoliday]:
    path = path or shipped_path()
    from app.errors import InputFileError
    from app.fileio import MAX_DATA_FILE_BYTES, read_user_text

    try:
        data = tomllib.loads(read_user_text(path, MAX_DATA_FILE_BYTES, what="节假日文件"))
    except InputFileError as exc:
        raise PolicyError(exc.message, detail=exc.detail) from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"节假日文件 {path.name} 无法读取：{exc}", detail=str(path)) from exc
    rows = []
    for i, row in enumerate(data.get("holidays", [])):
        key = f"holidays[{i}]"
        try:
            h = RegionalHoliday(
                year=int(row["year"]), name=str(row["name"]), start=row["start"], end=row["end"],
                festival=row.get("festival"), workdays=tuple(row.get("workdays", ())),
                source=str(row["source"]), assumption=bool(row.get("assumption", False)),
                note=str(row.get("note", "")), origin="shipped")
        except KeyError as exc:
            raise PolicyError(f"节假日文件 {path.name} 中的“{key}.{exc.args[0]}”缺失", detail=str(path)) from exc
        for attr in ("start", "end"):
            if not isinstance(getattr(h, attr), dt.date):
                raise PolicyError(f"节假日文件 {path.name} 中的“{key}.{attr}”应为日期", detail=str(path))
        if h.end < h.start or h.start.year != h.year:
            raise PolicyError(f"节假日文件 {path.name} 中的“{key}”日期范围无效", detail=str(path))
        if not h.source:
            raise PolicyError(f"节假日文件 {path.name} 中的“{key}.source”为空：每行须注明出处", detail=str(path))
        rows.append(h)
    return rows


def _load_officer() -> list[RegionalHoliday]:
    path = officer_path()
    if not path.exists():
        return []
    from app.errors import InputFileError
    from app.fileio import MAX_DATA_FILE_BYTES, read_user_text

    try:
        data = json.loads(read_user_text(path, MAX_DATA_FILE_BYTES, what="节假日文件"))
        return [RegionalHoliday.from_json(d) for d in data.get("holidays", [])]
    except InputFileError as exc:
        log.warning("officer holiday file unreadable (%s); using the shipped table", exc.detail)
        return []
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.warning("officer holiday file %s unreadable (%s); using the shipped table", path, exc)
        return []


def load_regional_holidays(*, include_disabled: bool = False) -> list[RegionalHoliday]:
    """The shipped table merged with the officer's edits (officer rows win; disabled rows hide)."""
    merged: dict[tuple[int, str], RegionalHoliday] = {h.key: h for h in load_shipped_holidays()}
    for h in _load_officer():
        merged[h.key] = h
    rows = sorted(merged.values(), key=lambda h: (h.year, h.start))
    return rows if include_disabled else [h for h in rows if h.enabled]


def save_regional_holidays(rows: list[RegionalHoliday]) -> None:
    """Save the officer's table: rows equal to the shipped ones are not stored; shipped rows missing
    from ``rows`` are stored as disabled, so a deletion survives a reload."""
    for h in rows:
        if h.end < h.start:
            raise ValidationError(f"{h.year}年{h.name}：结束日期早于开始日期")
        if not h.name.strip():
            raise ValidationError("节日名称不能为空")
    shipped = {h.key: h for h in load_shipped_holidays()}
    keys = [h.key for h in rows]
    dup = next((k for k in keys if keys.count(k) > 1), None)
    if dup:
        raise ValidationError(f"{dup[0]}年{dup[1]}重复")
    out: list[dict[str, Any]] = []
    for h in rows:
        if shipped.get(h.key) == h:
            continue
        d = h.to_json()
        d["origin"] = "officer"
        out.append(d)
    present = set(keys)
    for k, h in shipped.items():
        if k not in present:
            d = h.to_json()
            d.update(origin="officer", enabled=False)
            out.append(d)
    atomic_write_text(officer_path(), json.dumps({"schema": 1, "holidays": out}, ensure_ascii=False, indent=2),
                      what="保存地方节假日")


# ------------------------------------------------------------------------------------------ computed
def _lunar(year: int, month: int, day: int) -> dt.date:
    from lunar_python import Lunar

    s = Lunar.fromYmd(year, month, day).getSolar()
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def _qingming(year: int) -> dt.date:
    from lunar_python import Lunar

    s = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


def computed_national_holidays(year: int) -> list[RegionalHoliday]:
    """Statutory days off of ``year`` per 《全国年节及纪念日放假办法》 (2024 revision) 第二条, plus 补假
    (第六条: a day off falling on a Saturday or Sunday is given on the next weekday). The State
    Council's 调休 working days cannot be computed: the rows are marked as assumptions (推定)."""
    spring = _lunar(year, 1, 1)
    blocks = [
        ("元旦", dt.date(year, 1, 1), dt.date(year, 1, 1), dt.date(year, 1, 1), "第二条（一）元旦，放假1天（1月1日）"),
        ("春节", spring - dt.timedelta(days=1), spring + dt.timedelta(days=2), spring,
         "第二条（二）春节，放假4天（农历除夕、正月初一至初三）"),
        ("清明节", _qingming(year), _qingming(year), _qingming(year), "第二条（三）清明节，放假1天（农历清明当日）"),
        ("劳动节", dt.date(year, 5, 1), dt.date(year, 5, 2), dt.date(year, 5, 1), "第二条（四）劳动节，放假2天（5月1日、2日）"),
        ("端午节", _lunar(year, 5, 5), _lunar(year, 5, 5), _lunar(year, 5, 5), "第二条（五）端午节，放假1天（农历端午当日）"),
        ("中秋节", _lunar(year, 8, 15), _lunar(year, 8, 15), _lunar(year, 8, 15), "第二条（六）中秋节，放假1天（农历中秋当日）"),
        ("国庆节", dt.date(year, 10, 1), dt.date(year, 10, 3), dt.date(year, 10, 1), "第二条（七）国庆节，放假3天（10月1日至3日）"),
    ]
    off = {b[1] + dt.timedelta(days=i) for b in blocks for i in range((b[2] - b[1]).days + 1)}
    rows = []
    for name, start, end, festival, section in blocks:
        days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
        lieu = sum(1 for d in days if d.weekday() >= 5)
        d = end
        while lieu:
            d += dt.timedelta(days=1)
            if d.weekday() < 5 and d not in off:
                off.add(d)
                lieu -= 1
        note = f"{ESTIMATED}：按{STATUTE}推算" + ("，含第六条补假" if d > end else "") + "；未含国务院调休安排"
        rows.append(RegionalHoliday(year=year, name=name, start=start, end=max(d, end), festival=festival,
                                    source=f"{STATUTE}{section}", assumption=True, note=note, origin="computed"))
    return rows


def national_table_years() -> set[int]:
    """Years whose whole national schedule (all seven festivals) is in the officer's table."""
    by_year: dict[int, set[str]] = {}
    for h in load_regional_holidays():
        if h.name in NATIONAL_NAMES:
            by_year.setdefault(h.year, set()).add(h.name)
    return {y for y, names in by_year.items() if names >= set(NATIONAL_NAMES)}


# ------------------------------------------------------------------------------------------ days
class _Calendar:
    def __init__(self, extra_holidays: Iterable[dt.date], extra_workdays: Iterable[dt.date],
                 include_regional: bool, regional: list[RegionalHoliday] | None) -> None:
        self.extra_holidays = set(extra_holidays)
        self.extra_workdays = set(extra_workdays)
        self.regional_off: dict[dt.date, RegionalHoliday] = {}
        self.regional_on: set[dt.date] = set()
        self.regional_years: set[int] = set()
        # National rows of the table (the State Council's schedule as entered): override everything below.
        self.national_off: dict[dt.date, RegionalHoliday] = {}
        self.national_on: set[dt.date] = set()
        self.national_names: dict[int, set[str]] = {}
        table = regional if regional is not None else load_regional_holidays()
        for h in table:
            if not h.enabled:
                continue
            if h.name in NATIONAL_NAMES:
                self.national_names.setdefault(h.year, set()).add(h.name)
                for d in h.days():
                    self.national_off[d] = h
                self.national_on.update(h.workdays)
            elif include_regional:
                self.regional_years.add(h.year)
                for d in h.days():
                    self.regional_off[d] = h
                self.regional_on.update(h.workdays)
        self.include_regional = include_regional
        self.computed: dict[int, dict[dt.date, RegionalHoliday]] = {}
        self.uncovered_years: set[int] = set()
        self.missing_regional_years: set[int] = set()
        self.assumed_rows: list[RegionalHoliday] = []

    def _computed_off(self, year: int) -> dict[dt.date, RegionalHoliday]:
        if year not in self.computed:
            entered = self.national_names.get(year, set())
            self.computed[year] = {d: h for h in computed_national_holidays(year) if h.name not in entered
                                   for d in h.days()}
        return self.computed[year]

    def is_working(self, d: dt.date) -> bool:
        if d in self.extra_workdays:
            return True
        if d in self.extra_holidays:
            return False
        if d in self.national_on:
            return True
        if d in self.national_off:
            return False
        if self.include_regional:
            if d.year not in self.regional_years:
                self.missing_regional_years.add(d.year)
            if d in self.regional_on:
                return True
            h = self.regional_off.get(d)
            if h is not None:
                if h.assumption and h not in self.assumed_rows:
                    self.assumed_rows.append(h)
                return False
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:
            if self.national_names.get(d.year, set()) >= set(NATIONAL_NAMES):
                return d.weekday() < 5  # the officer entered the whole announced schedule
            self.uncovered_years.add(d.year)
            return d.weekday() < 5 and d not in self._computed_off(d.year)

    def warnings(self) -> list[str]:
        out = []
        for y in sorted(self.uncovered_years):
            entered = self.national_names.get(y, set())
            computed = [n for n in NATIONAL_NAMES if n not in entered]
            out.append(f"{y}年的国务院节假日安排未收录：{'、'.join(computed)}的放假日期按{STATUTE}推算（{ESTIMATED}，"
                       "未含调休上班日）。国务院办公厅公布当年安排后，请在“设置 → 节假日”表中录入放假日和调休上班日并注明来源")
        for y in sorted(self.missing_regional_years):
            out.append(f"{y}年的新疆肉孜节、古尔邦节放假日期未收录：请在设置中补充（以自治区当年通知为准）")
        for h in self.assumed_rows:
            out.append(f"{h.year}年{h.name}放假日期（{h.start.isoformat()}至{h.end.isoformat()}）为推定，未经核实：{h.note or h.source}")
        return out


def is_working_day(d: dt.date, *, extra_holidays: Iterable[dt.date] = (), extra_workdays: Iterable[dt.date] = (),
                   include_regional: bool = True, regional: list[RegionalHoliday] | None = None) -> bool:
    return _Calendar(extra_holidays, extra_workdays, include_regional, regional).is_working(d)


def working_days_from(start: dt.date, n: int, *, extra_holidays: Iterable[dt.date] = (),
                      extra_workdays: Iterable[dt.date] = (), include_regional: bool = True,
                      regional: list[RegionalHoliday] | None = None) -> WorkdaysResult:
    """The first ``n`` working days counting from ``start`` (day 1 = start if it is a working day)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValidationError(f"工作日天数须为正整数：{n}")
    if n > MAX_DAYS:
        raise ValidationError(f"工作日天数过大（{n}），最多 {MAX_DAYS} 天")
    cal = _Calendar(extra_holidays, extra_workdays, include_regional, regional)
    days: list[dt.date] = []
    d = start
    limit = start + dt.timedelta(days=n * 7 + 60)
    while len(days) < n:
        if d > limit:
            raise ValidationError(f"从 {start.isoformat()} 起找不到 {n} 个工作日：请检查添加的节假日")
        if cal.is_working(d):
            days.append(d)
        d += dt.timedelta(days=1)
    return WorkdaysResult(start=start, end=days[-1], days=days, warnings=cal.warnings(),
                          estimated_years=sorted(cal.uncovered_years))


def library_years() -> tuple[int, int]:
    """First and last year the national calendar library covers."""
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return years[0], years[-1]
