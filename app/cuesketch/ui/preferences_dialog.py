"""Preferences: MIDI inputs, audio driver and buffer, SoundFont, film sound, the click's level
and sound, the pre-roll, picture overlays and the streamers' length.

Wide enough for a MIDI port's whole name (ALSA's run long: "Arturia KeyLab Essential 61:
Arturia KeyLab Essential 61 MIDI 1 24:0"), within the screen."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox,
                               QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QSizePolicy, QSlider,
                               QWidget)

from cuesketch.engine.click import CLICK_SOUNDS
from cuesketch.ui.palette_soundfonts import SoundFontList
from cuesketch.prefs import PRE_ROLL_SECONDS, STREAMER_SECONDS, Preferences

AUDIO_DRIVERS = ("", "pulseaudio", "jack", "alsa", "sdl2", "coreaudio")
BUFFERS = (64, 128, 256, 512, 1024, 2048)
MIN_WIDTH = 560
MAX_LIST_ROWS = 8


def seconds_box(value: float, bounds: tuple[float, float], parent: QWidget,
                off: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(*bounds)
    box.setDecimals(1)
    box.setSingleStep(0.5)
    box.setSuffix(" s")
    if off:
        box.setSpecialValueText(off)  # shown at the minimum
    box.setValue(value)
    box.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
    box.setMinimumWidth(box.fontMetrics().horizontalAdvance("10.0 s") + 48)
    return box


class PreferencesDialog(QDialog):
    """Edits a copy of the preferences; ``result_preferences()`` after accept."""

    def __init__(self, prefs: Preferences, midi_ports: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cuesketch Preferences")
        self._prefs = prefs
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        self.midi = QListWidget(self)
        names = list(dict.fromkeys(midi_ports + prefs.midi_inputs))
        for name in names:
            item = QListWidgetItem(name + ("" if name in midi_ports else "  (not connected)"))
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in prefs.midi_inputs
                               else Qt.CheckState.Unchecked)
            self.midi.addItem(item)
        if not names:
            self.midi.addItem("(no MIDI input found: plug one in, or use musical typing)")
        self.midi.setToolTip("Checked inputs are recorded; none checked: the first one found")
        self._fit_list()
        form.addRow("MIDI inputs", self.midi)

        self.driver = QComboBox(self)
        for d in AUDIO_DRIVERS:
            self.driver.addItem(d or "automatic", d)
        self.driver.setCurrentIndex(max(0, self.driver.findData(prefs.audio_driver)))
        form.addRow("Audio driver", self.driver)
        self.buffer = QComboBox(self)
        for b in BUFFERS:
            self.buffer.addItem(f"{b} frames ({b / 48:.1f} ms)", b)
        self.buffer.setCurrentIndex(max(0, self.buffer.findData(prefs.audio_buffer)))
        form.addRow("Audio buffer", self.buffer)

        sf_row = QHBoxLayout()
        self.soundfont = QLineEdit(prefs.soundfont, self)
        self.soundfont.setPlaceholderText("the default General MIDI SoundFont")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._choose_soundfont)
        sf_row.addWidget(self.soundfont)
        sf_row.addWidget(browse)
        form.addRow("SoundFont", sf_row)
        self.more_soundfonts = SoundFontList(prefs.soundfonts, self)
        form.addRow("More SoundFonts", self.more_soundfonts)

        self.film_volume = QSlider(Qt.Orientation.Horizontal, self)
        self.film_volume.setRange(0, 100)
        self.film_volume.setValue(round(prefs.film_volume * 100))
        self.film_volume.setToolTip("The film's own sound (dialogue, effects) beside the sketch")
        form.addRow("Film sound", self.film_volume)

        self.click_level = QSlider(Qt.Orientation.Horizontal, self)
        self.click_level.setRange(0, 100)
        self.click_level.setValue(round(prefs.click_level * 100))
        self.click_level.setToolTip("The click track's level (Transport › Click Track)")
        form.addRow("Click level", self.click_level)
        self.click_sound = QComboBox(self)
        for key, label in CLICK_SOUNDS.items():
            self.click_sound.addItem(label, key)
        self.click_sound.setCurrentIndex(max(0, self.click_sound.findData(prefs.click_sound)))
        self.click_sound.setToolTip("Woodblocks from the SoundFont's drum kit, or a plain tick "
                                    "that needs no SoundFont")
        form.addRow("Click sound", self.click_sound)
        self.pre_roll = seconds_box(prefs.pre_roll_seconds, PRE_ROLL_SECONDS, self, off="off")
        self.pre_roll.setToolTip("Play starts this long before a place you go to (a hit, a cue, "
                                 "a timecode), so you hear the music run into it")
        form.addRow("Pre-roll", self.pre_roll)

        self.overlay_tc = QCheckBox("Timecode over the picture", self)
        self.overlay_tc.setChecked(prefs.overlay_timecode)
        self.overlay_cue = QCheckBox("Cue name and bar|beat", self)
        self.overlay_cue.setChecked(prefs.overlay_cue)
        self.overlay_streamers = QCheckBox("Streamers and punches before hits", self)
        self.overlay_streamers.setChecked(prefs.overlay_streamers)
        for box in (self.overlay_tc, self.overlay_cue, self.overlay_streamers):
            form.addRow("" if box is not self.overlay_tc else "Overlays", box)
        self.streamer = seconds_box(prefs.streamer_seconds, STREAMER_SECONDS, self)
        self.streamer.setToolTip("How long a streamer takes to cross the picture before its "
                                 "hit (2 s is usual; longer gives more warning)")
        self.streamer.setEnabled(prefs.overlay_streamers)
        self.overlay_streamers.toggled.connect(self.streamer.setEnabled)
        form.addRow("Streamer length", self.streamer)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel, parent=self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.setMinimumWidth(self._wanted_width())

    def _fit_list(self) -> None:
        """The MIDI list as tall as its rows (up to a few) and wide enough for each name."""
        rows = min(max(self.midi.count(), 2), MAX_LIST_ROWS)
        row = self.midi.sizeHintForRow(0) if self.midi.count() else self.fontMetrics().height()
        frame = 2 * self.midi.frameWidth()
        self.midi.setFixedHeight(rows * max(row, 1) + frame + 4)
        self.midi.setMinimumWidth(min(self.midi.sizeHintForColumn(0) + frame + 24, 900))

    def _wanted_width(self) -> int:
        """The list's width plus the labels' column, at least MIN_WIDTH, within the screen."""
        screen = self.screen()
        room = screen.availableGeometry().width() - 40 if screen is not None else 1200
        label = self.fontMetrics().horizontalAdvance("Streamer length") + 40
        return max(MIN_WIDTH, min(self.midi.minimumWidth() + label, room))

    def _choose_soundfont(self) -> None:
        current = Path(self.soundfont.text().strip()).expanduser()
        start = current.parent if self.soundfont.text().strip() and current.parent.is_dir() \
            else Path.home()
        path, _ = QFileDialog.getOpenFileName(self, "Choose a SoundFont", str(start),
                                              "SoundFonts (*.sf2 *.sf3);;All files (*)")
        if path:
            self.soundfont.setText(path)

    def result_preferences(self) -> Preferences:
        from dataclasses import replace
        chosen = [self.midi.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.midi.count())
                  if self.midi.item(i).checkState() == Qt.CheckState.Checked]
        return replace(self._prefs, midi_inputs=[c for c in chosen if c],
                       audio_driver=self.driver.currentData() or "",
                       audio_buffer=int(self.buffer.currentData()),
                       soundfont=self.soundfont.text().strip(),
                       soundfonts=self.more_soundfonts.paths(),
                       overlay_timecode=self.overlay_tc.isChecked(),
                       overlay_cue=self.overlay_cue.isChecked(),
                       overlay_streamers=self.overlay_streamers.isChecked(),
                       film_volume=self.film_volume.value() / 100,
                       click_level=self.click_level.value() / 100,
                       click_sound=self.click_sound.currentData() or "gm",
                       streamer_seconds=self.streamer.value(),
                       pre_roll_seconds=self.pre_roll.value())
