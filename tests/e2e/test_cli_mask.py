"""`chuding mask suggest|apply|verify` as a user runs them (subprocess, real files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures.masking.docs import ID_NUMBER, NAME, UNIT, certificate_image, text_page_image, text_pdf
from tests.pgmode import map_db_arg

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "app.cli", *args, "--db", str(map_db_arg(db))], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)


def test_suggest_apply_verify_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "cert.jpg"
    certificate_image(size=(827, 1170)).save(src, quality=85, comment=NAME.encode())
    db = tmp_path / "t.sqlite3"
    r = _run("mask", "suggest", str(src), "--only", "seal", "-o", str(tmp_path / "b.json"), db=db)
    assert r.returncode == 0, r.stderr
    boxes = json.loads((tmp_path / "b.json").read_text("utf-8"))
    assert [b["category"] for b in boxes["pages"][0]["boxes"]] == ["seal"]
    boxes["pages"][0]["boxes"].append({"category": "name", "x0": 0.15, "y0": 0.2, "x1": 0.45, "y1": 0.235,
                                       "score": 1, "source": "manual"})
    (tmp_path / "b.json").write_text(json.dumps(boxes), "utf-8")

    out = tmp_path / "masked.jpg"
    # the unit's name and the ID number are left unboxed on purpose: the residual check lists them
    r = _run("--json", "mask", "apply", str(src), "--boxes", str(tmp_path / "b.json"), "-o", str(out),
             "--secret", NAME, "--secret", UNIT, "--secret", ID_NUMBER, "--no-ocr", "--accept-residual", db=db)
    assert r.returncode == 0, r.stderr
    payload = json.loads(r.stdout)
    assert payload["verify"]["ok"] is True and payload["audit_id"] == 1 and out.exists()
    assert payload["residual"] and {r["category"] for r in payload["residual"]} == {"other"}

    r = _run("--json", "mask", "verify", str(out), "--boxes", str(tmp_path / "b.json"), "--secret", NAME,
             "--original", str(src), "--no-ocr", db=db)
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["ok"] is True and {c["name"] for c in rep["checks"]} >= {"boxes_filled", "no_secrets"}
    assert all(set(c) == {"name", "ok", "detail"} for c in rep["checks"])


def test_verify_of_an_unmasked_pdf_fails_with_checks(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "t.pdf", pages=1, extras=True, incremental=True)
    (tmp_path / "b.json").write_text('{"pages": [{"index": 0, "boxes": []}]}', "utf-8")
    r = _run("--json", "mask", "verify", str(src), "--boxes", str(tmp_path / "b.json"), "--secret", NAME,
             "--no-ocr", db=tmp_path / "t.sqlite3")
    assert r.returncode == 1
    rep = json.loads(r.stdout)
    failed = {c["name"] for c in rep["checks"] if not c["ok"]}
    assert {"no_text", "no_metadata", "single_revision", "no_secrets", "structure"} <= failed
    assert NAME not in r.stdout


def test_apply_failure_writes_nothing_and_exits_1(tmp_path: Path) -> None:
    src = text_pdf(tmp_path / "t.pdf", pages=1)
    (tmp_path / "b.json").write_text('{"pages": []}', "utf-8")
    # "Catalog" is in every PDF's structure: the verifier must refuse the output
    r = _run("mask", "apply", str(src), "--boxes", str(tmp_path / "b.json"), "-o", str(tmp_path / "o.pdf"),
             "--secret", "Catalog", "--no-ocr", "--not-needed", db=tmp_path / "t.sqlite3")
    assert r.returncode == 1
    assert "未通过校验" in r.stderr and "不含敏感字符串" in r.stderr
    assert not (tmp_path / "o.pdf").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".o.pdf")]


def test_bad_inputs_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "t.sqlite3"
    (tmp_path / "b.json").write_text('{"pages": [{"index": 0, "boxes": [{"x0": 2}]}]}', "utf-8")
    src = tmp_path / "a.jpg"
    certificate_image(size=(200, 280), seal=False).save(src)
    r = _run("mask", "apply", str(src), "--boxes", str(tmp_path / "b.json"), "-o", str(tmp_path / "o.jpg"), db=db)
    assert r.returncode == 3 and "遮盖框文件" in r.stderr
    (tmp_path / "b.json").write_text('{"pages": []}', "utf-8")
    r = _run("mask", "apply", str(src), "--boxes", str(tmp_path / "b.json"), "-o", str(tmp_path / "o.pdf"),
             "--not-needed", db=db)
    assert r.returncode == 2 and "输出文件类型" in r.stderr
    assert not (tmp_path / "o.jpg").exists() and not (tmp_path / "o.pdf").exists()


def test_residual_check_finds_a_second_occurrence_of_the_name(tmp_path: Path) -> None:
    src = tmp_path / "letter.png"
    text_page_image([(f"申报人：{NAME}", 0.1, 0.15, 15), ("本人承诺所填报材料真实有效。", 0.1, 0.22, 15),
                     (f"承诺人：{NAME}", 0.5, 0.5, 15)], size=(1240, 1754)).save(src)
    db = tmp_path / "t.sqlite3"
    boxes = tmp_path / "b.json"  # only the first occurrence is boxed
    boxes.write_text(json.dumps({"pages": [{"index": 0, "boxes": [
        {"category": "name", "x0": 0.2, "y0": 0.125, "x1": 0.5, "y1": 0.16, "score": 1, "source": "manual"}]}]}),
        "utf-8")
    out = tmp_path / "o.png"
    r = _run("--json", "mask", "apply", str(src), "--boxes", str(boxes), "-o", str(out), "--secret", NAME, db=db)
    assert r.returncode == 1, r.stderr
    payload = json.loads(r.stdout)
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".o")]
    (res,) = payload["residual"]
    assert set(res) == {"page", "category", "x0", "y0", "x1", "y1"} and res["page"] == 0
    assert res["x1"] >= 0.5 and res["y0"] < 0.5 < res["y1"]  # the signature line, outside the box
    assert NAME not in r.stdout and NAME not in r.stderr and "未写出文件" in r.stderr

    r = _run("--json", "mask", "apply", str(src), "--boxes", str(boxes), "-o", str(out), "--secret", NAME,
             "--accept-residual", db=db)
    assert r.returncode == 0 and out.exists(), r.stderr
    assert len(json.loads(r.stdout)["residual"]) == 1
    r = _run("--json", "mask", "verify", str(out), "--boxes", str(boxes), "--secret", NAME, db=db)
    assert r.returncode == 1 and len(json.loads(r.stdout)["residual"]) == 1 and not json.loads(r.stdout)["ok"]
    r = _run("--json", "mask", "verify", str(out), "--boxes", str(boxes), "--secret", NAME, "--accept-residual",
             db=db)
    assert r.returncode == 0 and json.loads(r.stdout)["ok"] is True

    # boxed too: nothing left
    boxes.write_text(json.dumps({"pages": [{"index": 0, "boxes": [
        {"category": "name", "x0": 0.2, "y0": 0.125, "x1": 0.5, "y1": 0.16, "score": 1, "source": "manual"},
        {"category": "name", "x0": 0.6, "y0": 0.475, "x1": 0.9, "y1": 0.51, "score": 1, "source": "manual"}]}]}),
        "utf-8")
    r = _run("--json", "mask", "apply", str(src), "--boxes", str(boxes), "-o", str(tmp_path / "o2.png"),
             "--secret", NAME, db=db)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["residual"] == []


def test_apply_with_no_box_is_refused_unless_not_needed_is_stated(tmp_path: Path) -> None:
    """#13 item 12: an empty boxes file masks nothing — refused; --not-needed records the decision."""
    src = tmp_path / "contract.jpg"
    certificate_image(size=(400, 560), seal=False).save(src, comment=ID_NUMBER.encode())
    (tmp_path / "b.json").write_text('{"pages": [{"index": 0, "boxes": []}]}', "utf-8")
    db = tmp_path / "t.sqlite3"
    out = tmp_path / "o.jpg"
    r = _run("mask", "apply", str(src), "--boxes", str(tmp_path / "b.json"), "-o", str(out), "--no-ocr", db=db)
    assert r.returncode == 2 and "没有任何遮盖框" in r.stderr and "--not-needed" in r.stderr
    assert not out.exists()
    r = _run("--json", "mask", "apply", str(src), "--boxes", str(tmp_path / "b.json"), "-o", str(out), "--no-ocr",
             "--not-needed", db=db, )
    assert r.returncode == 0, r.stderr
    assert ID_NUMBER.encode() not in out.read_bytes()  # a verified copy: the comment is gone
    from app.models.db import open_database
    from app.services.masking import list_audits

    d = open_database(db)
    (audit,) = list_audits(d)
    d.dispose()
    assert audit["decision"] == "not_needed" and audit["officer"] and audit["created_at"]
