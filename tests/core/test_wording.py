"""Messages the officer reads speak the GUI's words: no command-line options in strings outside the
CLI, which names its options after the GUI's words itself (app.cli.cli_words)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.cli import CLI_EQUIVALENTS, cli_words

APP = Path(__file__).resolve().parents[2] / "app"
CLI_ONLY = {APP / "cli.py"} | set((APP / "commands").glob("*.py"))
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z-]+")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _chinese_strings(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    out = []
    for node in ast.walk(tree):
        if id(node) in docstrings:
            continue  # developer documentation, not a message
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
            out.append((node.lineno, node.value))
    return out


def test_no_command_line_options_in_messages_outside_the_cli():
    found = []
    for path in sorted(APP.rglob("*.py")):
        if path in CLI_ONLY or "migrations" in path.parts:
            continue
        for line, text in _chinese_strings(path):
            if OPTION.search(text):
                found.append(f"{path.relative_to(APP.parent)}:{line}: {text[:80]}")
    assert found == []


def test_the_cli_names_its_option_after_the_gui_words():
    msg = "身份证号 650… 已存在（甲），未更新。如需用文件内容更新，请勾选“更新已有人员”后重新导入"
    assert "“更新已有人员”（命令行：--update）" in cli_words(msg)
    assert cli_words(cli_words(msg)) == cli_words(msg)  # idempotent
    assert cli_words("没有任何对应的词") == "没有任何对应的词"
    for phrase, option in CLI_EQUIVALENTS:
        assert option.startswith("--") and phrase in cli_words(phrase)
