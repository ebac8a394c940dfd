"""`chuding letters PERSON… --kind K -o DIR`, `chuding form PERSON -o F.pdf`,
`chuding letter-input PERSON …` (the officer's paragraphs) and `chuding wordcount FILE`."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.cli import CliContext
from app.commands.rounds import add_round_arg
from app.errors import EXIT_OK, EXIT_PROBLEMS, UsageError, ValidationError

KIND_CHOICES = ("gongshi", "gongshi-result", "tuijian", "chengnuo", "shide", "xiaojie")


def _date(value: str | None, what: str) -> dt.date | None:
    if value is None:
        return None
    from app.policy.dates import parse_date

    try:
        d = parse_date(value, field=what)
    except ValidationError as exc:
        raise UsageError(exc.message) from None
    return d


def register(sub: Any, add_globals: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("letters", help="生成单位信函（docx）：公示、公示结果、推荐报告、承诺书、师德师风说明、工作小结模板")
    add_globals(p)
    p.add_argument("persons", nargs="+", metavar="PERSON", help="人员：编号、身份证号或姓名")
    p.add_argument("--kind", required=True, choices=KIND_CHOICES,
                   help="gongshi=推荐单位公示，gongshi-result=公示结果，tuijian=推荐报告，chengnuo=个人承诺书，"
                        "shide=师德师风情况说明，xiaojie=工作小结模板")
    p.add_argument("-o", "--out", required=True, metavar="DIR", help="输出文件夹")
    p.add_argument("--profile", help="政策方案（默认：申报批次的方案）")
    p.add_argument("--start", metavar="D", help="公示起始日期（保存到申报批次中的所选人员）")
    p.add_argument("--days", type=int, default=5, help="公示工作日数（不少于 5，默认 5）")
    p.add_argument("--as-of", metavar="D", help="资格判断日期（默认：方案的申报截止日期）")
    p.add_argument("--date", metavar="D", help="落款日期（默认：公示结束后的下一个工作日）")
    p.add_argument("--office", help="受理异议的办公室（保存到单位，例如“人力资源部”）")
    p.add_argument("--phone", help="监督电话（保存到单位）")
    add_round_arg(p)
    p.set_defaults(handler=cmd_letters)

    p = sub.add_parser("form", help="呈报表本地草稿（PDF，一式两份，A4 双面）")
    add_globals(p)
    p.add_argument("person", metavar="PERSON")
    p.add_argument("-o", "--out", required=True, metavar="F.pdf")
    p.add_argument("--profile")
    p.add_argument("--as-of", metavar="D")
    p.add_argument("--copies", type=int, default=2, help="份数（默认 2）")
    add_round_arg(p)
    p.set_defaults(handler=cmd_form)

    p = sub.add_parser("letter-input", help="保存信函用的人员材料：思想政治条件、业绩成果、工作总结摘要、公示起始日期")
    add_globals(p)
    p.add_argument("person", metavar="PERSON")
    p.add_argument("--political", help="思想政治条件（文字，或 @文件.txt）")
    p.add_argument("--achievements", help="业绩成果（文字，或 @文件.txt）")
    p.add_argument("--summary", help="工作总结（自我鉴定）摘要（文字，或 @文件.txt）")
    p.add_argument("--start", metavar="D", help="公示起始日期（保存到申报批次）")
    add_round_arg(p)
    p.set_defaults(handler=cmd_letter_input)

    p = sub.add_parser("wordcount", help="工作小结字数统计（汉字按字、英文按词），按方案字数要求核对")
    add_globals(p)
    p.add_argument("file", metavar="FILE", help=".docx 或 .txt")
    p.add_argument("--profile")
    p.set_defaults(handler=cmd_wordcount)


def cmd_letters(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.letters import generate_letters, get_unit_settings, save_unit_settings
    from app.services.roster import find_person

    if args.days < 5:
        raise UsageError(f"公示期不得少于 5 个工作日（--days {args.days}）")
    if args.office is not None or args.phone is not None:
        unit_id = find_person(ctx.db, args.persons[0]).unit.id
        if unit_id is None:
            raise UsageError("该人员没有单位，无法保存办公室和监督电话")
        office, phone = get_unit_settings(ctx.db, unit_id)
        save_unit_settings(ctx.db, unit_id, office=args.office if args.office is not None else office,
                           phone=args.phone if args.phone is not None else phone)
    report = generate_letters(
        ctx.db, args.persons, args.kind, Path(args.out), profile_id=args.profile,
        start=_date(args.start, "公示起始日期"), days=args.days, as_of=_date(args.as_of, "判断日期"),
        issue_date=_date(args.date, "落款日期"), round_name=args.round)
    if ctx.json:
        ctx.emit_json(report.to_json())
    else:
        for path in report.paths:
            ctx.info(f"已生成：{path}")
        if report.publicity:
            pub = report.publicity
            days = "、".join(f"{d.month}月{d.day}日" for d in pub.days)
            basis = "（推定）" if pub.estimated else ""
            ctx.info(f"公示期{basis}：{pub.start.isoformat()} 至 {pub.end.isoformat()}，共 {pub.count} 个工作日（{days}）")
        for w in report.warnings:
            if w not in report.late:
                ctx.info(f"提示：{w}")
        for w in report.late:
            ctx.info(f"⚠ 晚于截止日期：{w}")
        if report.missing:
            ctx.info("未填写（已在信函中标出“【未填写：…】”）：" + "；".join(report.missing))
    return EXIT_OK if report.complete else EXIT_PROBLEMS


def cmd_form(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.forms import generate_form

    if not 1 <= args.copies <= 10:
        raise UsageError("份数应在 1–10 之间")
    report = generate_form(ctx.db, args.person, Path(args.out), profile_id=args.profile,
                           as_of=_date(args.as_of, "判断日期"), copies=args.copies, round_name=args.round)
    if ctx.json:
        ctx.emit_json(report.to_json())
    else:
        ctx.info(f"已生成呈报表草稿：{report.path}（{report.pages} 页，A4，{report.size // 1024} KB）")
        ctx.info("提示：本表为本地草稿，纸质材料须使用平台生成的带水印呈报表；请 A4 双面（长边翻转）打印，一式两份。")
        for w in report.warnings:
            ctx.info(f"提示：{w}")
    return EXIT_OK


def _text_arg(value: str | None) -> str | None:
    if value is None or not value.startswith("@"):
        return value
    from app.export.wordcount import read_text

    return read_text(value[1:])


def cmd_letter_input(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.letters import UNSET, save_inputs
    from app.services.roster import find_person

    person = find_person(ctx.db, args.person)
    assert person.id is not None
    start = _date(args.start, "公示起始日期") if args.start else UNSET
    li = save_inputs(ctx.db, person.id, political=_text_arg(args.political),
                     achievements=_text_arg(args.achievements), summary=_text_arg(args.summary),
                     publicity_start=start, round_name=args.round)
    if ctx.json:
        ctx.emit_json({"person_id": li.person_id, "political": li.political, "achievements": li.achievements,
                       "summary": li.summary,
                       "publicity_start": li.publicity_start.isoformat() if li.publicity_start else None})
    else:
        ctx.info(f"已保存 {person.name} 的信函材料")
    return EXIT_OK


def cmd_wordcount(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.export.wordcount import count_file
    from app.policy.profiles import load_profile
    from app.services.rounds import get_round

    profile = load_profile(args.profile or get_round(ctx.db).profile_id)  # default: the current round's
    spec = profile.material("work_summary")
    wc = count_file(args.file, spec.word_range if spec else None)
    if ctx.json:
        ctx.emit_json(wc.to_json())
    else:
        ctx.info(wc.message())
    return EXIT_OK if wc.ok is not False else EXIT_PROBLEMS
