"""The Qt half of the composition root: the application object, the widgets, the event loop."""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QLabel

from cuesketch import paths
from cuesketch.app import Services
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow


def run_window(services: Services) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Cuesketch")
    app.setOrganizationName("Cuesketch")
    app.setDesktopFileName("cuesketch")
    icon = paths.resources_dir() / "cuesketch.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    window = build_window(services)
    window.show()
    window.show_problems(services.problems)
    # Ctrl+C in the terminal closes the window cleanly (Qt's loop hides Python's signals).
    signal.signal(signal.SIGINT, lambda *_: window.close())
    signal.signal(signal.SIGTERM, lambda *_: window.close())
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(200)
    return app.exec()


def build_window(services: Services) -> MainWindow:
    status = StatusSignals()
    picture = QLabel("picture")
    roll = QLabel("piano roll")
    window = MainWindow(services.document, services.transport, picture, roll, status)
    services.extras["status"] = status
    return window
