#!/usr/bin/env python3
"""Build the frozen app with PyInstaller, then smoke-test it by running it.

    python installer/build.py            # needs `pip install pyinstaller` in the venv

Smoke test: the frozen CLI prints its version, creates a demo database in a temp dir and checks it;
the frozen GUI starts offscreen with CHUDING_SMOKE_TEST=1, shows the main window and exits 0.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    if not (ROOT / "resources" / "icons" / "app.ico").exists():  # normally committed; see make_icon.py
        subprocess.check_call([sys.executable, str(ROOT / "installer" / "make_icon.py")],
                              env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    subprocess.check_call([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                           "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build"),
                           str(ROOT / "installer" / "chuding.spec")])
    exe_dir = ROOT / "dist" / "chuding"
    suffix = ".exe" if os.name == "nt" else ""
    cli, gui = exe_dir / f"chuding{suffix}", exe_dir / f"chuding-gui{suffix}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "CHUDING_DATA_DIR": tmp, "QT_QPA_PLATFORM": "offscreen", "CHUDING_SMOKE_TEST": "1"}
        subprocess.check_call([str(cli), "--version"], env=env)
        subprocess.check_call([str(cli), "demo"], env=env)
        subprocess.check_call([str(cli), "validate", "uscc", "91350100M000100Y43"], env=env)
        subprocess.check_call([str(gui)], env=env, timeout=120)
    print("smoke test passed:", exe_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
