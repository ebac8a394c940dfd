"""Shared fixtures. Every test runs with its own user data dir, so nothing touches the real one."""

from __future__ import annotations

import datetime as dt
import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests import pgmode


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sqlite_only: checks a SQLite-file behaviour (not run in PostgreSQL mode)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not pgmode.PG_MODE:
        return
    skip = pytest.mark.skip(reason="SQLite file behaviour; this run is the PostgreSQL mode")
    for item in items:
        if "sqlite_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _pg_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """PostgreSQL mode: every database a test opens by a SQLite path is a fresh schema on the
    test server instead (see tests/pgmode.py)."""
    if not pgmode.PG_MODE:
        yield
        return
    from app.models import db as dbmod

    original = dbmod.resolve_url
    monkeypatch.setattr(dbmod, "resolve_url", lambda value=None: original(pgmode.map_db_arg(value)))
    try:
        yield
    finally:
        pgmode.drop_created()


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
def db_url(db_path: Path) -> str:
    """The URL of a fresh empty database: the SQLite file, or its schema on the test server."""
    return pgmode.map_db_arg(db_path) or str(db_path)


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
    if pgmode.PG_MODE:  # the same demo restored into this test's schema, its scans into the blob store
        from app.documents.vault import Vault
        from app.models.backup import restore_from_sqlite
        from app.models.blobs import migrate_local_vault

        database = open_database(target / "demo.sqlite3", migrate_schema=False)
        restore_from_sqlite(_demo_template / "demo.sqlite3", database.engine)
        migrate_local_vault(database, Vault(_demo_template / "vault"))
    else:
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
