"""`chuding` exit codes and the basic commands, through a real subprocess."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.cli import run_cli, run_json


def test_validate_id_json_and_exit_codes(make_id) -> None:  # type: ignore[no-untyped-def]
    good = make_id(male=False)
    code, out, _ = run_json("validate", "id", good)
    assert code == 0 and out["valid"] is True and out["gender"] == "女"
    bad = good[:17] + ("1" if good[17] == "0" else "0")
    code, out, _ = run_json("validate", "id", bad)
    assert code == 1 and out["valid"] is False and "校验位" in out["errors"][0]


def test_validate_uscc_human_output() -> None:
    r = run_cli("validate", "uscc", "91350100M000100Y43")
    assert r.returncode == 0 and "有效" in r.stdout


def test_usage_error_exit_2() -> None:
    r = run_cli("validate", "passport", "x")
    assert r.returncode == 2 and "用法错误" in r.stderr
    assert run_cli().returncode == 2
    for group in ("roster", "docs", "packet", "vault"):  # a command group without its action
        r = run_cli(group)
        assert r.returncode == 2 and f"chuding {group}" in r.stderr and "ACTION" in r.stderr


def test_demo_creates_and_refuses_to_overwrite_real_data(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "demo.sqlite3"
    code, out, _ = run_json("demo", db=db)
    assert code == 0 and out["persons"] >= 18
    r = run_cli("demo", "--if-empty", db=db)
    assert r.returncode == 0 and "未创建" in r.stdout
    # A real (non-demo) person makes a plain `demo` refuse with exit 2 and a Chinese reason.
    from app.domain.person import PersonData
    from app.models.db import open_database
    from app.services.roster import count_persons, save_person

    database = open_database(db)
    save_person(database, PersonData(name="真实人员", gender="男", id_number=make_id(male=True)))
    n = count_persons(database)
    database.dispose()
    r = run_cli("demo", db=db)
    assert r.returncode == 2 and "--force" in r.stderr
    database = open_database(db)
    assert count_persons(database) == n
    database.dispose()


@pytest.mark.sqlite_only
def test_unreadable_database_is_reported_not_crashed(tmp_path: Path) -> None:
    """Exit code 3: the database file cannot be read (a StorageError), like an unreadable input file."""
    bad = tmp_path / "x.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    r = run_cli("demo", db=bad)
    assert r.returncode == 3 and "数据库" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.sqlite_only
def test_demo_without_db_never_touches_the_officers_database(tmp_path: Path) -> None:
    from app.models.db import open_database
    from app.services.roster import count_persons

    data = tmp_path / "userdata"
    env = {"CHUDING_DATA_DIR": str(data)}
    r = run_cli("--json", "demo", env=env)
    assert r.returncode == 0, r.stderr
    assert (data / "demo.sqlite3").is_file()

    def persons(path: Path) -> int:
        db = open_database(path)
        try:
            return count_persons(db)
        finally:
            db.dispose()

    # the demo went to its own file; the officer's database holds nobody
    assert persons(data / "chuding.sqlite3") == 0 and persons(data / "demo.sqlite3") == 20
    # --demo selects the demo database for any command; together with --db it is a usage error
    r = run_cli("--demo", "--json", "check", env=env)
    assert r.returncode in (0, 1) and "艾力" in r.stdout, r.stderr
    assert run_cli("--demo", "--db", str(tmp_path / "x.sqlite3"), "check", env=env).returncode == 2
