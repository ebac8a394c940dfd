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


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database (and its vault beside it) built once per session; tests get a copy."""
    from app.models.db import open_database
    from app.services.demo import create_demo

    folder = tmp_path_factory.mktemp("demo-template")
    old = os.environ.get("CHUDING_DATA_DIR")
    os.environ["CHUDING_DATA_DIR"] = str(folder / "userdata")
    try:
        database = open_database(folder / "demo.sqlite3")
        create_demo(database)
        database.dispose()
    finally:
        if old is None:
            os.environ.pop("CHUDING_DATA_DIR", None)
        else:
            os.environ["CHUDING_DATA_DIR"] = old
    return folder


@pytest.fixture
def demo_db(_demo_template: Path, tmp_path: Path) -> Iterator[object]:
    """A private copy of the demo database (with its generated scans)."""
    import shutil

    from app.models.db import open_database

    target = tmp_path / "demo"
    shutil.copytree(_demo_template, target, ignore=shutil.ignore_patterns("userdata"))
    database = open_database(target / "demo.sqlite3")
    yield database
    database.dispose()


_seq = itertools.count(1)


@pytest.fixture
def make_id() -> Callable[..., str]:
    """Valid-checksum invented ID numbers: make_id(birth=date(1999,1,1), male=True)."""
    from app.policy.identifiers import make_id_number

    def factory(birth: dt.date = dt.date(1999, 5, 17), *, male: bool = True, region: str = "650102") -> str:
        return make_id_number(region, birth, next(_seq) * 3, male=male)

    return factory
