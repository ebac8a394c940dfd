"""Filesystem locations: user data/log dirs (platformdirs) and the shipped resources folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from app import APP_NAME

_AUTHOR = "Chuding"


def user_data_dir() -> Path:
    override = os.environ.get("CHUDING_DATA_DIR")
    p = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, _AUTHOR))
    p.mkdir(parents=True, exist_ok=True)
    return p


def user_log_dir() -> Path:
    override = os.environ.get("CHUDING_LOG_DIR")
    if override:
        p = Path(override)
    elif os.environ.get("CHUDING_DATA_DIR"):
        p = Path(os.environ["CHUDING_DATA_DIR"]) / "logs"
    else:
        p = Path(platformdirs.user_log_dir(APP_NAME, _AUTHOR))
    p.mkdir(parents=True, exist_ok=True)
    return p


def user_documents_dir() -> Path:
    """Where the officer's generated files (letters, 呈报表 drafts) go by default: a folder in the
    user's 文档 (Documents), not the hidden data folder. ``CHUDING_DOCUMENTS_DIR`` overrides; with
    ``CHUDING_DATA_DIR`` set (tests, portable use) it lies inside that folder. Not created here."""
    override = os.environ.get("CHUDING_DOCUMENTS_DIR")
    if override:
        return Path(override)
    if os.environ.get("CHUDING_DATA_DIR"):
        return Path(os.environ["CHUDING_DATA_DIR"]) / "文档"
    return Path(platformdirs.user_documents_dir()) / "职称申报材料"


def default_db_path() -> Path:
    return user_data_dir() / "chuding.sqlite3"


def demo_db_path() -> Path:
    """The demo database: beside the officer's own, never the same file, so demo rows never mix
    with real ones (帮助 → 打开演示数据, ``chuding --demo``, ``bootstrap.py run``)."""
    return user_data_dir() / "demo.sqlite3"


def resources_dir() -> Path:
    """The ``resources/`` folder: beside the package in a checkout, inside the bundle when frozen."""
    frozen_base = getattr(sys, "_MEIPASS", None)
    if frozen_base:
        return Path(frozen_base) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
