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

from PySide6.QtCore import QPoint, QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont
from PySide6.QtWidgets import (QButtonGroup, QColorDialog, QDockWidget, QFrame, QHBoxLayout,
                               QLabel, QMenu, QMessageBox, QScrollArea, QSizePolicy,
                               QToolButton, QVBoxLayout, QWidget)

from cuesketch.engine.synth import Preset
from cuesketch.model import palette, sections
from cuesketch.model import track_edits as te
from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document, Gesture
from cuesketch.model.entities import Track
from cuesketch.ui.bridge import DocumentSignals
from cuesketch.ui.track_row import (PRESET, W_ARM, W_INSTRUMENT, W_NAME, W_PAN, W_SWATCH,
                                    W_TOGGLE, W_VOLUME, Knob, TrackRow, WheelGuard,
                                    instrument_model, preset_key, swatch_icon)

__all__ = ["TrackPanel", "TrackRow", "Knob", "PRESET", "preset_key", "instrument_model"]

PresetSource = Callable[[], list[Preset]]


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
        self.soundfont_paths: Callable[[], list[str]] = lambda: []  # the user's (Preferences)
        self.on_arm = on_arm
        self.confirm: Callable[[str], bool] = self._ask  # tests answer in its place
        self.rows: dict[int, TrackRow] = {}
        self.armed: int | None = None
        self.current: int | None = None
        self._presets: list[Preset] | None = None
        self._labels: dict[tuple[int, int], str] | None = None
        self._gesture: Gesture | None = None  # a slider or knob being dragged
        self._build()
        self._signals = DocumentSignals(document, self, history=False)
        self._signals.changed.connect(self._on_changes)
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
        self.wheel_guard = WheelGuard(scroll)
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
        order = list(self.rows)
        at = order.index(self.current) if self.current in self.rows else None
        self.delete_button.setEnabled(self.current is not None)
        self.up_button.setEnabled(at is not None and at > 0)
        self.down_button.setEnabled(at is not None and at < len(order) - 1)

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
    def _execute(self, changes: list[Change], label: str) -> bool:
        if not changes:
            return False
        try:
            self.document.execute_changes(changes, label)
        except (PermissionError, ValueError, OSError) as e:
            self.statusMessage.emit(f"{label}: {e}")
            self.refresh()  # the controls show the project as it is
            return False
        return True

    def _edit(self, make: Callable[[], list[Change]], label: str) -> bool:
        try:
            changes = make()
        except ValueError as e:
            self.statusMessage.emit(f"{label}: {e}")
            self.refresh()
            return False
        return self._execute(changes, label)

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
        first = changes[0]
        assert isinstance(first, EntityChange)
        track_id = first.id
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

    def slide_volume(self, track_id: int, value: int) -> None:
        """The volume control moved (0..100); within a drag (``begin_drag``) one undo step."""
        self._edit(lambda: te.set_volume(self.document.project, track_id, value / 100),
                   "Change volume")

    def slide_pan(self, track_id: int, value: int) -> None:
        """The pan knob moved (-100..100); within a drag (``begin_drag``) one undo step."""
        self._edit(lambda: te.set_pan(self.document.project, track_id, value / 100),
                   "Change pan")

    def begin_drag(self, label: str) -> None:
        """A slider or knob is grabbed: what it does until ``end_drag`` is one undo step,
        written to the project file once."""
        self._gesture = self.document.begin(label)

    def end_drag(self) -> None:
        gesture, self._gesture = self._gesture, None
        if gesture is None:
            return
        try:
            gesture.commit()
        except Exception as e:  # the store refused: the drag was taken back
            self.statusMessage.emit(f"{gesture.label}: could not be saved ({e})")
            self.refresh()

    def set_mute(self, track_id: int, on: bool) -> None:
        self._edit(lambda: te.set_mute(self.document.project, track_id, on),
                   "Mute track" if on else "Unmute track")

    def set_solo(self, track_id: int, on: bool) -> None:
        self._edit(lambda: te.set_solo(self.document.project, track_id, on),
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
            sub = menu.addMenu(swatch_icon(family.color), family.name)
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
            action = QAction(swatch_icon(family.color), family.name, menu)
            action.triggered.connect(
                lambda _c=False, c=family.color: self.set_color(track_id, c))
            menu.addAction(action)
        menu.addSeparator()
        other = menu.addAction("Other color…")
        menu.addSeparator()
        menu.addMenu(self.section_menu(track_id, menu))

        def pick() -> None:
            color = QColorDialog.getColor(QColor(track.color), self, "Track color")
            if color.isValid():
                self.set_color(track_id, color.name())
        other.triggered.connect(pick)
        menu.exec(anchor.mapToGlobal(anchor.rect().bottomLeft()))

    def set_section(self, track_id: int, section: str) -> None:
        """The track's stem section (empty: its instrument family's), one undo step."""
        self._edit(lambda: te.set_section(self.document.project, track_id, section),
                   "Set stem section")

    def section_menu(self, track_id: int, parent: QWidget | None = None) -> QMenu:
        """Stem section: the known sections, the project's own ones, Other…, and following
        the instrument's family; the track's own is checked."""
        menu = QMenu("Stem section", parent or self)
        track = self.document.project.tracks.get(track_id)
        if track is None:
            return menu
        now = sections.section_of(track)
        family = sections.default_section(track.bank, track.program)
        follow = menu.addAction(f"From the instrument ({sections.label(family)})")
        follow.setCheckable(True)
        follow.setChecked(not track.section)
        follow.triggered.connect(lambda _c=False: self.set_section(track_id, ""))
        menu.addSeparator()
        own = sorted({t.section for t in self.document.project.tracks.values()
                      if t.section and t.section not in {s.key for s in sections.SECTIONS}},
                     key=sections.order_key)
        for key in [s.key for s in sections.SECTIONS] + own:
            action = menu.addAction(f"{sections.label(key)}  ({sections.stem_code(key)})")
            action.setCheckable(True)
            action.setChecked(bool(track.section) and key == now)
            action.triggered.connect(lambda _c=False, k=key: self.set_section(track_id, k))
        menu.addSeparator()
        other = menu.addAction("Other section…")

        def ask() -> None:
            from PySide6.QtWidgets import QInputDialog
            name, ok = QInputDialog.getText(self, "Stem section",
                                            "The section's name (its stem file's suffix is "
                                            "the name in capitals):")
            if ok and name.strip():
                self.set_section(track_id, name)
        other.triggered.connect(ask)
        return menu

    def choose_section(self, track_id: int, where: QPoint) -> None:
        from cuesketch.ui.palette_track_soundfont import soundfont_menu
        self.select(track_id)
        menu = self.section_menu(track_id)
        menu.addSeparator()
        menu.addMenu(soundfont_menu(self.document, track_id, self.soundfont_paths(),
                                    self.statusMessage.emit, menu))
        menu.exec(where)

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, "Delete track", question,
                                      QMessageBox.StandardButton.Yes
                                      | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes
