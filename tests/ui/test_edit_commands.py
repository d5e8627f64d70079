"""The Edit menu's note commands in the window: the menus, their keys (unique, clear of the
transport and of musical typing), greying with the selection, copy and paste through the
system clipboard, the roll's right-click menu, View's panels, Help's shortcuts and manual."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMenu
from pytestqt.qtbot import QtBot

from cuesketch.demo import build_demo
from cuesketch.engine import typing_keyboard
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model import edits
from cuesketch.model.document import Document
from cuesketch.ui.actions import ACTIONS, SPECS, Scope
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.edit_actions import NOTES_MIME
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.roll_editor import KEYS

ROOT = Path(__file__).resolve().parents[2]


class Win:
    def __init__(self, qtbot: QtBot, tmp_path: Path) -> None:
        self.qtbot = qtbot
        QGuiApplication.clipboard().clear()  # nothing copied by an earlier test
        self.clock = FakeClock()
        self.transport = Transport(self.clock)
        self.document = Document(build_demo())
        self.roll = PianoRoll(self.document, self.transport)
        settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
        self.window = MainWindow(self.document, self.transport, QLabel("picture"), self.roll,
                                 StatusSignals(), settings=settings)
        qtbot.addWidget(self.window)
        self.window.show()
        self.window.activateWindow()
        self.window.windowHandle().requestActivate()
        qtbot.waitUntil(self.window.isActiveWindow)
        self.editor = self.roll.editor
        self.settle()

    def settle(self) -> None:
        QApplication.processEvents()  # the actions' greying follows after each change

    def action(self, name: str) -> QAction:
        return self.window.action_map[name]

    def trigger(self, name: str) -> None:
        self.action(name).trigger()
        self.settle()

    def select_track_notes(self, count: int) -> list[int]:
        ids = sorted(self.editor.index.track_ids(self.editor.active_track or 0),
                     key=lambda i: self.document.project.notes[i].start)[:count]
        self.editor.set_selection(ids)
        self.settle()
        return ids


@pytest.fixture
def win(qtbot: QtBot, tmp_path: Path) -> Win:
    return Win(qtbot, tmp_path)


def menu_texts(menu: QMenu) -> list[str]:
    return [a.text().split("\t")[0].replace("&", "") for a in menu.actions()
            if not a.isSeparator()]


# -- the table -----------------------------------------------------------------------------

def test_window_shortcuts_are_unique_across_the_whole_table() -> None:
    seen: dict[str, str] = {}
    for spec in ACTIONS:
        if spec.scope is not Scope.WINDOW:
            continue
        for key in spec.shortcuts:
            portable = QKeySequence(key).toString()
            assert portable, f"{spec.name}: {key!r} is not a key Qt knows"
            assert portable not in seen, f"{key} is both {seen.get(portable)} and {spec.name}"
            seen[portable] = spec.name


def test_the_roll_keys_clash_with_the_window_only_where_they_need_a_selection() -> None:
    """With nothing selected the roll leaves Left/Right to the transport; with a selection it
    nudges. Any other roll key the window also has must be the same command."""
    from cuesketch.ui.roll_editor import ACTION_COMMANDS, NEEDS_SELECTION
    window_keys = {QKeySequence(k).toString(): s.name for s in ACTIONS
                   if s.scope is Scope.WINDOW for k in s.shortcuts}
    from cuesketch.ui.piano_roll import VIEW_KEYS
    assert not {QKeySequence(k).toString() for k in VIEW_KEYS} & set(window_keys)
    for key, command in KEYS.items():
        name = window_keys.get(QKeySequence(key).toString())
        if name is None:
            continue
        assert ACTION_COMMANDS.get(name) is command or command in NEEDS_SELECTION, (key, name)


def test_new_edit_keys_stay_clear_of_musical_typing_and_the_transport() -> None:
    keyboard = typing_keyboard.TypingKeyboard(lambda _m: None)
    transport = {k for s in ACTIONS if s.menu == "Transport" for k in s.shortcuts}
    for spec in ACTIONS:
        if not spec.name.startswith("edit.") or spec.name in ("edit.undo", "edit.redo"):
            continue
        for key in spec.shortcuts:
            assert not (len(key) == 1 and keyboard.handles(key)), (spec.name, key)
            if spec.scope is Scope.WINDOW:
                assert key not in transport, (spec.name, key)


# -- the menus -----------------------------------------------------------------------------

def test_the_edit_menu_has_the_note_commands(win: Win) -> None:
    edit = win.window.menus["Edit"]
    texts = menu_texts(edit)
    for text in ("Cut", "Copy", "Paste at Playhead", "Duplicate", "Delete",
                 "Select All in Track", "Select None", "Quantize", "Transpose", "Nudge",
                 "Musical Typing", "Preferences…"):
        assert text in texts, text
    transpose = win.window.menus["Edit/&Transpose"]
    assert menu_texts(transpose) == ["Up a Semitone", "Down a Semitone", "Up an Octave",
                                     "Down an Octave", "Transpose by…"]
    nudge = menu_texts(win.window.menus["Edit/&Nudge"])
    assert "Later by a Frame" in nudge and "Earlier by a Tick" in nudge
    # the roll's own keys show in the menu's key column
    up = win.action("edit.transpose_up")
    assert up.text().endswith("\tUp") and up.shortcut().isEmpty()
    assert up.toolTip() == "Up a Semitone (Up in the piano roll)"
    assert win.action("edit.copy").shortcut() == QKeySequence("Ctrl+C")
    assert win.action("edit.frame_later").shortcut() == QKeySequence("Alt+Right")


def test_the_view_menu_lists_the_docks(win: Win) -> None:
    view = win.window.menus["View"]
    view.aboutToShow.emit()
    texts = menu_texts(view)
    assert {"Cues and hits", "Undo history", "Transport"} <= set(texts)
    docks = [a for a in view.actions() if a.text() == "Undo history"]
    assert docks and docks[0].isCheckable()
    view.aboutToShow.emit()  # listed again, not twice
    assert menu_texts(view).count("Undo history") == 1


def test_help_has_the_shortcuts_and_the_manual(win: Win) -> None:
    assert menu_texts(win.window.menus["Help"]) == ["Cuesketch Manual", "Keyboard Shortcuts",
                                                    "About Cuesketch"]
    from cuesketch.ui.manual_dialog import ManualDialog
    from cuesketch.ui.shortcuts_dialog import ShortcutsDialog
    win.trigger("help.shortcuts")
    sheet = win.window.findChild(ShortcutsDialog)
    assert sheet is not None and sheet.isVisible()
    win.trigger("help.manual")
    manual = win.window.findChild(ManualDialog)
    assert manual is not None and "Musical typing" in manual.browser.toPlainText()
    win.trigger("help.manual")  # the same one again
    assert len(win.window.findChildren(ManualDialog)) == 1


# -- greying -------------------------------------------------------------------------------

def test_commands_grey_out_and_light_up_with_the_selection(win: Win) -> None:
    selection_needed = ("edit.cut", "edit.copy", "edit.duplicate", "edit.delete",
                        "edit.transpose_up", "edit.transpose", "edit.frame_later",
                        "edit.tick_earlier", "view.zoom_selection")
    assert win.editor.selection == set()
    assert not any(win.action(n).isEnabled() for n in selection_needed)
    assert win.action("edit.select_all").isEnabled() and win.action("edit.quantize").isEnabled()
    assert not win.action("edit.paste").isEnabled()  # nothing copied yet
    win.trigger("edit.select_all")
    assert win.editor.selection
    assert all(win.action(n).isEnabled() for n in selection_needed)
    win.trigger("edit.copy")
    assert win.action("edit.paste").isEnabled()
    win.trigger("edit.delete")
    assert not win.action("edit.copy").isEnabled()


# -- commands ------------------------------------------------------------------------------

def test_copy_and_paste_round_trip_through_the_system_clipboard(win: Win) -> None:
    project = win.document.project
    ids = win.select_track_notes(3)
    originals = sorted((project.notes[i] for i in ids), key=lambda n: n.start)
    win.trigger("edit.copy")
    data = QGuiApplication.clipboard().mimeData()
    assert data.hasFormat(NOTES_MIME)
    assert "3 notes from Cuesketch" in data.text()  # a text editor gets a list
    clip = edits.clip_from_json(bytes(data.data(NOTES_MIME).data()))
    assert clip.notes[0].offset == 0 and len(clip.notes) == 3
    at = 100 * win.window.frame_flicks()
    win.transport.seek(at)
    before = len(win.document.history())
    win.trigger("edit.paste")
    assert len(win.document.history()) == before + 1  # one undo step
    pasted = sorted((project.notes[i] for i in win.editor.selection), key=lambda n: n.start)
    first = originals[0].start
    assert [(n.start - at, n.duration, n.pitch, n.velocity) for n in pasted] == \
        [(n.start - first, n.duration, n.pitch, n.velocity) for n in originals]
    assert {n.track_id for n in pasted} == {win.editor.active_track}
    win.trigger("edit.undo")
    assert not (win.editor.selection & set(project.notes))


def test_paste_takes_notes_another_window_put_on_the_clipboard(win: Win) -> None:
    from PySide6.QtCore import QByteArray, QMimeData
    clip = edits.Clip((edits.ClipNote(0, 1000, 72, 99), edits.ClipNote(500, 1000, 76, 99)),
                      1500)
    data = QMimeData()
    data.setData(NOTES_MIME, QByteArray(edits.clip_to_json(clip).encode()))
    QGuiApplication.clipboard().setMimeData(data)
    win.settle()
    assert win.action("edit.paste").isEnabled()
    win.trigger("edit.paste")
    pitches = sorted(win.document.project.notes[i].pitch for i in win.editor.selection)
    assert pitches == [72, 76]


def test_damaged_clipboard_notes_are_said_not_raised(win: Win) -> None:
    from PySide6.QtCore import QByteArray, QMimeData
    said: list[str] = []
    win.editor.tell = said.append
    data = QMimeData()
    data.setData(NOTES_MIME, QByteArray(b'{"format": "cuesketch-notes/1", "notes": [[1]]}'))
    QGuiApplication.clipboard().setMimeData(data)
    win.settle()
    win.trigger("edit.paste")
    assert said[-1] == "Nothing pasted: the notes on the clipboard are damaged"


def test_cut_duplicate_quantize_and_transpose_are_one_step_each(win: Win) -> None:
    project = win.document.project
    ids = win.select_track_notes(2)
    pitches = sorted(project.notes[i].pitch for i in ids)
    steps = len(win.document.history())
    win.trigger("edit.octave_up")
    assert sorted(project.notes[i].pitch for i in ids) == [p + 12 for p in pitches]
    win.trigger("edit.duplicate")
    win.trigger("edit.quantize")
    win.trigger("edit.cut")
    assert len(win.document.history()) == steps + 4
    assert win.document.history()[-4:] == ["Transpose", "Duplicate notes", "Quantize",
                                           "Cut notes"]


def test_transpose_by_any_interval(win: Win) -> None:
    assert win.window.edit_commands is not None
    win.window.edit_commands.ask_interval = lambda _parent: -7
    ids = win.select_track_notes(1)
    pitch = win.document.project.notes[ids[0]].pitch
    win.trigger("edit.transpose")
    assert win.document.project.notes[ids[0]].pitch == pitch - 7


def test_the_transpose_dialog_names_the_interval(qtbot: QtBot) -> None:
    from cuesketch.ui.transpose_dialog import TransposeDialog
    dialog = TransposeDialog(None, 7)
    qtbot.addWidget(dialog)
    assert dialog.name.text() == "Up a perfect fifth"
    dialog.spin.setValue(-15)
    assert dialog.name.text() == "Down an octave and a minor third"
    dialog.spin.setValue(0)
    assert not dialog.buttons.buttons()[0].isEnabled() or dialog.semitones() == 0


def test_keys_nudge_by_a_frame_and_a_tick_wherever_the_focus_is(win: Win) -> None:
    project = win.document.project
    (nid,) = win.select_track_notes(1)
    start = project.notes[nid].start
    win.window.cue_list.setFocus()  # not the roll: the window's shortcuts
    win.qtbot.keyClick(win.window.cue_list, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert project.notes[nid].start == start + win.window.frame_flicks()
    win.qtbot.keyClick(win.window.cue_list, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    win.qtbot.keyClick(win.window.cue_list, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert project.notes[nid].start == start - win.window.frame_flicks()
    assert win.document.history()[-3:] == ["Nudge notes by a frame"] * 3
    ctrl_alt = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
    win.roll.canvas.setFocus()  # the roll: its own key table, the same command
    win.qtbot.keyClick(win.roll.canvas, Qt.Key.Key_Right, ctrl_alt)
    assert project.notes[nid].start > start - win.window.frame_flicks()
    assert win.document.history()[-1] == "Nudge notes by a tick"


def test_ctrl_c_and_ctrl_v_work_with_the_focus_outside_the_roll(win: Win) -> None:
    ids = win.select_track_notes(2)
    win.window.cue_list.setFocus()
    win.qtbot.keyClick(win.window.cue_list, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    win.settle()
    win.transport.seek(50 * win.window.frame_flicks())
    win.qtbot.keyClick(win.window.cue_list, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert win.document.history()[-1] == "Paste notes" and len(win.editor.selection) == 2
    assert not (win.editor.selection & set(ids))


# -- the roll's menu -----------------------------------------------------------------------

def test_right_click_on_a_note_selects_it_and_offers_the_commands(win: Win) -> None:
    roll, editor = win.roll, win.editor
    note = win.document.project.notes[win.select_track_notes(1)[0]]
    editor.set_selection(())
    roll.show_range(note.start - 10 * win.window.frame_flicks(), note.end + 10 *
                    win.window.frame_flicks())
    roll.geo.top = note.pitch + 4  # the note's row in view
    x = roll.geo.x_of(note.start + note.duration // 2)
    y = roll.geo.y_of(note.pitch) + roll.geo.key_h / 2
    pos = QPoint(round(x), round(y))
    assert win.window.roll_menu is not None
    assert win.window.roll_menu.note_at(pos) == note
    win.qtbot.mouseClick(roll.canvas, Qt.MouseButton.RightButton, pos=pos)
    QApplication.sendEvent(roll.canvas, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                          roll.canvas.mapToGlobal(pos)))
    win.settle()
    menu = win.window.roll_menu.menu
    assert menu is not None and menu.isVisible()
    assert editor.selection == {note.id}
    texts = menu_texts(menu)
    assert texts[0].startswith(edits.pitch_name(note.pitch) + " · ")  # the note, named
    assert {"Cut", "Copy", "Paste at Playhead", "Duplicate", "Delete", "Quantize",
            "Transpose", "Nudge", "Playhead to This Note"} <= set(texts)
    delete = next(a for a in menu.actions() if a.text().replace("&", "") == "Delete")
    assert delete.isEnabled()
    delete.trigger()
    assert note.id not in win.document.project.notes
    menu.close()


def test_the_roll_menu_on_empty_space_has_no_note(win: Win) -> None:
    assert win.window.roll_menu is not None
    menu = win.window.roll_menu.build(None)
    texts = menu_texts(menu)
    assert texts[0] == "Cut" and "Playhead to This Note" not in texts


# -- the shortcuts sheet and the manual ----------------------------------------------------

def test_the_shortcuts_sheet_has_every_key_and_filters(qtbot: QtBot) -> None:
    from cuesketch.ui.shortcuts_dialog import ShortcutsDialog, matching, native, shortcut_rows
    rows = shortcut_rows()
    keys = {r.keys for r in rows}
    for spec in ACTIONS:
        if spec.shortcuts:
            assert ", ".join(native(k) for k in spec.shortcuts) in keys, spec.name
    assert {r.command for r in rows if r.where == "Musical typing"} >= {"Play C", "Play C#",
                                                                       "An octave up"}
    assert {native("Alt+Z"), native("Ctrl+Shift+Up")} <= keys  # the roll's view keys too
    j = next(r for r in rows if r.keys == "J" and r.where.startswith("Anywhere"))
    assert "musical typing" in j.note  # J shuttles, unless musical typing is on
    assert [r.command for r in matching(rows, "nudge frame")] == ["Nudge: Later by a Frame",
                                                                  "Nudge: Earlier by a Frame"]
    dialog = ShortcutsDialog(None, rows)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.search, "paste")
    assert [r.command for r in dialog.visible_rows()] == ["Paste at Playhead"]
    assert dialog.count.text() == f"1 of {len(rows)} keys"
    dialog.search.clear()
    assert len(dialog.visible_rows()) == len(rows)


def test_the_manual_is_package_data_and_renders(qtbot: QtBot) -> None:
    import tomllib
    from importlib import resources

    from cuesketch.ui.manual_dialog import MANUAL, ManualDialog, manual_text
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["cuesketch"]
    assert "help/*.md" in package_data  # shipped in the wheel, not only in a checkout
    assert resources.files("cuesketch").joinpath(MANUAL).is_file()
    text = manual_text()
    for heading in ("Opening a film", "Playing", "Recording", "Musical typing",
                    "Editing notes", "Tempo and meter", "Snapshots", "Exports"):
        assert f"## {heading}" in text, heading
    assert (ROOT / "docs" / "MANUAL.md").read_text() == text
    dialog = ManualDialog(None)
    qtbot.addWidget(dialog)
    assert "Landing on a hit" in dialog.browser.toPlainText()
    dialog.search.setText("Alt+Right")
    assert dialog.find_next()


def test_every_key_the_manual_names_is_a_real_one() -> None:
    """The manual's tables of keys say what the action table says."""
    from cuesketch.ui.manual_dialog import manual_text
    text = manual_text()
    for name in ("edit.cut", "edit.paste", "edit.duplicate", "edit.quantize", "edit.transpose",
                 "edit.frame_later", "edit.tick_later", "transport.loop", "edit.musical_typing",
                 "help.shortcuts"):
        assert SPECS[name].shortcuts[0] in text, name


def test_text_fields_and_spin_boxes_keep_their_editing_keys(win: Win) -> None:
    """Delete, Backspace, Ctrl+A/C/V/X and Q edit the text being typed, never the notes."""
    from PySide6.QtWidgets import QLineEdit, QSpinBox
    ids = win.select_track_notes(2)
    field = QLineEdit("Celli", win.window.cue_list)
    spin = QSpinBox(win.window.cue_list)
    spin.setValue(50)
    steps = len(win.document.history())
    for widget in (field, spin):
        widget.show()
        widget.setFocus()
        win.qtbot.waitUntil(widget.hasFocus)
        for key, mods in ((Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier),
                          (Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier),
                          (Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_Q, Qt.KeyboardModifier.NoModifier),
                          (Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)):
            win.qtbot.keyClick(widget, key, mods)
        assert len(win.document.history()) == steps, widget
        assert set(ids) <= set(win.document.project.notes)


def test_alt_arrows_land_a_note_on_the_hit_and_the_readout_follows(win: Win) -> None:
    """A note two frames late: Alt+Left twice puts it on the hit; once more it reads −1f."""
    from cuesketch.model.hit_sync import label
    project, roll = win.document.project, win.roll
    fpf = win.window.frame_flicks()
    hit = min(project.hits.values(), key=lambda h: h.frame)
    note = min(project.notes.values(), key=lambda n: abs(n.start - hit.frame * fpf))
    win.editor.set_active_track(note.track_id)
    win.editor.set_selection({note.id})
    roll.show_range(hit.frame * fpf - 40 * fpf, hit.frame * fpf + 40 * fpf)
    late = roll.frames_off_readout()[note.id]
    for _ in range(late):
        win.qtbot.keyClick(roll.canvas, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert roll.frames_off_readout()[note.id] == 0
    win.qtbot.keyClick(roll.canvas, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert label(roll.frames_off_readout()[note.id]) == "\u22121f"
    assert win.document.history()[-(late + 1):] == ["Nudge notes by a frame"] * (late + 1)


def test_help_search_fields_take_letters_with_musical_typing_on(qtbot: QtBot,
                                                                tmp_path: Path) -> None:
    """The shortcuts sheet's and the manual's search boxes get what is typed, not the synth."""
    from cuesketch.app import build_controls
    from cuesketch.engine.typing_keyboard import TypingKeyboard
    from cuesketch.services import Services
    from cuesketch.ui.manual_dialog import ManualDialog
    from cuesketch.ui.shortcuts_dialog import ShortcutsDialog
    from cuesketch.ui.window_root import build_window
    transport = Transport(FakeClock())
    services = Services(Document(build_demo()), transport, None, None)
    build_controls(services)
    played: list[list[int]] = []
    services.typing = TypingKeyboard(played.append)
    window = build_window(services, QSettings(str(tmp_path / "ui.ini"),
                                              QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.action_map["edit.musical_typing"].trigger()
    window.action_map["help.shortcuts"].trigger()
    window.action_map["help.manual"].trigger()
    for kind in (ShortcutsDialog, ManualDialog):
        dialog = window.findChild(kind)
        assert dialog is not None
        dialog.activateWindow()
        dialog.search.setFocus()
        qtbot.waitUntil(dialog.search.hasFocus)
        qtbot.keyClicks(dialog.search, "jump as far")
        assert dialog.search.text() == "jump as far", kind.__name__
        dialog.close()
    assert [m for m in played if m[0] & 0xF0 == 0x90] == []
    window.close()
