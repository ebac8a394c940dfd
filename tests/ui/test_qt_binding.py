"""Guards against a broken Qt binding release.

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` on every call of a method that returns
nothing (``setText``, ``processEvents`` …). ``None`` is not immortal before Python 3.12, so a long
session ends in "Fatal Python error: none_dealloc". pyproject.toml excludes that release; this test
fails if a binding with the same fault is installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel


def test_void_calls_keep_the_refcount_of_none(qapp) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    timer = QTimer()
    calls = 2000
    before = sys.getrefcount(None)
    for _ in range(calls):
        label.setText("x")
        timer.start(1000)
        QCoreApplication.processEvents()
    timer.stop()
    # A few references may come and go with Qt's own bookkeeping; a binding bug loses one per call.
    assert sys.getrefcount(None) - before > -calls // 2
