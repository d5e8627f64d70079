"""Palettes: the built-in instrument templates and the user's own; see one's tracks, apply it to
the project or to a cue (one undo step), save the current tracks as a template, delete one's
own. The work is ``model.palette_templates``'; the templates of one's own live in the personal
library (``store.user_library``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QInputDialog, QLabel,
                               QListWidget, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from cuesketch.model import palette, sections
from cuesketch.model import palette_templates as pt
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue
from cuesketch.store import user_library

COLUMNS = ("Track", "Stem", "Instrument", "Volume", "Pan", "SoundFont")


class PaletteDialog(QDialog):
    def __init__(self, document: Document, say: Callable[[str], None],
                 library_path: Path | None = None, cue: Cue | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Palettes")
        self.document, self.say, self.library_path = document, say, library_path
        # Why the library file could not be read, if it could not: saving then would overwrite
        # the user's themes and palettes with only what this dialog holds, so saving is refused.
        self.unreadable: str | None = None
        self.library = self._load()
        layout = QVBoxLayout(self)
        row = QHBoxLayout()
        self.list = QListWidget(self)
        self.list.setFixedWidth(190)
        self.list.currentRowChanged.connect(lambda _r: self._show())
        row.addWidget(self.list)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setMinimumWidth(560)
        row.addWidget(self.table, 1)
        layout.addLayout(row, 1)
        self.plan = QLabel(self)
        self.plan.setWordWrap(True)
        layout.addWidget(self.plan)
        bottom = QHBoxLayout()
        bottom.addWidget(QLabel("Apply to", self))
        self.target = QComboBox(self)
        self.target.addItem("the project (creates or maps tracks)", None)
        for c in sorted(document.project.cues.values(), key=lambda c: c.start_frame):
            self.target.addItem(f"cue {c.name}" + (f" (now: {c.palette})" if c.palette else ""),
                                c.id)
        if cue is not None:
            self.target.setCurrentIndex(max(0, self.target.findData(cue.id)))
        self.target.currentIndexChanged.connect(lambda _i: self._show())
        bottom.addWidget(self.target, 1)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.clicked.connect(lambda _c=False: self.apply())
        save = QPushButton("Save Tracks as Palette…", self)
        save.clicked.connect(lambda _c=False: self.save_tracks())
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.clicked.connect(lambda _c=False: self.delete())
        close = QPushButton("Close", self)
        close.clicked.connect(self.accept)
        for b in (self.apply_button, save, self.delete_button, close):
            bottom.addWidget(b)
        layout.addLayout(bottom)
        self._fill()
        self.resize(860, 460)

    def _load(self) -> user_library.Library:
        try:
            return user_library.load(self.library_path)
        except user_library.LibraryError as e:
            self.unreadable = str(e)
            self.say(f"{e}; only the built-in palettes are offered")
            return user_library.Library()

    def _refuse_to_save(self, what: str) -> bool:
        if self.unreadable is None:
            return False
        self.say(f"{what}: your library could not be read ({self.unreadable}), and saving "
                 "would replace it; repair or move the file, then open Palettes again")
        return True

    def _fill(self, chosen: str | None = None) -> None:
        self.templates = self.library.all_palettes()
        self.list.clear()
        for t in self.templates:
            self.list.addItem(t.name + ("" if t.builtin else "  (yours)"))
        names = [t.name for t in self.templates]
        self.list.setCurrentRow(names.index(chosen) if chosen in names else 0)

    def current(self) -> pt.Template | None:
        row = self.list.currentRow()
        return self.templates[row] if 0 <= row < len(self.templates) else None

    def choose(self, name: str) -> None:
        names = [t.name.casefold() for t in self.templates]
        self.list.setCurrentRow(names.index(name.casefold()))

    def _show(self) -> None:
        t = self.current()
        self.table.setRowCount(0)
        if t is None:
            return
        self.table.setRowCount(len(t.tracks))
        for r, tt in enumerate(t.tracks):
            cells = (tt.name, sections.label(tt.section), palette.preset_label(tt.bank, tt.program),
                     f"{round(tt.volume * 100)} %", _pan(tt.pan),
                     Path(tt.soundfont).name if tt.soundfont else "General MIDI")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 0:
                    item.setBackground(QColor(tt.shown_color).darker(110))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        steps = pt.plan(self.document.project, t)
        mapped = [s.template_track.name for s in steps if s.track_id is not None]
        made = len(steps) - len(mapped)
        cue = self.target.currentData()
        if cue is None:
            self.plan.setText(f"Applying makes {made} new track{'s' * (made != 1)}"
                              + (f" and re-voices {', '.join(mapped)}" if mapped else "") + ".")
        else:
            self.plan.setText(f"The cue calls for {t.name}; {made} track{'s' * (made != 1)} it "
                              "lacks are made, the tracks already there stay as they are.")
        self.delete_button.setEnabled(not t.builtin)

    def apply(self) -> list[int]:
        t = self.current()
        if t is None:
            return []
        try:
            ids = pt.apply_step(self.document, t, self.target.currentData())
        except (pt.PaletteError, PermissionError, ValueError) as e:
            self.say(f"Palette not applied: {e}")
            return []
        self.say(f"Palette {t.name} applied: {len(ids)} tracks")
        self._show()
        return ids

    def save_tracks(self, name: str | None = None) -> bool:
        if name is None:
            name, ok = QInputDialog.getText(self, "Save Tracks as Palette",
                                            "The palette's name:")
            if not ok:
                return False
        if self._refuse_to_save("Palette not saved"):
            return False
        try:
            template = pt.template_from_tracks(self.document.project, name)
            self.library.put_palette(template)
            user_library.save(self.library, self.library_path)
        except (pt.PaletteError, user_library.LibraryError) as e:
            self.say(f"Palette not saved: {e}")
            return False
        self._fill(template.name)
        self.say(f"Palette {template.name} saved with {len(template.tracks)} tracks")
        return True

    def delete(self) -> None:
        t = self.current()
        if t is None or t.builtin or self._refuse_to_save(f"{t.name} not deleted"):
            return
        self.library.remove_palette(t.name)
        try:
            user_library.save(self.library, self.library_path)
        except user_library.LibraryError as e:
            self.say(str(e))
        self._fill()


def _pan(pan: float) -> str:
    amount = round(abs(pan) * 100)
    return "C" if amount == 0 else f"{'L' if pan < 0 else 'R'}{amount}"
