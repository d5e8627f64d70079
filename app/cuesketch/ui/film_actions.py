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

from cuesketch.model.changes import Change, SettingsChange
from cuesketch.model.entities import Media
from cuesketch.model.speech import follow_film
from cuesketch.services import Services
from cuesketch.store.relink import Candidate, find_film, relink
from cuesketch.timing.timecode import format_timecode, parse_timecode
from cuesketch.ui.dialogs import Dialogs, WindowRef
# a new project's core lives below the window (the command line makes one too); the window's
# modules take these names from here as they always did
from cuesketch.media.new_project import (nearest_offset, new_project, rate_warning,  # noqa: F401
                                         suggested_start)

FILM_FILTER = ("Films (*.mov *.mp4 *.m4v *.mxf *.mkv *.avi *.webm *.mpg *.mts);;"
               "All files (*)")


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
        # where people speak in the film moves with it, in the same undo step
        delta = s.rate.frame_to_flicks(offset) - s.rate.frame_to_flicks(s.media.offset_frames)
        moved = follow_film(self.document.project, delta)
        self.document.execute_changes(
            [SettingsChange(s, replace(s, media=replace(s.media, offset_frames=offset))),
             *moved], "Set film offset")
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
