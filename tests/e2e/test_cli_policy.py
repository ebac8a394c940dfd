"""`chuding check` and `chuding workdays` through a real subprocess (DESIGN.md CLI contract)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.e2e.cli import run_cli, run_json

HEADERS = ["姓名", "性别", "身份证号", "学历", "学习形式", "毕业日期", "参加专业技术工作日期", "系列", "申报专业",
           "单位名称", "单位性质", "单位所在地", "单位层级", "是否派驻", "人员状态", "劳动合同", "首次申报", "考核结果"]


def _row(name: str, id_number: str, **kw: str) -> list[str]:
    base = {"姓名": name, "性别": "男", "身份证号": id_number, "学历": "本科", "学习形式": "全日制",
            "毕业日期": "2023-06-30", "参加专业技术工作日期": "2023-07-10", "系列": "工程", "申报专业": "电力",
            "单位名称": "新疆示例科技有限公司", "单位性质": "民营企业", "单位所在地": "乌鲁木齐市", "单位层级": "地州市",
            "是否派驻": "否", "人员状态": "在职", "劳动合同": "有", "首次申报": "是", "考核结果": "2023:合格;2024:优秀"}
    base.update(kw)
    return [base[h] for h in HEADERS]


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    text = "\n".join(",".join(r) for r in [HEADERS, *rows]) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_input_file_json(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    ok_id, late_id, acct_id = make_id(), make_id(), make_id()
    f = _write_csv(tmp_path / "roster.csv", [
        _row("示例甲", ok_id),
        _row("示例乙", late_id, **{"毕业日期": "2024-06-28", "参加专业技术工作日期": "2024-07-15"}),
        _row("示例丙", acct_id, **{"系列": "会计", "申报专业": "会计"}),
    ])
    db = tmp_path / "empty.sqlite3"
    code, out, err = run_json("check", "--input", f, "--profile", "urumqi-private-2025", "--as-of", "2025-03-17", db=db)
    assert code == 1, err
    assert [o["id_number"] for o in out] == [ok_id, late_id, acct_id]
    first, late, acct = out
    for o in out:
        assert {"id_number", "name", "eligible", "route", "level", "title", "earliest_date", "reasons", "missing"} <= set(o)
        assert all({"code", "message", "source"} <= set(r) for r in o["reasons"])
    assert (first["eligible"], first["route"], first["level"], first["title"]) == (True, "初定", "初级", "助理工程师")
    assert late["eligible"] is False and late["earliest_date"] == "2025-07-15" and late["status"] == "待满年限"
    assert "AFTER_WINDOW" in {r["code"] for r in late["reasons"]}
    assert acct["eligible"] is False and "EXAM_ONLY_SERIES" in {r["code"] for r in acct["reasons"]}
    assert first["row"] == 2
    code, out2, _ = run_json("check", db=db)  # stateless: nothing was stored
    assert code == 0 and out2 == []


def test_check_input_all_eligible_exits_0_and_human_table(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    f = _write_csv(tmp_path / "ok.csv", [_row("示例丁", make_id())])
    r = run_cli("check", "--input", f, "--as-of", "2025-03-17", "--profile", "urumqi-private-2025",
                db=tmp_path / "x.sqlite3")
    assert r.returncode == 0, r.stderr
    assert "结论" in r.stdout and "可申报" in r.stdout and "示例丁" in r.stdout and "合计 1 人" in r.stdout


def test_check_missing_assessment_is_null_with_year(tmp_path: Path, make_id) -> None:  # type: ignore[no-untyped-def]
    f = _write_csv(tmp_path / "m.csv", [_row("示例戊", make_id(), **{"考核结果": "2023:合格"})])
    code, out, _ = run_json("check", "--input", f, "--as-of", "2025-03-17", "--profile", "urumqi-private-2025",
                            db=tmp_path / "x.sqlite3")
    assert code == 1 and out[0]["eligible"] is None and out[0]["missing"] == ["考核结果（2024年度）"]


def test_check_stored_demo_roster(tmp_path: Path) -> None:
    # the demo persons stored directly (the `demo` command also generates scans: slow and not needed here)
    from app.models.db import open_database
    from app.services.demo import demo_people
    from app.services.roster import save_person

    db = tmp_path / "demo.sqlite3"
    database = open_database(db)
    for p in demo_people():
        save_person(database, p)
    database.dispose()
    code, out, _ = run_json("check", "--profile", "urumqi-private-2025", db=db)  # profile default as-of: 2025-03-17
    assert code == 1 and len(out) == 20
    by_name = {o["name"]: o for o in out}
    assert by_name["王思远"]["earliest_date"] == "2025-07-15" and by_name["王思远"]["eligible"] is False
    assert by_name["林海涛"]["level"] == "正高级" and by_name["林海涛"]["route"] == "授予"
    assert by_name["陈志强"]["eligible"] is None
    r = run_cli("check", "--profile", "korla-2024", db=db)
    assert r.returncode == 1 and "判断日期：2024-10-25" in r.stdout


def test_check_without_deadline_warns_and_uses_today(tmp_path: Path) -> None:
    code, out, err = run_json("check", "--profile", "xj-2013-101", db=tmp_path / "e.sqlite3")
    assert code == 0 and out == []
    assert "暂按今天" in err and dt.date.today().isoformat() in err
    # the officer's date belongs to the round: a round of that notice with its deadline
    r = run_cli("round", "create", "2025 自治区", "--profile", "xj-2013-101", "--deadline", "2025-11-04", "--use",
                db=tmp_path / "e.sqlite3")
    assert r.returncode == 0, r.stderr
    r = run_cli("check", db=tmp_path / "e.sqlite3")
    assert r.returncode == 0 and "判断日期：2025-11-04" in r.stdout and "暂按今天" not in r.stderr


def test_check_usage_and_input_errors(tmp_path: Path) -> None:
    db = tmp_path / "e.sqlite3"
    r = run_cli("check", "--profile", "nope", db=db)
    assert r.returncode == 2 and "未知的政策配置" in r.stderr
    r = run_cli("check", "--as-of", "2025-02-30", db=db)
    assert r.returncode == 2 and "不是有效日期" in r.stderr
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a spreadsheet at all")
    r = run_cli("check", "--input", bad, db=db)
    assert r.returncode == 3 and "无法读取" in r.stderr


def test_workdays_json_and_options() -> None:
    code, out, _ = run_json("workdays", "2025-09-29", "5")
    assert code == 0 and out["end"] == "2025-10-11"
    assert out["days"] == ["2025-09-29", "2025-09-30", "2025-10-09", "2025-10-10", "2025-10-11"]
    code, out, _ = run_json("workdays", "2025/09/29", "5", "--workday", "2025-10-05", "--holiday", "2025-10-10")
    assert out["days"] == ["2025-09-29", "2025-09-30", "2025-10-05", "2025-10-09", "2025-10-11"]


def test_workdays_human_output_warning_and_errors() -> None:
    r = run_cli("workdays", "2025-09-29", "5")
    assert r.returncode == 0 and "2025-10-11（周六）" in r.stdout and "第5天" in r.stdout
    r = run_cli("workdays", "2030-01-07", "2")
    assert r.returncode == 0 and "2030年的国务院节假日安排未收录" in r.stderr and "2030-01-08" in r.stdout
    assert "推定" in r.stdout  # the statutory days of 2030 are computed, not announced
    assert run_cli("workdays", "2025-13-01", "5").returncode == 2
    assert run_cli("workdays", "2025-09-29", "0").returncode == 2
