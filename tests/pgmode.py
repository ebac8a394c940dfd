"""The test suite's PostgreSQL mode (``CHUDING_TEST_DB_URL=postgresql://…``, set by .ci/run).

Tests name SQLite files (``tmp_path / "x.sqlite3"``); in PostgreSQL mode each such path is mapped to
its own fresh schema on the test server (``search_path`` in the URL), both for ``open_database`` in
the test process and for the CLI subprocesses of ``tests/e2e/cli.py``. Schemas are dropped at the
end of each test. Without the variable everything stays SQLite.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

TEST_DB_URL = os.environ.get("CHUDING_TEST_DB_URL", "").strip()
PG_MODE = TEST_DB_URL.startswith("postgres")
_created: set[str] = set()
_admin = None


def admin_engine():  # type: ignore[no-untyped-def]
    global _admin
    if _admin is None:
        from sqlalchemy import create_engine

        from app.dburl import normalise_url

        _admin = create_engine(normalise_url(TEST_DB_URL), isolation_level="AUTOCOMMIT", pool_size=1)
    return _admin


def schema_for(path: str | os.PathLike[str]) -> str:
    return "t_" + hashlib.sha1(os.fspath(Path(path).resolve()).encode()).hexdigest()[:20]


def url_for_schema(schema: str) -> str:
    from sqlalchemy.engine import make_url

    from app.dburl import normalise_url

    u = make_url(normalise_url(TEST_DB_URL)).update_query_dict({"options": f"-csearch_path={schema}"})
    return u.render_as_string(hide_password=False)


def url_for(path: str | os.PathLike[str]) -> str:
    """The PostgreSQL URL standing for the SQLite file ``path`` (its schema created if new)."""
    schema = schema_for(path)
    if schema not in _created:
        from sqlalchemy import text

        with admin_engine().connect() as c:
            c.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        _created.add(schema)
    return url_for_schema(schema)


def fresh_schema(name: str) -> str:
    """A new empty schema (dropped at the end of the test); returns its URL."""
    from sqlalchemy import text

    with admin_engine().connect() as c:
        c.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        c.execute(text(f'CREATE SCHEMA "{name}"'))
    _created.add(name)
    return url_for_schema(name)


def drop_created() -> None:
    if not _created:
        return
    from sqlalchemy import text

    with admin_engine().connect() as c:
        for schema in sorted(_created):
            c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    _created.clear()


def map_db_arg(value: str | os.PathLike[str] | None) -> str | None:
    """A ``--db`` value as the code under test should see it: SQLite paths → their schema URL."""
    if value is None:
        return None
    text_value = os.fspath(value)
    if not PG_MODE or "://" in text_value:
        return text_value
    return url_for(text_value)
