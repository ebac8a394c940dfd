"""Choosing and testing the database (the shared PostgreSQL server or the local SQLite file).

Used by `chuding db …` and by 设置 → 数据库. The password is never returned or shown: URLs are
rendered by app/dburl.py; it is stored by ``store_password`` (keyring or a private file).
"""

from __future__ import annotations

import time
from typing import Any

from app.errors import UsageError


def test_connection(url: str) -> dict[str, Any]:
    """Connect to ``url`` (with the timeouts of app.models.db) and describe the server."""
    from sqlalchemy import text

    from app.dburl import display_url
    from app.models.db import SCHEMA_HEAD, current_revision, make_engine, translate_db_error

    engine = make_engine(url)
    t0 = time.perf_counter()
    try:
        with engine.connect() as c:
            if engine.url.get_backend_name() == "postgresql":
                version = str(c.execute(text("SHOW server_version")).scalar())
                server = f"PostgreSQL {version}"
            else:
                server = f"SQLite {c.exec_driver_sql('select sqlite_version()').scalar()}"
        revision = current_revision(engine)
    except Exception as exc:
        translated = translate_db_error(exc, engine.url)
        if translated is not None:
            raise translated from exc
        raise
    finally:
        engine.dispose()
    return {"ok": True, "server": server, "database": display_url(url), "revision": revision,
            "program_revision": SCHEMA_HEAD, "ms": round((time.perf_counter() - t0) * 1000)}


def describe(info: dict[str, Any]) -> str:
    rev = info["revision"]
    state = ("空数据库，首次打开时建立" if rev is None else
             "与本程序一致" if rev == info["program_revision"] else f"{rev}（打开时会升级或提示升级程序）")
    return f"连接成功：{info['database']}（{info['server']}，{info['ms']} 毫秒）；数据库版本：{state}"




def server_url(host: str, port: int | str, database: str, user: str) -> str:
    """A PostgreSQL URL (without password) from the fields of 设置 → 数据库."""
    from sqlalchemy.engine import URL

    host, database, user = host.strip(), database.strip(), user.strip()
    if not host or not database or not user:
        raise UsageError("请填写服务器地址、数据库名和用户名")
    try:
        port_n = int(port or 5432)
    except ValueError as exc:
        raise UsageError("端口应为数字，例如 5432") from exc
    return URL.create("postgresql+psycopg", username=user, host=host, port=port_n, database=database) \
        .render_as_string(hide_password=False)


def url_with_password(url: str, password: str | None) -> str:
    from sqlalchemy.engine import make_url

    from app.dburl import remember_secret, with_stored_password

    if password:
        remember_secret(password)
        return make_url(url).set(password=password).render_as_string(hide_password=False)
    return with_stored_password(url)


def choose_database(settings: Any, url: str | None, password: str | None = None) -> str | None:
    """Remember ``url`` (None → the local SQLite file) in ``settings`` (the caller saves them);
    the password goes to the keyring or the private file. Returns where the password went."""
    from app.dburl import split_password, store_password

    if url is None:
        settings.db_url = None
        return None
    bare, inline = split_password(url)
    password = password or inline
    settings.db_url = bare
    return store_password(bare, password) if password else None
