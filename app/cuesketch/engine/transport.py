"""The transport: the one source of truth for where the music and the picture are.

While playing, the position is a continuous, piecewise-linear function of one injected
monotonic clock, kept as a short list of pieces ``(from t, position at t, speed)``:

    position(t) = piece.position + (t - piece.t) * speed        (the last piece begun by t)

Every change of plan starts a new piece at the current time from the current position, and no
piece runs backwards, so ``position()`` never decreases while playing (a loop's wrap aside),
and ``position_at(t)`` of a past moment (a MIDI message's arrival stamp) answers with the piece
that was in force then: a note's place does not depend on when it is asked.

The audio device is the master when it runs. Its callback reports every period through
``device_period``: a delay-locked loop (``DeviceClock``) filters those reports into a straight
line from time to device samples, and the transport follows the samples actually heard:
- Play (or a seek while playing) holds the position until the device's first period of the
  take is heard, and runs from there: the take is anchored on that period's filtered time, so
  the first note is placed as right as the hundredth. (Without a running device, or if it does
  not answer within ``ANCHOR_TIMEOUT_NS``, the transport runs on the monotonic clock.)
- Then a servo steers the speed so the position meets the device's line by its next period,
  never slower than ``1 - MAX_SLEW`` nor faster than ``1 + MAX_SLEW`` times the device's
  rate: a lost period (5 ms) is absorbed in two periods, unseen by the picture.
- An error past ``RECUE_FLICKS`` (the device restarted, or stalled) is not followed: the
  transport goes on and the *audio* re-cues to it (``device_period`` says where). The picture
  and the recorder never see a step; ``recues`` counts them.
- If the device stops calling, the last piece goes on at the device's rate (a steer lasts
  one period only), and once the audio output sees the device gone (``device_gone``) at speed
  1: the transport continues on the monotonic clock from exactly where the audio left it.
Explicit jumps (play, stop, seek, loop) bump ``epoch``, and observers are told.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.engine.device_clock import DeviceClock
from cuesketch.timing.units import FLICKS_PER_SECOND

NS_PER_SECOND = 1_000_000_000
_FLICKS_PER_NS = FLICKS_PER_SECOND / NS_PER_SECOND


@dataclass(frozen=True)
class TransportState:
    playing: bool
    recording: bool
    position: int  # flicks, at the moment of the change
    loop: tuple[int, int] | None
    speed: float = 1.0  # J/K/L shuttle: 1, 2, 4 ... or negative
    epoch: int = 0  # counts jumps (play, stop, seek, loop): a report from before one is stale


Listener = Callable[[TransportState], None]


class _Piece(NamedTuple):
    t: int  # monotonic ns from which the piece holds
    position: int  # unwrapped flicks at t
    speed: float  # flicks per flick of monotonic time (0.0: held)


def _elapsed(dt_ns: int, speed: float) -> int:
    if speed == 1.0:
        return dt_ns * FLICKS_PER_SECOND // NS_PER_SECOND  # exact on the monotonic clock
    return int((dt_ns * _FLICKS_PER_NS * speed) // 1)


class Transport:
    MAX_SLEW = 0.5  # while catching the device up: 0.5x .. 1.5x its rate
    RECUE_FLICKS = FLICKS_PER_SECOND // 50  # 20 ms: past this the audio re-cues instead
    ANCHOR_TIMEOUT_NS = 250_000_000  # after play, wait this long at most for the device
    DEVICE_TIMEOUT_NS = 500_000_000  # a device silent this long is not running
    HISTORY = 256  # pieces kept for position_at(past): ~0.7 s at 256-frame periods

    def __init__(self, clock: MonotonicClock | None = None) -> None:
        self.clock = clock or SystemClock()
        self._lock = threading.Lock()
        self._playing = False
        self._recording = False
        self._speed = 1.0
        self._held = 0  # the position while stopped
        self._origin = 0  # where this run started (unwrapped): loops wrap only runs begun before the end
        self._pieces: deque[_Piece] = deque(maxlen=self.HISTORY)
        self._loop: tuple[int, int] | None = None
        self._epoch = 0
        self._listeners: list[Listener] = []
        self.device = DeviceClock()
        self._device_seen: int | None = None  # monotonic ns of the last device period
        # A take waiting for the device's first period (held until it is heard); otherwise
        # with no anchor the audio joins the running transport at its next period.
        self._starting = False
        self._anchor: tuple[int, int] | None = None  # (device sample, unwrapped flicks)
        self.recues = 0  # the audio re-cued to the transport (device restarts, stalls)
        self.pre_roll = 0  # flicks played before a place gone to, when play starts there
        self._located = False  # the held position was gone to (seek), not stopped at
        self.count_in_bars = 0

    # -- reading -----------------------------------------------------------------------------
    def position(self) -> int:
        with self._lock:  # the clock is read under the lock: no reading can predate a change
            return self._position_at(self.clock.now_ns())

    def position_at(self, t_ns: int) -> int:
        """Transport time (flicks) at monotonic time ``t_ns``: the mapping for MIDI arrivals."""
        with self._lock:
            return self._position_at(t_ns)

    def _unwrapped_at(self, t_ns: int) -> int:
        pieces = self._pieces
        piece = pieces[0]
        for i in range(len(pieces) - 1, -1, -1):
            if pieces[i].t <= t_ns:
                piece = pieces[i]
                break
        return piece.position + _elapsed(t_ns - piece.t, piece.speed)

    def _wrap(self, pos: int) -> int:
        if self._loop is not None and self._speed > 0:
            start, end = self._loop
            if pos >= end > start and self._origin < end:
                return start + (pos - start) % (end - start)
        return pos

    def _position_at(self, t_ns: int) -> int:
        if not self._playing:
            return self._held
        return self._wrap(self._unwrapped_at(t_ns))

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

    @property
    def following_device(self) -> bool:
        """Whether the position follows an audio device (else the monotonic clock alone)."""
        with self._lock:
            return self._device_running(self.clock.now_ns())

    def state(self) -> TransportState:
        with self._lock:
            return self._state(self.clock.now_ns())

    def _state(self, now: int) -> TransportState:
        return TransportState(self._playing, self._recording, self._position_at(now),
                              self._loop, self._speed, self._epoch)

    # -- commands ----------------------------------------------------------------------------
    def play(self, speed: float = 1.0) -> None:
        """Run from the position; ``pre_roll`` earlier when it was gone to while stopped (a
        hit, a cue, a timecode), not when play stopped there."""
        with self._lock:
            now = self.clock.now_ns()
            position = self._position_at(now)
            if self._located and not self._playing and speed > 0:
                position -= self.pre_roll
            self._located = False
            self._run_from(position, now, speed)
        self._notify()

    def stop(self) -> None:
        with self._lock:
            now = self.clock.now_ns()
            self._held = self._position_at(now)
            self._located = False
            self._playing = False
            self._recording = False
            self._speed = 1.0
            self._starting, self._anchor = False, None
            self._epoch += 1
        self._notify()

    def toggle(self) -> None:
        self.stop() if self._playing else self.play()

    def seek(self, position: int) -> None:
        with self._lock:
            if self._playing:
                self._run_from(position, self.clock.now_ns(), self._speed)
            else:
                self._held = position
                self._located = True
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
            if self._playing:
                # Rebase on the position shown now, so the new loop wraps from here on; the
                # audio keeps its place (it is there too), the plan and anchor shift with it.
                unwrapped = self._unwrapped_at(self.clock.now_ns())
                shift = self._wrap(unwrapped) - unwrapped
                if shift:
                    self._pieces = deque((p._replace(position=p.position + shift)
                                          for p in self._pieces), maxlen=self.HISTORY)
                    if self._anchor is not None:
                        self._anchor = (self._anchor[0], self._anchor[1] + shift)
                self._origin = unwrapped + shift
            self._loop = loop
            self._epoch += 1
        self._notify()

    def _run_from(self, position: int, now: int, speed: float) -> None:
        """Play from ``position``: held until the device's first period is heard when a
        device runs (at speed 1), else on the monotonic clock at once."""
        self._playing, self._speed = True, speed
        self._origin = position
        self._epoch += 1
        self._anchor = None
        self._pieces.clear()
        if speed == 1.0 and self._device_running(now):
            self._starting = True
            self._pieces.append(_Piece(now, position, 0.0))
            self._pieces.append(_Piece(now + self.ANCHOR_TIMEOUT_NS, position, self.device.ratio))
        else:
            self._starting = False
            self._pieces.append(_Piece(now, position, speed))

    def _device_running(self, now: int) -> bool:
        return self._device_seen is not None and now - self._device_seen < self.DEVICE_TIMEOUT_NS

    # -- the audio master --------------------------------------------------------------------
    def device_period(self, sample: int, heard_ns: int, frames: int, rate: int,
                      epoch: int) -> int | None:
        """The audio callback, every period: device sample ``sample`` (the first of ``frames``)
        will be heard at ``heard_ns``; the audio has heard of transport ``epoch``.

        Returns the position (flicks) the audio must play ``sample`` at when it must (re)start
        there: the take's first period, or a re-cue after the device restarted or stalled; else
        None (play on). Called from the audio thread; lock-short, no allocation to speak of.
        """
        with self._lock:
            now = self.clock.now_ns()
            self._device_seen = now
            self.device.update(sample, heard_ns, frames, rate)
            line = self.device.line
            if (line is None or not self._playing or self._speed != 1.0
                    or epoch != self._epoch):
                return None
            ratio = self.device.ratio
            heard = max(round(line.time_of(sample)), now)
            current = self._unwrapped_at(now)
            if self._starting and current == self._origin:
                # The take starts with this period: hold until it is heard, then run with it.
                self._plan(now, _Piece(now, current, 0.0), _Piece(heard, current, ratio))
                self._starting, self._anchor = False, (sample, current)
                return self._wrap(current)
            if self._starting or self._anchor is None:
                return self._join(sample, heard, now, current, ratio)
            anchor_sample, anchor_pos = self._anchor
            flicks_per_sample = FLICKS_PER_SECOND / rate
            if current == anchor_pos and self._pieces[-1].t > now:
                # Still holding for the take's first period: follow the better estimate.
                start = max(round(line.time_of(anchor_sample)), now)
                self._plan(now, _Piece(now, current, 0.0), _Piece(start, current, ratio))
                return None
            target = anchor_pos + (line.sample_at(now) - anchor_sample) * flicks_per_sample
            error = target - current
            if abs(error) > self.RECUE_FLICKS:
                self.recues += 1
                return self._join(sample, heard, now, current, ratio)
            steer = error / (frames * FLICKS_PER_SECOND / rate)  # met by the next period
            speed = min(max(ratio + steer, ratio * (1 - self.MAX_SLEW)),
                        ratio * (1 + self.MAX_SLEW))
            # The steer holds until the next period only: a device that stops calling leaves
            # the transport at the device's own rate, not at a catching-up speed for ever.
            period_ns = frames * NS_PER_SECOND // rate
            self._plan(now, _Piece(now, current, speed),
                       _Piece(now + period_ns, current + _elapsed(period_ns, speed), ratio))
            return None

    def device_gone(self) -> None:
        """The audio device stopped calling (its server died, it was unplugged): from now on
        the transport runs on the monotonic clock at speed 1, from exactly where it is (the
        past stays as it was answered). A device that comes back joins the running transport
        (``device_period`` re-cues the audio to it)."""
        with self._lock:
            now = self.clock.now_ns()
            self._device_seen = None
            self._starting, self._anchor = False, None
            if self._playing and self._speed == 1.0:
                self._plan(now, _Piece(now, self._unwrapped_at(now), 1.0))

    def _join(self, sample: int, heard: int, now: int, current: int, ratio: float) -> int:
        """The audio joins the running transport: ``sample`` plays where it will be heard."""
        self._plan(now, _Piece(now, current, ratio))
        position = self._unwrapped_at(heard)
        self._starting, self._anchor = False, (sample, position)
        return self._wrap(position)

    def _plan(self, now: int, *pieces: _Piece) -> None:
        """Replace what was planned from ``now`` on (the past stays as it was answered)."""
        while len(self._pieces) > 1 and self._pieces[-1].t > now:
            self._pieces.pop()
        if self._pieces and self._pieces[-1].t > now:
            self._pieces.pop()
        self._pieces.extend(pieces)

    # -- observers ---------------------------------------------------------------------------
    def observe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def _notify(self) -> None:
        state = self.state()
        for listener in list(self._listeners):
            listener(state)
