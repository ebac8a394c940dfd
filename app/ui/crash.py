"""Unexpected errors: logged with the traceback to the rotating log file and shown in a dialog."""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox

from app.dburl import scrub
from app.errors import environment_error
from app.logging_setup import log_file

log = logging.getLogger("app.crash")

# Tests set this to collect instead of showing a modal dialog.
shown: list[str] = []
show_dialogs = True


def report_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    from app.ui import server_fault

    if server_fault.handle(exc):  # a lost database server: one dialog with 重试, not a crash report
        return
    named = environment_error(exc)  # disk full, locked / read-only database: not a crash, say which
    if named is not None:
        log.warning("operation failed: %s from %s (%s)", type(named).__name__, exc_type.__name__, named.detail)
        shown.append(named.message)
        if show_dialogs and QApplication.instance() is not None:
            QMessageBox.warning(None, "操作未完成", named.message)
        else:
            sys.stderr.write(named.message + "\n")
        return
    text = scrub("".join(traceback.format_exception(exc_type, exc, tb)))
    log.error("unhandled exception:\n%s", text)
    shown.append(text)
    if not show_dialogs or QApplication.instance() is None:
        sys.stderr.write(text)
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "程序出错",
                      "很抱歉，程序遇到了意外错误。您的数据已保存，当前操作未完成。\n"
                      f"错误详情已写入日志文件：\n{log_file()}")
    box.setDetailedText(text)
    box.exec()


def install() -> None:
    sys.excepthook = report_exception
