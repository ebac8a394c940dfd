#!/usr/bin/env python3
"""Where the frozen bundle's megabytes are: the largest packages/folders and the largest files.

    python installer/size_report.py                 # dist/chuding, 30 largest of each
    python installer/size_report.py DIR -n 50

Groups are the executables and, under ``_internal/``, the first path component (a package folder such as
``PySide6`` or ``cv2``, a ``*.libs`` folder of vendored shared libraries, or a single file); PySide6 and cv2 are
also split one level deeper since they are the big ones. Sizes in MB (10^6 bytes), symlinks not counted,
as in build.py's size budget.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_SPLIT = ("PySide6", "PySide6/Qt", "cv2")  # folders reported one level deeper


def group_of(rel: Path) -> str:
    parts = rel.parts
    if parts[0] != "_internal" or len(parts) == 1:
        return parts[0]
    parts = parts[1:]
    depth = 1
    while "/".join(parts[:depth]) in _SPLIT and len(parts) > depth + 1:
        depth += 1
    return "/".join(parts[:depth])


def breakdown(bundle: Path) -> tuple[Counter[str], list[tuple[int, str]], int]:
    groups: Counter[str] = Counter()
    files: list[tuple[int, str]] = []
    for f in bundle.rglob("*"):
        if f.is_symlink() or not f.is_file():
            continue
        size = f.stat().st_size
        rel = f.relative_to(bundle)
        groups[group_of(rel)] += size
        files.append((size, rel.as_posix()))
    files.sort(reverse=True)
    return groups, files, sum(groups.values())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / "chuding")
    ap.add_argument("-n", type=int, default=30, help="how many entries of each list")
    args = ap.parse_args(argv)
    groups, files, total = breakdown(args.bundle)
    print(f"{total / 1e6:8.1f} MB  {args.bundle} ({len(files)} files)\n\nlargest packages/folders:")
    for name, size in groups.most_common(args.n):
        print(f"{size / 1e6:8.1f} MB  {name}")
    print("\nlargest files:")
    for size, name in files[:args.n]:
        print(f"{size / 1e6:8.1f} MB  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
