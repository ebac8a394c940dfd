"""QApplication set-up: zh_CN, logging, crash handler, database, main window."""

from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app import APP_DISPLAY_NAME, __version__
from app.errors import ChudingError
from app.logging_setup import configure_logging

log = logging.getLogger(__name__)
_T0 = time.perf_counter()


# Windows display scaling (125 %, 150 %, 175 % …) is used as is, not rounded to 100 %/200 %: text and the
# page previews stay sharp and true to size. Qt 6 defaults to this too; it is set explicitly so a Qt
# upgrade or an environment variable cannot silently change it.
DPI_ROUNDING = Qt.HighDpiScaleFactorRoundingPolicy.PassThrough


def configure_high_dpi() -> None:
    """Must run before the QApplication exists (Qt ignores it afterwards)."""
    if QApplication.instance() is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(DPI_ROUNDING)


def create_app(argv: list[str]) -> QApplication:
    configure_high_dpi()
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
    from app.ui.single_instance import SingleInstance, bring_to_front, instance_key

    demo = "--demo" in argv[1:]
    guard = SingleInstance(instance_key() + ("-demo" if demo else ""))  # the demo runs beside the real one
    if guard.notify_running():  # the officer double-clicked the icon again: show the running window
        return 0
    guard.listen()
    from app.ui.gc_guard import GcGuard

    gc_guard = GcGuard(app)
    from app.models.db import open_database
    from app.settings import load_settings
    from app.ui.context import Bus, UiContext
    from app.ui.main_window import MainWindow

    try:
        if demo:
            from app.paths import demo_db_path

            db = open_database(demo_db_path())
        else:
            db = open_database(None)
    except ChudingError as exc:
        from app.dburl import scrub

        QMessageBox.critical(None, "无法打开数据库", scrub(exc.message))
        return 1
    from app.ui import server_fault

    server_fault.install(db.ping)
    ctx = UiContext(db=db, settings=load_settings(), bus=Bus(), demo=demo)
    window = MainWindow(ctx)
    window.show_fitted()
    guard.activation_requested.connect(lambda: bring_to_front(window))
    log.info("main window shown (version %s)", __version__)
    if os.environ.get("CHUDING_SMOKE_TEST"):
        # Used by installer/build.py and benchmarks/startup.py: prove the window came up, then quit.
        # A windowed Windows executable has no stdout: CHUDING_SMOKE_OUT names a file for the line instead.
        from PySide6.QtCore import QTimer

        def _done() -> None:
            line = f"SMOKE-OK {time.perf_counter() - _T0:.3f}"
            if sys.stdout is not None:
                print(line, flush=True)
            if os.environ.get("CHUDING_SMOKE_OUT"):
                from app.fileio import atomic_write_text

                atomic_write_text(os.environ["CHUDING_SMOKE_OUT"], line + "\n")
            app.quit()

        QTimer.singleShot(0, _done)
    try:
        return app.exec()
    finally:
        guard.close()
        gc_guard.stop()
        db.dispose()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run(sys.argv))
