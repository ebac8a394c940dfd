"""`chuding export` and `chuding verify-bundle` through the real CLI (subprocesses)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.core.test_bundle_support import AS_OF, NAME_BOX, PROFILE, eligible_person, scan_bytes
from tests.e2e.cli import ROOT, run_cli, run_json
from tests.pgmode import map_db_arg


def _complete_packet(db_path: Path, tmp: Path, person_key: str, *, big_summary_pages: int = 0) -> int:
    """Complete one eligible person's packet with the real services: missing slots get generated
    scans, the first ID-card page is masked (masking service), other mask pages marked 无需遮盖."""
    from app.masking.boxes import Box
    from app.models.db import open_database
    from app.policy.profiles import load_profile
    from app.services import masking
    from app.services.eligibility import check_persons
    from app.services.packet import add_documents, condition_applies, list_documents
    from app.services.roster import find_person

    db = open_database(db_path)
    try:
        profile = load_profile(PROFILE)
        p = find_person(db, person_key)
        [(_, v)] = check_persons([p], PROFILE, AS_OF)
        from app.documents.vault import vault_for
        from app.models.documents import Document

        with db.session() as s:  # a stale or too short item from the demo: supersede it (the officer would)
            for d in list_documents(db, p.id):
                stale = d.slot == "chsi_record" and d.issue_date != AS_OF
                short = d.slot == "work_summary" and d.word_count is not None and d.word_count < 2000
                if stale or short:
                    s.get(Document, d.id).status = "superseded"
        have = {(d.slot, d.year) for d in list_documents(db, p.id) if d.slot not in ("chsi_record", "work_summary")}
        with db.session() as s:
            from sqlalchemy import select

            active = {(d.slot, d.year) for d in s.scalars(select(Document).where(
                Document.person_id == p.id, Document.status == "active"))}
        have &= active
        have |= {k for k in active if k[0] in ("chsi_record", "work_summary")}
        for m in profile.materials:  # personal materials and the round's unit documents (公示 …)
            if m.issuer == "platform" or condition_applies(m.condition, p) is not True:
                continue
            for year in (v.required_years if m.per_year else [None]):
                if (m.slot, year) in have:
                    continue
                f = tmp / f"{m.slot}_{year}.jpg"
                f.write_bytes(scan_bytes(hash((m.slot, year)) % 997, size=(620, 877)))
                add_documents(db, p.id, m.slot, [f], year, issue_date=AS_OF if m.slot == "chsi_record" else None)
        if big_summary_pages:
            files = []
            for i in range(big_summary_pages):
                f = tmp / f"summary_{i}.jpg"
                f.write_bytes(scan_bytes(i % 3, size=(1654, 2339), noise=8))
                files.append(f)
            add_documents(db, p.id, "work_summary", files[: big_summary_pages // 2])
            add_documents(db, p.id, "work_summary", files[big_summary_pages // 2:])
        docs = list_documents(db, p.id)
        assert vault_for(db).root.is_dir()
        first = True
        for d in docs:
            spec = profile.material(d.slot)
            for pg in d.pages:
                if spec is None or not spec.mask:
                    continue
                if first and d.slot == "id_card" and pg.kind == "jpeg":
                    masking.save_page_boxes(db, pg.id, [Box(**NAME_BOX)])
                    masking.mask_page(db, pg.id, ocr=False)
                    first = False
                else:
                    masking.set_not_needed(db, pg.id)
        return int(p.id)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def demo_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("demo")
    env = {"CHUDING_DATA_DIR": str(root / "data")}
    os.environ["CHUDING_DATA_DIR"] = env["CHUDING_DATA_DIR"]
    db = root / "demo.sqlite3"
    r = run_cli("demo", db=db, env=env)
    assert r.returncode == 0, r.stderr
    _complete_packet(db, root, "艾力·示例")
    r = run_cli("export", "-o", root / "out", "--as-of", AS_OF.isoformat(), "--zip", db=db, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    return root, db, env


def test_demo_export_is_verified(demo_export) -> None:
    root, _db, env = demo_export
    out = root / "out"
    assert (out / "01_艾力·示例" / "01_身份证.pdf").is_file()
    assert (root / "out.zip").is_file()
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in m["persons"]] == ["艾力·示例", "李晓雯"]  # the demo's two ready persons
    assert any(pm["state"] == "masked" for f in m["files"] for pm in f["mask_pages"])
    r = run_cli("verify-bundle", out, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "复核通过" in r.stdout


def test_verify_bundle_json_and_tamper_exit_codes(demo_export, tmp_path: Path) -> None:
    import shutil

    root, _db, env = demo_export
    out = tmp_path / "copy"
    shutil.copytree(root / "out", out)
    pdf = out / "01_艾力·示例" / "01_身份证.pdf"
    data = bytearray(pdf.read_bytes())
    data[-20] ^= 0xFF
    pdf.write_bytes(bytes(data))
    (out / "多余.txt").write_text("x", encoding="utf-8")
    r = run_cli("verify-bundle", out, "--json", env=env)
    assert r.returncode == 1
    payload = json.loads(r.stdout)
    assert payload["ok"] is False
    assert {p["name"] for p in payload["problems"]} == {"hash", "extra_file"}
    r = run_cli("verify-bundle", tmp_path / "nothing-here", env=env)
    assert r.returncode == 3 and "找不到" in r.stderr


def test_export_blockers_exit_1_with_json_report(demo_export) -> None:
    root, db, env = demo_export
    r = run_cli("export", "-o", root / "out2", "--person", "马建国", "--as-of", AS_OF.isoformat(), "--json",
                db=db, env=env)
    assert r.returncode == 1
    payload = json.loads(r.stdout)
    assert payload["exported"] is False and payload["blockers"]
    b = payload["blockers"][0]
    assert {"person_id", "slot", "page_index", "message"} <= set(b)
    assert not (root / "out2").exists()


def test_sigkill_mid_export_leaves_old_bundle_intact(tmp_path: Path, make_id) -> None:
    """Kill -9 an export while it writes: the previous bundle is untouched, no partial bundle shows up,
    and the next export cleans up and completes."""
    from app.models.db import open_database
    from app.services.roster import save_person

    env = {"CHUDING_DATA_DIR": str(tmp_path / "data")}
    db_path = tmp_path / "k.sqlite3"
    db = open_database(db_path)
    p = eligible_person(make_id(), "杀测甲")
    p.id = None
    save_person(db, p)
    db.dispose()
    _complete_packet(db_path, tmp_path, "杀测甲")
    out = tmp_path / "out"
    r = run_cli("export", "-o", out, "--as-of", AS_OF.isoformat(), db=db_path, env=env)
    assert r.returncode == 0, r.stderr
    before = {f.relative_to(out): f.read_bytes() for f in out.rglob("*") if f.is_file()}

    # Make the next export long: many big noisy pages that must be compressed.
    _complete_packet(db_path, tmp_path, "杀测甲", big_summary_pages=24)
    cmd = [sys.executable, "-m", "app.cli", "--db", str(map_db_arg(db_path)), "export", "-o", str(out),
           "--as-of", AS_OF.isoformat(), "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 90
    building: list[Path] = []
    while time.monotonic() < deadline:
        building = [b for b in tmp_path.glob(".out.building-*") if any(x.is_file() for x in b.rglob("*"))]
        if building or proc.poll() is not None:
            break
        time.sleep(0.05)
    assert building and proc.poll() is None, "export finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    after = {f.relative_to(out): f.read_bytes() for f in out.rglob("*") if f.is_file()}
    assert after == before
    visible = sorted(x.name for x in tmp_path.iterdir() if not x.name.startswith("."))
    assert "out" in visible and not any(n.startswith("out") and n != "out" for n in visible)
    r = run_cli("verify-bundle", out, env=env)
    assert r.returncode == 0, r.stdout
    # The next export removes the leftover and replaces the bundle.
    r = run_cli("export", "-o", out, "--as-of", AS_OF.isoformat(), db=db_path, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert not list(tmp_path.glob(".out.*"))
    code, payload, _ = run_json("verify-bundle", out)
    assert code == 0 and payload["ok"]
