"""`chuding docs add|list|delete|export`, `packet status`, `vault gc` through a real subprocess."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.domain.person import Education, PersonData, UnitData
from tests.e2e.cli import run_cli, run_json
from tests.fixtures.docs import gen


def _db_with_person(tmp_path: Path, make_id) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    from app.models.db import open_database
    from app.services.roster import save_person

    path = tmp_path / "cli.sqlite3"
    db = open_database(path)
    idn = make_id(dt.date(1999, 3, 3))
    save_person(db, PersonData(
        name="命令行测试", gender="男", id_number=idn, work_start=dt.date(2023, 7, 1), series="工程",
        specialty="电力", contract=True, dispatched=False, first_application=True,
        educations=[Education(level="本科", mode="全日制", graduation_date=dt.date(2023, 6, 30), degree="无")],
        assessments={2024: "合格"},
        unit=UnitData(name="示例民营公司", nature="民营企业", location="乌鲁木齐市", level="地州市")))
    db.dispose()
    return path, idn


def _mask_all_pages(db_path: Path, doc_id: int) -> None:
    from app.masking.boxes import Box
    from app.models.db import open_database
    from app.services import masking
    from app.services.documents import page_ids_of

    db = open_database(db_path)
    for pid in page_ids_of(db, doc_id):
        masking.save_page_boxes(db, pid, [Box("name", 0.1, 0.1, 0.4, 0.2, 1.0, "manual")], reviewed=True)
        masking.mask_page(db, pid, ocr=False)
    db.dispose()


def test_docs_add_list_status_gc(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    db, idn = _db_with_person(tmp_path, make_id)
    front = tmp_path / "front.jpg"
    front.write_bytes(gen.jpeg((1000, 640), dpi=300))
    back = tmp_path / "back.png"
    back.write_bytes(gen.rgba_png())
    code, out, err = run_json("docs", "add", idn, "id_card", front, back, db=db)
    assert code == 0, err
    assert out["pages"] == 2 and out["slot"] == "id_card"
    doc_id = out["document_id"]

    code, listing, _ = run_json("docs", "list", "命令行测试", db=db)
    assert code == 0 and listing["name"] == "命令行测试"
    assert [d["id"] for d in listing["documents"]] == [doc_id]
    assert [p["kind"] for p in listing["documents"][0]["pages"]] == ["jpeg", "png"]

    code, status, _ = run_json("packet", "status", idn, "--profile", "urumqi-private-2025", db=db)
    assert code == 1  # incomplete packet → exit 1
    slots = {s["slot"]: s for s in status["persons"][0]["slots"]}
    assert slots["id_card"]["status"] == "待遮盖" and slots["diploma"]["status"] == "缺失"
    assert status["as_of"] == "2025-03-17" and status["done"] == 0

    r = run_cli("packet", "status", "--profile", "korla-2024", "--incomplete", db=db)
    assert r.returncode == 1 and "身份证" in r.stdout and "全单位" in r.stdout

    out_jpg = tmp_path / "upload.jpg"
    # the ID card needs masking and is not masked: nothing leaves the vault (#13)
    r = run_cli("docs", "export", str(doc_id), "-o", out_jpg, db=db)
    assert r.returncode == 1 and "尚未遮盖" in r.stderr and "命令行测试" in r.stderr and not out_jpg.exists()
    _mask_all_pages(db, doc_id)
    code, exp, _ = run_json("docs", "export", str(doc_id), "-o", out_jpg, db=db)
    # two pages make a PDF: written as upload.pdf (the name says what the file is), never a PDF named .jpg
    written = tmp_path / "upload.pdf"
    assert code == 0 and exp["ok"] and exp["format"] == "pdf" and exp["path"] == str(written)
    assert not out_jpg.exists() and written.read_bytes().startswith(b"%PDF")
    assert written.stat().st_size <= 600 * 1024

    assert run_cli("docs", "delete", str(doc_id), db=db).returncode == 0
    code, gc, _ = run_json("vault", "gc", db=db)
    assert code == 0 and gc["removed"] == 0  # written minutes ago: kept by default (a running import's)
    code, gc, _ = run_json("vault", "gc", "--keep-recent", "0", db=db)
    # the masking audit keeps the originals and masked copies it names; the normalised PNG page goes
    assert code == 0 and gc["removed"] == 1
    from app.documents.vault import vault_for
    from app.models.db import open_database

    database = open_database(db)  # the vault beside the SQLite file, or the server's shared blobs
    left = list(vault_for(database).iter_shas())
    database.dispose()
    assert len(left) == 4  # 2 originals (input_sha) + 2 masked copies (output_sha) of the audit rows


def test_bad_inputs_exit_3_and_store_nothing(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    db, idn = _db_with_person(tmp_path, make_id)
    locked = tmp_path / "locked.pdf"
    locked.write_bytes(gen.encrypted_pdf("pw"))
    r = run_cli("docs", "add", idn, "diploma", locked, db=db)
    assert r.returncode == 3 and "密码" in r.stderr and "--password" in r.stderr
    assert not (tmp_path / "vault").exists() or not any((tmp_path / "vault").rglob("*.*"))
    r = run_cli("docs", "add", idn, "assessment", locked, db=db)
    assert r.returncode == 2 and "--year" in r.stderr
    code, out, _ = run_json("docs", "add", idn, "diploma", locked, "--password", "pw", db=db)
    assert code == 0 and out["pages"] == 1


def test_docs_mask_burns_stored_boxes_with_the_residual_check(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    """`docs mask DOC`: the editor's 生成遮盖件 from the CLI — the person's own name left outside the
    boxes keeps the page pending (exit 1) unless the officer accepts it; a page with no boxes is
    reported, not passed; the photo is never masked."""
    from app.masking.boxes import Box
    from app.models.db import open_database
    from app.services import masking
    from app.services.documents import page_ids_of
    from tests.fixtures.masking.docs import text_page_image

    db_path, idn = _db_with_person(tmp_path, make_id)
    page = tmp_path / "contract.png"
    text_page_image([("劳动合同", 0.4, 0.08, 15), ("乙方：命令行测试", 0.1, 0.15, 15),
                     ("本合同自双方签字之日起生效。", 0.1, 0.22, 15), ("乙方签字：命令行测试", 0.5, 0.5, 15)],
                    size=(1240, 1754)).save(page)
    code, out, err = run_json("docs", "add", idn, "contract", page, page, db=db_path)
    assert code == 0, err
    doc_id = out["document_id"]
    db = open_database(db_path)
    first, _second = page_ids_of(db, doc_id)
    masking.save_page_boxes(db, first, [Box("name", 0.15, 0.125, 0.5, 0.17, 1.0, "manual")], reviewed=True)
    db.dispose()

    code, rep, err = run_json("docs", "mask", str(doc_id), "--no-ocr", db=db_path)
    assert code == 1, err
    p1, p2 = rep["pages"]
    assert rep["ok"] is False and p1["state"] == "有残留" and p1["boxes"] == 1
    (res,) = p1["residual"]
    assert res["y0"] < 0.5 < res["y1"] and res["x1"] > 0.5  # the signature line, outside the box
    assert p2["state"] == "无遮盖框" and p2["ok"] is False  # no box, no recorded 无需遮盖: not passed
    assert "命令行测试" not in err
    code, status, _ = run_json("packet", "status", idn, "--profile", "urumqi-private-2025", db=db_path)
    assert {s["slot"]: s for s in status["persons"][0]["slots"]}["contract"]["status"] == "待遮盖"

    r = run_cli("docs", "mask", str(doc_id), "--page", "1", "--no-ocr", "--accept-residual", db=db_path)
    assert r.returncode == 0, r.stderr
    assert "第 1 页：已保留残留（1 个遮盖框）" in r.stdout + r.stderr

    r = run_cli("docs", "mask", str(doc_id), "--page", "3", db=db_path)
    assert r.returncode == 2 and "没有第 3 页" in r.stderr

    photo = tmp_path / "photo.jpg"
    photo.write_bytes(gen.jpeg((295, 413), dpi=300))
    code, out, err = run_json("docs", "add", idn, "photo", photo, db=db_path)
    assert code == 0, err
    r = run_cli("docs", "mask", str(out["document_id"]), db=db_path)
    assert r.returncode == 2 and "不遮盖" in r.stderr
