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
    """The environment refused a read or write: disk full, database locked, read-only, no permission.

    Not the user's data and not our bug: exit code 3 with a message naming what to do. Each cause
    has its own subclass (and message) so the CLI, the UI dialog and the tests can tell them apart.
    """

    exit_code = EXIT_BAD_INPUT


class DiskFullError(StorageError):
    """ENOSPC / SQLITE_FULL."""


class DatabaseLockedError(StorageError):
    """SQLITE_BUSY / SQLITE_LOCKED: another program (or another 初定助手 window) holds the database."""


class ReadOnlyError(StorageError):
    """SQLITE_READONLY / EROFS: the database or the target location is read-only."""


class PermissionDeniedError(StorageError):
    """EACCES / EPERM / SQLITE_PERM / SQLITE_CANTOPEN: no permission to the file or folder."""


class Cancelled(ChudingError):
    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str = "操作已取消", *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)


class UnsafePathError(InputFileError):
    """A path built from data (a name, a manifest entry) would leave the folder it belongs in."""


class ForeignFilesError(InputFileError):
    """An export would replace or delete files this app did not write (the officer's own files)."""


def storage_error_from_os(exc: OSError, what: str) -> StorageError:
    """Translate an OSError during a write into a clear Chinese message (its own subclass per cause).

    The detail for the log holds the errno only: file names can be derived from a person's name.
    """
    import errno

    detail = f"{type(exc).__name__} errno={errno.errorcode.get(exc.errno or 0, exc.errno)}"
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        return DiskFullError(f"{what}失败：磁盘空间不足。请清理磁盘（或换一个位置）后重试，本次操作未保存任何内容。",
                             detail=detail)
    if exc.errno == errno.EROFS:
        return ReadOnlyError(f"{what}失败：目标位置只读（例如只读的 U 盘或光盘）。请选择其他位置。", detail=detail)
    if exc.errno in (errno.EACCES, errno.EPERM):
        return PermissionDeniedError(
            f"{what}失败：没有写入权限（{exc.filename or ''}）。请选择其他位置或检查文件是否被占用。", detail=detail)
    return StorageError(f"{what}失败：{exc.strerror or exc}", detail=detail)


# SQLite primary result codes (https://sqlite.org/rescode.html)
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 13, 14

MSG_DB_FULL = "数据库无法写入：磁盘空间不足。请清理磁盘后重试；本次操作未保存任何内容（已全部撤销）。"
MSG_DB_LOCKED = ("数据库正被其他程序占用（例如另一个打开的“职称初定申报助手”窗口或正在同步的网盘），等待后仍无法写入。"
                 "请关闭其他窗口后重试；本次操作未保存任何内容。")
MSG_DB_READONLY = ("数据库文件是只读的，无法保存。请检查文件属性（取消“只读”）或把数据库放到可写的位置；"
                   "本次操作未保存任何内容。")
MSG_DB_PERMISSION = "没有访问数据库文件的权限。请检查文件和所在文件夹的权限；本次操作未保存任何内容。"


def storage_error_from_db(exc: BaseException) -> StorageError | None:
    """A StorageError for a database error caused by the environment (full, locked, read-only,
    permission), else None. Accepts SQLAlchemy's wrapper or the sqlite3 exception itself."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)
    text = str(orig).lower()
    primary = code & 0xFF if isinstance(code, int) else None
    name = getattr(orig, "sqlite_errorname", "") or ""
    detail = f"{type(orig).__name__} {name or primary or ''}".strip()
    if primary == _SQLITE_FULL or "database or disk is full" in text:
        return DiskFullError(MSG_DB_FULL, detail=detail)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "database is locked" in text:
        return DatabaseLockedError(MSG_DB_LOCKED, detail=detail)
    if primary == _SQLITE_READONLY or "readonly database" in text or "read-only" in text:
        return ReadOnlyError(MSG_DB_READONLY, detail=detail)
    if primary in (_SQLITE_PERM, _SQLITE_CANTOPEN) or "unable to open database file" in text:
        return PermissionDeniedError(MSG_DB_PERMISSION, detail=detail)
    if primary == _SQLITE_IOERR:
        inner = getattr(orig, "__cause__", None)
        if isinstance(inner, OSError):
            return storage_error_from_os(inner, "写入数据库")
        return StorageError("数据库读写出错（磁盘错误或空间不足）。请检查磁盘后重试；本次操作未保存任何内容。",
                            detail=detail)
    return None


def environment_error(exc: BaseException) -> StorageError | None:
    """The StorageError for an unexpected exception that is really the environment refusing
    (an OSError such as ENOSPC, or a database error), else None. Used by the CLI and the UI before
    treating an exception as an internal error."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, OSError):
        import errno

        if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1), errno.EROFS, errno.EACCES, errno.EPERM):
            return storage_error_from_os(exc, "保存")
        return None
    return storage_error_from_db(exc)


class ServerUnreachable(StorageError):
    """The database server did not answer (refused, timed out, dropped the connection)."""


class SchemaTooNew(ChudingError):
    """The database was migrated by a newer version of the app than this one."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str = "数据库版本较新，请升级本程序后再打开。", *, detail: str | None = None) -> None:
        super().__init__(message, detail=detail)


class ConflictError(ChudingError):
    """A save over a colleague's change (optimistic concurrency): the message shows both values;
    ``reload`` is what the UI offers (重新载入)."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str, *, detail: str | None = None, entity: str = "", entity_id: int | None = None,
                 mine: dict[str, object] | None = None, theirs: dict[str, object] | None = None) -> None:
        super().__init__(message, detail=detail)
        self.entity = entity
        self.entity_id = entity_id
        self.mine = mine or {}
        self.theirs = theirs or {}
