"""The main window's layout kept between runs: where it opens (``window_fit`` decides, per
screen), the docks, the picture|roll split and the roll's lanes.

    restore_layout(window, settings, splitter, roll)   # in the window's constructor
    keep_layout(window, settings, splitter, roll)      # as it closes

A window manager adds a frame the window only learns about once shown: when the frame then
reaches past the available area (a title bar pushed under a panel), the window is fitted
again, once, frame included.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QRect, QSettings, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDockWidget, QMainWindow, QSplitter, QWidget

from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.window_fit import Placement, Rect, decode_margins, fit, screen_key

NO_FRAMES = ("offscreen", "minimal")  # platforms where maximizing means nothing to fit


def _key(screen: QScreen) -> str:
    size = screen.size()
    return screen_key(screen.name(), size.width(), size.height())


def _rect(r: QRect) -> Rect:
    return (r.x(), r.y(), r.width(), r.height())


def _screen(window: QMainWindow, settings: QSettings) -> QScreen:
    """The screen the window closed on, if it is still there; else the window's own."""
    last = settings.value("window/screen")
    for screen in QGuiApplication.screens():
        if _key(screen) == last:
            return screen
    return window.screen()


def _inner(available: QRect, margins: tuple[int, int, int, int]) -> Rect:
    left, top, right, bottom = margins
    return (available.x() + left, available.y() + top,
            max(available.width() - left - right, 1), max(available.height() - top - bottom, 1))


def restore_layout(window: QMainWindow, settings: QSettings, splitter: QSplitter,
                   roll: QWidget) -> None:
    screen = _screen(window, settings)
    key = _key(screen)
    available = screen.availableGeometry()
    saved = Placement.decode(settings.value(f"window/{key}/geometry"))
    area = _inner(available, decode_margins(settings.value("window/frame_margins")))
    x, y, w, h = fit(saved.rect if saved is not None else None, area)
    window.setGeometry(x, y, w, h)
    if (saved is None or saved.maximized) and QGuiApplication.platformName() not in NO_FRAMES:
        window.setWindowState(window.windowState() | Qt.WindowState.WindowMaximized)
    _FitOnShow(window, available)
    state = settings.value(f"window/{key}/state")
    if isinstance(state, QByteArray):
        window.restoreState(state)
    else:  # the docks below take a fifth of a short screen, not half of it
        dock = window.findChild(QDockWidget, "CueDock")
        if dock is not None:
            window.resizeDocks([dock], [max(110, round(h * 0.2))], Qt.Orientation.Vertical)
    split = settings.value(f"window/{key}/splitter")
    if isinstance(split, QByteArray):
        splitter.restoreState(split)
    else:  # the roll gets the larger share, and the width its toolbar fits on one row
        roll_w = min(max(round(w * 0.56), roll.sizeHint().width() + 24), w - 320)
        splitter.setSizes([max(w - roll_w, 0), roll_w])
    lanes = settings.value("roll/lanes")
    if isinstance(lanes, QByteArray) and isinstance(roll, PianoRoll):
        roll.restore_lane_state(lanes)


def keep_layout(window: QMainWindow, settings: QSettings, splitter: QSplitter,
                roll: QWidget) -> None:
    key = _key(window.screen())
    maximized = window.isMaximized()
    g = window.normalGeometry() if maximized else window.geometry()
    settings.setValue("window/screen", key)
    settings.setValue(f"window/{key}/geometry", Placement(_rect(g), maximized).encode())
    if window.isVisible() and not maximized:
        settings.setValue("window/frame_margins", " ".join(str(m) for m in _margins(window)))
    settings.setValue(f"window/{key}/state", window.saveState())
    settings.setValue(f"window/{key}/splitter", splitter.saveState())
    if isinstance(roll, PianoRoll):
        settings.setValue("roll/lanes", roll.lane_state())
    settings.sync()


def _margins(window: QWidget) -> tuple[int, int, int, int]:
    frame, inner = window.frameGeometry(), window.geometry()
    return (max(inner.left() - frame.left(), 0), max(inner.top() - frame.top(), 0),
            max(frame.right() - inner.right(), 0), max(frame.bottom() - inner.bottom(), 0))


class _FitOnShow(QObject):
    """Once the window is first shown (its frame known), fit the frame into the area."""

    def __init__(self, window: QMainWindow, available: QRect) -> None:
        super().__init__(window)
        self.window_ = window
        self.available = QRect(available)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window_ and event.type() == QEvent.Type.Show:
            self.window_.removeEventFilter(self)
            QTimer.singleShot(0, self._fit)
        return False

    def _fit(self) -> None:
        w = self.window_
        if w.isMaximized() or w.isFullScreen() or self.available.contains(w.frameGeometry()):
            return
        x, y, width, height = fit(_rect(w.geometry()), _inner(self.available, _margins(w)))
        w.setGeometry(x, y, width, height)
