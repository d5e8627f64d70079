"""The undo history: every step by name; clicking one undoes or redoes up to it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from cuesketch.model.document import Document
from cuesketch.ui.bridge import DocumentSignals


class HistoryView(QListWidget):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._signals = DocumentSignals(document, self)
        self._signals.historyChanged.connect(self.rebuild)
        self.itemClicked.connect(self._go_to)
        self.rebuild()

    def rebuild(self) -> None:
        self.clear()
        QListWidgetItem("(as opened)", self)
        for label in self.document.history():
            QListWidgetItem(label, self)
        self.setCurrentRow(self.count() - 1)
        grey = QBrush(QColor("#888"))
        for label in self.document.redo_labels():
            item = QListWidgetItem(label, self)
            item.setForeground(grey)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)

    def _go_to(self, item: QListWidgetItem) -> None:
        """Undo or redo until the clicked step is the last one done."""
        target = self.row(item)
        done = len(self.document.history())
        while done > target and self.document.undo() is not None:
            done -= 1
        while done < target and self.document.redo() is not None:
            done += 1
