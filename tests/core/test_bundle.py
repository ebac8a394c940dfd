"""Bundle plan, build and verification on plain inputs (real scans, real masks, real PDFs)."""

from __future__ import annotations

import copy
import errno
import json
import os
import shutil
from pathlib import Path

import pymupdf
import pytest

from app.errors import Cancelled, CheckFailed, ForeignFilesError, InputFileError, StorageError, UsageError
from app.export.bundle import UNIT_FOLDER, UnitInput, build_bundle, recover_interrupted
from app.export.bundle_verify import verify_bundle
from app.export.manifest import load_manifest, sha256_file
from tests.core.test_bundle_support import eligible_person, make_plan, person_input, scan_bytes

SMALL = (620, 877)  # ~75 dpi A4: fast to generate and mask; compression is tested separately


@pytest.fixture(scope="module")
def _sources(tmp_path_factory: pytest.TempPathFactory) -> list:
    import datetime as dt

    from app.policy.identifiers import make_id_number

    src = tmp_path_factory.mktemp("src")
    a = eligible_person(make_id_number("650102", dt.date(1999, 5, 17), 901, male=True), "测试甲", pid=1)
    b = eligible_person(make_id_number("650102", dt.date(1999, 5, 17), 902, male=True), "测试乙", pid=2)
    return [person_input(src, a, size=SMALL), person_input(src, b, mask="not_needed", size=SMALL)]


@pytest.fixture
def two_persons(_sources: list) -> list:
    return copy.deepcopy(_sources)


@pytest.fixture(scope="module")
def _pristine(tmp_path_factory: pytest.TempPathFactory, _sources: list) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    plan = make_plan(root, copy.deepcopy(_sources))
    plan.unit_files.append(UnitInput("推荐报告.docx", b"PK\x03\x04 fake docx bytes"))
    build_bundle(plan, root / "out", app_version="test", make_zip=True, workers=2)  # pool: pages + mask checks
    return root / "out"


@pytest.fixture
def built(tmp_path: Path, _pristine: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(_pristine, out)
    shutil.copy2(_pristine.with_name("out.zip"), tmp_path / "out.zip")
    return out


def _rewrite_entry(root: Path, rel: str, **changes) -> None:
    m = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    for f in m["files"]:
        if f["path"] == rel:
            f.update(changes)
    (root / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")


def test_layout_names_and_manifest(built: Path) -> None:
    names = sorted(p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file())
    assert "01_测试甲/01_身份证.pdf" in names
    assert "01_测试甲/02_一寸照片.jpg" in names
    assert "01_测试甲/10_年度考核表_2024.pdf" in names
    assert "02_测试乙/01_身份证.pdf" in names
    assert f"{UNIT_FOLDER}/推荐报告.docx" in names
    assert {"花名册.xlsx", "清单.pdf", "manifest.json"} <= set(names)
    assert built.with_name("out.zip").is_file()
    m = load_manifest(built)
    assert m.profile_id == "urumqi-private-2025" and m.as_of == "2025-03-17" and m.app_version == "test"
    entry = m.file("01_测试甲/01_身份证.pdf")
    assert entry is not None and entry.mask_required and entry.sha256 == sha256_file(built / entry.path)
    assert entry.mask_pages[0].state == "masked" and entry.mask_pages[0].boxes
    assert len(entry.sources) == 2  # original blob and masked blob
    photo = m.file("01_测试甲/02_一寸照片.jpg")
    assert photo is not None and not photo.mask_required
    # Every PDF holds image pages only: no text layer, no metadata.
    with pymupdf.open(built / "01_测试甲/03_劳动合同.pdf") as doc:
        assert doc.page_count == 1 and not doc[0].get_text().strip()
        assert not any(v for k, v in doc.metadata.items() if k != "format" and v)
    # The roster and the checklist are real, readable files.
    import openpyxl

    wb = openpyxl.load_workbook(built / "花名册.xlsx")
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert "测试甲" in cells and "测试乙" in cells and "完整" in cells
    with pymupdf.open(built / "清单.pdf") as doc:
        text = "".join(p.get_text() for p in doc)
    assert "01_测试甲" in text and "年度考核" in text


def test_photo_is_resized_to_platform_size(built: Path) -> None:
    from PIL import Image

    with Image.open(built / "01_测试甲/02_一寸照片.jpg") as im:
        assert im.size == (295, 413)
    assert (built / "01_测试甲/02_一寸照片.jpg").stat().st_size <= 300 * 1024


def test_verify_clean_bundle(built: Path) -> None:
    r = verify_bundle(built)
    assert r.ok, r.to_json()
    assert {c.name for c in r.checks} >= {"hash", "mask", "completeness"}


def test_tamper_changed_byte(built: Path) -> None:
    p = built / "01_测试甲/03_劳动合同.pdf"
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0x01
    p.write_bytes(bytes(data))
    r = verify_bundle(built)
    assert not r.ok and [c.path for c in r.problems if c.name == "hash"] == ["01_测试甲/03_劳动合同.pdf"]


def test_tamper_missing_file(built: Path) -> None:
    (built / "02_测试乙/05_毕业证.pdf").unlink()
    r = verify_bundle(built)
    names = {c.name for c in r.problems}
    assert "missing_file" in names and "completeness" in names


def test_tamper_extra_file(built: Path) -> None:
    (built / "01_测试甲/99_其他.pdf").write_bytes(b"%PDF-1.4 extra")
    r = verify_bundle(built)
    assert [c.path for c in r.problems] == ["01_测试甲/99_其他.pdf"]


def test_tamper_unmasked_page_is_caught_even_with_consistent_hash(built: Path, tmp_path: Path) -> None:
    """Swap a masked file for the unmasked original and fix the manifest hash: mask check fails."""
    from app.export.bundle import PageOut, assemble_pdf

    rel = "01_测试甲/03_劳动合同.pdf"
    raw = scan_bytes(7)
    import io

    from PIL import Image

    w, h = Image.open(io.BytesIO(raw)).size
    (built / rel).write_bytes(assemble_pdf([PageOut(raw, w, h, 150.0, False)]))
    _rewrite_entry(built, rel, size=(built / rel).stat().st_size, sha256=sha256_file(built / rel))
    r = verify_bundle(built)
    assert [c.name for c in r.problems] == ["mask"]
    assert r.problems[0].path == rel


def test_tamper_page_without_mask_record(built: Path) -> None:
    rel = "01_测试甲/03_劳动合同.pdf"
    _rewrite_entry(built, rel, mask_pages=[])
    r = verify_bundle(built)
    assert [c.name for c in r.problems] == ["unmasked_page"]


def test_tamper_oversize_file(built: Path) -> None:
    rel = "02_测试乙/05_毕业证.pdf"
    _rewrite_entry(built, rel, limit_kb=10)
    r = verify_bundle(built)
    assert [c.name for c in r.problems] == ["size_limit"]


def test_tamper_incomplete_against_profile(built: Path) -> None:
    m = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    m["persons"][0]["required"] = [r for r in m["persons"][0]["required"] if r["slot"] != "diploma"]
    m["files"] = [f for f in m["files"] if f["path"] != "01_测试甲/05_毕业证.pdf"]
    (built / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    (built / "01_测试甲/05_毕业证.pdf").unlink()
    r = verify_bundle(built)
    assert [c.name for c in r.problems] == ["completeness"]
    assert "毕业证" in r.problems[0].detail


def test_unreadable_manifest(built: Path) -> None:
    (built / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError):
        verify_bundle(built)
    with pytest.raises(InputFileError):
        verify_bundle(built.parent / "nowhere")


def test_compresses_to_the_limit_in_the_pool(tmp_path: Path, make_id) -> None:
    """Noisy 150-dpi scans, two pages a file, 200 KB limit: every file fits, built in a process pool."""
    p = eligible_person(make_id(), "测试丙", pid=3)
    inp = person_input(tmp_path / "src", p, mask="not_needed", pages_per_doc=2, noise=10, size=(1240, 1754),
                       same_scan=True)
    plan = make_plan(tmp_path, [inp], max_file_kb=200)
    pdfs = [f for f in plan.files if f.fmt == "pdf"]
    assert all(sum(pg.size for pg in f.pages) > 200 * 1024 for f in pdfs)
    res = build_bundle(plan, tmp_path / "out", app_version="t", workers=2)
    assert res.pages >= 16
    for f in res.manifest.files:
        if f.limit_kb:
            assert f.size <= f.limit_kb * 1024
    assert verify_bundle(tmp_path / "out").ok


def test_plan_blockers_point_at_person_slot_and_page(tmp_path: Path, make_id) -> None:
    import datetime as dt

    p = eligible_person(make_id(), "测试丁", pid=4)
    inp = person_input(tmp_path / "src", p, mask="not_needed", skip=("diploma",), pending_slot="contract",
                       size=SMALL)
    for d in inp.documents:
        if d.slot == "chsi_record":
            d.issue_date = dt.date(2024, 1, 2)  # > 90 days before 2025-03-17? (profile max_age_days)
        if d.slot == "work_summary":
            d.word_count = 800
    plan = make_plan(tmp_path, [inp])
    codes = {(i.code, i.slot) for i in plan.blockers}
    assert ("missing", "diploma") in codes
    assert ("unmasked", "contract") in codes
    assert ("word_count", "work_summary") in codes
    unmasked = next(i for i in plan.blockers if i.code == "unmasked")
    assert unmasked.person_id == 4 and unmasked.page_id is not None and unmasked.page_index == 0
    assert not plan.persons[0].complete
    with pytest.raises(CheckFailed):
        build_bundle(plan, tmp_path / "out", app_version="t")
    assert not (tmp_path / "out").exists()


def test_stale_chsi_record_blocks(tmp_path: Path, make_id) -> None:
    import datetime as dt

    from app.policy.profiles import load_profile

    prof = load_profile("korla-2024")
    spec = prof.material("chsi_record")
    assert spec is not None and spec.max_age_days
    from app.export.bundle import plan_bundle
    from app.settings import UploadLimits

    p = eligible_person(make_id(), "测试戊", pid=5)
    inp = person_input(tmp_path / "src", p, mask="not_needed", size=SMALL)
    for d in inp.documents:
        if d.slot == "chsi_record":
            d.issue_date = dt.date(2024, 10, 25) - dt.timedelta(days=spec.max_age_days + 1)
    plan = plan_bundle(prof, dt.date(2024, 10, 25), [inp], limits=UploadLimits())
    assert any(i.code == "stale" and i.slot == "chsi_record" for i in plan.blockers)


def test_ineligible_person_blocks(tmp_path: Path, make_id) -> None:
    p = eligible_person(make_id(), "测试己", pid=6)
    p.status = "离退休"
    inp = person_input(tmp_path / "src", p, mask="not_needed", size=SMALL)
    plan = make_plan(tmp_path, [inp])
    assert [i.code for i in plan.blockers] == ["ineligible"]


def test_replaces_previous_bundle_only_when_complete(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "out"
    build_bundle(make_plan(tmp_path, two_persons[:1]), out, app_version="v1", workers=1)
    before = {p: sha256_file(p) for p in out.rglob("*") if p.is_file()}

    calls = {"n": 0}

    def cancel_midway(done: int, total: int, message: str = "") -> None:
        calls["n"] += 1
        if done > 5:
            raise Cancelled()

    with pytest.raises(Cancelled):
        build_bundle(make_plan(tmp_path, two_persons), out, app_version="v2", progress=cancel_midway, workers=1)
    assert calls["n"] > 5
    assert {p: sha256_file(p) for p in out.rglob("*") if p.is_file()} == before
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]  # no half bundle beside it
    assert verify_bundle(out).ok
    # A complete second export replaces it.
    build_bundle(make_plan(tmp_path, two_persons), out, app_version="v2", workers=1)
    assert load_manifest(out).app_version == "v2" and (out / "02_测试乙").is_dir()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]


def test_refuses_to_replace_a_folder_that_is_not_a_bundle(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"precious")
    with pytest.raises(ForeignFilesError, match="不是空的") as ei:
        build_bundle(make_plan(tmp_path, two_persons[:1]), out, app_version="t", workers=1)
    assert ei.value.exit_code == 3
    assert (out / "thesis.docx").read_bytes() == b"precious"


def test_disk_full_gives_chinese_message_and_keeps_old(tmp_path: Path, two_persons: list,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    build_bundle(make_plan(tmp_path, two_persons[:1]), out, app_version="v1", workers=1)
    real_fsync = os.fsync

    def full(fd: int) -> None:  # the disk fills up while the new bundle is written
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError, match="磁盘空间不足"):
        build_bundle(make_plan(tmp_path, two_persons), out, app_version="v2", workers=1)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert load_manifest(out).app_version == "v1" and verify_bundle(out).ok
    assert sorted(x.name for x in tmp_path.iterdir()) == ["out"]


def test_recover_after_crash_between_renames(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "out"
    build_bundle(make_plan(tmp_path, two_persons[:1]), out, app_version="v1", workers=1)
    old = tmp_path / ".out.old-abc123"
    os.replace(out, old)  # as if killed between "target → old" and "new → target"
    half = tmp_path / ".out.building-xyz"
    half.mkdir()
    (half / "junk.pdf").write_bytes(b"half")
    actions = recover_interrupted(out)
    assert out.is_dir() and verify_bundle(out).ok
    assert not old.exists() and not half.exists() and len(actions) == 2


def test_target_under_a_file_is_a_clear_error(tmp_path: Path, two_persons: list) -> None:
    blocker = tmp_path / "afile"
    blocker.write_bytes(b"x")
    with pytest.raises((StorageError, UsageError)) as ei:
        build_bundle(make_plan(tmp_path, two_persons[:1]), blocker / "out", app_version="t", workers=1)
    assert "导出" in ei.value.message


def test_masked_page_failing_verification_stops_the_export(tmp_path: Path, two_persons: list) -> None:
    """Boxes that do not match the masked blob (text under them): the build fails closed."""
    page = next(pg for d in two_persons[0].documents for pg in d.pages if pg.mask_state == "masked")
    page.boxes = [{**page.boxes[0], "y0": 0.30, "y1": 0.36}]
    with pytest.raises(CheckFailed, match="遮盖校验未通过"):
        build_bundle(make_plan(tmp_path, two_persons), tmp_path / "out", app_version="t", workers=1)
    assert sorted(x.name for x in tmp_path.iterdir()) == []


def test_stale_zip_of_a_replaced_bundle_is_removed(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "out"
    build_bundle(make_plan(tmp_path, two_persons[:1]), out, app_version="v1", make_zip=True, workers=1)
    import zipfile

    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        assert "out/manifest.json" in zf.namelist() and "out/01_测试甲/01_身份证.pdf" in zf.namelist()
    build_bundle(make_plan(tmp_path, two_persons), out, app_version="v2", workers=1)
    assert not (tmp_path / "out.zip").exists()


# ---------------------------------------------------------------- #13 item 10: the profile decides, not the manifest

def _unmasked_id_card(built: Path) -> str:
    """Replace 测试甲's ID card by an unmasked scan (the name bar visible) and return its path."""
    from PIL import Image

    from app.export.bundle import PageOut, assemble_pdf

    (rel,) = [p.relative_to(built).as_posix() for p in (built / "01_测试甲").iterdir() if "身份证" in p.name]
    raw = scan_bytes(11)
    w, h = Image.open(__import__("io").BytesIO(raw)).size
    (built / rel).write_bytes(assemble_pdf([PageOut(raw, w, h, 150.0, False)]))
    return rel


def test_tamper_mask_required_false_is_caught_from_the_profile(built: Path) -> None:
    rel = _unmasked_id_card(built)
    _rewrite_entry(built, rel, size=(built / rel).stat().st_size, sha256=sha256_file(built / rel),
                   mask_required=False, mask_pages=[])
    r = verify_bundle(built)
    assert not r.ok
    (problem,) = [c for c in r.problems if c.path == rel]
    assert problem.name == "unmasked_page" and "测试甲" in problem.detail and rel in problem.detail
    assert "须遮盖" in problem.detail
    from tests.e2e.cli import run_cli

    cli = run_cli("verify-bundle", built)
    assert cli.returncode == 1 and "测试甲" in cli.stdout + cli.stderr and rel in cli.stdout + cli.stderr


def test_tamper_slot_and_kind_to_a_never_masked_material_is_still_caught(built: Path) -> None:
    """A new hostile case of the class: also relabel the entry as the photo (never masked) and not a
    material — the file's folder and name still say it is 测试甲's ID card."""
    rel = _unmasked_id_card(built)
    _rewrite_entry(built, rel, size=(built / rel).stat().st_size, sha256=sha256_file(built / rel),
                   mask_required=False, mask_pages=[], slot="photo", kind="unit", person=None)
    r = verify_bundle(built)
    assert [c.name for c in r.problems if c.path == rel] == ["unmasked_page"]


def test_verify_bundle_blocks_a_masked_page_without_boxes_or_an_unrecorded_not_needed(built: Path) -> None:
    """#13 item 12 in verify-bundle: 已遮盖 with no box, or 无需遮盖 with nobody who decided it."""
    m = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    masked = next(f for f in m["files"] if f["mask_pages"] and f["mask_pages"][0]["state"] == "masked")
    not_needed = next(f for f in m["files"] if f["mask_pages"] and f["mask_pages"][0]["state"] == "not_needed")
    assert not_needed["mask_pages"][0]["decided_by"]
    masked["mask_pages"][0]["boxes"] = []
    not_needed["mask_pages"][0]["decided_by"] = None
    (built / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    r = verify_bundle(built)
    details = {c.path: c.detail for c in r.problems}
    assert "没有任何遮盖框" in details[masked["path"]] and "没有经办人确认记录" in details[not_needed["path"]]


def test_every_file_needing_masking_is_reverified_even_without_boxes(built: Path) -> None:
    """A 无需遮盖 file is still a pixels-only derivative: a text layer smuggled into it fails."""
    m = load_manifest(built)
    rel = next(f.path for f in m.files if f.mask_pages and f.mask_pages[0].state == "not_needed")
    with pymupdf.open(built / rel) as doc:
        doc[0].insert_text((50, 50), "hidden", fontsize=1)
        data = doc.tobytes()
    (built / rel).write_bytes(data)
    _rewrite_entry(built, rel, size=(built / rel).stat().st_size, sha256=sha256_file(built / rel))
    r = verify_bundle(built)
    assert [c.name for c in r.problems if c.path == rel] == ["mask"]
