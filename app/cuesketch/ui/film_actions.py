"""The project's film: a new project's settings from it, relinking it, placing it in time.

Both edits are settings changes through the document (one undo step each). The picture follows
them, undo and redo included (``Services.picture``): a new offset moves the player live, another
film is loaded into the running window at once.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import cast

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox

from cuesketch.media.probe import MediaInfo
from cuesketch.model import palette
from cuesketch.model.changes import Change, SettingsChange
from cuesketch.model.entities import Media, Settings, Track
from cuesketch.model.project import Project
from cuesketch.model.track_edits import add_track, set_pan
from cuesketch.services import Services
from cuesketch.store.relink import Candidate, find_film, media_for, relink
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.timecode import (TimecodeError, format_timecode, frames_per_day,
                                       parse_timecode)
from cuesketch.ui.dialogs import Dialogs, WindowRef

FILM_FILTER = ("Films (*.mov *.mp4 *.m4v *.mxf *.mkv *.avi *.webm *.mpg *.mts);;"
               "All files (*)")
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


class FilmActions(Dialogs):
    def __init__(self, window: WindowRef, services: Services,
                 post: Callable[[str], None], settings: QSettings | None = None) -> None:
        super().__init__(window, services, post, settings)
        self.document.observe(self.follow_film)

    def relink_film(self) -> None:
        if self.services.project_path is None:
            self.error("Relink film", "Save the project first: the film is linked from the "
                                      "project file's folder.")
            return
        media = self.document.project.settings.media
        if media is None:
            film = self.choose_open("Link the film", FILM_FILTER, "film")
            if film is not None:
                self.link(film, "Link film")
            return
        name = Path(media.path).name
        where = self.choose_folder(
            f"Relink film: the folder where {name} is (subfolders are searched)", "film")
        if where is None:
            return
        self.start_task(lambda: find_film(media, where),
                        lambda found: self.film_found(cast(Sequence[Candidate], found), media,
                                                      where),
                        lambda why: self.error("Relink film", f"The search failed: {why}"),
                        (OSError,))
        self.post(f"Looking for {name} in {where}…")

    def film_found(self, found: Sequence[Candidate], media: Media, folder: Path) -> None:
        name = Path(media.path).name
        if not found:
            self.error("Relink film", f"No file in {folder} is the film {name}: none has its "
                                      "content or its name.")
            return
        best = found[0]  # the same content first, then the same name only
        if not best.same_content and not self.ask(
                "Relink film",
                f"{best.path} has the film's name but not its content (another export or "
                f"cut?). Hits and cues may no longer match the picture. Link it anyway?"):
            return
        self.link(best.path, "Relink film")

    def link(self, film: Path, label: str) -> None:
        project_path = self.services.project_path
        assert project_path is not None
        with self.busy():
            settings = relink(self.document.project.settings, project_path, film)
        self.document.set_settings(settings, label)
        if self.services.picture is not None:
            self.post(f"The film is now {film}")  # follow_film reloaded the picture
        else:
            QMessageBox.information(self.window, label,
                                    f"The film is now {film}.\nThe picture reloads when the "
                                    "project is next opened.")

    def film_offset(self) -> None:
        s = self.document.project.settings
        if s.media is None:
            self.error("Film offset", "This project has no film yet: link one first (File › "
                                      "Relink Film…).")
            return
        current = format_timecode(s.start_frame + s.media.offset_frames, s.rate)
        text, ok = QInputDialog.getText(
            self.window, "Film offset",
            f"Timecode of the film's first frame ({s.rate.name} fps; the project starts at "
            f"{format_timecode(s.start_frame, s.rate)}):", QLineEdit.EchoMode.Normal, current)
        if not ok or not text.strip():
            return
        s = self.document.project.settings
        assert s.media is not None
        frame = parse_timecode(text, s.rate)
        offset = nearest_offset(frame, s.start_frame, s.rate)
        if offset == s.media.offset_frames:
            self.post("The film's offset is unchanged")
            return
        self.document.set_settings(replace(s, media=replace(s.media, offset_frames=offset)),
                                   "Set film offset")
        picture = self.services.picture
        follows = "" if picture is not None and picture.showing else \
            " (the picture follows when the project is next opened)"
        self.post(f"The film's first frame is now at {format_timecode(frame, s.rate)}{follows}")

    def follow_film(self, changes: Sequence[Change]) -> None:
        """Keep the picture with the project's film (a document observer)."""
        for change in changes:
            if not isinstance(change, SettingsChange):
                continue
            before, after = change.before.media, change.after.media
            if before == after:
                continue
            picture = self.services.picture
            if picture is None:
                return
            try:
                if (before is not None and after is not None and before.path == after.path
                        and before.content_hash == after.content_hash):
                    picture.set_offset(after.offset_frames)
                else:
                    picture.reload()
            except Exception as e:  # the edit stands; only the picture lags
                traceback.print_exc(file=sys.stderr)
                self.post(f"The picture could not follow the film's change: {e}")
