"""Logs carry no personal data (#13 item 5), and a log that cannot be written never disturbs the user
(#13 item 8: no "--- Logging error ---"). Real CLI runs read back the real log file; the redacting
filter is also fed hostile records directly."""

from __future__ import annotations

import logging
import re
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.logging_setup import REDACTED, make_file_handler, redact
from tests.core.test_roster_import import HEADERS, good_row, write_xlsx
from tests.e2e.cli import run_cli

NAME = "吐尔逊·日志测"


def _log_text(data_dir: Path) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in sorted((data_dir / "logs").glob("chuding.log*")))


def _assert_clean(text: str, *secrets: str) -> None:
    for s in secrets:
        assert s not in text, f"{s!r} found in the log"
    assert not re.findall(r"\d{15,}", text), "a long digit run is in the log"


def test_a_failed_write_logs_no_id_number_or_name(tmp_path: Path, make_id: Callable[..., str]) -> None:
    """A write the database refuses (a trigger aborts it) is an internal error: its traceback is
    logged, but SQLAlchemy's message must not carry the bound parameters (ID number, name)."""
    from app.models.db import open_database

    idn = make_id()
    db_path = tmp_path / "t.sqlite3"
    open_database(db_path).dispose()
    with sqlite3.connect(db_path) as con:
        con.execute("CREATE TRIGGER refuse BEFORE INSERT ON persons BEGIN SELECT RAISE(ABORT, 'refused'); END")
    roster = write_xlsx(tmp_path / "r.xlsx", HEADERS, [good_row(NAME, idn)])
    data = tmp_path / "data"
    r = run_cli("roster", "import", roster, db=db_path, env={"CHUDING_DATA_DIR": str(data)})
    assert r.returncode == 4 and "内部错误" in r.stderr, r.stderr
    text = _log_text(data)
    assert "internal error in roster" in text and "IntegrityError" in text  # the log is still useful
    _assert_clean(text, idn, NAME, "日志测")


def test_a_failed_lookup_logs_no_id_number_or_name(tmp_path: Path, make_id: Callable[..., str]) -> None:
    db_path = tmp_path / "t.sqlite3"
    data = tmp_path / "data"
    env = {"CHUDING_DATA_DIR": str(data)}
    missing = make_id()
    r = run_cli("docs", "list", missing, db=db_path, env=env)
    assert r.returncode == 2 and missing in r.stderr  # the officer sees what was searched …
    r = run_cli("docs", "list", NAME, db=db_path, env=env)
    assert r.returncode == 2 and NAME in r.stderr
    text = _log_text(data)
    assert "NotFoundError" in text  # … the log names the error, not the person
    _assert_clean(text, missing, NAME, "日志测")


def test_a_storage_error_logs_no_file_name_or_id(tmp_path: Path, make_id: Callable[..., str]) -> None:
    """New case of the class: a read-only database (a write fails for the environment) — the named
    error's detail holds the SQLite code, not the statement's parameters."""
    from app.models.db import open_database

    idn = make_id()
    db_path = tmp_path / "ro.sqlite3"
    open_database(db_path).dispose()
    roster = write_xlsx(tmp_path / f"{NAME}.xlsx", HEADERS, [good_row(NAME, idn)])
    data = tmp_path / "data"
    r = run_cli("--db", f"sqlite:///file:{db_path}?mode=ro&uri=true", "roster", "import", roster,
                env={"CHUDING_DATA_DIR": str(data)})
    assert r.returncode == 3, r.stderr
    _assert_clean(_log_text(data), idn, NAME, "日志测")


# --- the filter, fed hostile records directly ----------------------------------------------------

def _emit(tmp_path: Path, record: logging.LogRecord) -> str:
    handler = make_file_handler(tmp_path / "x.log")
    try:
        if handler.filter(record):
            handler.handle(record)
    finally:
        handler.close()
    return (tmp_path / "x.log").read_text(encoding="utf-8")


def _record(msg: str, args: tuple = (), exc_info=None, stack_info: str | None = None) -> logging.LogRecord:
    return logging.LogRecord("app.test", logging.ERROR, __file__, 1, msg, args, exc_info, sinfo=stack_info)


HOSTILE_IDS = [
    "11010519491231002X",  # 18 characters, check digit X
    "11010519491231002x",  # lower-case x
    "110105194912310021",
    "110105491231002",  # old 15-digit ID
    "110105 19491231 002X",  # grouped with spaces
    "110105-19491231-002X",  # grouped with dashes
    "１１０１０５１９４９１２３１００２Ｘ"[:17] + "X",  # full-width digits
]


@pytest.mark.parametrize("idn", HOSTILE_IDS)
def test_filter_redacts_ids_in_message_args_exception_and_stack(tmp_path: Path, idn: str) -> None:
    try:
        raise ValueError(f"lookup of {idn} failed")
    except ValueError:
        exc_info = sys.exc_info()
    text = _emit(tmp_path, _record("msg 身份证号%s号 and %s and %r", (idn, {"id": idn}, [idn.encode() if idn.isascii() else idn]),
                                   exc_info, stack_info=f"Stack (most recent call last):\n  key={idn}"))
    plain = idn.replace(" ", "").replace("-", "")
    assert plain not in text and idn not in text and plain[:15] not in text
    assert text.count(REDACTED) >= 5 and "ValueError: lookup of" in text and "身份证号" in text


def test_filter_redacts_an_id_glued_to_text_and_keeps_short_numbers() -> None:
    assert redact("abc110105194912310021def") == f"abc{REDACTED}def"
    assert redact("人员110105194912310021（编号 17）") == f"人员{REDACTED}（编号 17）"
    assert redact("page 12 of 300, person 4711, phone 13800000000") == "page 12 of 300, person 4711, phone 13800000000"


def test_filter_survives_a_broken_format_string(tmp_path: Path) -> None:
    text = _emit(tmp_path, _record("%d items for %s", ("many", "110105194912310021")))
    assert "110105194912310021" not in text


def test_configured_logging_redacts_ids_from_any_logger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The filter sits on the app's handler: third-party loggers (SQLAlchemy) are covered too."""
    handler = make_file_handler(tmp_path / "y.log")
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        logging.getLogger("sqlalchemy.engine").error("params (%r,)", "110105194912310021")
    finally:
        root.removeHandler(handler)
        handler.close()
    text = (tmp_path / "y.log").read_text(encoding="utf-8")
    assert "params" in text and "110105194912310021" not in text


# --- a log that cannot be written degrades silently ----------------------------------------------

def test_full_disk_log_never_prints_logging_error(tmp_path: Path, make_id: Callable[..., str]) -> None:
    """The log file lives on a full disk (/dev/full answers every write with ENOSPC)."""
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full (Linux)")
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "chuding.log").symlink_to("/dev/full")
    r = run_cli("docs", "list", make_id(), db=tmp_path / "t.sqlite3", env={"CHUDING_LOG_DIR": str(logs)})
    assert r.returncode == 2, r.stderr  # the command's own outcome, nothing else
    assert "Logging error" not in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_log_folder_that_cannot_exist_never_breaks_the_cli(tmp_path: Path) -> None:
    """New case of the class: the log folder's path runs through a file (ENOTDIR, like a read-only
    or vanished profile folder): the command still runs and reports only its own result."""
    blocker = tmp_path / "not_a_folder"
    blocker.write_text("x")
    r = run_cli("validate", "id", "110105194912310021", env={"CHUDING_LOG_DIR": str(blocker / "logs")})
    assert "Logging error" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert r.returncode in (0, 1)


def test_handler_on_a_vanished_folder_degrades_silently(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "gone"
    folder.mkdir()
    handler = make_file_handler(folder / "z.log")
    folder.rmdir()
    logger = logging.getLogger("app.test.vanished")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.error("still running")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
        handler.close()
    assert "Logging error" not in capsys.readouterr().err

