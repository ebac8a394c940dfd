"""`chuding round unit add|list|remove` on a real database: the round's own unit documents, with
``round show`` and ``status`` saying where each comes from."""

from __future__ import annotations

from pathlib import Path

from app.errors import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE
from tests.core.test_bundle_support import scan_bytes
from tests.e2e.cli import run_cli, run_json


def test_round_unit_add_list_remove_and_status(tmp_path: Path) -> None:
    db = tmp_path / "u.sqlite3"
    scan = tmp_path / "公示_盖章.jpg"
    scan.write_bytes(scan_bytes(3, size=(620, 877)))
    code, data, err = run_json("round", "unit", "list", db=db)
    assert code == EXIT_OK, err
    assert data["files"] == [] and {u["source"] for u in data["unit_documents"]} == {"missing"}
    slots = [u["slot"] for u in data["unit_documents"]]
    assert "gongshi" in slots

    code, data, err = run_json("round", "unit", "add", "gongshi", scan, db=db)
    assert code == EXIT_OK, err
    added = data["added"]
    assert added["person_id"] is None and added["round_id"] and added["pages"] == 1
    [f] = data["files"]
    assert (f["id"], f["slot"]) == (added["document_id"], "gongshi")
    states = {u["slot"]: u for u in data["unit_documents"]}
    assert states["gongshi"]["status"] == "已提供" and states["gongshi"]["source"] == "unit"

    code, show, err = run_json("round", "show", db=db)
    assert {u["slot"]: u["source"] for u in show["unit_documents"]}["gongshi"] == "unit"
    code, status, err = run_json("status", db=db)
    [g] = [u for u in status["unit"]["documents"] if u["slot"] == "gongshi"]
    assert (g["source"], g["document_ids"]) == ("unit", [added["document_id"]])

    # a slot the round does not hold as a unit document, a broken file: clear messages, nothing stored
    r = run_cli("round", "unit", "add", "id_card", scan, db=db)
    assert r.returncode == EXIT_USAGE and "单位材料中没有" in r.stderr
    bad = tmp_path / "坏.pdf"
    bad.write_bytes(b"%PDF-1.4 broken")
    r = run_cli("round", "unit", "add", "recommendation", bad, db=db)
    assert r.returncode == EXIT_BAD_INPUT and r.stderr.strip()
    code, data, err = run_json("round", "unit", "remove", str(added["document_id"]), db=db)
    assert code == EXIT_OK and data["files"] == []
    r = run_cli("round", "unit", "list", db=db)
    assert r.returncode == EXIT_OK and "缺失" in r.stdout
