"""`chuding roster template|import|export` as a subprocess, the way officers and scripts run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import openpyxl

from tests.pgmode import map_db_arg

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-m", "app.cli", "--db", str(map_db_arg(db)), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_template_import_report_update_export(tmp_path: Path, make_id: Callable[..., str]) -> None:
    db = tmp_path / "cli.sqlite3"
    template = tmp_path / "模板.xlsx"
    r = run("roster", "template", str(template), db=db)
    assert r.returncode == 0, r.stderr
    assert "模板已生成" in r.stdout
    wb = openpyxl.load_workbook(template)
    ws = wb["花名册"]
    headers = [c.value for c in ws[1]]

    def row(**values: object) -> list[object]:
        return [values.get(h) for h in headers]

    good, other = make_id(male=True), make_id(male=False)
    ws.append(row(姓名="甲", 性别="男", 身份证号=good, 学历="本科", 毕业日期="2022-06-30"))
    ws.append(row(姓名="乙", 性别="男", 身份证号=other, 学历="本科"))  # gender contradicts the ID number
    wb.save(template)

    r = run("roster", "import", str(template), db=db)
    assert r.returncode == 1, r.stderr
    assert "新增 1 人" in r.stdout and "拒绝 1 行" in r.stdout
    assert "行号" in r.stdout and "性别与身份证号不符" in r.stdout
    line = next(x for x in r.stdout.splitlines() if "性别与身份证号不符" in x)
    assert line.split()[:2] == ["3", "身份证号"]

    r = run("roster", "import", str(template), db=db)  # again: the duplicate names the CLI's option
    assert "“更新已有人员”（命令行：--update）" in r.stdout, r.stdout
    r = run("--json", "roster", "import", str(template), db=db)
    assert r.returncode == 1
    report = json.loads(r.stdout)
    assert report["created"] == 0 and report["ok"] is False
    assert [(d["row"], d["column"]) for d in report["duplicates"]] == [(2, "身份证号")]
    assert report["rejected"][0]["row"] == 3

    ws.delete_rows(3)
    ws.cell(row=2, column=headers.index("学历") + 1, value="硕士研究生")
    wb.save(template)
    r = run("roster", "import", "--update", str(template), db=db)
    assert r.returncode == 0, r.stderr
    assert "更新 1 人" in r.stdout and "拒绝 0 行" in r.stdout

    out = tmp_path / "导出.csv"
    r = run("roster", "export", "--with-check", "--as-of", "2025-03-17", str(out), db=db)
    assert r.returncode == 0, r.stderr
    assert "已导出 1 人" in r.stdout
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].endswith("申报结论,申报路径,申报级别,可申报职称,最早可申报日期,原因,缺少信息")
    assert good in lines[1] and "硕士研究生" in lines[1]
    assert any(status in lines[1] for status in ("可申报", "待满年限", "不符合", "信息不全"))


def test_bad_inputs_exit_codes(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite3"
    pdf = tmp_path / "花名册.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n")
    r = run("roster", "import", str(pdf), db=db)
    assert r.returncode == 3
    assert "PDF" in r.stderr and r.stdout == ""
    r = run("roster", "template", str(tmp_path / "模板.pdf"), db=db)
    assert r.returncode == 2 and ".xlsx" in r.stderr
    assert not (tmp_path / "模板.pdf").exists()
