"""`chuding roster template F.xlsx`, `chuding roster import F [--update]`, `chuding roster export F`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

from app.cli import CliContext, add_command_group
from app.errors import EXIT_OK, EXIT_PROBLEMS, UsageError


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    rsub = add_command_group(sub, "roster", "花名册：生成模板、导入、导出（xlsx / csv）", add_globals)

    p = rsub.add_parser("template", help="生成空白花名册模板（.xlsx，含下拉选项和填写说明）")
    add_globals(p)
    p.add_argument("file", metavar="F.xlsx")
    p.set_defaults(handler=cmd_template)

    p = rsub.add_parser("import", help="导入花名册（.xlsx 或 .csv）：正确的行入库，错误的行逐条列出")
    add_globals(p)
    p.add_argument("file", metavar="F")
    p.add_argument("--update", action="store_true", help="身份证号已存在时用文件内容更新（默认只报告重复）")
    p.set_defaults(handler=cmd_import)

    p = rsub.add_parser("export", help="导出已存储的花名册（.xlsx 或 .csv）")
    add_globals(p)
    p.add_argument("file", metavar="F.xlsx|F.csv")
    p.add_argument("--with-check", action="store_true", help="附加资格判断结果列（申报结论、最早可申报日期等）")
    p.add_argument("--profile", help="资格判断使用的政策配置（与 --with-check 一起使用）")
    p.add_argument("--as-of", help="资格判断的基准日期 YYYY-MM-DD（与 --with-check 一起使用）")
    p.set_defaults(handler=cmd_export)


def cmd_template(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.roster_exchange import write_template

    write_template(args.file)
    if ctx.json:
        ctx.emit_json({"path": args.file})
    else:
        ctx.info(f"花名册模板已生成：{args.file}")
    return EXIT_OK


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_issue_table(issues: Sequence[Any]) -> list[str]:
    """Rows of '行号  列名  原因', aligned for CJK text."""
    headers = ("行号", "列", "原因")
    rows = [(str(i.row), i.column or "—", i.message) for i in issues]
    w0 = max([_width(headers[0])] + [_width(r[0]) for r in rows])
    w1 = max([_width(headers[1])] + [_width(r[1]) for r in rows])
    out = [f"  {_pad(headers[0], w0)}  {_pad(headers[1], w1)}  {headers[2]}"]
    out += [f"  {_pad(r[0], w0)}  {_pad(r[1], w1)}  {r[2]}" for r in rows]
    return out


def cmd_import(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.roster_exchange import import_roster

    def progress(done: int, total: int) -> None:
        if not ctx.json and total >= 2000 and sys.stderr.isatty():
            sys.stderr.write(f"\r正在处理：{done}/{total}")
            if done == total:
                sys.stderr.write("\n")

    report = import_roster(ctx.db, args.file, update=args.update, progress=progress)
    if ctx.json:
        ctx.emit_json(report.to_json())
    else:
        ctx.info(f"导入完成：文件共 {report.total_rows} 行数据，新增 {report.created} 人，更新 {report.updated} 人，"
                 f"拒绝 {report.rejected_rows} 行，重复 {len(report.duplicates)} 行。")
        if report.rejected:
            ctx.info("")
            ctx.info(f"以下 {report.rejected_rows} 行有错误，未导入（请修改后重新导入）：")
            for line in format_issue_table(report.rejected):
                ctx.info(line)
        if report.duplicates:
            ctx.info("")
            hint = "" if args.update else "（如需用文件内容更新，请加 --update）"
            ctx.info(f"以下 {len(report.duplicates)} 行的人员已存在或在文件中重复，未导入{hint}：")
            for line in format_issue_table(report.duplicates):
                ctx.info(line)
        if report.warnings:
            ctx.info("")
            ctx.info(f"提示（不影响导入，{len(report.warnings)} 条）：")
            for line in format_issue_table(report.warnings):
                ctx.info(line)
    # Exit 1 when any row was rejected; duplicates are reported but are not an error.
    return EXIT_PROBLEMS if report.rejected else EXIT_OK


def _verdicts(ctx: CliContext, profile: str | None, as_of_text: str | None) -> dict[int, Any]:
    from app.policy.dates import parse_date
    from app.services.eligibility import check_roster

    as_of: dt.date | None = parse_date(as_of_text, field="--as-of") if as_of_text else None
    return {p.id: v for p, v in check_roster(ctx.db, profile, as_of) if p.id is not None}


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.roster_exchange import export_roster

    if (args.profile or args.as_of) and not args.with_check:
        raise UsageError("--profile 和 --as-of 需与 --with-check 一起使用")
    verdicts = _verdicts(ctx, args.profile, args.as_of) if args.with_check else None
    n = export_roster(ctx.db, args.file, verdicts=verdicts)
    if ctx.json:
        ctx.emit_json({"path": args.file, "rows": n})
    else:
        ctx.info(f"已导出 {n} 人到 {args.file}")
    return EXIT_OK
