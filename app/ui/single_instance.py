"""One running instance per user (and data folder): a second launch raises the first window and exits.

The first instance listens on a QLocalServer (a named pipe on Windows, a socket file on Linux) whose name is
derived from the user name and the data folder, so two officers on one PC, or a test with its own data
folder, never meet. A later launch connects, sends ``raise`` and quits; the first instance un-minimises,
raises and activates its main window. Local sockets only: no network access.
"""

from __future__ import annotations

import getpass
import hashlib
import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from app.paths import user_data_dir

log = logging.getLogger(__name__)

_MESSAGE = b"raise\n"
_CONNECT_MS = 500


def instance_key() -> str:
    """The server name for this user and data folder (short, ASCII: valid as a pipe or socket name)."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name available (unusual service accounts): the data folder still separates
        user = ""
    digest = hashlib.sha256(f"{user}\0{user_data_dir().resolve()}".encode()).hexdigest()[:16]
    return f"chuding-{digest}"


class SingleInstance(QObject):
    """Owns the local server of the first instance; ``activation_requested`` fires when another launches."""

    activation_requested = Signal()

    def __init__(self, key: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = key or instance_key()
        self._server: QLocalServer | None = None

    def notify_running(self) -> bool:
        """True if another instance is running (it has been asked to raise its window)."""
        sock = QLocalSocket()
        sock.connectToServer(self.key)
        if not sock.waitForConnected(_CONNECT_MS):
            return False
        sock.write(_MESSAGE)
        sock.flush()
        sock.waitForBytesWritten(_CONNECT_MS)
        sock.disconnectFromServer()
        if sock.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            sock.waitForDisconnected(_CONNECT_MS)
        log.info("another instance is running; asked it to show its window")
        return True

    def listen(self) -> bool:
        """Become the first instance. A stale socket left by a crash is removed first."""
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            QLocalServer.removeServer(self.key)
            if not server.listen(self.key):
                log.warning("single-instance guard unavailable: %s", server.errorString())
                return False
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    def _on_connection(self) -> None:
        """Read the short message synchronously (the second instance writes it right after connecting)."""
        assert self._server is not None
        while (sock := self._server.nextPendingConnection()) is not None:
            if sock.bytesAvailable() or sock.waitForReadyRead(_CONNECT_MS):
                message = bytes(sock.readAll().data())
            else:
                message = b""
            sock.disconnectFromServer()
            sock.deleteLater()
            if message.startswith(_MESSAGE.strip()):
                self.activation_requested.emit()


def bring_to_front(window: QWidget) -> None:
    """Show ``window`` un-minimised, on top and active (Windows may only flash the taskbar button)."""
    if window.isMinimized():
        window.setWindowState(window.windowState() & ~Qt.WindowState.WindowMinimized)
    window.show()
    window.raise_()
    window.activateWindow()
