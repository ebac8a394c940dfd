"""Worker process pools that die with their parent.

``spawn_pool`` is the one way the app starts a process pool (export rendering, bundle verification):
the ``spawn`` start method on every platform, and an initializer that makes each worker watch its
parent. If the parent dies — killed with SIGKILL, the Task Manager's "end task", a crash — no
worker is left running (they can hold hundreds of MB each): a daemon thread waits on the parent's
sentinel (a pipe that reaches EOF on POSIX, the process handle on Windows) and ends the worker with
``os._exit``. multiprocessing's resource tracker then sees its pipe close (the parent and every
worker held it) and exits too.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import threading
from collections.abc import Callable


def die_with_parent() -> None:
    """In a multiprocessing child: exit as soon as the parent process is gone. No-op elsewhere."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        from multiprocessing.connection import wait

        try:
            wait([sentinel])
        finally:
            os._exit(70)  # EX_SOFTWARE: the parent is gone, nothing left to do for it

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _init(extra: Callable[[], None] | None) -> None:
    die_with_parent()
    if extra is not None:
        extra()


def spawn_pool(max_workers: int, initializer: Callable[[], None] | None = None) -> cf.ProcessPoolExecutor:
    """A ProcessPoolExecutor (spawn) whose workers exit when this process dies; ``initializer``
    (picklable, module level) runs in each worker after the watch is set up."""
    return cf.ProcessPoolExecutor(max_workers=max_workers, mp_context=multiprocessing.get_context("spawn"),
                                  initializer=_init, initargs=(initializer,))
