"""Extra pages the main window shows in its navigation, if their module imports.

Other features register here as (title, module, class). A module that is not there (yet) is an
``ImportError``: the page is left out and the fact is logged. Any other exception while importing or
constructing a page is a real bug and propagates (to the crash handler).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
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


PageFactory = Callable[[UiContext], QWidget]


def load_page_class(spec: PageSpec) -> PageFactory | None:
    """The page's widget class, or None when its module (or the class in it) does not exist."""
    try:
        module = importlib.import_module(spec.module)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or ""
        if isinstance(exc, ModuleNotFoundError) and spec.module.startswith(missing) and missing:
            # the page's own module (or its package) is not there: a feature not in this build
            log.info("page %s not shown: %s is not installed (%s)", spec.title, spec.module, exc)
        else:
            # the module exists but one of its imports failed: still leave the page out, loudly
            log.error("page %s not shown: importing %s failed", spec.title, spec.module, exc_info=True)
        return None
    cls: PageFactory | None = getattr(module, spec.cls, None)
    if cls is None:
        log.warning("page %s not shown: %s has no %s", spec.title, spec.module, spec.cls)
        return None
    return cls


def build_pages(ctx: UiContext, specs: list[PageSpec] | None = None) -> list[tuple[str, QWidget]]:
    """Construct every available page as ``cls(ctx)``; constructor errors propagate."""
    pages: list[tuple[str, QWidget]] = []
    for spec in PAGES if specs is None else specs:
        cls = load_page_class(spec)
        if cls is not None:
            pages.append((spec.title, cls(ctx)))
    return pages
