"""The user guide: 帮助 → 使用说明 shows it with its screenshots, and the screenshots are made by a
script from the real window on the demo database (so they can be kept current)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from PIL import Image

from app.ui.dialogs.guide_dialog import guide_file
from tests.ui._support import open_window

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _script():  # docs/screenshots/make_screenshots.py is a developer tool, not a package module
    spec = importlib.util.spec_from_file_location("make_screenshots", DOCS / "screenshots" / "make_screenshots.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_image_the_guide_shows_exists_and_comes_from_the_script():
    text = guide_file().read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    shots = _script().SHOTS
    assert images and {Path(i).name for i in images} == set(shots)
    for rel in images:
        assert (guide_file().parent / rel).is_file(), rel


def test_the_script_takes_every_screenshot_from_the_demo_window(qtbot, demo_db, tmp_path):
    written = _script().make_screenshots(tmp_path, demo_db)
    assert sorted(p.name for p in written) == sorted(_script().SHOTS)
    for path in written:
        with Image.open(path) as im:
            assert im.width >= 600 and im.height >= 400
            assert len(im.convert("L").resize((64, 48)).getcolors(4096) or []) > 8  # not a blank grab


def test_help_menu_opens_the_guide_with_pictures(qtbot, db):
    window = open_window(qtbot, db)
    dialog = window.open_guide()
    qtbot.waitExposed(dialog)
    doc = dialog.browser.document()
    assert "使用说明" in doc.toPlainText() and "遮盖" in doc.toPlainText()
    assert "screenshots/roster.png" in doc.toHtml()
    dialog.close()
