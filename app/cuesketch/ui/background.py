"""A slow job (a render, a search for the film) on a worker thread, its outcome as Qt signals.

The job runs on a plain thread and touches no widget; ``finished`` or ``failed`` is emitted from
that thread and, the task living in the GUI thread, arrives queued there, where the handlers
may show dialogs and change the document.
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class BackgroundTask(QObject):
    finished = Signal(object)  # what the job returned
    failed = Signal(str)  # why, in plain words

    def __init__(self, job: Callable[[], object], expected: tuple[type[BaseException], ...],
                 name: str = "cuesketch-task") -> None:
        """``expected``: the errors that say in plain words what went wrong (their text is
        the message); anything else is reported by its type, its traceback on stderr."""
        super().__init__()
        self._job = job
        self._expected = expected
        # A daemon: quitting mid-render leaves at most a temporary file, never a half WAV.
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        """Run the job (connect the signals first)."""
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            result = self._job()
        except self._expected as e:
            self._emit(self.failed, str(e) or type(e).__name__)
        except Exception as e:  # a bug: say something plain, keep the details for a report
            traceback.print_exc(file=sys.stderr)
            self._emit(self.failed, f"an unexpected error ({type(e).__name__}: {e})")
        else:
            self._emit(self.finished, result)

    @staticmethod
    def _emit(signal: object, value: object) -> None:
        try:
            signal.emit(value)  # type: ignore[attr-defined]
        except RuntimeError:  # the task was deleted with its window while the job ran
            pass
