"""The Spot menu's handlers: live taps at the playhead (hits of each kind, cue start and end,
no-music), Renumber, the tap latency, a version of the cue at the playhead, marker import and
export, cut detection and the printed notes. The taps are ``model.spotting_live``'s (one undo
step each, the transport never touched, so the picture plays on)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog

from cuesketch.files import replacing
from cuesketch.model.entities import HitKind
from cuesketch.model.spotting_live import MAX_LATENCY_MS, LiveSpotting
from cuesketch.model.spotting_numbers import snapshot_name, versions_of
from cuesketch.services import Services
from cuesketch.timing.cues import cue_at
from cuesketch.ui.cue_list import CueList
from cuesketch.ui.dialogs import Dialogs, WindowRef

MARKER_FILTER = "Marker files (*.edl *.txt *.csv *.tsv *.otio);;All files (*)"
_LATENCY = "spotting/tap_latency_ms"


class SpottingActions(Dialogs):
    def __init__(self, window: WindowRef, services: Services, post: Callable[[str], None],
                 settings: QSettings | None = None) -> None:
        super().__init__(window, services, post, settings)
        self.prefs = settings or QSettings("Cuesketch", "Cuesketch")
        try:
            latency = int(str(self.prefs.value(_LATENCY, 0) or 0))
        except ValueError:
            latency = 0
        self.live = LiveSpotting(self.document, services.transport.position,
                                 min(MAX_LATENCY_MS, max(0, latency)))
        self._names: list[str] = []
        self._names_read = -1e9
        self._cues: CueList | None = None

    def attach(self, cues: CueList) -> None:
        """The Cues dock's right-click menu taps at the playhead too, and says what it did; its
        Versions column counts the snapshots named after each cue."""
        cues.live = self.live
        cues.post = self.post
        cues.spotting.versions = self.versions
        self._cues = cues

    def snapshot_names(self) -> list[str]:
        """The project's snapshot names, read at most once a second (the list asks per cue)."""
        from cuesketch.store.project_file import ProjectFileError
        from cuesketch.store.snapshots import list_snapshots

        now = time.monotonic()
        if now - self._names_read > 1.0:
            pf = self.services.project_file
            try:
                self._names = [s.name for s in list_snapshots(pf)] if pf is not None else []
            except ProjectFileError:
                self._names = []
            self._names_read = now
        return self._names

    def versions(self, cue_name: str) -> int:
        return versions_of(cue_name, self.snapshot_names())

    def handlers(self) -> dict[str, Callable[[], None]]:
        out: dict[str, Callable[[], None]] = {}
        for kind in HitKind:
            out[f"spot.hit_{kind.value}"] = self._tap(self._hit(kind))
        out["spot.cue_start"] = self._tap(lambda: self.live.cue_start().text)
        out["spot.cue_end"] = self._tap(lambda: self.live.cue_end().text)
        out["spot.no_music"] = self._tap(lambda: self.live.no_music().text)
        for name, title, fn in (
                ("spot.renumber", "Renumber cues", self.renumber),
                ("spot.tap_latency", "Tap latency", self.tap_latency),
                ("spot.cue_version", "Cue version", self.cue_version),
                ("spot.import_markers", "Import markers", self.import_markers),
                ("spot.export_markers", "Export markers", self.export_markers),
                ("spot.detect_cuts", "Detect cuts", self.detect_cuts),
                ("spot.print_notes", "Print spotting notes", self.print_notes),
                ("spot.cue_sheet", "Cue sheet", self.cue_sheet),
                ("spot.rights", "Writers and publishers", self.rights)):
            out[name] = self.guarded(title, self._plain(title, fn))
        return out

    def _plain(self, title: str, fn: Callable[[], None]) -> Callable[[], None]:
        """This menu's own plain-words errors, shown like the window's others."""
        from cuesketch.formats.markers_common import MarkerFormatError
        from cuesketch.media.cut_detect import CutDetectError
        from cuesketch.model.spotting_edits import SpottingError
        from cuesketch.ui.spotting_print import PrintError

        def run() -> None:
            try:
                fn()
            except (MarkerFormatError, PrintError, SpottingError, CutDetectError) as e:
                self.error(title, str(e))
        return run

    def _read_only(self, title: str) -> bool:
        """Say so, before a dialog whose work could not be kept, when the project can't
        change."""
        if self.document.read_only:
            self.error(title, "The project is open read-only, so nothing can be added to it. "
                              "Open it for editing (or save a copy) first.")
        return self.document.read_only

    def _hit(self, kind: HitKind) -> Callable[[], str]:
        return lambda: self.live.hit(kind).text

    def _tap(self, tap: Callable[[], str]) -> Callable[[], None]:
        def run() -> None:
            if self.document.read_only:
                self.post("The project is open read-only")
                return
            self.post(tap())
        return run

    def renumber(self) -> None:
        n = self.live.editor.renumber(running=False)
        self.post(f"Renumbered: {n} cue{'s' if n != 1 else ''} changed number" if n
                  else "The cues are numbered in order already")

    def tap_latency(self) -> None:
        ms, ok = QInputDialog.getInt(
            self.window, "Tap latency",
            "Taps land this many milliseconds earlier (the time from seeing the frame to the "
            "key landing):", self.live.latency_ms, 0, MAX_LATENCY_MS, 10)
        if ok:
            self.live.latency_ms = ms
            self.prefs.setValue(_LATENCY, ms)
            self.post(f"Taps land {ms} ms earlier")

    def cue_version(self) -> None:
        """A snapshot named after the cue at the playhead: its next version."""
        from cuesketch.store.snapshots import list_snapshots, take_snapshot

        pf = self.services.project_file
        if pf is None:
            self.error("Cue version", "Save the project first")
            return
        cue = cue_at(self.document.project.cues.values(), self.live.frame_now())
        if cue is None:
            self.error("Cue version", "The playhead is not in a cue")
            return
        names = [s.name for s in list_snapshots(pf)]
        info = take_snapshot(pf, snapshot_name(cue.name, names))
        self._names_read = -1e9
        if self._cues is not None:
            self._cues.rebuild()
        self.post(f"Kept “{info.name}” ({versions_of(cue.name, names) + 1} versions of "
                  f"{cue.name})")

    def import_markers(self) -> None:
        from cuesketch.ui.marker_import_dialog import MarkerImportDialog

        if self._read_only("Import markers"):
            return
        path = self.choose_open("Import markers", MARKER_FILTER, "markers")
        if path is None:
            return
        dialog = MarkerImportDialog(self.document, path, self.prefs, self.window)
        if dialog.exec():
            self.post(f"Imported {dialog.landed} from {path.name}")

    def export_markers(self) -> None:
        from cuesketch.formats.markers_io import SUFFIX, export_markers

        path = self.choose_save("Export markers", "EDL (*.edl);;Avid marker text (*.txt);;"
                                "CSV (*.csv);;OpenTimelineIO (*.otio)", ".edl",
                                f"{self.document.project.settings.title} markers.edl",
                                "markers")
        if path is None:
            return
        fmt = next((f for f, s in SUFFIX.items() if path.suffix.lower() == s), "edl")
        text = export_markers(self.document.project, fmt)
        with replacing(path, OSError) as tmp:
            tmp.write_text(text, encoding="utf-8", newline="")
        self.post(f"Markers written to {path.name}")

    def _film(self) -> Path | None:
        from cuesketch.store.relink import film_path

        media = self.document.project.settings.media
        if media is None or self.services.project_path is None:
            self.error("No film", "The project has no film")
            return None
        film = film_path(self.services.project_path, media)
        if not film.is_file():
            self.error("No film", f"The film {film.name} is not there; relink it first")
            return None
        return film

    def detect_cuts(self) -> None:
        from cuesketch.media.probe import probe
        from cuesketch.ui.spotting_cuts_dialog import DetectCutsDialog

        if self._read_only("Detect cuts"):
            return
        film = self._film()
        if film is None:
            return
        with self.busy():
            info = probe(film, check_decode=False)
        dialog = DetectCutsDialog(self.document, film, info.frame_count, self.window)
        if dialog.exec():
            self.post(f"{dialog.added} cut hits added")

    def print_notes(self) -> None:
        from cuesketch.media.spotting_frames import frames_at
        from cuesketch.ui.spotting_print import PrintError, write_spotting

        title = self.document.project.settings.title
        path = self.choose_save("Print spotting notes", "PDF (*.pdf);;CSV (*.csv);;"
                                "HTML (*.html)", ".pdf", f"{title} spotting notes.pdf", "notes")
        if path is None:
            return
        film = self._film() if self.document.project.settings.media is not None else None
        if film is None or path.suffix.lower() == ".csv":
            with self.busy():
                what = write_spotting(self.document.project, path, None)
            self.post(f"{path.name}: {what}")
            return
        # The pictures come from ffmpeg on a worker (the window and the picture go on); the
        # page is laid out here, on the GUI thread, from the project as it is then.
        offset = self.document.project.settings.media.offset_frames  # type: ignore[union-attr]
        wanted = [c.start_frame - offset for c in self.document.project.cues.values()]
        self.post(f"Printing {path.name}: taking the cues' pictures…")

        def done(got: object) -> None:
            shots = got if isinstance(got, dict) else {}
            try:
                what = write_spotting(self.document.project, path, lambda _frames: shots)
            except PrintError as e:
                self.error("Print spotting notes", str(e))
                return
            self.post(f"{path.name}: {what}")

        self.start_task(lambda: frames_at(film, wanted), done,
                        lambda why: self.error("Print spotting notes", why), (OSError,))

    def cue_sheet(self) -> None:
        from cuesketch.ui.spotting_print import write_cue_sheet

        title = self.document.project.settings.title
        path = self.choose_save("Music cue sheet", "PDF (*.pdf);;CSV (*.csv)", ".pdf",
                                f"{title} cue sheet.pdf", "notes")
        if path is None:
            return
        with self.busy():
            what = write_cue_sheet(self.document.project, path)
        self.post(f"{path.name}: {what}")

    def rights(self) -> None:
        from cuesketch.ui.spotting_rights_dialog import RightsDialog

        if self._read_only("Writers and publishers"):
            return
        if RightsDialog(self.document, self.window).exec():
            self.post("The cue sheet's writers and publishers are kept in the project")
