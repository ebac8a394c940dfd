"""Shared documents on a server database: content-addressed blobs in the database.

With a PostgreSQL database every officer must see the same scans, masked derivatives and OCR
results. They are stored in the database itself (see docs/ARCHITECTURE.md, "Shared documents"):

- ``blobs``: one row per distinct content, keyed by its sha256 hex ``digest`` (so the same bytes
  are stored once, and a write by two officers at once is harmless: same key, same bytes);
- ``blob_chunks``: the bytes in chunks of ``CHUNK`` (4 MiB) so a large scan never needs one huge
  value in memory on the server or the client;
- ``shared_cache``: small JSON values (the OCR/seal/eye suggestion cache) keyed by page hash.

``DbVault`` has the same interface as the file ``Vault`` and keeps a local copy of every blob it
reads or writes under ``<user data dir>/vault-cache/<server>/`` (the same sha256 layout), so pages
are fetched once per PC. Every read is verified against the digest, from the cache and from the
database; a corrupt cached file is fetched again, a corrupt database blob is an error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String, Text, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.documents.vault import Vault, sha256_bytes
from app.errors import DuplicateError, InputFileError, NotFoundError
from app.fileio import atomic_write_bytes
from app.models.base import Base

log = logging.getLogger(__name__)
CHUNK = 4 * 1024 * 1024


class Blob(Base):
    __tablename__ = "blobs"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the whole content
    size: Mapped[int] = mapped_column(Integer)
    chunk_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, server_default=func.current_timestamp())


class BlobChunk(Base):
    __tablename__ = "blob_chunks"

    digest: Mapped[str] = mapped_column(ForeignKey("blobs.digest", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SharedCache(Base):
    __tablename__ = "shared_cache"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # "<page key>-<kind>-v<version>"
    value: Mapped[str] = mapped_column(Text)


def _cache_root(db: Any) -> Path:
    from app.paths import user_data_dir

    u = db.engine.url
    tag = hashlib.sha256(f"{u.host}:{u.port}/{u.database}?{u.query}".encode()).hexdigest()[:16]
    return user_data_dir() / "vault-cache" / tag


class DbVault(Vault):
    """Blobs in the database, with the local vault as a cache (same interface as ``Vault``)."""

    def __init__(self, db: Any, cache_root: Path | None = None) -> None:
        super().__init__(cache_root or _cache_root(db))
        self.db = db

    # -- local cache --------------------------------------------------------------------------
    def _local(self, sha: str) -> Path:
        return Vault.path_of(self, sha)

    def _cached(self, sha: str) -> bytes | None:
        p = self._local(sha)
        try:
            data = p.read_bytes()
        except OSError:
            return None
        if sha256_bytes(data) != sha:
            log.warning("cached blob %s… corrupt; fetching it again", sha[:12])
            with contextlib.suppress(OSError):
                p.unlink()
            return None
        return data

    def _keep(self, sha: str, data: bytes) -> None:
        p = self._local(sha)
        if not p.is_file():
            with contextlib.suppress(Exception):
                atomic_write_bytes(p, data, what="缓存文件")

    # -- addressing ---------------------------------------------------------------------------
    def path_of(self, sha: str) -> Path:
        """The local cached file of ``sha``, fetched from the database first when needed (callers
        that hand a path to another library, e.g. the bundle export)."""
        p = self._local(sha)
        if not p.is_file() and self.has(sha):
            with contextlib.suppress(NotFoundError, InputFileError):
                self.read_bytes(sha)
        return p

    def has(self, sha: str) -> bool:
        sha = sha.lower()
        try:
            self._local(sha)
        except NotFoundError:
            return False
        with self.db.session() as s:
            return s.get(Blob, sha) is not None

    # -- writing ------------------------------------------------------------------------------
    def put_bytes(self, data: bytes, suffix: str = "") -> str:
        sha = sha256_bytes(data)
        self._local(sha)  # validates
        try:
            with self.db.session() as s:
                if s.get(Blob, sha) is None:
                    chunks = [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""]
                    s.add(Blob(digest=sha, size=len(data), chunk_count=len(chunks)))
                    s.flush()
                    for i, c in enumerate(chunks):
                        s.add(BlobChunk(digest=sha, seq=i, data=c))
                else:
                    s.execute(update(Blob).where(Blob.digest == sha)
                              .values(created_at=func.current_timestamp()))  # refresh its age for gc
        except (IntegrityError, DuplicateError):  # a colleague stored the same content at the same moment: same bytes
            log.info("blob %s… stored concurrently by another process", sha[:12])
        self._keep(sha, data)
        return sha

    # -- reading ------------------------------------------------------------------------------
    def read_bytes(self, sha: str) -> bytes:
        sha = sha.lower()
        self._local(sha)  # validates
        data = self._cached(sha)
        if data is not None:
            return data
        with self.db.session() as s:
            blob = s.get(Blob, sha)
            if blob is None:
                raise NotFoundError(f"共享文件库中缺少文件 {sha[:12]}…（可能已被清理）")
            parts = s.scalars(select(BlobChunk.data).where(BlobChunk.digest == sha).order_by(BlobChunk.seq)).all()
        data = b"".join(parts)
        if len(parts) != blob.chunk_count or sha256_bytes(data) != sha:
            raise InputFileError(f"共享文件库中的文件 {sha[:12]}… 已损坏（摘要不符）")
        self._keep(sha, data)
        return data

    def iter_shas(self) -> Iterator[str]:
        with self.db.session() as s:
            shas = list(s.scalars(select(Blob.digest).order_by(Blob.digest)))
        yield from shas

    # -- maintenance --------------------------------------------------------------------------
    def gc(self, referenced: set[str], *, min_age_seconds: float = 0.0) -> int:
        keep = {s.lower() for s in referenced}
        cutoff = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=min_age_seconds)
        removed = 0
        with self.db.session() as s:
            rows = s.execute(select(Blob.digest, Blob.created_at)).all()
            now_db = s.execute(select(func.current_timestamp())).scalar()
            if isinstance(now_db, dt.datetime):  # compare in the server's clock
                cutoff = now_db.replace(tzinfo=None) - dt.timedelta(seconds=min_age_seconds)
            gone = [d for d, created in rows
                    if d not in keep and (min_age_seconds <= 0 or created is None or created < cutoff)]
            for i in range(0, len(gone), 500):
                s.execute(delete(BlobChunk).where(BlobChunk.digest.in_(gone[i:i + 500])))
                s.execute(delete(Blob).where(Blob.digest.in_(gone[i:i + 500])))
            removed = len(gone)
        local = Vault(self.root)  # the cache keeps only what is still referenced
        local.gc(keep, min_age_seconds=min_age_seconds)
        return removed


def migrate_local_vault(db: Any, source: Vault, *, progress: Any = None) -> dict[str, int]:
    """Copy every blob of a local vault into the database, verified by hash (read back from the
    database and compared). Blobs already there are only verified. Returns counts."""
    target = DbVault(db)
    shas = list(source.iter_shas())
    copied = present = 0
    t0 = time.perf_counter()
    for i, sha in enumerate(shas):
        data = source.read_bytes(sha)  # verifies the local file
        if target.has(sha):
            present += 1
        else:
            target.put_bytes(data)
            copied += 1
        with contextlib.suppress(OSError):  # read back from the database, not from the cache
            target._local(sha).unlink()
        if target.read_bytes(sha) != data:
            raise InputFileError(f"文件 {sha[:12]}… 迁移后核对不一致")
        if progress:
            progress(i + 1, len(shas))
    log.info("vault migrated: %d copied, %d already present, %.1f s", copied, present, time.perf_counter() - t0)
    return {"total": len(shas), "copied": copied, "present": present}


def shared_cache_get(db: Any, key: str) -> str | None:
    with db.session() as s:
        row = s.get(SharedCache, key)
        return row.value if row is not None else None


def shared_cache_put(db: Any, key: str, value: str) -> None:
    with contextlib.suppress(IntegrityError, DuplicateError), db.session() as s:
        row = s.get(SharedCache, key)
        if row is None:
            s.add(SharedCache(key=key, value=value))
        else:
            row.value = value
