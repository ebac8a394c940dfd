"""Start-up time: process start → main window shown (target < 1.5 s), on the demo roster.

Each sample is a fresh process, timed by this parent from spawn until the child reports that its
window is shown (and exposed). Baseline measured in the same run: a bare QApplication with an empty
QMainWindow shown. Also reports when the roster (and its eligibility check) finished loading.

    .venv/bin/python benchmarks/startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD_BASELINE = r"""
import sys
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv)
w = QMainWindow(); w.resize(1280, 780); w.show()
app.processEvents()
print("SHOWN", flush=True)
"""

CHILD_APP = r"""
import sys, time
t0 = time.perf_counter()
from app.logging_setup import configure_logging
configure_logging()
from app.ui import crash
crash.install()
from app.ui.application import create_app
app = create_app(sys.argv)
t_qt = time.perf_counter()
from app.models.db import open_database
from app.settings import load_settings
from app.ui.context import Bus, UiContext
from app.ui.main_window import MainWindow
db = open_database(sys.argv[1])
t_db = time.perf_counter()
window = MainWindow(UiContext(db=db, settings=load_settings(), bus=Bus()))
t_build = time.perf_counter()
window.show()
app.processEvents()
t_show = time.perf_counter()
print("SHOWN", flush=True)
print("PHASES", t_qt - t0, t_db - t_qt, t_build - t_db, t_show - t_build, flush=True)
window.roster.loaded.connect(lambda: (print("LOADED", window.roster.model.rowCount(), flush=True), app.quit()))
app.exec()
from PySide6.QtCore import QThreadPool
QThreadPool.globalInstance().waitForDone()
db.dispose()
"""


PHASES = ("qt_app", "open_database", "build_window", "show")


def sample(code: str, args: list[str], env: dict[str, str]) -> dict[str, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    marks: dict[str, float] = {}
    assert proc.stdout is not None
    for line in proc.stdout:
        words = line.split()
        if words and words[0] in ("SHOWN", "LOADED"):
            marks[words[0]] = time.perf_counter() - t0
        elif words and words[0] == "PHASES":
            for name, value in zip(PHASES, words[1:], strict=True):
                marks[name] = float(value)
    proc.wait()
    if proc.returncode != 0:
        raise SystemExit(f"child failed with exit code {proc.returncode}")
    return marks


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, CHUDING_DATA_DIR=tmp, PYTHONPATH=str(ROOT))
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        db_path = Path(tmp) / "demo.sqlite3"
        os.environ["CHUDING_DATA_DIR"] = tmp
        sys.path.insert(0, str(ROOT))
        from app.models.db import open_database
        from app.services.demo import create_demo

        db = open_database(db_path)
        create_demo(db)
        db.dispose()
        sample(CHILD_APP, [str(db_path)], env)  # warm the OS file cache for both
        sample(CHILD_BASELINE, [], env)
        base, shown, loaded = [], [], []
        phases: dict[str, list[float]] = {k: [] for k in PHASES}
        for _ in range(ns.runs):
            base.append(sample(CHILD_BASELINE, [], env)["SHOWN"])
            m = sample(CHILD_APP, [str(db_path)], env)
            shown.append(m["SHOWN"])
            loaded.append(m.get("LOADED", float("nan")))
            for k in PHASES:
                phases[k].append(m[k])
    b, s, ld = statistics.median(base), statistics.median(shown), statistics.median(loaded)
    print(f"platform: {os.environ.get('QT_QPA_PLATFORM', env['QT_QPA_PLATFORM'])}, runs: {ns.runs}, cpus: {os.cpu_count()}")
    print(f"baseline (bare QApplication + empty QMainWindow shown): {b:.3f} s (median)")
    print(f"app main window shown:                                  {s:.3f} s (median; {1 / s:.2f} starts/s)")
    print(f"app roster + eligibility loaded:                        {ld:.3f} s (median)")
    print("phases inside the app process (median s): "
          + ", ".join(f"{k} {statistics.median(v):.3f}" for k, v in phases.items()))
    print(f"ratio shown / baseline: {s / b:.2f}x   target < 1.5 s: {'met' if s < 1.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
