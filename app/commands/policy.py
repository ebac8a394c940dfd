"""`chuding check [--profile P] [--as-of D] [--input F]`, `chuding workdays START N [--holiday D]… [--workday D]…`,
`chuding policy list|import FILE [--dry-run]`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

from app.cli import CliContext, add_command_group
from app.commands.rounds import add_round_arg
from app.errors import EXIT_OK, EXIT_PROBLEMS, UsageError, ValidationError

_WEEKDAYS = "一二三四五六日"


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("check", help="资格判断：已存储的花名册，或不入库地判断花名册文件 F 中的各行")
    add_globals(p)
    p.add_argument("--profile", metavar="P", help="政策配置（默认：申报批次的配置）；可用：" + _profile_help())
    p.add_argument("--as-of", metavar="D", help="判断日期 YYYY-MM-DD（默认：申报批次的判断日期，否则截止日期）")
    p.add_argument("--input", metavar="F", help="花名册文件（.xlsx/.csv）：只判断，不写入数据库")
    add_round_arg(p)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("workdays", help="从 START 起的 N 个工作日（公示期计算）")
    add_globals(p)
    p.add_argument("start", metavar="START", help="开始日期 YYYY-MM-DD（当天是工作日则算第1天）")
    p.add_argument("n", metavar="N", type=int, help="工作日天数，例如 5")
    p.add_argument("--holiday", metavar="D", action="append", default=[], help="额外的放假日（可重复）")
    p.add_argument("--workday", metavar="D", action="append", default=[], help="额外的上班日（可重复）")
    p.add_argument("--no-regional", action="store_true", help="不计新疆地方节日（肉孜节、古尔邦节）")
    p.set_defaults(handler=cmd_workdays)

    actions = add_command_group(sub, "policy", "政策配置：列出、导入新的政策文件（不修改程序自带的配置）", add_globals)
    p = actions.add_parser("list", help="列出可用的政策配置（程序自带的和已导入的）")
    add_globals(p)
    p.set_defaults(handler=cmd_policy_list)
    p = actions.add_parser("import", help="导入政策文件（.toml）：校验、显示依据和差异，保存到用户数据目录")
    add_globals(p)
    p.add_argument("file", metavar="FILE", help="政策配置文件（.toml，格式见 resources/policies/README.md）")
    p.add_argument("--dry-run", action="store_true", help="只校验并显示差异，不导入")
    p.set_defaults(handler=cmd_policy_import)


def _profile_help() -> str:
    try:
        from app.policy.profiles import profile_ids

        return "、".join(profile_ids())
    except Exception:  # pragma: no cover - help text only
        return ""


def _date_arg(value: str, what: str) -> dt.date:
    from app.policy.dates import parse_date

    try:
        d = parse_date(value, field=what)
    except ValidationError as exc:
        raise UsageError(exc.message) from None
    if d is None:
        raise UsageError(f"{what}不能为空")
    return d


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    return [line(headers), line(tuple("-" * w for w in widths))] + [line(r) for r in rows]


def _main_reason(v: Any) -> str:
    for sev in ("bar", "wait", "missing", "manual", "warning"):
        hits = [r.message for r in v.reasons if r.severity == sev]
        if hits:
            more = f"（另有{len(hits) - 1}条）" if len(hits) > 1 else ""
            return hits[0] + more
    return ""


def cmd_check(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.policy.eligibility import Reason, Verdict
    from app.services.rounds import judge_round

    judge = judge_round(ctx.db, args.round, as_of=_date_arg(args.as_of, "判断日期") if args.as_of else None,
                        profile_id=args.profile)
    profile, as_of = judge.profile, judge.as_of
    for w in judge.notes:
        sys.stderr.write(f"提示：{w}\n")

    rows: list[tuple[int | None, str, str, Verdict]] = []
    if args.input:
        from app.roster.io import read_roster

        result = read_roster(args.input)
        for h in result.header_issues:
            sys.stderr.write(f"提示：{h}\n")
        for r in result.rows:
            errors = [i for i in r.issues if i.severity == "error"]
            if r.person is None:
                v = Verdict(eligible=None, status="信息不全", route=None, level=None, title=None, earliest_date=None,
                            reasons=[Reason("ROW_INVALID", f"{i.column + '：' if i.column else ''}{i.message}",
                                            f"花名册第{r.row}行", False, "missing") for i in r.issues],
                            missing=sorted({i.column for i in errors if i.column}), profile_id=profile.id,
                            as_of=as_of)
                rows.append((r.row, "", "", v))
                continue
            v = judge.judge(r.person)
            for i in errors:
                v.reasons.insert(0, Reason("ROW_ISSUE", f"{i.column + '：' if i.column else ''}{i.message}",
                                           f"花名册第{r.row}行", False, "warning"))
            rows.append((r.row, r.person.id_number, r.person.name, v))
    else:
        from app.services.rounds import round_persons

        for p in round_persons(ctx.db, judge):
            rows.append((None, p.id_number, p.name, judge.judge(p)))

    problems = any(v.eligible is not True for *_x, v in rows)
    if ctx.json:
        out = []
        for row, id_number, name, v in rows:
            item: dict[str, Any] = {"id_number": id_number, "name": name}
            if row is not None:
                item["row"] = row
            item.update(v.to_json())
            out.append(item)
        ctx.emit_json(out)
    else:
        ctx.info(f"政策：{profile.name}（{profile.id}）  判断日期：{as_of.isoformat()}")
        if profile.window_start and profile.window_end:
            ctx.info(f"申报时间：{profile.window_start.isoformat()} 至 {profile.window_end.isoformat()}")
        if not rows:
            ctx.info("没有可判断的人员")
            return EXIT_OK
        table_rows: list[tuple[str, ...]] = []
        for row, id_number, name, v in rows:
            what = " ".join(x for x in (v.route or "", v.level or "", v.title or "") if x) or "—"
            table_rows.append((str(row) if row is not None else "", name or "—", id_number or "—", v.status, what,
                               v.earliest_date.isoformat() if v.earliest_date else "—", _main_reason(v)))
        headers: tuple[str, ...] = ("行号", "姓名", "身份证号", "结论", "初定/授予 级别 职称", "最早可申报", "主要原因")
        if not args.input:
            headers, table_rows = headers[1:], [r[1:] for r in table_rows]
        for line in _table(headers, table_rows):
            ctx.info(line)
        counts: dict[str, int] = {}
        for *_x, v in rows:
            counts[v.status] = counts.get(v.status, 0) + 1
        ctx.info("合计 " + str(len(rows)) + " 人：" + "，".join(f"{k} {n}" for k, n in counts.items()))
        asm = [r for *_x, v in rows for r in v.reasons if r.assumption]
        if asm:
            ctx.info("注：部分结论依据“假设”（通知未明确的解读，可在设置中调整），详见 --json 输出中的 assumption 字段")
    return EXIT_PROBLEMS if problems else EXIT_OK


def cmd_workdays(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.policy.workdays import working_days_from

    start = _date_arg(args.start, "开始日期")
    if args.n < 1:
        raise UsageError(f"工作日天数须为正整数：{args.n}")
    holidays = [_date_arg(h, "放假日") for h in args.holiday]
    workdays = [_date_arg(w, "上班日") for w in args.workday]
    try:
        res = working_days_from(start, args.n, extra_holidays=holidays, extra_workdays=workdays,
                                include_regional=not args.no_regional)
    except ValidationError as exc:
        raise UsageError(exc.message) from None
    for w in res.warnings:
        sys.stderr.write(f"提示：{w}\n")
    if ctx.json:
        ctx.emit_json(res.to_json())
    else:
        basis = f"（推定：{'、'.join(f'{y}年' for y in res.estimated_years)}的法定节假日按放假办法推算）" if res.estimated else ""
        ctx.info(f"从 {res.start.isoformat()} 起 {len(res.days)} 个工作日，至 {res.end.isoformat()}{basis}：")
        for i, d in enumerate(res.days, start=1):
            ctx.info(f"  第{i}天  {d.isoformat()}（周{_WEEKDAYS[d.weekday()]}）")
    return EXIT_OK


def cmd_policy_list(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.policy.profiles import is_user_profile, list_profiles

    rows = [{"id": p.id, "name": p.name, "notice": p.source.notice, "imported": is_user_profile(p),
             "file": str(p.path)} for p in list_profiles()]
    if ctx.json:
        ctx.emit_json(rows)
    else:
        for r in rows:
            ctx.info(f"{r['id']}  {r['name']}{'（已导入）' if r['imported'] else ''}")
    return EXIT_OK


def cmd_policy_import(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.policy.profiles import import_profile, import_summary, preview_import
    from app.settings import load_settings

    preview = preview_import(args.file, compare_with=load_settings().profile_id)
    for line in import_summary(preview):
        ctx.info(line)
    target = None
    if preview.identical:
        pass
    elif args.dry_run:
        ctx.info("（只校验，未导入）")
    else:
        target = import_profile(preview)
        ctx.info(f"已导入：{target}")
    if ctx.json:
        ctx.emit_json({"id": preview.profile.id, "name": preview.profile.name, "replaces": preview.replaces,
                       "identical": preview.identical, "imported_to": str(target) if target else None,
                       "differences": [{"key": d.key, "old": d.old, "new": d.new} for d in preview.diffs]})
    return EXIT_OK
