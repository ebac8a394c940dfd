"""Logging to a rotating file in the user log dir (and stderr at WARNING for the CLI)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from app.paths import user_log_dir

_configured = False


def log_file() -> Path:
    return user_log_dir() / "chuding.log"


def configure_logging(*, verbose: bool = False) -> Path:
    global _configured
    path = log_file()
    if _configured:
        return path
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    from app.dburl import ScrubFilter

    handler.addFilter(ScrubFilter())  # no database password ever reaches the log file
    root.addHandler(handler)
    _configured = True
    return path
