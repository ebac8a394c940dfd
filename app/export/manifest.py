"""The bundle manifest (``manifest.json``): what was exported, from what, and how to re-check it.

One entry per file of the bundle (the manifest itself excluded) with its size and SHA-256, the vault
hashes of the sources it was made from, and — for files that had to be masked — the boxes and the
mask audit reference of every page, so ``verify-bundle`` can re-run mask verification on the bundle
alone. Person entries list the items the profile required for that person at export time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.errors import InputFileError
from app.fileio import atomic_write_text

MANIFEST_NAME = "manifest.json"
FORMAT = "chuding-bundle/1"

# File kinds
KIND_MATERIAL = "material"  # a person's packet item
KIND_UNIT = "unit"  # unit-level letters and forms
KIND_ROSTER = "roster"
KIND_CHECKLIST = "checklist"


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def listing_sha256(files: list[FileEntry] | list[dict[str, Any]]) -> str:
    """SHA-256 of the sorted ``[path, size, sha256, kind]`` rows: changes when a listed file is
    added, removed, renamed or re-hashed in the manifest."""
    rows = []
    for f in files:
        d = f if isinstance(f, dict) else asdict(f)
        rows.append([str(d.get("path")), int(d.get("size") or 0), str(d.get("sha256")), str(d.get("kind"))])
    rows.sort()
    text = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class PageMask:
    """Mask state of one page of an exported file. ``boxes`` use the Box JSON of DESIGN.md (fractions)."""

    index: int
    state: str  # "masked" | "not_needed"
    boxes: list[dict[str, Any]] = field(default_factory=list)
    audit: str | None = None  # mask audit reference (masked blob sha or audit record id)
    decided_by: str | None = None  # state "not_needed": the officer who decided 无需遮盖 (from the audit)


@dataclass
class FileEntry:
    path: str  # posix path relative to the bundle root
    size: int
    sha256: str
    kind: str
    person: str | None = None  # person folder name
    slot: str | None = None
    year: int | None = None
    pages: int = 0
    limit_kb: int | None = None
    sources: list[str] = field(default_factory=list)  # vault sha256 of the source blobs
    mask_required: bool = False
    mask_pages: list[PageMask] = field(default_factory=list)

    def boxset(self) -> dict[str, Any]:
        """Box JSON for the masked pages of this file (page index = index inside this file)."""
        return {"pages": [{"index": m.index, "boxes": m.boxes} for m in self.mask_pages if m.state == "masked"]}


@dataclass
class RequiredItem:
    slot: str
    label: str
    year: int | None = None
    mask: bool = False
    files: list[str] = field(default_factory=list)  # bundle paths that satisfy the item


@dataclass
class PersonEntry:
    folder: str
    person_id: int
    name: str
    unit: str = ""
    status: str = ""  # eligibility status (可申报 …)
    required: list[RequiredItem] = field(default_factory=list)


@dataclass
class Manifest:
    app_version: str
    profile_id: str
    profile_name: str
    as_of: str
    created_at: str
    limits: dict[str, int]
    persons: list[PersonEntry] = field(default_factory=list)
    files: list[FileEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    format: str = FORMAT
    # SHA-256 of the canonical file listing (see listing_sha256): with the format marker, what makes
    # a folder "a bundle this app wrote" (app/export/ownership.py).
    listing_sha256: str = ""

    # -- serialisation ------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def dumps(self) -> str:
        self.listing_sha256 = listing_sha256(self.files)
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2, sort_keys=False) + "\n"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        try:
            files = [
                FileEntry(**{**f, "mask_pages": [PageMask(**m) for m in f.get("mask_pages", [])]})
                for f in data["files"]
            ]
            persons = [
                PersonEntry(**{**p, "required": [RequiredItem(**r) for r in p.get("required", [])]})
                for p in data.get("persons", [])
            ]
            return cls(
                app_version=str(data["app_version"]), profile_id=str(data["profile_id"]),
                profile_name=str(data.get("profile_name", "")), as_of=str(data["as_of"]),
                created_at=str(data["created_at"]), limits=dict(data.get("limits", {})),
                persons=persons, files=files, warnings=list(data.get("warnings", [])),
                format=str(data.get("format", "")), listing_sha256=str(data.get("listing_sha256", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputFileError(f"清单文件 {MANIFEST_NAME} 格式不正确（{exc}）", detail=repr(exc)) from exc

    def write(self, bundle_dir: Path) -> Path:
        target = bundle_dir / MANIFEST_NAME
        atomic_write_text(target, self.dumps(), what="写入导出清单")
        return target

    def file(self, path: str) -> FileEntry | None:
        for f in self.files:
            if f.path == path:
                return f
        return None


def load_manifest(bundle_dir: str | Path) -> Manifest:
    bundle_dir = Path(bundle_dir)
    if not bundle_dir.is_dir():
        raise InputFileError(f"找不到导出文件夹：{bundle_dir}")
    p = bundle_dir / MANIFEST_NAME
    from app.fileio import MAX_DATA_FILE_BYTES, read_user_text

    if not p.exists() and not p.is_symlink():
        raise InputFileError(f"导出文件夹中没有 {MANIFEST_NAME}：{bundle_dir}（不是本程序导出的材料包？）")
    try:
        data = json.loads(read_user_text(p, MAX_DATA_FILE_BYTES, what="清单文件"))
    except FileNotFoundError as exc:
        raise InputFileError(f"导出文件夹中没有 {MANIFEST_NAME}：{bundle_dir}（不是本程序导出的材料包？）") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputFileError(f"无法读取 {p}：文件已损坏或不是有效的 JSON", detail=repr(exc)) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InputFileError(f"{p} 不是本程序支持的材料包清单（格式 {FORMAT}）")
    return Manifest.from_json(data)


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).astimezone().isoformat(timespec="seconds")
