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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import StorageError, UsageError, storage_error_from_db
from app.paths import default_db_path

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest Alembic revision. Lets start-up skip importing Alembic when the schema is current;
# tests/core/test_database.py checks it equals the head of the migration scripts.
SCHEMA_HEAD = "0006m_mask_not_needed"


def resolve_url(url_or_path: str | os.PathLike[str] | None = None) -> str:
    """A SQLAlchemy URL from an explicit value, ``CHUDING_DB_URL`` or the default SQLite file."""
    value = os.fspath(url_or_path) if url_or_path else os.environ.get("CHUDING_DB_URL")
    if not value:
        return f"sqlite:///{default_db_path()}"
    if "://" in value:
        try:
            make_url(value)
        except ArgumentError as exc:
            raise UsageError(f"数据库地址无效：{value}") from exc
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)
    # hide_parameters: a failed statement's message (logged, shown in the crash dialog) never carries
    # the bound values — ID numbers, names.
    engine = create_engine(url, future=True, hide_parameters=True)
    if u.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


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


def migrate(engine: Engine) -> Path | None:
    """Upgrade to head. Returns the backup path when a migration ran on an existing file."""
    current = current_revision(engine)
    if current == SCHEMA_HEAD:
        return None
    from alembic import command

    backup = _backup_sqlite(engine, current)
    command.upgrade(_alembic_config(engine), "head")
    return backup


@dataclass
class Database:
    url: str
    engine: Engine
    sessionmaker: sessionmaker[Session]

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error.

        A database error caused by the environment (disk full, locked, read-only, permission)
        becomes the matching ``StorageError`` (Chinese message, exit code 3) after the rollback.
        """
        s = self.sessionmaker()
        try:
            yield s
            s.commit()
        except DBAPIError as exc:
            with contextlib.suppress(DBAPIError):
                s.rollback()
            translated = storage_error_from_db(exc)
            if translated is not None:
                raise translated from exc
            raise
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    @property
    def sqlite_path(self) -> Path | None:
        u = self.engine.url
        if u.get_backend_name() == "sqlite" and u.database and u.database != ":memory:":
            return Path(u.database)
        return None

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url_or_path: str | os.PathLike[str] | None = None, *, migrate_schema: bool = True) -> Database:
    url = resolve_url(url_or_path)
    engine = make_engine(url)
    try:
        if migrate_schema:
            migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        translated = storage_error_from_db(exc)
        if translated is not None:
            raise translated from exc
        raise StorageError(f"无法打开数据库：{url}。文件可能已损坏。", detail=type(exc.orig).__name__) from exc
    except Exception as exc:
        engine.dispose()
        if "file is not a database" in str(exc):
            raise StorageError(f"数据库文件已损坏或不是数据库：{url}", detail=repr(exc)) from exc
        raise
    return Database(url=url, engine=engine, sessionmaker=sessionmaker(engine, expire_on_commit=False))
