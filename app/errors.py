"""One exception tree for the whole app.

Every error a user can cause carries a Chinese message (``message``) that the CLI prints on stderr
and the UI shows in a dialog, an exit code following the CLI contract, and an optional English
``detail`` for the log file.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_PROBLEMS = 1  # checks found problems: invalid rows, ineligible, verification failed
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3  # unreadable or invalid input file
EXIT_INTERNAL = 4


class ChudingError(Exception):
    """Base of all expected errors. ``message`` is Chinese and meant for the user."""

    exit_code = EXIT_INTERNAL

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class UsageError(ChudingError):
    exit_code = EXIT_USAGE


class InputFileError(ChudingError):
    """A file the user gave us cannot be read: corrupt, encrypted, empty, wrong type, too large."""

    exit_code = EXIT_BAD_INPUT


class ValidationError(ChudingError):
    """Data the user entered is invalid (an ID number, a date, a field)."""

    exit_code = EXIT_PROBLEMS


class NotFoundError(ChudingError):
    exit_code = EXIT_USAGE


class DuplicateError(ChudingError):
    exit_code = EXIT_PROBLEMS


class CheckFailed(ChudingError):
    """A check ran and found problems (verification failed, ineligible, incomplete)."""

    exit_code = EXIT_PROBLEMS


class PolicyError(ChudingError):
    """A policy profile file is invalid; the message names the file and the key."""

    exit_code = EXIT_BAD_INPUT


class StorageError(ChudingError):
    """Disk full, permission denied, database locked: the environment refused a write."""

    exit_code = EXIT_INTERNAL


class Cancelled(ChudingError):
    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str = "操作已取消", *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)


class UnsafePathError(InputFileError):
    """A path built from data (a name, a manifest entry) would leave the folder it belongs in."""


class ForeignFilesError(InputFileError):
    """An export would replace or delete files this app did not write (the officer's own files)."""


def storage_error_from_os(exc: OSError, what: str) -> StorageError:
    """Translate an OSError during a write into a clear Chinese message."""
    import errno

    if exc.errno == errno.ENOSPC:
        msg = f"{what}失败：磁盘空间不足。请清理磁盘后重试。"
    elif exc.errno in (errno.EACCES, errno.EPERM):
        msg = f"{what}失败：没有写入权限（{exc.filename or ''}）。请选择其他位置或检查文件是否被占用。"
    elif exc.errno == errno.EROFS:
        msg = f"{what}失败：目标位置只读。"
    else:
        msg = f"{what}失败：{exc.strerror or exc}"
    return StorageError(msg, detail=repr(exc))
