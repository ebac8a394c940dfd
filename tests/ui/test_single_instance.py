"""One instance per user: a second launch raises the first window and exits; high-DPI rounding policy."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from app.ui.single_instance import SingleInstance, bring_to_front, instance_key

ROOT = Path(__file__).resolve().parents[2]


def test_key_depends_on_the_data_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = instance_key()
    monkeypatch.setenv("CHUDING_DATA_DIR", str(tmp_path / "另一个 数据目录"))
    second = instance_key()
    assert first != second and second.isascii() and second.startswith("chuding-")


def test_second_instance_asks_the_first_to_raise(qtbot) -> None:  # type: ignore[no-untyped-def]
    first = SingleInstance()
    assert first.listen()
    try:
        second = SingleInstance()
        with qtbot.waitSignal(first.activation_requested, timeout=3000):
            assert second.notify_running()
    finally:
        first.close()
    assert not SingleInstance().notify_running()  # nobody listens any more


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen platform: nothing to raise over
def test_second_launch_of_the_app_exits_and_raises_the_first(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A real second process (`python -m app`) with the same user and data folder."""
    first = SingleInstance()
    assert first.listen()
    window = QMainWindow()
    qtbot.addWidget(window)
    window.showMinimized()
    first.activation_requested.connect(lambda: bring_to_front(window))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CHUDING_SMOKE_TEST": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60000)
    finally:
        if proc.poll() is None:
            proc.kill()
        out, err = proc.communicate()
        first.close()
    assert proc.returncode == 0, err
    assert "SMOKE-OK" not in out  # it did not open a second main window
    qtbot.waitUntil(lambda: not window.isMinimized(), timeout=3000)
    assert window.isVisible()


def test_stale_server_name_is_taken_over() -> None:
    a = SingleInstance(key=instance_key() + "-stale")
    assert a.listen()
    b = SingleInstance(key=a.key)
    assert b.listen()  # the name was in use: removed and reused, as after a crash
    a.close()
    b.close()


@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_bring_to_front_restores_a_minimised_window(qtbot) -> None:  # type: ignore[no-untyped-def]
    w = QMainWindow()
    qtbot.addWidget(w)
    w.showMinimized()
    bring_to_front(w)
    assert not (w.windowState() & Qt.WindowState.WindowMinimized)
    assert w.isVisible()


def test_high_dpi_rounding_policy_is_pass_through(tmp_path: Path) -> None:
    """Set explicitly before the QApplication exists, whatever was set earlier in the process."""
    code = ("from PySide6.QtCore import Qt; from PySide6.QtGui import QGuiApplication; "
            "QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.Round); "
            "from app.ui.application import create_app; app = create_app([]); "
            "print(QGuiApplication.highDpiScaleFactorRoundingPolicy().name)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "PassThrough"
