"""What menu handlers share: the window's dialogs, plain error messages, background jobs.

``Dialogs`` is the base of handler collections (``FileActions``, ``FilmActions``): message
boxes and file choosers parented to the window, a wait cursor, and ``guarded`` to turn any
failure into a message box, never a traceback in the user's face.

File choosers open where that kind of file was last chosen (``LastFolders``: importing MIDI,
exporting MIDI, renders, films and projects each remember their own folder, in QSettings),
else in the project's folder; never in the hidden data folder the demo lives in.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from cuesketch import paths
from cuesketch.engine.render import RenderError
from cuesketch.engine.soundfonts import SoundFontError
from cuesketch.formats.smf import MidiFileError
from cuesketch.media.probe import MediaError
from cuesketch.model.project import ModelError
from cuesketch.services import Services
from cuesketch.store.project_file import ProjectFileError
from cuesketch.store.sqlite_io import describe
from cuesketch.timing.timecode import TimecodeError
from cuesketch.ui.background import BackgroundTask

# Errors whose text already says what is wrong in plain words. PermissionError (an OSError)
# is also what the document raises when the project is open read-only.
PLAIN_ERRORS: tuple[type[BaseException], ...] = (
    ProjectFileError, MidiFileError, RenderError, MediaError, SoundFontError, TimecodeError,
    ModelError, OSError)

WindowRef = QWidget | Callable[[], QWidget]
FOLDER_KINDS = ("project", "film", "import_midi", "export_midi", "render")


class LastFolders:
    """The folder each kind of file was last chosen in (``folders/<kind>`` in QSettings)."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def get(self, kind: str) -> Path | None:
        """The folder last used for ``kind``, if it is still there."""
        value = self.settings.value(f"folders/{kind}")
        if not isinstance(value, str) or not value:
            return None
        folder = Path(value)
        return folder if folder.is_dir() else None

    def remember(self, kind: str, chosen: Path) -> None:
        """Keep the folder of the file (or the folder) just chosen for ``kind``."""
        if kind not in FOLDER_KINDS:
            raise ValueError(f"no such kind of file folder: {kind}")
        folder = chosen if chosen.is_dir() else chosen.parent
        self.settings.setValue(f"folders/{kind}", str(folder))
        self.settings.sync()


def visible_folder(folder: Path) -> Path:
    """``folder``, or the home folder when it is Cuesketch's data folder or a hidden one
    (``~/.local/share/cuesketch``, where the demo lives, is no place to save work)."""
    try:
        resolved = folder.resolve()
        inside_data = resolved.is_relative_to(paths.data_dir().resolve())
    except OSError:
        return Path.home()
    home = Path.home().resolve()
    below_home = resolved.relative_to(home).parts if resolved.is_relative_to(home) else ()
    if inside_data or any(part.startswith(".") for part in below_home):
        return Path.home()
    return folder


def plain(e: BaseException) -> str:
    """An error's message for a dialog: its first letter capitalised, unless the message
    starts with a name the user chose (a file, a track: ``x.cuesketch`` stays as it is)."""
    if isinstance(e, OSError):
        text = describe(e)
        return f"{e.filename}: {text}" if e.filename else sentence(text)
    return sentence(str(e) or type(e).__name__)


def sentence(text: str) -> str:
    """``text`` with a capital first letter when its first word is an ordinary word; a first
    word holding a dot, a slash, a digit or a capital further on (a file name, a path, a
    cue such as ``mM1``) is a name, and names are never changed."""
    first = text.split(" ", 1)[0].rstrip(":,;").replace("'", "").replace("-", "")
    if not first[:1].islower() or not first.isalpha() or first != first.lower():
        return text
    return text[:1].upper() + text[1:]


def with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class Dialogs:
    def __init__(self, window: WindowRef, services: Services,
                 post: Callable[[str], None], settings: QSettings | None = None) -> None:
        """``window`` may be a callable returning it, for handlers made before the window;
        ``settings`` keeps the last folders (default: the user's QSettings)."""
        self._window = window
        self.folders = LastFolders(settings or QSettings("Cuesketch", "Cuesketch"))
        self.services = services
        self.document = services.document
        self.post = post
        self.tasks: set[BackgroundTask] = set()  # running jobs, kept alive until they report

    @property
    def window(self) -> QWidget:
        w = self._window
        return w if isinstance(w, QWidget) else w()

    def guarded(self, title: str, fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except PLAIN_ERRORS as e:
                self.error(title, plain(e))
            except Exception as e:  # a bug: plain words here, the details on stderr
                traceback.print_exc(file=sys.stderr)
                self.error(title, f"That did not work because of an unexpected error "
                                  f"({type(e).__name__}: {e}).")
        return run

    def error(self, title: str, text: str) -> None:
        QMessageBox.warning(self.window, title, text)

    def ask(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(
            self.window, title, text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Yes)
        return answer == QMessageBox.StandardButton.Yes

    def folder(self, kind: str | None = None) -> Path:
        """Where a chooser for ``kind`` opens: where one was last chosen, else the project's
        folder (the home folder for a project in the hidden data folder, such as the demo)."""
        remembered = self.folders.get(kind) if kind else None
        if remembered is not None:
            return remembered
        path = self.services.project_path
        return visible_folder(path.resolve().parent) if path is not None else Path.home()

    def choose_open(self, title: str, filters: str, kind: str,
                    folder: Path | None = None) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self.window, title,
                                              str(folder or self.folder(kind)), filters)
        if not path:
            return None
        self.folders.remember(kind, Path(path))
        return Path(path)

    def choose_folder(self, title: str, kind: str) -> Path | None:
        folder = QFileDialog.getExistingDirectory(self.window, title, str(self.folder(kind)))
        if not folder:
            return None
        self.folders.remember(kind, Path(folder))
        return Path(folder)

    def choose_save(self, title: str, filters: str, suffix: str, name: str, kind: str,
                    folder: Path | None = None) -> Path | None:
        """A file to write; the suffix added when not typed (then asking before replacing a
        file of that name, which the dialog did not see)."""
        default = (folder or self.folder(kind)) / name
        chosen, _ = QFileDialog.getSaveFileName(self.window, title, str(default), filters)
        if not chosen:
            return None
        self.folders.remember(kind, Path(chosen).parent)
        path = with_suffix(Path(chosen), suffix)
        if path != Path(chosen) and path.exists() and not self.ask(
                title, f"{path.name} exists already. Replace it?"):
            return None
        return path

    @contextmanager
    def busy(self) -> Iterator[None]:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            yield
        finally:
            QApplication.restoreOverrideCursor()

    def start_task(self, job: Callable[[], object], done: Callable[[object], None],
                   failed: Callable[[str], None],
                   expected: tuple[type[BaseException], ...]) -> BackgroundTask:
        """Run ``job`` on a worker thread; ``done`` or ``failed`` runs on the GUI thread."""
        task = BackgroundTask(job, expected)

        def finish(handler: Callable[[object], None], value: object) -> None:
            self.tasks.discard(task)
            self.guarded("Cuesketch", lambda: handler(value))()

        task.finished.connect(lambda value: finish(done, value))
        task.failed.connect(lambda why: finish(lambda _: failed(why), why))
        self.tasks.add(task)
        task.start()
        return task
