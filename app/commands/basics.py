"""`chuding demo` and `chuding validate id|uscc VALUE`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import Any

from app.cli import CliContext
from app.errors import EXIT_OK, EXIT_PROBLEMS


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("demo", help="（重新）创建演示数据库：虚构人员与生成的扫描件")
    add_globals(p)
    p.add_argument("--force", action="store_true", help="数据库中已有非演示数据时也覆盖")
    p.add_argument("--if-empty", action="store_true", help="仅当数据库中还没有人员时才创建（供首次启动使用）")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("validate", help="校验身份证号或统一社会信用代码")
    add_globals(p)
    p.add_argument("kind", choices=["id", "uscc"])
    p.add_argument("value")
    p.add_argument("--gender", choices=["男", "女"], help="与身份证号核对的性别")
    p.set_defaults(handler=cmd_validate)


def cmd_validate(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.policy.identifiers import check_id_number, check_uscc

    r = check_id_number(args.value, gender=args.gender) if args.kind == "id" else check_uscc(args.value)
    if ctx.json:
        ctx.emit_json(r.to_json())
    else:
        label = "身份证号" if args.kind == "id" else "统一社会信用代码"
        ctx.info(f"{label} {r.value}：{'有效' if r.valid else '无效'}")
        for e in r.errors:
            ctx.info(f"  错误：{e}")
        for w in r.warnings:
            ctx.info(f"  提示：{w}")
        for k, v in r.derived.items():
            ctx.info(f"  {k}: {v}")
    return EXIT_OK if r.valid else EXIT_PROBLEMS


def cmd_demo(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.demo import create_demo
    from app.services.roster import count_persons

    if ctx.db_arg is None and not os.environ.get("CHUDING_DB_URL"):
        from app.paths import demo_db_path

        # The officer's own database never receives demo rows: without --db the demo has its own file.
        ctx.db_arg = str(demo_db_path())
    if args.if_empty and count_persons(ctx.db) > 0:
        ctx.info("数据库中已有人员，未创建演示数据")
        return EXIT_OK
    summary = create_demo(ctx.db, force=args.force)
    if ctx.json:
        ctx.emit_json(summary)
    else:
        ctx.info(f"演示数据已创建：{summary['persons']} 人，单位“{summary['unit']}”，数据库 {ctx.db.url}")
        if ctx.db_arg:
            ctx.info(f"其他命令加 --db {ctx.db_arg}（或 --demo）即可使用这个数据库")
    return EXIT_OK
