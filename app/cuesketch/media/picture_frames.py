"""The picture player's frames: what libvlc hands over, labelled with their film frame.

``PictureFrames`` is the half of ``PicturePlayer`` (``media.picture``) that runs on libvlc's
video thread and on the readers' threads: it lends libvlc the buffers, decides which frame a
picture is (counted while playing, the landed seek while held, a redisplay otherwise) and hands
the frames out (``latest()``, ``on_frame``). The control thread's half, which commands libvlc,
is the player itself. Both share the state under ``_lock``.

"Now" is the injected clock's (``MonotonicClock``, the transport's), never the system's own.
"""

from __future__ import annotations

import ctypes
import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.engine.transport import NS_PER_SECOND, Transport
from cuesketch.media.filmtime import FilmTime
from cuesketch.media.frames import Frame, FrameExchange
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.units import FLICKS_PER_SECOND

FrameCallback = Callable[[Frame | None], None]


class Mode(enum.Enum):
    CLOSED = "closed"
    HOLD = "hold"  # libvlc paused on a known frame (or seeking to one)
    PLAY = "play"  # libvlc playing; pictures are counted
    PAUSING = "pausing"  # libvlc told to pause: pictures already on their way still come


@dataclass
class PictureStats:
    """What the player did, for the status line and the benchmarks."""

    seeks: int = 0
    seek_retries: int = 0
    cue_ups: int = 0  # starts and restarts of playback from a cued frame
    resyncs: int = 0  # restarts because the picture left the clock by more than a frame
    frames_counted: int = 0
    last_seek_ms: float = 0.0
    resume_latency_ms: float = 10.0  # libvlc's delay from "play" to running, learned


def ns_of_flicks(flicks: float) -> int:
    return int(flicks * NS_PER_SECOND / FLICKS_PER_SECOND)


class PictureFrames:
    def __init__(self, transport: Transport, project_rate: FrameRate, *,
                 offset_frames: int = 0, on_frame: FrameCallback | None = None,
                 clock: MonotonicClock | None = None) -> None:
        self.transport = transport
        self.clock = clock or SystemClock()  # the transport's: "now" for the picture too
        self._now = self.clock.now_ns
        self.project_rate = project_rate
        self.offset_frames = offset_frames
        self.on_frame = on_frame
        self.stats = PictureStats()
        self._exchange: FrameExchange | None = None
        self._film: FilmTime | None = None
        # shared between the control thread and libvlc's thread, under _lock
        self._lock = threading.Lock()
        self._mode = Mode.CLOSED
        self._shown = -1  # the frame libvlc shows (counted, or the landed seek)
        self._requested: int | None = None  # the last seek's frame
        self._pending: tuple[int, int] | None = None  # (frame, sent ns) of a seek not landed
        self._tries = 0  # times the pending seek was sent
        self._seek_ns = 10_000_000  # the usual time a seek takes to land (learned)
        self._rechecks = 0  # seeks sent again to check a picture that came unasked
        self._unasked = 0  # pictures that came while held, with no seek: which frame is unsure
        self._behind_ns = 0  # since when the picture is late by more than a frame (0: it is not)
        self._guard_ns = 0  # PLAY: pictures before this are redisplays of the cued frame
        self._resumed_ns = 0
        self._paused_ns = 0
        self._first_new = True
        self._hide_ahead = False  # cueing: do not show a frame the clock has not reached
        self._last_offset = 0  # frames: shown minus the clock's frame, at the last picture
        self._blank = True
        self._landed = threading.Event()

    # -- reading ---------------------------------------------------------------------------------
    def latest(self) -> Frame | None:
        """The newest frame (None: nothing to show); its pixels stay valid until the next call."""
        exchange = self._exchange
        return exchange.latest() if exchange is not None else None

    @property
    def serial(self) -> int:
        exchange = self._exchange
        return exchange.serial if exchange is not None else 0

    @property
    def shown(self) -> int | None:
        """The film frame of the latest picture handed out, or None (blank)."""
        exchange = self._exchange
        return None if exchange is None else exchange.latest_number

    @property
    def film(self) -> FilmTime | None:
        return self._film

    @property
    def size(self) -> tuple[int, int] | None:
        exchange = self._exchange
        return None if exchange is None else (exchange.width, exchange.height)

    def wait_shown(self, frame: int, timeout: float = 2.0) -> bool:
        """Block until the picture shows film frame ``frame`` (tests and benchmarks)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.shown == frame and self._pending is None and self._mode is not Mode.PAUSING:
                return True
            self._landed.wait(0.005)
            self._landed.clear()
        return False

    # -- libvlc's video thread ---------------------------------------------------------------
    def _lock_cb(self, opaque: Any, planes: Any) -> int:
        exchange = self._exchange  # set before libvlc starts, replaced only after it stopped
        assert exchange is not None
        index = exchange.back()
        planes[0] = exchange.buffers[index].ctypes.data_as(ctypes.c_void_p).value
        return index + 1  # the picture id libvlc hands back; 0 would read as "none"

    def _unlock_cb(self, opaque: Any, picture: Any, planes: Any) -> None:
        pass

    def _display_cb(self, opaque: Any, picture: Any) -> None:
        exchange = self._exchange
        if exchange is None or not picture:
            return
        index = int(picture) - 1
        now = self._now()
        frame = None
        with self._lock:
            number = self._label(index, exchange, now)
            film = self._film
            if number is not None and film is not None and film.inside(number):
                clock = film.film_frame(self.transport.position_at(now))
                if self._hide_ahead and number > clock:
                    exchange.stash(index, number)  # shown when the clock gets there
                    return
                if (self._mode is Mode.PLAY and number > clock + 1) or \
                        (self._mode is Mode.PAUSING and number > clock):
                    exchange.release_back(index)  # past a loop's end, or a stop: not shown
                    return
                self._last_offset = number - clock
                self._blank = False
                frame = exchange.publish(index, number)
        if frame is None:
            exchange.release_back(index)
            return
        if self.on_frame is not None:
            self.on_frame(frame)
        self._landed.set()

    def _label(self, index: int, exchange: FrameExchange, now: int) -> int | None:
        """Which frame a picture from libvlc is, or None for a redisplay (under _lock)."""
        if self._mode is Mode.PLAY:
            if now < self._guard_ns:
                return None  # libvlc's redisplay of the cued frame, just before it runs
            self._shown += 1
            self.stats.frames_counted += 1
            if self._first_new:
                self._first_new = False
                self._learn_resume_latency(now)
            return self._shown
        if self._mode is Mode.PAUSING:  # the last pictures of the run: still counted
            if exchange.same_as_latest(index):
                return None
            self._shown += 1
            return self._shown
        if self._mode is not Mode.HOLD:
            return None
        changed = not exchange.same_as_latest(index)
        if self._pending is not None:
            target, sent = self._pending
            if changed:
                self._pending = None
                self._shown = target
                self.stats.last_seek_ms = (now - sent) / 1e6
                if self._tries == 1:
                    self._seek_ns += (now - sent - self._seek_ns) // 4
                return target
            return None
        if changed:  # a picture nobody asked for (libvlc was behind when paused)
            self._unasked += 1
            return self._shown
        return None

    def _learn_resume_latency(self, now: int) -> None:
        """libvlc starts a little after "play"; the first new picture says how long."""
        film = self._film
        if film is None:
            return
        due = self._resumed_ns + ns_of_flicks(film.film_rate.flicks_per_frame / 2)
        measured = (now - due) / 1e6
        if 0 <= measured < 100:
            s = self.stats
            s.resume_latency_ms += 0.3 * (measured - s.resume_latency_ms)
