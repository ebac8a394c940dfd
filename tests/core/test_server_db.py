"""Several officers on one database: URL handling and the password, shared blobs, row versions,
the migration lock, version skew, backup/restore, server faults. Runs on SQLite and, with
CHUDING_TEST_DB_URL, on PostgreSQL (tests/pgmode.py)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import typing
from pathlib import Path

import pytest
from sqlalchemy import text, update

from app.dburl import (
    ScrubFilter,
    mask_url,
    normalise_url,
    scrub,
    split_password,
    store_password,
    stored_password,
    with_stored_password,
)
from app.domain.person import Education, PersonData, UnitData
from app.errors import ConflictError, DuplicateError, InputFileError, SchemaTooNew
from app.models.db import open_database, resolve_url
from app.services import roster
from tests import pgmode
from tests.e2e.cli import ROOT, run_cli

SECRET = "Pw-7x!secret"


def _person(make_id, name: str = "并发甲") -> PersonData:  # type: ignore[no-untyped-def]
    return PersonData(name=name, gender="男", id_number=make_id(male=True), phone="13800000001",
                      educations=[Education(level="本科", mode="全日制")], assessments={2024: "合格"},
                      unit=UnitData(name="示例单位"))


# -- URLs and the password ------------------------------------------------------------------------

def test_postgresql_urls_use_psycopg_and_the_password_is_masked() -> None:
    assert normalise_url("postgresql://hr@db:5432/x").startswith("postgresql+psycopg://hr@db:5432/x")
    assert normalise_url("postgres://hr@db/x").startswith("postgresql+psycopg://")
    url = f"postgresql+psycopg://hr:{SECRET}@db:5432/x"
    assert SECRET not in mask_url(url) and "***" in mask_url(url)
    assert split_password(url) == ("postgresql+psycopg://hr@db:5432/x", SECRET)
    text_ = f"failed connecting to {url} (password={SECRET})"
    assert SECRET not in scrub(text_)
    normalise_url(url)  # remembered: masked even outside a URL
    assert SECRET not in scrub(f"the value was {SECRET}")


def test_password_file_is_private_and_used_by_resolve_url(monkeypatch: pytest.MonkeyPatch,
                                                          _isolated_user_dirs: Path) -> None:
    monkeypatch.setenv("CHUDING_NO_KEYRING", "1")
    bare = "postgresql+psycopg://hr@db.example:5432/chuding"
    assert store_password(bare, SECRET) == "仅本用户可读的文件"
    f = _isolated_user_dirs / "credentials.json"
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    assert stored_password(bare) == SECRET
    from sqlalchemy.engine import make_url

    assert make_url(with_stored_password(bare)).password == SECRET
    from app.settings import load_settings, save_settings

    s = load_settings()
    s.db_url = bare
    save_settings(s)
    assert SECRET not in (_isolated_user_dirs / "settings.json").read_text(encoding="utf-8")
    resolved = resolve_url(None) if not pgmode.PG_MODE else with_stored_password(bare)
    assert resolved.startswith("postgresql+psycopg://hr:") and make_url(resolved).password == SECRET
    assert SECRET not in scrub(resolved) and "Pw-7x%21secret" not in scrub(resolved)


def test_password_goes_to_the_keyring_when_it_has_a_backend(monkeypatch: pytest.MonkeyPatch,
                                                            _isolated_user_dirs: Path) -> None:
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]
        store: typing.ClassVar[dict[tuple[str, str], str]] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.store.pop((service, username), None)

    old = keyring.get_keyring()
    monkeypatch.delenv("CHUDING_NO_KEYRING", raising=False)
    keyring.set_keyring(MemoryKeyring())
    try:
        bare = "postgresql+psycopg://hr@db.example:5432/chuding"
        assert store_password(bare, SECRET) == "系统密钥环"
        assert not (_isolated_user_dirs / "credentials.json").exists()
        assert stored_password(bare) == SECRET
    finally:
        keyring.set_keyring(old)


def test_log_filter_masks_passwords() -> None:
    import logging

    rec = logging.LogRecord("x", logging.ERROR, __file__, 1, "connect %s failed", (f"postgresql://a:{SECRET}@h/d",), None)
    ScrubFilter().filter(rec)
    assert SECRET not in rec.getMessage()


def test_cli_db_set_keeps_the_password_out_of_output_settings_and_log(_isolated_user_dirs: Path) -> None:
    env = {"CHUDING_NO_KEYRING": "1", "CHUDING_DB_CONNECT_TIMEOUT": "2"}
    r = run_cli("db", "set", f"postgresql://hr:{SECRET}@127.0.0.1:9/chuding", "--no-test", env=env)
    assert r.returncode == 0, r.stderr
    assert SECRET not in r.stdout + r.stderr and "hr@127.0.0.1:9/chuding" in r.stdout
    settings = (_isolated_user_dirs / "settings.json").read_text(encoding="utf-8")
    assert "127.0.0.1:9" in settings and SECRET not in settings
    # nothing listens on port 9: one clear Chinese message, no password, exit 3 (the environment refused)
    r = run_cli("db", "test", env=env)
    assert r.returncode == 3 and "无法连接数据库服务器" in r.stderr and SECRET not in r.stderr
    r = run_cli("packet", "status", env=env)
    assert r.returncode == 3 and "无法连接数据库服务器" in r.stderr and "内部错误" not in r.stderr
    logs = "".join(p.read_text(encoding="utf-8") for p in (_isolated_user_dirs / "logs").glob("*.log*"))
    assert SECRET not in logs


def test_a_server_that_accepts_and_never_answers_does_not_hang_the_cli(_isolated_user_dirs: Path) -> None:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(srv.accept()[0])  # accepted, never answered
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    try:
        t0 = time.monotonic()
        r = run_cli("--db", f"postgresql://hr@127.0.0.1:{port}/chuding", "packet", "status",
                    env={"CHUDING_DB_CONNECT_TIMEOUT": "2"}, timeout=60)
        elapsed = time.monotonic() - t0
    finally:
        stop.set()
        t.join()
        for c in held:
            c.close()
        srv.close()
    assert r.returncode == 3 and "无法连接数据库服务器" in r.stderr, r.stderr
    assert elapsed < 30


# -- concurrency ---------------------------------------------------------------------------------

def test_a_save_over_a_colleagues_change_is_a_conflict_with_both_values(db, make_id) -> None:  # type: ignore[no-untyped-def]
    saved = roster.save_person(db, _person(make_id)).person
    mine = roster.find_person(db, saved.id_number)  # officer A opens the editor
    theirs = roster.find_person(db, saved.id_number)  # officer B too
    theirs.phone = "13900000002"
    roster.save_person(db, theirs)  # B saves first
    mine.phone = "13700000003"
    with pytest.raises(ConflictError) as err:
        roster.save_person(db, mine)
    msg = err.value.message
    assert "同事" in msg and "13700000003" in msg and "13900000002" in msg and "重新载入" in msg
    assert roster.find_person(db, saved.id_number).phone == "13900000002"  # B's change kept
    # after reloading, A's save goes through
    again = roster.find_person(db, saved.id_number)
    again.phone = "13700000003"
    roster.save_person(db, again)
    assert roster.find_person(db, saved.id_number).phone == "13700000003"


def test_a_change_to_records_only_still_bumps_the_version(db, make_id) -> None:  # type: ignore[no-untyped-def]
    saved = roster.save_person(db, _person(make_id)).person
    a = roster.find_person(db, saved.id_number)
    b = roster.find_person(db, saved.id_number)
    b.assessments[2023] = "优秀"
    roster.save_person(db, b)
    a.assessments[2022] = "合格"
    with pytest.raises(ConflictError, match="考核"):
        roster.save_person(db, a)


def test_import_rows_are_written_only_over_the_version_they_were_merged_with(db, make_id) -> None:  # type: ignore[no-untyped-def]
    from app.services.roster_exchange import _UnitCache, _update_persons

    saved = roster.save_person(db, _person(make_id)).person
    stale = roster.find_person(db, saved.id_number)
    fresh = roster.find_person(db, saved.id_number)
    fresh.phone = "13900000009"
    roster.save_person(db, fresh)
    stale.position = "工程师岗"
    with db.session() as s:
        left = _update_persons(s, [stale], _UnitCache(s))
    assert [p.id for p in left] == [saved.id]
    p = roster.find_person(db, saved.id_number)
    assert p.phone == "13900000009" and p.position != "工程师岗"


def test_unique_key_race_is_a_clear_message(db, make_id) -> None:  # type: ignore[no-untyped-def]
    from app.models import Person

    idn = make_id()
    with pytest.raises(DuplicateError, match="身份证号"), db.session() as s:
        for name in ("甲", "乙"):  # what two officers entering the same person at once amounts to
            s.add(Person(name=name, id_number=idn))
        s.flush()


# -- migration lock and version skew ---------------------------------------------------------------

def _open_in_process(target: str, data_dir: Path) -> subprocess.Popen[str]:
    code = ("import sys; from app.models.db import open_database; "
            "d = open_database(sys.argv[1]); print('ok'); d.dispose()")
    env = {**os.environ, "CHUDING_DATA_DIR": str(data_dir)}
    return subprocess.Popen([sys.executable, "-c", code, target], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_three_pcs_opening_an_empty_database_at_once_migrate_it_once(db_url: str, tmp_path: Path) -> None:
    procs = [_open_in_process(db_url, tmp_path / f"pc{i}") for i in range(3)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [o[1][-800:] for o in outs]
    database = open_database(db_url)
    try:
        with database.engine.connect() as c:
            assert c.execute(text("SELECT COUNT(*) FROM alembic_version")).scalar() == 1
    finally:
        database.dispose()


def test_an_older_program_on_a_newer_schema_asks_for_an_upgrade(db_url: str, tmp_path: Path) -> None:
    database = open_database(db_url)
    with database.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    database.dispose()
    with pytest.raises(SchemaTooNew, match="请升级本程序"):
        open_database(db_url)
    r = run_cli("--db", db_url, "packet", "status")
    assert r.returncode == 3 and "数据库版本较新，请升级本程序" in r.stderr and "内部错误" not in r.stderr


# -- shared blobs ---------------------------------------------------------------------------------

def test_db_vault_stores_chunks_verifies_and_caches(db, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from app.models import blobs
    from app.models.blobs import BlobChunk, DbVault

    monkeypatch.setattr(blobs, "CHUNK", 1000)
    v = DbVault(db, tmp_path / "cache-a")
    data = os.urandom(3500)
    sha = v.put_bytes(data)
    assert v.has(sha) and v.put_bytes(data) == sha
    with db.session() as s:
        assert s.query(BlobChunk).filter_by(digest=sha).count() == 4
    other = DbVault(db, tmp_path / "cache-b")  # a second PC: fetched from the database
    assert other.read_bytes(sha) == data and other.path_of(sha).read_bytes() == data
    other.path_of(sha).write_bytes(b"tampered cache")  # a corrupt cached copy is fetched again
    assert other.read_bytes(sha) == data
    with db.session() as s:  # a corrupt database copy is an error, never returned
        s.execute(update(BlobChunk).where(BlobChunk.digest == sha, BlobChunk.seq == 0).values(data=b"x" * 1000))
    third = DbVault(db, tmp_path / "cache-c")
    with pytest.raises(InputFileError, match="损坏"):
        third.read_bytes(sha)
    assert v.gc(set()) == 1 and not v.has(sha)


def test_vault_migrate_moves_a_local_vault_in_verified(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.documents.vault import Vault
    from app.models.blobs import DbVault, migrate_local_vault

    local = Vault(tmp_path / "vault")
    shas = {local.put_bytes(os.urandom(2000 + i)) for i in range(5)}
    counts = migrate_local_vault(db, local)
    assert counts == {"total": 5, "copied": 5, "present": 0}
    assert set(DbVault(db, tmp_path / "c").iter_shas()) == shas
    assert migrate_local_vault(db, local)["present"] == 5


# -- backup and restore ---------------------------------------------------------------------------

def test_logical_backup_and_restore(db, make_id, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.models.backup import backup_to_sqlite, restore_from_sqlite
    from app.models.db import SCHEMA_HEAD

    kept = roster.save_person(db, _person(make_id, "备份甲")).person
    dest = backup_to_sqlite(db.engine, tmp_path / "b.sqlite3", revision=SCHEMA_HEAD)
    roster.save_person(db, _person(make_id, "备份后新增"))
    roster.delete_person(db, kept.id)
    counts = restore_from_sqlite(dest, db.engine)
    assert counts["persons"] == 1
    names = [p.name for p in roster.list_persons(db)]
    assert names == ["备份甲"]
    p = roster.find_person(db, "备份甲")
    assert p.assessments == {2024: "合格"} and p.unit.name == "示例单位"
    roster.save_person(db, _person(make_id, "恢复后新增"))  # id sequences continue after the restored rows


def test_restore_refuses_a_file_that_is_not_a_backup(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.models.backup import restore_from_sqlite

    bad = tmp_path / "x.sqlite3"
    bad.write_bytes(b"nothing" * 100)
    with pytest.raises(InputFileError, match="备份文件"):
        restore_from_sqlite(bad, db.engine)


# -- two officers, one server (PostgreSQL mode) ---------------------------------------------------

@pytest.mark.skipif(not pgmode.PG_MODE, reason="needs the PostgreSQL server of the test mode (CHUDING_TEST_DB_URL)")
def test_two_officers_share_documents_and_conflicts_are_caught(db_url: str, tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    from tests.fixtures.docs import gen

    a_dir, b_dir = tmp_path / "officer-a", tmp_path / "officer-b"
    a_env, b_env = {"CHUDING_DATA_DIR": str(a_dir)}, {"CHUDING_DATA_DIR": str(b_dir)}
    database = open_database(db_url)
    idn = make_id(dt.date(1999, 3, 3))
    roster.save_person(database, _person(lambda **_: idn, "共享甲"))
    database.dispose()
    scan = tmp_path / "diploma.jpg"
    scan.write_bytes(gen.jpeg(dpi=200))
    r = run_cli("--db", db_url, "docs", "add", idn, "diploma", scan, env=a_env)  # A scans
    assert r.returncode == 0, r.stderr
    r = run_cli("--db", db_url, "--json", "docs", "list", idn, env=b_env)  # B sees it
    assert r.returncode == 0, r.stderr
    import json

    doc_id = json.loads(r.stdout)[0]["id"] if isinstance(json.loads(r.stdout), list) else \
        json.loads(r.stdout)["documents"][0]["id"]
    # A masks the scan (boxes, burn-in, verification) on A's PC
    from app.masking.boxes import Box
    from app.services import masking
    from app.services.documents import page_ids_of

    database = open_database(db_url)
    for pid in page_ids_of(database, doc_id):
        masking.save_page_boxes(database, pid, [Box("name", 0.1, 0.1, 0.4, 0.2, 1.0, "manual")], reviewed=True)
        masking.mask_page(database, pid, ocr=False)
    database.dispose()
    out = tmp_path / "b-export.jpg"
    r = run_cli("--db", db_url, "docs", "export", str(doc_id), "-o", out, env=b_env)  # B exports A's scan
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 0
    assert not (a_dir / "vault").exists() and not (b_dir / "vault").exists()  # nothing only on one PC
    # two partial imports at once by A and B: each column survives
    import openpyxl

    from app.services.roster_exchange import write_template  # noqa: F401  (template columns)

    def roster_file(path: Path, header: str, value: str) -> Path:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(["姓名", "身份证号", header])
        ws.append(["共享甲", idn, value])
        wb.save(path)
        return path

    fa = roster_file(tmp_path / "a.xlsx", "联系电话", "13911112222")
    fb = roster_file(tmp_path / "b.xlsx", "现岗位", "技术岗")
    procs = [subprocess.Popen([sys.executable, "-m", "app.cli", "--db", db_url, "roster", "import", str(f), "--update"],
                              cwd=ROOT, env={**os.environ, **e}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for f, e in ((fa, a_env), (fb, b_env))]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode in (0, 1) for p in procs), results
    database = open_database(db_url)
    try:
        p = roster.find_person(database, idn)
        assert p.phone == "13911112222" and p.position == "技术岗"
    finally:
        database.dispose()


def test_mask_boxes_saved_over_a_colleagues_boxes_are_a_conflict(demo_db) -> None:  # type: ignore[no-untyped-def]
    from app.masking.boxes import Box
    from app.models import Page
    from app.services import masking

    with demo_db.session() as s:
        page_id = s.query(Page.id).order_by(Page.id).first()[0]
    a = masking.get_page_boxes(demo_db, page_id)
    b = masking.get_page_boxes(demo_db, page_id)
    box = Box("name", 0.1, 0.1, 0.3, 0.15)
    masking.save_page_boxes(demo_db, page_id, [*b.boxes, box, box], expected_version=b.version)  # colleague
    with pytest.raises(ConflictError, match="同事") as err:
        masking.save_page_boxes(demo_db, page_id, [*a.boxes, box], expected_version=a.version)
    assert "重新载入" in err.value.message
    again = masking.get_page_boxes(demo_db, page_id)
    assert len(again.boxes) == len(b.boxes) + 2
    assert masking.save_page_boxes(demo_db, page_id, again.boxes, expected_version=again.version) > again.version


@pytest.mark.skipif(not pgmode.PG_MODE, reason="needs the PostgreSQL server of the test mode (CHUDING_TEST_DB_URL)")
def test_suggestion_results_are_shared_through_the_server(demo_db, _isolated_user_dirs: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from app.masking.suggest import cache
    from app.models import Page, SharedCache
    from app.services import masking

    with demo_db.session() as s:
        page_id = s.query(Page.id).order_by(Page.id).first()[0]
    first = masking.suggest_for_page(demo_db, page_id, names=[], units=[], kinds=("seal",))
    with demo_db.session() as s:
        keys = [k for (k,) in s.query(SharedCache.key)]
    assert any(k.endswith("-seal-v" + cache.VERSION) for k in keys)
    # another PC: empty local cache, the result comes from the server
    cache.clear_memory()
    shutil.rmtree(cache.cache_dir(), ignore_errors=True)
    assert masking.suggest_for_page(demo_db, page_id, names=[], units=[], kinds=("seal",)) == first
    assert any(cache.cache_dir().rglob("*-seal-*.json"))


@pytest.mark.skipif(not pgmode.PG_MODE, reason="needs the PostgreSQL server of the test mode (CHUDING_TEST_DB_URL)")
def test_reconnects_after_the_server_dropped_its_connections(db, make_id) -> None:  # type: ignore[no-untyped-def]
    saved = roster.save_person(db, _person(make_id, "重连甲")).person
    with db.engine.connect() as c:
        mine = c.execute(text("SELECT pg_backend_pid()")).scalar()
    with pgmode.admin_engine().connect() as c:  # what a server restart does to the open connections
        c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": mine})
    assert roster.find_person(db, saved.id).name == "重连甲"  # pool_pre_ping: a fresh connection
