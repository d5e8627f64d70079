"""The piano roll's own toolbar: tool, grid, snapping, quantize settings, following, ruler lead.

The roll holds the state; the toolbar shows it (``show_state``) and hands what the user picks
to the roll's setters, so a setting changed in code and one changed here look the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QSpinBox, QToolButton, QWidget

from cuesketch.model import edits
from cuesketch.model.grid import GRIDS
from cuesketch.model.snap import SnapMode
from cuesketch.ui.roll_view_model import Follow

if TYPE_CHECKING:
    from cuesketch.ui.piano_roll import PianoRoll


class RollToolbar(QWidget):
    def __init__(self, roll: PianoRoll) -> None:
        super().__init__(roll)
        self.roll = roll
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(4, 2, 4, 2)
        self.tool_box = self._combo(
            "Tool", [("Draw", "draw"), ("Select", "select")], roll.set_tool,
            "Draw: click or drag in empty space adds a note. Select: a drag draws a rubber band.")
        self.grid_box = self._combo("Grid", [(g.label, g) for g in GRIDS], roll.set_grid,
                                    "The grid for snapping, nudging and quantizing")
        self.snap_box = self._combo(
            "Snap", [("Grid", SnapMode.GRID), ("Frames", SnapMode.FRAMES), ("Hits", SnapMode.HITS),
                     ("Off", SnapMode.OFF)], roll.set_snap,
            "Where edits land; hold Alt while dragging to place freely")
        self._row.addWidget(QLabel("Q", self))
        self.strength_box = QSpinBox(self)
        self.strength_box.setRange(0, 100)
        self.strength_box.setSuffix("%")
        self.strength_box.setToolTip("Quantize strength")
        self.swing_box = QSpinBox(self)
        self.swing_box.setRange(0, 75)
        self.swing_box.setSuffix("% sw")
        self.swing_box.setToolTip("Swing: the off-beat's delay as a share of a grid step "
                                  "(33% is the triplet shuffle)")
        self.lengths_box = QCheckBox("ends", self)
        self.lengths_box.setToolTip("Quantize the note ends too")
        for box in (self.strength_box, self.swing_box):
            box.valueChanged.connect(lambda _v: self._quantize_picked())
            self._row.addWidget(box)
        self.lengths_box.toggled.connect(lambda _v: self._quantize_picked())
        self._row.addWidget(self.lengths_box)
        quantize = QToolButton(self)
        quantize.setText("Quantize")
        quantize.setToolTip("Quantize the selection, or the whole track (Q)")
        quantize.clicked.connect(roll.quantize_selection)
        self._row.addWidget(quantize)
        self.follow_box = self._combo(
            "Follow", [("Page", Follow.PAGE), ("Scroll", Follow.CONTINUOUS), ("Off", Follow.OFF)],
            roll.set_follow, "How the view follows the playhead while playing")
        self.lead_box = self._combo("Ruler", [("Timecode", "timecode"), ("Bars", "bars")],
                                    roll.set_ruler_lead, "Which scale leads the ruler")
        self._row.addStretch(1)

    def _combo(self, label: str, items: Iterable[tuple[str, object]],
               on: Callable[[object], None], tip: str) -> QComboBox:
        self._row.addWidget(QLabel(label, self))
        box = QComboBox(self)
        box.setToolTip(tip)
        for text, data in items:
            box.addItem(text, data)
        box.currentIndexChanged.connect(lambda _i: on(box.currentData()))
        self._row.addWidget(box)
        return box

    def _quantize_picked(self) -> None:
        self.roll.set_quantize(edits.Quantize(self.roll.grid, self.strength_box.value() / 100,
                                              self.swing_box.value() / 100,
                                              self.lengths_box.isChecked()))

    def show_state(self) -> None:
        """Show the roll's settings without echoing them back."""
        roll = self.roll
        for box, value in ((self.tool_box, roll.tool), (self.grid_box, roll.grid),
                           (self.snap_box, roll.snap_mode), (self.follow_box, roll.follow),
                           (self.lead_box, roll.ruler_lead)):
            box.blockSignals(True)
            # compared in Python: findData can't compare Python objects held by Qt
            box.setCurrentIndex(next((i for i in range(box.count()) if box.itemData(i) == value), 0))
            box.blockSignals(False)
        for spin, share in ((self.strength_box, roll.quantize.strength),
                            (self.swing_box, roll.quantize.swing)):
            spin.blockSignals(True)
            spin.setValue(round(share * 100))
            spin.blockSignals(False)
        self.lengths_box.blockSignals(True)
        self.lengths_box.setChecked(roll.quantize.lengths)
        self.lengths_box.blockSignals(False)
