"""The database: migrations from the first revision, WAL + foreign keys, backup before migrating,
schema equal to the ORM models, URL resolution."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from app.domain.person import Education, PersonData, UnitData
from app.errors import DuplicateError, StorageError, ValidationError
from app.models import Base
from app.models.db import current_revision, head_revision, open_database, resolve_url
from app.services import roster


@pytest.mark.sqlite_only
def test_fresh_database_is_at_head_with_wal_and_fk(db) -> None:  # type: ignore[no-untyped-def]
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_schema_head_constant_matches_the_scripts() -> None:
    from app.models.db import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD


def test_migrations_produce_exactly_the_models(db) -> None:  # type: ignore[no-untyped-def]
    with db.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []


@pytest.mark.sqlite_only
def test_backup_copy_before_migration(tmp_path: Path) -> None:
    from alembic import command

    from app.models.db import _alembic_config, make_engine

    path = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    command.upgrade(_alembic_config(engine), "0001")  # a database of the first released schema
    with engine.begin() as c:
        c.execute(text("CREATE TABLE marker (x INTEGER)"))
    engine.dispose()
    database = open_database(path)
    assert current_revision(database.engine) == head_revision()
    database.dispose()
    backups = list(tmp_path.glob("old.sqlite3.0001.*.bak"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as con:
        assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
        assert con.execute("SELECT name FROM sqlite_master WHERE name='marker'").fetchone()


@pytest.mark.sqlite_only
def test_no_backup_for_a_new_file(tmp_path: Path) -> None:
    open_database(tmp_path / "new.sqlite3").dispose()
    assert not list(tmp_path.glob("*.bak"))


@pytest.mark.sqlite_only
def test_not_a_database_gives_chinese_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="数据库"):
        open_database(bad)


@pytest.mark.sqlite_only
def test_url_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    monkeypatch.setenv("CHUDING_DB_URL", "sqlite:///" + str(tmp_path / "env.db"))
    assert resolve_url(None).endswith("env.db")
    monkeypatch.delenv("CHUDING_DB_URL")
    assert resolve_url(None).endswith("chuding.sqlite3")


def _person(make_id, name: str = "测试甲") -> PersonData:  # type: ignore[no-untyped-def]
    return PersonData(name=name, gender="男", id_number=make_id(male=True),
                      educations=[Education(level="本科", mode="全日制")],
                      assessments={2024: "合格"}, unit=UnitData(name="示例单位"))


def test_save_find_update_delete_roundtrip(db, make_id) -> None:  # type: ignore[no-untyped-def]
    res = roster.save_person(db, _person(make_id))
    assert res.created and res.person.id is not None
    p = roster.find_person(db, res.person.id_number)
    assert p.name == "测试甲" and p.assessments == {2024: "合格"} and p.unit.name == "示例单位"
    p.name = "测试乙"
    p.assessments[2023] = "优秀"
    res2 = roster.save_person(db, p)
    assert not res2.created
    again = roster.find_person(db, "测试乙")
    assert again.assessments == {2023: "优秀", 2024: "合格"}
    assert len(again.educations) == 1
    roster.delete_person(db, again.id)
    assert roster.count_persons(db) == 0
    with db.engine.connect() as c:  # cascades removed the children
        assert c.execute(text("SELECT COUNT(*) FROM assessments")).scalar() == 0
        assert c.execute(text("SELECT COUNT(*) FROM education_records")).scalar() == 0


def test_duplicate_id_without_update_is_refused(db, make_id) -> None:  # type: ignore[no-untyped-def]
    p = _person(make_id)
    roster.save_person(db, p)
    with pytest.raises(DuplicateError, match="已存在"):
        roster.save_person(db, PersonData(**{**p.__dict__, "name": "别人"}), update_existing=False)


def test_invalid_person_not_stored(db, make_id) -> None:  # type: ignore[no-untyped-def]
    good = make_id()
    bad = good[:17] + ("1" if good[17] == "0" else "0")
    with pytest.raises(ValidationError, match="身份证号"):
        roster.save_person(db, PersonData(name="错号", id_number=bad))
    assert roster.count_persons(db) == 0


def test_demo_roster(demo_db) -> None:  # type: ignore[no-untyped-def]
    people = roster.list_persons(demo_db)
    assert 18 <= len(people) <= 25
    assert len({p.id_number for p in people}) == len(people)
    assert roster.primary_unit(demo_db).name.endswith("有限公司")
    assert roster.list_persons(demo_db, "李晓")[0].name == "李晓雯"


@pytest.mark.sqlite_only
def test_upgrade_from_0004_keeps_persons_and_their_records(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    """0005 adds the counting-start override to persons without rebuilding the table (a rebuild
    with foreign keys on would cascade-delete assessments and education records)."""
    from alembic import command

    from app.models.db import _alembic_config, make_engine

    path = tmp_path / "v4.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    command.upgrade(_alembic_config(engine), "0004")
    idn = make_id(male=True)
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO persons (id, name, gender, ethnicity, id_number, political_status, phone, series, "
            "specialty, position, current_title, status, notes) VALUES "
            "(1, '测试丙', '男', '汉族', :idn, '', '', '工程', '', '', '', '在职', '')"), {"idn": idn})
        c.execute(text("INSERT INTO assessments (person_id, year, result) VALUES (1, 2024, '合格')"))
    engine.dispose()
    database = open_database(path)
    try:
        p = roster.find_person(database, idn)
        assert p.assessments == {2024: "合格"}
        assert p.count_start_override is None and p.count_start_reason == ""
    finally:
        database.dispose()


def test_counting_start_override_is_stored_and_used(db, make_id) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from app.services.eligibility import check_roster

    p = _person(make_id)
    p.work_start = dt.date(2024, 7, 15)
    p.educations = [Education(level="本科", mode="全日制", graduation_date=dt.date(2024, 6, 28))]
    p.series = "工程"
    roster.save_person(db, p)
    [(_, before)] = check_roster(db, "urumqi-private-2025", dt.date(2025, 3, 17))
    assert before.count_start == dt.date(2024, 7, 15)
    # an override without a reason is refused with a Chinese message
    q = roster.find_person(db, p.id_number)
    q.count_start_override = dt.date(2024, 1, 2)
    with pytest.raises(ValidationError) as err:
        roster.save_person(db, q)
    assert "理由" in str(err.value)
    q.count_start_reason = "由机关调入，机关工作年限经主管部门认可"
    roster.save_person(db, q)
    again = roster.find_person(db, p.id_number)
    assert again.count_start_override == dt.date(2024, 1, 2) and "机关" in again.count_start_reason
    [(_, after)] = check_roster(db, "urumqi-private-2025", dt.date(2025, 3, 17))
    assert after.count_start == dt.date(2024, 1, 2)
    assert any(r.code == "COUNT_START_OVERRIDDEN" and "机关" in r.message for r in after.reasons)


def test_counting_start_reason_is_limited_to_its_column(make_id) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from app.roster.validate import validate_person

    p = _person(make_id)
    p.count_start_override, p.count_start_reason = dt.date(2024, 1, 2), "由机关调入" * 50
    assert any(i.field == "起算日期理由" and "200" in i.message for i in validate_person(p))
    p.count_start_reason = "由机关调入"
    assert not [i for i in validate_person(p) if i.field in ("起算日期理由", "指定起算日期")]
