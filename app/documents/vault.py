"""Content-addressed file store: ``<root>/sha256/ab/cdef…`` (the hex digest split after two chars).

Files are written once (atomically) and never edited in place; the same bytes are stored once.
Rows in the database reference blobs by their sha256; ``gc`` removes blobs nobody references.
The optional ``suffix`` is accepted for callers' convenience but is not part of the address: the
address is the digest alone, and the type of a blob is recorded in the database row that uses it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from app.errors import InputFileError, NotFoundError, storage_error_from_os
from app.fileio import atomic_write_bytes

_HEX = re.compile(r"^[0-9a-f]{64}$")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Vault:
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    # -- addressing ---------------------------------------------------------------------------
    def path_of(self, sha: str) -> Path:
        sha = sha.lower()
        if not _HEX.match(sha):
            raise NotFoundError(f"无效的文件摘要：{sha!r}")
        return self.root / "sha256" / sha[:2] / sha[2:]

    def has(self, sha: str) -> bool:
        try:
            return self.path_of(sha).is_file()
        except NotFoundError:
            return False

    # -- writing ------------------------------------------------------------------------------
    def put_bytes(self, data: bytes, suffix: str = "") -> str:
        sha = sha256_bytes(data)
        target = self.path_of(sha)
        if not target.is_file():
            atomic_write_bytes(target, data, what="保存文件到文件库")
        else:  # re-used: refresh its age so a concurrent ``gc(min_age_seconds=…)`` keeps it
            with contextlib.suppress(OSError):
                os.utime(target)
        return sha

    def put_file(self, path: Path | str) -> str:
        p = Path(path)
        try:
            data = p.read_bytes()
        except FileNotFoundError as exc:
            raise InputFileError(f"找不到文件：{p}") from exc
        except OSError as exc:
            raise InputFileError(f"无法读取文件：{p}（{exc.strerror or exc}）") from exc
        return self.put_bytes(data, p.suffix)

    # -- reading ------------------------------------------------------------------------------
    def read_bytes(self, sha: str) -> bytes:
        p = self.path_of(sha)
        try:
            data = p.read_bytes()
        except FileNotFoundError as exc:
            raise NotFoundError(f"文件库中缺少文件 {sha[:12]}…（可能已被清理）") from exc
        if sha256_bytes(data) != sha.lower():
            raise InputFileError(f"文件库中的文件 {sha[:12]}… 已损坏（摘要不符）")
        return data

    def iter_shas(self) -> Iterator[str]:
        base = self.root / "sha256"
        if not base.is_dir():
            return
        for sub in sorted(base.iterdir()):
            if not sub.is_dir() or len(sub.name) != 2:
                continue
            for f in sorted(sub.iterdir()):
                sha = sub.name + f.name
                if f.is_file() and _HEX.match(sha):
                    yield sha

    # -- maintenance --------------------------------------------------------------------------
    def gc(self, referenced: set[str], *, min_age_seconds: float = 0.0) -> int:
        """Delete every blob whose sha is not in ``referenced``; returns how many were removed.

        ``min_age_seconds`` spares blobs written (or re-used) more recently than that: an import
        running at the same time stores its blobs before it commits the rows that reference them.
        Leftover temp files of interrupted writes (``.*.part``) older than that go too."""
        keep = {s.lower() for s in referenced}
        cutoff = time.time() - min_age_seconds
        removed = 0
        for sha in list(self.iter_shas()):
            if sha not in keep and (min_age_seconds <= 0 or self.path_of(sha).stat().st_mtime < cutoff):
                try:
                    self.path_of(sha).unlink()
                except OSError as exc:
                    raise storage_error_from_os(exc, "清理文件库") from exc
                removed += 1
        base = self.root / "sha256"
        if base.is_dir():
            for sub in base.iterdir():
                if sub.is_dir():
                    for f in sub.glob(".*.part"):
                        if min_age_seconds <= 0 or f.stat().st_mtime < cutoff:
                            f.unlink(missing_ok=True)
                    try:
                        next(sub.iterdir())
                    except StopIteration:
                        os.rmdir(sub)
        return removed


def vault_for(db: object) -> Vault:
    """The vault beside the SQLite file (``<db dir>/vault``); with a server database, the blobs in
    that database shared by all officers (``app.models.blobs.DbVault``, the local vault a cache)."""
    if getattr(db, "is_server", False):
        from app.models.blobs import DbVault

        return DbVault(db)
    sqlite_path = getattr(db, "sqlite_path", None)
    if sqlite_path is not None:
        return Vault(Path(sqlite_path).parent / "vault")
    from app.paths import user_data_dir

    return Vault(user_data_dir() / "vault")
