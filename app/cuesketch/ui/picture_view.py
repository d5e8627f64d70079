"""The picture widget: the latest frame, scaled to fit, with the scoring overlays over it.

Frames come from a ``FrameSource`` (the ``PicturePlayer``), which libvlc fills on its own
thread; a timer on the GUI thread looks at the source's serial number and repaints when a new
frame or a new clock frame is there, and the paint reads the latest frame then. No libvlc
thread ever touches a widget.

The overlays (timecode burn-in, cue and bar|beat, streamers, punches, flutters) are drawn from
``media.overlays`` at the frame on screen: the picture's frame when there is one, the clock's
otherwise, so they work without a film too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (QAction, QColor, QContextMenuEvent, QFont, QImage, QMouseEvent,
                           QPainter, QPaintEvent, QPen)
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from cuesketch.engine.transport import Transport
from cuesketch.media.filmtime import FilmTime
from cuesketch.media.frames import Frame
from cuesketch.media.overlays import (Flutter, HitIndex, OverlayOptions, Punch, Streamer,
                                      mark_shape, marks_at, texts_at)
from cuesketch.model.document import Document
from cuesketch.ui.review_marks import review_text_at


class FrameSource(Protocol):
    """Where the view gets frames: the picture player, or a fake in tests."""

    @property
    def serial(self) -> int: ...

    @property
    def film(self) -> FilmTime | None: ...

    def latest(self) -> Frame | None: ...


TOGGLES = (  # context menu: option field, label
    ("timecode", "Timecode"),
    ("cue", "Cue and Bar|Beat"),
    ("streamers", "Streamers"),
    ("punches", "Punches"),
    ("flutters", "Flutters"),
)


class PictureView(QWidget):
    REFRESH_MS = 5  # how often to look for a new frame (it is drawn only when there is one)
    optionsChanged = Signal(object)  # OverlayOptions, changed from the context menu
    doubleClicked = Signal()
    firstFrameShown = Signal()  # the film's first picture was painted (startup figure)

    def __init__(self, document: Document, transport: Transport,
                 source: FrameSource | None = None, options: OverlayOptions | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PictureView")
        self.document = document
        self.transport = transport
        self.source = source
        self.options = options or OverlayOptions()
        self.problem: str | None = None  # why there is no picture, shown in its place
        self.status: str = ""  # a line over the picture (e.g. "Preparing the film: 40 %")
        self.aspect = 16 / 9  # until a frame says otherwise
        self._hits: HitIndex | None = None
        self._painted: tuple[object, ...] | None = None
        self.last_overlay_frame: int | None = None  # the frame the overlays were drawn at
        self._shown_once = False
        self.setMinimumSize(160, 90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        document.observe(lambda _changes: self._model_changed())
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.refresh)
        self._timer.start(self.REFRESH_MS)

    # -- what to show ------------------------------------------------------------------------
    def set_source(self, source: FrameSource | None) -> None:
        self.source = source
        self.update()

    def set_problem(self, problem: str | None) -> None:
        """No picture, and why (with what to do), shown where the picture would be."""
        self.problem = problem
        self.update()

    def set_status(self, text: str) -> None:
        self.status = text
        self.update()

    def set_options(self, options: OverlayOptions) -> None:
        self.options = options
        self.update()

    def _model_changed(self) -> None:
        self._hits = None  # hits may have moved: index them again at the next paint
        self._painted = None

    # -- refreshing ----------------------------------------------------------------------------
    def current_frame(self) -> tuple[int, Frame | None]:
        """The project frame on screen and the picture (None: the clock's frame, no picture)."""
        source = self.source
        frame = source.latest() if source is not None else None
        film = source.film if source is not None else None
        if frame is not None and film is not None:
            return film.project_frame(frame.number), frame
        rate = self.document.project.settings.rate
        return rate.flicks_to_frame(self.transport.position()), frame

    def refresh(self) -> None:
        """Repaint when the picture or the clock's frame changed (the timer calls this)."""
        source = self.source
        serial = source.serial if source is not None else 0
        rate = self.document.project.settings.rate
        key = (serial, rate.flicks_to_frame(self.transport.position()), self.options,
               self.problem, self.status, self.width(), self.height())
        if key != self._painted:
            self._painted = key
            self.update()

    # -- painting ------------------------------------------------------------------------------
    def picture_rect(self) -> QRectF:
        """Where the picture goes: the largest rectangle of its aspect, centred."""
        w, h = self.width(), self.height()
        if w / max(1, h) > self.aspect:
            pw, ph = h * self.aspect, float(h)
        else:
            pw, ph = float(w), w / self.aspect
        return QRectF((w - pw) / 2, (h - ph) / 2, pw, ph)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#000000"))
        project_frame, frame = self.current_frame()
        if frame is not None:
            self.aspect = frame.width / frame.height
        rect = self.picture_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if frame is not None:
            image = QImage(frame.pixels.data, frame.width, frame.height, frame.width * 4,
                           QImage.Format.Format_RGB32)
            painter.drawImage(rect, image)
            if not self._shown_once:
                self._shown_once = True
                self.firstFrameShown.emit()
        else:
            painter.fillRect(rect, QColor("#101010"))
        self._draw_overlays(painter, rect, project_frame)
        if frame is None and self.problem:
            self._draw_problem(painter, rect)
        painter.end()

    def _draw_problem(self, painter: QPainter, rect: QRectF) -> None:
        font = QFont(self.font())
        font.setPixelSize(max(11, int(rect.height() * 0.04)))
        painter.setFont(font)
        inner = rect.adjusted(rect.width() * 0.08, 0, -rect.width() * 0.08, 0)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        box = painter.boundingRect(inner, flags, self.problem or "")
        pad = font.pixelSize()
        painter.fillRect(box.adjusted(-pad, -pad, pad, pad), QColor(16, 16, 16, 220))
        painter.setPen(QColor("#d0d0d0"))
        painter.drawText(inner, flags, self.problem or "")

    def _draw_overlays(self, painter: QPainter, rect: QRectF, frame: int) -> None:
        self.last_overlay_frame = frame
        project = self.document.project
        settings = project.settings
        options = self.options
        if options.streamers or options.punches or options.flutters:
            if self._hits is None:
                self._hits = HitIndex(project.hits.values())
            for mark in marks_at(frame, self._hits, settings.rate, options):
                self._draw_mark(painter, rect, mark)
        if options.timecode or options.cue:
            texts = texts_at(frame, settings, project.cues.values())
            if options.timecode:
                self._draw_burn_in(painter, rect, texts.timecode)
            if options.cue:
                line = "   ".join(t for t in (texts.cue, texts.bar_beat) if t)
                self._draw_label(painter, rect, line, QPointF(0.02, 0.03), 0.045)
        note = review_text_at(project, frame)
        if note is not None:  # the director's note, open, at this frame
            self._draw_label(painter, rect, note, QPointF(0.02, 0.80), 0.035)
        if self.status:
            # top left, under the cue line: the burn-in timecode owns the bottom
            self._draw_label(painter, rect, self.status, QPointF(0.02, 0.16), 0.035)

    def _draw_mark(self, painter: QPainter, rect: QRectF,
                   mark: Streamer | Punch | Flutter) -> None:
        # the shape is media.overlays.mark_shape's: a preview movie burns in the same one
        shape = mark_shape(mark, rect.width(), rect.height(), self.options)
        color = QColor(shape.color)
        color.setAlphaF(shape.alpha)
        if shape.kind == "box":
            painter.fillRect(QRectF(rect.left() + shape.x, rect.top() + shape.y, shape.w,
                                    shape.h), color)
            return
        centre = QPointF(rect.left() + shape.x, rect.top() + shape.y)
        if shape.kind == "disc":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(color)
        else:
            painter.setPen(QPen(color, shape.ring))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(centre, shape.w, shape.h)

    def _text_font(self, pixels: float) -> QFont:
        font = QFont("DejaVu Sans Mono")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setBold(True)
        font.setPixelSize(max(8, int(pixels)))
        return font

    def _draw_burn_in(self, painter: QPainter, rect: QRectF, text: str) -> None:
        """White on a black box, like a burned-in window dub."""
        o = self.options
        painter.setFont(self._text_font(rect.height() * o.timecode_size))
        metrics = painter.fontMetrics()
        pad = metrics.height() * 0.25
        w, h = metrics.horizontalAdvance(text) + 2 * pad, metrics.height() + pad
        x = min(max(rect.left(), rect.left() + o.timecode_x * rect.width() - w / 2),
                rect.right() - w)
        y = min(max(rect.top(), rect.top() + o.timecode_y * rect.height() - h / 2),
                rect.bottom() - h)
        box = QRectF(x, y, w, h)
        painter.fillRect(box, QColor(0, 0, 0, 210))
        painter.setPen(QColor("#ffffff"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    def _draw_label(self, painter: QPainter, rect: QRectF, text: str, at: QPointF,
                    size: float) -> None:
        if not text:
            return
        painter.setFont(self._text_font(rect.height() * size))
        metrics = painter.fontMetrics()
        pad = metrics.height() * 0.2
        box = QRectF(rect.left() + at.x() * rect.width(), rect.top() + at.y() * rect.height(),
                     metrics.horizontalAdvance(text) + 2 * pad, metrics.height() + pad)
        painter.fillRect(box, QColor(0, 0, 0, 160))
        painter.setPen(QColor("#f0f0f0"))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)

    # -- interaction ---------------------------------------------------------------------------
    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.doubleClicked.emit()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        for field, label in TOGGLES:
            action = QAction(label, menu)
            action.setCheckable(True)
            action.setChecked(bool(getattr(self.options, field)))
            action.toggled.connect(lambda on, f=field: self._toggle(f, on))
            menu.addAction(action)
        menu.exec(event.globalPos())

    def _toggle(self, field: str, on: bool) -> None:
        self.set_options(replace(self.options, **{field: on}))
        self.optionsChanged.emit(self.options)
