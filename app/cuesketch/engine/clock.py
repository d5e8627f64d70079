"""Where "now" comes from: one small protocol, injected everywhere, faked in tests.

The app has one clock object (``app.compose`` builds it): the transport, the picture player,
the monitor and the MIDI inputs all read it, so a MIDI arrival, a picture and the playhead are
on one time base, and a test steps a ``FakeClock`` for all of them at once."""

from __future__ import annotations

import time
from typing import Protocol


class MonotonicClock(Protocol):
    def now_ns(self) -> int:
        """Monotonic time in nanoseconds (the same base as MIDI arrival stamps)."""
        ...


class SystemClock:
    def now_ns(self) -> int:
        return time.monotonic_ns()


class FakeClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start_ns: int = 1_000_000_000) -> None:
        self.t = start_ns

    def now_ns(self) -> int:
        return self.t

    def advance(self, ns: int) -> None:
        self.t += ns

    def advance_s(self, seconds: float) -> None:
        self.t += round(seconds * 1e9)
