"""What the export dialogs (stems, a preview movie) share: one export run in the background,
Export to start it, Cancel to stop it (Escape and the close box cancel first, then close).

    class StemsDialog(ExportDialog):
        def start(self) -> None:             # check the choices, then
            self.launch(job, (StemError, OSError), "cuesketch-stems")
        def _done(self, result: object) -> None: ...
        def _failed(self, why: str) -> None: ...

A subclass lays out its choices, then ``add_controls(layout)`` puts the status line and the
buttons under them; ``cancel`` is the event its job watches.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from cuesketch.ui.background import BackgroundTask


class ExportDialog(QDialog):
    finishedExport = Signal(str)  # what happened, in words (for the status bar)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = ""
        self.cancel = threading.Event()
        self.task: BackgroundTask | None = None
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton("Export",
                                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.export_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.stop)

    def add_controls(self, layout: QVBoxLayout) -> None:
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def start(self) -> None:
        raise NotImplementedError

    def launch(self, job: Callable[[], object], errors: tuple[type[BaseException], ...],
               name: str) -> None:
        """Run ``job`` on a worker; ``_done(result)`` or ``_failed(why)`` on the GUI thread."""
        task = BackgroundTask(job, errors, name)
        task.finished.connect(self._done)
        task.failed.connect(self._failed)
        self.task = task
        task.start()

    def _done(self, result: object) -> None:
        raise NotImplementedError

    def _failed(self, why: str) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        """Cancel: the job stops and leaves nothing half-made; or close."""
        if self.running:
            self.cancel.set()
            self.cancel_button.setEnabled(False)
            self.status.setText("Cancelling…")
        else:
            self.reject()

    def reject(self) -> None:
        if self.running:  # Escape or the close box while exporting: cancel first
            self.stop()
            return
        super().reject()


__all__ = ["ExportDialog"]
