"""Invisible and hostile characters in text from data: one classification used by the input checks
(app/roster/validate.py refuses them at the boundary) and by every writer (file names, xlsx, csv,
docx, PDF), which removes them so data stored by an older version never crashes an export.

Classes (each with the Chinese phrase the input check uses):

* control characters: C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F), the line and paragraph
  separators U+2028/U+2029;
* bidirectional overrides, embeddings, isolates and marks (U+202A–U+202E, U+2066–U+2069,
  U+200E/U+200F, U+061C): they make text display in an order other than the stored one
  (``名.exe`` shown as ``exe.名``);
* zero-width and other invisible format characters (U+200B–U+200D, U+2060–U+2064, U+FEFF, U+00AD,
  U+180E, any other Unicode "Cf"): two names that look identical compare different.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

CONTROL = "control"
BIDI = "bidi"
INVISIBLE = "invisible"

BIDI_CHARS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")

KIND_LABELS = {
    CONTROL: "不可见的控制字符",
    BIDI: "改变文字显示方向的不可见字符",
    INVISIBLE: "零宽度等不可见字符",
}

# What openpyxl refuses in a cell (XML 1.0 forbids them): a crash, not a formula.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def char_kind(ch: str) -> str | None:
    """The class of one character, or None for an ordinary visible character or space."""
    if ch in BIDI_CHARS:
        return BIDI
    cat = unicodedata.category(ch)
    if cat == "Cc" or cat in ("Zl", "Zp"):
        return CONTROL
    if cat == "Cf":
        return INVISIBLE
    return None


def find_hostile(text: str, *, allow: str = "") -> tuple[int, str, str] | None:
    """(index, character, class) of the first hostile character not in ``allow``, or None."""
    for i, ch in enumerate(text):
        if ch in allow:
            continue
        kind = char_kind(ch)
        if kind is not None:
            return i, ch, kind
    return None


def describe(ch: str) -> str:
    """``U+000B`` and its Unicode name when known: for messages and the log."""
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def strip_hostile(text: str, *, keep: str = "") -> str:
    """``text`` without control, bidi and invisible characters (those in ``keep`` stay); a control
    character between words (a tab, a line break) becomes one space."""
    if find_hostile(text, allow=keep) is None:
        return text
    out = []
    for ch in text:
        kind = None if ch in keep else char_kind(ch)
        if kind is None:
            out.append(ch)
        elif kind == CONTROL and out and out[-1] != " ":
            out.append(" ")
    return "".join(out).strip(" ")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 (xlsx, docx) cannot hold, and without bidi overrides."""
    text = XML_ILLEGAL.sub("", text)
    if any(ch in BIDI_CHARS for ch in text):
        text = "".join(ch for ch in text if ch not in BIDI_CHARS)
    return text


def scrub(obj: Any) -> Any:
    """A copy of ``obj`` (a str, a dataclass record such as PersonData, or lists/dicts/tuples of
    them) with every string passed through :func:`xml_safe`: what writers apply to records stored
    before the input checks existed, so an old database never crashes a docx, xlsx or PDF."""
    if isinstance(obj, str):
        return xml_safe(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: scrub(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, list):
        return [scrub(x) for x in obj]
    if isinstance(obj, tuple):
        return tuple(scrub(x) for x in obj)
    if isinstance(obj, dict):
        return {scrub(k): scrub(v) for k, v in obj.items()}
    return obj
