"""Atomic writes: a temp file beside the target, fsync, then rename over it.

A crash or a full disk never leaves a half-written file under the target name.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from app.errors import storage_error_from_os


@contextlib.contextmanager
def atomic_write(target: str | os.PathLike[str], mode: str = "wb", *, what: str = "写入文件") -> Iterator[IO]:
    """Open a temp file beside ``target``; on success it replaces ``target`` atomically."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise storage_error_from_os(exc, what) from exc
    tmp = Path(tmp_name)
    encoding = None if "b" in mode else "utf-8"
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline="" if encoding else None) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error_from_os(exc, what) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes, *, what: str = "写入文件") -> None:
    with atomic_write(target, "wb", what=what) as fh:
        fh.write(data)


def atomic_write_text(target: str | os.PathLike[str], text: str, *, what: str = "写入文件") -> None:
    with atomic_write(target, "w", what=what) as fh:
        fh.write(text)
