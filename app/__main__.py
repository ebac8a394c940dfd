"""`python -m app` → the desktop application."""

from __future__ import annotations

import sys


def main() -> int:
    from app.ui.application import run

    return run(sys.argv)


if __name__ == "__main__":
    raise SystemExit(main())
