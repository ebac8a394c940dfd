"""One typed settings schema, stored as JSON in the user data dir.

Unknown keys are kept out; a corrupt settings file falls back to defaults (and is logged), it never
stops the app from starting.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.fileio import atomic_write_text
from app.paths import user_data_dir

log = logging.getLogger(__name__)


@dataclass
class UploadLimits:
    formats: list[str] = field(default_factory=lambda: ["jpg", "pdf"])
    max_file_kb: int = 600
    photo_width_px: int = 295
    photo_height_px: int = 413
    photo_max_kb: int = 300
    min_dpi: int = 150


@dataclass
class Settings:
    # profile_id, as_of, exam_only_series (and anniversary_mode as the default) seed the first 申报批次
    # (app.services.rounds); from then on the current round holds them and every surface reads it.
    profile_id: str = "urumqi-private-2025"
    as_of: str | None = None  # ISO date; None → the profile's default or today
    anniversary_mode: str = "same_day"  # "same_day" (common practice) or "day_after" (民法典 201/202)
    mask_fill: str = "#000000"
    upload: UploadLimits = field(default_factory=UploadLimits)
    exam_only_series: list[str] | None = None  # None → the profile's list
    # the database chosen with `chuding db set` / 设置 → 数据库 (no password: see app/dburl.py); None → SQLite
    db_url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Settings:
        s = cls()
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            if f.name == "upload" and isinstance(value, dict):
                known = {x.name for x in dataclasses.fields(UploadLimits)}
                value = UploadLimits(**{k: v for k, v in value.items() if k in known})
            setattr(s, f.name, value)
        return s

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def settings_path() -> Path:
    return user_data_dir() / "settings.json"


def load_settings(path: Path | None = None) -> Settings:
    path = path or settings_path()
    if not path.exists():
        return Settings()
    from app.errors import InputFileError
    from app.fileio import MAX_DATA_FILE_BYTES, read_user_text

    try:
        return Settings.from_dict(json.loads(read_user_text(path, MAX_DATA_FILE_BYTES, what="设置文件")))
    except InputFileError as exc:
        log.warning("settings file unreadable (%s); using defaults", exc.detail)
        return Settings()
    except (OSError, ValueError, TypeError) as exc:
        log.warning("settings file %s unreadable (%s); using defaults", path, exc)
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_path()
    atomic_write_text(path, json.dumps(settings.to_dict(), ensure_ascii=False, indent=2), what="保存设置")
