"""QApplication set-up: zh_CN, logging, crash handler, database, main window."""

from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_DISPLAY_NAME, __version__
from app.errors import ChudingError
from app.logging_setup import configure_logging

log = logging.getLogger(__name__)
_T0 = time.perf_counter()


def create_app(argv: list[str]) -> QApplication:
    app = QApplication.instance() or QApplication(argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName("Chuding")
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    return app


def run(argv: list[str]) -> int:
    configure_logging()
    from app.ui import crash

    crash.install()
    app = create_app(argv)
    from app.ui.gc_guard import GcGuard

    gc_guard = GcGuard(app)
    from app.models.db import open_database
    from app.settings import load_settings
    from app.ui.context import Bus, UiContext
    from app.ui.main_window import MainWindow

    demo = "--demo" in argv[1:]
    try:
        if demo:
            from app.paths import demo_db_path

            db = open_database(demo_db_path())
        else:
            db = open_database(None)
    except ChudingError as exc:
        QMessageBox.critical(None, "无法打开数据库", exc.message)
        return 1
    ctx = UiContext(db=db, settings=load_settings(), bus=Bus(), demo=demo)
    window = MainWindow(ctx)
    window.show_fitted()
    log.info("main window shown (version %s)", __version__)
    if os.environ.get("CHUDING_SMOKE_TEST"):
        # Used by installer/build.py and benchmarks/startup.py: prove the window came up, then quit.
        from PySide6.QtCore import QTimer

        def _done() -> None:
            print(f"SMOKE-OK {time.perf_counter() - _T0:.3f}", flush=True)
            app.quit()

        QTimer.singleShot(0, _done)
    try:
        return app.exec()
    finally:
        gc_guard.stop()
        db.dispose()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(sys.argv))
