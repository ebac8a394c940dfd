"""The main window on a 1366×768 laptop (about 1366×728 left by the taskbar): it opens maximised and
every page fits in that area."""

from __future__ import annotations

from PySide6.QtCore import QSize

from app.ui.main_window import PREFERRED_SIZE, opens_maximised
from tests.ui._support import open_window

LAPTOP = QSize(1366, 728)


def test_small_screens_open_maximised_large_ones_at_the_preferred_size():
    assert opens_maximised(LAPTOP)
    assert opens_maximised(QSize(1280, 1024 - 40))
    assert not opens_maximised(QSize(1920, 1040))
    assert not opens_maximised(QSize(PREFERRED_SIZE.width() + 80, PREFERRED_SIZE.height() + 80))


def test_every_page_fits_a_1366x768_screen(qtbot, demo_db):
    window = open_window(qtbot, demo_db)
    from app.ui.workers import _live_ops

    titles = window.load_extra_pages()
    assert window.load_extra_pages() == titles and window.nav.count() == 1 + len(titles)  # built once
    # measured once every page has loaded its data (labels filled in the background can widen a page)
    packet = dict(window.extra_pages)["材料"]
    qtbot.waitUntil(lambda: packet.report is not None and not _live_ops, timeout=60000)
    qtbot.wait(100)
    qtbot.waitUntil(lambda: not _live_ops, timeout=60000)
    hint = window.minimumSizeHint()
    assert hint.width() <= LAPTOP.width() and hint.height() <= LAPTOP.height(), hint
    window.resize(LAPTOP)
    for row in range(window.nav.count()):
        window.nav.setCurrentRow(row)
        page = window.stack.currentWidget()
        need = page.minimumSizeHint()
        title = window.nav.item(row).text()
        assert need.width() <= LAPTOP.width() - window.nav.width(), (title, need)
        assert need.height() <= LAPTOP.height() - window.menuBar().sizeHint().height(), (title, need)
