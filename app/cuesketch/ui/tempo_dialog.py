"""The tempo and meter editor: what changes at one position of a tempo map.

    dialog = TempoDialog(control, mark, rate, parent)
    dialog.open()        # OK: ``control.submit``, one undo step; a mistake is said in the dialog

The position (bars|beats|ticks: moving the change), a tempo change there (its tempo in bpm or
as a frame click, a step or a ramp to the next change) and a meter change there (on a bar line
only). The first changes of a map stay at its start: they are edited, never moved or removed.
"""

from __future__ import annotations

from fractions import Fraction

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cuesketch.model import tempo_edits as te
from cuesketch.model.tempo_control import Mark, TempoControl
from cuesketch.model.tempo_edits import ChangeForm, TempoEditError
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import (DENOMINATORS, BarBeatTick, TempoError, bpm_to_click,
                                    click_to_bpm)


class TempoDialog(QDialog):
    def __init__(self, control: TempoControl, mark: Mark, rate: FrameRate,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TempoDialog")
        self.control, self.mark, self.rate = control, mark, rate
        tm = te.map_of(control.project, mark.ref)
        form = control.form(mark)
        self._at_start = form.position == BarBeatTick(1)
        self.setWindowTitle("Tempo and Meter")
        cue = control.project.cues.get(mark.ref.cue_id) if mark.ref.cue_id is not None else None
        whose = f"{cue.name}'s own tempo map" if cue is not None else "the project's tempo map"
        heading = QLabel(f"Changes at {form.position} in {whose}", self)

        self.position = QLineEdit(str(form.position), self)
        self.position.setToolTip("Bars|beats|ticks: move the changes here (e.g. 17|3|000)")
        self.position.setEnabled(not self._at_start)
        self.position.textChanged.connect(self._enable)

        in_force = te.segment_of(tm, mark.beat)
        self._exact = form.bpm if form.bpm is not None else te.bpm_at_beat(tm, mark.beat)
        self.tempo_here = QCheckBox("Tempo change here", self)
        self.tempo_here.setChecked(form.bpm is not None)
        self.tempo_here.setEnabled(not self._at_start)
        self.tempo_here.toggled.connect(self._enable)
        self.bpm = QDoubleSpinBox(self)
        self.bpm.setRange(float(te.MIN_BPM), float(te.MAX_BPM))
        self.bpm.setDecimals(2)
        self.bpm.setSuffix(" bpm")
        self.bpm.setValue(float(self._exact))
        self.bpm.valueChanged.connect(self._bpm_edited)
        self.click = QLineEdit(self)
        self.click.setToolTip(f"A click every so many frames and eighths at {rate.name} fps "
                              f"(12-2: every 12 2/8 frames)")
        self.click.editingFinished.connect(self._click_edited)
        self.ramp = QCheckBox("Ramp to the next tempo change", self)
        self.ramp.setChecked(form.ramp if form.bpm is not None else in_force.ramp)
        self._has_next = control.has_next(mark)
        if not self._has_next:
            self.ramp.setToolTip("No tempo change follows: a ramp here would hold its tempo")

        meter = form.meter or _meter_in_force(control, mark)
        self.meter_here = QCheckBox("Meter change here", self)
        self.meter_here.setChecked(form.meter is not None)
        self.meter_here.setEnabled(not self._at_start)
        self.meter_here.toggled.connect(self._enable)
        self.numerator = QSpinBox(self)
        self.numerator.setRange(1, te.MAX_NUMERATOR)
        self.numerator.setValue(meter[0])
        self.denominator = QComboBox(self)
        for d in DENOMINATORS:
            self.denominator.addItem(str(d), d)
        self.denominator.setCurrentIndex(DENOMINATORS.index(meter[1]))
        meter_row = QHBoxLayout()
        meter_row.addWidget(self.numerator)
        meter_row.addWidget(QLabel("/", self))
        meter_row.addWidget(self.denominator)
        meter_row.addStretch(1)

        self.error = QLabel("", self)
        self.error.setObjectName("TempoDialogError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #ff7a5c;")

        fields = QFormLayout()
        fields.addRow("Position:", self.position)
        fields.addRow(self.tempo_here)
        fields.addRow("Tempo:", self.bpm)
        fields.addRow("Frame click:", self.click)
        fields.addRow(self.ramp)
        fields.addRow(self.meter_here)
        fields.addRow("Meter:", meter_row)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(fields)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(360)
        self._show_click()
        self._enable()

    # -- the fields follow one another ------------------------------------------------------------
    def _bpm_edited(self, value: float) -> None:
        if round(float(self._exact), 2) != round(value, 2):
            self._exact = Fraction(f"{value:.2f}")
        self._show_click()

    def _show_click(self) -> None:
        self.click.blockSignals(True)
        self.click.setText(bpm_to_click(self._exact, self.rate))
        self.click.blockSignals(False)

    def _click_edited(self) -> None:
        try:
            bpm = click_to_bpm(self.click.text(), self.rate)
        except TempoError as e:
            self.error.setText(_cap(str(e)))
            return
        self.error.setText("")
        self.bpm.blockSignals(True)
        self.bpm.setValue(float(bpm))
        self.bpm.blockSignals(False)
        self._exact = bpm  # exactly the click's tempo, not its rounding to two decimals

    def _enable(self) -> None:
        tempo = self.tempo_here.isChecked()
        for w in (self.bpm, self.click):
            w.setEnabled(tempo)
        self.ramp.setEnabled(tempo and self._has_next)
        # A meter change off a bar line is refused on OK, said in words: never dropped unseen.
        meter = self.meter_here.isChecked()
        self.numerator.setEnabled(meter)
        self.denominator.setEnabled(meter)

    # -- OK --------------------------------------------------------------------------------------
    def form(self) -> ChangeForm:
        """What the fields say (raises ``TempoEditError`` for a position that is no position)."""
        try:
            position = BarBeatTick.parse(self.position.text())
        except TempoError as e:
            raise TempoEditError(str(e)) from None
        bpm = self._exact if self.tempo_here.isChecked() else None
        meter = ((self.numerator.value(), int(self.denominator.currentData()))
                 if self.meter_here.isChecked() else None)
        return ChangeForm(position, bpm, self.ramp.isChecked() and self._has_next, meter)

    def accept(self) -> None:
        try:
            self.control.submit(self.mark, self.form())
        except TempoEditError as e:
            self.error.setText(_cap(str(e)))
            return
        super().accept()


def _meter_in_force(control: TempoControl, mark: Mark) -> tuple[int, int]:
    tm = te.map_of(control.project, mark.ref)
    m = tm.meter_at(tm.beat_to_bbt(mark.beat).bar)
    return m.numerator, m.denominator


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
