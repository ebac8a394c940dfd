"""`chuding mask suggest|apply|verify` as a user runs them (subprocess, real files)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.fixtures.masking.docs import ID_NUMBER, NAME, UNIT, certificate_image, text_pdf

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    return subprocess.run([sys.executable, "-m", "app.cli", *args, "--db", str(db)], cwd=ROOT, env=env,
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
    r = _run("--json", "mask", "apply", str(src), "--boxes", str(tmp_path / "b.json"), "-o", str(out),
             "--secret", NAME, "--secret", UNIT, "--secret", ID_NUMBER, "--no-ocr", db=db)
    assert r.returncode == 0, r.stderr
    payload = json.loads(r.stdout)
    assert payload["verify"]["ok"] is True and payload["audit_id"] == 1 and out.exists()

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
