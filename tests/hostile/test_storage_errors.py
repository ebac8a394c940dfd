"""Writes are all-or-nothing; errors are named (#13 item 8). Real conditions: SQLite's page limit and
a real full tmpfs for a full disk, a second connection holding the write lock, a read-only open, a
read-only mount. Each gets its own Chinese message and exit code 3, and an import stores nothing."""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from app.errors import (
    EXIT_BAD_INPUT,
    MSG_DB_FULL,
    MSG_DB_LOCKED,
    MSG_DB_READONLY,
    DatabaseLockedError,
    DiskFullError,
    PermissionDeniedError,
    ReadOnlyError,
    environment_error,
)
from tests.e2e.cli import run_cli


def _roster_csv(path: Path, make_id: Callable[..., str], n: int) -> Path:
    import datetime as dt

    lines = ["姓名,性别,身份证号,学历,毕业日期,参加专业技术工作日期,单位名称,单位性质"]
    for i in range(n):
        idn = make_id(dt.date(1980, 1, 1) + dt.timedelta(days=i % 9000))
        sex = "男" if int(idn[16]) % 2 else "女"
        lines.append(f"员工{i},{sex},{idn},本科,2002-06-30,2002-07-01,新疆示例单位{i % 7},民营企业")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _new_db(path: Path) -> Path:
    from app.models.db import open_database

    open_database(path).dispose()
    return path


def _persons(db_path: Path) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as con:
        return int(con.execute("SELECT count(*) FROM persons").fetchone()[0])


# --- disk full ---------------------------------------------------------------------------------

def test_disk_full_mid_import_stores_nothing_and_names_the_cause(db, make_id, tmp_path: Path) -> None:
    """SQLite's page limit is a real SQLITE_FULL: the database cannot grow past it, as on a full
    disk. 3,000 rows: several batches of 500 fit before the limit is hit; none may stay."""
    from app.models import Person
    from app.services.roster_exchange import import_roster

    csv = _roster_csv(tmp_path / "r.csv", make_id, 3_000)
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def _cap(dbapi_conn, _rec) -> None:
        cur = dbapi_conn.cursor()
        pages = cur.execute("PRAGMA page_count").fetchone()[0]
        cur.execute(f"PRAGMA max_page_count = {pages + 60}")  # 240 KB more: about 1,200 of the 3,000 rows
        cur.close()

    with pytest.raises(DiskFullError) as ei:
        import_roster(db, csv)
    assert ei.value.message == MSG_DB_FULL and ei.value.exit_code == EXIT_BAD_INPUT
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == 0  # all or nothing


@contextlib.contextmanager
def _small_tmpfs(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True)
    if r.returncode != 0:
        where.rmdir()
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode(errors='replace').strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)
        with contextlib.suppress(OSError):
            where.rmdir()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mounting a tmpfs needs root")
def test_cli_import_on_a_really_full_disk_exits_3_and_stores_nothing(tmp_path: Path, make_id) -> None:
    """The issue's example for real: a 20,000-row import onto a disk that fills up (a 1 MB tmpfs)."""
    csv = _roster_csv(tmp_path / "big.csv", make_id, 20_000)
    with _small_tmpfs(tmp_path / "small", "1m") as small:
        db = _new_db(small / "full.sqlite3")
        r = run_cli("roster", "import", csv, db=db, timeout=300)
        assert r.returncode == 3, r.stdout + r.stderr
        assert "磁盘空间不足" in r.stderr and "内部错误" not in r.stderr and "Logging error" not in r.stderr
        assert _persons(db) == 0
        # New case of the class: the same disk made read-only; an export there is refused by name.
        subprocess.run(["mount", "-o", "remount,ro", str(small)], check=True)
        r = run_cli("roster", "export", small / "out.xlsx", db=tmp_path / "other.sqlite3")
        assert r.returncode == 3, r.stderr
        assert "只读" in r.stderr and "内部错误" not in r.stderr


# --- locked ------------------------------------------------------------------------------------

@contextlib.contextmanager
def _write_locked(db_path: Path) -> Iterator[None]:
    """Another program holds the database's write lock (an open exclusive transaction)."""
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        con.execute("BEGIN EXCLUSIVE")
        yield
    finally:
        con.execute("ROLLBACK")
        con.close()


def test_locked_database_import_exits_3_with_its_own_message(tmp_path: Path, make_id) -> None:
    db = _new_db(tmp_path / "locked.sqlite3")
    csv = _roster_csv(tmp_path / "r.csv", make_id, 20)
    with _write_locked(db):
        r = run_cli("roster", "import", csv, db=db)
    assert r.returncode == 3, r.stderr
    assert MSG_DB_LOCKED in r.stderr and "内部错误" not in r.stderr and "已损坏" not in r.stderr
    assert _persons(db) == 0


def test_locked_database_in_the_service_layer(db, db_path: Path, make_id) -> None:
    """New case of the class: a single save from the person editor, not an import."""
    from app.services.roster import save_person
    from tests.core.test_bundle_support import eligible_person

    p = eligible_person(make_id(), "锁测甲")
    p.id = None
    with _write_locked(db_path), pytest.raises(DatabaseLockedError) as ei:
        save_person(db, p)
    assert ei.value.exit_code == 3


# --- read-only ---------------------------------------------------------------------------------

def test_read_only_database_exits_3_with_its_own_message(tmp_path: Path, make_id) -> None:
    """A database SQLite can only open read-only (tests run as root, so chmod would not do it:
    the ``mode=ro`` open gives the same SQLITE_READONLY a read-only file gives an officer)."""
    db = _new_db(tmp_path / "ro.sqlite3")
    csv = _roster_csv(tmp_path / "r.csv", make_id, 20)
    r = run_cli("--db", f"sqlite:///file:{db}?mode=ro&uri=true", "roster", "import", csv)
    assert r.returncode == 3, r.stderr
    assert MSG_DB_READONLY in r.stderr and "内部错误" not in r.stderr
    assert _persons(db) == 0


def test_query_only_connection_is_read_only_too(db, make_id) -> None:
    from app.services.roster import save_person
    from tests.core.test_bundle_support import eligible_person

    db.engine.dispose()
    event.listen(db.engine, "connect", lambda c, _r: c.execute("PRAGMA query_only = ON"))
    p = eligible_person(make_id(), "只读测甲")
    p.id = None
    with pytest.raises(ReadOnlyError):
        save_person(db, p)


# --- the mapping itself, with real OS errors -----------------------------------------------------

def test_os_errors_map_to_their_own_classes_and_exit_3(tmp_path: Path) -> None:
    def real(fn: Callable[[], object]) -> OSError:
        try:
            fn()
        except OSError as exc:
            return exc
        raise AssertionError("no error")

    full = real(lambda: Path("/dev/full").write_bytes(b"x")) if Path("/dev/full").exists() else \
        OSError(errno.ENOSPC, "No space left on device")
    assert isinstance(environment_error(full), DiskFullError)
    denied = PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "x"))
    assert isinstance(environment_error(denied), PermissionDeniedError)
    assert isinstance(environment_error(OSError(errno.EROFS, "Read-only file system")), ReadOnlyError)
    assert environment_error(real(lambda: (tmp_path / "missing").read_bytes())) is None  # not the environment
    for e in (full, denied):
        named = environment_error(e)
        assert named is not None and named.exit_code == 3 and "失败" in named.message
        assert str(tmp_path) not in (named.detail or "")  # the log detail carries no file name


# --- the UI shows the same message -----------------------------------------------------------------

def test_ui_background_work_shows_the_named_message(qtbot, db, db_path: Path, make_id) -> None:
    from app.services.roster import save_person
    from app.ui.workers import op
    from tests.core.test_bundle_support import eligible_person

    p = eligible_person(make_id(), "界面测甲")
    p.id = None
    got: list[BaseException] = []
    with _write_locked(db_path):
        op(None, lambda _t: save_person(db, p)).failure(got.append).run()
        qtbot.waitUntil(lambda: bool(got), timeout=20_000)
    assert isinstance(got[0], DatabaseLockedError) and got[0].message == MSG_DB_LOCKED

    def fill_disk(_t: object) -> None:  # a raw OSError from any write in the work
        Path("/dev/full").write_bytes(b"x")

    if Path("/dev/full").exists():
        got.clear()
        op(None, fill_disk).failure(got.append).run()
        qtbot.waitUntil(lambda: bool(got), timeout=5_000)
        assert isinstance(got[0], DiskFullError)


def test_ui_crash_handler_names_environment_errors_instead_of_crashing(qtbot, monkeypatch) -> None:
    from app.ui import crash

    monkeypatch.setattr(crash, "show_dialogs", False)
    monkeypatch.setattr(crash, "shown", [])
    try:
        Path("/dev/full").write_bytes(b"x") if Path("/dev/full").exists() else None
        raise OSError(errno.ENOSPC, "No space left on device")
    except OSError as exc:
        crash.report_exception(type(exc), exc, exc.__traceback__)
    assert crash.shown and "磁盘空间不足" in crash.shown[0] and "Traceback" not in crash.shown[0]
