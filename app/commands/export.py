"""`chuding export -o DIR [--profile P] [--person ID]… [--zip] [--as-of D]` and
`chuding verify-bundle DIR [--json]`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from app.cli import CliContext
from app.commands.rounds import add_round_arg
from app.errors import EXIT_OK, EXIT_PROBLEMS, UsageError


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("export", help="导出申报材料包（每人一个文件夹、单位材料、花名册、清单、manifest.json）")
    add_globals(p)
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="导出文件夹（已有的材料包会在导出完成时被替换）")
    p.add_argument("--profile", metavar="P", help="政策配置，例如 urumqi-private-2025（默认：申报批次的配置）")
    p.add_argument("--person", action="append", metavar="ID", default=None,
                   help="只导出此人（编号、身份证号或姓名；可重复）。默认：符合条件且材料齐全的人员")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="判断日期（默认：申报批次的判断日期）")
    p.add_argument("--zip", action="store_true", help="同时生成 DIR.zip")
    p.add_argument("--dry-run", action="store_true", help="只做预检，不写任何文件")
    p.add_argument("--workers", type=int, default=None, help=argparse.SUPPRESS)
    add_round_arg(p)
    p.set_defaults(handler=cmd_export)

    p = sub.add_parser("verify-bundle", help="复核导出的材料包：摘要、多余/缺少的文件、遮盖、完整性、大小")
    add_globals(p)
    p.add_argument("bundle", metavar="DIR")
    p.add_argument("--ocr", action="store_true", help="遮盖复核时也用文字识别检查遮盖框内（较慢）")
    p.set_defaults(handler=cmd_verify_bundle)


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise UsageError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


def _where(i: Any) -> str:
    parts = []
    if i.person_id is not None:
        parts.append(f"人员 {i.person_id}")
    if i.slot:
        parts.append(i.slot + (f"/{i.year}" if i.year else ""))
    if i.page_index is not None:
        parts.append(f"第 {i.page_index + 1} 页")
    return f"[{'，'.join(parts)}] " if parts else ""


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.export import export_bundle, preflight, resolve_person_keys

    as_of = _date(args.as_of)
    person_ids = resolve_person_keys(ctx.db, args.person) if args.person else None
    pre = preflight(ctx.db, profile_id=args.profile, person_ids=person_ids, as_of=as_of, round_name=args.round)
    plan = pre.plan
    if not ctx.json:
        ctx.info(f"政策：{plan.profile_name}（{plan.profile_id}），截止日期 {plan.as_of}，"
                 f"{len(plan.persons)} 人，{len(plan.files)} 个文件，{plan.page_count} 页")
        for n in pre.notes:
            ctx.info(f"  提示：{n}")
        for i in plan.warnings:
            ctx.info(f"  提示：{_where(i)}{i.message}")
        for i in plan.blockers:
            sys.stderr.write(f"  阻止导出：{_where(i)}{i.message}\n")
    if not plan.persons:
        if ctx.json:
            ctx.emit_json({**pre.to_json(), "exported": False})
        sys.stderr.write("没有可导出的人员（默认只导出符合条件且材料齐全的人员；可用 --person 指定）\n")
        return EXIT_PROBLEMS
    if plan.blockers or args.dry_run:
        if ctx.json:
            ctx.emit_json({**pre.to_json(), "exported": False})
        if plan.blockers:
            sys.stderr.write(f"预检发现 {len(plan.blockers)} 个问题，未导出。处理后重试。\n")
            return EXIT_PROBLEMS
        ctx.info("预检通过（--dry-run：未写入文件）")
        return EXIT_OK

    last = [-1]

    def progress(done: int, total: int, message: str = "") -> None:
        if ctx.json or not sys.stderr.isatty():
            return
        pct = int(done * 100 / max(1, total))
        if pct != last[0]:
            last[0] = pct
            sys.stderr.write(f"\r导出中 {pct:3d}%")
            sys.stderr.flush()

    result = export_bundle(ctx.db, args.output, pre=pre, make_zip=args.zip, progress=progress,
                           workers=args.workers)
    if ctx.json:
        ctx.emit_json({**pre.to_json(), "exported": True, "target": str(result.target),
                       "zip": str(result.zip_path) if result.zip_path else None, "files": result.files,
                       "bytes": result.bytes, "seconds": round(result.seconds, 2), "build_warnings": result.warnings})
    else:
        for w in result.warnings:
            ctx.info(f"  提示：{w}")
        ctx.info(f"已导出到 {result.target}：{result.files} 个文件，{result.bytes // 1024} KB，"
                 f"用时 {result.seconds:.1f} 秒" + (f"；压缩包 {result.zip_path}" if result.zip_path else ""))
    return EXIT_OK


def cmd_verify_bundle(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.export import verify_bundle

    report = verify_bundle(args.bundle, ocr=bool(args.ocr))
    if ctx.json:
        ctx.emit_json(report.to_json())
    else:
        for c in report.checks:
            ctx.info(f"{'通过' if c.ok else '问题'}：{c.detail}")
        ctx.info("复核通过" if report.ok else f"复核未通过：{len(report.problems)} 个问题")
    return EXIT_OK if report.ok else EXIT_PROBLEMS
