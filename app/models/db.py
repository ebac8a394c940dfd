"""Engine and sessions from a URL; schema migrations with Alembic (a backup copy first).

``open_database(url)`` is the one entry point: it resolves the URL (``--db``, ``CHUDING_DB_URL``, or
the SQLite file in the user data dir), turns on WAL and foreign keys for SQLite, brings the schema to
the newest revision (copying the SQLite file aside before any migration), and returns a ``Database``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.dburl import display_url, mask_url, normalise_url, scrub, with_stored_password
from app.errors import (
    ChudingError,
    DuplicateError,
    SchemaTooNew,
    ServerUnreachable,
    StorageError,
    UsageError,
    storage_error_from_db,
)
from app.paths import default_db_path

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest Alembic revision. Lets start-up skip importing Alembic when the schema is current;
# tests/core/test_database.py checks it equals the head of the migration scripts.
SCHEMA_HEAD = "0008_unit_documents"
# Server databases: give up connecting after this many seconds; cancel a statement after this many ms.
CONNECT_TIMEOUT_S = int(os.environ.get("CHUDING_DB_CONNECT_TIMEOUT", "5") or 5)
STATEMENT_TIMEOUT_MS = int(os.environ.get("CHUDING_DB_STATEMENT_TIMEOUT_MS", "60000") or 60000)
# pg_advisory_lock key held while one PC migrates the schema (the others wait)
MIGRATION_LOCK_KEY = 0x43485544  # "CHUD"


def resolve_url(url_or_path: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from an explicit value, ``CHUDING_DB_URL``, the URL saved by ``chuding db set``
    (settings), or the default SQLite file. Server URLs use the psycopg driver and get the stored
    password back when they carry none."""
    value = os.fspath(url_or_path) if url_or_path else os.environ.get("CHUDING_DB_URL")
    if not value:
        from app.settings import load_settings

        value = load_settings().db_url or ""
    if not value:
        return f"sqlite:///{default_db_path()}"
    if "://" in value:
        try:
            url = normalise_url(value)
        except ArgumentError as exc:
            raise UsageError(f"数据库地址无效：{mask_url(value)}") from exc
        return with_stored_password(url)
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def is_server(url: Any) -> bool:
    return make_url(str(url) if not hasattr(url, "get_backend_name") else url).get_backend_name() != "sqlite"


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        # hide_parameters: a failed statement's message (logged, shown in the crash dialog) never carries
        # the bound values — ID numbers, names.
        engine = create_engine(url, future=True, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if u.get_backend_name() == "postgresql":
        options = " ".join(x for x in (str(u.query.get("options") or ""),
                                       f"-c statement_timeout={STATEMENT_TIMEOUT_MS}") if x)
        connect_args = {
            "connect_timeout": CONNECT_TIMEOUT_S,
            "options": options,
            "application_name": "chuding",
            # a server that goes silent mid-session is noticed by the OS within ~30 s
            "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3,
        }
    # pool_pre_ping: a connection the server dropped (restart, network) is replaced, not reused
    return create_engine(url, future=True, hide_parameters=True, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         pool_timeout=CONNECT_TIMEOUT_S * 2, connect_args=connect_args)


# unique keys the officer can collide on (two officers entering the same person at once)
_UNIQUE_LABELS = {
    "persons.id_number": "身份证号", "uq_persons_id_number": "身份证号",
    "units.name": "单位名称", "uq_units_name": "单位名称",
    "assessments.person_id": "考核年度", "uq_assessments_person_id": "考核年度",
    "continuing_education.person_id": "继续教育年度", "uq_continuing_education_person_id": "继续教育年度",
}


def _unique_message(exc: Any) -> str:
    text_ = str(exc.orig)
    diag = getattr(exc.orig, "diag", None)
    names = [getattr(diag, "constraint_name", None) or "", *re.findall(r"[a-z_]+\.[a-z_]+", text_)]
    label = next((_UNIQUE_LABELS[n] for n in names if n in _UNIQUE_LABELS), "")
    what = f"相同{label}的记录" if label else "相同的记录"
    return f"保存失败：数据库中已有{what}（可能是同事刚刚录入）。请刷新后核对，不要重复录入。"


def translate_db_error(exc: BaseException, url: Any) -> ChudingError | None:
    """A clear Chinese error for a database fault the officer can act on, or None."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, ChudingError):
        return exc
    if not isinstance(exc, DBAPIError):
        return None
    env = storage_error_from_db(exc)  # SQLite: disk full, locked, read-only, permission
    if env is not None:
        return env
    where = display_url(url)
    orig = exc.orig
    name = type(orig).__name__ if orig is not None else ""
    detail = scrub(repr(exc))
    if isinstance(exc, IntegrityError) and "unique" in str(orig).lower():
        return DuplicateError(_unique_message(exc), detail=detail)
    if name == "QueryCanceled":
        return StorageError(f"数据库服务器 {where} 长时间没有响应，操作已取消。请稍后重试。", detail=detail)
    text_ = str(orig or "").lower()
    if "password authentication failed" in text_ or ("role" in text_ and "does not exist" in text_):
        return StorageError(f"数据库服务器 {where} 拒绝登录：用户名或密码不正确。请在 设置 → 数据库 中重新填写。",
                            detail=detail)
    if "database" in text_ and "does not exist" in text_:
        return StorageError(f"数据库服务器上没有这个数据库：{where}。请核对库名，或请管理员先建立空数据库。",
                            detail=detail)
    if is_server(url) and (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)):
        return ServerUnreachable(f"无法连接数据库服务器 {where}。请检查网络和服务器是否在运行，然后重试。",
                                 detail=detail)
    return None


def _alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    cfg = _alembic_config(None)  # type: ignore[arg-type]
    head = ScriptDirectory.from_config(cfg).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The stamped schema revision (a plain query: no Alembic import on the start-up path)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _backup_sqlite(engine: Engine, current: str | None) -> Path | None:
    u = engine.url
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    src = Path(u.database)
    if not src.exists() or src.stat().st_size == 0:
        return None
    with engine.connect() as conn:
        if not inspect(conn).get_table_names():
            return None
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = src.with_name(f"{src.name}.{current or 'base'}.{stamp}.bak")
    # Use SQLite's online backup so WAL content is included and the copy is consistent.
    import sqlite3

    with contextlib.closing(sqlite3.connect(src)) as s, contextlib.closing(sqlite3.connect(dest)) as d:
        s.backup(d)
    log.info("database backed up to %s before migration from %s", dest, current)
    return dest


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {r.revision for r in ScriptDirectory.from_config(_alembic_config(None)).walk_revisions()}  # type: ignore[arg-type]


def check_not_newer(current: str | None) -> None:
    """An older app on a schema migrated by a newer one: ask for the upgrade (exit 3)."""
    if current is not None and current != SCHEMA_HEAD and current not in known_revisions():
        raise SchemaTooNew(detail=f"database revision {current!r}, this program knows up to {SCHEMA_HEAD!r}")


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        if os.name == "nt":  # pragma: no cover - Windows
            import msvcrt

            fh.seek(0)
            while True:
                try:
                    msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)  # type: ignore[attr-defined]
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


@contextlib.contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Only one process migrates a database at a time; the others wait here, then find it current.

    PostgreSQL: a session-level ``pg_advisory_lock`` (no statement timeout while waiting). SQLite:
    an exclusive lock on ``<file>.migrate.lock`` beside the database."""
    u = engine.url
    if u.get_backend_name() == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("SET statement_timeout = 0")
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY}).scalar()
            if not got:
                log.info("another process is migrating the database; waiting")
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.exec_driver_sql("RESET statement_timeout")
                conn.commit()
    elif u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        with _file_lock(Path(u.database).with_name(Path(u.database).name + ".migrate.lock")):
            yield
    else:
        yield


def migrate(engine: Engine) -> Path | None:
    """Upgrade to head under the migration lock. Returns the backup taken before migrating an
    existing database (SQLite: a copy of the file; a server: a logical copy into a SQLite file)."""
    current = current_revision(engine)
    if current == SCHEMA_HEAD:
        return None
    check_not_newer(current)
    from alembic import command

    with migration_lock(engine):
        current = current_revision(engine)  # another process may have migrated while we waited
        if current == SCHEMA_HEAD:
            return None
        check_not_newer(current)
        if engine.url.get_backend_name() == "sqlite":
            backup = _backup_sqlite(engine, current)
        else:
            backup = _backup_server(engine, current)
        command.upgrade(_alembic_config(engine), "head")
    return backup


def _backup_server(engine: Engine, current: str | None) -> Path | None:
    """Before migrating a server database that has data: the app's tables copied into a SQLite file
    in the user data dir (``backups/``), restorable with ``chuding db restore FILE``."""
    if current is None:
        return None
    from app.models.backup import backup_to_sqlite

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    from app.paths import user_data_dir

    dest = user_data_dir() / "backups" / f"server-{current}-{stamp}.sqlite3"
    backup_to_sqlite(engine, dest, revision=current)
    log.info("server database backed up to %s before migration from %s", dest, current)
    return dest


@dataclass
class Database:
    url: str  # for display: the password masked (``real_url`` has it)
    engine: Engine
    sessionmaker: sessionmaker[Session]

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error. A lost server connection becomes
        ``ServerUnreachable``; a save over a colleague's change becomes ``ConflictError``."""
        from sqlalchemy.orm.exc import StaleDataError

        s = self.sessionmaker()
        try:
            yield s
            s.commit()
        except StaleDataError as exc:
            s.rollback()
            from app.errors import ConflictError

            raise ConflictError("保存失败：这条记录刚被同事修改或删除。请重新载入后再修改。",
                                detail=repr(exc)) from exc
        except BaseException as exc:
            with contextlib.suppress(Exception):
                s.rollback()
            translated = translate_db_error(exc, self.engine.url) if isinstance(exc, Exception) else None
            if translated is not None and translated is not exc:
                raise translated from exc
            raise
        finally:
            with contextlib.suppress(Exception):
                s.close()

    @property
    def real_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    @property
    def display(self) -> str:
        return display_url(self.engine.url)

    @property
    def is_server(self) -> bool:
        return self.engine.url.get_backend_name() != "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        u = self.engine.url
        if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
            return Path(u.database)
        return None

    def ping(self) -> None:
        """Raises ``ServerUnreachable`` when the database does not answer (used by 重试)."""
        try:
            with self.engine.connect() as c:
                c.execute(text("SELECT 1"))
        except Exception as exc:
            translated = translate_db_error(exc, self.engine.url)
            if translated is not None:
                raise translated from exc
            raise

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url_or_path: str | os.PathLike[str] | None = None, *, migrate_schema: bool = True) -> Database:
    url = resolve_url(url_or_path)
    engine = make_engine(url)
    try:
        if migrate_schema:
            migrate(engine)
        elif is_server(url):
            check_not_newer(current_revision(engine))
    except ChudingError:
        engine.dispose()
        raise
    except OperationalError as exc:
        engine.dispose()
        translated = translate_db_error(exc, engine.url)
        if translated is not None:
            raise translated from exc
        raise StorageError(f"无法打开数据库：{display_url(url)}。文件可能已损坏。", detail=type(exc.orig).__name__) from exc
    except Exception as exc:
        engine.dispose()
        translated = translate_db_error(exc, engine.url)
        if translated is not None:
            raise translated from exc
        if "file is not a database" in str(exc):
            raise StorageError(f"数据库文件已损坏或不是数据库：{display_url(url)}", detail=repr(exc)) from exc
        raise
    return Database(url=mask_url(engine.url), engine=engine,
                    sessionmaker=sessionmaker(engine, expire_on_commit=False))
