"""One dialog for "无法连接数据库服务器" with 重试, however many operations fail at once.

A server stopped while the window is open makes every open page's next query fail; without this
each failure would open its own crash dialog. Here the first failure opens one window-modal box
(non-blocking); the others only log while it is open. 重试 pings the database (a fresh connection:
the pool pre-pings) and closes the box once the server answers; 关闭 just closes it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget

from app.dburl import scrub
from app.errors import ChudingError, ServerUnreachable

log = logging.getLogger(__name__)

TITLE = "无法连接数据库服务器"
HINT = "\n\n请检查网络，或请管理员确认数据库服务器在运行。服务器恢复后点“重试”；已保存的内容不会丢失。"
_ping: Callable[[], None] | None = None
current: QMessageBox | None = None
shown: list[str] = []  # every message box opened (tests read it)
suppressed = 0


def install(ping: Callable[[], None]) -> None:
    """``ping`` raises ``ServerUnreachable`` while the server does not answer (``Database.ping``)."""
    global _ping
    _ping = ping


def as_server_fault(exc: BaseException) -> ServerUnreachable | None:
    if isinstance(exc, ServerUnreachable):
        return exc
    cause = exc.__cause__
    if isinstance(cause, ServerUnreachable):
        return cause
    from sqlalchemy.exc import DBAPIError

    from app.models.db import translate_db_error

    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        t = translate_db_error(exc, "postgresql://server")
        return t if isinstance(t, ServerUnreachable) else None
    return None


def handle(exc: BaseException, parent: QWidget | None = None) -> bool:
    """Show (or keep) the one dialog if ``exc`` is a lost server; True when it was handled."""
    global current, suppressed
    fault = as_server_fault(exc)
    if fault is None:
        return False
    log.warning("database server unreachable: %s", scrub(fault.detail or fault.message))
    if current is not None:
        suppressed += 1
        return True
    if QApplication.instance() is None:
        return True
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE, scrub(fault.message) + HINT, parent=parent)
    retry = box.addButton("重试", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("关闭", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(retry)
    # Our own handling of the buttons: 重试 keeps the box open until the server answers.
    retry.clicked.disconnect()
    retry.clicked.connect(lambda: _retry(box))
    box.finished.connect(lambda _r: _closed(box))
    current = box
    shown.append(fault.message)
    box.open()
    return True


def retry_button(box: QMessageBox) -> QPushButton:
    return next(b for b in box.findChildren(QPushButton) if b.text() == "重试")


def _retry(box: QMessageBox) -> None:
    try:
        if _ping is not None:
            _ping()
    except ChudingError as exc:
        box.setText(scrub(exc.message) + HINT)
        log.info("retry: server still unreachable")
        return
    log.info("retry: database server answers again")
    box.done(0)


def _closed(box: QMessageBox) -> None:
    global current
    if current is box:
        current = None
    box.deleteLater()


def warn(parent: QWidget | None, title: str, exc: ChudingError) -> None:
    """A ChudingError in a message box, or the one server dialog when the server is gone."""
    if not handle(exc, parent):
        QMessageBox.warning(parent, title, scrub(exc.message))
