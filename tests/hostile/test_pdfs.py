"""Hostile PDFs through `chuding mask apply` and `mask verify` (real subprocesses): each case ends in a
verified clean output or a clear Chinese refusal with nothing written — never a leak (issue #13)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pymupdf
import pytest

from app.masking.verify import secret_forms
from tests.e2e.cli import run_cli
from tests.hostile.pdfs import CASES, Case

CJK = re.compile(r"[\u4e00-\u9fff]")


def _no_secret_anywhere(case: Case, out: Path) -> None:
    data = out.read_bytes()
    for secret in case.secrets:
        for form in secret_forms(secret):
            if len(form) >= 6:
                assert form not in data, f"{case.name}: a form of a secret is in the output"
    with pymupdf.open(out) as doc:
        assert not doc.embfile_count() and not doc.is_form_pdf and not (doc.get_xml_metadata() or "").strip()
        for page in doc:
            assert page.first_annot is None and page.first_widget is None and not page.get_text().strip()


@pytest.mark.parametrize("make", CASES, ids=[m.__name__ for m in CASES])
def test_hostile_pdf_is_masked_cleanly_or_refused(make, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    case: Case = make(tmp_path)
    boxes = tmp_path / "boxes.json"
    boxes.write_text(json.dumps(case.boxes_json()), "utf-8")
    out = tmp_path / "out" / "masked.pdf"
    secrets = [a for s in case.secrets for a in ("--secret", s)]
    db = tmp_path / "t.sqlite3"
    r = run_cli("mask", "apply", case.path, "--boxes", boxes, "-o", out, *secrets, "--no-ocr", db=db, timeout=300)
    if r.returncode == 0:
        assert case.expect in ("clean", "either"), f"{case.name} should have been refused: {case.why}"
        _no_secret_anywhere(case, out)
        v = run_cli("mask", "verify", out, "--boxes", boxes, *secrets, "--original", case.path, "--no-ocr", db=db,
                    timeout=300)
        assert v.returncode == 0, v.stdout + v.stderr
    else:
        assert case.expect in ("refuse", "either"), f"{case.name} refused: {r.stderr}"
        assert r.returncode in (1, 2, 3) and CJK.search(r.stderr), r.stderr
        assert "Traceback" not in r.stderr and "内部错误" not in r.stderr
        for secret in case.secrets:
            assert secret not in r.stderr + r.stdout  # the message never quotes what it protects
        assert not out.exists() and not (out.parent.exists() and any(out.parent.iterdir()))
