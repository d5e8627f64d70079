"""Preferences: MIDI inputs, audio driver and buffer, SoundFont, film sound, the click's level
and sound, picture overlays."""

from __future__ import annotations

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QSlider, QWidget)
from PySide6.QtCore import Qt

from cuesketch.engine.click import CLICK_SOUNDS
from cuesketch.prefs import Preferences

AUDIO_DRIVERS = ("", "pulseaudio", "jack", "alsa", "sdl2", "coreaudio")
BUFFERS = (64, 128, 256, 512, 1024, 2048)


class PreferencesDialog(QDialog):
    """Edits a copy of the preferences; ``result_preferences()`` after accept."""

    def __init__(self, prefs: Preferences, midi_ports: list[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cuesketch Preferences")
        self._prefs = prefs
        form = QFormLayout(self)

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

        self.overlay_tc = QCheckBox("Timecode over the picture", self)
        self.overlay_tc.setChecked(prefs.overlay_timecode)
        self.overlay_cue = QCheckBox("Cue name and bar|beat", self)
        self.overlay_cue.setChecked(prefs.overlay_cue)
        self.overlay_streamers = QCheckBox("Streamers and punches before hits", self)
        self.overlay_streamers.setChecked(prefs.overlay_streamers)
        for box in (self.overlay_tc, self.overlay_cue, self.overlay_streamers):
            form.addRow("" if box is not self.overlay_tc else "Overlays", box)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel, parent=self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _choose_soundfont(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a SoundFont", "",
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
                       overlay_timecode=self.overlay_tc.isChecked(),
                       overlay_cue=self.overlay_cue.isChecked(),
                       overlay_streamers=self.overlay_streamers.isChecked(),
                       film_volume=self.film_volume.value() / 100,
                       click_level=self.click_level.value() / 100,
                       click_sound=self.click_sound.currentData() or "gm")
