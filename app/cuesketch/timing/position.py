"""A transport position as the composer reads it: timecode and bars|beats.

Timing sits below the model: it asks only for the few fields it reads (``Placement``,
``TempoRegion``), which the model's ``Settings`` and ``Cue`` have.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from cuesketch.timing.cues import CueSpan, cue_at
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.timecode import format_timecode


class Placement(Protocol):
    """Where the transport's zero falls and how it counts (the project's settings)."""

    @property
    def rate(self) -> FrameRate: ...

    @property
    def start_frame(self) -> int: ...

    @property
    def tempo(self) -> TempoMap: ...


class TempoRegion(CueSpan, Protocol):
    """A span of frames that may have its own tempo map (a cue)."""

    @property
    def tempo(self) -> TempoMap | None: ...


def tempo_at(flicks: int, settings: Placement, cues: Iterable[TempoRegion] = ()) -> TempoMap:
    """The tempo map in force: the cue's own inside a cue that has one, else the project's."""
    cue = cue_at((c for c in cues if c.tempo is not None), settings.rate.flicks_to_frame(flicks))
    return settings.tempo if cue is None or cue.tempo is None else cue.tempo


def position_texts(flicks: int, settings: Placement,
                   cues: Iterable[TempoRegion] = ()) -> tuple[str, str]:
    rate = settings.rate
    tc = format_timecode(settings.start_frame + rate.flicks_to_frame(flicks), rate)
    return tc, str(tempo_at(flicks, settings, cues).flicks_to_bbt(flicks))
