"""Policy updates without reinstalling: import a profile file into the per-user folder, validated, with its
differences from the installed profile; installed files never change."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.errors import PolicyError
from app.policy.profiles import (
    import_profile,
    import_summary,
    is_user_profile,
    list_profiles,
    load_profile,
    preview_import,
    profile_ids,
    profiles_dir,
    user_profiles_dir,
)
from tests.e2e.cli import run_cli, run_json

KORLA = (profiles_dir() / "korla-2024.toml").read_text(encoding="utf-8")


def _installed_digest() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in profiles_dir().glob("*.toml")}


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def next_year(text: str = KORLA) -> str:
    return (text.replace('id = "korla-2024"', 'id = "korla-2025"', 1)
            .replace("end = 2024-10-25", "end = 2025-10-31", 1)
            .replace('name = "库尔勒市 2024 年度全日制大中专毕业生初定"', 'name = "库尔勒市 2025 年度全日制大中专毕业生初定"', 1))


def test_new_years_profile_is_compared_with_last_years_and_imported(tmp_path: Path) -> None:
    before = _installed_digest()
    src = _write(tmp_path, "库尔勒 2025 通知.toml", next_year())  # any file name: the id names the profile
    preview = preview_import(src, compare_with="urumqi-chuding")
    assert preview.profile.id == "korla-2025" and not preview.replaces
    assert preview.base is not None and preview.base.id == "korla-2024"  # its predecessor, not the one in use
    assert {(d.key, d.old, d.new) for d in preview.diffs} >= {("window.end", "2024-10-25", "2025-10-31"),
                                                             ("id", "korla-2024", "korla-2025")}
    text = "\n".join(import_summary(preview))
    assert "依据：关于开展2024年度库尔勒市" in text and "window.end：2024-10-25 → 2025-10-31" in text
    assert "korla-2025" not in profile_ids()
    target = import_profile(preview)
    assert target == user_profiles_dir() / "korla-2025.toml" and target.read_text(encoding="utf-8") == next_year()
    assert "korla-2025" in profile_ids()
    loaded = load_profile("korla-2025")
    assert is_user_profile(loaded) and loaded.window_end is not None and loaded.window_end.year == 2025
    assert not is_user_profile(load_profile("korla-2024"))
    assert _installed_digest() == before  # the installed profiles are never edited


def test_corrected_profile_replaces_the_installed_one_for_this_user(tmp_path: Path) -> None:
    before = _installed_digest()
    fixed = KORLA.replace("end = 2024-10-25", "end = 2024-10-28", 1)
    preview = preview_import(_write(tmp_path, "fix.toml", fixed))
    assert preview.replaces and [d.key for d in preview.diffs] == ["window.end"]
    assert "将替换程序自带的" in "\n".join(import_summary(preview))
    import_profile(preview)
    assert load_profile("korla-2024").window_end.isoformat() == "2024-10-28"  # type: ignore[union-attr]
    assert [p.id for p in list_profiles()].count("korla-2024") == 1
    assert _installed_digest() == before
    again = preview_import(_write(tmp_path, "again.toml", fixed))
    assert again.identical and "完全相同" in "\n".join(import_summary(again))


@pytest.mark.parametrize(("text", "message"), [
    ("schema = 1\nid = [", "格式错误"),
    (KORLA.replace('id = "korla-2024"', 'id = "../../evil"', 1), "键“id”"),
    (KORLA.replace("years = 3\n", 'years = "三"\n', 1), "fix.toml 中的键“routes[0].years”"),
    (KORLA.replace("[rules.status]\n", "[rules.stauts]\n", 1), "rules.stauts"),
])
def test_invalid_files_are_refused_naming_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message.replace("[", r"\[").replace("]", r"\]")):
        preview_import(_write(tmp_path, "fix.toml", text))
    assert not user_profiles_dir().exists() or not list(user_profiles_dir().iterdir())


def test_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(next_year().encode("gb18030"))
    with pytest.raises(PolicyError, match="不是 UTF-8"):
        preview_import(path)


def test_a_damaged_imported_file_is_skipped_not_fatal(tmp_path: Path) -> None:
    import_profile(preview_import(_write(tmp_path, "n.toml", next_year())))
    (user_profiles_dir() / "korla-2025.toml").write_text("schema = 1\nbroken", encoding="utf-8")
    assert "korla-2025" not in [p.id for p in list_profiles()]
    assert "korla-2024" in [p.id for p in list_profiles()]


def test_cli_policy_import(tmp_path: Path) -> None:
    src = _write(tmp_path, "新 政策.toml", next_year())
    r = run_cli("policy", "import", "--dry-run", src)
    assert r.returncode == 0 and "window.end：2024-10-25 → 2025-10-31" in r.stdout and "未导入" in r.stdout
    code, out, err = run_json("policy", "import", src)
    assert code == 0, err
    assert out["id"] == "korla-2025" and not out["replaces"] and out["imported_to"].endswith("korla-2025.toml")
    code, rows, _ = run_json("policy", "list")
    assert {"id": "korla-2025", "imported": True} .items() <= next(r for r in rows if r["id"] == "korla-2025").items()
    bad = _write(tmp_path, "bad.toml", KORLA.replace("years = 3\n", "", 1))
    r = run_cli("policy", "import", bad)
    assert r.returncode == 3 and "bad.toml 中的键“routes[0].years”缺失" in r.stderr
