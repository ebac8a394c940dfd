"""Shared fixtures. Every test runs with its own user data dir, so nothing touches the real one."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("CHUDING_DATA_DIR", str(data))
    monkeypatch.delenv("CHUDING_DB_URL", raising=False)
    return data


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[object]:
    """A real, migrated SQLite database file."""
    from app.models.db import open_database

    database = open_database(db_path)
    yield database
    database.dispose()


@pytest.fixture
def demo_db(db: object) -> object:
    from app.services.demo import create_demo

    create_demo(db)  # type: ignore[arg-type]
    return db


_seq = itertools.count(1)


@pytest.fixture
def make_id() -> Callable[..., str]:
    """Valid-checksum invented ID numbers: make_id(birth=date(1999,1,1), male=True)."""
    from app.policy.identifiers import make_id_number

    def factory(birth: dt.date = dt.date(1999, 5, 17), *, male: bool = True, region: str = "650102") -> str:
        return make_id_number(region, birth, next(_seq) * 3, male=male)

    return factory
