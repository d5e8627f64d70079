"""A theme's particulars: name, what it stands for, key and mode, colour, free notes; and its
notes drawn as a small roll (``ThemeRoll``: click a note to select it, Delete removes it,
Up/Down move it a semitone, Left/Right a sixteenth; a double-click adds a note)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (QColorDialog, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLineEdit, QPlainTextEdit, QPushButton, QWidget)

from cuesketch.model.entities import Theme
from cuesketch.model.theme_values import PITCH_NAMES, Key, Mode, Snippet, SnippetNote, ThemeRole

STEP = Fraction(1, 4)


class ThemeRoll(QWidget):
    """A theme's notes, bars and beats across, pitches up; a few edits by keys."""

    def __init__(self, snippet: Snippet, color: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snippet = snippet
        self.color = QColor(color)
        self.selected: int | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumHeight(120)
        self.setToolTip("Click a note; Delete removes it, arrows move it; double-click adds one")

    def sizeHint(self) -> QSize:
        return QSize(480, 140)

    def _notes(self) -> list:  # type: ignore[type-arg]
        return self.snippet.sorted_notes()

    def _geometry(self) -> tuple[float, float, int, int]:
        notes = self._notes()
        low = min((n.pitch for n in notes), default=60) - 2
        high = max((n.pitch for n in notes), default=72) + 2
        px_beat = (self.width() - 8) / max(float(self.snippet.length), 1.0)
        key_h = (self.height() - 8) / max(high - low + 1, 1)
        return px_beat, key_h, low, high

    def _rect(self, i: int) -> QRectF:
        n = self._notes()[i]
        px_beat, key_h, _, high = self._geometry()
        return QRectF(4 + float(n.start) * px_beat, 4 + (high - n.pitch) * key_h,
                      max(float(n.duration) * px_beat - 1, 2.0), max(key_h - 1, 2.0))

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#1e2026"))
        px_beat, _, _, _ = self._geometry()
        bar = float(self.snippet.bar_beats)
        beat = 0.0
        while beat <= float(self.snippet.length):
            p.setPen(QColor(255, 255, 255, 60 if beat % bar == 0 else 20))
            x = 4 + beat * px_beat
            p.drawLine(int(x), 0, int(x), self.height())
            beat += 1
        for i in range(len(self._notes())):
            r = self._rect(i)
            p.fillRect(r, self.color.lighter(150) if i == self.selected else self.color)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.selected = next((i for i in range(len(self._notes()))
                              if self._rect(i).contains(event.position())), None)
        self.setFocus()
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        """A new beat-long note where the double-click is (on a sixteenth)."""
        px_beat, key_h, _, high = self._geometry()
        x, y = event.position().x(), event.position().y()
        start = Fraction(round((x - 4) / px_beat / float(STEP))) * STEP
        pitch = min(127, max(0, round(high - (y - 4) / key_h + 0.5)))
        if start < 0 or start >= self.snippet.length:
            return
        note = SnippetNote(start, min(Fraction(1), self.snippet.length - start), pitch, 90)
        self.snippet = replace(self.snippet, notes=self.snippet.notes + (note,))
        self.selected = self._notes().index(note)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.selected is None:
            return super().keyPressEvent(event)
        notes = self._notes()
        n = notes[self.selected]
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            del notes[self.selected]
            self.selected = None
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            pitch = n.pitch + (1 if key == Qt.Key.Key_Up else -1)
            notes[self.selected] = replace(n, pitch=min(127, max(0, pitch)))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            start = n.start + (STEP if key == Qt.Key.Key_Right else -STEP)
            notes[self.selected] = replace(n, start=max(Fraction(0), start))
        else:
            return super().keyPressEvent(event)
        moved = notes[self.selected] if self.selected is not None else None
        self.snippet = replace(self.snippet, notes=tuple(notes))
        if moved is not None:
            self.selected = self._notes().index(moved)
        self.update()


class ThemeEditDialog(QDialog):
    def __init__(self, theme: Theme, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.theme = theme
        form = QFormLayout(self)
        self.name = QLineEdit(theme.name, self)
        form.addRow("Name", self.name)
        self.stands_for = QLineEdit(theme.stands_for, self)
        self.stands_for.setPlaceholderText("who or what: Anna, the lighthouse, loss")
        self.role = QComboBox(self)
        for r in ThemeRole:
            self.role.addItem(r.value, r)
        self.role.setCurrentIndex(max(0, self.role.findData(theme.role)))
        row = QHBoxLayout()
        row.addWidget(self.stands_for, 1)
        row.addWidget(self.role)
        form.addRow("Stands for", row)
        key_row = QHBoxLayout()
        self.tonic = QComboBox(self)
        self.tonic.addItems(PITCH_NAMES)
        self.tonic.setCurrentIndex(theme.key.tonic)
        self.mode = QComboBox(self)
        for m in Mode:
            self.mode.addItem(m.value, m)
        self.mode.setCurrentIndex(max(0, self.mode.findData(theme.key.mode)))
        key_row.addWidget(self.tonic)
        key_row.addWidget(self.mode)
        key_row.addStretch(1)
        form.addRow("Key", key_row)
        self.color = theme.color
        self.color_button = QPushButton(self)
        self.color_button.clicked.connect(self._choose_color)
        self._show_color()
        form.addRow("Colour", self.color_button)
        self.roll = ThemeRoll(theme.snippet, theme.color, self)
        form.addRow("Notes", self.roll)
        self.notes = QPlainTextEdit(theme.notes, self)
        self.notes.setPlaceholderText("Free notes: where it first appears, how it grows…")
        self.notes.setFixedHeight(70)
        form.addRow("", self.notes)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, parent=self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _show_color(self) -> None:
        self.color_button.setStyleSheet(f"background: {self.color}; min-width: 60px;")

    def _choose_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color), self, "Theme colour")
        if chosen.isValid():
            self.color = chosen.name()
            self.roll.color = QColor(self.color)
            self._show_color()
            self.roll.update()

    def result_theme(self) -> Theme:
        return replace(self.theme, name=self.name.text().strip() or self.theme.name,
                       stands_for=self.stands_for.text().strip(),
                       role=self.role.currentData(),
                       key=Key(self.tonic.currentIndex(), self.mode.currentData()),
                       color=self.color, notes=self.notes.toPlainText(),
                       snippet=self.roll.snippet)
