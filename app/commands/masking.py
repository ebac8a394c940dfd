"""`chuding mask suggest|apply|verify` — usable on any PDF or image file, inside the vault or not."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli import CliContext
from app.errors import EXIT_OK, EXIT_PROBLEMS, UsageError


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("mask", help="遮盖（姓名、单位、公章、眼部）：建议、烧录、校验")
    add_globals(p)
    msub = p.add_subparsers(dest="mask_command", metavar="suggest|apply|verify")

    s = msub.add_parser("suggest", help="给出建议的遮盖框（只是建议，不会自动应用）")
    add_globals(s)
    s.add_argument("input", metavar="IN", help="PDF 或图片文件")
    s.add_argument("--name", action="append", default=[], metavar="S", help="本人姓名（可多次）")
    s.add_argument("--unit", action="append", default=[], metavar="S", help="工作单位全称或简称（可多次）")
    s.add_argument("--only", action="append", choices=["ocr", "seal", "eyes"], default=None,
                   help="只运行指定的识别（可多次；默认全部）")
    s.add_argument("-o", "--output", metavar="BOXES.json", help="把遮盖框写入该文件（默认输出到屏幕）")
    s.set_defaults(handler=cmd_suggest)

    a = msub.add_parser("apply", help="把遮盖框烧录进像素并校验；校验不通过则不生成文件")
    add_globals(a)
    a.add_argument("input", metavar="IN", help="PDF 或图片文件（原件不会被修改）")
    a.add_argument("--boxes", required=True, metavar="B.json", help="遮盖框文件")
    a.add_argument("-o", "--output", required=True, metavar="OUT", help="输出文件（类型与输入一致）")
    a.add_argument("--secret", action="append", default=[], metavar="S",
                   help="输出中不得出现的字符串（姓名、单位、身份证号；可多次）")
    a.add_argument("--fill", default="0,0,0", metavar="R,G,B", help="填充颜色（默认黑色 0,0,0）")
    a.add_argument("--no-ocr", action="store_true", help="跳过“框内无可识别文字”检查（更快）")
    a.add_argument("--no-audit", action="store_true", help="不在数据库中记录审计信息")
    a.add_argument("--accept-residual", action="store_true",
                   help="遮盖后仍识别出框外的敏感字符串、公章或眼部时，仍然写出文件（记入审计）")
    a.add_argument("--not-needed", action="store_true",
                   help="确认该文件无需遮盖（遮盖框文件为空时必须给出；记录经办人和时间）")
    a.set_defaults(handler=cmd_apply)

    v = msub.add_parser("verify", help="独立校验遮盖结果（任何一项不通过即失败）")
    add_globals(v)
    v.add_argument("output", metavar="OUT", help="遮盖后的文件")
    v.add_argument("--boxes", required=True, metavar="B.json", help="遮盖框文件")
    v.add_argument("--secret", action="append", default=[], metavar="S", help="不得出现的字符串（可多次）")
    v.add_argument("--original", metavar="IN", help="原件（检查输出中没有原件的图像数据）")
    v.add_argument("--no-ocr", action="store_true", help="跳过“框内无可识别文字”检查")
    v.add_argument("--accept-residual", action="store_true",
                   help="框外仍识别出敏感字符串、公章或眼部时不视为失败（仍会列出）")
    v.set_defaults(handler=cmd_verify)

    p.set_defaults(handler=lambda args, ctx: _no_sub(p))


def _no_sub(p: argparse.ArgumentParser) -> int:
    raise UsageError("请指定子命令：mask suggest | mask apply | mask verify")


def _parse_fill(text: str) -> tuple[int, int, int]:
    try:
        parts = tuple(int(x) for x in text.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 3 or any(not 0 <= c <= 255 for c in parts):
        raise UsageError(f"填充颜色格式应为 R,G,B（0~255），而不是“{text}”")
    return (parts[0], parts[1], parts[2])


def cmd_suggest(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.masking.suggest import KINDS, suggest

    def progress(done: int, total: int, message: str = "") -> None:
        if not ctx.json and total > 1 and message:
            ctx.info(message)

    boxes = suggest(Path(args.input), names=args.name, units=args.unit, kinds=args.only or KINDS,
                    progress=progress)
    if args.output:
        boxes.save(args.output)
        ctx.info(f"已写出 {boxes.count()} 个建议框：{args.output}（请逐一确认后再应用）")
        if ctx.json:
            ctx.emit_json(boxes.to_json())
    elif ctx.json:
        ctx.emit_json(boxes.to_json())
    else:
        print(boxes.dumps())
    return EXIT_OK


def cmd_apply(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.masking.boxes import BoxSet
    from app.masking.verify import MaskCheckFailed
    from app.services.masking import ResidualFound, mask_file

    boxes = BoxSet.load(args.boxes)
    fill = _parse_fill(args.fill)
    db = None if args.no_audit else ctx.db
    try:
        result, audit_id = mask_file(db, Path(args.input), boxes, Path(args.output), secrets=args.secret,
                                     fill=fill, ocr=False if args.no_ocr else None, not_needed=args.not_needed,
                                     accept_residual=args.accept_residual)
    except MaskCheckFailed as exc:
        if ctx.json:
            ctx.emit_json(exc.report.to_json())
        sys.stderr.write(f"错误：{exc.message}\n")
        return EXIT_PROBLEMS
    except ResidualFound as exc:
        if ctx.json:
            ctx.emit_json({"ok": False, "out": None, "residual": [r.to_json() for r in exc.found]})
        sys.stderr.write(f"错误：{exc.message}（未写出文件；确认可以保留请加 --accept-residual）\n")
        return EXIT_PROBLEMS
    if ctx.json:
        payload = result.to_json()
        payload["audit_id"] = audit_id
        ctx.emit_json(payload)
    else:
        if not result.boxes:
            ctx.info(f"已确认无需遮盖（未遮盖任何内容），已写出去除元数据的副本，共 {result.pages} 页：{result.out_path}")
        else:
            ctx.info(f"已遮盖 {result.boxes} 处，共 {result.pages} 页，校验全部通过：{result.out_path}"
                     f"（{result.input_bytes // 1024} KB → {result.output_bytes // 1024} KB）")
        if result.residual:
            from app.masking.residual import residual_summary

            ctx.info(f"注意：已按 --accept-residual 保留框外仍可识别的内容：{residual_summary(result.residual)}")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.masking.boxes import BoxSet
    from app.masking.residual import find_residual, residual_summary
    from app.masking.verify import CHECK_LABELS, validate_secrets, verify_masked

    boxes = BoxSet.load(args.boxes)
    report = verify_masked(Path(args.output), boxes, original=Path(args.original) if args.original else None,
                           secrets=args.secret, ocr=False if args.no_ocr else None)
    secrets = validate_secrets(args.secret)
    residual = (find_residual(Path(args.output), boxes, others=secrets,
                              original=Path(args.original) if args.original else None)
                if secrets and report.ok else [])
    ok = report.ok and (not residual or args.accept_residual)
    if ctx.json:
        payload = report.to_json()
        payload["residual"] = [r.to_json() for r in residual]
        payload["ok"] = ok
        ctx.emit_json(payload)
    else:
        for c in report.checks:
            ctx.info(f"{'通过' if c.ok else '失败'}  {CHECK_LABELS.get(c.name, c.name)}：{c.detail}")
        if residual:
            ctx.info(f"{'保留' if args.accept_residual else '失败'}  框外仍可识别：{residual_summary(residual)}")
        ctx.info("校验通过" if ok else "校验未通过")
    return EXIT_OK if ok else EXIT_PROBLEMS
