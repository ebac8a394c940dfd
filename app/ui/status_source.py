"""The current round's status, computed once per change for every page that shows it.

The 总览 dashboard, the 名册 verdict/材料 columns and the 材料 page all show
:func:`app.services.status.round_status` of the current round. Each used to compute it on its own
(three times at start-up and after every change); this source computes it once, in the
background, and hands the same result to all of them.

- Any data change (``bus.changed``, ``roster_changed``, ``settings_changed``,
  ``documents_changed``) makes the status stale; the signals of one operation arrive in the same
  event-loop turn and cause one computation (the start is deferred by a zero timer).
- A change during a computation reruns it afterwards; only a status computed after the latest
  change is published (``ready``).
- A page that appears later gets the latest status at once when it is fresh (:meth:`ensure`).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

log = logging.getLogger(__name__)


class RoundStatusSource(QObject):
    ready = Signal(object)  # app.services.status.RoundStatus
    failed = Signal(str)  # the officer's message (a ChudingError's, or that the error was logged)

    def __init__(self, ctx: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.latest: Any = None
        self.computations = 0  # how many round_status runs started (tests, diagnostics)
        self._stale = True
        self._running = False
        self._scheduled = False
        bus = ctx.bus
        bus.changed.connect(lambda _c: self.refresh())
        bus.roster_changed.connect(self.refresh)
        bus.settings_changed.connect(self.refresh)
        bus.documents_changed.connect(lambda _pid: self.refresh())

    @property
    def busy(self) -> bool:
        """A computation is running or due (the shown status may be about to change)."""
        return self._running or self._scheduled

    def fresh(self) -> Any:
        """The latest status if nothing changed since it was computed, else None."""
        return None if self._stale or self.busy else self.latest

    def ensure(self) -> None:
        """Make sure a fresh status will be published (compute only if there is none)."""
        if self._stale and not self.busy:
            self._schedule()

    def refresh(self) -> None:
        """The data may have changed: compute again (coalesced with other requests of this turn)."""
        self._stale = True
        self._schedule()

    def _schedule(self) -> None:
        if self._scheduled:
            return
        self._scheduled = True
        QTimer.singleShot(0, self._start)

    def _start(self) -> None:
        from shiboken6 import isValid

        if not isValid(self):
            return
        self._scheduled = False
        if self._running:
            return  # _finished starts again: the status is stale
        self._running, self._stale = True, False
        self.computations += 1
        db = self.ctx.db

        def work(_task: Any) -> Any:
            from app.errors import ChudingError
            from app.services.status import round_status

            try:
                return round_status(db)
            except ChudingError:
                raise
            except Exception as exc:  # a bug or a lost server: reported in _done, the pages stay live
                return exc

        from app.ui.workers import op

        op(None, work).success(self._done).failure(self._failed).run()

    def _finished(self) -> bool:
        """Bookkeeping after a run; True when its result is current and may be published."""
        from shiboken6 import isValid

        if not isValid(self):
            return False
        self._running = False
        if self._stale:
            self._schedule()
            return False
        return True

    def _done(self, status: Any) -> None:
        if isinstance(status, BaseException):
            self._report(status)
            return
        if self._finished():
            self.latest = status
            self.ready.emit(status)

    def _report(self, exc: BaseException) -> None:
        from app.ui import server_fault

        if not server_fault.handle(exc):
            from app.ui.crash import report_exception

            report_exception(type(exc), exc, exc.__traceback__)
        if self._finished():
            self._stale = True  # nothing current to show: the next request computes again
            self.failed.emit("本批次汇总未完成，错误已记录在日志中。")

    def _failed(self, exc: BaseException) -> None:
        if self._finished():
            self._stale = True
            self.failed.emit(getattr(exc, "message", str(exc)))
