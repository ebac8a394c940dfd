"""A round's own unit documents (单位材料): stored without a person (migration 0008 from a 0007
database with rows), added through the one document-add path, counted for the round with their
source, never masked nor 待遮盖, exported into 00_单位材料 and checked by verify-bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.errors import InputFileError, NotFoundError, UsageError
from app.models.db import current_revision, head_revision, open_database
from app.services import rounds
from tests.core.test_bundle_support import AS_OF, PROFILE, eligible_person, scan_bytes

UNIT_SLOTS = {"gongshi", "gongshi_result", "recommendation"}


@pytest.mark.sqlite_only
def test_upgrade_from_0007_keeps_documents_pages_masks_and_allows_round_documents(
        tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    """0008 rebuilds the documents table on SQLite (person_id loses NOT NULL): with foreign keys on,
    dropping the old table would cascade-delete every page, mask and audit link. They all survive."""
    from alembic import command

    from app.models.db import _alembic_config, make_engine
    from app.services.packet import list_documents

    path = tmp_path / "v7.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    command.upgrade(_alembic_config(engine), "0007_concurrency")
    idn = make_id(male=True)
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO persons (id, name, gender, ethnicity, id_number, political_status, phone, series, "
            "specialty, position, current_title, status, notes, count_start_reason) VALUES "
            "(1, '测试丁', '男', '汉族', :idn, '', '', '工程', '', '', '', '在职', '', '')"), {"idn": idn})
        assert c.execute(text("SELECT id FROM rounds")).scalars().all() == [1]  # 0006 made the first round
        c.execute(text("INSERT INTO documents (id, person_id, slot, title, status, original_name, source_kind, "
                       "note) VALUES (7, 1, 'gongshi', '推荐单位公示', 'active', 'a.jpg', 'jpeg', '')"))
        c.execute(text("INSERT INTO pages (id, document_id, \"index\", blob_sha, kind, source_page, width_px, "
                       "height_px, rotation, mask_state) VALUES (11, 7, 0, :sha, 'jpeg', 0, 10, 10, 0, 'pending')"),
                  {"sha": "ab" * 32})
        c.execute(text("INSERT INTO page_masks (page_id, boxes_json, rejected_json, reviewed, rotation) "
                       "VALUES (11, '[]', '[]', 0, 0)"))
        c.execute(text("INSERT INTO mask_audits (person_id, document_id, page_id, input_sha, output_sha, file_name, "
                       "boxes_json, categories, sources, verify_ok, checks_json, app_version, page_count) VALUES "
                       "(1, 7, 11, 'x', 'y', '', '{}', '', '', 0, '[]', '', 1)"))
    engine.dispose()

    database = open_database(path)
    try:
        assert current_revision(database.engine) == head_revision() == "0008_unit_documents"
        [doc] = list_documents(database, 1)
        assert (doc.id, doc.slot, [pg.id for pg in doc.pages], doc.round_id) == (7, "gongshi", [11], None)
        with database.engine.begin() as c:
            assert c.execute(text("SELECT count(*) FROM page_masks WHERE page_id = 11")).scalar() == 1
            assert c.execute(text("SELECT document_id FROM mask_audits")).scalar() == 7
            assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1  # back on after migrating
            c.execute(text("INSERT INTO documents (id, round_id, slot, title, status, original_name, "
                           "source_kind, note) VALUES (8, 1, 'recommendation', '', 'active', '', 'pdf', '')"))
        for owners in ("NULL, NULL", "1, 1"):  # exactly one owner: neither or both refused
            with pytest.raises(IntegrityError), database.engine.begin() as c:
                c.execute(text("INSERT INTO documents (person_id, round_id, slot, title, status, original_name, "
                               f"source_kind, note) VALUES ({owners}, 'gongshi', '', 'active', '', 'pdf', '')"))
        # the person's cascade still works and leaves the round's document alone
        with database.engine.begin() as c:
            c.execute(text("DELETE FROM persons WHERE id = 1"))
            assert c.execute(text("SELECT count(*) FROM pages")).scalar() == 0
            assert c.execute(text("SELECT id FROM documents")).scalars().all() == [8]
            c.execute(text("DELETE FROM rounds WHERE id = 1"))  # … and goes with its round
            assert c.execute(text("SELECT count(*) FROM documents")).scalar() == 0
    finally:
        database.dispose()


@pytest.mark.sqlite_only
def test_a_migration_that_would_leave_broken_links_stops_with_a_message_and_changes_nothing(
        tmp_path: Path) -> None:
    """Foreign keys are off while migrating SQLite: a row left pointing nowhere is caught by the final
    check, the whole upgrade rolls back and the officer reads why (not a crash)."""
    from alembic import command

    from app.errors import StorageError
    from app.models.db import _alembic_config, make_engine

    path = tmp_path / "v7.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    command.upgrade(_alembic_config(engine), "0007_concurrency")
    with engine.connect() as c:  # an orphan page, as a database written without foreign keys may hold
        c.exec_driver_sql("PRAGMA foreign_keys=OFF")
        c.exec_driver_sql("INSERT INTO pages (id, document_id, \"index\", blob_sha, kind, source_page, width_px, "
                          "height_px, rotation, mask_state) VALUES (5, 99, 0, 'ab', 'jpeg', 0, 10, 10, 0, 'pending')")
        c.commit()
    engine.dispose()
    with pytest.raises(StorageError) as err:
        open_database(path)
    assert "数据库升级未完成" in err.value.message and "1 行" in err.value.message
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert current_revision(engine) == "0007_concurrency"  # rolled back: still the old schema
        with engine.connect() as c:
            assert "round_id" not in {r[1] for r in c.exec_driver_sql("PRAGMA table_info(documents)")}
    finally:
        engine.dispose()


def _scan(tmp: Path, name: str, seed: int = 1) -> Path:
    f = tmp / name
    f.write_bytes(scan_bytes(seed, size=(620, 877)))
    return f


def test_round_documents_count_for_the_round_and_are_no_ones_packet(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services import masking
    from app.services.packet import list_documents, packet_status
    from app.services.roster import find_person
    from app.services.status import round_status
    from app.services.unit_documents import add_unit_document, list_unit_documents, remove_unit_document

    for d in list_unit_documents(demo_db):  # the demo's own uploads: start from none
        remove_unit_document(demo_db, d.id)
    li = find_person(demo_db, "李晓雯")
    assert not packet_status(demo_db, li.id).unit_complete
    before = {d.id for d in list_documents(demo_db)}
    results = [add_unit_document(demo_db, slot, [_scan(tmp_path, f"{slot}.jpg", n)])
               for n, slot in enumerate(sorted(UNIT_SLOTS))]
    assert all(r.person_id is None and r.round_id == rounds.get_round(demo_db).id for r in results)
    assert results[0].change.round_fields == {"unit_documents"} and not results[0].change.persons
    own = list_unit_documents(demo_db)
    assert {d.slot for d in own} == UNIT_SLOTS and all(d.person_id is None for d in own)
    assert {d.id for d in list_documents(demo_db)} == before  # in no one's packet
    rep = packet_status(demo_db, li.id)
    assert rep.unit_complete and rep.persons[0].complete
    states = {u.slot: u for u in rep.unit}
    assert {u.source for u in states.values()} == {"unit"}
    assert states["gongshi"].round_document_ids == tuple(r.document_id for r in results if r.slot == "gongshi")
    assert "单位材料中已上传 1 份" in states["recommendation"].reason
    # never masked, never 待遮盖
    page_id = own[0].pages[0].id
    with pytest.raises(UsageError, match="不遮盖"):
        masking.mask_page(demo_db, page_id, ocr=False)
    status = round_status(demo_db)
    assert status.to_json()["unit"]["complete"] is True
    assert {d["source"] for d in status.to_json()["unit"]["documents"]} == {"unit"}
    # removing one makes the round miss it again, with the place to act
    remove_unit_document(demo_db, next(d.id for d in own if d.slot == "recommendation"))
    states = {u.slot: u for u in packet_status(demo_db, li.id).unit}
    assert states["recommendation"].status == "缺失" and "单位材料" in states["recommendation"].reason
    with pytest.raises(NotFoundError):
        remove_unit_document(demo_db, next(iter(before)))  # a person's document is no unit document


def test_adding_a_unit_document_checks_slot_and_file(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.services.unit_documents import add_unit_document, list_unit_documents

    before = list_unit_documents(demo_db)  # the demo's three
    assert {d.slot for d in before} == UNIT_SLOTS
    with pytest.raises(UsageError, match="单位材料中没有"):
        add_unit_document(demo_db, "id_card", [_scan(tmp_path, "id.jpg")])
    bad = tmp_path / "公示.pdf"
    bad.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(InputFileError):
        add_unit_document(demo_db, "gongshi", [bad])
    assert [d.id for d in list_unit_documents(demo_db)] == [d.id for d in before]  # nothing half-stored


def test_a_round_scan_is_exported_into_the_unit_folder_and_verified(db, tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    from app.services.export import export_bundle, preflight, verify_bundle
    from app.services.roster import save_person
    from app.services.unit_documents import add_unit_document
    from tests.core.test_bundle_service import _fill_packet

    p = eligible_person(make_id(), "库测乙")
    p.id = None
    pid = save_person(db, p).person.id
    assert pid is not None
    _fill_packet(db, tmp_path, pid, mask_pages=0)
    rounds.update_round(db, profile_id=PROFILE)
    pre = preflight(db, profile_id=PROFILE, person_ids=[pid], as_of=AS_OF)
    slots = {u.slot for u in pre.plan.unit_documents}
    assert slots and {b.code for b in pre.plan.blockers} == {"unit_missing"}
    assert all("“文书”页的“单位材料”" in b.message for b in pre.plan.blockers)
    for n, slot in enumerate(sorted(slots)):
        add_unit_document(db, slot, [_scan(tmp_path, f"u_{slot}.jpg", 50 + n), _scan(tmp_path, f"v_{slot}.jpg", 60 + n)])
    res = export_bundle(db, tmp_path / "out", profile_id=PROFILE, as_of=AS_OF, person_ids=[pid], workers=1)
    scans = [f for f in res.manifest.files if f.kind == "unit" and f.slot in slots]
    assert {f.slot for f in scans} == slots and all(f.pages == 2 for f in scans)
    assert all(f.path.startswith("00_单位材料/") and "盖章扫描件" in f.path and f.sources for f in scans)
    personal = [f for f in res.manifest.files if f.person]
    assert not [f for f in personal if f.slot in slots]  # a person's folder does not repeat them
    rep = verify_bundle(tmp_path / "out")
    assert rep.ok, rep.to_json()
    # a changed unit scan is caught
    target = tmp_path / "out" / scans[0].path
    target.write_bytes(target.read_bytes() + b"%")
    assert not verify_bundle(tmp_path / "out").ok


def test_generated_letters_are_the_persons_letter_state_everywhere(demo_db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A letter generated for a person is recorded in the round: the checklist row says it waits for
    the signed scan, the letter state counts it, the unit row's next step moves on; the export's own
    rendering of letters records nothing."""
    from app.policy.requirements import GENERATED_NOT_SCANNED, letter_state
    from app.services.forms import generate_form
    from app.services.letters import generate_letters
    from app.services.packet import packet_status
    from app.services.roster import find_person
    from app.services.status import round_status

    li = find_person(demo_db, "李晓雯")
    judge = rounds.judge_round(demo_db)
    wanted = letter_state(li, judge.profile).wanted
    # the profile's [documents] table: its required ones (the 呈报表 draft is 非必需 in this notice)
    assert wanted == ("gongshi", "gongshi-result", "tuijian", "xiaojie")
    before = packet_status(demo_db, li.id).persons[0]
    assert before.letters is not None and before.letters.done == 0 and before.letters.total == len(wanted)
    # the export renders letters and forms into the bundle without recording them
    generate_letters(demo_db, [li.id], "xiaojie", tmp_path / "x", record=False)
    assert packet_status(demo_db, li.id).persons[0].letters.done == 0  # type: ignore[union-attr]
    # the officer generates the 工作小结 letter
    generate_letters(demo_db, [li.id], "xiaojie", tmp_path / "letters")
    pk = packet_status(demo_db, li.id).persons[0]
    assert pk.letters is not None and set(pk.letters.generated) == {"xiaojie"}
    assert pk.letters.done == 1 and "xiaojie" not in pk.letters.missing and "tuijian" in pk.letters.missing
    # generated but not scanned back: the row says so instead of a bare 缺失
    from app.services.documents import delete_document
    from app.services.packet import list_documents

    for d in list_documents(demo_db, li.id):
        if d.slot == "work_summary":
            delete_document(demo_db, d.id)
    row = next(r for r in packet_status(demo_db, li.id).persons[0].slots if r.slot == "work_summary")
    assert row.status == "缺失" and row.reason == GENERATED_NOT_SCANNED
    st = round_status(demo_db).to_json()
    [me] = [p for p in st["persons"] if p["name"] == "李晓雯"]
    assert me["letters"]["done"] == 1 and set(me["letters"]["generated"]) == {"xiaojie"}
    # a unit letter generated: its unit row's next step is printing and stamping
    from app.services.unit_documents import list_unit_documents, remove_unit_document

    remove_unit_document(demo_db, next(d.id for d in list_unit_documents(demo_db) if d.slot == "gongshi"))
    unit = {u["slot"]: u for u in round_status(demo_db).to_json()["unit"]["documents"]}
    assert unit["gongshi"]["next_step"] == "生成"
    generate_letters(demo_db, [li.id], "gongshi", tmp_path / "gs", start=judge.as_of)
    unit = {u["slot"]: u for u in round_status(demo_db).to_json()["unit"]["documents"]}
    assert unit["gongshi"]["next_step"] == "打印盖章后扫描上传"
    # the 呈报表 draft, in a round whose notice asks for it
    rounds.update_round(demo_db, profile_id="korla-2024")
    generate_form(demo_db, li.id, tmp_path / "form.pdf")
    letters = packet_status(demo_db, li.id).persons[0].letters
    assert letters is not None and "form" in letters.wanted and "form" in letters.to_json()["generated"]
