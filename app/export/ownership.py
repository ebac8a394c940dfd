"""Which files at an export target this app wrote, and replacing only those.

An export may replace a previous bundle, but never the officer's own files. A folder counts as a
bundle of ours only when its ``manifest.json`` carries our format marker and a listing hash that
matches its file list (``Manifest.listing_sha256``), and every listed path is a safe relative path
inside the folder. Of such a bundle, only the files the manifest lists *and* that are unchanged
(size and SHA-256) are ours: they are replaced or deleted. Everything else — files the officer
added, listed files the officer changed, empty folders, links — is **moved aside** into a sibling
folder ``<name>_导出前保留的文件_<time>`` (never deleted) and the export reports it.

A non-empty folder that is not a bundle of ours (no manifest, someone else's, or one whose listing
hash no longer matches) is refused with :class:`~app.errors.ForeignFilesError` (exit code 3), and
so is a ``<name>.zip`` that is not a zip of ours. Nothing is touched before the new bundle is
complete; the swap itself is two renames (see :func:`replace_with`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.errors import ForeignFilesError, UnsafePathError
from app.export.manifest import FORMAT, MANIFEST_NAME, listing_sha256
from app.paths import check_relpath, inside

ASIDE_TAG = "导出前保留的文件"
_SHOW = 5  # file names shown in a message


@dataclass
class TargetState:
    """What is at an export target now."""

    root: Path
    exists: bool = False
    ours: list[str] = field(default_factory=list)  # listed, unchanged: may be replaced or deleted
    keep: list[str] = field(default_factory=list)  # anything else: moved aside, never deleted


def _names(items: list[str]) -> str:
    shown = "、".join(items[:_SHOW])
    return shown + (f" 等 {len(items)} 项" if len(items) > _SHOW else "")


def our_listing(data: Any) -> dict[str, dict[str, Any]] | None:
    """``{path: entry}`` of a parsed manifest written by this app and intact, else None."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    files = data.get("files")
    recorded = data.get("listing_sha256")
    if not isinstance(files, list) or not isinstance(recorded, str) or not recorded:
        return None
    if not all(isinstance(f, dict) for f in files):
        return None
    try:
        if listing_sha256(files) != recorded:
            return None
        out = {check_relpath(str(f["path"])): f for f in files}
    except (KeyError, TypeError, ValueError, UnsafePathError):
        return None
    if MANIFEST_NAME in out:
        return None
    return out


def _read_json(path: Path) -> Any:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > 64 * 1024 * 1024:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def _unchanged(root: Path, rel: str, entry: dict[str, Any]) -> bool:
    try:
        p = inside(root, rel)
        if p.is_symlink() or not p.is_file():
            return False
        return p.stat().st_size == int(entry.get("size") or -1) and _sha256(p) == entry.get("sha256")
    except (OSError, UnsafePathError, TypeError, ValueError):
        return False


def _walk(root: Path) -> tuple[list[str], list[str]]:
    """(files and links, empty folders) under ``root`` as posix relative paths; links not followed."""
    files: list[str] = []
    empty: list[str] = []
    for dirpath, dirs, names in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for d in list(dirs):
            if (here / d).is_symlink():
                files.append((here / d).relative_to(root).as_posix())
                dirs.remove(d)
        for n in names:
            files.append((here / n).relative_to(root).as_posix())
        if here != root and not dirs and not names:
            empty.append(here.relative_to(root).as_posix())
    return sorted(files), sorted(empty)


def inspect_target(target: Path, *, hash_files: bool = True) -> TargetState:
    """What may be replaced at ``target``; ForeignFilesError when it holds files that are not a
    bundle of ours. ``hash_files=False`` only checks the manifest (fast pre-check)."""
    state = TargetState(target)
    if not target.exists() and not target.is_symlink():
        return state
    if target.is_symlink() or not target.is_dir():
        raise ForeignFilesError(f"导出位置“{target}”是一个文件（或快捷方式），不是文件夹。请选择一个空文件夹或新文件夹。")
    state.exists = True
    files, empty = _walk(target)
    if not files and not empty:
        return state
    listing = our_listing(_read_json(target / MANIFEST_NAME)) if MANIFEST_NAME in files else None
    if listing is None:
        what = ("其中的 manifest.json 不是本程序写的，或已被修改" if MANIFEST_NAME in files
                else "也不是本程序导出的材料包")
        raise ForeignFilesError(
            f"导出文件夹“{target}”不是空的，{what}（内有：{_names(files + empty)}）。"
            "为避免覆盖或删除其中的文件，未导出。请选择一个空文件夹或新文件夹。")
    if not hash_files:
        return state
    for rel in files:
        if rel == MANIFEST_NAME or (rel in listing and _unchanged(target, rel, listing[rel])):
            state.ours.append(rel)
        else:
            state.keep.append(rel)
    state.keep += empty
    return state


def aside_folder(target: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    base = target.with_name(f"{target.name}_{ASIDE_TAG}_{stamp}")
    p, k = base, 1
    while p.exists() or p.is_symlink():
        k += 1
        p = base.with_name(f"{base.name}_{k}")
    return p


def move_aside(root: Path, items: list[str], aside: Path) -> None:
    """Move ``items`` (relative paths found by walking ``root``) into ``aside``, same layout."""
    for rel in items:
        src = root.joinpath(*rel.split("/"))
        if not src.exists() and not src.is_symlink():
            continue
        dest = aside.joinpath(*rel.split("/"))
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)


def discard_old(old: Path, ours: list[str] | None, aside_for: Path) -> Path | None:
    """Delete the listed, unchanged files of a replaced bundle (``ours``; None: work them out from
    its manifest), move anything else into an aside folder for ``aside_for``; returns that folder."""
    if ours is None:
        try:
            ours = inspect_target(old).ours
        except ForeignFilesError:
            ours = []
    for rel in ours:
        with contextlib.suppress(OSError, UnsafePathError):
            p = inside(old, rel)
            if not p.is_symlink() and p.is_file():
                p.unlink()
    for dirpath in sorted((t[0] for t in os.walk(old, followlinks=False)), key=lambda d: -len(d)):
        if Path(dirpath) != old:
            with contextlib.suppress(OSError):
                os.rmdir(dirpath)
    with contextlib.suppress(OSError):
        os.rmdir(old)
        return None
    files, empty = _walk(old)  # something appeared meanwhile: keep it
    aside = aside_folder(aside_for)
    move_aside(old, files + empty, aside)
    shutil.rmtree(old, ignore_errors=True)
    return aside


def replace_with(tmp: Path, target: Path) -> tuple[list[str], Path | None]:
    """Put the finished bundle ``tmp`` at ``target``: the previous bundle's own files are replaced,
    anything else is moved aside first. Returns (moved items, aside folder or None)."""
    state = inspect_target(target)
    if not state.exists:
        os.replace(tmp, target)
        return [], None
    aside: Path | None = None
    if state.keep:
        aside = aside_folder(target)
        move_aside(target, state.keep, aside)
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rmdir(old)
    os.replace(target, old)
    try:
        os.replace(tmp, target)
    except OSError:
        os.replace(old, target)  # put the previous bundle back
        raise
    late = discard_old(old, state.ours, target)
    moved = list(state.keep)
    if late is not None:
        aside = aside or late
    return moved, aside


# ------------------------------------------------------------------------------------ zip
def zip_is_ours(path: Path, name: str) -> bool:
    """True when ``path`` is a zip this app wrote of a bundle named ``name``: our intact manifest at
    ``name/manifest.json`` and no entry but the files it lists, each with its listed size and hash."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as zf:
            infos = {i.filename: i for i in zf.infolist() if not i.is_dir()}
            m = infos.get(f"{name}/{MANIFEST_NAME}")
            if m is None or m.file_size > 64 * 1024 * 1024:
                return False
            listing = our_listing(json.loads(zf.read(m).decode("utf-8")))
            if listing is None:
                return False
            expected = {f"{name}/{rel}" for rel in listing} | {m.filename}
            if set(infos) != expected:
                return False
            for rel, entry in listing.items():
                info = infos[f"{name}/{rel}"]
                if info.file_size != int(entry.get("size") or -1):
                    return False
                h = hashlib.sha256()
                with zf.open(info) as fh:
                    while block := fh.read(1 << 20):
                        h.update(block)
                if h.hexdigest() != entry.get("sha256"):
                    return False
            return True
    except (OSError, zipfile.BadZipFile, UnicodeDecodeError, ValueError, KeyError, TypeError, RuntimeError):
        return False


def check_zip_target(zip_path: Path, name: str) -> None:
    """Refuse (ForeignFilesError) to replace a ``.zip`` that is not a zip of ours."""
    if (zip_path.exists() or zip_path.is_symlink()) and not zip_is_ours(zip_path, name):
        raise ForeignFilesError(
            f"“{zip_path}”已存在，但不是本程序导出的材料包压缩文件（或已被修改）。为避免覆盖它，未导出。"
            "请改名或移走该文件，或选择其他导出文件夹。")


def check_export_target(target: Path, *, make_zip: bool = False) -> None:
    """Fast pre-check before any work: ForeignFilesError when the export would have to replace
    files that are not ours (the folder, or ``<name>.zip`` when a zip is wanted)."""
    inspect_target(target, hash_files=False)
    if make_zip:
        check_zip_target(target.with_name(target.name + ".zip"), target.name)


def moved_message(moved: list[str], aside: Path | None) -> str | None:
    if not moved or aside is None:
        return None
    return (f"导出文件夹中有 {len(moved)} 项不是本程序导出的文件或已被修改（{_names(moved)}），"
            f"未删除，已移到“{aside}”")
