"""The track panel: a dock with one row per track (record arm, color, name, instrument,
volume, pan, mute, solo) and buttons to add, delete and reorder tracks.

    panel = TrackPanel(document, synth.presets, on_arm=session.arm, parent=window)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, panel)

Every edit is a command through the Document (``cuesketch.model.track_edits`` makes the
changes): a slider or knob drag is one undo step. The panel observes the document, so undo,
redo and other views' edits show at once; playback observes the document too and hears them.
One track is record-armed at a time: the panel calls ``on_arm`` and emits ``armedChanged``;
``set_armed`` follows an arm made elsewhere (the roll's active track) without echoing it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import (QAction, QBrush, QColor, QFont, QIcon, QMouseEvent, QPixmap,
                           QStandardItem, QStandardItemModel)
from PySide6.QtWidgets import (QApplication, QButtonGroup, QColorDialog, QComboBox, QDial,
                               QDockWidget, QFrame, QHBoxLayout, QLabel, QLineEdit, QMenu,
                               QMessageBox, QScrollArea, QSizePolicy, QSlider, QToolButton,
                               QVBoxLayout, QWidget)

from cuesketch.ui.bridge import weak_emitter
from cuesketch.engine.synth import Preset
from cuesketch.model import palette
from cuesketch.model import track_edits as te
from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document
from cuesketch.model.entities import Track

PresetSource = Callable[[], list[Preset]]
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



class _Bridge(QObject):
    """Document callbacks (possibly from the recorder's thread) to the GUI thread."""

    changed = Signal(object)


class _WheelGuard(QObject):
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


def _swatch_icon(color: str, size: int = 14) -> QIcon:
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
            item.setIcon(_swatch_icon(color, 10))
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
        for slider, what in ((self.volume, "volume"), (self.pan, "pan")):
            slider.valueChanged.connect(
                lambda v, s=slider, w=what: panel.slide(self.track_id, w, v, s.isSliderDown()))
            slider.sliderReleased.connect(panel.end_drag)
        self.mute.clicked.connect(lambda on: panel.set_flag(self.track_id, "mute", on))
        self.solo.clicked.connect(lambda on: panel.set_flag(self.track_id, "solo", on))

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
            self.name.setToolTip(f"{track.name}: MIDI channel {track.channel + 1}")
            self._show_instrument(track)
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


class TrackPanel(QDockWidget):
    armedChanged = Signal(int)  # the track now record-armed (by a click in the panel)
    statusMessage = Signal(str)  # what could not be done, in plain words

    def __init__(self, document: Document, synth_presets: PresetSource | None = None,
                 on_arm: Callable[[int], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__("Tracks", parent)
        self.setObjectName("TrackDock")
        self.document = document
        self.synth_presets = synth_presets
        self.on_arm = on_arm
        self.confirm: Callable[[str], bool] = self._ask  # tests answer in its place
        self.rows: dict[int, TrackRow] = {}
        self.armed: int | None = None
        self.current: int | None = None
        self._presets: list[Preset] | None = None
        self._labels: dict[tuple[int, int], str] | None = None
        self._build()
        self._bridge = _Bridge(self)
        self._bridge.changed.connect(self._on_changes)
        document.observe(weak_emitter(self._bridge, "changed"))
        tracks = document.project.sorted_tracks()
        if tracks:  # as RecordSession starts: the first track armed
            self.armed = self.current = tracks[0].id
        self.refresh()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        body = QWidget(self)
        outer = QVBoxLayout(body)
        outer.setContentsMargins(4, 4, 4, 4)
        outer.setSpacing(4)

        buttons = QHBoxLayout()
        self.add_button = QToolButton(body)
        self.add_button.setText("Add track")
        self.add_button.setToolTip("A new track playing an instrument from the palette")
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_menu = QMenu(self.add_button)
        self.add_menu.aboutToShow.connect(self._fill_add_menu)
        self.add_button.setMenu(self.add_menu)
        self.delete_button = QToolButton(body)
        self.delete_button.setText("Delete")
        self.delete_button.setToolTip("Delete the selected track with its notes (one undo step)")
        self.delete_button.clicked.connect(lambda: self.delete_track(self.current))
        self.up_button = QToolButton(body)
        self.up_button.setText("▲")
        self.up_button.setToolTip("Move the selected track up")
        self.up_button.clicked.connect(lambda: self.move_track(self.current, -1))
        self.down_button = QToolButton(body)
        self.down_button.setText("▼")
        self.down_button.setToolTip("Move the selected track down")
        self.down_button.clicked.connect(lambda: self.move_track(self.current, 1))
        for b in (self.add_button, self.delete_button, self.up_button, self.down_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        outer.addLayout(buttons)

        header = QHBoxLayout()
        header.setContentsMargins(4, 0, 4, 0)
        header.setSpacing(4)
        small = QFont()
        small.setPointSizeF(max(6.0, small.pointSizeF() * 0.85))
        for text, width in (("Rec", W_ARM), ("", W_SWATCH), ("Name", W_NAME),
                            ("Instrument", W_INSTRUMENT), ("Volume", W_VOLUME), ("Pan", W_PAN),
                            ("M", W_TOGGLE), ("S", W_TOGGLE)):
            label = QLabel(text, body)
            label.setFont(small)
            label.setFixedWidth(width)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter if width < 60
                               else Qt.AlignmentFlag.AlignLeft)
            header.addWidget(label)
        header.addStretch(1)
        outer.addLayout(header)

        self.rows_widget = QWidget(body)
        self.rows_layout = QVBoxLayout(self.rows_widget)
        self.rows_layout.setContentsMargins(0, 0, 0, 0)
        self.rows_layout.setSpacing(1)
        self.rows_layout.addStretch(1)
        self.empty_label = QLabel("No tracks yet: add one to play an instrument.",
                                  self.rows_widget)
        self.empty_label.setEnabled(False)
        self.rows_layout.insertWidget(0, self.empty_label)
        scroll = QScrollArea(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.rows_widget)
        self.wheel_guard = _WheelGuard(scroll)
        outer.addWidget(scroll, 1)
        self.arm_group = QButtonGroup(self)
        self.arm_group.setExclusive(True)
        body.setMinimumWidth(200)
        body.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setWidget(body)

    def sizeHint(self) -> QSize:
        return QSize(W_ARM + W_SWATCH + W_NAME + W_INSTRUMENT + W_VOLUME + W_PAN
                     + 2 * W_TOGGLE + 60, 260)

    # -- the SoundFont's presets -------------------------------------------------------------
    def presets(self) -> list[Preset]:
        """The SoundFont's presets, asked once (the SoundFont changes only at the next start)."""
        if self._presets is None:
            try:
                self._presets = list(self.synth_presets()) if self.synth_presets else []
            except Exception as e:  # a closed or silent synth: the palette alone still works
                self._presets = []
                self.statusMessage.emit(f"the SoundFont's presets can't be listed: {e}")
        return self._presets

    def label(self, bank: int, program: int) -> str:
        """A preset's name: the palette's, else the SoundFont's, else its numbers."""
        if self._labels is None:
            self._labels = {(p.bank, p.program): p.name for p in self.presets()}
        return palette.preset_label(bank, program, self._labels.get((bank, program)))

    # -- showing the project -------------------------------------------------------------------
    def _on_changes(self, changes: Sequence[object]) -> None:
        if any(isinstance(c, EntityChange) and c.kind is Track for c in changes):
            self.refresh()

    def refresh(self) -> None:
        """Rows for the tracks in order: rebuilt when tracks come, go or move, else updated in
        place (a slider being dragged keeps its grip)."""
        tracks = self.document.project.sorted_tracks()
        ids = [t.id for t in tracks]
        if ids != list(self.rows):
            self._rebuild(tracks)
        else:
            for t in tracks:
                self.rows[t.id].show_track(t)
        if self.armed not in self.rows:
            self._arm(ids[0] if ids else None)
        if self.current not in self.rows:
            self.current = self.armed
        self._show_marks()

    def _rebuild(self, tracks: list[Track]) -> None:
        keep = {t.id for t in tracks}
        for tid in [i for i in self.rows if i not in keep]:
            gone = self.rows.pop(tid)
            self.arm_group.removeButton(gone.arm)
            gone.hide()
            gone.deleteLater()
        for i, t in enumerate(tracks):
            row: TrackRow | None = self.rows.get(t.id)
            if row is None:
                row = self.rows[t.id] = TrackRow(self, t)
                row.arm.clicked.connect(lambda _on=False, tid=t.id: self.arm(tid))
                self.arm_group.addButton(row.arm)
            else:
                row.show_track(t)
                self.rows_layout.removeWidget(row)
            self.rows_layout.insertWidget(i, row)
        self.rows = {t.id: self.rows[t.id] for t in tracks}
        self.empty_label.setVisible(not tracks)

    def _show_marks(self) -> None:
        for tid, row in self.rows.items():
            row.arm.blockSignals(True)
            row.arm.setChecked(tid == self.armed)
            row.arm.blockSignals(False)
            row.set_selected(tid == self.current)
        has = self.current is not None
        order = list(self.rows)
        self.delete_button.setEnabled(has)
        self.up_button.setEnabled(has and order.index(self.current) > 0)  # type: ignore[arg-type]
        self.down_button.setEnabled(
            has and order.index(self.current) < len(order) - 1)  # type: ignore[arg-type]

    # -- arming and selecting --------------------------------------------------------------
    def arm(self, track_id: int) -> None:
        """Record-arm a track (a click on its arm button): tells on_arm and armedChanged."""
        self.select(track_id)
        if track_id != self.armed:
            self._arm(track_id)
        self._show_marks()

    def _arm(self, track_id: int | None) -> None:
        self.armed = track_id
        if track_id is not None:
            if self.on_arm is not None:
                self.on_arm(track_id)
            self.armedChanged.emit(track_id)

    def set_armed(self, track_id: int | None) -> None:
        """Show an arm made elsewhere (the roll's active track); nothing is emitted."""
        if track_id in self.rows or track_id is None:
            self.armed = track_id
            self._show_marks()

    def select(self, track_id: int | None) -> None:
        if track_id != self.current and (track_id is None or track_id in self.rows):
            self.current = track_id
            self._show_marks()

    # -- edits (each one command) ------------------------------------------------------------
    def _execute(self, changes: list[Change], label: str, merge_key: str | None = None) -> bool:
        if not changes:
            return False
        try:
            self.document.execute_changes(changes, label, merge_key)
        except (PermissionError, ValueError, OSError) as e:
            self.statusMessage.emit(f"{label}: {e}")
            self.refresh()  # the controls show the project as it is
            return False
        return True

    def _edit(self, make: Callable[[], list[Change]], label: str,
              merge_key: str | None = None) -> bool:
        try:
            changes = make()
        except ValueError as e:
            self.statusMessage.emit(f"{label}: {e}")
            self.refresh()
            return False
        return self._execute(changes, label, merge_key)

    def add_track(self, bank: int, program: int, name: str = "") -> int | None:
        """Add a track playing (bank, program) at the bottom, select and arm it, and put the
        cursor in its name. Returns its id."""
        try:
            changes = te.add_track(self.document.project, name, bank, program, label=self.label)
        except ValueError as e:
            self.statusMessage.emit(f"Add track: {e}")
            return None
        if not self._execute(changes, "Add track"):
            return None
        track_id = changes[0].id  # type: ignore[union-attr]
        self.arm(track_id)
        row = self.rows[track_id]
        row.name.setFocus()
        row.name.selectAll()
        return track_id

    def rename(self, track_id: int, name: str) -> None:
        track = self.document.project.tracks.get(track_id)
        if track is None or name.strip() == track.name:
            return
        if not name.strip():  # an emptied name: the old one comes back
            self.rows[track_id].show_track(track)
            return
        self._edit(lambda: te.rename_track(self.document.project, track_id, name), "Rename track")

    def set_instrument(self, track_id: int, bank: int, program: int) -> None:
        self._edit(lambda: te.set_instrument(self.document.project, track_id, bank, program,
                                             label=self.label), "Change instrument")

    def slide(self, track_id: int, what: str, value: int, dragging: bool) -> None:
        """A volume (0..100) or pan (-100..100) control moved; a drag is one undo step."""
        project = self.document.project
        key = f"track-{what}-{track_id}" if dragging else None
        if what == "volume":
            self._edit(lambda: te.set_volume(project, track_id, value / 100), "Change volume", key)
        else:
            self._edit(lambda: te.set_pan(project, track_id, value / 100), "Change pan", key)

    def end_drag(self) -> None:
        self.document.end_merge()

    def set_flag(self, track_id: int, what: str, on: bool) -> None:
        project = self.document.project
        if what == "mute":
            self._edit(lambda: te.set_mute(project, track_id, on),
                       "Mute track" if on else "Unmute track")
        else:
            self._edit(lambda: te.set_solo(project, track_id, on),
                       "Solo track" if on else "Unsolo track")

    def set_color(self, track_id: int, color: str) -> None:
        self._edit(lambda: te.set_color(self.document.project, track_id, color),
                   "Change track color")

    def delete_track(self, track_id: int | None) -> bool:
        """Delete a track with its notes and controllers, one undo step; asks first when it
        holds notes. Returns whether it was deleted."""
        project = self.document.project
        track = project.tracks.get(track_id) if track_id is not None else None
        if track is None:
            return False
        notes, points = te.content_of(project, track.id)
        if notes or points:
            what = f"{notes} note{'s' * (notes != 1)}"
            if points:
                what += f" and {points} controller point{'s' * (points != 1)}"
            if not self.confirm(f"Delete the track \u201c{track.name}\u201d and its {what}?\n"
                                "Undo brings it all back."):
                return False
        order = list(self.rows)
        i = order.index(track.id)
        neighbour = order[i + 1] if i + 1 < len(order) else (order[i - 1] if i else None)
        if not self._edit(lambda: te.delete_track(project, track.id), "Delete track"):
            return False
        self.select(neighbour)
        return True

    def move_track(self, track_id: int | None, step: int) -> None:
        if track_id is not None and track_id in self.document.project.tracks:
            self._edit(lambda: te.move_track(self.document.project, track_id, step), "Move track")

    # -- menus and dialogs -------------------------------------------------------------------
    def _fill_add_menu(self) -> None:
        menu = self.add_menu
        if menu.actions():
            return
        for family in palette.FAMILIES:
            sub = menu.addMenu(_swatch_icon(family.color), family.name)
            for inst in family.instruments:
                action = sub.addAction(inst.name)
                action.triggered.connect(
                    lambda _c=False, b=inst.bank, p=inst.program: self.add_track(b, p))
        presets = self.presets()
        if presets:
            menu.addSeparator()
            sub = menu.addMenu("All presets of the SoundFont")
            by_bank: dict[int, QMenu] = {}
            for p in presets:
                if p.bank not in by_bank:
                    by_bank[p.bank] = sub.addMenu(
                        "Drum kits (bank 128)" if palette.is_drum_kit(p.bank)
                        else f"Bank {p.bank}")
                action = by_bank[p.bank].addAction(f"{p.program:03d}  {p.name}")
                action.triggered.connect(
                    lambda _c=False, b=p.bank, n=p.program: self.add_track(b, n))

    def choose_color(self, track_id: int, anchor: QWidget) -> None:
        """The families' colors, or any other from the color dialog."""
        track = self.document.project.tracks.get(track_id)
        if track is None:
            return
        menu = QMenu(self)
        for family in palette.FAMILIES:
            action = QAction(_swatch_icon(family.color), family.name, menu)
            action.triggered.connect(
                lambda _c=False, c=family.color: self.set_color(track_id, c))
            menu.addAction(action)
        menu.addSeparator()
        other = menu.addAction("Other color…")

        def pick() -> None:
            color = QColorDialog.getColor(QColor(track.color), self, "Track color")
            if color.isValid():
                self.set_color(track_id, color.name())
        other.triggered.connect(pick)
        menu.exec(anchor.mapToGlobal(anchor.rect().bottomLeft()))

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Delete track", question,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes
