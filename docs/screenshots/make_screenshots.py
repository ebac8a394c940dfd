"""Screenshots for docs/USER_GUIDE.md, taken from the real main window on the demo database, so the
guide shows what the app shows today. Run after UI changes and commit the PNGs:

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/make_screenshots.py

Writes ``docs/screenshots/*.png`` (a 1366×768 laptop screen). Needs a CJK font (Debian
``fonts-wqy-microhei``, as in .ci/run) for Chinese text on Linux.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SIZE = (1366, 728)  # a 1366×768 screen less the taskbar

# file name → what it shows (the guide refers to these files)
SHOTS = {
    "dashboard.png": "总览（首页）",
    "roster.png": "名册与资格判断",
    "editor.png": "人员信息编辑",
    "packet.png": "材料清单与扫描件",
    "mask.png": "遮盖编辑",
    "letters.png": "文书与呈报表",
    "export.png": "导出申报材料包",
}


def _wait(app: object, until: Callable[[], bool], timeout: float = 60.0) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > end:
            raise TimeoutError("the window did not finish loading")
        QApplication.processEvents()
        time.sleep(0.02)
    for _ in range(20):  # let layouts and thumbnails settle
        QApplication.processEvents()
        time.sleep(0.01)


def make_screenshots(out_dir: Path, db: object) -> list[Path]:
    """Take every screenshot of :data:`SHOTS` from a main window on ``db`` (a demo database)."""
    from PySide6.QtWidgets import QApplication

    from app.settings import Settings
    from app.ui.application import create_app
    from app.ui.context import Bus, UiContext
    from app.ui.main_window import MainWindow
    from app.ui.workers import _live_ops

    app = create_app([sys.argv[0]])
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = UiContext(db=db, settings=Settings(), bus=Bus(), demo=True)  # type: ignore[arg-type]
    window = MainWindow(ctx)
    window.resize(*SIZE)
    window.show()
    _wait(app, lambda: window.roster.model.rowCount() > 0)
    window.load_extra_pages()
    written: list[Path] = []

    def shoot(name: str, widget: object) -> None:
        _wait(app, lambda: not _live_ops)
        path = out_dir / name
        widget.grab().save(str(path), "PNG")  # type: ignore[attr-defined]
        from PIL import Image

        with Image.open(path) as im:  # 256 colours: a third of the size, the text stays sharp
            small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
        small.save(path, "PNG", optimize=True)
        written.append(path)

    pages = dict(window.extra_pages)
    if "总览" in pages:
        window._page("总览")
        _wait(app, lambda: pages["总览"].table.rowCount() > 0)  # type: ignore[attr-defined]
        shoot("dashboard.png", window)
    window.nav.setCurrentRow(window.stack.indexOf(window.roster))
    window.roster.table.selectRow(2)
    shoot("roster.png", window)
    editor = window.open_editor(window.roster.current_person().id)
    shoot("editor.png", editor)
    editor.close()  # type: ignore[union-attr]
    persons = window.roster.visible_persons()
    window._page("材料")
    _wait(app, lambda: pages["材料"].persons.count() > 0)  # type: ignore[attr-defined]
    pages["材料"].show_person(persons[3].id)  # type: ignore[attr-defined]
    _wait(app, lambda: bool(pages["材料"].cards))  # type: ignore[attr-defined]
    shoot("packet.png", window)
    window.jump_to_mask(persons[3].id)
    shoot("mask.png", window)
    window._page("文书")
    shoot("letters.png", window)
    wizard = window.open_bundle_wizard()
    wizard.resize(900, 640)
    shoot("export.png", wizard)
    wizard.close()
    window.close()
    QApplication.processEvents()
    return written


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["CHUDING_DATA_DIR"] = tmp
        # what an officer's machine shows, not this run's temporary folder (nothing is written there)
        os.environ["CHUDING_DOCUMENTS_DIR"] = "C:\\Users\\人事\\Documents\\职称申报材料"
        from app.models.db import open_database
        from app.services.demo import create_demo

        db = open_database(Path(tmp) / "demo.sqlite3")
        create_demo(db)
        for path in make_screenshots(HERE, db):
            print(path.relative_to(ROOT))
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
