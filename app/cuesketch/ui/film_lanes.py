"""The film's lanes above the roll: the picture strip, the sound's waveform, the speech band.

They follow the roll's scroll and zoom like the ruler (the roll scrolls and repaints them as
its timed parts) and draw from what is cached: thumbnails as pixmaps, the waveform from the
summaries (``media.peaks``) at the level that fits the zoom, so a lane repaints in a fraction
of a millisecond whatever the film's length. Everything slow runs in ``FilmLaneJobs``.

Picture strip: one thumbnail every thumbnail-width of pixels, showing the frame under its left
edge; zoomed in until a frame is wider than a thumbnail, one thumbnail per frame at the frame's
start. Frames not made yet show the nearest one made, and the lane asks for the exact ones in
view. Click: locate the transport there; hover: a larger picture of that frame. Waveform: the
channels summed or each channel (right-click), the sound stream chosen when the film has
several. Each lane folds away from its name at the left, and is resized by the grip under it.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QPoint, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (QColor, QContextMenuEvent, QFont, QGuiApplication, QImage,
                           QMouseEvent, QPainter, QPaintEvent, QPixmap, QWheelEvent)
from PySide6.QtWidgets import QLabel, QMenu, QToolButton, QVBoxLayout, QWidget

from cuesketch.media.thumbnails import film_origin, grab_frame
from cuesketch.timing.units import FLICKS_PER_SECOND
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.film_lane_jobs import FilmLaneJobs
from cuesketch.ui.roll_host import RollHost
from cuesketch.ui.roll_layout import LEFT_PX, row_layout
from cuesketch.ui.speech_lane import SpeechLane

BACK = QColor("#17191d")
TEXT = QColor("#aab2bd")
PEAK = QColor("#3f6f95")
RMS = QColor("#7fb6e0")
EXACT_SPAN_S = 240  # the strip asks for exact frames when this much film (or less) is in view
PIXMAPS = 4000  # thumbnails kept as pixmaps
FOLDED_PX = 10
HEIGHTS = {"picture": 54, "sound": 44, "speech": 20}
COMPACT = {"picture": 36, "sound": 28, "speech": 16}  # on a screen under 900 px high
MIN_PX, MAX_PX = 14, 240
HOVER_WIDTH = 384
RANGE_DB = 54.0  # the waveform's scale: its edge is full scale, its middle -54 dBFS


def loudness(amplitude: np.ndarray) -> np.ndarray:
    """0..1 on a decibel scale (-``RANGE_DB`` .. 0 dBFS): dialogue at -30 dB is seen, not a
    hair under a loud effect; negative amplitudes (a column wholly above or below the middle)
    count as 0."""
    db = 20 * np.log10(np.maximum(amplitude, 1e-6))
    return np.clip((db + RANGE_DB) / RANGE_DB, 0.0, 1.0).astype(np.float32)


class FilmLane(QWidget):
    """One lane: drawn against the roll's geometry, its wheel zooms the roll."""

    def __init__(self, roll: RollHost, jobs: FilmLaneJobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roll, self.jobs = roll, jobs
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.font_ = QFont()
        self.font_.setPixelSize(11)

    def say(self, p: QPainter, text: str) -> None:
        if text:
            p.setPen(TEXT)
            p.setFont(self.font_)
            p.drawText(QRectF(8, 0, max(0, self.width() - 16), self.height()),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.roll.wheel(event, event.position().x(), None, zoom=True)


class PictureStrip(FilmLane):
    def __init__(self, roll: RollHost, jobs: FilmLaneJobs, parent: QWidget | None = None) -> None:
        super().__init__(roll, jobs, parent)
        self.setObjectName("PictureStrip")
        self.setMouseTracking(True)
        self._pixmaps: OrderedDict[tuple[int, int], QPixmap] = OrderedDict()
        self._ask = QTimer(self)
        self._ask.setSingleShot(True)
        self._ask.setInterval(120)
        self._ask.timeout.connect(self.ask_exact)
        self._hover = QLabel(self, Qt.WindowType.ToolTip)  # a window of its own, owned here
        self._hover.setStyleSheet("border: 1px solid #888; background: #000")
        self._hover_frame = -1
        self.hover_shown = -1  # the frame the hover window shows, once it is the frame itself
        self._hover_timer = QTimer(self)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(180)
        self._hover_timer.timeout.connect(self._sharpen)
        self._hover_task: object = None
        self._press: QPoint | None = None

    def thumb_width(self) -> int:
        job = self.jobs.thumbs
        h = max(1, self.height() - 2)
        return max(8, round(h * job.size[0] / job.size[1])) if job else h * 16 // 9

    def slots(self, x0: float, x1: float) -> list[tuple[float, int, float]]:
        """(x, film frame, width) of each thumbnail over pixels x0..x1: one a thumbnail-width
        (at whole multiples of it from time 0, so they scroll with the picture), the frame
        under its left edge; or one a frame when frames are wider than a thumbnail."""
        ft, info, geo = self.jobs.film_time, self.jobs.info, self.roll.geo
        if ft is None or info is None:
            return []
        tw = self.thumb_width()
        frame_px = info.rate.flicks_per_frame / geo.fpp
        out = []
        if frame_px >= tw:
            first = max(0, ft.film_frame(geo.t_of(x0)))
            last = min(info.frame_count - 1, ft.film_frame(geo.t_of(x1)))
            for f in range(first, last + 1):
                out.append((geo.x_of(ft.frame_start(f)), f, min(float(tw), frame_px)))
            return out
        origin_px = geo.t0 / geo.fpp
        k0 = math.floor((origin_px + x0) / tw)
        k1 = math.floor((origin_px + x1) / tw)
        for k in range(k0, k1 + 1):
            t = round(k * tw * geo.fpp)
            f = ft.film_frame(t)
            if 0 <= f < info.frame_count:
                out.append((k * tw - origin_px, f, float(tw)))
        return out

    def pixmap(self, frame: int, pixels: np.ndarray, height: int) -> QPixmap:
        key = (frame, height)
        pix = self._pixmaps.get(key)
        if pix is None:
            h, w = pixels.shape[:2]
            image = QImage(pixels.data, w, h, w * 3, QImage.Format.Format_RGB888)
            width = max(1, round(height * w / h))
            pix = QPixmap.fromImage(image.scaled(width, height,
                                                 Qt.AspectRatioMode.IgnoreAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation))
            self._pixmaps[key] = pix
            if len(self._pixmaps) > PIXMAPS:
                self._pixmaps.popitem(last=False)
        else:
            self._pixmaps.move_to_end(key)
        return pix

    def paintEvent(self, event: QPaintEvent) -> None:
        r = event.rect()
        x0, x1 = float(r.left()), float(r.right() + 1)
        p = QPainter(self)
        p.fillRect(QRectF(x0, 0, x1 - x0, self.height()), BACK)
        job = self.jobs.thumbs
        h = max(1, self.height() - 2)
        missing = False
        if job is not None and len(job.strip):
            for x, frame, width in self.slots(x0, x1):
                thumb = job.strip.at(frame)
                if thumb is None:
                    continue
                missing = missing or thumb.frame != frame
                pix = self.pixmap(thumb.frame, thumb.pixels, h)
                p.drawPixmap(QRectF(x, 1, width, h), pix, QRectF(0, 0, width, h))
                p.fillRect(QRectF(x + width - 1, 1, 1, h), BACK)
        else:
            self.say(p, self.jobs.picture_state)
        rp.paint_playhead(p, self.roll.geo, self.roll.playhead, 0, self.height())
        p.end()
        if missing:
            self._ask.start()

    def ask_exact(self) -> None:
        """Ask the strip's job for the exact frames in view (when not too much film is)."""
        job = self.jobs.thumbs
        info = self.jobs.info
        if job is None or info is None:
            return
        if self.width() * self.roll.geo.fpp > EXACT_SPAN_S * FLICKS_PER_SECOND:
            return
        job.request(f for _, f, _ in self.slots(0, self.width()))

    # -- the mouse ----------------------------------------------------------------------------
    def frame_at(self, x: float) -> int | None:
        tw = self.thumb_width()
        for sx, frame, width in self.slots(x - tw, x + 1):
            if sx <= x < sx + max(width, 1):
                return frame
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and event.button() == Qt.MouseButton.LeftButton:
            if (event.position().toPoint() - self._press).manhattanLength() <= 4:
                ft = self.jobs.film_time
                t = self.roll.geo.t_of(event.position().x())
                # locate on the frame clicked: its start
                self.roll.seek(ft.frame_start(ft.film_frame(t)) if ft is not None else t)
        self._press = None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        frame = self.frame_at(event.position().x())
        job = self.jobs.thumbs
        if frame is None or job is None:
            self._hover.hide()
            return
        if frame != self._hover_frame:
            self._hover_frame, self.hover_shown = frame, -1
            thumb = job.strip.at(frame)
            if thumb is not None:  # at once: the thumbnail, larger; then the frame itself
                big = self.pixmap(thumb.frame, thumb.pixels, HOVER_WIDTH * 9 // 16)
                self._hover.setPixmap(big)
                self._hover.adjustSize()
            self._hover_timer.start()
        pos = self.mapToGlobal(QPoint(int(event.position().x()) + 12, self.height() + 6))
        self._hover.move(pos)
        if not self._hover.isVisible() and self._hover.pixmap() is not None:
            self._hover.show()

    def leaveEvent(self, event: object) -> None:
        self._hover.hide()
        self._hover_frame = -1

    def _sharpen(self) -> None:
        from cuesketch.media.probe import MediaError
        from cuesketch.ui.background import BackgroundTask
        info, frame = self.jobs.info, self._hover_frame
        if info is None or frame < 0:
            return
        origin = self.jobs.thumbs.origin if self.jobs.thumbs is not None else 0.0
        proxy = self.jobs.seekable()  # seeks to the frame: no decoding from a key frame

        def grab() -> tuple[int, np.ndarray | None]:
            if proxy is not None:
                return frame, grab_frame(proxy, frame, HOVER_WIDTH, film_origin(proxy.path))
            return frame, grab_frame(info, frame, HOVER_WIDTH, origin)

        task = BackgroundTask(grab, (MediaError, OSError), "film-hover")
        task.finished.connect(self._sharpened)
        self._hover_task = task
        task.start()

    def _sharpened(self, result: object) -> None:
        assert isinstance(result, tuple)
        frame: int = result[0]
        pixels: np.ndarray | None = result[1]
        if frame != self._hover_frame or pixels is None or not self._hover.isVisible():
            return
        h, w = pixels.shape[:2]
        image = QImage(pixels.data, w, h, w * 3, QImage.Format.Format_RGB888).copy()
        self._hover.setPixmap(QPixmap.fromImage(image))
        self._hover.adjustSize()
        self.hover_shown = frame


class Waveform(FilmLane):
    def __init__(self, roll: RollHost, jobs: FilmLaneJobs, parent: QWidget | None = None) -> None:
        super().__init__(roll, jobs, parent)
        self.setObjectName("Waveform")
        self.per_channel = False
        self._cache: tuple[tuple[object, ...], QImage] | None = None

    def image(self, x0: int, width: int) -> QImage | None:
        """The waveform of ``width`` columns from ``x0``, as an image (cached for the view)."""
        peaks, ft, geo = self.jobs.peaks, self.jobs.film_time, self.roll.geo
        if peaks is None or ft is None or width <= 0:
            return None
        key = (id(peaks), geo.t0, geo.fpp, x0, width, self.height(), self.per_channel)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        height = self.height()
        start_s = (geo.t_of(x0) - ft.origin) / FLICKS_PER_SECOND
        spp = geo.fpp / FLICKS_PER_SECOND
        rows = list(range(min(peaks.channels, 8))) if self.per_channel else [-1]
        ys = np.arange(height, dtype=np.float32)[:, None] + 0.5
        pixels = np.full((height, width), np.uint32(rp.argb(BACK)), np.uint32)
        band = height / len(rows)
        for k, channel in enumerate(rows):
            mn, mx, rms = peaks.columns(start_s, spp, width, channel)
            half = band / 2 - 1
            mid = band * k + band / 2
            top, bottom = mid - loudness(mx) * half, mid + loudness(-mn) * half
            level = loudness(rms) * half
            inside = (ys >= np.floor(top)) & (ys <= np.ceil(bottom))
            core = (ys >= mid - level) & (ys <= mid + level) & inside
            pixels = np.where(core, np.uint32(rp.argb(RMS)),
                              np.where(inside, np.uint32(rp.argb(PEAK)), pixels))
        image = QImage(pixels.data, width, height, width * 4, QImage.Format.Format_RGB32).copy()
        self._cache = (key, image)
        return image

    def paintEvent(self, event: QPaintEvent) -> None:
        r = event.rect()
        p = QPainter(self)
        full = self.image(0, self.width())
        if full is not None:
            p.drawImage(r, full, r)
            self.say(p, self.jobs.sound_state)  # "silent", over the flat line
        else:
            p.fillRect(r, BACK)
            self.say(p, self.jobs.sound_state)
        rp.paint_playhead(p, self.roll.geo, self.roll.playhead, 0, self.height())
        p.end()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        summed = menu.addAction("Channels Summed", lambda: self.set_per_channel(False))
        summed.setCheckable(True)
        summed.setChecked(not self.per_channel)
        each = menu.addAction("Each Channel", lambda: self.set_per_channel(True))
        each.setCheckable(True)
        each.setChecked(self.per_channel)
        streams = self.jobs.streams
        if len(streams) > 1:
            sub = menu.addMenu("Sound Stream")
            for k, a in enumerate(streams, 1):
                name = f"Stream {k}: {a.channels} ch {a.codec}" + (
                    f" ({a.language})" if a.language else "")
                act = sub.addAction(name, self._stream_chooser(a.index))
                act.setCheckable(True)
                act.setChecked(a.index == self.jobs.stream)
        menu.exec(event.globalPos())

    def _stream_chooser(self, index: int) -> Callable[[], None]:
        return lambda: self.jobs.select_stream(index)

    def set_per_channel(self, on: bool) -> None:
        self.per_channel = on
        self.update()


class _Grip(QWidget):
    """Under a lane: drag to make it taller or shorter."""

    def __init__(self, lane: QWidget, parent: QWidget) -> None:
        super().__init__(parent)
        self.lane = lane
        self.setFixedHeight(3)
        self.setCursor(Qt.CursorShape.SizeVerCursor)
        self._from: tuple[float, int] | None = None

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#2a2e35"))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._from = (event.globalPosition().y(), self.lane.height())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._from is not None and self.lane.isVisible():
            y, h = self._from
            self.lane.setFixedHeight(int(min(MAX_PX, max(MIN_PX,
                                                         h + event.globalPosition().y() - y))))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._from = None


class _Bridge(QObject):
    changed = Signal()


class FilmLanes(QWidget):
    """The three lanes with their names at the left; fold one from its name."""

    def __init__(self, roll: RollHost, jobs: FilmLaneJobs, detect: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FilmLanes")
        self.jobs = jobs
        self.setup: object = None  # what installed the lanes: kept alive with them
        self.picture = PictureStrip(roll, jobs, self)
        self.sound = Waveform(roll, jobs, self)
        self.speech = SpeechLane(roll, detect, self)
        self.lanes: dict[str, QWidget] = {"picture": self.picture, "sound": self.sound,
                                          "speech": self.speech}
        self.buttons: dict[str, QToolButton] = {}
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        screen = QGuiApplication.primaryScreen()
        small = screen is not None and screen.availableGeometry().height() < 900
        heights = COMPACT if small else HEIGHTS
        for name, lane in self.lanes.items():
            lane.setFixedHeight(heights[name])
            button = QToolButton(self)
            button.setText(f"▾ {name.capitalize()}")
            button.setAutoRaise(True)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setToolTip(f"Fold the {name} lane away, or bring it back")
            button.setStyleSheet("QToolButton { color: #aab2bd; font-size: 10px; "
                                 "padding: 0; text-align: left; }")
            button.setFixedWidth(LEFT_PX)
            button.clicked.connect(lambda _c=False, n=name: self.toggle(n))
            self.buttons[name] = button
            column.addLayout(row_layout(button, lane))
            column.addWidget(_Grip(lane, self))
        self._heights = dict(heights)
        self._bridge = _Bridge(self)
        self._bridge.changed.connect(self.refresh, Qt.ConnectionType.QueuedConnection)

    def timed(self) -> list[QWidget]:
        return [self.picture, self.sound, self.speech]

    def folded(self, name: str) -> bool:
        return self.lanes[name].height() <= FOLDED_PX

    def toggle(self, name: str) -> None:
        lane = self.lanes[name]
        if self.folded(name):
            lane.setFixedHeight(self._heights[name])
        else:
            self._heights[name] = lane.height()
            lane.setFixedHeight(FOLDED_PX)
        self._name(name)

    def state(self) -> str:
        """The lanes' heights and which are folded, to keep between sessions."""
        import json
        return json.dumps({name: {"height": self._heights[name] if self.folded(name)
                                  else lane.height(), "folded": self.folded(name)}
                           for name, lane in self.lanes.items()})

    def restore(self, state: object) -> None:
        """As ``state`` gave (anything else is ignored: the defaults stay)."""
        import json
        try:
            kept = json.loads(state) if isinstance(state, str) else None
        except ValueError:
            return
        if not isinstance(kept, dict):
            return
        for name, lane in self.lanes.items():
            item = kept.get(name)
            if not isinstance(item, dict):
                continue
            height = item.get("height")
            if type(height) is int and MIN_PX <= height <= MAX_PX:
                self._heights[name] = height
                if not self.folded(name):
                    lane.setFixedHeight(height)
            if item.get("folded") is True and not self.folded(name):
                self.toggle(name)

    def changed_from_any_thread(self) -> None:
        """The jobs' ``on_change``: drawn on the GUI thread (queued)."""
        try:
            self._bridge.changed.emit()
        except RuntimeError:  # the window is gone
            pass

    def refresh(self) -> None:
        self.setVisible(self.jobs.has_film)  # no film: no lanes, the notes get the room
        found = self.jobs.take_detection()
        if found is not None:
            if found.silent:
                self.speech.roll.status("The film's sound is silent: no speech to find")
            else:
                self.speech.edits.replace_detection(found.spans)
        error = self.jobs.take_error()
        if error:
            self.speech.roll.status(f"Speech not detected: {error}")
        self.speech.state = self.jobs.speech_state
        job = self.jobs.thumbs
        working = job is not None and job.phase in ("keyframes", "refining")
        self._name("picture", f" {job.progress * 100:.0f} %" if working and job else "")
        for lane in self.timed():
            lane.update()

    def _name(self, name: str, extra: str = "") -> None:
        arrow = "▸" if self.folded(name) else "▾"
        self.buttons[name].setText(f"{arrow} {name.capitalize()}{extra}")

    def view_changed(self) -> None:
        """The roll scrolled or zoomed: a lane that writes a message (at a place of its own,
        not of the time) is drawn whole, not shifted with the view."""
        for lane, text in ((self.picture, self.jobs.picture_state if self.jobs.thumbs is None
                            or not len(self.jobs.thumbs.strip) else ""),
                           (self.sound, self.jobs.sound_state), (self.speech, self.speech.state)):
            if text:
                lane.update()
