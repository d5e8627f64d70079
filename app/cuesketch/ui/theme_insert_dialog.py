"""Insert a theme at the playhead: which theme, transposed (by semitones, by steps of a key, or
to a key), augmented or diminished by any ratio, inverted around a pitch, backwards, its rhythm
kept or quantized; laid from the current bar's first beat in the tempo map in force there.

The dialog only reads its fields into a ``Transform``; the panel inserts (one undo step)."""

from __future__ import annotations

import re
from fractions import Fraction

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QHBoxLayout, QLabel, QSpinBox, QWidget)

from cuesketch.model.entities import Theme
from cuesketch.model.theme_transforms import apply, to_key
from cuesketch.model.theme_values import (PITCH_NAMES, Key, Mode, ThemeError, Transform,
                                          pitch_name)

RATIOS = ("1", "2", "1/2", "3/2", "2/3", "4", "1/4", "3")
GRIDS = {"kept as written": None, "quarter notes": Fraction(1), "eighths": Fraction(1, 2),
         "sixteenths": Fraction(1, 4), "eighth triplets": Fraction(1, 3)}
SHIFT_MODES = ("semitones", "steps of the key", "to the key")


def parse_ratio(text: str) -> Fraction:
    """``2``, ``x2``, ``×1/2``, ``1.5``, ``3:2``: a ratio above 0."""
    t = text.strip().lower().lstrip("x×*").strip().replace(":", "/")
    if not re.fullmatch(r"[0-9]{1,4}(\.[0-9]{1,4})?(/[0-9]{1,4})?", t):
        raise ThemeError(f"'{text}' is not a ratio; write e.g. 2, 1/2 or 1.5")
    try:
        r = Fraction(t)
    except (ValueError, ZeroDivisionError):
        raise ThemeError(f"'{text}' is not a ratio; write e.g. 2, 1/2 or 1.5") from None
    if r <= 0:
        raise ThemeError("the ratio must be above 0")
    return r


class ThemeInsertDialog(QDialog):
    def __init__(self, themes: list[Theme], chosen: int | None, where: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Insert Theme")
        self.themes = themes
        form = QFormLayout(self)
        form.addRow(QLabel(where, self))
        self.theme = QComboBox(self)
        for t in themes:
            self.theme.addItem(t.name, t.id)
        if chosen is not None:
            self.theme.setCurrentIndex(max(0, self.theme.findData(chosen)))
        form.addRow("Theme", self.theme)

        shift_row = QHBoxLayout()
        self.shift_mode = QComboBox(self)
        self.shift_mode.addItems(SHIFT_MODES)
        self.shift = QSpinBox(self)
        self.shift.setRange(-36, 36)
        self.tonic = QComboBox(self)
        self.tonic.addItems(PITCH_NAMES)
        self.mode = QComboBox(self)
        for m in Mode:
            self.mode.addItem(m.value, m)
        for w in (self.shift_mode, self.shift, self.tonic, self.mode):
            shift_row.addWidget(w)
        form.addRow("Transpose", shift_row)

        self.ratio = QComboBox(self)
        self.ratio.setEditable(True)
        self.ratio.addItems(RATIOS)
        self.ratio.setToolTip("Augmentation (2: twice as slow) or diminution (1/2): any ratio, "
                              "e.g. 3/2")
        form.addRow("Note values ×", self.ratio)

        invert_row = QHBoxLayout()
        self.invert = QCheckBox("Invert around", self)
        self.axis = QSpinBox(self)
        self.axis.setRange(0, 127)
        self.axis_name = QLabel(self)
        invert_row.addWidget(self.invert)
        invert_row.addWidget(self.axis)
        invert_row.addWidget(self.axis_name)
        form.addRow("", invert_row)
        self.retrograde = QCheckBox("Retrograde (backwards)", self)
        form.addRow("", self.retrograde)
        self.rhythm = QComboBox(self)
        self.rhythm.addItems(list(GRIDS))
        form.addRow("Rhythm", self.rhythm)
        self.align = QCheckBox("From the first beat of the current bar", self)
        self.align.setChecked(True)
        form.addRow("", self.align)
        self.preview = QLabel(self)
        self.preview.setWordWrap(True)
        form.addRow("Result", self.preview)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, parent=self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Insert")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.theme.currentIndexChanged.connect(self._theme_changed)
        for signal in (self.shift_mode.currentIndexChanged, self.shift.valueChanged,
                       self.tonic.currentIndexChanged, self.mode.currentIndexChanged,
                       self.ratio.currentTextChanged, self.invert.toggled, self.axis.valueChanged,
                       self.retrograde.toggled, self.rhythm.currentIndexChanged):
            signal.connect(self._show)
        self._theme_changed()

    def current_theme(self) -> Theme:
        tid = self.theme.currentData()
        return next(t for t in self.themes if t.id == tid)

    def _theme_changed(self) -> None:
        theme = self.current_theme()
        self.tonic.setCurrentIndex(theme.key.tonic)
        self.mode.setCurrentIndex(max(0, self.mode.findData(theme.key.mode)))
        if theme.snippet.notes:
            self.axis.setValue(theme.snippet.sorted_notes()[0].pitch)
        self._show()

    def transform(self) -> Transform:
        """The fields as a transform; ThemeError says what does not make sense."""
        theme = self.current_theme()
        key = Key(self.tonic.currentIndex(), self.mode.currentData())
        mode = self.shift_mode.currentIndex()
        shift, diatonic = self.shift.value(), mode == 1
        if mode == 2:  # to the key: the nearest chromatic move of the tonic, in that key
            shift = to_key(theme.key, key)
        return Transform(shift=shift, diatonic=diatonic,
                         key=key if mode != 0 else theme.key,
                         ratio=parse_ratio(self.ratio.currentText()),
                         invert_around=self.axis.value() if self.invert.isChecked() else None,
                         retrograde=self.retrograde.isChecked(),
                         quantize=GRIDS[self.rhythm.currentText()])

    def _show(self) -> None:
        self.axis_name.setText(pitch_name(self.axis.value()))
        mode = self.shift_mode.currentIndex()
        self.shift.setEnabled(mode != 2)
        self.tonic.setEnabled(mode != 0)
        self.mode.setEnabled(mode != 0)
        try:
            t = self.transform()
            notes = apply(self.current_theme().snippet, t).sorted_notes()
        except ThemeError as e:
            self.preview.setText(str(e))
            self.ok.setEnabled(False)
            return
        names = " ".join(pitch_name(n.pitch) for n in notes[:10]) + (" …" if len(notes) > 10
                                                                      else "")
        self.preview.setText(f"{t.describe()}: {names}")
        self.ok.setEnabled(bool(notes))

    def _accept(self) -> None:
        try:
            self.transform()
        except ThemeError as e:
            self.preview.setText(str(e))
            return
        self.accept()
