"""The roster file header contract (DESIGN.md "Roster file headers") as data.

One ``Column`` per Chinese header: which PersonData field it fills, how a cell is parsed (``parse``
turns a raw cell value into the field, raising ``CellError`` with a Chinese reason) and formatted
back (``format``), whether it is required and which values it allows. The reader (app/roster/io.py),
the template and the exporter (app/export/roster_xlsx.py) all work from ``COLUMNS``.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from app.domain import vocab
from app.domain.person import ContinuingEducation, Discipline, Education, PersonData
from app.errors import ValidationError
from app.policy.dates import ACCEPTED_FORMATS, parse_date
from app.policy.identifiers import normalize_id


class CellError(ValueError):
    """A cell could not be parsed; ``message`` is Chinese and names what is wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --------------------------------------------------------------------------------------------------
# Cell value helpers
# --------------------------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def clean_text(value: Any) -> str:
    """A cell as text: numbers without a spurious ".0", full-width ASCII folded, ends stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\u3000", " ").replace("\ufeff", "").strip()
    # A leading apostrophe is how spreadsheet users (and our csv export) force text.
    if text.startswith("'") and len(text) > 1:
        text = text[1:].strip()
    return text


def _fold(text: str) -> str:
    """NFKC (full-width → half-width) and no inner whitespace: for vocabulary and header matching."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


def normalize_header(value: Any) -> str:
    """Header cell → comparable name: full-width folded, spaces, line breaks, '*' and notes removed."""
    text = _fold(clean_text(value))
    text = text.strip("*＊:：")
    text = re.sub(r"[(（\[【].*?[)）\]】]$", "", text)  # "毕业日期(YYYY-MM-DD)", "姓名（必填）"
    return text.strip("*＊:：")


# --------------------------------------------------------------------------------------------------
# Parsers: raw cell value → Python value (raise CellError)
# --------------------------------------------------------------------------------------------------


def parse_text(value: Any) -> str:
    return clean_text(value)


_SCI = re.compile(r"^\d(\.\d+)?[eE]\+?\d+$")
ID_AS_NUMBER = ("身份证号在 Excel 中被存成了数字，后几位已丢失（Excel 数字只保留 15 位有效数字）。"
                "请把“身份证号”列设置为“文本”格式后重新填写该单元格再导入")


def parse_id(value: Any) -> str:
    if isinstance(value, bool):
        raise CellError("身份证号格式不正确")
    if isinstance(value, int | float):
        digits = len(str(int(value)))
        if digits >= 16 or (isinstance(value, float) and not value.is_integer()):
            raise CellError(ID_AS_NUMBER)
        return str(int(value))
    text = clean_text(value)
    if _SCI.match(text):  # "6.50102E+17" from a csv that Excel saved
        raise CellError(ID_AS_NUMBER)
    return normalize_id(text)


def parse_phone(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise CellError("联系电话格式不正确")
    text = clean_text(value)
    if _SCI.match(text):
        raise CellError("联系电话被存成了科学计数法，请将该列设为“文本”格式后重新填写")
    return text


def make_date_parser(header: str) -> Callable[[Any], dt.date | None]:
    def parse(value: Any) -> dt.date | None:
        # 20200701 typed as a number is a compact date, not an Excel serial.
        if isinstance(value, int | float) and not isinstance(value, bool) and 19000101 <= value <= 21001231:
            value = str(int(value))
        if isinstance(value, str):
            value = clean_text(value)
        try:
            return parse_date(value, field=header)
        except ValidationError as exc:
            raise CellError(exc.message) from None

    return parse


def make_vocab_parser(header: str, allowed: tuple[str, ...],
                      aliases: Mapping[str, str] | None = None) -> Callable[[Any], str]:
    folded = {_fold(a): a for a in allowed}
    folded_aliases = {_fold(k): v for k, v in (aliases or {}).items()}

    def parse(value: Any) -> str:
        text = clean_text(value)
        if not text:
            return ""
        key = _fold(text)
        if key in folded:
            return folded[key]
        if key in folded_aliases:
            return folded_aliases[key]
        raise CellError(f"“{text}”不是可选值（{'/'.join(allowed)}）")

    return parse


_TRUE = {"是", "有", "y", "yes", "true", "1", "√", "✓", "t"}
_FALSE = {"否", "无", "没有", "n", "no", "false", "0", "×", "✗", "f"}


def make_bool_parser(header: str, labels: tuple[str, str]) -> Callable[[Any], bool | None]:
    def parse(value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        text = _fold(clean_text(value)).lower()
        if not text:
            return None
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise CellError(f"“{clean_text(value)}”不是可选值（{'/'.join(labels)}）")

    return parse


_ITEM_SPLIT = re.compile(r"[;；\n]+")
_ASSESS_SPLIT = re.compile(r"[;；,，、\n]+")
_YEAR_ITEM = re.compile(r"^(\d{4})\s*(?:年度|年)?\s*[:：]?\s*(.*)$")
ASSESSMENT_ALIASES = {"基本称职": "基本合格", "不称职": "不合格"}


def parse_assessments(value: Any) -> dict[int, str]:
    """'2023:合格;2024:优秀' (also '2023年：合格，2024年：优秀') → {2023: '合格', 2024: '优秀'}."""
    text = clean_text(value)
    out: dict[int, str] = {}
    for item in _ASSESS_SPLIT.split(text):
        item = item.strip()
        if not item:
            continue
        m = _YEAR_ITEM.match(_fold(item))
        if not m or not m.group(2):
            raise CellError(f"“{item}”格式不正确，应为“年度:结果”，多年用分号分隔，例如 2023:合格;2024:优秀")
        year, result = int(m.group(1)), m.group(2)
        result = ASSESSMENT_ALIASES.get(result, result)
        if year in out and out[year] != result:
            raise CellError(f"{year} 年考核结果填写了两次（{out[year]}、{result}）")
        out[year] = result
    return out


_HOURS = re.compile(r"^(公需|专业)(?:科目)?[:：]?(\d+(?:\.\d+)?)(?:学时|课时)?$")
_EXEMPT = {"免修", "免试", "免", "免考", "免学"}


def parse_continuing_education(value: Any) -> dict[int, ContinuingEducation]:
    """'2024:公需30,专业60;2023:免修' → {2024: CE(2024, 30, 60), 2023: CE(2023, exempt=True)}."""
    text = clean_text(value)
    out: dict[int, ContinuingEducation] = {}
    for item in _ITEM_SPLIT.split(text):
        item = _fold(item)
        if not item:
            continue
        m = _YEAR_ITEM.match(item)
        if not m or not m.group(2):
            raise CellError(f"“{item}”格式不正确，应为“年度:公需学时,专业学时”，例如 2024:公需30,专业60")
        year = int(m.group(1))
        ce = ContinuingEducation(year)
        for part in re.split(r"[,，、+]+", m.group(2)):
            if not part:
                continue
            if part in _EXEMPT:
                ce.exempt = True
                continue
            h = _HOURS.match(part)
            if not h:
                raise CellError(f"“{part}”无法识别，应为“公需30”“专业60”或“免修”，例如 2024:公需30,专业60")
            hours = float(h.group(2))
            if h.group(1) == "公需":
                ce.public_hours = hours
            else:
                ce.professional_hours = hours
        if year in out:
            raise CellError(f"{year} 年继续教育填写了两次")
        out[year] = ce
    return out


# --------------------------------------------------------------------------------------------------
# Formatters: PersonData value → cell value (dates stay dates; the writer decides how to show them)
# --------------------------------------------------------------------------------------------------


def format_bool(labels: tuple[str, str]) -> Callable[[bool | None], str]:
    return lambda v: "" if v is None else (labels[0] if v else labels[1])


def _num(h: float | None) -> str:
    if h is None:
        return ""
    return str(int(h)) if float(h).is_integer() else str(h)


def format_assessments(value: dict[int, str]) -> str:
    return ";".join(f"{y}:{r}" for y, r in sorted(value.items()))


def format_continuing_education(value: dict[int, ContinuingEducation]) -> str:
    items = []
    for y, ce in sorted(value.items()):
        parts = []
        if ce.public_hours is not None:
            parts.append(f"公需{_num(ce.public_hours)}")
        if ce.professional_hours is not None:
            parts.append(f"专业{_num(ce.professional_hours)}")
        if ce.exempt:
            parts.append("免修")
        items.append(f"{y}:{','.join(parts)}")
    return ";".join(items)


# --------------------------------------------------------------------------------------------------
# The contract
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str  # Chinese header of the contract
    field: str  # dotted path into PersonData: "name", "edu.level", "unit.name", "discipline.kind" …
    kind: str  # text | id | phone | date | vocab | bool | assessments | continuing_education
    parse: Callable[[Any], Any]
    format: Callable[[Any], Any] = str
    required: bool = False
    allowed: tuple[str, ...] = ()  # dropdown values (template) / accepted values
    strict: bool = True  # values outside ``allowed`` are rejected (False: dropdown is only a suggestion)
    hint: str = ""  # format note for the instructions sheet
    example: str = ""
    width: int = 12
    aliases: tuple[str, ...] = ()  # other header spellings seen in real rosters


def _text(header: str, path: str, *, required: bool = False, hint: str = "", example: str = "",
          width: int = 12, aliases: tuple[str, ...] = ()) -> Column:
    return Column(header, path, "text", parse_text, str, required=required, hint=hint, example=example,
                  width=width, aliases=aliases)


def _date(header: str, path: str, *, example: str = "", aliases: tuple[str, ...] = ()) -> Column:
    return Column(header, path, "date", make_date_parser(header), lambda d: d, hint=ACCEPTED_FORMATS,
                  example=example, width=13, aliases=aliases)


def _vocab(header: str, path: str, allowed: tuple[str, ...], aliases: Mapping[str, str] | None = None, *,
           strict: bool = True, example: str = "", width: int = 12,
           header_aliases: tuple[str, ...] = ()) -> Column:
    parse = make_vocab_parser(header, allowed, aliases) if strict else parse_text
    return Column(header, path, "vocab", parse, str, allowed=allowed, strict=strict,
                  hint="/".join(allowed), example=example, width=width, aliases=header_aliases)


def _bool(header: str, path: str, labels: tuple[str, str] = ("是", "否"), *, example: str = "") -> Column:
    return Column(header, path, "bool", make_bool_parser(header, labels), format_bool(labels),
                  allowed=labels, hint="/".join(labels), example=example, width=10)


COLUMNS: tuple[Column, ...] = (
    _text("姓名", "name", required=True, example="张示例", width=10),
    _vocab("性别", "gender", vocab.GENDERS, example="男", width=6),
    _text("民族", "ethnicity", example="汉族", width=8),
    Column("身份证号", "id_number", "id", parse_id, str, required=True, width=21, example="650102199905170013",
           hint="18 位，末位可为 X；请把本列设为“文本”格式，否则 Excel 会丢失后几位",
           aliases=("身份证号码", "公民身份号码", "身份证", "证件号码")),
    _vocab("政治面貌", "political_status", vocab.POLITICAL_STATUSES, strict=False, example="群众"),
    _vocab("学历", "edu.level", vocab.EDUCATION_LEVELS, vocab.EDUCATION_ALIASES, example="本科",
           header_aliases=("最高学历",)),
    _vocab("学习形式", "edu.mode", vocab.STUDY_MODES, vocab.STUDY_MODE_ALIASES, example="全日制",
           header_aliases=("学习方式",)),
    _text("毕业院校", "edu.school", example="新疆示例大学", width=18, aliases=("毕业学校",)),
    _text("所学专业", "edu.major", example="电气工程及其自动化", width=16, aliases=("专业", "毕业专业")),
    _date("毕业日期", "edu.graduation_date", example="2023-06-30"),
    _vocab("学位", "edu.degree", vocab.DEGREES, {"学士学位": "学士", "硕士学位": "硕士", "博士学位": "博士"},
           example="学士", width=8),
    _date("学位取得日期", "edu.degree_date", example="2023-06-30"),
    _date("博士后出站日期", "edu.postdoc_end"),
    _date("参加专业技术工作日期", "work_start", example="2023-07-10",
          aliases=("参加专业技术工作时间", "从事专业技术工作日期", "从事专业技术工作时间")),
    _text("系列", "series", example="工程", width=10, aliases=("职称系列",)),
    _text("申报专业", "specialty", example="电力", width=12),
    _text("现岗位", "position", example="电气技术员", width=14, aliases=("现任岗位", "岗位")),
    _text("岗位等级", "post_grade", example="专业技术十二级", width=14, aliases=("现聘岗位等级", "聘任岗位等级"),
          hint="现聘岗位等级，如“专业技术十二级”（库尔勒公示需要）"),
    _text("单位名称", "unit.name", example="新疆示例科技有限公司", width=22, aliases=("工作单位", "单位")),
    _vocab("单位性质", "unit.nature", vocab.UNIT_NATURES, example="民营企业"),
    _text("单位所在地", "unit.location", example="乌鲁木齐市", hint="例如 乌鲁木齐市、库尔勒市", width=12),
    _vocab("单位层级", "unit.level", vocab.UNIT_LEVELS, example="地州市"),
    _bool("四类以下地区", "unit.below_class4", example="否"),
    _bool("是否派驻", "dispatched", example="否"),
    _date("派驻起始日期", "dispatch_start"),
    _vocab("人员状态", "status", vocab.PERSON_STATUSES, vocab.PERSON_STATUS_ALIASES, example="在职"),
    _vocab("处分", "discipline.kind", vocab.DISCIPLINE_KINDS, example="无", width=8),
    _date("处分期满日期", "discipline.end_date"),
    _bool("劳动合同", "contract", ("有", "无"), example="有"),
    _bool("首次申报", "first_application", example="是"),
    Column("考核结果", "assessments", "assessments", parse_assessments, format_assessments, width=24,
           hint="年度:结果，多年用分号分隔；结果为 " + "/".join(vocab.ASSESSMENT_RESULTS),
           example="2023:合格;2024:优秀", aliases=("年度考核", "年度考核结果")),
    Column("继续教育", "continuing_education", "continuing_education", parse_continuing_education,
           format_continuing_education, width=28,
           hint="年度:公需学时,专业学时，多年用分号分隔；免修写“免修”",
           example="2024:公需30,专业60", aliases=("继续教育学时",)),
    Column("联系电话", "phone", "phone", parse_phone, str, width=14, example="13800000000",
           hint="11 位手机号", aliases=("手机号", "手机号码", "手机", "电话", "联系方式")),
    # Beyond the DESIGN.md list: optional, filled in by the app (公示 letters, unit code, notes).
    _text("现有职称", "current_title", width=12, aliases=("现职称",)),
    _text("统一社会信用代码", "unit.uscc", width=21, hint="单位的 18 位统一社会信用代码",
          aliases=("单位统一社会信用代码", "信用代码")),
    _text("备注", "notes", width=20),
    _date("指定起算日期", "count_start_override"),
    _text("起算日期理由", "count_start_reason", width=24, hint="仅在指定起算日期时填写，如“由机关调入，见××文件”"),
)

BY_HEADER: dict[str, Column] = {c.header: c for c in COLUMNS}
REQUIRED: tuple[str, ...] = tuple(c.header for c in COLUMNS if c.required)

_LOOKUP: dict[str, Column] = {}
for _c in COLUMNS:
    _LOOKUP[normalize_header(_c.header)] = _c
for _c in COLUMNS:
    for _a in _c.aliases:
        _LOOKUP.setdefault(normalize_header(_a), _c)


def match_header(value: Any) -> Column | None:
    """The contract column a header cell names, or None. Tolerates spaces, full-width characters,
    a trailing '*' or '（必填）', and '时间' written for '日期'."""
    key = normalize_header(value)
    if not key:
        return None
    col = _LOOKUP.get(key)
    if col is None and key.endswith("时间"):
        col = _LOOKUP.get(key[:-2] + "日期")
    return col


# --------------------------------------------------------------------------------------------------
# PersonData ↔ row values
# --------------------------------------------------------------------------------------------------


def build_person(values: Mapping[str, Any]) -> PersonData:
    """A PersonData from parsed values keyed by header (missing headers → empty/None)."""
    p = PersonData()
    edu = Education()
    for header, value in values.items():
        col = BY_HEADER[header]
        path = col.field
        if path.startswith("edu."):
            setattr(edu, path[4:], value if value is not None else _empty(col))
        elif path.startswith("unit."):
            setattr(p.unit, path[5:], value if value is not None or col.kind in ("bool",) else _empty(col))
        elif path.startswith("discipline."):
            continue
        else:
            if value is None and col.kind not in ("date", "bool"):
                value = _empty(col)
            if path == "status" and not value:
                value = "在职"
            setattr(p, path, value)
    if any(getattr(edu, f) not in ("", None) for f in ("level", "mode", "school", "major", "graduation_date",
                                                        "degree", "degree_date", "postdoc_end")):
        p.educations = [edu]
    kind = values.get("处分") or ""
    if kind and kind != "无":
        p.disciplines = [Discipline(kind, values.get("处分期满日期"))]
    return p


def _empty(col: Column) -> Any:
    if col.kind in ("date", "bool"):
        return None
    if col.kind == "assessments":
        return {}
    if col.kind == "continuing_education":
        return {}
    return ""


def person_values(p: PersonData) -> dict[str, Any]:
    """Header → cell value for export (highest education; first discipline)."""
    edu = p.highest_education or Education()
    disc = p.disciplines[0] if p.disciplines else None
    out: dict[str, Any] = {}
    for col in COLUMNS:
        path = col.field
        if path.startswith("edu."):
            raw = getattr(edu, path[4:])
        elif path.startswith("unit."):
            raw = getattr(p.unit, path[5:])
        elif path == "discipline.kind":
            raw = disc.kind if disc else ("无" if p.id is not None else "")
        elif path == "discipline.end_date":
            raw = disc.end_date if disc else None
        else:
            raw = getattr(p, path)
        out[col.header] = col.format(raw) if raw not in (None, "") else ("" if col.kind != "date" else None)
    return out
