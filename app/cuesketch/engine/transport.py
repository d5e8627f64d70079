"""The transport: the one source of truth for where the music and the picture are.

The position is a function of a monotonic clock and an anchor ``(position, time)``:

    position(t) = anchor_position + (t - anchor_time) * speed       while playing

When the audio device runs, its callback is the master: after each period it calls
``sync(sample_position_as_flicks, at_ns)`` and the anchor follows the samples actually sent
to the device, smoothed so that jitter in the callback's wake-up time does not make the
position jump. Without audio, the monotonic clock alone runs the transport. The picture and
the recorder only read it; nothing reads time from libvlc.

``position_at(t_ns)`` is the one documented mapping from a MIDI message's arrival time
(monotonic ns, stamped in the input callback) to transport time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.timing.units import FLICKS_PER_SECOND

NS_PER_SECOND = 1_000_000_000


@dataclass(frozen=True)
class TransportState:
    playing: bool
    recording: bool
    position: int  # flicks, at the moment of the change
    loop: tuple[int, int] | None
    speed: float = 1.0  # J/K/L shuttle: 1, 2, 4 ... or negative
    epoch: int = 0  # counts jumps (play, stop, seek, loop): a sync from before one is stale


Listener = Callable[[TransportState], None]


class Transport:
    # How far the audio anchor may pull per sync: small enough to smooth callback jitter,
    # large enough to follow the device within a few periods.
    SYNC_GAIN = 0.1
    # Past this the position jumps to the audio (a device restart, an xrun): 20 ms.
    RESYNC_FLICKS = FLICKS_PER_SECOND // 50

    def __init__(self, clock: MonotonicClock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._playing = False
        self._recording = False
        self._speed = 1.0
        self._anchor_pos = 0
        self._anchor_ns = self.clock.now_ns()
        self._loop: tuple[int, int] | None = None
        self._epoch = 0
        self._listeners: list[Listener] = []
        self.pre_roll = 0  # flicks played before the position where play was pressed
        self.count_in_bars = 0

    # -- reading -----------------------------------------------------------------------------
    def position(self) -> int:
        return self.position_at(self.clock.now_ns())

    def position_at(self, t_ns: int) -> int:
        """Transport time (flicks) at monotonic time ``t_ns``: the mapping for MIDI arrivals."""
        with self._lock:
            return self._position_at(t_ns)

    def _position_at(self, t_ns: int) -> int:
        if not self._playing:
            return self._anchor_pos
        elapsed = (t_ns - self._anchor_ns) * FLICKS_PER_SECOND // NS_PER_SECOND
        if self._speed != 1.0:
            elapsed = int(elapsed * self._speed)
        pos = self._anchor_pos + elapsed
        if self._loop is not None and self._speed > 0:
            start, end = self._loop
            if pos >= end > start and self._anchor_pos < end:
                pos = start + (pos - start) % (end - start)
        return pos

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def recording(self) -> bool:
        return self._recording

    @property
    def speed(self) -> float:
        return self._speed

    @property
    def loop(self) -> tuple[int, int] | None:
        return self._loop

    def state(self) -> TransportState:
        with self._lock:
            return TransportState(self._playing, self._recording, self._position_at(
                self.clock.now_ns()), self._loop, self._speed, self._epoch)

    # -- commands ----------------------------------------------------------------------------
    def play(self, speed: float = 1.0) -> None:
        with self._lock:
            now = self.clock.now_ns()
            self._anchor_pos = self._position_at(now)
            self._anchor_ns = now
            self._playing = True
            self._speed = speed
            self._epoch += 1
        self._notify()

    def stop(self) -> None:
        with self._lock:
            now = self.clock.now_ns()
            self._anchor_pos = self._position_at(now)
            self._anchor_ns = now
            self._playing = False
            self._recording = False
            self._speed = 1.0
            self._epoch += 1
        self._notify()

    def toggle(self) -> None:
        self.stop() if self._playing else self.play()

    def seek(self, position: int) -> None:
        with self._lock:
            self._anchor_pos = position
            self._anchor_ns = self.clock.now_ns()
            self._epoch += 1
        self._notify()

    def set_recording(self, on: bool) -> None:
        with self._lock:
            self._recording = on
        self._notify()

    def set_loop(self, loop: tuple[int, int] | None) -> None:
        if loop is not None and loop[1] <= loop[0]:
            raise ValueError("a loop ends after it starts")
        with self._lock:
            self._loop = loop
            self._epoch += 1
        self._notify()

    # -- the audio master --------------------------------------------------------------------
    def sync(self, position: int, at_ns: int, epoch: int | None = None) -> None:
        """The audio device says: the sample at ``position`` is heard at ``at_ns``.

        Called from the audio thread; cheap and lock-short. Small errors are pulled in
        gradually (a first-order loop); a large one (xrun, restart) is taken at once.
        ``epoch``: the transport state the audio last heard of; a sync that has not yet seen
        the latest seek (or play, stop, loop) is stale and ignored, so it can't undo a seek.
        """
        with self._lock:
            if not self._playing or self._speed != 1.0:
                return
            if epoch is not None and epoch != self._epoch:
                return
            predicted = self._position_at(at_ns)
            error = position - predicted
            if abs(error) > self.RESYNC_FLICKS:
                self._anchor_pos, self._anchor_ns = position, at_ns
            else:
                self._anchor_pos = predicted + int(error * self.SYNC_GAIN)
                self._anchor_ns = at_ns

    # -- observers ---------------------------------------------------------------------------
    def observe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        state = self.state()
        for listener in list(self._listeners):
            listener(state)
