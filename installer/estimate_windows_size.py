#!/usr/bin/env python3
"""Estimate the unpacked size of the trimmed Windows bundle from the win_amd64 wheels, without Windows.

No Windows CPython can be fetched here, so the real Windows bundle is built by .github/workflows/windows.yml.
This estimate applies installer/trim.py to the wheels' files, as PyInstaller would lay them out:

    pip download --platform win_amd64 --only-binary=:all: --python-version 3.11 -d WHEELS <runtime deps>
    python installer/estimate_windows_size.py WHEELS

Counted: every binary (.pyd/.dll) and data file the trimming keeps; of PySide6 only the Qt libraries the app
loads (Core, Gui, Widgets, Network, PrintSupport, Svg) and the bindings it imports; the two executables with
the PYZ archive of Python modules each embeds (measured on the Linux build); plus the CPython runtime
(python311.dll, its extension modules, base_library.zip, ~16 MB). An estimate, within perhaps ±10 %.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import trim

PYTHON_RUNTIME_MB = 16.0
# each of the two executables embeds the same PYZ archive of Python modules (14.6 MB in the Linux build of
# 2026-12-03; pure Python, so the same on Windows); the sources counted above at a third of their size are not in it
EXECUTABLES_MB = 2 * 14.6
_QT_USED = re.compile(r"^PySide6/(Qt6(Core|Gui|Widgets|Network|PrintSupport|Svg)\.dll|(Qt(Core|Gui|Widgets|Network|"
                      r"PrintSupport))\.pyd|pyside6\.abi3\.dll|msvcp\d+.*\.dll|vcruntime\d+.*\.dll|plugins/.*)$",
                      re.IGNORECASE)
_SKIP_DIST = ("pip", "setuptools", "tqdm", "mako", "six", "flatbuffers", "protobuf",  # not imported at run time
              # keyring's Linux backend (SecretStorage) and its crypto: `pip download --platform win_amd64`
              # evaluates the `sys_platform == "linux"` markers for the machine it runs on, not for Windows
              "secretstorage", "jeepney", "cryptography", "cffi", "pycparser")
# files of the modules the spec excludes (trim.EXCLUDED_MODULES), e.g. PIL/_avif.cp311-win_amd64.pyd
_EXCLUDED_PATHS = "|".join(re.escape(m.replace(".", "/")) for m in trim.EXCLUDED_MODULES)
_EXCLUDED_FILE = re.compile(rf"^({_EXCLUDED_PATHS})[./]")


def estimate(wheels: Path) -> dict[str, float]:
    sizes: dict[str, float] = {}
    for whl in sorted(wheels.glob("*.whl")):
        dist = whl.name.split("-")[0].lower()
        if dist.startswith(_SKIP_DIST):
            continue
        total = 0.0
        with zipfile.ZipFile(whl) as z:
            for info in z.infolist():
                name = info.filename
                if ".dist-info/" in name or name.endswith("/"):
                    continue
                if dist.startswith("pyside6") and not _QT_USED.match(name):
                    continue
                if not trim.keep(name) or _EXCLUDED_FILE.match(name):
                    continue
                if name.endswith(".py"):
                    continue  # in the PYZ, counted with the executables
                elif name.endswith((".pyc", ".pyi")):
                    continue
                else:
                    total += info.file_size
        sizes[dist] = total / 1e6
    sizes["python runtime"] = PYTHON_RUNTIME_MB
    sizes["2 executables (PYZ inside)"] = EXECUTABLES_MB
    return sizes


def main() -> int:
    sizes = estimate(Path(sys.argv[1]))
    for name, mb in sorted(sizes.items(), key=lambda kv: -kv[1]):
        if mb >= 1:
            print(f"{mb:8.1f} MB  {name}")
    print(f"{sum(sizes.values()):8.1f} MB  estimated unpacked Windows bundle")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
