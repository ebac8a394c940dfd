"""Architecture rules that must hold: the core imports no Qt; the version is single-sourced."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import app

ROOT = Path(__file__).resolve().parents[2]


def _qt_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [n for n in names if n.split(".")[0] in ("PySide6", "shiboken6", "PyQt5", "PyQt6")]
    return found


def test_no_qt_import_outside_ui() -> None:
    offenders = {}
    for path in (ROOT / "app").rglob("*.py"):
        if (ROOT / "app" / "ui") in path.parents:
            continue
        if hits := _qt_imports(path):
            offenders[str(path.relative_to(ROOT))] = hits
    assert offenders == {}


def test_core_runs_without_qt_loaded() -> None:
    # Importing every core package and the CLI must not pull Qt in, even indirectly.
    # (pkgutil.walk_packages would import app.ui itself to look inside it, so list the files.)
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "app").rglob("*.py")
        if (ROOT / "app" / "ui") not in p.parents and "migrations" not in p.parts and p.name != "__main__.py"
    )
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_import_linter_contract() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    r = subprocess.run([str(exe)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr


def test_version_single_sourced() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in meta["project"]["dynamic"]
    assert meta["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "app.__version__"
    from importlib.metadata import version

    assert version("chuding") == app.__version__


def test_ruff_clean() -> None:
    exe = Path(sys.executable).with_name("ruff")
    r = subprocess.run([str(exe), "check", "app", "tests", "benchmarks", "bootstrap.py", "installer"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stdout + r.stderr
