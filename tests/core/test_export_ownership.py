"""An export replaces only a bundle this app wrote, and of it only the files its manifest lists
(app/export/ownership.py); everything of the officer's is kept, a foreign folder or zip refused."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from app.errors import ForeignFilesError
from app.export.bundle import build_bundle, recover_interrupted
from app.export.bundle_verify import verify_bundle
from app.export.manifest import listing_sha256, load_manifest
from app.export.ownership import ASIDE_TAG, check_export_target, zip_is_ours
from tests.core import test_bundle
from tests.core.test_bundle_support import make_plan

_sources = test_bundle._sources  # fixtures shared with test_bundle.py
two_persons = test_bundle.two_persons


def _export(tmp_path: Path, persons: list, out: Path, **kw):  # type: ignore[no-untyped-def]
    return build_bundle(make_plan(tmp_path, persons), out, app_version="t", workers=1, **kw)


def _aside(tmp_path: Path) -> Path:
    [aside] = [p for p in tmp_path.iterdir() if ASIDE_TAG in p.name]
    return aside


def test_manifest_carries_format_marker_and_listing_hash(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "out"
    _export(tmp_path, two_persons[:1], out)
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert data["format"] == "chuding-bundle/1"
    assert data["listing_sha256"] == listing_sha256(data["files"]) and len(data["listing_sha256"]) == 64
    assert load_manifest(out).listing_sha256 == data["listing_sha256"]


def test_reexport_keeps_files_the_officer_added_or_changed(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "out"
    _export(tmp_path, two_persons[:1], out)
    (out / "thesis.docx").write_bytes(b"precious")
    (out / "photos").mkdir()
    (out / "photos" / "a.jpg").write_bytes(b"jpeg")
    (out / "empty").mkdir()
    person_file = next((out / "01_测试甲").glob("*.pdf"))
    (out / "01_测试甲" / "笔记.txt").write_text("officer's note", encoding="utf-8")
    person_file.write_bytes(b"re-scanned by the officer")  # a listed file the officer changed
    result = _export(tmp_path, two_persons, out)
    assert verify_bundle(out).ok and (out / "02_测试乙").is_dir()
    assert not (out / "thesis.docx").exists() and not (out / "photos").exists()
    aside = _aside(tmp_path)
    assert (aside / "thesis.docx").read_bytes() == b"precious"
    assert (aside / "photos" / "a.jpg").read_bytes() == b"jpeg" and (aside / "empty").is_dir()
    assert (aside / "01_测试甲" / "笔记.txt").read_text(encoding="utf-8") == "officer's note"
    assert (aside / "01_测试甲" / person_file.name).read_bytes() == b"re-scanned by the officer"
    assert any("未删除，已移到" in w and str(aside) in w for w in result.warnings), result.warnings
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.")]  # no leftovers


@pytest.mark.parametrize("what", ["no manifest", "foreign manifest", "edited listing", "traversal entry"])
def test_a_folder_that_is_not_an_intact_bundle_of_ours_is_refused(tmp_path: Path, two_persons: list,
                                                                   what: str) -> None:
    out = tmp_path / "out"
    outside = tmp_path / "victim.txt"
    outside.write_bytes(b"outside")
    if what == "no manifest":
        out.mkdir()
        (out / "thesis.docx").write_bytes(b"precious")
    else:
        _export(tmp_path, two_persons[:1], out)
        m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        if what == "foreign manifest":
            m["format"] = "other-tool/3"
        elif what == "edited listing":
            m["files"][0]["sha256"] = "0" * 64  # hand-edited, hash not recomputed
        else:  # an attacker recomputes the hash: the listed path itself is refused
            m["files"].append({"path": "../victim.txt", "size": 7, "sha256": "x", "kind": "unit"})
            m["listing_sha256"] = listing_sha256(m["files"])
        (out / "manifest.json").write_text(json.dumps(m, ensure_ascii=False), encoding="utf-8")
    before = sorted((p.relative_to(out).as_posix(), p.read_bytes()) for p in out.rglob("*") if p.is_file())
    with pytest.raises(ForeignFilesError) as ei:
        _export(tmp_path, two_persons, out)
    assert ei.value.exit_code == 3 and "不是空的" in ei.value.message and "空文件夹或新文件夹" in ei.value.message
    after = sorted((p.relative_to(out).as_posix(), p.read_bytes()) for p in out.rglob("*") if p.is_file())
    assert after == before and outside.read_bytes() == b"outside"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out", "victim.txt"])


def test_a_zip_of_someone_else_is_refused_and_kept(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "out"
    foreign = tmp_path / "out.zip"
    with zipfile.ZipFile(foreign, "w") as zf:  # even one holding a manifest.json at the right place
        zf.writestr("out/manifest.json", json.dumps({"format": "chuding-bundle/1", "files": []}))
        zf.writestr("out/thesis.docx", b"precious")
    data = foreign.read_bytes()
    with pytest.raises(ForeignFilesError, match="压缩文件") as ei:
        _export(tmp_path, two_persons[:1], out, make_zip=True)
    assert ei.value.exit_code == 3 and foreign.read_bytes() == data and not out.exists()
    _export(tmp_path, two_persons[:1], out)  # without --zip: exported, the zip left alone
    assert foreign.read_bytes() == data and verify_bundle(out).ok


def test_our_own_zip_is_replaced_and_a_changed_one_refused(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "out"
    _export(tmp_path, two_persons[:1], out, make_zip=True)
    assert zip_is_ours(tmp_path / "out.zip", "out")
    _export(tmp_path, two_persons, out, make_zip=True)
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        assert "out/02_测试乙/" in {n[: len("out/02_测试乙/")] for n in zf.namelist()}
    with zipfile.ZipFile(tmp_path / "out.zip", "a") as zf:  # the officer adds a file to the zip
        zf.writestr("out/extra.txt", b"mine")
    assert not zip_is_ours(tmp_path / "out.zip", "out")
    with pytest.raises(ForeignFilesError):
        check_export_target(out, make_zip=True)


def test_recovery_after_a_crash_keeps_the_officers_files(tmp_path: Path, two_persons: list) -> None:
    out = tmp_path / "out"
    _export(tmp_path, two_persons[:1], out)
    _export(tmp_path, two_persons, tmp_path / "new")
    old = tmp_path / ".out.old-abc123"
    os.replace(out, old)
    (old / "thesis.docx").write_bytes(b"precious")  # crash after the swap began, officer file inside
    os.replace(tmp_path / "new", out)
    recover_interrupted(out)
    assert not old.exists() and (_aside(tmp_path) / "thesis.docx").read_bytes() == b"precious"


def test_a_folder_given_as_target_that_is_a_file_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "afile"
    f.write_bytes(b"x")
    with pytest.raises(ForeignFilesError, match="是一个文件"):
        check_export_target(f)
    assert f.read_bytes() == b"x"
