"""The one time unit of Cuesketch: the flick.

Every position on the transport is an ``int`` number of flicks (1/705,600,000 s) from the
project start. A flick divides exactly every film and video frame duration (including the
1000/1001 rates) and every common audio sample period (44.1k, 48k, 96k, 192k), so frames and
samples convert without rounding and a two-hour film accumulates no drift. Position 0 is the
project start timecode; negative positions are pre-roll.

Three small types name what an ``int`` counts at module boundaries: ``Flicks`` (a position or
a duration in flicks), ``Frames`` (a frame number or a count of frames) and ``Samples``. They
are plain ``int`` at run time. The conversions return them and take plain ``int``, so values
from anywhere convert; a function that wants one kind (``def seek(self, position: Flicks)``)
is refused, by mypy, a ``Frames`` by mistake.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NewType

Flicks = NewType("Flicks", int)
Frames = NewType("Frames", int)
Samples = NewType("Samples", int)

FLICKS_PER_SECOND = 705_600_000
SAMPLE_RATE = 48_000  # the project's (and the synth's) sample rate
FLICKS_PER_SAMPLE = FLICKS_PER_SECOND // SAMPLE_RATE  # 14_700


def seconds_to_flicks(seconds: float | Fraction | int) -> Flicks:
    """Nearest flick to a number of seconds (exact for Fraction input)."""
    return Flicks(round(Fraction(seconds) * FLICKS_PER_SECOND))


def samples_to_flicks(samples: int, rate: int = SAMPLE_RATE) -> Flicks:
    f = Fraction(samples * FLICKS_PER_SECOND, rate)
    return Flicks(f.numerator if f.denominator == 1 else round(f))


def flicks_to_samples(flicks: int, rate: int = SAMPLE_RATE) -> Samples:
    """The sample on which a position falls (floor), so a note never starts early."""
    return Samples((flicks * rate) // FLICKS_PER_SECOND)
