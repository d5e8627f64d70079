"""One track's row in the track panel, and the pieces it is made of: the pan knob, the
instrument list, the guard that keeps the wheel from turning controls the pointer only passes.
A row only shows its track; the panel turns what is done to it into commands."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QMouseEvent, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QApplication, QComboBox, QDial, QFrame, QHBoxLayout, QLineEdit,
                               QScrollArea, QSlider, QToolButton, QWidget)

from cuesketch.engine.synth import Preset
from cuesketch.model import palette, sections
from cuesketch.model.entities import Track

if TYPE_CHECKING:
    from cuesketch.ui.track_panel import TrackPanel

PRESET = Qt.ItemDataRole.UserRole  # an instrument item's preset_key(bank, program)

# Column widths (pixels), shared by the header and the rows so they line up.
W_ARM, W_SWATCH, W_NAME, W_INSTRUMENT, W_VOLUME, W_PAN, W_TOGGLE = 24, 18, 120, 180, 90, 30, 24

ARM_STYLE = ("QToolButton { color: #8a8a8a; border: 1px solid #9a9a9a; border-radius: 10px;"
             " font-size: 13px; }"
             "QToolButton:checked { color: white; background: #d33; border-color: #a11; }")
TOGGLE_STYLE = ("QToolButton { border: 1px solid #9a9a9a; border-radius: 3px; font-weight: bold;"
                " }"
                "QToolButton:checked { background: %s; color: black; border-color: #555; }")
MUTE_COLOR, SOLO_COLOR = "#f0b030", "#6cc66c"


class WheelGuard(QObject):
    """Wheel events reach a combo, slider or knob only when it has the focus; otherwise they
    scroll the list (scrolling the panel must not change an instrument or a level)."""

    def __init__(self, scroll: QScrollArea) -> None:
        super().__init__(scroll)
        self.scroll = scroll

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Wheel and isinstance(watched, QWidget) \
                and not watched.hasFocus():
            QApplication.sendEvent(self.scroll.verticalScrollBar(), event)
            return True
        return False


class Knob(QDial):
    """A pan knob turned by dragging (right or up turns it right), not by pointing at an
    angle: a press never jumps it. A double-click centres it. Its drag is one slider-down
    span, so the panel makes it one undo step."""

    PER_PIXEL = 2  # value units per pixel moved: 100 px from centre to either side

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._grab: tuple[float, float, int] | None = None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            event.ignore()
            return
        p = event.position()
        self._grab = (p.x(), p.y(), self.value())
        self.setSliderDown(True)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._grab is None:
            event.ignore()
            return
        x0, y0, v0 = self._grab
        p = event.position()
        self.setValue(round(v0 + ((p.x() - x0) - (p.y() - y0)) * self.PER_PIXEL))
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._grab is not None:
            self._grab = None
            self.setSliderDown(False)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._grab = (event.position().x(), event.position().y(), 0)
            self.setSliderDown(True)
            self.setValue(0)  # the release that follows ends the step
        event.accept()


def swatch_icon(color: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color))
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Disabled)  # a header item is disabled, not greyed
    return icon


def _pan_text(pan: float) -> str:
    amount = round(abs(pan) * 100)
    return "C" if amount == 0 else f"{'L' if pan < 0 else 'R'}{amount}"


def preset_key(bank: int, program: int) -> int:
    """(bank, program) as one int: Qt compares ints in item data by value, tuples not."""
    return bank << 7 | program


def instrument_model(presets: Sequence[Preset], parent: QObject | None = None
                     ) -> QStandardItemModel:
    """The instrument list: the palette by family (headers not selectable), then every preset
    of the SoundFont."""
    model = QStandardItemModel(parent)
    bold = QFont()
    bold.setBold(True)

    def header(text: str, color: str | None = None) -> None:
        item = QStandardItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)  # never chosen, by mouse or by arrow keys
        item.setFont(bold)
        item.setForeground(QBrush(QColor(color).darker(140) if color else QColor("#444")))
        if color:
            item.setIcon(swatch_icon(color, 10))
        model.appendRow(item)

    for family in palette.FAMILIES:
        header(family.name, family.color)
        for inst in family.instruments:
            item = QStandardItem(inst.name)
            item.setData(preset_key(inst.bank, inst.program), PRESET)
            item.setToolTip(f"{family.name}: bank {inst.bank}, program {inst.program}")
            model.appendRow(item)
    if presets:
        header("All presets of the SoundFont")
        for p in presets:
            item = QStandardItem(f"{p.bank:03d}:{p.program:03d}  {p.name}")
            item.setData(preset_key(p.bank, p.program), PRESET)
            model.appendRow(item)
    return model


class TrackRow(QFrame):
    """One track's controls. It only shows the track; the panel turns its edits into commands."""

    def __init__(self, panel: TrackPanel, track: Track) -> None:
        super().__init__(panel.rows_widget)
        self.panel = panel
        self.track_id = track.id
        self.selected = False
        self.setObjectName("TrackRow")
        self.setFrameShape(QFrame.Shape.NoFrame)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(4)

        self.arm = QToolButton(self)
        self.arm.setText("●")
        self.arm.setCheckable(True)
        self.arm.setFixedSize(20, 20)
        self.arm.setStyleSheet(ARM_STYLE)
        self.arm.setToolTip("Record on this track (what you play sounds on its instrument)")
        self.swatch = QToolButton(self)
        self.swatch.setFixedSize(W_SWATCH, W_SWATCH)
        self.swatch.setToolTip("Track color")
        self.swatch.clicked.connect(lambda: panel.choose_color(self.track_id, self.swatch))
        self.name = QLineEdit(self)
        self.name.setFixedWidth(W_NAME)
        self.name.editingFinished.connect(self._name_edited)
        self.instrument = QComboBox(self)
        self.instrument.setFixedWidth(W_INSTRUMENT)
        self.instrument.setMaxVisibleItems(24)
        self.instrument.setModel(instrument_model(panel.presets(), self.instrument))
        self.instrument.view().setMinimumWidth(W_INSTRUMENT + 80)
        self.instrument.activated.connect(self._instrument_chosen)
        self.volume = QSlider(Qt.Orientation.Horizontal, self)
        self.volume.setRange(0, 100)
        self.volume.setPageStep(10)
        self.volume.setFixedWidth(W_VOLUME)
        self.pan = Knob(self)
        self.pan.setRange(-100, 100)
        self.pan.setPageStep(10)
        self.pan.setNotchesVisible(True)
        self.pan.setNotchTarget(25)
        self.pan.setFixedSize(W_PAN, W_PAN)
        self.mute = self._toggle("M", MUTE_COLOR, "Mute: this track is not heard")
        self.solo = self._toggle("S", SOLO_COLOR, "Solo: only soloed tracks are heard")
        self.volume.valueChanged.connect(
            lambda v: panel.slide_volume(self.track_id, v))
        self.pan.valueChanged.connect(
            lambda v: panel.slide_pan(self.track_id, v))
        self.volume.sliderPressed.connect(lambda: panel.begin_drag("Change volume"))
        self.pan.sliderPressed.connect(lambda: panel.begin_drag("Change pan"))
        for slider in (self.volume, self.pan):
            slider.sliderReleased.connect(panel.end_drag)
        self.mute.clicked.connect(lambda on: panel.set_mute(self.track_id, on))
        self.solo.clicked.connect(lambda on: panel.set_solo(self.track_id, on))

        for w, width in ((self.arm, W_ARM), (self.swatch, W_SWATCH), (self.name, W_NAME),
                         (self.instrument, W_INSTRUMENT), (self.volume, W_VOLUME),
                         (self.pan, W_PAN), (self.mute, W_TOGGLE), (self.solo, W_TOGGLE)):
            holder = QWidget(self)  # a fixed-width cell: rows and header line up
            holder.setFixedWidth(width)
            cell = QHBoxLayout(holder)
            cell.setContentsMargins(0, 0, 0, 0)
            cell.addWidget(w, 0, Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(holder)
            if w is not self.name:
                w.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            w.installEventFilter(panel.wheel_guard)
            w.installEventFilter(self)  # touching any control selects the row
        layout.addStretch(1)
        self.installEventFilter(self)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)  # its stem section
        self.customContextMenuRequested.connect(
            lambda pos: panel.choose_section(self.track_id, self.mapToGlobal(pos)))
        self.show_track(track)

    def _toggle(self, text: str, color: str, tip: str) -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setCheckable(True)
        button.setFixedSize(22, 20)
        button.setStyleSheet(TOGGLE_STYLE % color)
        button.setToolTip(tip)
        return button

    def show_track(self, track: Track) -> None:
        """Set every control from the track, without any control reporting an edit."""
        widgets = (self.arm, self.name, self.instrument, self.volume, self.pan, self.mute,
                   self.solo)
        blocked = [w.blockSignals(True) for w in widgets]
        try:
            if self.name.text() != track.name:
                self.name.setText(track.name)
                self.name.setCursorPosition(0)
            self.name.setToolTip(f"{track.name}: MIDI channel {track.channel + 1}, stem "
                                 f"{sections.label(sections.section_of(track))} "
                                 "(right-click the row to change)")
            self._show_instrument(track)
            if track.soundfont:  # the preset is the track's own SoundFont's, not the palette's
                self.instrument.setToolTip(
                    f"From {Path(track.soundfont).name}: bank "
                    f"{track.bank}, program {track.program} (right-click the row to change)")
            if not self.volume.isSliderDown():
                self.volume.setValue(round(track.volume * 100))
            self.volume.setToolTip(f"Volume {round(track.volume * 100)} %")
            if not self.pan.isSliderDown():
                self.pan.setValue(round(track.pan * 100))
            self.pan.setToolTip(f"Pan {_pan_text(track.pan)} (double-click: centre)")
            self.mute.setChecked(track.mute)
            self.solo.setChecked(track.solo)
            self.swatch.setStyleSheet(f"QToolButton {{ background: {track.color};"
                                      " border: 1px solid #555; border-radius: 3px; }")
        finally:
            for w, b in zip(widgets, blocked):
                w.blockSignals(b)

    def _show_instrument(self, track: Track) -> None:
        combo = self.instrument
        model = combo.model()
        assert isinstance(model, QStandardItemModel)
        want = preset_key(track.bank, track.program)
        if combo.currentData(PRESET) == want:
            return
        found = combo.findData(want, PRESET)
        if found < 0:  # a preset neither the palette nor the SoundFont lists (an import's)
            item = QStandardItem(palette.preset_label(track.bank, track.program))
            item.setData(want, PRESET)
            model.insertRow(0, item)
            found = 0
        combo.setCurrentIndex(found)
        combo.setToolTip(f"{combo.currentText()}: bank {track.bank}, program {track.program}")

    def _name_edited(self) -> None:
        self.name.deselect()
        self.panel.rename(self.track_id, self.name.text())

    def _instrument_chosen(self, index: int) -> None:
        key = self.instrument.itemData(index, PRESET)
        if key is not None:
            self.panel.set_instrument(self.track_id, int(key) >> 7, int(key) & 127)

    def set_selected(self, selected: bool) -> None:
        if selected == self.selected:
            return
        self.selected = selected
        self.setStyleSheet("QFrame#TrackRow { background: palette(midlight);"
                           " border-radius: 4px; }" if selected else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.FocusIn):
            self.panel.select(self.track_id)
        return False
