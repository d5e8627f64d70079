"""The picture in a window of its own, full screen on a second monitor if there is one.

It shows a second ``PictureView`` on the same frame source (views only read the latest
frame, on the GUI thread, so any number can share a player). The main window's actions are
added to it, so Space, J/K/L and the arrows still work while it has the focus. F or a
double-click toggles full screen; Esc leaves full screen, then closes.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeyEvent, QScreen
from PySide6.QtWidgets import QVBoxLayout, QWidget

from cuesketch.engine.transport import Transport
from cuesketch.media.overlays import OverlayOptions
from cuesketch.model.document import Document
from cuesketch.ui.picture_view import FrameSource, PictureView


class PictureWindow(QWidget):
    closed = Signal()

    def __init__(self, document: Document, transport: Transport,
                 source: FrameSource | None = None, options: OverlayOptions | None = None,
                 actions: Iterable[QAction] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("PictureWindow")
        self.setWindowTitle("Picture — Cuesketch")
        self.view = PictureView(document, transport, source, options, self)
        self.view.doubleClicked.connect(self.toggle_full_screen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self.setStyleSheet("background: black;")
        self.addActions(list(actions))
        self.resize(960, 540)

    @staticmethod
    def second_screen(avoid: QWidget | None = None) -> QScreen | None:
        """A screen other than the one ``avoid`` (the main window) is on, or None."""
        screens = QGuiApplication.screens()
        taken = avoid.screen() if avoid is not None else QGuiApplication.primaryScreen()
        others = [s for s in screens if s is not taken]
        return others[-1] if others else None

    def present(self, full_screen: bool = True, avoid: QWidget | None = None) -> None:
        """Show it: full screen on a second monitor when there is one, else a window."""
        screen = self.second_screen(avoid)
        if screen is not None:
            self.setScreen(screen)
            self.setGeometry(screen.availableGeometry())
            if full_screen:
                self.showFullScreen()
                return
        self.showNormal()
        self.raise_()
        self.activateWindow()

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            if self.isFullScreen():
                self.showNormal()
            else:
                self.close()
        elif event.key() == Qt.Key.Key_F and not event.modifiers():
            self.toggle_full_screen()
        else:
            super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit()
        super().closeEvent(event)
