"""Filesystem locations: user data/log dirs (platformdirs) and the shipped resources folder."""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from pathlib import Path

import platformdirs

from app import APP_NAME

_AUTHOR = "Chuding"


def user_data_dir() -> Path:
    override = os.environ.get("CHUDING_DATA_DIR")
    p = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, _AUTHOR))
    p.mkdir(parents=True, exist_ok=True)
    return p


def user_log_dir() -> Path:
    override = os.environ.get("CHUDING_LOG_DIR")
    if override:
        p = Path(override)
    elif os.environ.get("CHUDING_DATA_DIR"):
        p = Path(os.environ["CHUDING_DATA_DIR"]) / "logs"
    else:
        p = Path(platformdirs.user_log_dir(APP_NAME, _AUTHOR))
    p.mkdir(parents=True, exist_ok=True)
    return p


def user_documents_dir() -> Path:
    """Where the officer's generated files (letters, 呈报表 drafts) go by default: a folder in the
    user's 文档 (Documents), not the hidden data folder. ``CHUDING_DOCUMENTS_DIR`` overrides; with
    ``CHUDING_DATA_DIR`` set (tests, portable use) it lies inside that folder. Not created here."""
    override = os.environ.get("CHUDING_DOCUMENTS_DIR")
    if override:
        return Path(override)
    if os.environ.get("CHUDING_DATA_DIR"):
        return Path(os.environ["CHUDING_DATA_DIR"]) / "文档"
    return Path(platformdirs.user_documents_dir()) / "职称申报材料"


def default_db_path() -> Path:
    return user_data_dir() / "chuding.sqlite3"


def demo_db_path() -> Path:
    """The demo database: beside the officer's own, never the same file, so demo rows never mix
    with real ones (帮助 → 打开演示数据, ``chuding --demo``, ``bootstrap.py run``)."""
    return user_data_dir() / "demo.sqlite3"


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, inside the bundle when frozen."""
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        return Path(frozen_base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


# ------------------------------------------------------------------------------- paths from data
# Every file or folder name built from data (a person's or unit's name, a letter title, a manifest
# or zip entry) goes through ``safe_component``/``safe_filename`` and every such path through
# ``inside(root, …)``: a name can neither leave its folder nor be a name Windows refuses.

MAX_COMPONENT_CHARS = 80
MAX_COMPONENT_BYTES = 240  # UTF-8; ext4 and NTFS allow 255 per component
_SEPARATORS = re.compile(r'[\\/:*?"<>|]')
# Characters that look like a slash or a dot run and would become one under NFKC-folding tools.
_LOOKALIKES = re.compile("[\u2215\u2044\u29f8\u2216\u29f5\u29f9\u2571\u2572\u1735\u2024\u2025\u2026]")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", "CLOCK$"]
    + [f"{p}{n}" for p in ("COM", "LPT") for n in (*"0123456789", "\u00b9", "\u00b2", "\u00b3")]
)


def is_reserved_name(name: str) -> bool:
    """True for names Windows maps to a device (``CON``, ``nul.txt``, ``COM1 .pdf`` …)."""
    stem = name.split(".", 1)[0].rstrip(" ")
    return stem.upper() in _WINDOWS_RESERVED


def safe_component(text: str, *, fallback: str = "未命名", max_chars: int = MAX_COMPONENT_CHARS) -> str:
    """One path component from data, valid and harmless on Windows and POSIX.

    NFKC-folded (a full-width ／ or ．is folded before it is judged), separators, lookalike slashes
    and Windows-forbidden characters become ``_``; control, bidi and zero-width characters are
    dropped; leading and trailing dots and spaces are stripped (so ``..`` and ``.hidden`` cannot
    be made); a Windows device name gets a ``_`` prefix; the result is capped in characters and
    UTF-8 bytes. Never empty, never ``.`` or ``..``."""
    from app.domain.text import strip_hostile

    text = unicodedata.normalize("NFKC", strip_hostile(str(text)))
    text = strip_hostile(text)  # NFKC can produce new ones (rare)
    text = _LOOKALIKES.sub("_", _SEPARATORS.sub("_", text))
    text = re.sub(r"\s+", " ", text).strip(" .")
    if not text:
        text = fallback
    if is_reserved_name(text):
        text = "_" + text
    text = text[:max_chars]
    while len(text.encode("utf-8")) > MAX_COMPONENT_BYTES:
        text = text[:-1]
    text = text.rstrip(" .")
    return text or fallback


def safe_filename(stem: str, suffix: str = "", *, fallback: str = "未命名",
                  max_chars: int = MAX_COMPONENT_CHARS) -> str:
    """``safe_component(stem) + suffix``; the suffix (a constant such as ``.pdf``) is kept whole."""
    return safe_component(stem, fallback=fallback, max_chars=max(1, max_chars - len(suffix))) + suffix


_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


def safe_basename(name: str, *, fallback: str = "未命名", max_chars: int = MAX_COMPONENT_CHARS) -> str:
    """A whole file name from data (``公示_张三.docx``): the stem sanitised and capped, a plain
    ASCII suffix of up to 10 characters kept whole, any other "suffix" sanitised with the stem."""
    stem, dot, ext = str(name).rpartition(".")
    if dot and stem and _SUFFIX.fullmatch("." + ext):
        return safe_filename(stem, "." + ext, fallback=fallback, max_chars=max_chars)
    return safe_component(name, fallback=fallback, max_chars=max_chars)


def inside(root: str | os.PathLike[str], *parts: str | os.PathLike[str]) -> Path:
    """``root/parts…``, refused (UnsafePathError) unless it resolves (symlinks, ``..``, absolute
    parts, drive letters) to ``root`` itself or below it."""
    from app.errors import UnsafePathError

    base = Path(root)
    target = base.joinpath(*parts)
    real_base = base.resolve()
    real = target.resolve()
    if real != real_base and real_base not in real.parents:
        shown = "/".join(str(p) for p in parts)
        raise UnsafePathError(f"文件名“{shown}”指向文件夹“{base}”之外，已拒绝写入或删除",
                              detail=f"{target!r} resolves to {real!r}, outside {real_base!r}")
    return target


def check_relpath(rel: str) -> str:
    """A relative path written by this app (manifest or zip entry): posix ``/`` separated, every
    component unchanged by ``safe_component``. Returns it or raises UnsafePathError."""
    from app.errors import UnsafePathError

    parts = rel.split("/") if isinstance(rel, str) else []
    ok = bool(parts) and "\\" not in rel and all(
        p and p not in (".", "..") and safe_component(p, fallback="\0", max_chars=10_000) == p
        and (len(p) <= 255) for p in parts)
    if not ok:
        raise UnsafePathError(f"清单中的文件路径“{rel}”不安全（含上级目录、绝对路径或非法字符），已拒绝",
                              detail=f"unsafe relative path {rel!r}")
    return rel
