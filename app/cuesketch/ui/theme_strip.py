"""The theme map over the roll: a strip under the ruler where each statement of a theme is a bar
in its colour (solid: inserted; lighter, with its score: found in played notes). Click one to go
there; hover for what it is. It follows the roll's scroll and zoom like the ruler.

``MapWorker`` keeps the map current: after the project changes (and a short pause), it copies
what the map reads on the GUI thread and computes it on a worker thread; the result lands on the
GUI thread and is kept only if nothing changed meanwhile (``ThemesControl.offer``).
"""

from __future__ import annotations

import threading
import weakref

import shiboken6
from PySide6.QtCore import QObject, QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolTip, QWidget

from cuesketch.model.theme_map import MapEntry
from cuesketch.model.themes_control import ThemesControl
from cuesketch.ui.roll_host import RollHost
from cuesketch.ui.roll_layout import row_layout

BACK = QColor("#1b1d22")
TEXT = QColor("#e8e8e8")
ROW_PX = 14
ROWS = 3
DEBOUNCE_MS = 400


class _Landing(QObject):
    """Lives as long as the application: a worker thread emits its map here, never on a
    MapWorker, which the GUI thread may be deleting at that very moment (a window or dock
    closed while a map is made: emitting on it then crashes)."""

    landed = Signal(object, int, object)  # (a weak reference to the MapWorker, generation, map)


_landing: _Landing | None = None


def _relay() -> _Landing:
    global _landing
    if _landing is None:  # made on the GUI thread, by the first MapWorker
        _landing = _Landing()
        _landing.landed.connect(_deliver, Qt.ConnectionType.QueuedConnection)
    return _landing


def _deliver(ref: weakref.ref[MapWorker], generation: int, entries: list[MapEntry]) -> None:
    worker = ref()
    if worker is not None and shiboken6.isValid(worker):
        worker._landed(generation, entries)


class MapWorker(QObject):
    """Recomputes the map off the GUI thread whenever the project has changed."""

    def __init__(self, control: ThemesControl, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.control = control
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.start)
        self._running = False
        self._landing = _relay()
        control.observe(self._maybe_changed)
        self._timer.start(0)

    def _maybe_changed(self) -> None:
        if self.control.stale:
            self._timer.start()  # (again): the map is made once the edits pause

    def start(self) -> None:
        if self._running:
            self._timer.start()  # again when this one is done
            return
        self._running = True
        generation, copy = self.control.map_input()
        control, landing, ref = self.control, self._landing, weakref.ref(self)

        def work() -> None:
            try:
                entries = control.compute(copy)
            except Exception:  # a map that could not be made: an empty one, not a crash
                entries = []
            landing.landed.emit(ref, generation, entries)

        threading.Thread(target=work, name="theme-map", daemon=True).start()

    def _landed(self, generation: int, entries: list[MapEntry]) -> None:
        self._running = False
        if not self.control.offer(generation, entries):
            self._timer.start()


def rows_of(entries: list[MapEntry]) -> list[int]:
    """A row for each entry (in start order) so that overlapping ones sit apart."""
    ends: list[int] = []
    rows = []
    for e in entries:
        row = next((i for i, end in enumerate(ends) if end <= e.start), None)
        if row is None:
            row = len(ends) if len(ends) < ROWS else min(range(ROWS), key=lambda i: ends[i])
            if row == len(ends):
                ends.append(0)
        ends[row] = max(ends[row], e.end)
        rows.append(row)
    return rows


class ThemeStrip(QWidget):
    def __init__(self, roll: RollHost, control: ThemesControl,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ThemeStrip")
        self.roll, self.control = roll, control
        self.setFixedHeight(ROW_PX * ROWS + 4)
        self.setMouseTracking(True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.font_ = QFont()
        self.font_.setPixelSize(10)
        self._rows: list[int] = []
        control.observe(self._refresh)
        self._refresh()

    def _refresh(self) -> None:
        self._rows = rows_of(self.control.entries)
        self.update()

    def _rect(self, e: MapEntry, row: int) -> QRectF:
        geo = self.roll.geo
        x0, x1 = geo.x_of(e.start), geo.x_of(e.end)
        return QRectF(x0, 2 + row * ROW_PX, max(x1 - x0, 3.0), ROW_PX - 2)

    def entry_at(self, pos: QPoint) -> MapEntry | None:
        for e, row in zip(self.control.entries, self._rows):
            if self._rect(e, row).adjusted(-2, 0, 2, 0).contains(pos.toPointF()):
                return e
        return None

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), BACK)
        geo = self.roll.geo
        t0, t1 = geo.t0, geo.t1
        p.setFont(self.font_)
        for e, row in zip(self.control.entries, self._rows):
            if e.end < t0 or e.start > t1:
                continue
            r = self._rect(e, row)
            color = QColor(e.color)
            if e.source == "found":
                color.setAlpha(110 + round(145 * max(0.0, (e.score - 0.5) * 2)))
            p.fillRect(r, color)
            if e.source == "found":
                p.setPen(QColor(e.color).lighter(130))
                p.drawRect(r.adjusted(0, 0, -1, -1))
            if r.width() > 30:
                p.setPen(QColor("#101010"))
                label = e.theme_name if e.source == "inserted" else f"{e.theme_name} ~"
                p.drawText(r.adjusted(3, 0, -2, 0),
                           int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), label)
        if self.control.stale and self.control.entries:
            p.setPen(QColor("#777"))
            p.drawText(QRectF(0, 0, self.width() - 6, self.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), "…")
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        e = self.entry_at(event.position().toPoint())
        if e is not None and event.button() == Qt.MouseButton.LeftButton:
            self.roll.seek(e.start)
            self.roll.editor.set_selection(e.note_ids)  # its notes, to hear or change them
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        e = self.entry_at(event.position().toPoint())
        if e is None:
            QToolTip.hideText()
            return
        QToolTip.showText(event.globalPosition().toPoint(), describe(self.control, e), self)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.roll.wheel(event, event.position().x(), None, zoom=True)


def describe(control: ThemesControl, e: MapEntry) -> str:
    where = f" in {e.cue}" if e.cue else ""
    what = "inserted" if e.source == "inserted" else f"found (score {e.score:.2f})"
    return f"{e.theme_name}{where}, on {control.track_name(e.track_id)}: {what}, {e.how}"


class ThemeBand(QWidget):
    """The strip with its name at the left, as the roll's bands are laid out."""

    def __init__(self, roll: RollHost, control: ThemesControl,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ThemeBand")
        self.strip = ThemeStrip(roll, control, self)
        label = QLabel("Themes", self)
        label.setStyleSheet("color: #aab2bd; font-size: 10px; padding-left: 4px;")
        label.setToolTip("Where each theme sounds: solid inserted, outlined found in what was "
                         "played. Click one to go there.")
        layout = row_layout(label, self.strip)
        holder = QHBoxLayout(self)
        holder.setContentsMargins(0, 0, 0, 0)
        holder.addLayout(layout)
        self.control = control
        control.observe(self._show_if_any)
        self._show_if_any()

    def _show_if_any(self) -> None:
        """Shown once the project has a theme: until then the notes get its room (a laptop's
        roll has none to spare)."""
        self.setVisible(bool(self.control.document.project.themes))
