"""Frames handed from libvlc's thread to a reader, without copying and without tearing.

libvlc writes each picture into a buffer it gets from ``back()``; ``publish()`` makes it the
latest. The reader (the view's timer on the GUI thread) calls ``latest()`` and may use the
returned frame's pixels until its next ``latest()`` call: the buffer it holds and the latest
one are never handed to libvlc for writing. A picture may also be set aside (``stash``) to be
published later, when the clock reaches it; five buffers leave one free in every case.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Frame:
    number: int  # the film frame shown (0 is the film's first)
    pixels: np.ndarray  # height x width x 4, uint8, B G R X (libvlc RV32 = QImage RGB32)
    serial: int  # grows with every picture published

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


class FrameExchange:
    BUFFERS = 5

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.pitch = width * 4
        self.buffers = [np.zeros((height, width, 4), np.uint8) for _ in range(self.BUFFERS)]
        self._lock = threading.Lock()
        self._latest: Frame | None = None
        self._latest_index = -1
        self._held = -1
        self._writing: set[int] = set()
        self._stash: tuple[int, int] | None = None  # (index, number) set aside
        self._serial = 0
        self._blank = True  # nothing to show (no film yet, or outside the film)

    # -- writer (libvlc's thread) --------------------------------------------------------------
    def back(self) -> int:
        """A buffer index free for writing."""
        with self._lock:
            busy = {self._latest_index, self._held, self._stash[0] if self._stash else -1}
            for i in range(self.BUFFERS):
                if i not in busy and i not in self._writing:
                    self._writing.add(i)
                    return i
            # libvlc asked for more pictures at once than expected: reuse a written one
            return next(i for i in range(self.BUFFERS) if i not in busy)

    def release_back(self, index: int) -> None:
        """A buffer written but not to be shown (a repeat of what is already shown)."""
        with self._lock:
            self._writing.discard(index)

    def same_as_latest(self, index: int) -> bool:
        """Whether a freshly written buffer shows the same picture as the latest frame."""
        latest = self._latest_index
        return latest >= 0 and np.array_equal(self.buffers[index], self.buffers[latest])

    def publish(self, index: int, number: int) -> Frame:
        with self._lock:
            self._writing.discard(index)
            self._serial += 1
            frame = Frame(number, self.buffers[index], self._serial)
            self._latest, self._latest_index, self._blank = frame, index, False
            return frame

    def stash(self, index: int, number: int) -> None:
        """Set a written picture aside, to be published by ``publish_stash``."""
        with self._lock:
            self._writing.discard(index)
            self._stash = (index, number)

    def drop_stash(self) -> None:
        with self._lock:
            self._stash = None

    @property
    def stashed(self) -> int | None:
        """The number of the picture set aside, or None."""
        stash = self._stash
        return None if stash is None else stash[1]

    def publish_stash(self) -> Frame | None:
        with self._lock:
            stash, self._stash = self._stash, None
        return None if stash is None else self.publish(*stash)

    def unblank(self, number: int) -> bool:
        """Show the latest picture again if it is frame ``number``; False if it is not."""
        with self._lock:
            if self._latest is None or self._latest.number != number:
                return False
            if self._blank:
                self._blank = False
                self._serial += 1
            return True

    def relabel(self, number: int) -> Frame | None:
        """Say the latest picture is frame ``number`` (a seek landed on identical pixels)."""
        with self._lock:
            if self._latest is None or self._latest.number == number:
                return self._latest
            self._serial += 1
            self._latest = Frame(number, self._latest.pixels, self._serial)
            return self._latest

    def blank(self) -> None:
        """Nothing to show: the position is outside the film."""
        with self._lock:
            if not self._blank:
                self._serial += 1
            self._blank = True

    # -- reader ---------------------------------------------------------------------------------
    @property
    def serial(self) -> int:
        return self._serial

    @property
    def latest_number(self) -> int | None:
        latest = self._latest
        return None if self._blank or latest is None else latest.number

    def latest(self) -> Frame | None:
        """The newest frame (None when blank); its buffer stays intact until the next call."""
        with self._lock:
            if self._blank or self._latest is None:
                self._held = -1
                return None
            self._held = self._latest_index
            return self._latest
