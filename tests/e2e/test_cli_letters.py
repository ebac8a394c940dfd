"""`chuding letters` and `chuding form` as subprocesses against a real database file."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest

from app.domain.person import Education, PersonData, UnitData
from tests.pgmode import map_db_arg


def _cli(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", "--db", str(map_db_arg(db)), *args],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def db_file(tmp_path: Path, make_id) -> Path:
    from app.models.db import open_database
    from app.services.roster import save_person

    path = tmp_path / "cli.sqlite3"
    db = open_database(path)
    save_person(db, PersonData(
        name="测试甲", gender="男", ethnicity="汉族", political_status="群众", id_number=make_id(dt.date(2000, 5, 1)),
        series="工程", specialty="电力", position="技术员", work_start=dt.date(2023, 7, 10),
        unit=UnitData(name="测试科技有限公司", nature="民营企业", location="乌鲁木齐市", level="地州市"),
        educations=[Education(level="本科", mode="全日制", graduation_date=dt.date(2023, 6, 30))],
        assessments={2024: "合格"}))
    db.dispose()
    return path


def test_letters_then_form(db_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "letters"
    from app.models.db import open_database
    from app.services.letters import get_inputs, save_inputs

    db = open_database(db_file)
    save_inputs(db, 1, political="思想端正。", achievements="完成巡检。")
    db.dispose()
    r = _cli(db_file, "letter-input", "测试甲", "--summary", "工作总结摘要文字。")
    assert r.returncode == 0, r.stderr
    r = _cli(db_file, "--json", "letters", "测试甲", "--kind", "gongshi", "-o", str(out), "--start", "2025-03-03",
             "--profile", "urumqi-private-2025", "--office", "综合部", "--phone", "0991-2222222")
    assert r.returncode == 0, r.stderr
    payload = json.loads(r.stdout)
    assert payload["missing"] == []
    assert payload["publicity"]["days"] == ["2025-03-03", "2025-03-04", "2025-03-05", "2025-03-06", "2025-03-07"]
    assert Path(payload["files"][0]).is_file()
    db = open_database(db_file)
    assert get_inputs(db, 1).publicity_start == dt.date(2025, 3, 3)
    db.dispose()

    r = _cli(db_file, "letters", "测试甲", "--kind", "gongshi-result", "-o", str(out), "--profile", "urumqi-private-2025")
    assert r.returncode == 0, r.stderr
    assert "共 5 个工作日" in r.stdout and (out / "公示结果_测试甲.docx").is_file()

    pdf = tmp_path / "form.pdf"
    r = _cli(db_file, "--json", "form", "测试甲", "-o", str(pdf), "--profile", "urumqi-private-2025")
    assert r.returncode != 0 and "不要求纸质呈报表" in r.stderr and not pdf.exists()  # 001 asks for none
    r = _cli(db_file, "--json", "form", "测试甲", "-o", str(pdf), "--profile", "korla-2024")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["pages"] == 4
    with pymupdf.open(pdf) as doc:
        assert doc.page_count == 4 and "工作总结摘要文字。" in doc[1].get_text()


def test_draft_with_missing_fields_exits_1_and_names_them(db_file: Path, tmp_path: Path) -> None:
    r = _cli(db_file, "letters", "测试甲", "--kind", "gongshi", "-o", str(tmp_path / "o"), "--profile", "korla-2024")
    assert r.returncode == 1
    assert "思想政治条件" in r.stdout and "公示起始日期" in r.stdout
    assert (tmp_path / "o" / "推荐单位公示_测试甲.docx").is_file()
    r = _cli(db_file, "--json", "wordcount", str(tmp_path / "o" / "推荐单位公示_测试甲.docx"), "--profile", "korla-2024")
    assert r.returncode == 1
    counted = json.loads(r.stdout)
    assert counted["range"] == [1000, None] and 0 < counted["total"] < 1000 and counted["ok"] is False


def test_bad_input_is_refused_with_chinese_messages(db_file: Path, tmp_path: Path) -> None:
    r = _cli(db_file, "letters", "测试甲", "--kind", "gongshi", "-o", str(tmp_path), "--days", "3")
    assert r.returncode == 2 and "不得少于 5 个工作日" in r.stderr
    r = _cli(db_file, "letters", "无此人", "--kind", "gongshi", "-o", str(tmp_path))
    assert r.returncode == 2 and "找不到人员" in r.stderr
    r = _cli(db_file, "form", "测试甲")
    assert r.returncode == 2
    assert not list(tmp_path.glob("*.docx"))
