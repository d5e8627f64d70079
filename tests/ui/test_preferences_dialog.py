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


def test_streamer_length_and_pre_roll(qtbot: QtBot) -> None:
    d = PreferencesDialog(Preferences(streamer_seconds=2.0, pre_roll_seconds=0.0), [], None)
    qtbot.addWidget(d)
    assert d.pre_roll.text() == "off" and d.streamer.value() == 2.0
    d.pre_roll.setValue(2.5)
    d.streamer.setValue(3.0)
    new = d.result_preferences()
    assert (new.pre_roll_seconds, new.streamer_seconds) == (2.5, 3.0)
    d.overlay_streamers.setChecked(False)
    assert not d.streamer.isEnabled()  # no streamers: their length does not apply


def test_a_long_midi_port_name_is_shown_whole(qtbot: QtBot) -> None:
    ports = ["Arturia KeyLab Essential 61:Arturia KeyLab Essential 61 MIDI 1 24:0",
             "Midi Through:Midi Through Port-0 14:0"]
    d = PreferencesDialog(Preferences(midi_inputs=["Keystation 49 MK3:Keystation 49 MK3 "
                                                   "MIDI 1 20:0"]), ports, None)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    assert d.width() >= 560
    assert d.midi.sizeHintForColumn(0) <= d.midi.viewport().width()  # no name cut off
    assert d.midi.horizontalScrollBar().maximum() == 0
    for i in range(d.midi.count()):  # every row in view, none scrolled away
        assert d.midi.visualItemRect(d.midi.item(i)).bottom() <= d.midi.viewport().height()
