"""Worker processes die with their parent (#13 item 9): SIGKILL a real export mid-run and check
that no worker process nor multiprocessing's resource tracker is left running."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.core.test_bundle_support import AS_OF, eligible_person
from tests.e2e.cli import ROOT
from tests.e2e.test_cli_export import _complete_packet

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it is dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _descendants(root: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(d.name))
    out: set[int] = set()
    todo = [root]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_sigkill_of_an_export_leaves_no_worker_or_resource_tracker(tmp_path: Path, make_id) -> None:
    from app.models.db import open_database
    from app.services.roster import save_person

    env = {"CHUDING_DATA_DIR": str(tmp_path / "data")}
    db_path = tmp_path / "w.sqlite3"
    db = open_database(db_path)
    p = eligible_person(make_id(), "孤儿测甲")
    p.id = None
    save_person(db, p)
    db.dispose()
    # Many big noisy pages: the export renders them in a pool of 2 spawned workers for a while.
    _complete_packet(db_path, tmp_path, "孤儿测甲", big_summary_pages=40)
    cmd = [sys.executable, "-m", "app.cli", "--db", str(db_path), "export", "-o", str(tmp_path / "out"),
           "--as-of", AS_OF.isoformat(), "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while time.monotonic() < deadline and proc.poll() is None:
            seen |= _descendants(proc.pid)
            workers = [d for d in seen if "spawn_main" in _cmdline(d) and _alive(d)]
            if len(workers) >= 2:
                break
            time.sleep(0.05)
        assert proc.poll() is None and len(workers) >= 2, "the export ended before its workers were seen"
        time.sleep(0.5)  # let the workers take up pages
        seen |= _descendants(proc.pid)
        tracker = [d for d in seen if "resource_tracker" in _cmdline(d)]
        assert tracker, "expected multiprocessing's resource tracker among the children"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 10
        left = [d for d in seen if _alive(d)]
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [d for d in seen if _alive(d)]
        assert not left, f"orphans left running: {[(d, _cmdline(d)) for d in left]}"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for d in seen:  # only processes this test started
            if _alive(d):
                with contextlib.suppress(OSError):
                    os.kill(d, signal.SIGKILL)
