"""A tempo edit moves the music with its beats (notes and controller points, in one undo step
with the map); hits, cues and everything outside the map's reach stay on their frames."""

from __future__ import annotations

from fractions import Fraction

from cuesketch.model.document import Document
from cuesketch.model.entities import ControlPoint, Controller, Cue, Hit, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.model.tempo_control import Row, TempoControl
from cuesketch.model.tempo_edits import MapRef
from cuesketch.model.tempo_follow import differs_from, follow
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC

F = Fraction
BEAT = SEC // 2  # at 120 bpm
WIDE = BEAT / 40


def doc(cues: list[Cue] = ()) -> Document:  # type: ignore[assignment]
    project = Project()
    project.load(Settings(), [
        Track(1, "Strings"), Note(1, 1, 4 * BEAT, BEAT, 60), Note(2, 1, 10 * BEAT, 2 * BEAT, 62),
        Note(3, 1, 7 * BEAT, 2 * BEAT, 64),  # across beat 8
        ControlPoint(1, 1, 12 * BEAT, Controller.MODULATION, 64), Hit(1, 240, "door"),
        *cues])
    return Document(project)


def starts(d: Document) -> dict[int, tuple[int, int]]:
    return {n.id: (n.start, n.duration) for n in d.project.notes.values()}


def test_a_slower_tempo_from_beat_8_moves_what_comes_after_with_its_beats() -> None:
    d = doc()
    c = TempoControl(d)
    mark = c.add(8 * BEAT, Row.TEMPO, WIDE)
    assert mark is not None and starts(d)[2] == (10 * BEAT, 2 * BEAT)  # nothing moved yet
    before = dict(d.project.notes), dict(d.project.controls), dict(d.project.hits)
    assert c.set_bpm(mark, 60)
    # beat 10 is two beats of 60 (2 s) after beat 8 (4 s): 6 s, and two beats last 2 s
    assert starts(d)[2] == (6 * SEC, 2 * SEC)
    assert starts(d)[1] == (4 * BEAT, BEAT)  # before the change: where it was
    assert starts(d)[3] == (7 * BEAT, BEAT + SEC)  # from beat 7 (3.5 s) to beat 9 (5 s)
    assert d.project.controls[1].time == 4 * SEC + 4 * SEC  # beat 12
    assert d.project.hits == before[2]  # hits stay on their frames
    assert d.history() == ["Add tempo change", "Change tempo"]  # the notes in the same step
    d.undo()
    assert d.project.notes == before[0] and d.project.controls == before[1]


def test_a_meter_change_moves_nothing_and_following_can_be_turned_off() -> None:
    d = doc()
    c = TempoControl(d)
    notes = dict(d.project.notes)
    meter = c.add(8 * BEAT, Row.METER, WIDE)
    assert meter is not None and c.set_meter(meter, 3, 4)
    assert d.project.notes == notes
    c.notes_follow = False
    first = c.marks()[0]
    assert c.set_bpm(first, 60)
    assert d.project.notes == notes and d.project.settings.tempo.tempos[0].bpm == 60


def test_the_first_tempo_reaches_back_before_the_origin() -> None:
    project = Project()
    project.load(Settings(tempo=TempoMap(4 * SEC)), [Track(1, "Strings"),
                                                     Note(1, 1, 3 * SEC, BEAT, 60)])
    d = Document(project)
    c = TempoControl(d)
    assert c.set_bpm(c.marks()[0], 60)  # beat -2 of 120 is beat -2 of 60: 2 s before 4 s
    assert d.project.notes[1].start == 2 * SEC and d.project.notes[1].duration == SEC


def test_a_cues_map_moves_only_the_cues_music_and_the_projects_map_not_the_cues() -> None:
    d = doc([Cue(1, "1M1", 96, 192)])  # 4 s to 8 s: notes 2 (5 s) and 3 (3.5 s) start in it
    c = TempoControl(d)
    assert c.give_own_map(1)
    own = c.marks()  # the cue's first change sits at 4 s
    cue_first = next(m for m in own if m.ref == MapRef(1) and m.row is Row.TEMPO)
    assert c.set_bpm(cue_first, 60)
    # note 2 at 5 s is beat 2 of the cue's map: 2 s after 4 s at 60; note 3 (3.5 s) is outside
    assert starts(d)[2] == (6 * SEC, 2 * SEC)
    assert starts(d)[3] == (7 * BEAT, 2 * BEAT) and starts(d)[1] == (4 * BEAT, BEAT)
    project_first = next(m for m in c.marks() if m.ref == MapRef() and m.row is Row.TEMPO)
    assert c.set_bpm(project_first, 60)
    assert starts(d)[2] == (6 * SEC, 2 * SEC)  # inside the cue: its own map rules
    assert starts(d)[1] == (4 * SEC, SEC) and starts(d)[3] == (7 * SEC, 2 * SEC)
    # the point at 6 s (beat 4 of the cue's map) went to 8 s, past the cue's last frame: from
    # there the project's map carries it (beat 16: 16 s at 60)
    assert d.project.controls[1].time == 16 * SEC


def test_a_drag_moves_the_music_along_in_one_step_from_where_it_was() -> None:
    d = doc()
    c = TempoControl(d)
    mark = c.add(8 * BEAT, Row.TEMPO, WIDE)
    assert mark is not None and c.set_bpm(mark, 60)
    after_edit = dict(d.project.notes)
    mark = c.find(c.selected)
    assert mark is not None and c.begin_drag(mark)
    for beat in (9, 10, 9, 6, 9):
        c.drag_to(beat * BEAT, WIDE)  # the map without the change: 120 throughout
    assert c.end_drag()
    # 60 from beat 9 (4.5 s): note 2 at beat 10 starts at 5.5 s; note 3 (beats 7 to 9) is
    # back to its length at 120
    assert starts(d)[2] == (4 * SEC + BEAT + SEC, 2 * SEC)
    assert starts(d)[3] == (7 * BEAT, 2 * BEAT)
    assert d.history() == ["Add tempo change", "Change tempo", "Move tempo change"]
    d.undo()
    assert d.project.notes == after_edit


def test_differs_from() -> None:
    a = TempoMap(0, (TempoChange(F(0), F(120)), TempoChange(F(8), F(90), True),
                     TempoChange(F(16), F(140))))
    assert differs_from(a, a) is None
    assert differs_from(a, TempoMap(0, a.tempos, (MeterChange(0, 3, 4),))) is None
    later = TempoMap(0, (*a.tempos[:2], TempoChange(F(16), F(150))))
    assert differs_from(a, later) == a.beat_to_flicks(8)  # the ramp into it bends from beat 8
    assert differs_from(a, TempoMap(0, a.tempos[:2])) == a.beat_to_flicks(8)
    assert differs_from(a, TempoMap(0, (TempoChange(F(0), F(100)), *a.tempos[1:]))) < 0
    assert differs_from(a, TempoMap(5, a.tempos)) < 0
    project = Project()
    assert follow(project, a, later, lambda t: True) == []  # no notes, no changes


def test_a_drag_moves_the_music_in_view_at_once_and_the_rest_on_release() -> None:
    d = doc()
    c = TempoControl(d)
    mark = c.add(6 * BEAT, Row.TEMPO, WIDE)
    assert mark is not None and c.set_bpm(mark, 60)
    moved_by_edit = dict(d.project.notes)
    mark = c.find(c.selected)
    assert mark is not None and c.begin_drag(mark)
    view = (0, 5 * SEC)  # note 3 (from 3.5 s) is in view, note 2 and the point are not
    c.drag_to(5 * BEAT, WIDE, focus=view)
    assert starts(d)[3] == (4 * SEC + BEAT, 2 * SEC)  # beat 7: 2.5 s + 2 beats of 60
    assert d.project.notes[2] == moved_by_edit[2]  # out of view: not yet
    assert c.end_drag()
    assert starts(d)[2] == (7 * SEC + BEAT, 2 * SEC)  # beat 10: 2.5 s + 5 beats of 60
    assert d.project.controls[1].time == 9 * SEC + BEAT
    assert d.history() == ["Add tempo change", "Change tempo", "Move tempo change"]
    d.undo()
    assert d.project.notes == moved_by_edit


def test_past_the_last_change_that_differs_the_music_shifts_alike() -> None:
    a = TempoMap(0, (TempoChange(F(0), F(120)), TempoChange(F(8), F(90), True),
                     TempoChange(F(16), F(140)), TempoChange(F(40), F(100))))
    b = TempoMap(0, (TempoChange(F(0), F(120)), TempoChange(F(8), F(60), True),
                     TempoChange(F(16), F(140)), TempoChange(F(40), F(100))))
    from cuesketch.model.tempo_follow import shifted_after
    at, delta = shifted_after(a, b) or (0, 0)
    assert at == a.beat_to_flicks(16) and delta == b.beat_to_flicks(16) - a.beat_to_flicks(16)
    for beat in (F(16), F(17, 3), F(39), F(40), F(41), F(1000)):
        t = a.beat_to_flicks(beat)
        if t >= at:
            assert abs(t + delta - b.beat_to_flicks(a.flicks_to_beat(t))) <= 1
    assert shifted_after(a, a) is None
    assert shifted_after(a, TempoMap(0, (*a.tempos[:3], TempoChange(F(40), F(99))))) is None
