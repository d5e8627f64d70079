"""What menu handlers share: the window's dialogs, plain error messages, background jobs.

``Dialogs`` is the base of handler collections (``FileActions``, ``FilmActions``): message
boxes and file choosers parented to the window, a wait cursor, and ``guarded`` to turn any
failure into a message box, never a traceback in the user's face.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

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


def plain(e: BaseException) -> str:
    """An error's message for a dialog."""
    if isinstance(e, OSError):
        text = describe(e)
        text = f"{e.filename}: {text}" if e.filename else text
    else:
        text = str(e) or type(e).__name__
    return text[:1].upper() + text[1:]


def with_suffix(path: Path, suffix: str) -> Path:
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)


class Dialogs:
    def __init__(self, window: WindowRef, services: Services,
                 post: Callable[[str], None]) -> None:
        """``window`` may be a callable returning it, for handlers made before the window."""
        self._window = window
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

    def folder(self) -> Path:
        path = self.services.project_path
        return path.resolve().parent if path is not None else Path.home()

    def choose_open(self, title: str, filters: str, folder: Path | None = None) -> Path | None:
        path, _ = QFileDialog.getOpenFileName(self.window, title, str(folder or self.folder()),
                                              filters)
        return Path(path) if path else None

    def choose_save(self, title: str, filters: str, suffix: str, name: str,
                    folder: Path | None = None) -> Path | None:
        """A file to write; the suffix added when not typed (then asking before replacing a
        file of that name, which the dialog did not see)."""
        default = (folder or self.folder()) / name
        chosen, _ = QFileDialog.getSaveFileName(self.window, title, str(default), filters)
        if not chosen:
            return None
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
