"""Run the real `chuding` CLI in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def run_cli(*args: str | Path, db: Path | None = None, env: dict[str, str] | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "app.cli"]
    if db is not None:
        from tests.pgmode import map_db_arg

        cmd += ["--db", str(map_db_arg(db))]
    cmd += [str(a) for a in args]
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", cwd=ROOT, env=full_env,
                          timeout=timeout)


def run_json(*args: str | Path, db: Path | None = None) -> tuple[int, Any, str]:
    r = run_cli(*args, "--json", db=db)
    return r.returncode, (json.loads(r.stdout) if r.stdout.strip() else None), r.stderr
