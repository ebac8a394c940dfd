"""`chuding docs add|list|delete|export|mask`, `chuding packet status`, `chuding vault gc|migrate`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from app.cli import CliContext, add_command_group
from app.commands.rounds import add_round_arg
from app.errors import EXIT_OK, EXIT_PROBLEMS, UsageError


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    dsub = add_command_group(sub, "docs", "申报材料：添加扫描件、列出、删除、按上传限制导出", add_globals)

    p = dsub.add_parser("add", help="把文件（PDF/JPEG/PNG/TIFF/BMP）作为一份材料添加到某人的某个材料类别")
    add_globals(p)
    p.add_argument("person", metavar="PERSON", help="人员：编号、身份证号或姓名")
    p.add_argument("slot", metavar="SLOT", help="材料类别，如 id_card, diploma, assessment, chsi_record …")
    p.add_argument("files", metavar="FILE", nargs="+", help="一个或多个文件，按顺序合成一份材料")
    p.add_argument("--year", type=int, help="年度（考核表、继续教育必填）")
    p.add_argument("--issued", metavar="YYYY-MM-DD", help="出具/查询日期（学信网备案表）")
    p.add_argument("--password", help="受密码保护的 PDF 的打开密码")
    p.add_argument("--title", default="", help="材料标题（默认为类别名称）")
    p.set_defaults(handler=cmd_add)

    p = dsub.add_parser("list", help="列出某人已添加的材料")
    add_globals(p)
    p.add_argument("person", metavar="PERSON")
    p.set_defaults(handler=cmd_list)

    p = dsub.add_parser("delete", help="删除一份材料（文件留在文件库中，直到 vault gc）")
    add_globals(p)
    p.add_argument("document_id", type=int, metavar="DOC_ID")
    p.set_defaults(handler=cmd_delete)

    p = dsub.add_parser("export", help="按上传限制（JPG/PDF、大小上限）导出一份材料")
    add_globals(p)
    p.add_argument("document_id", type=int, metavar="DOC_ID")
    p.add_argument("-o", "--output", required=True, metavar="OUT.jpg|OUT.pdf")
    p.set_defaults(handler=cmd_export)

    p = dsub.add_parser("mask", help="按已保存的遮盖框为一份材料生成遮盖件并校验（查找框外残留的姓名、单位、公章、眼部）")
    add_globals(p)
    p.add_argument("document_id", type=int, metavar="DOC_ID")
    p.add_argument("--page", type=int, action="append", metavar="N", help="只处理第 N 页（从 1 起；可多次）")
    p.add_argument("--no-ocr", action="store_true", help="跳过“框内无可识别文字”检查（更快）")
    p.add_argument("--accept-residual", action="store_true",
                   help="框外仍识别出本人姓名、单位、公章或眼部时，仍确认保留（记入审计）")
    p.set_defaults(handler=cmd_mask)

    psub = add_command_group(sub, "packet", "申报材料清单：缺失、过期、待遮盖……", add_globals)
    p = psub.add_parser("status", help="某人或全单位的材料完成情况")
    add_globals(p)
    p.add_argument("person", metavar="PERSON", nargs="?", help="人员（省略则全单位）")
    p.add_argument("--profile", help="政策配置，如 urumqi-private-2025、korla-2024")
    p.add_argument("--as-of", metavar="YYYY-MM-DD", help="核对日期（默认为政策的申报截止日）")
    p.add_argument("--incomplete", action="store_true", help="只列出未完成的项目")
    add_round_arg(p)
    p.set_defaults(handler=cmd_status)

    vsub = add_command_group(sub, "vault", "文件库维护", add_globals)
    p = vsub.add_parser("gc", help="删除文件库中不再被任何记录引用的文件")
    add_globals(p)
    p.add_argument("--keep-recent", type=float, default=10.0, metavar="MINUTES",
                   help="保留最近 N 分钟内写入的文件（防止误删正在导入的文件；默认 10，0 表示不保留）")
    p.set_defaults(handler=cmd_gc)

    from app.commands.database import register_vault

    register_vault(vsub, add_globals)


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    from app.policy.dates import parse_date

    try:
        d = parse_date(value, field=what)
    except Exception as exc:
        raise UsageError(f"{what}无效：{value}") from exc
    if d is None:
        raise UsageError(f"{what}无效：{value}")
    return d


def cmd_add(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.packet import SLOT_LABELS, add_documents

    r = add_documents(ctx.db, args.person, args.slot, args.files, args.year, password=args.password,
                      issue_date=_date(args.issued, "出具日期"), title=args.title)
    if ctx.json:
        ctx.emit_json(r.to_json())
    else:
        year = f"（{r.year}年度）" if r.year else ""
        ctx.info(f"已添加材料 #{r.document_id}：{SLOT_LABELS[r.slot]}{year}，共 {r.pages} 页")
        if r.word_count is not None:
            ctx.info(f"  字数约 {r.word_count}")
        if r.issue_date:
            ctx.info(f"  出具日期 {r.issue_date.isoformat()}")
    for w in r.warnings:
        sys.stderr.write(f"提示：{w}\n")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.packet import list_documents
    from app.services.roster import find_person

    person = find_person(ctx.db, args.person)
    docs = list_documents(ctx.db, person.id)
    if ctx.json:
        ctx.emit_json({"person_id": person.id, "name": person.name, "documents": [d.to_json() for d in docs]})
        return EXIT_OK
    ctx.info(f"{person.name}（编号 {person.id}）共 {len(docs)} 份材料")
    for d in docs:
        year = f" {d.year}年度" if d.year else ""
        masked = sum(1 for p in d.pages if p.mask_state == "masked")
        extra = f"，已遮盖 {masked} 页" if masked else ""
        ctx.info(f"  #{d.id} {d.slot_label}{year}：{len(d.pages)} 页{extra}  ← {d.original_name}")
    return EXIT_OK


def cmd_delete(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.documents import delete_document

    delete_document(ctx.db, args.document_id)
    if ctx.json:
        ctx.emit_json({"deleted": args.document_id})
    else:
        ctx.info(f"已删除材料 #{args.document_id}（文件仍在文件库中，可用 vault gc 清理）")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.documents import export_for_upload

    r = export_for_upload(ctx.db, args.document_id, args.output)
    if ctx.json:
        ctx.emit_json({"ok": r.ok, "path": str(r.path) if r.ok else None, "size": r.size, "limit": r.limit,
                       "format": r.fmt, "quality": r.quality, "dpi": round(r.dpi) if r.dpi else None,
                       "message": r.message})
    if r.ok:
        if not ctx.json:
            ctx.info(f"已导出 {r.path}：{r.message}")
        return EXIT_OK
    sys.stderr.write(f"未导出：{r.message}\n")
    return EXIT_PROBLEMS


def cmd_status(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.packet import packet_status
    from app.services.roster import find_person

    person_id = find_person(ctx.db, args.person).id if args.person else None
    report = packet_status(ctx.db, person_id, args.profile, _date(args.as_of, "核对日期"), round_name=args.round)
    for w in report.warnings:
        sys.stderr.write(f"提示：{w}\n")
    if ctx.json:
        ctx.emit_json(report.to_json())
    else:
        ctx.info(f"政策：{report.profile_name}；核对日期 {report.as_of.isoformat()}")
        for p in report.persons:
            ctx.info(f"\n{p.name}：{p.done}/{p.total} 项完成（{p.completeness:.0%}）")
            for st in p.slots:
                if args.incomplete and (st.done or not st.counted):
                    continue
                flag = "" if st.counted else "（不计入）"
                ctx.info(f"  [{st.status}] {st.label}{flag}：{st.reason}")
        if person_id is None:
            full = sum(1 for p in report.persons if p.complete)
            ctx.info(f"\n全单位：{report.done}/{report.total} 项完成（{report.completeness:.0%}），"
                     f"{full}/{len(report.persons)} 人材料齐全")
        if report.unit:
            ctx.info("单位材料（本批次共用）：" + "，".join(f"{u.name}{u.status}" for u in report.unit))
    return EXIT_OK if report.complete else EXIT_PROBLEMS


def cmd_gc(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.documents import vault_gc

    n = vault_gc(ctx.db, min_age_seconds=max(0.0, args.keep_recent) * 60)
    if ctx.json:
        ctx.emit_json({"removed": n})
    else:
        ctx.info(f"文件库清理完成：删除 {n} 个未被引用的文件")
    return EXIT_OK


def cmd_mask(args: argparse.Namespace, ctx: CliContext) -> int:
    """Burn a stored document's boxes with the residual check (the editor's 生成遮盖件 from the CLI)."""
    from app.masking.residual import residual_summary
    from app.services.masking import mask_document

    pages = [n - 1 for n in args.page] if args.page else None
    if pages is not None and any(n < 0 for n in pages):
        raise UsageError("--page 从 1 开始计数")
    outcomes = mask_document(ctx.db, args.document_id, pages=pages, ocr=False if args.no_ocr else None,
                             accept_residual=args.accept_residual)
    ok = all(o.ok for o in outcomes)
    if ctx.json:
        ctx.emit_json({"document_id": args.document_id, "ok": ok, "pages": [o.to_json() for o in outcomes]})
    else:
        for o in outcomes:
            line = f"第 {o.index + 1} 页：{o.state}"
            if o.boxes:
                line += f"（{o.boxes} 个遮盖框）"
            if o.residual:
                line += f"；框外仍可识别：{residual_summary(o.residual)}"
            if o.state == "无遮盖框":
                line += "；请框选需遮盖的内容，或确认无需遮盖"
            ctx.info(line)
        if any(o.state == "有残留" for o in outcomes):
            ctx.info("该页保持“待遮盖”：补充遮盖框后重新生成，或确认可以保留后加 --accept-residual")
    return EXIT_OK if ok else EXIT_PROBLEMS
