"""File › New from Film: the new project's start timecode and rate, asked in one small dialog.

The start is offered as the film's embedded timecode when it has one (else 01:00:00:00) and the
rate as the film's own; a rate other than the film's is warned in plain words at once, a start
that is not a timecode at the chosen rate keeps OK greyed with the reason beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout,
                               QLabel, QLineEdit, QVBoxLayout, QWidget)

from cuesketch.media.probe import MediaInfo
from cuesketch.model import palette
from cuesketch.timing.rates import STANDARD_RATES, FrameRate
from cuesketch.timing.timecode import TimecodeError, parse_timecode
from cuesketch.ui.dialogs import sentence
from cuesketch.ui.film_actions import rate_warning, suggested_start

WARNING_STYLE = "color: #b35c00;"


@dataclass(frozen=True)
class NewProjectChoice:
    start_frame: int
    rate: FrameRate
    with_palette: bool


def describe_film(info: MediaInfo) -> str:
    minutes, seconds = divmod(round(info.duration_s), 60)
    tc = (f"starts at {info.start_timecode} (its embedded timecode)" if info.start_timecode
          else "no embedded timecode")
    return (f"{info.name}: {info.rate.name} fps, {info.width}×{info.height}, "
            f"{minutes}:{seconds:02d}, {tc}")


class NewFromFilmDialog(QDialog):
    def __init__(self, info: MediaInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New Project from Film")
        self.info = info
        layout = QVBoxLayout(self)
        film = QLabel(describe_film(info), self)
        film.setWordWrap(True)
        layout.addWidget(film)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.rate = QComboBox(self)
        for name, rate in STANDARD_RATES.items():
            label = f"{name} fps" + ("  (the film's)" if rate == info.rate else "")
            self.rate.addItem(label, name)
        self.rate.setCurrentIndex(max(0, self.rate.findData(info.rate.name)))
        self.start = QLineEdit(suggested_start(info), self)
        self.start.setToolTip("The timecode of the project's start, HH:MM:SS:FF "
                              "(HH:MM:SS;FF for drop-frame)")
        self.start.setMinimumWidth(self.start.fontMetrics().horizontalAdvance("00:00:00;00") + 24)
        form.addRow("Project start", self.start)
        form.addRow("Frame rate", self.rate)
        layout.addLayout(form)

        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(WARNING_STYLE)
        layout.addWidget(self.problem)

        names = ", ".join(s.name.lower() for s in palette.STARTER_TRACKS)
        self.starter_tracks = QCheckBox(f"Start with tracks for {names}", self)
        self.starter_tracks.setChecked(True)
        layout.addWidget(self.starter_tracks)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, parent=self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(520)

        self.start.textChanged.connect(self._check)
        self.rate.currentIndexChanged.connect(self._check)
        self._check()

    def chosen_rate(self) -> FrameRate:
        return STANDARD_RATES[self.rate.currentData()]

    def start_frame(self) -> int | None:
        try:
            return parse_timecode(self.start.text(), self.chosen_rate())
        except TimecodeError:
            return None

    def _check(self) -> None:
        rate = self.chosen_rate()
        said = []
        try:
            parse_timecode(self.start.text(), rate)
        except TimecodeError as e:
            said.append(f"{sentence(str(e))}.")
        warning = rate_warning(self.info, rate)
        if warning:
            said.append(warning)
        self.problem.setText("\n".join(said))
        self.problem.setVisible(bool(said))
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.start_frame() is not None)

    def choice(self) -> NewProjectChoice:
        frame = self.start_frame()
        assert frame is not None, "OK is disabled while the start is not a timecode"
        return NewProjectChoice(frame, self.chosen_rate(), self.starter_tracks.isChecked())
