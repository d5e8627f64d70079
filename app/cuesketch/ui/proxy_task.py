"""A proxy being made, as Qt signals: progress for a progress bar, then the path or an error.

``ProxyJob`` calls back on its worker thread; these signals arrive queued on the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from cuesketch.media.probe import MediaInfo
from cuesketch.media.proxy import ProxyJob


class ProxyTask(QObject):
    progress = Signal(float)  # 0..1
    finished = Signal(object)  # Path of the proxy
    failed = Signal(str)  # why, in plain words
    cancelled = Signal()

    def __init__(self, source: Path | str, info: MediaInfo | None = None,
                 folder: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source, self.info, self.folder = Path(source), info, folder
        self.job: ProxyJob | None = None

    def start(self) -> None:
        """Start making it (connect the signals first)."""
        self.job = ProxyJob(self.source, info=self.info, folder=self.folder,
                            on_progress=self.progress.emit, on_done=self._done)

    def _done(self, path: Path | None, error: str | None) -> None:
        if path is not None:
            self.finished.emit(path)
        elif error is not None:
            self.failed.emit(error)
        else:
            self.cancelled.emit()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
