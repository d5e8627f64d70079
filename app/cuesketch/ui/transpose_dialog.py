"""Transpose by any interval: a small dialog that names the interval as it is chosen."""

from __future__ import annotations

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QSpinBox,
                               QVBoxLayout, QWidget)

from cuesketch.model.edits import interval_name

MAX_SEMITONES = 48  # four octaves either way


class TransposeDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, semitones: int = 0) -> None:
        super().__init__(parent)
        self.setWindowTitle("Transpose")
        self.spin = QSpinBox(self)
        self.spin.setRange(-MAX_SEMITONES, MAX_SEMITONES)
        self.spin.setSuffix(" semitones")
        self.spin.setToolTip("Up (+) or down (−); 12 is an octave")
        self.spin.setValue(semitones)
        self.name = QLabel(self)
        self.name.setMinimumWidth(260)
        self.spin.valueChanged.connect(self._named)
        form = QFormLayout()
        form.addRow("Transpose the selected notes by", self.spin)
        form.addRow("", self.name)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._named(semitones)
        self.spin.selectAll()

    def _named(self, semitones: int) -> None:
        self.name.setText(interval_name(semitones).capitalize())
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(semitones != 0)

    def semitones(self) -> int:
        return self.spin.value()

    @classmethod
    def ask(cls, parent: QWidget | None) -> int | None:
        dialog = cls(parent, _last[0])
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.semitones() == 0:
            return None
        _last[0] = dialog.semitones()
        return _last[0]


_last = [7]  # the interval asked last, offered again (a fifth at first)
