"""The tempo and meter lane driven with the mouse (pytest-qt): add, drag, edit, delete, each
one undo step, and the roll's grid and bars following at once."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QImage, QMouseEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel

from model_state import RecordingSink, state
from cuesketch.demo import build_demo
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.changes import insert
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Hit, HitKind, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.model.tempo_control import Row
from cuesketch.model.tempo_edits import MapRef
from cuesketch.timing.tempo import BarBeatTick, MeterChange, TempoChange
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
from cuesketch.ui.bridge import StatusSignals
from cuesketch.ui.main_window import MainWindow
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.tempo_dialog import TempoDialog
from cuesketch.ui.tempo_lane import METER_H, TEMPO_H, TempoLane

F = Fraction
BEAT = SEC // 2  # 120 bpm
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NOMOD, SHIFT = Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier


class Rig:
    def __init__(self, qtbot) -> None:  # type: ignore[no-untyped-def]
        project = Project()
        project.load(Settings(), [Track(1, "Strings"), Note(1, 1, 2 * BEAT, BEAT, 60),
                                  Hit(1, 96, "door", HitKind.HARD),
                                  Cue(1, "1M1", 144, 240)])  # 6 s to 10 s
        self.start = copy.deepcopy(project)
        self.sink = RecordingSink()
        self.doc = Document(project, self.sink)
        self.roll = PianoRoll(self.doc, Transport(FakeClock()))
        qtbot.addWidget(self.roll)
        self.roll.resize(1200, 700)
        with qtbot.waitExposed(self.roll):
            self.roll.show()
        self.roll.show_range(0, 12 * SEC)  # a beat is about 45 px
        self.lane: TempoLane = self.roll.tempo_lane
        self.qtbot = qtbot

    @property
    def tempo(self) -> list[tuple[Fraction, Fraction, bool]]:
        return [(t.beat, t.bpm, t.ramp) for t in self.doc.project.settings.tempo.tempos]

    def at(self, t: int, row: Row) -> QPoint:
        y = TEMPO_H // 2 if row is Row.TEMPO else TEMPO_H + METER_H // 2
        return QPoint(round(self.roll.geo.x_of(t)) + 1, y)

    def double_click(self, t: int, row: Row = Row.TEMPO, mods: Qt.KeyboardModifier = NOMOD) -> None:
        self.qtbot.mouseDClick(self.lane, LEFT, mods, self.at(t, row))

    def drag(self, a: QPoint, b: QPoint, mods: Qt.KeyboardModifier = NOMOD, steps: int = 8) -> None:
        self.qtbot.mousePress(self.lane, LEFT, NOMOD, a)
        for k in range(1, steps + 1):
            self.qtbot.mouseMove(self.lane, a + (b - a) * (k / steps))
        # a move with Shift held: QTest's mouseMove has no modifiers, so send the last one by hand
        if mods != NOMOD:
            event = QMouseEvent(QMouseEvent.Type.MouseMove, QPointF(b),
                                QPointF(self.lane.mapToGlobal(b)), Qt.MouseButton.NoButton,
                                LEFT, mods)
            QApplication.sendEvent(self.lane, event)
        self.qtbot.mouseRelease(self.lane, LEFT, mods, b)

    def check_undo(self, steps: int) -> None:
        """Everything reached the project through the Document, and undoes to the start."""
        replayed = copy.deepcopy(self.start)
        replayed.apply(self.sink.changes)
        assert replayed.settings == self.doc.project.settings
        assert state(replayed) == state(self.doc.project)
        for _ in range(steps):
            assert self.doc.undo() is not None
        assert self.doc.project.settings == self.start.settings
        assert state(self.doc.project) == state(self.start)
        assert not self.doc.can_undo


def opened(dialog: TempoDialog | None) -> TempoDialog:
    assert dialog is not None and dialog.isVisible()
    return dialog


@pytest.fixture
def rig(qtbot) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    yield Rig(qtbot)


def picture(rig: Rig) -> tuple[QImage, QImage]:
    return rig.roll.canvas.grab().toImage(), rig.roll.ruler.grab().toImage()


def test_the_lane_sits_under_the_ruler_as_wide_as_the_notes(rig: Rig) -> None:
    assert rig.lane.isVisible() and rig.lane.width() == rig.roll.canvas.width()
    assert rig.lane.mapTo(rig.roll, QPoint(0, 0)).x() == rig.roll.canvas.mapTo(
        rig.roll, QPoint(0, 0)).x()
    assert rig.lane.mapTo(rig.roll, QPoint(0, 0)).y() >= rig.roll.ruler.mapTo(
        rig.roll, QPoint(0, rig.roll.ruler.height())).y()
    rows = [(m.row, m.label) for m in rig.lane.control.marks()]
    assert rows == [(Row.TEMPO, "120"), (Row.METER, "4/4")]


def test_double_click_adds_on_the_beat_then_the_editor_sets_the_tempo_and_the_grid_follows(
        rig: Rig) -> None:
    before = picture(rig)
    rig.double_click(round(8.2 * BEAT))
    assert rig.tempo == [(0, 120, False), (8, 120, False)]
    assert rig.doc.history() == ["Add tempo change"]
    mark = rig.lane.control.find(rig.lane.control.selected)
    assert mark is not None and mark.beat == 8
    rig.double_click(mark.at)  # on the change: the editor
    dialog = rig.lane.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.position.text() == "3|1|000" and dialog.bpm.value() == 120
    dialog.bpm.setValue(60)
    dialog.ramp.setChecked(False)
    dialog.meter_here.setChecked(True)
    dialog.numerator.setValue(3)
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()
    assert rig.lane.dialog is None
    assert rig.tempo == [(0, 120, False), (8, 60, False)]
    assert rig.doc.project.settings.tempo.meters == (MeterChange(0), MeterChange(2, 3, 4))
    assert rig.doc.history() == ["Add tempo change", "Edit tempo and meter"]
    # the grid and the bars follow: bar 4 now starts 3 beats of 60 after bar 3
    tm = rig.doc.project.settings.tempo
    assert tm.bbt_to_flicks(BarBeatTick(4)) == 4 * SEC + 3 * SEC
    after = picture(rig)
    assert after[0] != before[0] and after[1] != before[1]
    rig.roll.refresh()
    assert picture(rig) == after  # what a full repaint draws: nothing was left stale
    rig.check_undo(2)
    assert picture(rig) == before


def test_the_editor_says_what_is_wrong_and_changes_nothing(rig: Rig) -> None:
    rig.double_click(4 * BEAT)
    mark = rig.lane.control.find(rig.lane.control.selected)
    assert mark is not None
    dialog = opened(rig.lane.open_editor(mark))
    dialog.position.setText("2|7")
    dialog.accept()
    assert dialog.isVisible() and "beats 1 to 4" in dialog.error.text()
    dialog.position.setText("1|1")
    dialog.accept()
    assert "already" in dialog.error.text()
    dialog.click.setText("12-9")
    dialog.click.editingFinished.emit()
    assert "eighths of a frame go from 0 to 7" in dialog.error.text()
    dialog.click.setText("16-0")  # a click every 16 frames at 24 fps: 90 bpm exactly
    dialog.click.editingFinished.emit()
    dialog.position.setText("3|1")
    dialog.accept()
    assert not dialog.isVisible()
    assert rig.tempo == [(0, 120, False), (8, 90, False)]
    assert rig.doc.history() == ["Add tempo change", "Edit tempo and meter"]
    rig.check_undo(2)


def test_drag_moves_a_change_snapped_to_beats_as_one_step(rig: Rig) -> None:
    control = rig.lane.control
    rig.double_click(4 * BEAT)
    mark = control.find(control.selected)
    assert mark is not None and control.set_bpm(mark, 90)
    mark = control.find(control.selected)
    assert mark is not None
    rig.drag(rig.at(mark.at, Row.TEMPO), rig.at(round(6.8 * BEAT), Row.TEMPO))
    assert rig.tempo == [(0, 120, False), (7, 90, False)]
    assert rig.doc.history() == ["Add tempo change", "Change tempo", "Move tempo change"]
    mark = control.find(control.selected)
    assert mark is not None and mark.beat == 7
    rig.drag(rig.at(mark.at, Row.TEMPO), rig.at(round(5.5 * BEAT), Row.TEMPO), mods=SHIFT)
    (_, _, _), (beat, bpm, _) = rig.tempo  # Shift: free, to the tick under the pointer
    assert abs(beat - F(11, 2)) < F(1, 20) and beat not in (5, 6) and (beat * 960).denominator == 1
    assert rig.doc.history()[-1] == "Move tempo change" and len(rig.doc.history()) == 4
    rig.check_undo(4)


def test_escape_during_a_drag_puts_the_change_back(rig: Rig) -> None:
    rig.double_click(4 * BEAT)
    mark = rig.lane.control.find(rig.lane.control.selected)
    assert mark is not None
    a, b = rig.at(mark.at, Row.TEMPO), rig.at(9 * BEAT, Row.TEMPO)
    rig.qtbot.mousePress(rig.lane, LEFT, NOMOD, a)
    rig.qtbot.mouseMove(rig.lane, b)
    assert rig.tempo[1][0] == 9
    rig.qtbot.keyClick(rig.lane, Qt.Key.Key_Escape)
    assert rig.tempo[1][0] == 4
    rig.qtbot.mouseRelease(rig.lane, LEFT, NOMOD, b)
    assert rig.doc.history() == ["Add tempo change"]


def test_meter_changes_add_on_bar_lines_and_drag_by_bars(rig: Rig) -> None:
    rig.double_click(round(7.1 * BEAT), Row.METER)  # the nearest bar line: bar 3, beat 8
    meters = rig.doc.project.settings.tempo.meters
    assert meters == (MeterChange(0), MeterChange(2))
    mark = next(m for m in rig.lane.control.marks() if m.row is Row.METER and not m.first)
    rig.drag(rig.at(mark.at, Row.METER), rig.at(round(15 * BEAT), Row.METER))
    assert rig.doc.project.settings.tempo.meters == (MeterChange(0), MeterChange(4))
    assert rig.doc.history() == ["Add meter change", "Move meter change"]
    rig.check_undo(2)


def test_delete_key_and_the_right_click_menu_remove_but_never_the_first(rig: Rig) -> None:
    rig.double_click(4 * BEAT)
    rig.double_click(12 * BEAT)
    assert len(rig.tempo) == 3
    rig.lane.setFocus()
    rig.qtbot.keyClick(rig.lane, Qt.Key.Key_Delete)  # the selected one: beat 12
    assert [t[0] for t in rig.tempo] == [0, 4]
    menu = rig.lane.menu_for(rig.at(4 * BEAT, Row.TEMPO))
    remove = next(a for a in menu.actions() if a.text() == "Delete Tempo Change")
    assert remove.isEnabled()
    remove.trigger()
    assert [t[0] for t in rig.tempo] == [0]
    first = rig.lane.menu_for(rig.at(0, Row.TEMPO))
    assert not next(a for a in first.actions() if a.text() == "Delete Tempo Change").isEnabled()
    rig.qtbot.mouseClick(rig.lane, LEFT, NOMOD, rig.at(0, Row.TEMPO))  # select the first
    rig.qtbot.keyClick(rig.lane, Qt.Key.Key_Delete)
    assert len(rig.tempo) == 1
    assert rig.doc.history() == ["Add tempo change", "Add tempo change", "Delete tempo change",
                                 "Delete tempo change"]
    rig.check_undo(4)


def test_a_cue_gets_its_own_map_and_the_lane_edits_it_there(rig: Rig) -> None:
    inside = 7 * SEC
    menu = rig.lane.menu_for(rig.at(inside, Row.TEMPO))
    give = next(a for a in menu.actions() if a.text() == "Give 1M1 Its Own Tempo Map")
    give.trigger()
    cue = rig.doc.project.cues[1]
    assert cue.tempo is not None and cue.tempo.origin == 6 * SEC
    marks = rig.lane.control.marks()
    assert [(m.ref, m.row, m.at) for m in marks if m.ref == MapRef(1)] == [
        (MapRef(1), Row.TEMPO, 6 * SEC), (MapRef(1), Row.METER, 6 * SEC)]
    rig.double_click(inside + 10 * SEC // 1000)  # beat 2 of the cue's map
    cue_map = rig.doc.project.cues[1].tempo
    assert cue_map is not None
    assert [(t.beat, t.bpm) for t in cue_map.tempos] == [(0, 120), (2, 120)]
    assert rig.tempo == [(0, 120, False)]  # the project's map is untouched
    menu = rig.lane.menu_for(rig.at(inside, Row.METER))
    back = next(a for a in menu.actions() if a.text() == "1M1 Follows the Project's Tempo Map")
    back.trigger()
    assert rig.doc.project.cues[1].tempo is None
    assert rig.doc.history() == ["Give 1M1 its own tempo", "Add tempo change",
                                 "1M1 follows the project's tempo"]
    rig.check_undo(3)


def test_a_ramp_from_the_menu_and_its_label(rig: Rig) -> None:
    control = rig.lane.control
    rig.double_click(8 * BEAT)
    mark = control.find(control.selected)
    assert mark is not None and control.set_bpm(mark, 150)
    menu = rig.lane.menu_for(rig.at(0, Row.TEMPO))
    next(a for a in menu.actions() if a.text() == "Ramp to the Next Change").trigger()
    assert rig.doc.project.settings.tempo.tempos[0] == TempoChange(F(0), F(120), True)
    assert control.marks()[0].label == "120 \u2197"
    assert len(rig.doc.history()) == 3
    rig.check_undo(3)


def test_enter_edits_the_selected_change_and_the_tooltip_says_it(rig: Rig) -> None:
    control = rig.lane.control
    rig.double_click(8 * BEAT)
    mark = control.find(control.selected)
    assert mark is not None and control.set_bpm(mark, 90)
    first = control.marks()[0]
    assert control.set_bpm(first, 120, True)
    assert rig.lane.tooltip_at(rig.at(0, Row.TEMPO)).startswith(
        "Tempo 120 bpm from 1|1|000, ramping to 90 bpm at 3|1|000; a 12-0 click at 24 fps\n")
    assert "Meter 4/4 from bar 1" in rig.lane.tooltip_at(rig.at(0, Row.METER))
    second = [m for m in control.marks() if m.row is Row.TEMPO][1]
    rig.qtbot.mouseClick(rig.lane, LEFT, NOMOD, rig.at(second.at, Row.TEMPO))
    rig.qtbot.keyClick(rig.lane, Qt.Key.Key_Return)
    dialog = rig.lane.dialog
    assert dialog is not None and dialog.bpm.value() == 90 and not dialog.ramp.isEnabled()
    dialog.reject()
    assert rig.lane.dialog is None and len(rig.doc.history()) == 3


def test_the_first_changes_edit_in_place_and_a_meter_stays_on_a_bar_line(rig: Rig) -> None:
    first = rig.lane.control.marks()[0]
    dialog = opened(rig.lane.open_editor(first))
    assert not dialog.position.isEnabled() and not dialog.tempo_here.isEnabled()
    assert dialog.tempo_here.isChecked() and dialog.meter_here.isChecked()
    dialog.numerator.setValue(6)
    dialog.denominator.setCurrentText("8")
    dialog.accept()
    assert rig.doc.project.settings.tempo.meters == (MeterChange(0, 6, 8),)
    rig.double_click(12 * BEAT, Row.METER)  # bar 5: a bar of 6/8 is 3 quarter notes
    mark = rig.lane.control.find(rig.lane.control.selected)
    assert mark is not None and mark.beat == 12
    dialog = opened(rig.lane.open_editor(mark))
    assert dialog.meter_here.isChecked() and not dialog.tempo_here.isChecked()
    dialog.position.setText("5|2")
    dialog.accept()
    assert dialog.isVisible() and "sits on a bar line" in dialog.error.text()
    dialog.meter_here.setChecked(False)  # unchecked: the meter change goes
    dialog.accept()
    assert rig.doc.project.settings.tempo.meters == (MeterChange(0, 6, 8),)
    assert rig.doc.history() == ["Edit tempo and meter", "Add meter change",
                                 "Edit tempo and meter"]
    rig.check_undo(3)


def test_in_the_window_the_transport_bars_follow_a_tempo_edit(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = Document(build_demo())
    transport = Transport(FakeClock())
    roll = PianoRoll(doc, transport)
    window = MainWindow(doc, transport, QLabel("picture"), roll, StatusSignals(),
                        settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    bpm = doc.project.settings.tempo.tempos[0].bpm
    transport.seek(15 * SEC)
    bars = doc.project.settings.tempo.flicks_to_bbt(15 * SEC)
    qtbot.waitUntil(lambda: window.transport_bar.bars.text() == str(bars))
    lane: TempoLane = roll.tempo_lane
    dialog = opened(lane.open_editor(lane.control.marks()[0]))
    dialog.bpm.setValue(float(bpm) * 1.5)
    dialog.accept()
    moved = doc.project.settings.tempo.flicks_to_bbt(15 * SEC)
    assert moved != bars
    qtbot.waitUntil(lambda: window.transport_bar.bars.text() == str(moved))
    doc.undo()
    qtbot.waitUntil(lambda: window.transport_bar.bars.text() == str(bars))


def test_dragging_a_tempo_change_lands_a_note_on_a_hit_and_the_readout_follows(
        rig: Rig) -> None:
    doc, control = rig.doc, rig.lane.control
    # a note on beat 12 (6 s, frame 144) and a cut at frame 151: 7 frames apart
    doc.execute_changes([insert(Note(2, 1, 12 * BEAT, BEAT, 67)), insert(Hit(2, 151, "cut"))],
                        "Add")
    assert 2 not in rig.roll.frames_off_readout()  # beyond the readout's 4 frames
    mark = control.add(8 * BEAT, Row.TEMPO, rig.roll.geo.fpp)
    assert mark is not None and control.set_bpm(mark, 100)
    # slower from beat 8: beat 12 at 4 s + 4 x 0.6 s = 6.4 s, frame 153: 2 frames late
    assert doc.project.notes[2].start == 6 * SEC + 2 * SEC // 5
    assert rig.roll.frames_off_readout()[2] == 2
    steps = len(doc.history())
    readouts = []
    rig.qtbot.mousePress(rig.lane, LEFT, NOMOD, rig.at(8 * BEAT, Row.TEMPO))
    for beat in (9, 10, 9):  # slower from beat 9: beat 12 at 6.3 s (frame 151); 10: 6.2 s
        rig.qtbot.mouseMove(rig.lane, rig.at(beat * BEAT, Row.TEMPO))
        readouts.append(rig.roll.frames_off_readout().get(2))
    rig.qtbot.mouseRelease(rig.lane, LEFT, NOMOD, rig.at(9 * BEAT, Row.TEMPO))
    assert readouts == [0, -3, 0]  # on the cut, 3 frames early, on the cut
    assert doc.project.notes[2].start == 6 * SEC + 3 * SEC // 10
    assert len(doc.history()) == steps + 1 and doc.history()[-1] == "Move tempo change"
    doc.undo()
    assert rig.roll.frames_off_readout()[2] == 2


def test_the_menu_turns_following_off(rig: Rig) -> None:
    menu = rig.lane.menu_for(rig.at(0, Row.TEMPO))
    follow = next(a for a in menu.actions() if a.text() == "Notes Keep Their Bars and Beats")
    assert follow.isChecked()
    follow.trigger()
    assert not rig.lane.control.notes_follow
    assert rig.lane.control.set_bpm(rig.lane.control.marks()[0], 60)
    assert rig.doc.project.notes[1].start == 2 * BEAT  # stays on its frame


def test_an_editor_for_a_map_that_is_gone_is_said_not_raised(rig: Rig) -> None:
    control = rig.lane.control
    assert control.give_own_map(1)
    mark = next(m for m in control.marks() if m.ref == MapRef(1))
    rig.doc.undo()  # the cue's map goes again
    said: list[str] = []
    rig.roll.statusMessage.connect(said.append)
    assert rig.lane.open_editor(mark) is None and rig.lane.dialog is None
    assert said and "follows the project's tempo map" in said[-1]
