"""The 申报批次 (round): stored record, migration from 0005 (settings + per-person publicity start),
several rounds with one current, and the round's judgement (dates, options, unit documents)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from app.errors import DuplicateError, NotFoundError, UsageError
from app.models.db import current_revision, head_revision, open_database
from app.services import rounds

D = dt.date


def test_upgrade_from_0005_moves_settings_and_publicity_into_a_round(
        tmp_path: Path, make_id, _isolated_user_dirs: Path) -> None:  # type: ignore[no-untyped-def]
    from alembic import command

    from app.models.db import _alembic_config, make_engine
    from app.services import letters, roster

    (_isolated_user_dirs / "settings.json").write_text(json.dumps({
        "profile_id": "korla-2024", "as_of": "2024-05-20", "anniversary_mode": "day_after",
        "exam_only_series": ["会计"]}, ensure_ascii=False), encoding="utf-8")
    path = tmp_path / "v5.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    command.upgrade(_alembic_config(engine), "0005")
    a, b = make_id(male=True), make_id(male=False)
    with engine.begin() as c:
        c.execute(text("INSERT INTO units (id, name, uscc, nature, level, location, short_name) VALUES "
                       "(1, '测试科技有限公司', '', '民营企业', '', '', '')"))
        for pid, name, idn in ((1, '测试甲', a), (2, '测试乙', b)):
            c.execute(text(
                "INSERT INTO persons (id, name, gender, ethnicity, id_number, political_status, phone, series, "
                "specialty, position, current_title, status, notes, unit_id, count_start_reason) VALUES "
                "(:id, :name, '男', '汉族', :idn, '', '', '工程', '', '', '', '在职', '', 1, '')"),
                {"id": pid, "name": name, "idn": idn})
        c.execute(text("INSERT INTO assessments (person_id, year, result) VALUES (1, 2023, '合格')"))
        c.execute(text("INSERT INTO letter_inputs (person_id, political, achievements, summary, publicity_start) "
                       "VALUES (1, '拥护党的路线', '完成项目', '摘要', '2024-05-06')"))
    engine.dispose()

    database = open_database(path)
    try:
        assert current_revision(database.engine) == head_revision()
        [r] = rounds.list_rounds(database)
        assert (r.name, r.profile_id, r.as_of, r.current) == ("当前批次", "korla-2024", D(2024, 5, 20), True)
        assert r.options == rounds.RoundOptions("day_after", ("会计",))
        assert r.unit_id == 1
        li = letters.get_inputs(database, 1)
        assert (li.political, li.summary, li.publicity_start) == ("拥护党的路线", "摘要", D(2024, 5, 6))
        assert letters.get_inputs(database, 2).publicity_start is None
        assert roster.find_person(database, a).assessments == {2023: "合格"}  # child rows survive
        judge = rounds.judge_round(database)
        assert (judge.profile.id, judge.as_of) == ("korla-2024", D(2024, 5, 20))
        assert judge.options.anniversary == "day_after" and judge.options.exam_only_series == ("会计",)
    finally:
        database.dispose()


def test_rounds_create_list_use_and_publicity_per_round(db, make_id) -> None:  # type: ignore[no-untyped-def]
    from app.domain.person import PersonData, UnitData
    from app.services import letters, roster

    saved = roster.save_person(db, PersonData(name="测试丙", gender="男", ethnicity="汉族", id_number=make_id(male=True),
                                              unit=UnitData(name="测试科技有限公司")))
    pid = saved.person.id
    assert pid is not None
    first = rounds.get_round(db)  # a database without rounds gets one from the settings
    assert first.current and first.name == rounds.FIRST_ROUND
    second = rounds.create_round(db, "2026 库尔勒", "korla-2024", deadline=D(2026, 6, 30))
    assert not second.current
    with pytest.raises(DuplicateError):
        rounds.create_round(db, "2026 库尔勒", "korla-2024")
    with pytest.raises(UsageError, match="未知的政策配置"):
        rounds.create_round(db, "坏批次", "no-such-profile")
    with pytest.raises(NotFoundError, match="2026 库尔勒"):
        rounds.use_round(db, "不存在")
    letters.save_inputs(db, pid, publicity_start=D(2025, 3, 3))
    rounds.use_round(db, "2026 库尔勒")
    assert rounds.get_round(db).name == "2026 库尔勒"
    assert [r.current for r in rounds.list_rounds(db)] == [False, True]
    # working under the second round does not overwrite the first round's publicity start
    assert letters.get_inputs(db, pid).publicity_start is None
    letters.save_inputs(db, pid, publicity_start=D(2026, 6, 1))
    assert letters.get_inputs(db, pid, round_name=rounds.FIRST_ROUND).publicity_start == D(2025, 3, 3)
    assert letters.get_inputs(db, pid).publicity_start == D(2026, 6, 1)
    # the round's deadline is its as-of date when no date is set
    judge = rounds.judge_round(db)
    assert (judge.as_of, judge.deadline) == (D(2026, 6, 30), D(2026, 6, 30))


def test_round_date_wins_over_the_profile_deadline_and_options_count(demo_db) -> None:  # type: ignore[no-untyped-def]
    from app.services.roster import find_person

    r = rounds.get_round(demo_db)
    assert r.profile_id == "urumqi-private-2025"
    judge = rounds.judge_round(demo_db)
    assert judge.as_of == judge.profile.default_as_of
    rounds.update_round(demo_db, as_of=D(2025, 3, 10))
    assert rounds.judge_round(demo_db).as_of == D(2025, 3, 10)  # the officer's date of the round wins
    zheng = find_person(demo_db, "郑雅琴")
    assert rounds.judge_round(demo_db).judge(zheng).status == "不符合"
    _info, changed = rounds.update_round(demo_db, options=rounds.RoundOptions(exam_only_series=()))
    assert changed == ["options"]
    assert "EXAM_ONLY_SERIES" not in {x.code for x in rounds.judge_round(demo_db).judge(zheng).reasons}


def test_unit_documents_are_requirements_of_the_round(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services.packet import add_documents, packet_status
    from app.services.roster import find_person
    from app.services.unit_documents import list_unit_documents, remove_unit_document
    from tests.core.test_bundle_support import scan_bytes

    unit_slots = {"gongshi", "gongshi_result", "recommendation"}
    # the demo uploads the signed 公示 … as the round's own documents: provided for the whole round
    li = find_person(demo_db, "李晓雯")
    rep = packet_status(demo_db, li.id)
    assert rep.unit_complete and rep.persons[0].complete
    assert {u.slot: (u.status, u.source) for u in rep.unit} == dict.fromkeys(unit_slots, ("已提供", "unit"))
    # an older database filed them in a participant's packet: such a scan still provides it
    for d in list_unit_documents(demo_db):
        remove_unit_document(demo_db, d.id)
    assert not packet_status(demo_db, li.id).unit_complete
    holder = next(p.person_id for p in packet_status(demo_db, None).persons if p.person_id != li.id)
    for n, slot in enumerate(sorted(unit_slots)):
        scan = tmp_path / f"{slot}.jpg"
        scan.write_bytes(scan_bytes(n, size=(620, 877)))
        add_documents(demo_db, holder, slot, [scan])
    rep = packet_status(demo_db, li.id)
    assert rep.unit_complete and rep.persons[0].complete
    assert {u.slot: (u.status, u.source) for u in rep.unit} == dict.fromkeys(unit_slots, ("已提供", "packet"))
    # the holder no longer takes part: their scans do not count for this round any more
    rounds.set_participation(demo_db, [holder], False)
    rep = packet_status(demo_db, li.id)
    pk = rep.persons[0]
    assert unit_slots <= set(pk.missing) and not pk.complete and not rep.unit_complete
    assert holder not in {p.person_id for p in packet_status(demo_db, None).persons}
    for slot in ("gongshi", "gongshi_result"):
        rounds.set_unit_document(demo_db, slot, "provided", note="纸质件已报送")
    rounds.set_unit_document(demo_db, "recommendation", "not_applicable")
    with pytest.raises(UsageError, match="没有单位材料"):
        rounds.set_unit_document(demo_db, "id_card", "provided")
    rep = packet_status(demo_db, li.id)
    assert rep.unit_complete and rep.persons[0].complete
    assert not unit_slots & set(rep.persons[0].missing)
