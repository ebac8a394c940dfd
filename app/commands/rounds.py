"""`chuding round create|list|use|show|doc|unit|persons` (the 申报批次) and `chuding status [--round R]`."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from typing import Any

from app.cli import CliContext, add_command_group
from app.errors import EXIT_OK, EXIT_PROBLEMS, UsageError


def add_round_arg(p: argparse.ArgumentParser) -> None:
    """``--round NAME`` for every command that judges (default: the current round)."""
    p.add_argument("--round", metavar="NAME", default=None, help="申报批次（默认：当前批次，见 chuding round list）")


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    rsub = add_command_group(sub, "round", "申报批次：政策、判断日期、截止日期、人员、单位材料", add_globals)
    p = rsub.add_parser("create", help="新建申报批次")
    add_globals(p)
    p.add_argument("name", metavar="NAME", help="批次名称，例如“2026 库尔勒”")
    p.add_argument("--profile", metavar="P", required=True, help="政策配置，例如 korla-2024")
    p.add_argument("--as-of", metavar="D", help="判断日期 YYYY-MM-DD（默认：截止日期，否则政策规定的日期）")
    p.add_argument("--deadline", metavar="D", help="申报截止日期 YYYY-MM-DD（默认：政策规定的申报结束日）")
    p.add_argument("--use", action="store_true", help="同时设为当前批次")
    p.set_defaults(handler=cmd_create)

    p = rsub.add_parser("list", help="列出申报批次")
    add_globals(p)
    p.set_defaults(handler=cmd_list)

    p = rsub.add_parser("use", help="设为当前批次")
    add_globals(p)
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=cmd_use)

    p = rsub.add_parser("show", help="批次详情：政策、日期、单位材料及状态、人员")
    add_globals(p)
    p.add_argument("name", metavar="NAME", nargs="?", help="批次名称（默认：当前批次）")
    p.set_defaults(handler=cmd_show)

    p = rsub.add_parser("doc", help="单位材料（公示、公示结果、推荐报告…）的状态：auto / provided / not_applicable")
    add_globals(p)
    p.add_argument("slot", metavar="SLOT", help="材料类别，例如 gongshi")
    p.add_argument("decision", metavar="STATUS", choices=("auto", "provided", "not_applicable"),
                   help="auto：按上传判断；provided：已提供；not_applicable：本批次不需要")
    p.add_argument("--note", default="", help="说明（例如“纸质件已报送”）")
    add_round_arg(p)
    p.set_defaults(handler=cmd_doc)

    usub = add_command_group(rsub, "unit", "本批次的单位材料（盖章后的公示、公示结果、推荐报告扫描件）", add_globals)
    p = usub.add_parser("add", help="上传单位材料的盖章扫描件（属于批次，不属于某个人）")
    add_globals(p)
    p.add_argument("slot", metavar="SLOT", help="材料类别：gongshi / gongshi_result / recommendation")
    p.add_argument("files", metavar="FILE", nargs="+", help="扫描件（PDF 或图片；多个文件合为一份）")
    add_round_arg(p)
    p.set_defaults(handler=cmd_unit_add)
    p = usub.add_parser("list", help="列出本批次的单位材料及来源")
    add_globals(p)
    add_round_arg(p)
    p.set_defaults(handler=cmd_unit_list)
    p = usub.add_parser("remove", help="删除本批次的一份单位材料扫描件")
    add_globals(p)
    p.add_argument("document_id", metavar="ID", type=int, help="材料编号（见 round unit list）")
    p.set_defaults(handler=cmd_unit_remove)

    p = rsub.add_parser("persons", help="参加批次的人员（默认全部在册人员）：--exclude / --include 调整")
    add_globals(p)
    p.add_argument("--exclude", metavar="PERSON", action="append", default=[],
                   help="不参加本批次的人员（编号、身份证号或姓名；可重复）")
    p.add_argument("--include", metavar="PERSON", action="append", default=[], help="重新参加本批次的人员（可重复）")
    add_round_arg(p)
    p.set_defaults(handler=cmd_persons)

    p = sub.add_parser("status", help="批次总览：每人的资格、材料、遮盖、能否导出；单位材料")
    add_globals(p)
    add_round_arg(p)
    p.set_defaults(handler=cmd_status)


def _date(value: str | None, what: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{what}格式应为 YYYY-MM-DD：{value}") from None


def cmd_create(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.rounds import create_round

    r = create_round(ctx.db, args.name, args.profile, as_of=_date(args.as_of, "判断日期"),
                     deadline=_date(args.deadline, "截止日期"), make_current=bool(args.use))
    if ctx.json:
        ctx.emit_json(r.to_json())
    else:
        ctx.info(f"已新建申报批次“{r.name}”（{r.profile_id}）" + ("，为当前批次" if r.current else ""))
    return EXIT_OK


def cmd_list(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.rounds import list_rounds

    rows = list_rounds(ctx.db)
    if ctx.json:
        ctx.emit_json([r.to_json() for r in rows])
    else:
        for r in rows:
            dates = f"判断日期 {r.as_of or '默认'}，截止 {r.deadline or '按政策'}"
            ctx.info(f"{'*' if r.current else ' '} {r.name}  {r.profile_id}  {dates}")
    return EXIT_OK


def cmd_use(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.rounds import use_round

    r = use_round(ctx.db, args.name)
    if ctx.json:
        ctx.emit_json(r.to_json())
    else:
        ctx.info(f"当前申报批次：{r.name}")
    return EXIT_OK


def _show(ctx: CliContext, name: str | None) -> dict[str, Any]:
    from app.services.rounds import judge_round, publicity_periods, round_checklists, round_persons

    judge = judge_round(ctx.db, name)
    persons = round_persons(ctx.db, judge)
    _checklists, unit = round_checklists(ctx.db, judge, persons, members=persons)
    periods = publicity_periods(ctx.db, [int(p.id) for p in persons if p.id is not None], judge.round.name)
    starts = {pid: start for pid, (start, _end) in periods.items()}
    ends = {pid: end for pid, (_start, end) in periods.items()}
    return {**judge.round.to_json(), "profile_name": judge.profile.name, "effective_as_of": judge.as_of.isoformat(),
            "effective_deadline": judge.deadline.isoformat() if judge.deadline else None, "notes": judge.notes,
            "unit_documents": [u.to_json() for u in unit.values()],
            "persons": [{"id_number": p.id_number, "name": p.name,
                         "publicity_start": (s.isoformat() if (s := starts.get(int(p.id or 0))) else None),
                         "publicity_end": (e.isoformat() if (e := ends.get(int(p.id or 0))) else None)}
                        for p in persons]}


def cmd_show(args: argparse.Namespace, ctx: CliContext) -> int:
    data = _show(ctx, args.name)
    if ctx.json:
        ctx.emit_json(data)
        return EXIT_OK
    ctx.info(f"申报批次：{data['name']}{'（当前）' if data['current'] else ''}")
    ctx.info(f"政策：{data['profile_name']}（{data['profile']}）")
    ctx.info(f"判断日期：{data['effective_as_of']}  截止日期：{data['effective_deadline'] or '未规定'}")
    for n in data["notes"]:
        ctx.info(f"提示：{n}")
    ctx.info("单位材料：")
    for u in data["unit_documents"]:
        ctx.info(f"  [{u['status']}] {u['name']}：{u['reason']}")
    ctx.info(f"人员：{len(data['persons'])} 人")
    return EXIT_OK


def cmd_doc(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.rounds import set_unit_document

    r = set_unit_document(ctx.db, args.slot, args.decision, note=args.note, name=args.round)
    data = _show(ctx, r.name)
    if ctx.json:
        ctx.emit_json(data["unit_documents"])
    else:
        for u in data["unit_documents"]:
            ctx.info(f"  [{u['status']}] {u['name']}：{u['reason']}")
    return EXIT_OK


def _unit_list(ctx: CliContext, name: str | None) -> dict[str, Any]:
    from app.services.unit_documents import list_unit_documents

    data = _show(ctx, name)
    return {"round": data["name"], "unit_documents": data["unit_documents"],
            "files": [{"id": d.id, "slot": d.slot, "slot_label": d.slot_label, "pages": len(d.pages),
                       "original_name": d.original_name,
                       "created_at": d.created_at.isoformat(sep=" ") if d.created_at else None}
                      for d in list_unit_documents(ctx.db, data["name"])]}


def _print_unit(ctx: CliContext, data: dict[str, Any]) -> None:
    ctx.info(f"申报批次“{data['round']}”的单位材料：")
    for u in data["unit_documents"]:
        ctx.info(f"  [{u['status']}] {u['name']}：{u['reason']}")
    for f in data["files"]:
        ctx.info(f"    #{f['id']} {f['slot_label']}  {f['pages']} 页  {f['original_name']}")


def cmd_unit_add(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.unit_documents import add_unit_document

    res = add_unit_document(ctx.db, args.slot, args.files, round_name=args.round)
    data = _unit_list(ctx, args.round)
    if ctx.json:
        ctx.emit_json({"added": res.to_json(), **data})
    else:
        ctx.info(f"已添加单位材料（编号 {res.document_id}，{res.pages} 页）")
        for w in res.warnings:
            ctx.info(f"提示：{w}")
        _print_unit(ctx, data)
    return EXIT_OK


def cmd_unit_list(args: argparse.Namespace, ctx: CliContext) -> int:
    data = _unit_list(ctx, args.round)
    if ctx.json:
        ctx.emit_json(data)
    else:
        _print_unit(ctx, data)
    return EXIT_OK


def cmd_unit_remove(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.unit_documents import remove_unit_document

    remove_unit_document(ctx.db, args.document_id)
    data = _unit_list(ctx, None)
    if ctx.json:
        ctx.emit_json(data)
    else:
        ctx.info(f"已删除单位材料 {args.document_id}")
        _print_unit(ctx, data)
    return EXIT_OK


def cmd_persons(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.export import resolve_person_keys
    from app.services.rounds import get_round, set_participation

    name = get_round(ctx.db, args.round).name
    if args.exclude:
        set_participation(ctx.db, resolve_person_keys(ctx.db, args.exclude), False, name)
    if args.include:
        set_participation(ctx.db, resolve_person_keys(ctx.db, args.include), True, name)
    data = _show(ctx, name)
    if ctx.json:
        ctx.emit_json(data["persons"])
    else:
        ctx.info(f"申报批次“{name}”：{len(data['persons'])} 人")
        for p in data["persons"]:
            ctx.info(f"  {p['name']}  {p['id_number']}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.status import round_status

    st = round_status(ctx.db, args.round)
    if ctx.json:
        ctx.emit_json(st.to_json())
    else:
        ctx.info(f"申报批次：{st.round_name}（{st.profile_id}）  判断日期：{st.as_of.isoformat()}")
        for n in st.notes:
            ctx.info(f"提示：{n}")
        for p in st.persons:
            flag = "可导出" if p.exportable else "不可导出"
            ctx.info(f"{p.person.name}  {p.verdict.status}  材料 {p.packet.done}/{p.packet.total}  "
                     f"待遮盖 {p.packet.pages_pending} 页  {flag}")
            for i in p.blockers[:3]:
                ctx.info(f"    {i.message}")
        ctx.info("单位材料：" + "，".join(f"{u.name}{u.status}" for u in st.unit)
                 + ("（齐全）" if st.unit_complete else "（不齐全）"))
    return EXIT_OK if all(p.exportable for p in st.persons) and st.unit_complete else EXIT_PROBLEMS
