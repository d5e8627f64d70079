"""The piano roll's own toolbar: tool, grid, snapping, quantize settings, following, ruler lead.

The roll's editor and view hold the state; the toolbar shows it (``show_state``) and hands what
the user picks to their setters, so a setting changed in code and one changed here look the
same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSpinBox, QToolButton, QWidget

from cuesketch.model import edits
from cuesketch.model.grid import GRIDS
from cuesketch.model.snap import SnapMode
from cuesketch.ui.roll_editor import Tool
from cuesketch.ui.roll_host import RollHost, RulerLead
from cuesketch.ui.roll_layout import FlowLayout
from cuesketch.ui.roll_view_model import Follow

T = TypeVar("T")


class RollToolbar(QWidget):
    def __init__(self, roll: RollHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roll = roll
        editor = roll.editor
        self._row = FlowLayout(self, spacing=6)  # wraps when the roll is narrow
        self._row.setContentsMargins(4, 2, 4, 2)
        self.tool_box = self._combo(
            "Tool", [("Draw", Tool.DRAW), ("Select", Tool.SELECT)], editor.set_tool,
            "Draw: click or drag in empty space adds a note. Select: a drag draws a rubber band.")
        self.grid_box = self._combo("Grid", [(g.label, g) for g in GRIDS], editor.set_grid,
                                    "The grid for snapping, nudging and quantizing")
        self.snap_box = self._combo(
            "Snap", [("Grid", SnapMode.GRID), ("Frames", SnapMode.FRAMES), ("Hits", SnapMode.HITS),
                     ("Off", SnapMode.OFF)], editor.set_snap,
            "Where edits land; hold Alt while dragging to place freely")
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
        self.lengths_box.toggled.connect(lambda _v: self._quantize_picked())
        quantize = QToolButton(self)
        quantize.setText("Quantize")
        quantize.setToolTip("Quantize the selection, or the whole track (Q)")
        quantize.clicked.connect(editor.quantize_selection)
        self._row.add_group(QLabel("Q", self), self.strength_box, self.swing_box,
                            self.lengths_box, quantize)
        self.follow_box = self._combo(
            "Follow", [("Page", Follow.PAGE), ("Scroll", Follow.CONTINUOUS), ("Off", Follow.OFF)],
            roll.set_follow, "How the view follows the playhead while playing")
        self.lead_box = self._combo("Ruler", [("Timecode", RulerLead.TIMECODE),
                                             ("Bars", RulerLead.BARS)],
                                    roll.set_ruler_lead, "Which scale leads the ruler")

    def _combo(self, label: str, items: Iterable[tuple[str, T]], on: Callable[[T], None],
               tip: str) -> QComboBox:
        box = QComboBox(self)
        box.setToolTip(tip)
        for text, data in items:
            box.addItem(text, data)
        box.currentIndexChanged.connect(lambda _i: on(box.currentData()))
        self._row.add_group(QLabel(label, self), box)
        return box

    def _quantize_picked(self) -> None:
        editor = self.roll.editor
        editor.set_quantize(edits.Quantize(editor.grid, self.strength_box.value() / 100,
                                           self.swing_box.value() / 100,
                                           self.lengths_box.isChecked()))

    def show_state(self) -> None:
        """Show the roll's settings without echoing them back."""
        roll, editor = self.roll, self.roll.editor
        values: tuple[tuple[QComboBox, object], ...] = (
            (self.tool_box, editor.tool), (self.grid_box, editor.grid),
            (self.snap_box, editor.snap_mode), (self.follow_box, roll.follow),
            (self.lead_box, roll.ruler_lead))
        for box, value in values:
            box.blockSignals(True)
            # compared in Python: findData can't compare Python objects held by Qt
            box.setCurrentIndex(next((i for i in range(box.count()) if box.itemData(i) == value), 0))
            box.blockSignals(False)
        for spin, share in ((self.strength_box, editor.quantize.strength),
                            (self.swing_box, editor.quantize.swing)):
            spin.blockSignals(True)
            spin.setValue(round(share * 100))
            spin.blockSignals(False)
        self.lengths_box.blockSignals(True)
        self.lengths_box.setChecked(editor.quantize.lengths)
        self.lengths_box.blockSignals(False)
