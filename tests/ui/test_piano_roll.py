"""The piano roll driven as a user drives it (pytest-qt), each edit checked in the model.

Every edit must come back exactly with undo, be one undo step (a drag included), and reach the
project only through the Document: a recording sink replays what the Document saw onto a copy
of the starting project, and the two must agree.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from fractions import Fraction

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget

from model_state import RecordingSink, state
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.model.entities import Controller, Cue, Hit, HitKind, Note, Settings, Track
from cuesketch.model.grid import Grid
from cuesketch.model.project import Project
from cuesketch.model.snap import SnapMode
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.roll_editor import KEYS, Tool
from cuesketch.ui.roll_host import RulerLead
from cuesketch.ui.roll_view_model import Follow

BEAT = SEC // 2  # 120 bpm
S16 = BEAT // 4
FPF = SEC // 24  # 24 fps
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton
NOMOD = Qt.KeyboardModifier.NoModifier
SHIFT, CTRL, ALT = (Qt.KeyboardModifier.ShiftModifier, Qt.KeyboardModifier.ControlModifier,
                    Qt.KeyboardModifier.AltModifier)




class Rig:
    """A roll on a small project: two tracks, a few notes, hits and a cue."""

    def __init__(self, qtbot, notes: Sequence[tuple[int, int, int, int]] = ()) -> None:  # type: ignore[no-untyped-def]
        project = Project()
        entities: list[object] = [Track(1, "Strings", color="#4f9dde"),
                                  Track(2, "Brass", color="#e0a040", order=1)]
        for i, (track, start, dur, pitch) in enumerate(notes, start=1):
            entities.append(Note(i, track, start, dur, pitch, 90))
        entities += [Hit(1, 48, "door", HitKind.HARD), Hit(2, 96, "cut", HitKind.CUT),
                     Cue(1, "1M1", 24, 240, title="Opening"), Cue(2, "1M2", 480, 720)]
        project.load(Settings(), entities)  # type: ignore[arg-type]
        self.start = copy.deepcopy(project)
        self.sink = RecordingSink()
        self.doc = Document(project, self.sink)
        self.transport = Transport(FakeClock())
        self.heard: list[tuple[int, int]] = []
        self.roll = PianoRoll(self.doc, self.transport,
                              audition=lambda p, v: self.heard.append((p, v)))
        qtbot.addWidget(self.roll)
        self.roll.resize(1200, 800)
        with qtbot.waitExposed(self.roll):
            self.roll.show()
        self.roll.geo.key_h = 12
        self.roll.geo.top = 80
        self.roll.show_range(0, 8 * SEC)  # 1200-ish px for 8 s: a beat is ~70 px
        self.qtbot = qtbot

    @property
    def project(self) -> Project:
        return self.doc.project

    @property
    def canvas(self) -> QWidget:
        return self.roll.canvas

    def at(self, t: int, pitch: int, dx: float = 0.0) -> QPoint:
        geo = self.roll.geo
        return QPoint(round(geo.x_of(t) + dx), round(geo.y_of(pitch) + geo.key_h / 2))

    def drag(self, widget: QWidget, a: QPoint, b: QPoint, button: Qt.MouseButton = LEFT,
             mods: Qt.KeyboardModifier = NOMOD, steps: int = 6) -> None:
        self.qtbot.mousePress(widget, button, mods, a)
        for k in range(1, steps + 1):
            p = a + (b - a) * (k / steps)
            self.qtbot.mouseMove(widget, p)
        self.qtbot.mouseRelease(widget, button, mods, b)

    def key(self, key: Qt.Key, mods: Qt.KeyboardModifier = NOMOD) -> None:
        self.qtbot.keyClick(self.canvas, key, mods)

    def wheel(self, widget: QWidget, pos: QPoint, dy: int, mods: Qt.KeyboardModifier) -> None:
        event = QWheelEvent(QPointF(pos), QPointF(widget.mapToGlobal(pos)), QPoint(0, 0),
                            QPoint(0, dy), Qt.MouseButton.NoButton, mods,
                            Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(widget, event)

    def notes(self, track: int | None = None) -> list[tuple[int, int, int]]:
        return sorted((n.start, n.duration, n.pitch) for n in self.project.notes.values()
                      if track is None or n.track_id == track)

    def check_undo(self, steps: int = 1) -> None:
        """Undo ``steps`` steps back to the start; then the sink's record replays to the same
        project (nothing reached the model behind the Document)."""
        replayed = copy.deepcopy(self.start)
        replayed.apply(self.sink.changes)
        assert state(replayed) == state(self.project)
        for _ in range(steps):
            assert self.doc.undo() is not None
        assert state(self.project) == state(self.start)
        assert not self.doc.can_undo


@pytest.fixture
def rig(qtbot) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    yield Rig(qtbot, [(1, 2 * BEAT, BEAT, 60), (1, 4 * BEAT, BEAT, 64), (1, 6 * BEAT, BEAT, 67),
                      (2, 2 * BEAT, 2 * BEAT, 48)])


# -- drawing ------------------------------------------------------------------------------------

def test_click_in_empty_space_draws_a_grid_step_on_the_grid(rig: Rig) -> None:
    rig.qtbot.mouseClick(rig.canvas, LEFT, NOMOD, rig.at(9 * BEAT + S16 + S16 // 2, 72))
    assert (9 * BEAT + S16, S16, 72) in rig.notes(1)
    assert rig.roll.selection == {max(rig.project.notes)}
    assert rig.heard[0] == (72, rig.roll.editor.draw_velocity) and rig.heard[-1] == (72, 0)
    rig.check_undo()


def test_drag_in_empty_space_draws_a_longer_note_as_one_step(rig: Rig) -> None:
    rig.drag(rig.canvas, rig.at(9 * BEAT + 10, 70), rig.at(11 * BEAT + 10, 70))
    assert (9 * BEAT, 2 * BEAT + S16, 70) in rig.notes(1)  # the end snaps to the line after
    assert rig.doc.history() == ["Draw note"]
    rig.check_undo()


def test_alt_drag_places_freely(rig: Rig) -> None:
    rig.roll.editor.set_snap(SnapMode.FRAMES)
    rig.qtbot.mouseClick(rig.canvas, LEFT, NOMOD, rig.at(9 * BEAT + FPF // 2, 72))
    (start, _dur, _p) = [n for n in rig.notes(1) if n[2] == 72][0]
    assert start % FPF == 0  # frames snapping: the note starts on a frame


# -- selecting ----------------------------------------------------------------------------------

def test_click_shift_click_rubber_band_and_select_all(rig: Rig) -> None:
    a, b, c, d = sorted(rig.project.notes)
    rig.qtbot.mouseClick(rig.canvas, LEFT, NOMOD, rig.at(2 * BEAT + 100, 60, 10))
    assert rig.roll.selection == {a}
    rig.qtbot.mouseClick(rig.canvas, LEFT, SHIFT, rig.at(6 * BEAT + 100, 67, 10))
    assert rig.roll.selection == {a, c}
    rig.qtbot.mouseClick(rig.canvas, LEFT, SHIFT, rig.at(2 * BEAT + 100, 60, 10))
    assert rig.roll.selection == {c}
    rig.drag(rig.canvas, rig.at(3 * BEAT, 70), rig.at(7 * BEAT + 10, 62), mods=CTRL)
    assert rig.roll.selection == {b, c}
    rig.key(Qt.Key.Key_A, CTRL)
    assert rig.roll.selection == {a, b, c}  # all in the active track, not the brass note d
    rig.key(Qt.Key.Key_Escape)
    assert rig.roll.selection == set()
    assert not rig.doc.can_undo  # selecting changes nothing


def test_select_tool_drag_is_a_rubber_band(rig: Rig) -> None:
    rig.roll.editor.set_tool(Tool.SELECT)
    rig.drag(rig.canvas, rig.at(BEAT, 70), rig.at(5 * BEAT, 55))
    a, b, _c, _d = sorted(rig.project.notes)
    assert rig.roll.selection == {a, b}
    assert len(rig.project.notes) == 4


def test_clicking_another_tracks_note_makes_it_active(rig: Rig, qtbot) -> None:  # type: ignore[no-untyped-def]
    d = max(rig.project.notes)
    with qtbot.waitSignal(rig.roll.activeTrackChanged) as sig:
        rig.qtbot.mouseClick(rig.canvas, LEFT, NOMOD, rig.at(2 * BEAT + 100, 48, 10))
    assert sig.args == [2] and rig.roll.selection == {d}


# -- moving and resizing ------------------------------------------------------------------------

def test_drag_moves_the_selection_in_time_and_pitch_as_one_step(rig: Rig) -> None:
    a, b, _c, _d = sorted(rig.project.notes)
    rig.roll.editor.set_selection({a, b})
    rig.drag(rig.canvas, rig.at(2 * BEAT, 60, 20), rig.at(3 * BEAT - S16 // 3, 63, 20), steps=10)
    assert rig.project.notes[a].start == 3 * BEAT and rig.project.notes[a].pitch == 63
    assert rig.project.notes[b].start == 5 * BEAT and rig.project.notes[b].pitch == 67
    assert rig.doc.history() == ["Move notes"]
    assert (63, 90) in rig.heard  # the moved note sounds at its new pitch
    rig.check_undo()


def test_a_drag_reaches_the_project_file_once_on_release(rig: Rig) -> None:
    a, b, _c, _d = sorted(rig.project.notes)
    rig.roll.editor.set_selection({a, b})
    writes: list[int] = []
    write = rig.sink.write
    rig.sink.write = lambda changes, settings: (writes.append(len(changes)),  # type: ignore[method-assign]
                                                write(changes, settings))
    rig.drag(rig.canvas, rig.at(2 * BEAT, 60, 20), rig.at(4 * BEAT, 65, 20), steps=10)
    assert len(writes) == 1 and writes[0] >= 2  # every move shown at once, written once
    assert rig.doc.history() == ["Move notes"]
    rig.drag(rig.roll.velocity_lane, QPoint(round(rig.roll.geo.x_of(BEAT)), 3),
             QPoint(round(rig.roll.geo.x_of(7 * BEAT)), 60), steps=8)
    assert len(writes) == 2 and rig.doc.history() == ["Move notes", "Change velocity"]
    rig.check_undo(2)


def test_drag_right_edge_resizes(rig: Rig) -> None:
    a = min(rig.project.notes)
    rig.drag(rig.canvas, rig.at(3 * BEAT, 60, -2), rig.at(4 * BEAT + S16 // 4, 60, -2))
    assert rig.project.notes[a].duration == 2 * BEAT
    assert rig.doc.history() == ["Resize note"]
    rig.check_undo()


# -- keys ---------------------------------------------------------------------------------------

def test_delete_key_and_right_click(rig: Rig) -> None:
    a, b, _c, _d = sorted(rig.project.notes)
    rig.roll.editor.set_selection({a})
    rig.key(Qt.Key.Key_Delete)
    assert a not in rig.project.notes and rig.roll.selection == set()
    # a right-click selects the note for the menu (roll_menu), it deletes nothing
    rig.qtbot.mouseClick(rig.canvas, RIGHT, NOMOD, rig.at(4 * BEAT + 100, 64, 10))
    assert b in rig.project.notes and rig.roll.selection == {b}
    rig.check_undo(1)


def test_duplicate_lands_on_the_grid_after_the_selection(rig: Rig) -> None:
    a, b, _c, _d = sorted(rig.project.notes)
    rig.roll.editor.set_selection({a, b})
    rig.key(Qt.Key.Key_D, CTRL)
    assert (5 * BEAT, BEAT, 60) in rig.notes(1) and (7 * BEAT, BEAT, 64) in rig.notes(1)
    assert len(rig.roll.selection) == 2 and not rig.roll.selection & {a, b}
    rig.check_undo()


def test_copy_and_paste_at_the_playhead(rig: Rig) -> None:
    a, b, _c, _d = sorted(rig.project.notes)
    rig.roll.editor.set_selection({a, b})
    rig.key(Qt.Key.Key_C, CTRL)
    rig.transport.seek(12 * BEAT)
    rig.key(Qt.Key.Key_V, CTRL)
    assert (12 * BEAT, BEAT, 60) in rig.notes(1) and (14 * BEAT, BEAT, 64) in rig.notes(1)
    rig.key(Qt.Key.Key_X, CTRL)  # cut the pasted copy
    assert len(rig.project.notes) == 4
    rig.check_undo(2)


def test_arrows_transpose_and_nudge(rig: Rig) -> None:
    a = min(rig.project.notes)
    rig.roll.editor.set_selection({a})
    rig.key(Qt.Key.Key_Up)
    assert rig.project.notes[a].pitch == 61
    rig.key(Qt.Key.Key_Down, SHIFT)
    assert rig.project.notes[a].pitch == 49
    rig.key(Qt.Key.Key_Right)
    assert rig.project.notes[a].start == 2 * BEAT + S16
    rig.key(Qt.Key.Key_Right, ALT)  # one frame
    assert rig.project.notes[a].start == 2 * BEAT + S16 + FPF
    rig.key(Qt.Key.Key_Left)  # back to the grid line at or before
    assert rig.project.notes[a].start == 2 * BEAT + S16
    rig.check_undo(5)


def test_arrows_without_a_selection_are_left_to_the_window(rig: Rig) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    event = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_Right, NOMOD)
    assert rig.roll.event(event) is False or not event.isAccepted()
    rig.roll.editor.set_selection({min(rig.project.notes)})
    event = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_Right, NOMOD)
    assert rig.roll.event(event) and event.isAccepted()


def test_q_quantizes_with_strength_swing_and_ends(qtbot) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, [(1, S16 + 1000, BEAT + 500, 60), (1, 3 * S16 - 2000, S16, 62)])
    rig.key(Qt.Key.Key_Q)  # nothing selected: the whole track
    assert rig.notes(1) == [(S16, BEAT + 500, 60), (3 * S16, S16, 62)]
    rig.doc.undo()
    rig.roll.editor.set_selection({1})
    rig.roll.toolbar.strength_box.setValue(50)
    rig.roll.toolbar.lengths_box.setChecked(True)
    rig.key(Qt.Key.Key_Q)
    n = rig.project.notes[1]
    assert n.start == S16 + 500
    assert n.end == (S16 + 1000 + BEAT + 500 + S16 + BEAT) // 2
    rig.check_undo()


# -- lanes --------------------------------------------------------------------------------------

def test_velocity_lane_drag_sets_velocities_in_one_step(rig: Rig) -> None:
    lane = rig.roll.velocity_lane
    geo = rig.roll.geo
    top = QPoint(round(geo.x_of(BEAT)), 3)
    bottom = QPoint(round(geo.x_of(7 * BEAT)), lane.height() - 3)
    rig.drag(lane, top, bottom, steps=12)
    vel = [rig.project.notes[i].velocity for i in sorted(rig.project.notes)[:3]]
    assert vel[0] > vel[1] > vel[2] and vel[0] > 90 and vel[2] < 40
    assert rig.project.notes[4].velocity == 90  # the other track is left alone
    assert rig.doc.history() == ["Change velocity"]
    rig.check_undo()


@pytest.mark.parametrize("controller", list(Controller))
def test_controller_lane_draws_and_erases(rig: Rig, controller: Controller) -> None:
    rig.roll.controller_box.setCurrentIndex(rig.roll.controller_box.findData(controller))
    lane = rig.roll.controller_lane
    geo = rig.roll.geo
    rig.drag(lane, QPoint(round(geo.x_of(BEAT)), lane.height() - 3),
             QPoint(round(geo.x_of(3 * BEAT)), 3), steps=8)
    points = sorted((p.time, p.value) for p in rig.project.controls.values())
    assert len(points) > 5 and all(p.controller is controller for p in rig.project.controls.values())
    values = [v for _t, v in points]
    assert values == sorted(values)
    assert rig.doc.history() and len(rig.doc.history()) == 1
    rig.drag(lane, QPoint(round(geo.x_of(BEAT)) - 5, 20), QPoint(round(geo.x_of(2 * BEAT)), 20),
             button=RIGHT)
    assert all(p.time > 2 * BEAT for p in rig.project.controls.values())
    rig.check_undo(2)


# -- snapping to frames and hits ----------------------------------------------------------------

def test_snap_to_hits_pulls_a_moved_note_onto_the_hit(rig: Rig) -> None:
    rig.roll.editor.set_snap(SnapMode.HITS)
    a = min(rig.project.notes)
    hit = 48 * FPF  # "door", frame 48 = 2 s = beat 4
    rig.drag(rig.canvas, rig.at(2 * BEAT, 60, 20), rig.at(hit - FPF // 3, 60, 20))
    assert rig.project.notes[a].start == hit
    rig.check_undo()


# -- the readout, the keyboard, the ruler -------------------------------------------------------

def test_frames_off_readout(qtbot) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot, [(1, 48 * FPF + 2 * FPF + 5, BEAT, 60), (1, 96 * FPF - FPF, BEAT, 62),
                      (1, 48 * FPF, BEAT, 64), (1, 70 * FPF, BEAT, 65)])
    assert rig.roll.frames_off_readout() == {1: 2, 2: -1, 3: 0}
    image = rig.roll.grab()
    assert not image.isNull()


def test_keyboard_auditions_and_releases(rig: Rig) -> None:
    kb = rig.roll.keyboard
    y = round(rig.roll.geo.y_of(65) + rig.roll.geo.key_h / 2)
    rig.qtbot.mousePress(kb, LEFT, NOMOD, QPoint(kb.width() - 2, y))
    rig.qtbot.mouseMove(kb, QPoint(kb.width() - 2, y - round(rig.roll.geo.key_h)))
    rig.qtbot.mouseRelease(kb, LEFT, NOMOD, QPoint(kb.width() - 2, y - round(rig.roll.geo.key_h)))
    assert [p for p, v in rig.heard if v] == [65, 66]
    assert rig.heard[-1] == (66, 0) and rig.heard[1] == (65, 0)
    assert rig.heard[0][1] > 100  # struck at the tip: loud


def test_ruler_click_moves_the_playhead_to_a_frame(rig: Rig) -> None:
    x = round(rig.roll.geo.x_of(3 * SEC + FPF // 3))
    rig.qtbot.mouseClick(rig.roll.ruler, LEFT, NOMOD, QPoint(x, 10))
    assert rig.transport.position() % FPF == 0
    assert abs(rig.transport.position() - 3 * SEC) <= FPF
    assert rig.roll.playhead == rig.transport.position()


def test_ruler_lead_switches_on_double_click(rig: Rig) -> None:
    assert rig.roll.ruler_lead is RulerLead.TIMECODE
    rig.qtbot.mouseDClick(rig.roll.ruler, LEFT, NOMOD, QPoint(100, 10))
    assert rig.roll.ruler_lead is RulerLead.BARS


# -- zoom, scroll, follow -----------------------------------------------------------------------

def test_ctrl_wheel_zooms_time_around_the_pointer(rig: Rig) -> None:
    geo = rig.roll.geo
    pos = QPoint(400, 100)
    t = geo.t_of(pos.x())
    fpp = geo.fpp
    rig.wheel(rig.canvas, pos, 120, CTRL)
    assert geo.fpp < fpp and abs(geo.t_of(pos.x()) - t) <= geo.fpp
    key_h = geo.key_h
    rig.wheel(rig.canvas, pos, 120, CTRL | SHIFT)
    assert geo.key_h > key_h
    key_h = geo.key_h
    rig.wheel(rig.canvas, pos, -120, ALT)
    assert geo.key_h < key_h
    t0 = geo.t0
    rig.wheel(rig.canvas, pos, -120, SHIFT)
    assert geo.t0 > t0
    top = geo.top
    rig.wheel(rig.canvas, pos, 120, NOMOD)
    assert geo.top > top


def test_zoom_to_cue_and_to_selection(rig: Rig) -> None:
    geo = rig.roll.geo
    rig.roll.zoom_to_cue(2)
    assert geo.t0 < 480 * FPF < 720 * FPF < geo.t1
    assert (geo.t1 - geo.t0) < 300 * FPF
    rig.transport.seek(30 * FPF)
    rig.roll.tick()
    rig.key(Qt.Key.Key_Z, SHIFT)  # the cue under the playhead: 1M1
    assert geo.t0 < 24 * FPF and 240 * FPF < geo.t1 < 300 * FPF
    a = min(rig.project.notes)
    rig.roll.editor.set_selection({a})
    rig.key(Qt.Key.Key_Z)
    assert geo.t0 < 2 * BEAT and 3 * BEAT < geo.t1 < 4 * BEAT


@pytest.mark.parametrize("mode", [Follow.PAGE, Follow.CONTINUOUS])
def test_the_view_follows_playback(rig: Rig, mode: Follow) -> None:
    rig.roll.set_follow(mode)
    geo = rig.roll.geo
    clock = rig.transport.clock
    assert isinstance(clock, FakeClock)
    rig.transport.play()
    assert rig.roll._timer.isActive()
    seen = []
    for _ in range(20 * 60):  # 20 s at 60 frames a second
        clock.advance(1_000_000_000 // 60)
        rig.roll.tick()
        x = geo.x_of(rig.roll.playhead)
        assert 0 <= x <= geo.width
        seen.append(geo.t0)
    rig.transport.stop()
    assert not rig.roll._timer.isActive()
    moves = sum(1 for a, b in zip(seen, seen[1:]) if a != b)
    if mode is Follow.PAGE:
        assert 1 <= moves <= 3  # a page turn every 8 s
    else:
        assert moves > 100
        assert abs(geo.x_of(rig.roll.playhead) - geo.width / 3) <= 2


def test_toolbar_shows_and_sets_the_roll_settings(rig: Rig) -> None:
    bar = rig.roll.toolbar
    assert bar.grid_box.currentText() == "1/16" and bar.snap_box.currentText() == "Grid"
    assert bar.strength_box.value() == 100 and bar.follow_box.currentText() == "Page"
    rig.roll.set_follow(Follow.CONTINUOUS)
    rig.roll.editor.set_snap(SnapMode.HITS)
    assert bar.follow_box.currentText() == "Scroll" and bar.snap_box.currentText() == "Hits"
    bar.snap_box.setCurrentIndex(bar.snap_box.findText("Frames"))
    assert rig.roll.editor.snap_mode is SnapMode.FRAMES
    bar.swing_box.setValue(33)
    assert rig.roll.editor.quantize.swing == pytest.approx(0.33)


def test_grid_choice_changes_snapping(rig: Rig) -> None:
    rig.roll.toolbar.grid_box.setCurrentIndex(rig.roll.toolbar.grid_box.findText("1/8T"))
    assert rig.roll.editor.grid == Grid.parse("1/8T")
    rig.qtbot.mouseClick(rig.canvas, LEFT, NOMOD, rig.at(9 * BEAT + BEAT // 3 + 1000, 72))
    assert (9 * BEAT + BEAT // 3, BEAT // 3, 72) in rig.notes(1)


def test_undo_from_outside_keeps_the_roll_consistent(rig: Rig) -> None:
    a = min(rig.project.notes)
    rig.roll.editor.set_selection({a})
    rig.key(Qt.Key.Key_Delete)
    rig.doc.undo()
    assert a in rig.roll.index.track_ids(1)
    rig.doc.redo()
    assert a not in rig.roll.index.track_ids(1)
    tn = rig.roll.index.notes[1]
    assert list(tn["start"]) == sorted(n.start for n in rig.project.notes.values() if n.track_id == 1)


def test_a_tempo_change_moves_the_grid(rig: Rig) -> None:
    from cuesketch.timing.tempo import TempoMap
    settings = rig.project.settings
    rig.doc.set_settings(Settings(tempo=TempoMap.constant(Fraction(60)), rate=settings.rate))
    rig.qtbot.mouseClick(rig.canvas, LEFT, NOMOD, rig.at(5 * SEC + SEC // 8, 72))
    assert (5 * SEC, SEC // 4, 72) in rig.notes(1)  # a sixteenth at 60 bpm


def test_roll_keys_win_over_window_shortcuts_only_when_they_apply(rig: Rig, qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMainWindow
    window = QMainWindow()
    qtbot.addWidget(window)
    fired: list[str] = []
    step = QAction("Forward One Frame", window)
    step.setShortcut(QKeySequence("Right"))
    step.triggered.connect(lambda: fired.append("frame"))
    window.addAction(step)
    window.setCentralWidget(rig.roll)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    rig.canvas.setFocus()
    a = min(rig.project.notes)
    qtbot.keyClick(rig.canvas, Qt.Key.Key_Right)  # nothing selected: the window's frame step
    assert fired == ["frame"] and rig.project.notes[a].start == 2 * BEAT
    rig.roll.editor.set_selection({a})
    qtbot.keyClick(rig.canvas, Qt.Key.Key_Right)  # a selection: the roll nudges it
    assert fired == ["frame"] and rig.project.notes[a].start == 2 * BEAT + S16
    window.takeCentralWidget()  # the rig's fixture owns the roll


def test_the_scroll_bars_move_the_view(rig: Rig) -> None:
    geo = rig.roll.geo
    t0, top = geo.t0, geo.top
    rig.roll.hbar.setValue(rig.roll.hbar.value() + 100)
    assert geo.t0 == pytest.approx(t0 + 100 * geo.fpp, abs=geo.fpp)
    rig.roll.vbar.setValue(rig.roll.vbar.value() + 120)
    assert geo.top == pytest.approx(top - 10)


def test_shift_drag_in_the_ruler_selects_a_time_range(rig: Rig) -> None:
    geo = rig.roll.geo
    position = rig.transport.position()
    rig.drag(rig.roll.ruler, QPoint(round(geo.x_of(3 * BEAT)), 10),
             QPoint(round(geo.x_of(6 * BEAT + S16)), 10), mods=SHIFT)
    _a, b, c, _d = sorted(rig.project.notes)
    assert rig.roll.selection == {b, c}
    assert rig.transport.position() == position  # the playhead stays


def test_scrolling_under_the_playhead_draws_what_a_full_repaint_draws(qtbot) -> None:  # type: ignore[no-untyped-def]
    import numpy as np
    from PySide6.QtGui import QImage

    from cuesketch.model.changes import insert
    notes = [(1 + k % 2, k * S16 * 3, S16 * (1 + k % 4), 50 + (k * 7) % 30) for k in range(200)]
    rig = Rig(qtbot, notes)
    # hits that come into view from the right while it scrolls, with notes near them
    rig.doc.execute_changes([insert(Hit(10 + k, f, f"hit {k}")) for k, f in enumerate((200, 262))])
    rig.roll.set_follow(Follow.CONTINUOUS)
    rig.roll.show_range(0, 6 * SEC)
    clock = rig.transport.clock
    assert isinstance(clock, FakeClock)
    rig.transport.play()
    for _ in range(8 * 60):
        clock.advance(1_000_000_000 // 60)
        rig.roll.tick()
        QApplication.processEvents()
    rig.transport.stop()
    QApplication.processEvents()
    assert rig.roll.geo.t0 > 5 * SEC and rig.roll.frames_off_readout()

    def pixels() -> np.ndarray:  # what is on screen (grab() would paint afresh)
        shot = rig.roll.screen().grabWindow(rig.roll.winId())
        image = shot.toImage().convertToFormat(QImage.Format.Format_RGB32)
        return np.frombuffer(image.constBits(), np.uint32).reshape(image.height(), -1).copy()
    scrolled = pixels()
    rig.roll.refresh()
    QApplication.processEvents()
    full = pixels()
    assert scrolled.shape == full.shape and len(np.unique(full)) > 20
    differ = int((scrolled != full).sum())
    assert differ <= 40, f"{differ} pixels differ"  # a pixel column may round the other way


def test_the_window_actions_run_the_roll_keys_commands(rig: Rig) -> None:
    from cuesketch.ui.actions import SPECS
    from cuesketch.ui.roll_editor import ACTION_COMMANDS
    for name, command in ACTION_COMMANDS.items():
        assert all(KEYS[key] is command for key in SPECS[name].shortcuts), name
