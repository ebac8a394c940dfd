"""`chuding db set URL|test|restore FILE` and `chuding vault migrate`: the shared server database.

The password never appears in output: URLs are shown with ``***`` (app/dburl.py); ``db set`` keeps
the URL without its password in the settings and the password in the OS keyring or a private file.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli import CliContext, add_command_group
from app.errors import EXIT_OK, UsageError
from app.services.database import describe, test_connection


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    dsub = add_command_group(sub, "db", "数据库：改用共享的 PostgreSQL 服务器、测试连接、从备份恢复", add_globals)

    p = dsub.add_parser("set", help="保存要使用的数据库（postgresql://用户@服务器:端口/库名，或 SQLite 文件路径）；先测试连接")
    add_globals(p)
    p.add_argument("url", metavar="URL", nargs="?",
                   help="数据库地址；密码可写在地址中，也可用 --password-stdin 或在提示时输入（不会显示、不写入设置文件）")
    p.add_argument("--password-stdin", action="store_true", help="从标准输入读取数据库密码")
    p.add_argument("--default", action="store_true", help="改回本机默认的 SQLite 数据库")
    p.add_argument("--no-test", action="store_true", help="不测试连接，直接保存")
    p.set_defaults(handler=cmd_set)

    p = dsub.add_parser("test", help="测试当前数据库的连接（服务器版本、数据库版本、响应时间）")
    add_globals(p)
    p.set_defaults(handler=cmd_test)

    p = dsub.add_parser("restore", help="用备份文件（迁移前自动生成的 .sqlite3）替换当前数据库的全部内容")
    add_globals(p)
    p.add_argument("file", metavar="FILE", type=Path)
    p.add_argument("--yes", action="store_true", help="确认覆盖当前数据库中的全部数据")
    p.set_defaults(handler=cmd_restore)


def register_vault(vsub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    p = vsub.add_parser("migrate", help="把本机文件库中的扫描件移入共享数据库（按摘要核对），供所有经办人使用")
    add_globals(p)
    p.add_argument("--from", dest="source", metavar="DIR", type=Path,
                   help="本机文件库目录（默认：用户数据目录下的 vault）")
    p.set_defaults(handler=cmd_vault_migrate)


def cmd_set(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.dburl import (
        display_url,
        is_sqlite,
        normalise_url,
        password_store_name,
        split_password,
        store_password,
    )
    from app.settings import load_settings, save_settings

    settings = load_settings()
    if args.default:
        settings.db_url = None
        save_settings(settings)
        ctx.info("已改回本机默认的 SQLite 数据库")
        return EXIT_OK
    if not args.url:
        raise UsageError("请给出数据库地址，例如 postgresql://hr@192.168.1.10:5432/chuding")
    value = args.url.strip()
    if "://" not in value:
        value = f"sqlite:///{Path(value).expanduser().resolve()}"
    try:
        url = normalise_url(value)
    except Exception as exc:
        raise UsageError("数据库地址无效。示例：postgresql://hr@192.168.1.10:5432/chuding") from exc
    bare, password = split_password(url)
    if not is_sqlite(url) and password is None:
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("数据库密码（直接回车表示无密码）：")
    if password:
        from app.dburl import remember_secret

        remember_secret(password)
        from sqlalchemy.engine import make_url

        full = make_url(bare).set(password=password).render_as_string(hide_password=False)
    else:
        from app.dburl import with_stored_password

        full = with_stored_password(bare)
    info = None if args.no_test else test_connection(full)
    where = store_password(bare, password) if password else None
    settings.db_url = bare
    save_settings(settings)
    if ctx.json:
        ctx.emit_json({"saved": True, "database": display_url(bare), "password_store": where, "test": info})
    else:
        if info:
            ctx.info(describe(info))
        ctx.info(f"已保存：以后默认使用 {display_url(bare)}"
                 + (f"；密码保存在{where}" if where else "")
                 + (f"（当前密码存放方式：{password_store_name()}）" if not where and not is_sqlite(bare) else ""))
    return EXIT_OK


def cmd_test(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.models.db import resolve_url

    info = test_connection(resolve_url(ctx.db_arg))
    if ctx.json:
        ctx.emit_json(info)
    else:
        ctx.info(describe(info))
    return EXIT_OK


def cmd_restore(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.models.backup import restore_from_sqlite
    from app.models.db import make_engine, resolve_url

    if not args.yes:
        raise UsageError("恢复会用备份替换当前数据库中的全部数据；确认请加 --yes")
    url = resolve_url(ctx.db_arg)
    engine = make_engine(url)
    try:
        counts = restore_from_sqlite(args.file, engine)
    finally:
        engine.dispose()
    if ctx.json:
        ctx.emit_json({"restored": True, "rows": counts})
    else:
        ctx.info(f"已从 {args.file.name} 恢复：{counts.get('persons', 0)} 人，共 {sum(counts.values())} 行")
    return EXIT_OK


def cmd_vault_migrate(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.documents.vault import Vault
    from app.models.blobs import migrate_local_vault
    from app.paths import user_data_dir

    db = ctx.db
    if not db.is_server:
        raise UsageError("当前使用的是本机 SQLite 数据库，扫描件已在本机文件库中；请先用 db set 改用共享服务器")
    source = Vault(args.source or user_data_dir() / "vault")
    if not (source.root / "sha256").is_dir():
        raise UsageError(f"找不到本机文件库：{source.root}")

    def progress(done: int, total: int) -> None:
        if not ctx.json and (done == total or done % 50 == 0):
            sys.stderr.write(f"\r已核对 {done}/{total}")
            if done == total:
                sys.stderr.write("\n")

    counts = migrate_local_vault(db, source, progress=progress)
    if ctx.json:
        ctx.emit_json(counts)
    else:
        ctx.info(f"文件库已迁入共享数据库：共 {counts['total']} 个文件，新存入 {counts['copied']} 个，"
                 f"已存在 {counts['present']} 个；全部按摘要核对一致")
    return EXIT_OK
