"""Extra pages the main window shows in its navigation, registered as (title, module, class).

They are imported after the roster is on screen (start-up stays fast). Every page ships with the
app: an exception while importing or constructing a page is a bug and propagates (to the crash
handler); a test imports every registered page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext


@dataclass(frozen=True)
class PageSpec:
    title: str
    module: str
    cls: str
    home: bool = False  # shown first in the navigation, before 名册, and opened once loaded


def is_home(title: str) -> bool:
    return any(s.home and s.title == title for s in PAGES)


PAGES: list[PageSpec] = [
    PageSpec("总览", "app.ui.views.dashboard", "DashboardPage", home=True),
    PageSpec("材料", "app.ui.packet.view", "PacketView"),
    PageSpec("遮盖", "app.ui.masking.editor", "MaskEditor"),
    PageSpec("文书", "app.ui.letters.view", "LettersView"),
]


PageFactory = Callable[[UiContext], QWidget]


def load_page_class(spec: PageSpec) -> PageFactory:
    """The page's widget class. Every page ships with the app: an import error is a bug and
    propagates (tests/ui/test_main_window.py imports every page at start-up)."""
    module = importlib.import_module(spec.module)
    cls: PageFactory = getattr(module, spec.cls)
    return cls


def build_pages(ctx: UiContext, specs: list[PageSpec] | None = None) -> list[tuple[str, QWidget]]:
    """Construct every available page as ``cls(ctx)``; constructor errors propagate."""
    pages: list[tuple[str, QWidget]] = []
    for spec in PAGES if specs is None else specs:
        pages.append((spec.title, load_page_class(spec)(ctx)))
    return pages
