"""Tempo maps: tempo steps and ramps, meter changes, bars|beats|ticks. (Filled in by the time work.)"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class TempoChange:
    """From ``beat`` (quarter notes from the map's origin) the tempo is ``bpm``.

    ``ramp``: the tempo moves linearly in time from here to the next change's bpm
    (accelerando, ritardando); otherwise it holds until the next change.
    """

    beat: Fraction
    bpm: Fraction
    ramp: bool = False


@dataclass(frozen=True)
class MeterChange:
    """From bar ``bar`` (0-based from the origin) the meter is numerator/denominator."""

    bar: int
    numerator: int = 4
    denominator: int = 4


@dataclass(frozen=True)
class TempoMap:
    """Musical time anchored at ``origin`` (flicks on the transport, beat 0 there)."""

    origin: int = 0
    tempos: tuple[TempoChange, ...] = (TempoChange(Fraction(0), Fraction(120)),)
    meters: tuple[MeterChange, ...] = field(default=(MeterChange(0, 4, 4),))
