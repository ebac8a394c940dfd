"""UI tests: garbage collection only on the GUI thread (see app/ui/gc_guard.py).

A collection started on a worker thread can free leftover Qt objects of an earlier test there and
crash the process; so automatic collection is off during each UI test and we collect on the GUI
thread between tests, after Qt has processed pending events.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _gc_on_gui_thread(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QCoreApplication

    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        QCoreApplication.processEvents()
        gc.collect()
        gc.enable()
