from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cuesketch.prefs import Preferences
from cuesketch.ui.preferences_dialog import PreferencesDialog


def test_choices_come_back_as_preferences(qtbot: QtBot) -> None:
    old = Preferences(midi_inputs=["Gone Keys"], audio_buffer=512)
    d = PreferencesDialog(old, ["Keystation 49", "Nord"], None)
    qtbot.addWidget(d)
    names = [d.midi.item(i).text() for i in range(d.midi.count())]
    assert names == ["Keystation 49", "Nord", "Gone Keys  (not connected)"]
    d.midi.item(0).setCheckState(Qt.CheckState.Checked)
    d.midi.item(2).setCheckState(Qt.CheckState.Unchecked)
    d.buffer.setCurrentIndex(d.buffer.findData(128))
    d.driver.setCurrentIndex(d.driver.findData("jack"))
    d.overlay_streamers.setChecked(False)
    d.film_volume.setValue(35)
    d.click_level.setValue(40)
    d.click_sound.setCurrentIndex(d.click_sound.findData("synth"))
    new = d.result_preferences()
    assert new.film_volume == 0.35
    assert (new.click_level, new.click_sound) == (0.4, "synth")
    assert new.midi_inputs == ["Keystation 49"]
    assert (new.audio_buffer, new.audio_driver, new.overlay_streamers) == (128, "jack", False)
    assert old.midi_inputs == ["Gone Keys"]  # the original is untouched
