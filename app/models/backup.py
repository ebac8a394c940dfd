"""Logical backup of the app's tables into a SQLite file, and restore from one.

Before a migration on a server database ``db.migrate`` copies every table (as it is, at the current
revision: the tables are read from the database, their types made generic) into a SQLite file with
the ``alembic_version`` row. ``restore_from_sqlite`` empties the target database, builds the schema
of the backup's revision with the same Alembic scripts, copies the rows back, sets the id sequences
and then migrates to the newest revision.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from sqlalchemy import Engine, MetaData, Table, create_engine, func, select, text

from app.errors import InputFileError

log = logging.getLogger(__name__)
BATCH = 500


def _copy_rows(src_engine: Engine, src: Table, dst_engine: Engine, dst: Table) -> int:
    cols = [c.name for c in dst.columns if c.name in src.c]
    n = 0
    with src_engine.connect() as sc, dst_engine.begin() as dc:
        result = sc.execution_options(stream_results=True).execute(select(*[src.c[c] for c in cols]))
        while True:
            rows = result.fetchmany(BATCH)
            if not rows:
                break
            dc.execute(dst.insert(), [dict(zip(cols, r, strict=True)) for r in rows])
            n += len(rows)
    return n


def backup_to_sqlite(engine: Engine, dest: Path, *, revision: str | None) -> Path:
    """Copy every table of ``engine``'s database into a new SQLite file ``dest``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        dest.unlink()
    src_meta = MetaData()
    src_meta.reflect(engine)
    out_meta = MetaData()
    for t in src_meta.sorted_tables:
        cols = []
        for c in t.columns:
            c2 = c._copy()
            with contextlib.suppress(NotImplementedError):
                c2.type = c.type.as_generic()
            c2.server_default = None
            c2.foreign_keys.clear()
            c2.constraints.clear()
            cols.append(c2)
        Table(t.name, out_meta, *cols)
    out = create_engine(f"sqlite:///{dest}")
    try:
        out_meta.create_all(out)
        for t in src_meta.sorted_tables:
            _copy_rows(engine, t, out, out_meta.tables[t.name])
        if revision and "alembic_version" not in out_meta.tables:
            with out.begin() as oc:
                oc.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
                oc.execute(text("INSERT INTO alembic_version VALUES (:r)"), {"r": revision})
    finally:
        out.dispose()
    return dest


def restore_from_sqlite(source: Path, engine: Engine) -> dict[str, int]:
    """Replace the content of ``engine``'s database by the backup ``source``; returns rows per table."""
    from alembic import command

    from app.models.db import _alembic_config, migrate

    if not source.is_file():
        raise InputFileError(f"找不到备份文件：{source}")
    src_engine = create_engine(f"sqlite:///{source}")
    try:
        src_meta = MetaData()
        try:
            src_meta.reflect(src_engine)
        except Exception as exc:
            raise InputFileError(f"备份文件无法读取：{source.name}（不是本程序的数据库备份）") from exc
        if "alembic_version" not in src_meta.tables:
            raise InputFileError(f"备份文件无法读取：{source.name}（缺少数据库版本记录）")
        with src_engine.connect() as c:
            revision = c.execute(text("SELECT version_num FROM alembic_version")).scalar()
        old = MetaData()
        old.reflect(engine)
        old.drop_all(engine)
        command.upgrade(_alembic_config(engine), revision or "head")
        dst_meta = MetaData()
        dst_meta.reflect(engine)
        with engine.begin() as c:  # rows the migrations seed (e.g. a default round) give way to the backup's
            for t in reversed(dst_meta.sorted_tables):
                if t.name != "alembic_version":
                    c.execute(t.delete())
        counts: dict[str, int] = {}
        for t in dst_meta.sorted_tables:
            if t.name == "alembic_version" or t.name not in src_meta.tables:
                continue
            counts[t.name] = _copy_rows(src_engine, src_meta.tables[t.name], engine, t)
        if engine.url.get_backend_name() == "postgresql":
            with engine.begin() as c:
                for t in dst_meta.sorted_tables:
                    if "id" in t.c and t.c["id"].primary_key and counts.get(t.name):
                        top = c.execute(select(func.max(t.c["id"]))).scalar() or 1
                        c.execute(text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                                  {"t": t.name, "v": top})
    finally:
        src_engine.dispose()
    migrate(engine)
    log.info("database restored from %s (%d rows)", source, sum(counts.values()))
    return counts
