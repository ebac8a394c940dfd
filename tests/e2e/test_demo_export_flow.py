"""The product's promise in one line: `chuding demo && chuding export -o out && chuding verify-bundle out`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.cli import run_cli, run_json


def test_demo_then_export_then_verify(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    code, summary, err = run_json("demo", db=db)
    assert code == 0, err
    assert len(summary["ready_persons"]) == 2 and summary["masked_pages"] >= 10
    out = tmp_path / "out"
    r = run_cli("export", "-o", out, db=db)
    assert r.returncode == 0, r.stderr + r.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    people = {f["path"].split("/")[0] for f in manifest["files"] if "/" in f["path"]}
    assert {p for p in people if p[:2].isdigit() and p[:2] != "00"} == {"01_艾力·示例", "02_李晓雯"}
    r = run_cli("verify-bundle", out, db=db)
    assert r.returncode == 0 and "复核通过" in r.stdout, r.stderr + r.stdout
    # and tampering with one masked file is caught
    victim = next((out / "01_艾力·示例").glob("01_*.pdf"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    assert run_cli("verify-bundle", out, db=db).returncode == 1


def test_ready_demo_pages_are_masked_where_the_name_was(tmp_path: Path) -> None:
    """The demo's boxes come from drawing each document twice; check they cover the drawn name."""
    import numpy as np

    from app.documents import demo_scans as ds
    from app.services.demo import demo_people
    from app.services.demo_ready import mask_boxes_for

    p = demo_people()[0]
    _blob, boxes = mask_boxes_for(lambda q: ds.id_card_front(q, 1), p)
    assert {b.category for b in boxes[0]} == {"eyes", "name"}
    names = [b for b in boxes[0] if b.category == "name"]  # "艾力·示例": the dot is not a secret
    # the name is drawn from x=190, y=56 on a 1012×638 card
    assert min(b.x0 for b in names) < 195 / 1012 and all(b.y0 < 75 / 638 < b.y1 for b in names)
    _blob, boxes = mask_boxes_for(lambda q: ds.assessment_form(q, 2024, "合格", 5), p)
    assert any(b.category == "seal" for b in boxes[1]) and any(b.category == "name" for b in boxes[0])
    assert np.all([0 <= b.x0 < b.x1 <= 1 and 0 <= b.y0 < b.y1 <= 1 for page in boxes for b in page])
