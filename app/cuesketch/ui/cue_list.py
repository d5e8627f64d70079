"""The list of cues and hits: what was spotted, in time order; a double-click goes there."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Hit
from cuesketch.timing.timecode import format_timecode
from cuesketch.ui.bridge import DocumentSignals

class CueList(QTreeWidget):
    def __init__(self, document: Document, go_to_frame: Callable[[int], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.go_to_frame = go_to_frame
        self.setColumnCount(4)
        self.setHeaderLabels(["Cue / hit", "Start", "End", "Title / note"])
        self.setRootIsDecorated(True)
        self.setAlternatingRowColors(True)
        self.itemDoubleClicked.connect(self._on_double_click)
        self._signals = DocumentSignals(document, self)
        self._signals.changed.connect(self._on_changes)
        self.rebuild()

    def _on_changes(self, changes: Sequence[Change]) -> None:
        if any(isinstance(c, EntityChange) and c.kind in (Cue, Hit) or
               not isinstance(c, EntityChange) for c in changes):
            self.rebuild()

    def rebuild(self) -> None:
        project = self.document.project
        s = project.settings

        def tc(frame: int) -> str:
            return format_timecode(s.start_frame + frame, s.rate)

        self.clear()
        cues = QTreeWidgetItem(self, ["Cues"])
        for cue in sorted(project.cues.values(), key=lambda c: c.start_frame):
            palette = f"  · palette: {cue.palette}" if cue.palette else ""
            item = QTreeWidgetItem(cues, [cue.name, tc(cue.start_frame), tc(cue.end_frame),
                                          cue.title + palette])
            item.setToolTip(3, (cue.notes or cue.title) + palette)
            item.setData(0, Qt.ItemDataRole.UserRole, cue.start_frame)
        hits = QTreeWidgetItem(self, ["Hits"])
        for hit in sorted(project.hits.values(), key=lambda h: h.frame):
            item = QTreeWidgetItem(hits, [f"{hit.kind.value} hit", tc(hit.frame), "",
                                          hit.name])
            item.setForeground(0, _color(hit.kind.color))
            item.setToolTip(3, hit.note or hit.name)
            item.setData(0, Qt.ItemDataRole.UserRole, hit.frame)
        self.expandAll()
        for col in range(3):
            self.resizeColumnToContents(col)

    def _on_double_click(self, item: QTreeWidgetItem, _column: int) -> None:
        frame = item.data(0, Qt.ItemDataRole.UserRole)
        if frame is not None:
            self.go_to_frame(int(frame))


def _color(name: str) -> QBrush:
    return QBrush(QColor(name))
