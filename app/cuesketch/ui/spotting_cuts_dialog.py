"""Detect Cuts: the film read in the background (a progress bar, Cancel), then the cuts found
listed as proposed cut hits, each to accept or reject; the sensitivity re-decides at once (the
film is read only once). Playback goes on meanwhile: ffmpeg runs at a lower priority."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QProgressBar,
                               QSlider, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from cuesketch.media.cut_detect import (DEFAULT_SENSITIVITY, CutDetectCancelled,
                                        CutDetectError, FrameDifferences, cut_hit_changes,
                                        find_cuts, measure, picture_to_read, trimmed)
from cuesketch.model.document import Document
from cuesketch.timing.timecode import format_timecode
from cuesketch.ui.background import BackgroundTask


class DetectCutsDialog(QDialog):
    def __init__(self, document: Document, film: Path, frames: int,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Detect cuts in {film.name}")
        self.document = document
        self.film = film
        self.diffs: FrameDifferences | None = None
        self.added = 0
        self._progress = 0.0
        self._cancel = threading.Event()
        layout = QVBoxLayout(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        layout.addWidget(self.bar)
        row = QHBoxLayout()
        row.addWidget(QLabel("Sensitivity", self))
        self.sensitivity = QSlider(Qt.Orientation.Horizontal, self)
        self.sensitivity.setRange(1, 100)
        self.sensitivity.setValue(DEFAULT_SENSITIVITY)
        self.sensitivity.valueChanged.connect(self.decide)
        row.addWidget(self.sensitivity)
        layout.addLayout(row)
        self.found = QTreeWidget(self)
        self.found.setHeaderLabels(["Cut at", "Frame", "Stands out"])
        self.found.setRootIsDecorated(False)
        layout.addWidget(self.found)
        self.summary = QLabel("Reading the film…", self)
        layout.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.add = self.buttons.addButton("Add as cut hits",
                                          QDialogButtonBox.ButtonRole.AcceptRole)
        self.add.setEnabled(False)
        self.buttons.accepted.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(480, 520)
        self._timer = QTimer(self)
        self._timer.timeout.connect(lambda: self.bar.setValue(int(self._progress * 1000)))
        self._timer.start(100)
        self.task = BackgroundTask(
            lambda: trimmed(measure(picture_to_read(film), frames, self._set_progress,
                                    self._cancel), frames),
            (CutDetectError, CutDetectCancelled), "cuesketch-cuts")
        self.task.finished.connect(self._measured)
        self.task.failed.connect(self._failed)
        self.task.start()

    def _set_progress(self, p: float) -> None:  # on the worker thread: a float, no widget
        self._progress = p

    def _measured(self, diffs: object) -> None:
        assert isinstance(diffs, FrameDifferences)
        self.diffs = diffs
        self._timer.stop()
        self.bar.setValue(1000)
        self.decide()

    def _failed(self, why: str) -> None:
        self._timer.stop()
        self.summary.setText(why if not self._cancel.is_set() else "Cancelled")

    def decide(self) -> None:
        """List the cuts at the sensitivity (every one checked: uncheck to reject)."""
        if self.diffs is None:
            return
        s = self.document.project.settings
        offset = s.media.offset_frames if s.media is not None else 0
        self.found.clear()
        for cut in find_cuts(self.diffs, self.sensitivity.value()):
            frame = offset + cut.frame
            item = QTreeWidgetItem(self.found, [format_timecode(s.start_frame + frame, s.rate),
                                                str(frame), f"{cut.score:.1f}"])
            item.setData(0, Qt.ItemDataRole.UserRole, cut.frame)
            item.setCheckState(0, Qt.CheckState.Checked)
        n = self.found.topLevelItemCount()
        self.summary.setText(f"{n} cut{'s' if n != 1 else ''} found; uncheck those to leave out")
        self.add.setEnabled(n > 0)

    def accepted_frames(self) -> list[int]:
        out = []
        for i in range(self.found.topLevelItemCount()):
            item = self.found.topLevelItem(i)
            if item is not None and item.checkState(0) == Qt.CheckState.Checked:
                out.append(int(item.data(0, Qt.ItemDataRole.UserRole)))
        return out

    def apply(self) -> None:
        s = self.document.project.settings
        offset = s.media.offset_frames if s.media is not None else 0
        changes = cut_hit_changes(self.document.project, self.accepted_frames(), offset)
        if changes:
            try:
                with self.document.transaction("Add detected cuts"):
                    self.document.execute_changes(changes)
            except PermissionError as e:  # made read-only while the dialog was open
                self.summary.setText(f"Nothing was added: {e}")
                return
        self.added = len(changes)
        self.accept()

    def reject(self) -> None:
        self._cancel.set()
        super().reject()
