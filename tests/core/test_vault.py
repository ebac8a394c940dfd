"""The content-addressed vault: layout, dedup, integrity, gc, location beside the database."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.documents.vault import Vault, vault_for
from app.errors import InputFileError, NotFoundError


def test_put_read_layout_and_dedup(tmp_path: Path) -> None:
    v = Vault(tmp_path / "vault")
    sha = v.put_bytes(b"hello scan", ".jpg")
    assert sha == hashlib.sha256(b"hello scan").hexdigest()
    assert v.path_of(sha) == tmp_path / "vault" / "sha256" / sha[:2] / sha[2:]
    assert v.has(sha) and v.read_bytes(sha) == b"hello scan"
    inode = v.path_of(sha).stat().st_ino
    assert v.put_bytes(b"hello scan") == sha  # stored once, never rewritten (same file)
    assert v.path_of(sha).stat().st_ino == inode
    assert list(v.iter_shas()) == [sha]
    f = tmp_path / "in.bin"
    f.write_bytes(b"other")
    assert v.put_file(f) == hashlib.sha256(b"other").hexdigest()
    assert not v.has("0" * 64) and not v.has("not-a-sha")


def test_corruption_and_missing_are_reported(tmp_path: Path) -> None:
    v = Vault(tmp_path)
    sha = v.put_bytes(b"original")
    v.path_of(sha).write_bytes(b"tampered")
    with pytest.raises(InputFileError, match="损坏"):
        v.read_bytes(sha)
    with pytest.raises(NotFoundError, match="缺少"):
        v.read_bytes("a" * 64)
    with pytest.raises(InputFileError, match="找不到"):
        v.put_file(tmp_path / "nope.jpg")


def test_gc_removes_only_unreferenced(tmp_path: Path) -> None:
    v = Vault(tmp_path)
    keep = v.put_bytes(b"keep")
    drop = v.put_bytes(b"drop")
    (v.path_of(keep).parent / ".x.part").write_bytes(b"half")  # an interrupted write
    assert v.gc({keep.upper()}) == 1
    assert v.has(keep) and not v.has(drop)
    assert not (v.path_of(keep).parent / ".x.part").exists()
    assert not v.path_of(drop).parent.exists() or v.path_of(drop).parent == v.path_of(keep).parent


def test_gc_spares_recent_blobs_and_reuse_refreshes_age(tmp_path: Path) -> None:
    import os

    v = Vault(tmp_path)
    old = v.put_bytes(b"old orphan")
    new = v.put_bytes(b"new orphan")
    reused = v.put_bytes(b"re-used")
    for sha in (old, reused):
        os.utime(v.path_of(sha), (1_000_000_000, 1_000_000_000))  # 2001
    v.put_bytes(b"re-used")  # an import stores the same bytes again
    assert v.gc(set(), min_age_seconds=600) == 1
    assert not v.has(old) and v.has(new) and v.has(reused)


def test_vault_beside_sqlite_file(db, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert vault_for(db).root == db_path.parent / "vault"
