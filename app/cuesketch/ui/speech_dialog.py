"""Detect Speech: how sensitive the detector is and how long a pause splits two lines."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QSlider, QWidget)

from cuesketch.media.speech import SpeechSettings


class SpeechDialog(QDialog):
    def __init__(self, settings: SpeechSettings, has_regions: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Detect Speech")
        form = QFormLayout(self)
        self.sensitivity = QSlider(Qt.Orientation.Horizontal, self)
        self.sensitivity.setRange(0, 100)
        self.sensitivity.setValue(round(settings.sensitivity * 100))
        self.sensitivity.setToolTip("Higher finds quieter or more masked speech, and more "
                                    "that is not speech")
        form.addRow("Sensitivity", self.sensitivity)
        self.gap = QDoubleSpinBox(self)
        self.gap.setRange(0.05, 5.0)
        self.gap.setSingleStep(0.05)
        self.gap.setDecimals(2)
        self.gap.setSuffix(" s")
        self.gap.setValue(settings.min_gap_s)
        self.gap.setToolTip("Pauses shorter than this stay inside one line")
        form.addRow("Minimum gap", self.gap)
        if has_regions:
            form.addRow(QLabel("The regions found replace the ones there now (one undo step)."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, parent=self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Detect")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def settings(self) -> SpeechSettings:
        return SpeechSettings(sensitivity=self.sensitivity.value() / 100,
                              min_gap_s=self.gap.value())
