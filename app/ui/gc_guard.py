"""Run Python's cyclic garbage collector on the GUI thread only.

Automatic collection can start on whichever thread happens to allocate — e.g. a worker thread of
``app.ui.workers.op()`` in the middle of a database query. If that collection frees a cycle holding Qt
objects (a closed dialog, a widget referenced from a lambda), Qt objects get destroyed on the wrong
thread and the process can crash. So we switch automatic collection off and collect on a timer on
the GUI thread instead (the approach qutebrowser uses).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class GcGuard(QObject):
    def __init__(self, parent: QObject | None = None, *, interval_ms: int = 2000) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect)
        self._timer.start()

    def collect(self) -> None:
        # Cheap young-generation passes often; a full pass when generation 2 has grown.
        gen = 2 if gc.get_count()[2] > 0 else (1 if gc.get_count()[1] > 0 else 0)
        gc.collect(gen)

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
