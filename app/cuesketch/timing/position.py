"""A transport position as the composer reads it: timecode and bars|beats."""

from __future__ import annotations

from cuesketch.model.entities import Settings
from cuesketch.timing.timecode import format_timecode


def position_texts(flicks: int, settings: Settings) -> tuple[str, str]:
    rate = settings.rate
    tc = format_timecode(settings.start_frame + rate.flicks_to_frame(flicks), rate)
    return tc, "1|1|000"
