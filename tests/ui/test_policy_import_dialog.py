"""文件 → 导入政策文件: the dialog shows the source and differences, imports into the data folder, and the
roster's profile selector offers the new profile; a bad file is refused with the reason."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app.policy.profiles import user_profiles_dir
from tests.core.test_policy_import import next_year
from tests.ui._support import open_window


def test_import_policy_from_the_file_menu(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, db)
    assert window.act_policy.text() == "导入政策文件…"
    src = tmp_path / "库尔勒 2025.toml"
    src.write_text(next_year(), encoding="utf-8")
    dialog = window.open_policy_import(str(src))
    assert dialog is not None
    text = dialog.text.toPlainText()
    assert "依据：关于开展2024年度库尔勒市" in text and "window.end：2024-10-25 → 2025-10-31" in text
    assert dialog.import_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        dialog.import_button.click()
    assert (user_profiles_dir() / "korla-2025.toml").is_file()
    combo = window.roster.profile_combo
    assert "korla-2025" in [combo.itemData(i) for i in range(combo.count())]


def test_identical_file_cannot_be_imported_again(qtbot, db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.policy.profiles import profiles_dir

    window = open_window(qtbot, db)
    src = tmp_path / "same.toml"
    src.write_bytes((profiles_dir() / "korla-2024.toml").read_bytes())
    dialog = window.open_policy_import(str(src))
    assert dialog is not None and not dialog.import_button.isEnabled()
    assert "完全相同" in dialog.text.toPlainText()
    dialog.reject()


def test_bad_file_is_refused_with_the_reason(qtbot, db, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window = open_window(qtbot, db)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a, **k: shown.append(f"{title}|{text}"))
    src = tmp_path / "坏 文件.toml"
    src.write_text(next_year().replace("years = 3\n", "", 1), encoding="utf-8")
    assert window.open_policy_import(str(src)) is None
    assert shown and shown[0].startswith("无法导入政策文件|") and "坏 文件.toml 中的键“routes[0].years”缺失" in shown[0]
    assert not user_profiles_dir().exists() or not list(user_profiles_dir().iterdir())
