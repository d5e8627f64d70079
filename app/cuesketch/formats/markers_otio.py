"""Markers in OpenTimelineIO files (.otio): read from the timeline, its tracks and their items
(placed in the timeline, plus its global start time), written on one marker track.

OTIO keeps time as a float value at a float rate; a marker must land on a frame of the file's
rate (within a millionth of a frame), or the file is refused with the marker named.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from cuesketch.formats.markers_common import (MarkerFile, MarkerFormatError, RawMarker,
                                              color_word, decode, text)
from cuesketch.timing.rates import FrameRate, snap_rate


def read_otio(data: bytes, project_rate: FrameRate) -> MarkerFile:
    import opentimelineio as otio  # loaded only when an OTIO file is read

    try:
        timeline = otio.adapters.read_from_string(decode(data), "otio_json")
    except Exception as e:  # OTIO raises its own and JSON errors alike
        raise MarkerFormatError(f"this is not an OpenTimelineIO file ({str(e)[:200]})") from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise MarkerFormatError(f"expected an OpenTimelineIO timeline, not a "
                                f"{type(timeline).__name__}")
    found: list[tuple[Any, Any]] = []  # (marker, its position in the timeline)
    zero = otio.opentime.RationalTime(0, 24)
    for m in timeline.tracks.markers:
        found.append((m, m.marked_range.start_time))
    for track in timeline.tracks:
        for m in getattr(track, "markers", []):
            found.append((m, m.marked_range.start_time))
        for item in list(track) if isinstance(track, otio.schema.Track) else []:
            markers = getattr(item, "markers", [])
            if not markers:
                continue
            placed = item.range_in_parent().start_time
            trimmed = item.trimmed_range().start_time
            for m in markers:
                found.append((m, placed + (m.marked_range.start_time - trimmed)))
    start_rt = timeline.global_start_time
    rates = [rt.rate for _m, rt in found] + ([start_rt.rate] if start_rt is not None else [])
    rate = _rate_of(rates[0] if rates else float(project_rate.fps), project_rate)
    fps = float(rate.fps)
    start = _frame(start_rt if start_rt is not None else zero, fps, "the timeline's start")
    mf = MarkerFile("OpenTimelineIO", rate, start=start)
    for i, (m, at) in enumerate(found, 1):
        name = text(str(m.name or ""), f"name of marker {i}", 0)  # OTIO has no lines
        frame = start + _frame(at, fps, f"the marker {name!r}")
        length = _frame(m.marked_range.duration, fps, f"the marker {name!r}'s length") \
            if m.marked_range.duration.value else 0
        mf.add(RawMarker(frame, name, color_word(str(m.color or "")),
                         text(str(getattr(m, "comment", "") or ""), f"comment of marker {i}", 0),
                         max(0, length), 0))
    mf.markers.sort(key=lambda r: r.frame)
    return mf


def _rate_of(value: float, project_rate: FrameRate) -> FrameRate:
    if not math.isfinite(value) or not 0 < value < 1000:
        raise MarkerFormatError(f"the timeline runs at {value:g} fps, not a film or video rate")
    if abs(value - float(project_rate.fps)) < 1e-3:
        return project_rate  # OTIO does not say drop-frame: take the project's counting
    rate = snap_rate(Fraction(value).limit_denominator(1001))
    if rate is None:
        raise MarkerFormatError(f"the timeline runs at {value:g} fps, not a film or video rate")
    return rate


def _frame(rt: Any, fps: float, what: str) -> int:
    value = rt.rescaled_to(fps).value
    if not math.isfinite(value) or abs(value) > 10**9:
        raise MarkerFormatError(f"{what} is at {value:g} frames, not on the film")
    frame = round(value)
    if abs(value - frame) > 1e-6 or abs(frame) > 10**9:
        raise MarkerFormatError(f"{what} is not on a frame at {fps:g} fps ({value:.3f})")
    return int(frame)


_OTIO_COLORS = ("PINK", "RED", "ORANGE", "YELLOW", "GREEN", "CYAN", "BLUE", "PURPLE",
                "MAGENTA", "BLACK", "WHITE")


def write_otio(title: str, rate: FrameRate, start: int, markers: Iterable[RawMarker],
               kinds: Iterable[str] = ()) -> str:
    """One timeline named ``title`` starting at ``start`` (a frame count), one track of
    markers over a gap; each marker's kind (hit, cue...) in its metadata."""
    import opentimelineio as otio

    fps = float(rate.fps)
    rt = otio.opentime.RationalTime
    marks = list(markers)
    kind_list = list(kinds)
    timeline = otio.schema.Timeline(title or "Cuesketch markers")
    timeline.global_start_time = rt(start, fps)
    track = otio.schema.Track("Markers")
    end = max((m.frame + m.length + 1 - start for m in marks), default=1)
    track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(rt(0, fps), rt(end, fps))))
    for i, m in enumerate(marks):
        color = m.color.upper() if m.color.upper() in _OTIO_COLORS else "WHITE"
        marker = otio.schema.Marker(
            m.name, otio.opentime.TimeRange(rt(m.frame - start, fps), rt(m.length, fps)),
            color=color, metadata={"cuesketch": {"kind": kind_list[i]}} if i < len(kind_list)
            else {})
        marker.comment = m.note
        track.markers.append(marker)
    timeline.tracks.append(track)
    return str(otio.adapters.write_to_string(timeline, "otio_json"))
