"""A transport position as the composer reads it: timecode and bars|beats."""

from __future__ import annotations

from collections.abc import Iterable

from cuesketch.model.entities import Cue, Settings
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.timecode import format_timecode


def tempo_at(flicks: int, settings: Settings, cues: Iterable[Cue] = ()) -> TempoMap:
    """The tempo map in force: the cue's own inside a cue that has one, else the project's."""
    frame = settings.rate.flicks_to_frame(flicks)
    for cue in cues:
        if cue.tempo is not None and cue.start_frame <= frame < cue.end_frame:
            return cue.tempo
    return settings.tempo


def position_texts(flicks: int, settings: Settings, cues: Iterable[Cue] = ()) -> tuple[str, str]:
    rate = settings.rate
    tc = format_timecode(settings.start_frame + rate.flicks_to_frame(flicks), rate)
    return tc, str(tempo_at(flicks, settings, cues).flicks_to_bbt(flicks))
