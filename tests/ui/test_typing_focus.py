"""Musical typing and the transport keys give way to text: every text entry of the window and
of its dialogs takes the letters typed into it, with musical typing on, and once an edit ends
(Enter, Escape, a click elsewhere) the keys drive the transport again.

The window is the one the composition root builds (``build_window``), the keys go through
Qt's event delivery (pytest-qt), and what musical typing played is read from the bytes it sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QDialog, QLineEdit,
                               QWidget)
from pytestqt.qtbot import QtBot

from cuesketch.app import build_controls
from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.recorder import Recorder
from cuesketch.engine.transport import Transport
from cuesketch.engine.typing_keyboard import TypingKeyboard
from cuesketch.model.document import Document
from cuesketch.services import Services
from cuesketch.store.project_file import ProjectFile
from cuesketch.ui.focus import is_text_entry
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.track_panel import TrackPanel
from cuesketch.ui.window_root import build_window

TYPED = "Celli and Basses, 1M1 v2 sent to director"


@dataclass
class Running:
    window: MainWindow
    services: Services
    played: list[list[int]]  # the MIDI messages musical typing sent

    @property
    def transport(self) -> Transport:
        return self.services.transport

    def panel(self) -> TrackPanel:
        panel = self.window.findChild(TrackPanel)
        assert panel is not None
        return panel


@pytest.fixture
def running(qtbot: QtBot, tmp_path: Path) -> Iterator[Running]:
    path = tmp_path / "sketch.cuesketch"
    ProjectFile.write_new(path, build_demo())
    pf = ProjectFile.open(path)
    clock = FakeClock()
    transport = Transport(clock)
    document = Document(pf.load(), sink=pf)
    services = Services(document, transport, pf, path, clock=clock)
    services.recorder = Recorder(document, transport)
    build_controls(services)
    played: list[list[int]] = []
    services.typing = TypingKeyboard(played.append)
    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    window = build_window(services, settings)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.action_map["edit.musical_typing"].trigger()
    assert window.action_map["edit.musical_typing"].isChecked()
    yield Running(window, services, played)
    transport.stop()
    window.close()  # its app-wide filters (typing, editing) are its children: they go with it
    pf.close()


def note_ons(played: list[list[int]]) -> list[int]:
    return [m[1] for m in played if m[0] & 0xF0 == 0x90 and m[2] > 0]


def answer_dialog(qtbot: QtBot, answer: Callable[[QDialog], None]) -> list[str]:
    """Answer the next modal dialog with ``answer`` once it is shown; what went wrong is kept
    (an assertion inside a timer would be lost), and so is a dialog that never came."""
    errors: list[str] = ["no dialog was shown"]
    tries = [0]

    def look() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QDialog):
            tries[0] += 1
            if tries[0] < 100:
                QTimer.singleShot(20, look)
            return
        errors.clear()
        try:
            answer(dialog)
        except AssertionError as e:
            errors.append(str(e) or repr(e))
            dialog.reject()

    QTimer.singleShot(0, look)
    return errors


# -- musical typing still plays where no text is typed ---------------------------------------

def test_typing_plays_notes_from_the_roll(qtbot: QtBot, running: Running) -> None:
    running.window.roll.setFocus()
    qtbot.keyClick(running.window.roll, Qt.Key.Key_A, Qt.KeyboardModifier.NoModifier)
    assert note_ons(running.played) == [60]


# -- every text entry of the window takes the letters ------------------------------------------

def test_a_new_tracks_name_takes_every_letter_and_enter_gives_the_keys_back(
        qtbot: QtBot, running: Running) -> None:
    panel = running.panel()
    track_id = panel.add_track(0, 42, "")
    assert track_id is not None
    field = panel.rows[track_id].name
    assert field.hasFocus()
    qtbot.keyClicks(field, "Celli and Basses")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert running.services.document.project.tracks[track_id].name == "Celli and Basses"
    assert note_ons(running.played) == []
    qtbot.waitUntil(lambda: not is_text_entry(QApplication.focusWidget()))
    assert QApplication.focusWidget() is running.window.roll
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert running.transport.playing  # Space plays again, as the composer expects
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert not running.transport.playing


def test_escape_puts_the_name_back_and_gives_the_keys_back(qtbot: QtBot, running: Running
                                                           ) -> None:
    panel = running.panel()
    track_id = next(iter(panel.rows))
    before = running.services.document.project.tracks[track_id].name
    field = panel.rows[track_id].name
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, "Wrong name")
    qtbot.keyClick(field, Qt.Key.Key_Escape)
    assert running.services.document.project.tracks[track_id].name == before
    assert field.text() == before
    assert not is_text_entry(QApplication.focusWidget())


def test_a_click_elsewhere_keeps_the_name_and_ends_the_edit(qtbot: QtBot, running: Running
                                                            ) -> None:
    panel = running.panel()
    track_id = next(iter(panel.rows))
    field = panel.rows[track_id].name
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, "Violas")
    qtbot.mouseClick(running.window.picture, Qt.MouseButton.LeftButton)
    assert running.services.document.project.tracks[track_id].name == "Violas"
    assert not field.hasFocus()
    assert note_ons(running.played) == []


def test_every_text_entry_in_the_window_takes_letters(qtbot: QtBot, running: Running) -> None:
    entries = [w for w in running.window.findChildren(QWidget)
               if is_text_entry(w) and w.isVisibleTo(running.window) and w.isEnabled()
               and not isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox))]
    assert entries, "the window has text entries (the tracks' names at least)"
    for entry in entries:
        entry.setFocus()
        qtbot.waitUntil(entry.hasFocus)
        if isinstance(entry, QLineEdit):
            entry.selectAll()
            qtbot.keyClicks(entry, TYPED)
            assert entry.text() == TYPED, entry.objectName() or type(entry).__name__
            qtbot.keyClick(entry, Qt.Key.Key_Escape)
        elif isinstance(entry, QAbstractSpinBox):
            entry.selectAll()
            qtbot.keyClicks(entry, "42")
            assert "42" in entry.text(), entry.objectName() or type(entry).__name__
            qtbot.keyClicks(entry, "asdf")  # refused by the spin box, not played
        elif isinstance(entry, QComboBox):
            line = entry.lineEdit()
            assert line is not None
            line.selectAll()
            qtbot.keyClicks(line, TYPED)
            assert entry.currentText() == TYPED
    assert note_ons(running.played) == [], "letters typed into a field played notes"


# -- and every dialog's ----------------------------------------------------------------------

def type_into_every_field(qtbot: QtBot, dialog: QDialog) -> None:
    fields = [w for w in dialog.findChildren(QLineEdit)  # a spin box's own field takes
              if w.isVisibleTo(dialog) and not w.isReadOnly()  # numbers, not words
              and not isinstance(w.parent(), QAbstractSpinBox)]
    assert fields, f"{dialog.windowTitle()} has a text field"
    for field in fields:
        field.setFocus()
        field.selectAll()
        qtbot.keyClicks(field, TYPED)
        assert field.text() == TYPED, f"{dialog.windowTitle()}: {field.text()!r}"
    dialog.reject()


@pytest.mark.parametrize("action", ["file.snapshot", "transport.goto", "edit.preferences",
                                    "file.film_offset", "file.export_stems"])
def test_a_dialogs_fields_take_letters(qtbot: QtBot, running: Running, action: str) -> None:
    errors = answer_dialog(qtbot, lambda dialog: type_into_every_field(qtbot, dialog))
    running.window.action_map[action].trigger()
    assert errors == []
    assert note_ons(running.played) == []


def test_a_snapshot_is_kept_under_the_name_typed(qtbot: QtBot, running: Running) -> None:
    from cuesketch.store.snapshots import list_snapshots

    def name_it(dialog: QDialog) -> None:
        field = dialog.findChild(QLineEdit)
        assert field is not None
        field.setFocus()
        qtbot.keyClicks(field, "1M1 v2 sent to director")
        dialog.accept()

    errors = answer_dialog(qtbot, name_it)
    running.window.action_map["file.snapshot"].trigger()
    assert errors == []
    pf = running.services.project_file
    assert pf is not None
    assert [s.name for s in list_snapshots(pf)] == ["1M1 v2 sent to director"]
    assert note_ons(running.played) == []


# -- the record button shows what happened -------------------------------------------------------

def test_record_with_no_armed_track_says_so_and_does_not_stay_lit(qtbot: QtBot,
                                                                   running: Running) -> None:
    session = running.services.session
    assert session is not None
    session.arm(None)
    record = running.window.action_map["transport.record"]
    record.trigger()
    assert not running.transport.recording
    assert not record.isChecked()
    assert "choose a track" in running.window.status_messages.text()


def test_transport_keys_work_whatever_control_has_the_focus(qtbot: QtBot, running: Running
                                                            ) -> None:
    """A button, a list, a slider or a knob clicked last keeps the focus; Space and Home still
    drive the film (only a text being edited takes them)."""
    t = running.transport
    window = running.window
    controls = [w for w in window.findChildren(QWidget)
                if w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.isVisibleTo(window)
                and w.isEnabled() and not is_text_entry(w)
                and not isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox))]
    assert len(controls) > 5
    wrong: list[str] = []
    for control in controls:
        control.setFocus()
        qtbot.waitUntil(control.hasFocus)
        t.seek(window.frame_flicks() * 10)
        qtbot.keyClick(control, Qt.Key.Key_Space)
        played = t.playing
        t.stop()
        qtbot.keyClick(control, Qt.Key.Key_Home)
        if not played or t.position() != 0:
            wrong.append(f"{type(control).__name__} {control.objectName()!r} "
                         f"(Space {'played' if played else 'did nothing'}, "
                         f"Home {'went home' if t.position() == 0 else 'did nothing'})")
    assert wrong == []


def test_delete_in_a_list_does_not_delete_the_rolls_notes(qtbot: QtBot, running: Running
                                                          ) -> None:
    """Delete or Backspace pressed in the cue list or the undo history never deletes the
    roll's selected notes (the note commands follow the roll's focus); with the roll's focus
    Delete deletes them."""
    window = running.window
    document = running.services.document
    window.roll.setFocus()
    qtbot.waitUntil(window.roll.hasFocus)
    qtbot.keyClick(window.roll, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    notes = len(document.project.notes)
    from cuesketch.ui.piano_roll import PianoRoll
    assert isinstance(window.roll, PianoRoll)
    assert notes and window.roll.selection  # the active track's notes are selected
    for lister in (window.cue_list, window.history):
        lister.setFocus()
        qtbot.waitUntil(lister.hasFocus)
        qtbot.keyClick(lister, Qt.Key.Key_Delete)
        qtbot.keyClick(lister, Qt.Key.Key_Backspace)
        assert len(document.project.notes) == notes, type(lister).__name__
    window.roll.setFocus()
    qtbot.waitUntil(window.roll.hasFocus)
    qtbot.keyClick(window.roll, Qt.Key.Key_Delete)
    assert len(document.project.notes) < notes
