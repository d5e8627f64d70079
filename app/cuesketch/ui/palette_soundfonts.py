"""The user's SoundFonts (Preferences): the .sf2/.sf3 files a track may choose beside the
default General MIDI one. A list with Add and Remove; each file is checked as it is added and
its preset count shown, so a file that is not a SoundFont is said at once, in words."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QListWidget, QListWidgetItem,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from cuesketch.engine.soundfonts import SoundFontError, read_presets


def describe(path: str) -> str:
    """A line for the list: the file's name, its presets, or why it can't be used."""
    try:
        count = len(read_presets(path))
    except SoundFontError as e:
        return f"{Path(path).name}  ({e})"
    return f"{Path(path).name}  ({count} presets)  {Path(path).parent}"


class SoundFontList(QWidget):
    def __init__(self, paths: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setToolTip("SoundFonts a track can choose in the Tracks panel, beside the "
                             "default General MIDI one")
        for p in paths:
            self._add_item(p)
        add = QPushButton("Add…", self)
        remove = QPushButton("Remove", self)
        add.clicked.connect(self._choose)
        remove.clicked.connect(self._remove)
        buttons = QVBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        self.list.setFixedHeight(self.list.fontMetrics().height() * 4 + 12)

    def _add_item(self, path: str) -> None:
        item = QListWidgetItem(describe(path))
        item.setData(Qt.ItemDataRole.UserRole, path)
        item.setToolTip(path)
        self.list.addItem(item)

    def add_path(self, path: str) -> bool:
        """Add a SoundFont; False (and a message) if it is not one or is there already."""
        if path in self.paths():
            return False
        try:
            read_presets(path)
        except SoundFontError as e:
            QMessageBox.warning(self, "Not a SoundFont", str(e))
            return False
        self._add_item(path)
        return True

    def _choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a SoundFont", str(Path.home()),
                                              "SoundFonts (*.sf2 *.sf3);;All files (*)")
        if path:
            self.add_path(path)

    def _remove(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))

    def paths(self) -> list[str]:
        return [str(self.list.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.list.count())]
