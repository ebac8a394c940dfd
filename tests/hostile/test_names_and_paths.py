"""The hostile corpus (tests/hostile/names.py) through the real paths: path helpers, the 呈报表
scratch files of an export, roster import, CLI export (+zip), letters, form, docs export, roster
export. Nothing is written outside its root, nothing exits 4, messages are Chinese."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import sqlite3
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.errors import UnsafePathError
from app.paths import (
    MAX_COMPONENT_BYTES,
    check_relpath,
    inside,
    is_reserved_name,
    safe_basename,
    safe_component,
)
from tests.e2e.cli import run_cli, run_json
from tests.hostile.names import (
    ALL_NAMES,
    FORMULA_NAMES,
    INVISIBLE_NAMES,
    NEW_CASES,
    PATH_NAMES,
    hostile_rows,
    write_roster_csv,
    write_roster_xlsx,
)

CJK = re.compile(r"[\u4e00-\u9fff]")


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


# ---------------------------------------------------------------------------------- path helpers
@pytest.mark.parametrize("name", ALL_NAMES + INVISIBLE_NAMES)
def test_every_hostile_name_becomes_one_harmless_component(tmp_path: Path, name: str) -> None:
    c = safe_component(name)
    assert c and c not in (".", "..") and not c.startswith((".", " ")) and not c.endswith((".", " "))
    assert not re.search(r'[\\/:*?"<>|\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200b-\u200f]', c)
    assert not re.search("[\u2215\u2044\uff0f\uff3c\ufe68\u2024\u2025]", c)
    assert not is_reserved_name(c) and len(c.encode("utf-8")) <= MAX_COMPONENT_BYTES and len(c) <= 80
    assert check_relpath(c) == c and safe_component(c) == c  # stable: sanitising twice changes nothing
    target = inside(tmp_path, c)
    target.write_bytes(b"x")  # the OS accepts it, and it lands directly in the folder
    assert target.parent == tmp_path and _files(tmp_path) == {target}
    f = safe_basename(name + ".pdf")
    assert f.endswith(".pdf") and inside(tmp_path, f).parent == tmp_path


@pytest.mark.parametrize("rel", ["../x", "a/../../x", "/etc/passwd", "..", "a/../../../tmp/PWN.pdf"])
def test_inside_refuses_paths_that_leave_the_root(tmp_path: Path, rel: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    with pytest.raises(UnsafePathError) as ei:
        inside(root, rel)
    assert ei.value.exit_code == 3 and CJK.search(ei.value.message)


def test_inside_refuses_a_link_that_points_out(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "out").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError):
        inside(root, "out", "PWN.pdf")
    assert inside(root, "a", "..", "b") == root / "a" / ".." / "b"  # stays inside: allowed


@pytest.mark.parametrize("rel", ["../x", "/x", "a\\b", "a/./b", "a//b", "CON/x.pdf", "x/nul.txt", "C:x",
                                 "a/b.", "\u202ea", ""])
def test_check_relpath_refuses_what_this_app_never_writes(rel: str) -> None:
    with pytest.raises(UnsafePathError):
        check_relpath(rel)


# ----------------------------------------------------------------------- the example
def test_form_scratch_file_of_an_export_stays_in_its_scratch_folder(demo_db, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The 呈报表 drafts of an export are rendered in a scratch folder under a name built from the
    person's name: ``../../../../PWN`` wrote the filled form (with the ID number) outside it."""
    import tempfile

    from app.policy.profiles import load_profile
    from app.services.export import _unit_files
    from app.services.roster import list_persons, save_person

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    persons = list_persons(demo_db)[:2]
    for p, name in zip(persons, ["../../../../PWN", NEW_CASES[3]], strict=True):
        p.name = name
        save_person(demo_db, p)
    persons = list_persons(demo_db)[:2]
    before = _files(tmp_path)
    profile = load_profile("korla-2024")
    files, notes = _unit_files(demo_db, persons, profile, profile.default_as_of or dt.date(2024, 10, 25))
    assert _files(tmp_path) == before, "a file was written outside the scratch folder"
    forms = [f.name for f in files if f.name.startswith("呈报表")]
    assert len(forms) == 2 and all(check_relpath(n) == n for n in forms), (forms, notes)
    assert forms[0] == "呈报表_01_.._.._.._.._PWN.pdf"


# ------------------------------------------------------------------------------ roster import
@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_hostile_roster_import_refuses_invisible_characters_with_row_and_column(
        tmp_path: Path, make_id, kind: str) -> None:
    rows = hostile_rows(make_id)
    path = tmp_path / f"hostile.{kind}"
    (write_roster_csv if kind == "csv" else write_roster_xlsx)(path, rows)
    db = tmp_path / "h.sqlite3"
    code, report, err = run_json("roster", "import", path, db=db)
    assert code == 1, err
    rejected = {(i["row"], i["column"]): i["message"] for i in report["rejected"]}
    invisible = [k for k, r in enumerate(rows, start=2) if r["姓名"] in INVISIBLE_NAMES]
    for row in invisible:
        if (row, "姓名") not in rejected:  # xlsx cannot hold most C0 controls: those rows are absent
            assert kind == "xlsx"
            continue
        msg = rejected[(row, "姓名")]
        assert CJK.search(msg) and ("不可见" in msg or "末尾" in msg), msg
    assert any((c == "姓名" and "控制字符" in m) for (_r, c), m in rejected.items())
    assert any("改变文字显示方向" in m for m in rejected.values())
    assert "Traceback" not in err and "内部错误" not in err


# ------------------------------------------------------------------------- CLI, end to end
def _rename_csv(tmp: Path, people: list[dict], names: list[str]) -> Path:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["姓名", "身份证号"])
    for p, n in zip(people, names, strict=False):
        w.writerow([n, p["id_number"]])
    path = tmp / "rename.csv"
    path.write_bytes(("\ufeff" + buf.getvalue()).encode("utf-8"))
    return path


def _no_formula_cells(path: Path) -> None:
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{path.name}!{ws.title}{c.coordinate} is a formula: {c.value!r}"


@pytest.fixture
def demo_cli(tmp_path: Path) -> tuple[Path, list[dict]]:
    db = tmp_path / "demo.sqlite3"
    code, summary, err = run_json("demo", db=db)
    assert code == 0, err
    from app.models.db import open_database
    from app.services.roster import list_persons

    database = open_database(db)
    try:
        ready = [{"id": p.id, "id_number": p.id_number} for p in list_persons(database)
                 if p.id in summary["ready_persons"] or p.name in summary["ready_persons"]]
    finally:
        database.dispose()
    assert len(ready) == 2
    return db, ready


def test_hostile_names_through_export_letters_form_and_docs_export(tmp_path: Path, demo_cli) -> None:
    db, ready = demo_cli
    names = ["../../../../PWN", '=HYPERLINK("http://x","y")']
    r = run_cli("roster", "import", "--update", _rename_csv(tmp_path, ready, names), db=db)
    assert r.returncode == 0, r.stderr + r.stdout
    before = _files(tmp_path)
    out = tmp_path / "out"
    r = run_cli("export", "-o", out, "--zip", db=db)
    assert r.returncode == 0, r.stderr + r.stdout
    letters = tmp_path / "letters"
    r = run_cli("letters", "--kind", "gongshi", "-o", letters, str(ready[0]["id"]), str(ready[1]["id"]), db=db)
    assert r.returncode in (0, 1) and "内部错误" not in r.stderr, r.stderr
    form = tmp_path / "form" / "f.pdf"
    r = run_cli("form", str(ready[0]["id"]), "-o", form, "--profile", "korla-2024", db=db)
    assert r.returncode == 0, r.stderr
    code, docs, err = run_json("docs", "list", str(ready[0]["id"]), db=db)
    assert code == 0, err
    one = tmp_path / "docs" / "one.pdf"
    r = run_cli("docs", "export", str(docs["documents"][0]["id"]), "-o", one, db=db)
    assert r.returncode in (0, 1) and "内部错误" not in r.stderr, r.stderr
    new = _files(tmp_path) - before
    allowed = (out, letters, form.parent, one.parent)
    stray = [p for p in new if p != tmp_path / "out.zip" and not any(a in p.parents for a in allowed)
             and p.parent != tmp_path]  # the database's WAL files sit beside it
    assert not stray, stray
    assert not list(tmp_path.rglob("PWN*")) and not Path("/PWN.pdf").exists()
    assert {p.parent for p in letters.iterdir()} == {letters} and len(list(letters.iterdir())) == 2
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for f in m["files"]:
        assert check_relpath(f["path"]) == f["path"] and inside(out, f["path"]).is_file()
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        for n in zf.namelist():
            assert n.startswith("out/") and check_relpath(n[4:]) == n[4:]
    _no_formula_cells(out / "花名册.xlsx")
    wb = openpyxl.load_workbook(out / "花名册.xlsx")
    assert names[1] in [c.value for row in wb["导出概况"].iter_rows() for c in row]  # as text, unchanged
    # the roster export too, both formats
    r = run_cli("roster", "export", tmp_path / "r.xlsx", db=db)
    assert r.returncode == 0, r.stderr
    _no_formula_cells(tmp_path / "r.xlsx")
    r = run_cli("roster", "export", tmp_path / "r.csv", db=db)
    text = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'" + names[1] in cells and not any(c.startswith(("=", "+", "@", "\t", "\r")) for c in cells)


def test_control_characters_stored_by_an_older_version_never_crash_a_writer(tmp_path: Path, demo_cli) -> None:
    """Records written before the input checks (straight into the database): roster export,
    letters and export clean them at write time instead of exiting 4."""
    db, ready = demo_cli
    with sqlite3.connect(db) as con:
        con.execute("UPDATE persons SET name = ? WHERE id = ?", ("李\x0b晓\u202e雯", ready[0]["id"]))
        con.execute("UPDATE persons SET name = ?, notes = ? WHERE id = ?",
                    ("=HYPERLINK(\"http://x\",\"y\")\x0c", "备\x00注", ready[1]["id"]))
    for args in (("roster", "export", tmp_path / "r.xlsx"), ("roster", "export", tmp_path / "r.csv"),
                 ("letters", "--kind", "gongshi", "-o", tmp_path / "l", str(ready[0]["id"]), str(ready[1]["id"])),
                 ("form", str(ready[0]["id"]), "-o", tmp_path / "f.pdf", "--profile", "korla-2024"),
                 ("export", "-o", tmp_path / "out")):
        r = run_cli(*args, db=db)
        assert r.returncode in (0, 1) and "内部错误" not in r.stderr, (args, r.stderr)
    assert (tmp_path / "out" / "manifest.json").is_file()
    _no_formula_cells(tmp_path / "r.xlsx")
    _no_formula_cells(tmp_path / "out" / "花名册.xlsx")
    folders = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert "01_李晓雯" in folders, folders
    assert (tmp_path / "r.csv").read_bytes().count(b"\x0b") == 0


def test_export_into_a_folder_of_the_officer_exits_3_and_touches_nothing(tmp_path: Path, demo_cli) -> None:
    db, _ready = demo_cli
    mine = tmp_path / "mine"
    (mine / "photos").mkdir(parents=True)
    (mine / "thesis.docx").write_bytes(b"precious")
    (mine / "manifest.json").write_text('{"format": "someone-else"}', encoding="utf-8")
    r = run_cli("export", "-o", mine, db=db)
    assert r.returncode == 3 and "不是空的" in r.stderr and "thesis.docx" in r.stderr, r.stderr
    assert sorted(p.name for p in mine.iterdir()) == ["manifest.json", "photos", "thesis.docx"]
    (tmp_path / "out.zip").write_bytes(b"PK not ours")
    r = run_cli("export", "-o", tmp_path / "out", "--zip", db=db)
    assert r.returncode == 3 and "压缩文件" in r.stderr, r.stderr
    assert (tmp_path / "out.zip").read_bytes() == b"PK not ours" and not (tmp_path / "out").exists()


def test_corpus_generator_writes_both_roster_files(tmp_path: Path) -> None:
    from tests.hostile.names import main

    assert main(["names", str(tmp_path / "c")]) == 0
    assert {p.name for p in (tmp_path / "c").iterdir()} == {"hostile_roster.csv", "hostile_roster.xlsx",
                                                            "hostile_names.txt"}
    assert all(n in ALL_NAMES for n in PATH_NAMES + FORMULA_NAMES)
    assert os.path.getsize(tmp_path / "c" / "hostile_roster.xlsx") > 0
