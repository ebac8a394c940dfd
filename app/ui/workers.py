"""One helper for all background work (after Anki's QueryOp and Orange3's task state).

    op(parent, fn).with_progress("正在导入…").success(on_ok).failure(on_err).run()

``fn(task)`` runs on a worker thread with a ``TaskState`` (plain Python, no Qt) it uses to report
progress and to check for cancellation; callbacks run on the UI thread. Errors that are
``ChudingError`` reach ``failure`` (default: a message box); anything else goes to the crash handler.

When ``fn`` returns a service's change record (app.services.changes.Change, or a result carrying
one as ``.change``), it is emitted once to the change sink (the main window's ``bus.changed``)
before ``success`` runs: every page refreshes what it shows, no 刷新 button needed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.errors import Cancelled, ChudingError, environment_error
from app.services.changes import Change, change_of

log = logging.getLogger(__name__)

_change_sink: Callable[[Change], None] | None = None


def set_change_sink(sink: Callable[[Change], None] | None) -> None:
    """Where op() sends the change records of finished operations (the main window's bus)."""
    global _change_sink
    _change_sink = sink


def emit_change(change: Change | None) -> None:
    if change and _change_sink is not None:
        _change_sink(change)


class TaskState:
    """Progress and cancellation, shared between the worker and the UI (thread-safe enough)."""

    def __init__(self) -> None:
        self._cancel = threading.Event()
        self.done = 0
        self.total = 0
        self.message = ""

    def progress(self, done: int, total: int, message: str = "") -> None:
        self.done, self.total = done, total
        if message:
            self.message = message
        if self._cancel.is_set():
            raise Cancelled()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        if self._cancel.is_set():
            raise Cancelled()


class _Signals(QObject):
    finished = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[[TaskState], Any], state: TaskState, signals: _Signals) -> None:
        super().__init__()
        self.fn, self.state, self.signals = fn, state, signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(self.state)
        except BaseException as exc:
            self.signals.failed.emit(exc)
        else:
            self.signals.finished.emit(result)


_live_ops: set[Op] = set()


class Op:
    def __init__(self, parent: QWidget | None, fn: Callable[[TaskState], Any]) -> None:
        self.parent, self.fn = parent, fn
        self.state = TaskState()
        self._success: Callable[[Any], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._label: str | None = None
        self._dialog: QProgressDialog | None = None
        self._timer: QTimer | None = None
        self._signals = _Signals()

    def success(self, cb: Callable[[Any], None]) -> Op:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> Op:
        self._failure = cb
        return self

    def with_progress(self, label: str) -> Op:
        self._label = label
        return self

    def run(self) -> TaskState:
        _live_ops.add(self)
        self._signals.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._signals.failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        if self._label is not None:
            dlg = QProgressDialog(self._label, "取消", 0, 0, self.parent)
            dlg.setWindowTitle("请稍候")
            dlg.setWindowModality(Qt.WindowModality.WindowModal)
            dlg.setMinimumDuration(300)
            dlg.canceled.connect(self.state.cancel)
            self._dialog = dlg
            self._timer = QTimer()
            self._timer.setInterval(100)
            self._timer.timeout.connect(self._tick)
            self._timer.start()
        QThreadPool.globalInstance().start(_Runnable(self.fn, self.state, self._signals))
        return self.state

    def _tick(self) -> None:
        if self._dialog is None:
            return
        if self.state.total:
            self._dialog.setMaximum(self.state.total)
            self._dialog.setValue(min(self.state.done, self.state.total))
        if self.state.message:
            self._dialog.setLabelText(self.state.message)

    def _cleanup(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self._dialog is not None:
            self._dialog.reset()
            self._dialog.deleteLater()
            self._dialog = None
        _live_ops.discard(self)

    def _on_finished(self, result: Any) -> None:
        self._cleanup()
        emit_change(change_of(result))
        if self._success is not None:
            self._success(result)

    def _on_failed(self, exc: BaseException) -> None:
        self._cleanup()
        from app.ui import server_fault

        if server_fault.handle(exc, self.parent):  # one 无法连接数据库服务器 dialog for all of them
            return
        if isinstance(exc, Cancelled):
            log.info("operation cancelled")
            if self._failure is not None:
                self._failure(exc)
            return
        named = environment_error(exc)  # disk full, locked / read-only database: its own message
        if named is not None and not isinstance(exc, ChudingError):
            log.info("operation failed: %s from %s (%s)", type(named).__name__, type(exc).__name__, named.detail)
            exc = named
        if self._failure is not None and isinstance(exc, ChudingError):
            self._failure(exc)
        elif isinstance(exc, ChudingError):
            QMessageBox.warning(self.parent, "操作未完成", exc.message)
        else:
            from app.ui.crash import report_exception

            report_exception(type(exc), exc, exc.__traceback__)


def op(parent: QWidget | None, fn: Callable[[TaskState], Any]) -> Op:
    return Op(parent, fn)
