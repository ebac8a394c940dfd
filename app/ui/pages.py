"""Extra pages the main window shows in its navigation, if their module imports.

Other features register here as (title, module, class). A module that is not there (yet) is an
``ImportError``: the page is left out and the fact is logged. Any other exception while importing or
constructing a page is a real bug and propagates (to the crash handler).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from PySide6.QtWidgets import QWidget

from app.ui.context import UiContext

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageSpec:
    title: str
    module: str
    cls: str


PAGES: list[PageSpec] = [
    PageSpec("材料", "app.ui.packet.view", "PacketView"),
    PageSpec("遮盖", "app.ui.masking.editor", "MaskEditor"),
    PageSpec("文书", "app.ui.letters.view", "LettersView"),
]


def load_page_class(spec: PageSpec) -> type[QWidget] | None:
    """The page's widget class, or None when its module (or the class in it) does not exist."""
    try:
        module = importlib.import_module(spec.module)
    except ImportError as exc:
        log.info("page %s not shown: %s cannot be imported (%s)", spec.title, spec.module, exc)
        return None
    cls = getattr(module, spec.cls, None)
    if cls is None:
        log.warning("page %s not shown: %s has no %s", spec.title, spec.module, spec.cls)
        return None
    return cls  # type: ignore[no-any-return]


def build_pages(ctx: UiContext, specs: list[PageSpec] | None = None) -> list[tuple[str, QWidget]]:
    """Construct every available page as ``cls(ctx)``; constructor errors propagate."""
    pages: list[tuple[str, QWidget]] = []
    for spec in PAGES if specs is None else specs:
        cls = load_page_class(spec)
        if cls is not None:
            pages.append((spec.title, cls(ctx)))  # type: ignore[call-arg]
    return pages
