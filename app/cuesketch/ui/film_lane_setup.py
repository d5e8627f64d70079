"""Puts the film's lanes above a piano roll and keeps them on the project's film.

    lanes = install_film_lanes(roll, document, project_path, say)

The lanes follow the project's film when it is relinked or moved (its settings change), run
"Detect Speech…" (the dialog, then the detector in the background: the regions found land as
one undo step) and stop their background work when the roll goes away.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from cuesketch.media.speech import SpeechSettings
from cuesketch.model.changes import Change, SettingsChange
from cuesketch.model.document import Document
from cuesketch.ui.bridge import DocumentSignals
from cuesketch.ui.film_lane_jobs import FilmLaneJobs
from cuesketch.ui.film_lanes import FilmLanes
from cuesketch.ui.piano_roll import PianoRoll

SETTINGS_KEY = "roll/film_lanes"


class FilmLaneSetup:
    def __init__(self, roll: PianoRoll, document: Document, project_path: Path | None,
                 say: Callable[[str], None], cache: Path | None = None,
                 refine: bool = True) -> None:
        self.roll = roll
        self.say = say
        self.settings = SpeechSettings()
        self._settings: QSettings | None = None
        self.jobs = FilmLaneJobs(document, project_path, self._changed, cache=cache,
                                 refine=refine)
        self.lanes = FilmLanes(roll, self.jobs, self.detect, roll)
        self.lanes.setup = self
        roll.add_band(self.lanes, self.lanes.timed())
        roll.viewChanged.connect(self.lanes.view_changed)
        self._signals = DocumentSignals(document, self.lanes, history=False)
        self._signals.changed.connect(self._document_changed)
        self.lanes.destroyed.connect(lambda _o=None: self.jobs.close())
        self.jobs.load()
        self.lanes.refresh()

    def _changed(self) -> None:
        lanes = getattr(self, "lanes", None)  # (the jobs may speak before the lanes exist)
        if lanes is not None:
            lanes.changed_from_any_thread()

    def _document_changed(self, changes: Sequence[Change]) -> None:
        if any(isinstance(c, SettingsChange) and c.before.media != c.after.media
               for c in changes):
            self.jobs.load()  # relinked, or moved: the lanes follow

    def detect(self) -> None:
        """Ask how (sensitivity, minimum gap), then find speech in the background."""
        from cuesketch.ui.speech_dialog import SpeechDialog
        parent: QWidget = self.roll
        dialog = SpeechDialog(self.settings,
                              bool(self.roll.document.project.speech_regions), parent)
        if dialog.exec() != SpeechDialog.DialogCode.Accepted:
            return
        self.settings = dialog.settings()
        if not self.jobs.detect_speech(self.settings):
            self.say(f"Speech not detected: {self.jobs.take_error()}")

    def keep_in(self, settings: QSettings) -> None:
        """The lanes' heights and folds as they were left; kept again when the window closes
        (``close``)."""
        self._settings = settings
        self.lanes.restore(settings.value(SETTINGS_KEY))

    def close(self) -> None:
        if self._settings is not None:
            self._settings.setValue(SETTINGS_KEY, self.lanes.state())
            self._settings.sync()
        self.jobs.close()


def install_film_lanes(roll: PianoRoll, document: Document, project_path: Path | None,
                       say: Callable[[str], None]) -> FilmLaneSetup:
    return FilmLaneSetup(roll, document, project_path, say)
