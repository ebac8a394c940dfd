"""Suggestion cache keyed by page hash (sha256 of the page's pixels source + detector version).

Stored under <user data dir>/cache/masking/ as small JSON files, plus an in-process LRU. OCR lines are
cached (so changing the person's name needs no new OCR); the cache lives beside the vault that holds
the same originals and is never exported.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from app.fileio import atomic_write_text

VERSION = "1"
_mem: OrderedDict[str, Any] = OrderedDict()
_lock = threading.Lock()
MEM_ITEMS = 256


def cache_dir() -> Path:
    from app.paths import user_data_dir

    return user_data_dir() / "cache" / "masking"


def page_key(doc_sha: str, index: int) -> str:
    return hashlib.sha256(f"{doc_sha}:{index}".encode()).hexdigest()


def _path(key: str, kind: str) -> Path:
    return cache_dir() / key[:2] / f"{key}-{kind}-v{VERSION}.json"


def get(key: str, kind: str) -> Any | None:
    k = f"{key}-{kind}"
    with _lock:
        if k in _mem:
            _mem.move_to_end(k)
            return _mem[k]
    p = _path(key, kind)
    try:
        value = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    _remember(k, value)
    return value


def put(key: str, kind: str, value: Any) -> None:
    _remember(f"{key}-{kind}", value)
    with contextlib.suppress(Exception):
        atomic_write_text(_path(key, kind), json.dumps(value, ensure_ascii=False))


def _remember(k: str, value: Any) -> None:
    with _lock:
        _mem[k] = value
        _mem.move_to_end(k)
        while len(_mem) > MEM_ITEMS:
            _mem.popitem(last=False)


def clear_memory() -> None:
    with _lock:
        _mem.clear()
