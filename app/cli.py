"""`chuding` console script: a thin face over app.services.

Global options: ``--db URL_OR_PATH`` and ``--json`` (machine output on stdout, Chinese messages on
stderr). Exit codes: 0 ok, 1 checks found problems, 2 usage, 3 unreadable input file or the environment
refused (disk full, database locked or read-only, no permission), 4 internal.
Each command group lives in its own module under ``app/commands`` with a ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from app import __version__
from app.errors import EXIT_INTERNAL, EXIT_USAGE, ChudingError, environment_error

log = logging.getLogger("app.cli")

COMMAND_MODULES = (
    "app.commands.basics",  # demo, validate
    "app.commands.roster",  # roster template|import|export
    "app.commands.policy",  # check, workdays
    "app.commands.documents",  # docs, packet, vault
    "app.commands.masking",  # mask suggest|apply|verify
    "app.commands.letters",  # letters, form
    "app.commands.export",  # export, verify-bundle
    "app.commands.database",  # db set|test|restore
    "app.commands.rounds",  # round create|list|use|show|doc, status
)


# The GUI's words in messages shared by both faces, and the command-line option that does the same.
# Services speak the GUI's language (an officer reads them); the CLI adds its option after the words.
CLI_EQUIVALENTS: tuple[tuple[str, str], ...] = (
    ("“更新已有人员”", "--update"),
    ("“公示起始日期”", "--start"),
    ("请输入打开密码", "--password"),
    ("请指定年度", "--year"),
    ("未创建演示数据", "--force 覆盖，或 --demo 使用演示数据库"),
    ("确认“无需遮盖”", "--not-needed"),
)


def cli_words(text: str) -> str:
    """``text`` with the CLI option named after each GUI phrase it contains."""
    for phrase, option in CLI_EQUIVALENTS:
        if phrase in text and option not in text:
            text = text.replace(phrase, f"{phrase}（命令行：{option}）", 1)
    return text


@dataclass
class CliContext:
    db_arg: str | None
    json: bool
    _db: Any = field(default=None, repr=False)

    @property
    def db(self):
        if self._db is None:
            from app.models.db import open_database

            self._db = open_database(self.db_arg)
        return self._db

    def emit_json(self, payload: Any) -> None:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")

    def info(self, message: str) -> None:
        """Human text: stdout normally, stderr in --json mode so stdout stays machine-readable."""
        stream = sys.stderr if self.json else sys.stdout
        stream.write(cli_words(message) + "\n")

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()


Handler = Callable[[argparse.Namespace, CliContext], int]


def add_command_group(sub: Any, name: str, help: str,
                      add_globals: Callable[[argparse.ArgumentParser], None]) -> Any:
    """A command with actions (``chuding roster template|import|export``): returns its subparsers.
    Called without an action, it prints its help on stderr and exits with the usage code."""
    group = sub.add_parser(name, help=help)
    add_globals(group)
    actions = group.add_subparsers(dest=f"{name.replace('-', '_')}_command", metavar="ACTION",
                                   parser_class=type(group))

    def usage(_args: argparse.Namespace, _ctx: CliContext) -> int:
        group.print_help(sys.stderr)
        return EXIT_USAGE

    group.set_defaults(handler=usage)
    return actions


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误：{message}\n")
        raise SystemExit(EXIT_USAGE)


def _add_globals(p: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    p.add_argument("--db", metavar="URL_OR_PATH", default=default,
                   help="数据库：SQLAlchemy URL 或 SQLite 文件路径（默认：用户数据目录；也可用 CHUDING_DB_URL）")
    p.add_argument("--demo", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="使用演示数据库（与正式数据库分开的文件；chuding --demo demo 创建演示数据）")
    p.add_argument("--json", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="机器可读输出（JSON 写到标准输出，中文提示写到标准错误）")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="chuding", description="职称初定申报助手 命令行")
    parser.add_argument("--version", action="version", version=f"chuding {__version__}")
    _add_globals(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        module = importlib.import_module(name)
        module.register(sub, lambda p: _add_globals(p, top=False))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from app.logging_setup import configure_logging

    configure_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    db_arg = args.db
    if args.demo:
        if db_arg:
            sys.stderr.write("用法错误：--demo 与 --db 不能同时使用\n")
            return EXIT_USAGE
        from app.paths import demo_db_path

        db_arg = str(demo_db_path())
    ctx = CliContext(db_arg=db_arg, json=bool(args.json))
    try:
        return int(args.handler(args, ctx))
    except ChudingError as exc:
        return _failed(args.command, exc)
    except KeyboardInterrupt:
        sys.stderr.write("已中断\n")
        return 130
    except Exception as exc:
        from app.models.db import resolve_url, translate_db_error

        translated = None
        try:
            translated = translate_db_error(exc, ctx._db.engine.url if ctx._db is not None else resolve_url(ctx.db_arg))
        except Exception:
            translated = None
        if translated is not None:
            return _failed(args.command, translated, cause=exc)
        named = environment_error(exc)  # disk full, locked / read-only database, no permission
        if named is not None:
            return _failed(args.command, named, cause=exc)
        from app.logging_setup import log_file

        log.exception("internal error in %s", args.command)
        try:
            where = str(log_file())
        except OSError:
            where = "（日志文件夹不可写，未能写入日志）"
        sys.stderr.write(f"内部错误，详细信息已写入日志：{where}\n")
        return EXIT_INTERNAL
    finally:
        ctx.close()


def _failed(command: str | None, exc: ChudingError, *, cause: BaseException | None = None) -> int:
    # The log names the error by class and English detail, never by the Chinese message: that one
    # names the person, the ID number searched or a file named after someone.
    log.info("command %s failed: %s, exit %d (%s)%s", command, type(exc).__name__, exc.exit_code, exc.detail,
             f" from {type(cause).__name__}" if cause is not None else "")
    from app.dburl import scrub

    sys.stderr.write(f"错误：{scrub(cli_words(exc.message))}\n")
    return exc.exit_code


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
