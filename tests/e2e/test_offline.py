"""No network access at run time: a whole workflow with every socket connection refused.

The officer's PC may be on a government network where any outbound connection is a finding. With
``socket.socket.connect``/``connect_ex``, ``socket.create_connection`` and name resolution made to raise,
the CLI (in this process) runs demo → check → docs export → mask suggest → mask apply → letters → form →
export → verify-bundle, and every step must succeed without trying to connect anywhere.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest

from app.cli import main

ATTEMPTS: list[str] = []


def _refuse(*args: Any, **kwargs: Any) -> Any:
    ATTEMPTS.append(repr(args[1:] or kwargs)[:200])
    raise OSError("network access blocked by test_offline")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    ATTEMPTS.clear()
    monkeypatch.setattr(socket.socket, "connect", _refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", _refuse)
    monkeypatch.setattr(socket, "create_connection", _refuse)
    monkeypatch.setattr(socket, "getaddrinfo", _refuse)
    return ATTEMPTS


def test_blocker_really_blocks(no_network: list[str]) -> None:
    with pytest.raises(OSError), socket.socket() as s:
        s.connect(("127.0.0.1", 9))
    assert no_network


def _cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str | Path, ok: tuple[int, ...] = (0,)) -> Any:
    code = main(["--db", str(db), "--json", *[str(a) for a in args]])
    out = capsys.readouterr()
    assert code in ok, f"{args}: {out.err}\n{out.out}"
    return json.loads(out.out) if out.out.strip() else None


@pytest.mark.slow
def test_full_workflow_without_network(no_network: list[str], tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    work = tmp_path / "工作 目录"  # a space and Chinese characters, as in a Windows user folder
    work.mkdir()
    db = work / "申报 数据.sqlite3"
    demo = _cli(capsys, db, "demo")
    person = demo["ready_persons"][0]
    verdicts = _cli(capsys, db, "check", ok=(0, 1))  # 1: some of the demo staff are not eligible yet
    assert any(v["eligible"] for v in verdicts)
    assert _cli(capsys, db, "docs", "list", person)["documents"]
    from app.documents import demo_scans
    from app.services.demo import demo_people

    scan = work / "身份证 扫描件.jpg"  # an unmasked scan, as the officer would add one
    scan.write_bytes(demo_scans.id_card_front(demo_people()[0], 1))
    boxes = work / "遮盖框.json"
    _cli(capsys, db, "mask", "suggest", "--name", demo_people()[0].name, "-o", boxes, scan)
    found = json.loads(boxes.read_text(encoding="utf-8"))["pages"]
    assert sum(len(p["boxes"]) for p in found) > 0  # the OCR/eye models loaded and found the name/eyes
    _cli(capsys, db, "mask", "apply", "--boxes", boxes, "-o", work / "已遮盖.jpg", "--no-audit", scan)
    assert (work / "已遮盖.jpg").stat().st_size > 0
    _cli(capsys, db, "letters", "--kind", "tuijian", "-o", work / "信函", person, ok=(0, 1))  # 1: dates warned
    assert list((work / "信函").rglob("*.docx"))
    _cli(capsys, db, "form", "--profile", "korla-2024", "-o", work / "呈报表 草稿.pdf", person)  # asks for it
    out = work / "导出 材料包"
    _cli(capsys, db, "export", "-o", out)
    _cli(capsys, db, "verify-bundle", out)
    assert no_network == [], f"connection attempts: {no_network}"
