"""Citations a reader can follow.

Profiles, letter templates and code keep short internal references (``003 五（一）1``: the number of the
source text the rule was written from, then the section). Everything the officer or a 人社局 reader
sees goes through :func:`cite`, which names the notice instead: issuing body, title (or 文号), date and
section, from ``resources/notices/notices.toml``. Internal design references ("DOMAIN §…") belong in
code comments only; :func:`cite` never lets one through.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache

from app.errors import PolicyError
from app.paths import resource

_SEED = re.compile(r"(?<![\d〔.])(00\d)(?!\d)\s*§?\s*")
_DOMAIN = re.compile(r"[；;，,、]?\s*(?:名单见\s*)?DOMAIN(?:\.md)?\s*(?:§\s*[\d.]+)?")
_WENHAO_101 = re.compile(r"(?<!〕)101号")


@dataclass(frozen=True)
class Notice:
    key: str
    issuer: str
    title: str
    date: dt.date | None = None
    note: str = ""

    def citation(self) -> str:
        """``库尔勒市人力资源和社会保障局《关于……的通知》（2024年9月25日）``."""
        date = f"（{self.date.year}年{self.date.month}月{self.date.day}日）" if self.date else ""
        issuer = self.issuer if self.issuer and self.issuer not in self.title else ""
        return f"{issuer}《{self.title}》{date}"


@lru_cache(maxsize=1)
def notices() -> dict[str, Notice]:
    path = resource("notices", "notices.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"通知目录 {path.name} 无法读取：{exc}", detail=str(path)) from exc
    out = {}
    for key, row in data.get("notices", {}).items():
        try:
            out[key] = Notice(key=key, issuer=str(row.get("issuer", "")), title=str(row["title"]),
                              date=row.get("date"), note=str(row.get("note", "")))
        except KeyError as exc:
            raise PolicyError(f"通知目录 {path.name} 中的“notices.{key}.{exc.args[0]}”缺失", detail=str(path)) from exc
    return out


def notice(key: str) -> Notice | None:
    return notices().get(key)


def cite(text: str) -> str:
    """The reader's form of an internal source reference (idempotent on already readable text)."""
    if not text:
        return text
    text = _DOMAIN.sub("", text)
    known = notices()

    def repl(m: re.Match[str]) -> str:
        n = known.get(m.group(1))
        return n.citation() if n else m.group(0)

    text = _SEED.sub(repl, text)
    text = _WENHAO_101.sub("新人社发〔2013〕101号", text)
    return text.strip(" ；;，,")


def has_internal_reference(text: str) -> bool:
    """True when ``text`` still holds a design-document reference or a bare source-text number."""
    return "DOMAIN" in text or bool(re.search(r"(?<![\d〔.\-:/])00[0-4](?![\d〕])", text))
