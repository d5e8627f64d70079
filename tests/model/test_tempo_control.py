"""The tempo lane's controller, without a window: add, drag, edit, delete, each one undo step,
on the project's map and inside a cue on the cue's own."""

from __future__ import annotations

from fractions import Fraction

import pytest

from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Settings
from cuesketch.model.project import Project
from cuesketch.model.tempo_control import Row, TempoControl
from cuesketch.model.tempo_edits import ChangeForm, MapRef, TempoEditError
from cuesketch.timing.tempo import BarBeatTick, MeterChange, TempoChange, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

F = Fraction
BEAT = FLICKS_PER_SECOND // 2  # at 120 bpm
WIDE = BEAT / 40  # flicks per pixel: a beat is 40 px
FAR = BEAT  # a beat is a pixel: drags snap to bars


def control(cues: list[Cue] = ()) -> tuple[TempoControl, list[str]]:  # type: ignore[assignment]
    project = Project()
    project.load(Settings(), list(cues))
    said: list[str] = []
    return TempoControl(Document(project), said.append), said


def tempos(c: TempoControl, ref: MapRef = MapRef()) -> list[tuple[Fraction, Fraction, bool]]:
    tm = c.project.settings.tempo if ref.cue_id is None else c.project.cues[ref.cue_id].tempo
    assert tm is not None
    return [(t.beat, t.bpm, t.ramp) for t in tm.tempos]


def test_add_snaps_to_the_beat_or_zoomed_out_to_the_bar_one_step_each() -> None:
    c, said = control()
    mark = c.add(round(9.3 * BEAT), Row.TEMPO, WIDE)
    assert mark is not None and mark.beat == 9 and c.selected == mark.key
    assert tempos(c) == [(0, 120, False), (9, 120, False)]  # the tempo in force: nothing moves
    assert c.document.history() == ["Add tempo change"]
    assert "Tempo change added at 3|2|000" in said[-1]
    far = c.add(round(9.3 * BEAT), Row.TEMPO, FAR)  # zoomed out: the nearest bar, 3|1
    assert far is not None and far.beat == 8
    assert c.add(round(9.1 * BEAT), Row.TEMPO, WIDE) is None  # beat 9 is taken
    assert "already" in said[-1] and len(c.document.history()) == 2
    free = c.add(round(9.5 * BEAT), Row.TEMPO, WIDE, free=True)
    assert free is not None and free.beat == F(19, 2)
    c.document.undo()
    c.document.undo()
    c.document.undo()
    assert tempos(c) == [(0, 120, False)]


def test_adding_inside_a_ramp_keeps_the_ramp_as_it_was() -> None:
    c, _ = control()
    ramp = TempoMap(0, (TempoChange(F(0), F(60), True), TempoChange(F(8), F(180))))
    c.document.set_settings(Settings(tempo=ramp))
    before = ramp.beat_to_flicks(8)
    mark = c.add(ramp.beat_to_flicks(4), Row.TEMPO, WIDE)
    assert mark is not None and mark.ramp and 60 < (mark.bpm or 0) < 180
    after = c.project.settings.tempo
    assert abs(after.beat_to_flicks(8) - before) <= 2  # the same curve, split in two


def test_add_a_meter_change_on_the_nearest_bar_line() -> None:
    c, _ = control()
    mark = c.add(round(7.4 * BEAT), Row.METER, WIDE)
    assert mark is not None and mark.beat == 8 and mark.label == "4/4"
    assert c.project.settings.tempo.meters == (MeterChange(0), MeterChange(2))
    assert c.set_meter(mark, 7, 8)
    assert c.project.settings.tempo.meters[1] == MeterChange(2, 7, 8)
    assert c.document.history() == ["Add meter change", "Change meter"]
    assert not c.set_meter(mark, 7, 9)
    c.document.undo()
    assert c.project.settings.tempo.meters[1] == MeterChange(2, 4, 4)


def test_a_drag_is_one_step_snapped_and_passes_over_taken_places() -> None:
    c, said = control()
    a = c.add(4 * BEAT, Row.TEMPO, WIDE)
    b = c.add(12 * BEAT, Row.TEMPO, WIDE)
    assert a is not None and b is not None and c.set_bpm(a, 90)
    steps = len(c.document.history())
    a = c.find(a.key)
    assert a is not None and c.begin_drag(a)
    # the beat under the pointer is read without the dragged change: 120 up to beat 12
    at = c.drag_to(round(6.2 * BEAT), WIDE)
    assert at is not None and at.beat == 6
    assert c.drag_to(12 * BEAT + 30, WIDE) is not None  # beat 12 is b's: a stays on 6
    assert [t[0] for t in tempos(c)] == [0, 6, 12] and "already" in said[-1]
    c.drag_to(round(7.9 * BEAT), WIDE)
    assert c.end_drag()
    assert tempos(c) == [(0, 120, False), (8, 90, False), (12, 120, False)]
    assert len(c.document.history()) == steps + 1
    assert c.document.history()[-1] == "Move tempo change"
    c.document.undo()
    assert [t[0] for t in tempos(c)] == [0, 4, 12]


def test_shift_drags_freely_to_the_tick_and_escape_takes_it_back() -> None:
    c, _ = control()
    a = c.add(4 * BEAT, Row.TEMPO, WIDE)
    assert a is not None and c.begin_drag(a)
    moved = c.drag_to(round(5.3 * BEAT), WIDE, free=True)
    assert moved is not None and moved.beat == F(53, 10)
    steps = c.document.history()
    c.cancel_drag()
    assert [t[0] for t in tempos(c)] == [0, 4] and c.document.history() == steps


def test_meters_drag_to_bar_lines() -> None:
    c, _ = control()
    m = c.add(8 * BEAT, Row.METER, WIDE)
    assert m is not None and c.set_meter(m, 3, 4)
    m = c.find(m.key)
    assert m is not None and c.begin_drag(m)
    c.drag_to(round(13.5 * BEAT), WIDE)  # bar 4 starts on beat 12, bar 5 on 16
    assert c.end_drag()
    assert c.project.settings.tempo.meters == (MeterChange(0), MeterChange(3, 3, 4))
    assert c.document.history()[-1] == "Move meter change"


def test_the_first_changes_are_edited_not_moved_or_removed() -> None:
    c, said = control()
    first = c.marks()[0]
    assert first.first and not c.begin_drag(first) and "stays at the start" in said[-1]
    assert not c.delete(first) and "can't be removed" in said[-1]
    meter = next(m for m in c.marks() if m.row is Row.METER)
    assert not c.delete(meter)
    assert c.document.history() == []
    assert c.set_bpm(first, 96) and tempos(c) == [(0, 96, False)]


def test_delete_the_selected_change_one_step() -> None:
    c, _ = control()
    c.add(4 * BEAT, Row.TEMPO, WIDE)
    assert c.delete()  # the selected one
    assert tempos(c) == [(0, 120, False)] and c.selected is None
    assert c.document.history() == ["Add tempo change", "Delete tempo change"]
    assert not c.delete()
    c.document.undo()
    assert len(tempos(c)) == 2


def test_the_editor_form_is_one_step_and_errors_change_nothing() -> None:
    c, _ = control()
    mark = c.add(4 * BEAT, Row.TEMPO, WIDE)
    assert mark is not None
    form = c.form(mark)
    assert form == ChangeForm(BarBeatTick(2), F(120), False, None)
    assert not c.has_next(mark)
    assert c.submit(mark, ChangeForm(BarBeatTick(3), F(72), True, (6, 8)))
    assert tempos(c) == [(0, 120, False), (8, 72, True)]
    assert c.project.settings.tempo.meters[-1] == MeterChange(2, 6, 8)
    assert c.document.history()[-1] == "Edit tempo and meter"
    assert c.selected is not None and c.selected[2] == 8
    steps = len(c.document.history())
    moved = c.find(c.selected)
    assert moved is not None
    with pytest.raises(TempoEditError, match="out of range"):
        c.submit(moved, ChangeForm(BarBeatTick(3), F(4000), True, (6, 8)))
    assert len(c.document.history()) == steps


def test_inside_a_cue_with_its_own_map_the_lane_edits_that_map() -> None:
    c, said = control([Cue(1, "1M1", 240, 480)])  # 10 s to 20 s at 24 fps
    assert [r.ref for r in c.regions()] == [MapRef()]
    assert c.give_own_map(1) and not c.give_own_map(1)
    assert c.document.history() == ["Give 1M1 its own tempo"]
    regions = c.regions()
    assert [r.ref for r in regions] == [MapRef(), MapRef(1), MapRef()]
    start, end = 10 * FLICKS_PER_SECOND, 20 * FLICKS_PER_SECOND
    assert regions[1].start == start and regions[1].end == end
    cue_marks = [m for m in c.marks() if m.ref == MapRef(1)]
    assert {(m.row, m.at) for m in cue_marks} == {(Row.TEMPO, start), (Row.METER, start)}
    mark = c.add(start + round(2.2 * BEAT), Row.TEMPO, WIDE)  # beat 2 of the cue's map
    assert mark is not None and mark.ref == MapRef(1) and mark.beat == 2
    assert "1M1's tempo map" in said[-1]
    assert tempos(c) == [(0, 120, False)]  # the project's map is untouched
    assert tempos(c, MapRef(1)) == [(0, 120, False), (2, 120, False)]
    assert c.set_bpm(mark, 60)
    # the bars inside the cue follow its map, counted from the cue's start
    cue_map = c.project.cues[1].tempo
    assert cue_map is not None and cue_map.flicks_to_bbt(start + 3 * BEAT) == BarBeatTick(1, 3, 480)
    # near the cue's end, the nearest bar line or beat inside the cue (not the one at its end)
    near_end = c.add(end - BEAT // 10, Row.METER, WIDE)
    assert near_end is not None and near_end.ref == MapRef(1) and start < near_end.at < end
    near_end = c.add(end - BEAT // 10, Row.TEMPO, WIDE)
    assert near_end is not None and start < near_end.at < end
    assert c.document.undo() and c.document.undo()
    # a drag stays inside the cue
    mark = c.find((MapRef(1), Row.TEMPO, F(2)))
    assert mark is not None and c.begin_drag(mark)
    last = c.drag_to(end + 50 * BEAT, WIDE)
    assert c.end_drag() and last is not None and start < last.at < end
    assert c.follow_project(1) and c.project.cues[1].tempo is None
    assert [r.ref for r in c.regions()] == [MapRef()]
    c.document.undo()
    assert c.project.cues[1].tempo is not None


def test_the_tempo_curve_is_flat_for_steps_and_straight_for_ramps() -> None:
    c, _ = control()
    ramp = TempoMap(0, (TempoChange(F(0), F(60), True), TempoChange(F(8), F(180))))
    c.document.set_settings(Settings(tempo=ramp))
    region = c.regions()[0]
    at8 = ramp.beat_to_flicks(8)
    points = c.curve(region, 0, at8 + 10 * BEAT)
    assert points[0] == (0, 60.0) and points[-1] == (at8 + 10 * BEAT, 180.0)
    assert (at8, 180.0) in points
    assert c.bpm_range() == (60.0, 180.0)
    hit = c.mark_at(at8 + 100, Row.TEMPO, 1000)
    assert hit is not None and hit.index == 1 and not hit.ramp
    assert c.marks()[0].ramp and c.mark_at(at8 + 5000, Row.TEMPO, 1000) is None


def test_read_only_and_undo_mid_drag_are_said_not_raised() -> None:
    c, said = control()
    mark = c.add(4 * BEAT, Row.TEMPO, WIDE)
    assert mark is not None and c.begin_drag(mark)
    c.drag_to(6 * BEAT, WIDE)
    assert c.document.undo() == "Move tempo change"  # Ctrl+Z while dragging: the drag goes
    assert c.drag_to(8 * BEAT, WIDE) is None and not c.end_drag()
    assert [t[0] for t in tempos(c)] == [0, 4] and c.document.history() == ["Add tempo change"]
    c.document.read_only = True
    assert c.add(10 * BEAT, Row.TEMPO, WIDE) is None and "read-only" in said[-1]
    assert not c.delete(mark) and not c.give_own_map(1)


def test_a_drag_of_a_change_an_undo_took_away_is_said() -> None:
    c, said = control()
    mark = c.add(4 * BEAT, Row.TEMPO, WIDE)
    assert mark is not None
    c.document.undo()
    assert not c.begin_drag(mark) and "not there any more" in said[-1]
    assert c.dragging is None and c.document.history() == []
