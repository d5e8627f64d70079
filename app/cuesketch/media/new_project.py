"""A new project on a film, as File › New from Film and `cuesketch new` make it: the film's
rate (or another), a start at 01:00:00:00 (or the film's own start timecode, or another), the
film linked and placed by its embedded timecode, the starter tracks. No Qt: the window and
the command line share it."""

from __future__ import annotations

from pathlib import Path

from cuesketch.media.probe import MediaInfo
from cuesketch.model import palette
from cuesketch.model.entities import Settings, Track
from cuesketch.model.project import Project
from cuesketch.model.track_edits import add_track, set_pan
from cuesketch.store.relink import media_for
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.timecode import (TimecodeError, format_timecode, frames_per_day,
                                       parse_timecode)

PROJECT_START = "01:00:00:00"


def nearest_offset(frame: int, start_frame: int, rate: FrameRate) -> int:
    """Frames from the project start to ``frame``, the shorter way round midnight (a film
    starting at 00:59:52:00 in a project starting at 01:00:00:00 is -8 s, not +23:59:52)."""
    day = frames_per_day(rate)
    d = (frame - start_frame) % day
    return d - day if d > day // 2 else d


def film_start_at(info: MediaInfo, rate: FrameRate) -> int | None:
    """The film's embedded start timecode as a frame count at ``rate``, or None (none, or a
    label that does not exist at that rate)."""
    if not info.start_timecode:
        return None
    try:
        return parse_timecode(info.start_timecode, rate)
    except TimecodeError:
        return None


def suggested_start(info: MediaInfo) -> str:
    """The start timecode a new project on this film is offered: the film's own, else
    01:00:00:00."""
    frame = film_start_at(info, info.rate)
    return PROJECT_START if frame is None else format_timecode(frame, info.rate)


def rate_warning(info: MediaInfo, rate: FrameRate) -> str | None:
    """What goes wrong when a project on this film counts ``rate``, in plain words; None when
    the rate is the film's."""
    film = info.rate
    if rate == film:
        return None
    if rate.fps != film.fps:
        return (f"The film runs at {film.name} fps. A project at {rate.name} fps will not "
                f"line up with its frames: hits and cues drift away from the picture "
                f"({abs(float(rate.fps) - float(film.fps)) * 60:.0f} frames a minute). Choose "
                f"{film.name} unless the film will be replaced by one at {rate.name}.")
    counts = "drop-frame" if film.drop else "non-drop"
    other = "drop-frame" if rate.drop else "non-drop"
    return (f"The film counts {counts} timecode; a project counting {other} shows other "
            f"timecodes than the film's burn-in (3.6 seconds apart after an hour). The frames "
            f"still line up.")


def new_project_settings(info: MediaInfo, project_path: Path, start_frame: int | None = None,
                         rate: FrameRate | None = None) -> Settings:
    """A new project's settings for a film: its rate (or ``rate``), a start at ``start_frame``
    (default 01:00:00:00), the film linked by path and hash, and placed by its own start
    timecode when it has one (else at the project's start)."""
    rate = rate or info.rate
    start = parse_timecode(PROJECT_START, rate) if start_frame is None else start_frame
    film_start = film_start_at(info, rate)
    offset = 0 if film_start is None else nearest_offset(film_start, start, rate)
    return Settings(title=info.path.stem, rate=rate, start_frame=start,
                    media=media_for(project_path, info.path, offset))


def new_project(info: MediaInfo, project_path: Path, start_frame: int | None = None,
                rate: FrameRate | None = None, with_palette: bool = True) -> Project:
    """A new project on a film (see ``new_project_settings``), with the starter tracks of
    ``palette.STARTER_TRACKS`` unless ``with_palette`` is False."""
    project = Project()
    project.load(new_project_settings(info, project_path, start_frame, rate), [])
    if with_palette:
        for starter in palette.STARTER_TRACKS:
            changes = add_track(project, starter.name, starter.bank, starter.program,
                                volume=starter.volume)
            project.apply(changes)
            track = changes[0].after
            assert isinstance(track, Track)
            project.apply(set_pan(project, track.id, starter.pan))
    return project
