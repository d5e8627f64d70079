"""The File menu's handlers: projects, copies, snapshots, MIDI in and out, the mix, the film.

``file_handlers(window, services, post)`` returns them by action name (see ``ui.actions``).

Open, New and Save As switch projects by starting a new Cuesketch process on the chosen file
and closing this window (``launch_project``). Each process keeps exactly one composition root
(``app.run_gui``): one document, one project lock, one set of devices, all built once and let
go of once; switching in place would mean tearing all of that down and rebuilding it live.

Every failure is a plain message box (the error's own words; a bug's traceback goes to stderr
only). Nothing is half-written: project copies, MIDI files and WAVs are written to a temporary
file renamed into place by the store and format modules.
"""

from __future__ import annotations

import math
import subprocess
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QInputDialog, QMessageBox

from cuesketch import paths
from cuesketch.engine.render import RenderError, RenderResult, render_project
from cuesketch.engine.soundfonts import SoundFontError
from cuesketch.formats import smf
from cuesketch.media.probe import probe
from cuesketch.model.project import Project
from cuesketch.services import Services
from cuesketch.store.project_file import SUFFIX, ProjectFile
from cuesketch.store.snapshots import list_snapshots, take_snapshot
from cuesketch.timing.timecode import format_position
from cuesketch.ui.dialogs import PLAIN_ERRORS, Dialogs, WindowRef, plain
from cuesketch.ui.film_actions import FILM_FILTER, FilmActions, new_project
from cuesketch.ui.new_film_dialog import NewFromFilmDialog
from cuesketch.ui.snapshots_dialog import SnapshotsDialog

PROJECT_FILTER = f"Cuesketch projects (*{SUFFIX});;All files (*)"
MIDI_FILTER = "MIDI files (*.mid *.midi *.smf);;All files (*)"
WAV_FILTER = "WAV files (*.wav);;All files (*)"


def launch_project(path: Path, read_only: bool = False) -> None:
    """Start Cuesketch on ``path`` in a process of its own (tests replace this)."""
    # Its own session: the new window outlives this process and its terminal's Ctrl+C.
    flags = ["--read-only"] if read_only else []
    subprocess.Popen([*paths.launcher(), *flags, str(path)],
                     start_new_session=True)


def file_handlers(window: WindowRef, services: Services, post: Callable[[str], None],
                  settings: QSettings | None = None, *, files: FileActions | None = None
                  ) -> dict[str, Callable[[], None]]:
    """The File menu's handlers by action name. ``window`` parents the dialogs and is closed
    when the project is switched; it may be a callable returning it, for handlers made before
    the window is. ``settings`` keeps the last folders (default: the user's QSettings);
    ``files``: the FileActions to use (the window also asks it before closing)."""
    film = FilmActions(window, services, post, settings)
    handlers = (files or FileActions(window, services, post, settings)).handlers()
    handlers["file.relink_film"] = film.guarded("Relink film", film.relink_film)
    handlers["file.film_offset"] = film.guarded("Film offset", film.film_offset)
    from cuesketch.ui.review_actions import ReviewActions
    handlers.update(ReviewActions(window, services, post, settings).handlers())
    return handlers


def copy_project(project: Project) -> Project:
    """A copy another thread may read while this one edits (entities are frozen)."""
    copy = Project()
    copy.load(project.settings, [e for table in (project.tracks, project.cues, project.hits,
                                                 project.notes, project.controls)
                                 for e in table.values()])
    return copy


class FileActions(Dialogs):
    _let_go: tuple[int, bool, bool] | None = None  # the state the user chose to leave in
    def handlers(self) -> dict[str, Callable[[], None]]:
        table: dict[str, tuple[str, Callable[[], None]]] = {
            "file.new": ("New project", self.new_project),
            "file.open": ("Open project", self.open_project),
            "file.save_as": ("Save As", self.save_as),
            "file.save_copy": ("Save a Copy", self.save_copy),
            "file.snapshot": ("Take snapshot", self.take_snapshot),
            "file.snapshots": ("Snapshots", self.show_snapshots),
            "file.import_midi": ("Import MIDI file", self.import_midi),
            "file.export_midi": ("Export MIDI file", self.export_midi),
            "file.render": ("Render mix", self.render),
            "file.export_stems": ("Export stems", self.export_stems),
            "file.export_preview": ("Export preview movie", self.export_preview),
        }
        return {name: self.guarded(title, fn) for name, (title, fn) in table.items()}

    # -- switching projects ------------------------------------------------------------------
    def is_this_project(self, path: Path) -> bool:
        here = self.services.project_path
        return here is not None and here.resolve() == path.resolve()

    def settle(self) -> None:
        """Land a take being recorded and stop, so that what is copied is all there."""
        recorder = self.services.recorder
        if recorder is not None and recorder.active:
            recorder.stop()
        self.services.transport.stop()

    def may_leave(self, title: str) -> bool:
        """Asked before anything is written, when leaving would cut a render short."""
        return not any(t.running for t in self.tasks) or self.ask(
            title, "A render is still running in this window; it stops if this window "
                   "closes. Go on?")

    def may_close(self) -> bool:
        """Asked before the window closes: what only memory holds is offered Save As first
        (``keeps_memory``); a running render is said."""
        self._let_go = None  # an answer holds for one action only
        return self.keeps_memory("Close") and self.may_leave("Close")

    def keeps_memory(self, title: str) -> bool:
        """False when the user would rather stay. A take the file refused, or a project whose
        folder went with no rescue copy made, is only in memory (``FaultWatch.only_in_memory``)
        and leaving loses it: Save saves it elsewhere (then it may go), Discard leaves it.
        Within one action (``may_close`` and ``may_switch`` start one) the same state is not
        asked about twice. A project working in a rescue copy loses nothing, but the copy is
        in Cuesketch's own folder: Save As is offered too."""
        faults = self.services.faults
        if faults is None:
            return True
        in_copy = faults.rescued is not None and faults.project_path == faults.rescued
        state = (len(faults.recorder.unlanded) if faults.recorder is not None else 0,
                 faults.folder_gone, in_copy)
        if not faults.only_in_memory and not in_copy or state == self._let_go:
            return True
        Button = QMessageBox.StandardButton
        if faults.only_in_memory:
            why = faults.standing or "Part of this project is only in memory"
            text = (f"{why}. What this window holds is not all on disk, and leaving it loses "
                    "that. Save it elsewhere first?")
            buttons, leave = Button.Save | Button.Discard | Button.Cancel, Button.Discard
        else:
            text = (f"This project goes on in a rescue copy in Cuesketch's own folder "
                    f"({faults.project_path}). Nothing is lost; save it where you want first?")
            buttons, leave = Button.Save | Button.Close | Button.Cancel, Button.Close
        answer = QMessageBox.warning(self.window, title, text, buttons, Button.Save)
        if answer == leave:
            self._let_go = state
            return True
        if answer != Button.Save:
            return False
        dest = self.choose_save("Save As", PROJECT_FILTER, SUFFIX,
                                f"{self.stem()} rescued{SUFFIX}", "project")
        if dest is None:
            return False
        try:
            with self.busy():
                faults.save_as(dest)
        except PLAIN_ERRORS as e:
            self.error("Save As", f"{plain(e)}\n\nNothing was closed: choose another place.")
            return False
        self.post(f"Saved as {dest}")
        return not faults.only_in_memory

    def may_switch(self, title: str) -> bool:
        """Asked before another project is opened in this window's stead (before anything
        is written for it): what only memory holds, and a render running."""
        self._let_go = None  # an answer holds for one action only
        return self.keeps_memory(title) and self.may_leave(title)

    def switch_to(self, path: Path, title: str = "Open") -> None:
        """A new Cuesketch process on ``path``; this window closes (see the module doc). The
        take being recorded has landed (``settle``) by now, or failed to: asked once more if
        that left something only in memory (``may_switch`` was asked before)."""
        if not self.keeps_memory(title):
            return
        launch_project(path)
        self.post(f"Opening {path.name} in a new window")
        window = self.window
        getattr(window, "force_close", window.close)()

    def open_project(self) -> None:
        path = self.choose_open("Open project", PROJECT_FILTER, "project")
        if path is not None:
            self.open_path(path, "Open project")

    def open_path(self, path: Path, title: str) -> None:
        """Open ``path`` in a new window and close this one (File ▸ Open, Open Recent)."""
        if self.is_this_project(path):
            self.post(f"{path.name} is the project open here")
            return
        with self.busy(), ProjectFile.open(path, read_only=True):
            pass  # a plain error here, rather than from a process that can't show one
        if not self.may_switch(title):
            return
        self.settle()
        self.switch_to(path, title)

    def new_project(self) -> None:
        film = self.choose_open("New project: choose the film", FILM_FILTER, "film")
        if film is None or not self.may_switch("New project"):
            return
        with self.busy():
            info = probe(film)
        dialog = NewFromFilmDialog(info, self.window)
        if not dialog.exec():
            return
        choice = dialog.choice()
        dest = self.choose_save("New project: save it as", PROJECT_FILTER, SUFFIX,
                                film.stem + SUFFIX, "project", folder=film.parent)
        if dest is None:
            return
        if self.is_this_project(dest):
            self.error("New project", f"{dest.name} is the project open here; choose another "
                                      "name")
            return
        self.settle()  # the take lands before anything is written; if it could not, asked
        if not self.keeps_memory("New project"):  # (again only if that changed something)
            return
        with self.busy():
            project = new_project(info, dest, choice.start_frame, choice.rate,
                                  choice.with_palette)
            ProjectFile.write_new(dest, project, overwrite=True)
        for warning in info.warnings:
            self.post(warning)
        self.switch_to(dest, "New project")

    def save_as(self) -> None:
        dest = self.choose_save("Save As", PROJECT_FILTER, SUFFIX, f"{self.stem()} copy{SUFFIX}",
                                "project")
        if dest is None or not self.may_leave("Save As"):
            return
        if self.is_this_project(dest):
            self.error("Save As", f"{dest.name} is this project; choose another name")
            return
        self._let_go = None
        self.settle()  # the take being recorded lands first: a take the file refuses goes
        faults = self.services.faults  # with the rest from memory, into the file chosen
        if faults is not None and faults.needs_save_as:
            # The disk is full or gone: the file is not all there is. Write from memory (the
            # edits, the take) and go on there, in this window.
            with self.busy():
                faults.save_as(dest)
            self.post(f"Saved as {dest}: everything is there, and you go on working on it")
            return
        with self.busy():
            self.write_copy(dest, with_snapshots=True)
        self.switch_to(dest, "Save As")

    def save_copy(self) -> None:
        pf = self.services.project_file
        count = len(list_snapshots(pf)) if pf is not None and not pf.damaged else 0
        dest = self.choose_save("Save a Copy", PROJECT_FILTER, SUFFIX,
                                f"{self.stem()} copy{SUFFIX}", "project")
        if dest is None:
            return
        if self.is_this_project(dest):
            self.error("Save a Copy", f"{dest.name} is this project; choose another name")
            return
        keep = True
        if count:
            answer = QMessageBox.question(
                self.window, "Save a Copy",
                f"Keep the project's {count} snapshot{'s' if count > 1 else ''} in the copy? "
                "Without them it is smaller, to send.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes)
            if answer == QMessageBox.StandardButton.Cancel:
                return
            keep = answer == QMessageBox.StandardButton.Yes
        self.settle()
        with self.busy():
            self.write_copy(dest, with_snapshots=keep)
        self.post(f"Saved a copy as {dest}; you go on working on this project")

    def write_copy(self, dest: Path, with_snapshots: bool) -> None:
        pf = self.services.project_file
        if pf is not None and not pf.damaged:
            pf.save_copy(dest, with_snapshots=with_snapshots, overwrite=True)
        else:  # no file, or a damaged one: what could be read is what there is
            ProjectFile.write_new(dest, self.document.project, overwrite=True)

    def stem(self) -> str:
        path = self.services.project_path
        return path.stem if path is not None else self.document.project.settings.title

    # -- snapshots ---------------------------------------------------------------------------
    def project_file(self, title: str) -> ProjectFile | None:
        pf = self.services.project_file
        if pf is None:
            self.error(title, "This project has no file to keep snapshots in; use Save As "
                              "first.")
        return pf

    def take_snapshot(self) -> None:
        pf = self.project_file("Take snapshot")
        if pf is None:
            return
        name, ok = QInputDialog.getText(
            self.window, "Take snapshot",
            "Keep the project as it is now, under a name\n"
            "(e.g. “1M3 v3, sent to the director”):")
        if not ok:
            return
        info = take_snapshot(pf, name)
        self.post(f"Snapshot “{info.name}” taken ({info.notes} notes); File › Snapshots… "
                  "opens or restores it")

    def show_snapshots(self) -> None:
        pf = self.project_file("Snapshots")
        if pf is None:
            return
        dialog = SnapshotsDialog(pf, self.document, lambda path: launch_project(path, read_only=True),
                                 self.post, self.window)
        dialog.exec()

    # -- MIDI --------------------------------------------------------------------------------
    def import_midi(self) -> None:
        path = self.choose_open("Import MIDI file", MIDI_FILTER, "import_midi")
        if path is None:
            return
        imp = smf.read(path)
        notes = sum(len(t.notes) for t in imp.tracks)
        if not notes and not imp.markers:
            self.error("Import MIDI file", f"{path.name} holds no notes and no markers; "
                                           "nothing was imported")
            return
        at = self.services.transport.position()
        tracks = smf.import_into(self.document, imp, at=at, label=f"Import {path.name}")
        s = self.document.project.settings
        where = format_position(at, s.rate, s.start_frame)
        self.post(f"Imported {notes} notes on {len(tracks)} tracks from {path.name} at "
                  f"{where}" + "".join(f"; {w}" for w in imp.warnings))

    def export_midi(self) -> None:
        project = self.document.project
        dest = self.choose_save("Export MIDI file", MIDI_FILTER, ".mid", f"{self.stem()}.mid",
                                "export_midi")
        if dest is None:
            return
        with self.busy():
            smf.write(project, dest)
        self.post(f"Exported {len(project.notes)} notes on {len(project.tracks)} tracks "
                  f"to {dest}")

    # -- the mix -----------------------------------------------------------------------------
    def render(self) -> None:
        if any(t.running for t in self.tasks):  # one at a time: they would share a temp file
            self.error("Render mix", "A render is running already; it says when it is done.")
            return
        project = self.document.project
        cues = sorted(project.cues.values(), key=lambda c: (c.start_frame, c.name))
        items = ["The whole project"] + [f"{c.name} — {c.title}" if c.title else c.name
                                         for c in cues]
        item, ok = QInputDialog.getItem(self.window, "Render mix", "Render:", items, 0, False)
        if not ok or item not in items:
            return
        index = items.index(item)
        cue = cues[index - 1].name if index else None
        if cue is None and not project.notes:
            self.error("Render mix", "The project has no notes yet: there is nothing to "
                                     "render")
            return
        name = f"{self.stem()} {cue}.wav" if cue else f"{self.stem()}.wav"
        dest = self.choose_save("Render mix to WAV", WAV_FILTER, ".wav", name, "render")
        if dest is None:
            return
        what = f"cue {cue}" if cue else "the whole project"
        copy = copy_project(project)  # the render reads it while you go on editing
        soundfont = self.services.preferences.soundfont or "default"
        self.start_task(lambda: render_project(copy, dest, cue=cue, soundfont=soundfont),
                        lambda result: self.rendered(result, what),
                        lambda why: self.error("Render mix", f"{what[:1].upper()}{what[1:]} "
                                                             f"could not be rendered: {why}"),
                        (RenderError, SoundFontError, ImportError, OSError))
        self.post(f"Rendering {what} to {dest.name}… (you can go on working)")

    def export_stems(self) -> None:
        """File ▸ Export Stems…: ``ui.stems_dialog`` on a copy of the project."""
        from cuesketch.ui.stems_dialog import StemsDialog
        project = self.document.project
        if not project.cues:
            self.error("Export stems", "The project has no cues yet: stems are made per cue "
                                       "(mark one first)")
            return
        pf = self.services.project_file
        names = [s.name for s in list_snapshots(pf)] if pf is not None and not pf.damaged \
            else []
        here = self.services.project_path
        folder = (here.parent if here is not None else Path.home()) / f"{self.stem()} stems"
        dialog = StemsDialog(copy_project(project), names, folder,
                             self.services.preferences.soundfont or "default", self.window)
        dialog.finishedExport.connect(self.post)
        dialog.exec()

    def export_preview(self) -> None:
        """File ▸ Export Preview Movie…: ``ui.preview_dialog`` on a copy of the project."""
        from cuesketch.timing.cues import cue_at
        from cuesketch.ui.preview_dialog import PreviewDialog
        project = self.document.project
        if project.settings.media is None:
            self.error("Export preview movie", "The project has no film yet: a preview is "
                                               "the sketch over the film")
            return
        pf = self.services.project_file
        names = [s.name for s in list_snapshots(pf)] if pf is not None and not pf.damaged \
            else []
        here = self.services.project_path
        folder = here.parent if here is not None else Path.home()
        frame = project.settings.rate.flicks_to_frame(self.services.transport.position())
        current = cue_at(list(project.cues.values()), frame)
        dialog = PreviewDialog(copy_project(project), here, names, folder,
                               self.services.preferences.soundfont or "default",
                               current.name if current is not None else None, self.window)
        dialog.finishedExport.connect(self.post)
        dialog.exec()

    def rendered(self, result: object, what: str) -> None:
        assert isinstance(result, RenderResult)
        minutes, seconds = divmod(result.seconds, 60)
        peak = f"{20 * math.log10(result.peak):.1f} dBFS" if result.peak > 0 else "silent"
        text = (f"Rendered {what} to {result.path}: {int(minutes)}:{seconds:06.3f}, "
                f"peak {peak}; a Broadcast WAV that a DAW places at {result.start_timecode}")
        if result.clipped:
            text += (f"; {result.clipped} samples were above full scale and were clipped "
                     "(lower the tracks' volumes)")
        self.post(text)
