"""One window per project: a second launch on a project that is open already raises that
window instead of opening the project again.

Cuesketch runs one process per project (see ``ui.file_actions``: every process has one
composition root, one project lock, one set of devices). So a double-click on a project in the
file manager, or ``cuesketch PROJECT`` in a terminal, does this:

- the project is open in a running Cuesketch: that window comes to the front, and the new
  launch ends at once (without this it would open a second, read-only copy, since the first
  holds the project's lock);
- any other project: it opens in a new window, as File ▸ Open does.

Each window listens on a local socket named after its project (``QLocalServer``, for this
user only); the new launch tries to reach it (``QLocalSocket``) before opening anything.
Read-only windows (snapshots, ``--read-only``) neither listen nor hand over.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMainWindow

REQUEST = b"raise\n"
ANSWER = b"raised\n"
TIMEOUT_MS = 1500


def server_name(project: Path) -> str:
    """The socket's name for a project: the same for every way of naming the file, and per
    user (two users may each have their own copy open)."""
    try:
        key = str(project.resolve())
    except OSError:
        key = str(project.absolute())
    digest = hashlib.sha256(f"{_user()}\0{key}".encode()).hexdigest()[:24]
    return f"cuesketch-{digest}"


def _user() -> str:
    """Who runs this: the uid where there is one (a user missing from the password database,
    in a container or a sandbox, still has one), else the login name."""
    if hasattr(os, "getuid"):
        return str(os.getuid())
    return getpass.getuser()


def hand_over(project: Path, timeout_ms: int = TIMEOUT_MS) -> bool:
    """True when a running Cuesketch has ``project`` open and has raised its window: then this
    launch has nothing more to do. False when none answers (open it here)."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(project))
    if not socket.waitForConnected(timeout_ms):
        return False
    try:
        socket.write(REQUEST)
        socket.flush()
        answer = b""
        while ANSWER not in answer and socket.waitForReadyRead(timeout_ms):
            answer += bytes(socket.readAll().data())
        return ANSWER in answer
    finally:
        socket.disconnectFromServer()


def front_window() -> QMainWindow | None:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return None
    windows = [w for w in app.topLevelWidgets() if isinstance(w, QMainWindow)]
    return next((w for w in windows if w.isVisible()), windows[0] if windows else None)


def raise_window(window: QMainWindow | None = None) -> None:
    """Bring the project's window to the front (un-minimised)."""
    window = window or front_window()
    if window is None:
        return
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


class ProjectListener(QObject):
    """The running side: answers a second launch on this window's project by raising it."""

    def __init__(self, project: Path, on_request: Callable[[], None] = raise_window,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(project)
        self.on_request = on_request
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Start listening. A socket left by a Cuesketch that crashed is taken over (the
        caller has just found that nobody answers on it)."""
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _accept(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            if socket is None:
                break
            socket.readyRead.connect(lambda s=socket: self._answer(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._answer(socket)

    def _answer(self, socket: QLocalSocket) -> None:
        if REQUEST.strip() not in bytes(socket.readAll().data()):
            socket.disconnectFromServer()
            return
        self.on_request()
        socket.write(ANSWER)
        socket.flush()


def hand_over_launch(project: Path) -> bool:
    """At launch, before anything is opened: True when a running Cuesketch took ``project``
    (its window is raised; this launch ends)."""
    if not project.exists():
        return False
    QApplication.instance() or QApplication(sys.argv[:1])  # the window uses it next
    if not hand_over(project):
        return False
    print(f"cuesketch: {project.name} is open already: its window is brought to the front",
          file=sys.stderr)
    return True


def listen_for(project: Path) -> ProjectListener | None:
    """At launch, once the project is open here for writing: answer later launches on it."""
    listener = ProjectListener(project)
    if listener.listen():
        return listener
    listener.deleteLater()
    return None
