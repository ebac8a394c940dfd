"""Atomic writes and bounded reads.

Writes: a temp file beside the target, fsync, then rename over it — a crash or a full disk never
leaves a half-written file under the target name.

Reads of files the user gives us: ``open_user_file`` / ``read_user_file`` — regular files only
(symlinks resolved, no FIFOs or devices), size checked on the opened descriptor before reading,
never more than the cap read. Every reader of a user's file goes through them.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

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


# --------------------------------------------------------------------------------------------------
# Bounded reading of files the user gives us
# --------------------------------------------------------------------------------------------------

MB = 1024 * 1024
# Caps shared by the readers (one place): a scan or document, a PDF's pages, a small data file
# (boxes JSON, policy / holiday / letter-input TOML, settings, manifests).
MAX_DOCUMENT_BYTES = 200 * MB
MAX_PDF_PAGES = 500
MAX_DATA_FILE_BYTES = 10 * MB


def _size_text(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{max(1, n // 1024)} KB"


@contextlib.contextmanager
def open_user_file(path: str | os.PathLike[str], max_bytes: int, *,
                   what: str = "文件") -> Iterator[IO[bytes]]:
    """Open a file the user chose, for reading at most ``max_bytes``: the one guard for every reader.

    Refuses (``InputFileError``, Chinese) anything that is not a regular file after following
    symlinks — a FIFO (would block forever), a device such as ``/dev/zero`` (endless), a folder —
    and a file larger than ``max_bytes``. The checks run on the opened descriptor (``fstat``), so the
    file cannot be swapped between the check and the read; the FIFO is opened non-blocking.
    """
    from app.errors import InputFileError

    p = Path(path)
    label = f"{what}“{p.name}”"
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(p, flags)
    except FileNotFoundError as exc:
        raise InputFileError(f"找不到{what}：{p}", detail="ENOENT") from exc
    except IsADirectoryError as exc:
        raise InputFileError(f"“{p}”是文件夹，不是文件", detail="EISDIR") from exc
    except PermissionError as exc:
        if p.is_dir():  # Windows reports a folder as access denied
            raise InputFileError(f"“{p}”是文件夹，不是文件", detail="EISDIR") from exc
        raise InputFileError(f"无法读取{label}：没有读取权限", detail="EACCES") from exc
    except OSError as exc:
        raise InputFileError(f"无法读取{label}：{exc.strerror or exc}", detail=f"errno {exc.errno}") from exc
    try:
        st = os.fstat(fd)
        import stat as _stat

        if _stat.S_ISDIR(st.st_mode):
            raise InputFileError(f"“{p}”是文件夹，不是文件", detail="EISDIR")
        if not _stat.S_ISREG(st.st_mode):
            kind = ("命名管道（FIFO）" if _stat.S_ISFIFO(st.st_mode) else
                    "设备文件" if _stat.S_ISCHR(st.st_mode) or _stat.S_ISBLK(st.st_mode) else
                    "套接字" if _stat.S_ISSOCK(st.st_mode) else "特殊文件")
            raise InputFileError(f"{label}不是普通文件（是{kind}），无法读取。请选择磁盘上的普通文件",
                                 detail=f"not a regular file (mode {st.st_mode:o})")
        if st.st_size > max_bytes:
            raise InputFileError(f"{what}过大：“{p.name}”有 {_size_text(st.st_size)}，上限 {_size_text(max_bytes)}",
                                 detail=f"size {st.st_size} > {max_bytes}")
        if getattr(os, "O_NONBLOCK", 0):  # POSIX: back to blocking reads on the (regular) file
            os.set_blocking(fd, True)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with fh, io.BufferedReader(_BoundedReader(fh, max_bytes, label)) as bounded:
        yield cast(IO[bytes], bounded)


class _BoundedReader(io.RawIOBase):
    """Reads through to the file but never more than ``max_bytes`` in total (a file that grows
    after the size check is refused, not read to the end)."""

    def __init__(self, fh: IO[bytes], max_bytes: int, label: str) -> None:
        super().__init__()
        self._fh = fh
        self._left = max_bytes
        self._max = max_bytes
        self._label = label
        self.name = getattr(fh, "name", "")

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        from app.errors import InputFileError

        view = memoryview(b)
        want = min(len(view), self._left + 1)
        n = self._fh.readinto(view[:want])  # type: ignore[attr-defined]
        n = n or 0
        if n > self._left:
            raise InputFileError(f"{self._label}在读取时超过上限 {_size_text(self._max)}",
                                 detail=f"grew beyond {self._max}")
        self._left -= n
        return n

    def fileno(self) -> int:
        return self._fh.fileno()


def read_user_file(path: str | os.PathLike[str], max_bytes: int, *, what: str = "文件") -> bytes:
    """All bytes of a user's file through ``open_user_file`` (regular file, at most ``max_bytes``)."""
    from app.errors import InputFileError

    with open_user_file(path, max_bytes, what=what) as fh:
        try:
            return fh.read()
        except InputFileError:
            raise
        except OSError as exc:
            raise InputFileError(f"无法读取{what}“{Path(path).name}”：{exc.strerror or exc}",
                                 detail=f"errno {exc.errno}") from exc


def read_user_text(path: str | os.PathLike[str], max_bytes: int, *, what: str = "文件",
                   encoding: str = "utf-8") -> str:
    """A user's text file, bounded like ``read_user_file``; undecodable bytes → InputFileError."""
    from app.errors import InputFileError

    data = read_user_file(path, max_bytes, what=what)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{what}“{Path(path).name}”不是 {encoding.upper()} 编码的文本文件",
                             detail=repr(exc)) from exc


def check_zip_bounds(data: bytes, name: str, *, max_total: int = 512 * MB, max_entry: int = 256 * MB,
                     max_entries: int = 10_000, what: str = "文件") -> None:
    """Refuse a zip container (xlsx, docx) whose declared uncompressed sizes are a bomb.

    Python's zipfile never inflates an entry beyond its declared size, so bounding the declared
    sizes bounds what any reader (openpyxl, python-docx) can unpack.
    """
    import zipfile

    from app.errors import InputFileError

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a readable zip: the format reader gives its own message
    total = sum(i.file_size for i in infos)
    biggest = max((i.file_size for i in infos), default=0)
    if len(infos) > max_entries or biggest > max_entry or total > max_total:
        raise InputFileError(
            f"{what}“{name}”解压后过大（{_size_text(total)}，{len(infos)} 个部件），可能是异常文件（压缩炸弹）。"
            "请用 Office 打开并重新保存后再试",
            detail=f"zip entries {len(infos)}, total {total}, biggest {biggest}")
