"""The user's SoundFonts in Preferences, a track's SoundFont from its row's menu (one undo
step, its presets read from the file), and the plain warning for one that is missing."""

from __future__ import annotations

from pathlib import Path

from cuesketch import prefs
from cuesketch.model.document import Document
from cuesketch.model.entities import Settings, Track
from cuesketch.model.project import Project
from cuesketch.ui.palette_soundfonts import SoundFontList
from cuesketch.ui.palette_track_soundfont import choose, missing_warning, soundfont_menu

import sf2_maker


def _doc(font: str = "") -> Document:
    project = Project()
    project.load(Settings(), [Track(1, "Pads", program=89, channel=0, soundfont=font),
                              Track(2, "Kit", bank=128, program=0, channel=9, order=1)])
    return Document(project)


def test_the_preferences_keep_the_user_s_soundfonts(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    font = sf2_maker.write_sf2(tmp_path / "pads.sf2", "Warm Pad", program=3)
    widget = SoundFontList([], None)
    qtbot.addWidget(widget)
    assert widget.add_path(str(font)) and not widget.add_path(str(font))
    assert widget.paths() == [str(font)] and "1 presets" in widget.list.item(0).text()
    store: dict[str, str] = {}
    prefs.save(prefs.Preferences(soundfonts=widget.paths()), store)
    assert prefs.load(store).soundfonts == [str(font)]


def test_a_track_chooses_a_soundfont_and_a_preset_in_it(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    font = sf2_maker.write_sf2(tmp_path / "pads.sf2", "Warm Pad", bank=1, program=3)
    doc = _doc()
    menu = soundfont_menu(doc, 1, [str(font)], lambda _t: None)
    titles = [a.text() for a in menu.actions()]
    assert titles[0] == "General MIDI (the default)" and "pads.sf2" in titles[-1]
    sub = menu.actions()[-1].menu()
    assert [a.text() for a in sub.actions()] == ["001:003  Warm Pad"]
    sub.actions()[0].trigger()
    track = doc.project.tracks[1]
    assert (track.soundfont, track.bank, track.program) == (str(font), 1, 3)
    assert doc.history()[-1] == "Choose SoundFont"
    assert choose(doc, 1, "")  # back to General MIDI, keeping the preset numbers
    assert doc.project.tracks[1].soundfont == "" and doc.project.tracks[1].program == 3
    doc.undo()
    assert doc.project.tracks[1].soundfont == str(font)


def test_a_missing_soundfont_is_warned_of_and_shown_missing(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    gone = str(tmp_path / "orchestra.sf2")
    doc = _doc(gone)
    warning = missing_warning(doc)
    assert warning is not None and "orchestra.sf2 (Pads)" in warning and "General MIDI" in warning
    menu = soundfont_menu(doc, 1, [], lambda _t: None)
    last = menu.actions()[-1]
    assert "missing" in last.text() and last.isChecked() and not last.isEnabled()
    assert missing_warning(_doc()) is None


def test_a_damaged_stored_soundfont_list_keeps_only_paths() -> None:
    assert prefs.load({"soundfonts": '["/a.sf2", 3, null]'}).soundfonts == ["/a.sf2"]


def test_the_preferences_dialog_keeps_the_soundfont_list(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from cuesketch.ui.preferences_dialog import PreferencesDialog
    kept = str(sf2_maker.write_sf2(tmp_path / "a.sf2", "A"))
    dialog = PreferencesDialog(prefs.Preferences(soundfonts=[kept]), [], None)
    qtbot.addWidget(dialog)
    added = sf2_maker.write_sf2(tmp_path / "b.sf2", "B")
    assert dialog.more_soundfonts.add_path(str(added))
    assert dialog.result_preferences().soundfonts == [kept, str(added)]


def test_a_read_only_project_keeps_its_soundfonts() -> None:
    doc = _doc()
    doc.read_only = True
    said: list[str] = []
    assert not choose(doc, 1, "/fonts/x.sf2", say=said.append)
    assert doc.project.tracks[1].soundfont == "" and "read-only" in said[0]
