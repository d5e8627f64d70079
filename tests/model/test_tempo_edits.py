"""Tempo and meter edits, without Qt: each returns the new map, checked, and through the
Document each is one undo step."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from cuesketch.model import tempo_edits as te
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Settings
from cuesketch.model.project import Project
from cuesketch.model.tempo_edits import ChangeForm, MapRef, TempoEditError
from cuesketch.timing.tempo import BarBeatTick, MeterChange, TempoChange, TempoMap

F = Fraction


def three() -> TempoMap:
    """120 from bar 1, 90 from bar 5 ramping to 140 at bar 9; 4/4, 3/4 from bar 3."""
    return TempoMap(0, (TempoChange(F(0), F(120)), TempoChange(F(16), F(90), True),
                        TempoChange(F(32), F(140))),
                    (MeterChange(0, 4, 4), MeterChange(2, 3, 4)))


# -- tempo changes ----------------------------------------------------------------------------

def test_add_tempo_lands_on_a_tick_in_order() -> None:
    tm = te.add_tempo(three(), F(8) + F(1, 3000), 100)
    assert [t.beat for t in tm.tempos] == [0, 8, 16, 32]
    assert tm.tempos[1] == TempoChange(F(8), F(100))


def test_add_tempo_refuses_a_taken_tick_and_bad_tempos_in_plain_words() -> None:
    with pytest.raises(TempoEditError, match="tempo change at .* already"):
        te.add_tempo(three(), F(16) + F(1, 4000), 100)  # rounds onto beat 16's tick
    with pytest.raises(TempoEditError, match="out of range: use 10 to 400 bpm"):
        te.add_tempo(three(), 4, 401)
    with pytest.raises(TempoEditError, match="out of range"):
        te.add_tempo(three(), 4, F(99, 10))
    with pytest.raises(TempoEditError, match="not a tempo"):
        te.add_tempo(three(), 4, "fast")
    with pytest.raises(TempoEditError, match="before the start"):
        te.add_tempo(three(), -1, 100)
    assert te.check_bpm(10) == 10 and te.check_bpm(400) == 400
    assert te.check_bpm(117.55) == F(11755, 100)


def test_move_tempo_keeps_its_tempo_and_order_and_never_moves_the_first() -> None:
    tm = te.move_tempo(three(), 1, 40)
    assert [(t.beat, t.bpm) for t in tm.tempos] == [(0, 120), (32, 140), (40, 90)]
    assert te.move_tempo(three(), 1, 16) == three()  # nowhere: the same map
    with pytest.raises(TempoEditError, match="first tempo change stays"):
        te.move_tempo(three(), 0, 4)
    with pytest.raises(TempoEditError, match="already"):
        te.move_tempo(three(), 1, 32)
    with pytest.raises(TempoEditError, match="move this one later"):
        te.move_tempo(three(), 2, 0)


def test_set_tempo_and_step_or_ramp() -> None:
    tm = te.set_tempo(three(), 0, 96)
    assert tm.tempos[0].bpm == 96 and tm.tempos[1:] == three().tempos[1:]
    step = te.set_tempo(three(), 1, ramp=False)
    assert not step.tempos[1].ramp and step.tempos[1].bpm == 90
    assert te.set_tempo(three(), 1, 90, True) == three()
    with pytest.raises(TempoEditError, match="out of range"):
        te.set_tempo(three(), 1, 0)
    with pytest.raises(TempoEditError, match="no tempo change number 9"):
        te.set_tempo(three(), 8, 100)


def test_a_ramp_moves_the_bars_after_it() -> None:
    tm = three()
    stepped = te.set_tempo(tm, 1, ramp=False)
    # 16 beats ramping 90 -> 140 take 120 * 16 / 230 s, stepped at 90 they take 16 * 60 / 90 s
    assert stepped.beat_to_flicks(32) - tm.beat_to_flicks(32) == round(
        (F(16 * 60, 90) - F(120 * 16, 230)) * 705_600_000)


def test_remove_tempo_but_never_the_first() -> None:
    assert [t.beat for t in te.remove_tempo(three(), 2).tempos] == [0, 16]
    with pytest.raises(TempoEditError, match="can't be removed, only edited"):
        te.remove_tempo(three(), 0)


# -- meter changes ----------------------------------------------------------------------------

def test_meter_edits() -> None:
    tm = te.add_meter(three(), 6, 6, 8)
    assert [(m.bar, m.numerator, m.denominator) for m in tm.meters] == [
        (0, 4, 4), (2, 3, 4), (6, 6, 8)]
    assert te.move_meter(three(), 1, 4).meters[1] == MeterChange(4, 3, 4)
    assert te.set_meter(three(), 0, 7, 8).meters[0] == MeterChange(0, 7, 8)
    assert te.remove_meter(three(), 1).meters == (MeterChange(0, 4, 4),)


@pytest.mark.parametrize("numerator, denominator, words", [
    (0, 4, "top number goes from 1 to 32, not 0"), (33, 4, "not 33"),
    (3, 6, "power of two .* not 6"), (3, 128, "not 128")])
def test_bad_meters_are_said_plainly(numerator: int, denominator: int, words: str) -> None:
    with pytest.raises(TempoEditError, match=words):
        te.add_meter(three(), 5, numerator, denominator)
    with pytest.raises(TempoEditError, match=words):
        te.set_meter(three(), 0, numerator, denominator)


def test_meter_changes_keep_to_their_bar_and_the_first_stays() -> None:
    with pytest.raises(TempoEditError, match="meter change at bar 3 already"):
        te.add_meter(three(), 2, 5, 4)
    with pytest.raises(TempoEditError, match="already"):
        te.move_meter(te.add_meter(three(), 5, 5, 4), 2, 2)
    with pytest.raises(TempoEditError, match="first meter change stays at bar 1"):
        te.move_meter(three(), 0, 3)
    with pytest.raises(TempoEditError, match="can't be removed"):
        te.remove_meter(three(), 0)
    with pytest.raises(TempoEditError, match="before the start"):
        te.add_meter(three(), -1, 3, 4)


# -- the editor's form ------------------------------------------------------------------------

def test_form_at_reads_the_changes_on_a_position() -> None:
    tm = three()
    assert te.form_at(tm, 0) == ChangeForm(BarBeatTick(1), F(120), False, (4, 4))
    # beat 16: bar 1-2 are 4/4 (8 beats), then 3/4: bar 3 starts at 8, bar 5 at 14 -> 5|3
    assert te.form_at(tm, 16) == ChangeForm(BarBeatTick(5, 3), F(90), True, None)
    assert te.form_at(tm, 8) == ChangeForm(BarBeatTick(3), None, False, (3, 4))


def test_apply_form_edits_moves_adds_and_removes_in_one_map() -> None:
    tm = three()
    edited = te.apply_form(tm, 16, ChangeForm(BarBeatTick(5, 3), F(96), False, None))
    assert edited.tempos[1] == TempoChange(F(16), F(96), False)
    moved = te.apply_form(tm, 16, ChangeForm(BarBeatTick(6), F(90), True, (5, 8)))
    assert moved.tempos[1] == TempoChange(F(17), F(90), True)  # bar 6 of 3/4 starts at 17
    assert moved.meters[-1] == MeterChange(5, 5, 8)
    gone = te.apply_form(tm, 8, ChangeForm(BarBeatTick(3), None, False, None))
    assert gone.meters == (MeterChange(0, 4, 4),) and gone.tempos == tm.tempos
    first = te.apply_form(tm, 0, ChangeForm(BarBeatTick(1), F(60), True, (6, 8)))
    assert first.tempos[0] == TempoChange(F(0), F(60), True)
    assert first.meters[0] == MeterChange(0, 6, 8)


def test_apply_form_says_what_is_wrong() -> None:
    tm = three()
    cases = [
        (0, ChangeForm(BarBeatTick(2), F(120), False, (4, 4)), "first tempo change stays"),
        (0, ChangeForm(BarBeatTick(1), None, False, (4, 4)), "first tempo change"),
        (0, ChangeForm(BarBeatTick(1), F(120), False, None), "first meter change"),
        (16, ChangeForm(BarBeatTick(5, 3), F(90), False, (3, 4)), "sits on a bar line"),
        (16, ChangeForm(BarBeatTick(5, 3), F(500), False, None), "out of range"),
        (16, ChangeForm(BarBeatTick(5, 7), F(90), False, None), "beats 1 to 3"),
        (16, ChangeForm(BarBeatTick(0), F(90), False, None), "before the start"),
        (16, ChangeForm(BarBeatTick(1), F(90), False, None), "already"),
        (8, ChangeForm(BarBeatTick(3), None, False, (3, 5)), "power of two"),
    ]
    for beat, form, words in cases:
        with pytest.raises(TempoEditError, match=words):
            te.apply_form(tm, beat, form)


# -- the project's map and a cue's, through the Document --------------------------------------

def doc_with_cue() -> Document:
    project = Project()
    project.load(Settings(tempo=three()), [Cue(1, "1M1", 240, 960)])
    return Document(project)


def test_each_edit_is_one_undo_step_on_the_project_map() -> None:
    doc = doc_with_cue()
    before = doc.project.settings.tempo
    edits = [lambda tm: te.add_tempo(tm, 4, 100), lambda tm: te.move_tempo(tm, 1, 20),
             lambda tm: te.set_tempo(tm, 0, 72, True), lambda tm: te.remove_tempo(tm, 2),
             lambda tm: te.add_meter(tm, 4, 5, 4), lambda tm: te.move_meter(tm, 1, 3),
             lambda tm: te.set_meter(tm, 1, 2, 2), lambda tm: te.remove_meter(tm, 1)]
    for edit in edits:
        old = doc.project.settings.tempo
        new = edit(old)
        doc.execute_changes(te.put_map(doc.project, MapRef(), new), "Tempo edit")
        assert doc.project.settings.tempo == new
        doc.undo()
        assert doc.project.settings.tempo == old
        doc.redo()
        assert doc.project.settings.tempo == new
    for _ in edits:
        doc.undo()
    assert doc.project.settings.tempo == before
    assert te.put_map(doc.project, MapRef(), before) == []  # no change, no step


def test_a_cue_gets_its_own_map_edits_it_and_gives_it_back() -> None:
    doc = doc_with_cue()
    project = doc.project
    with pytest.raises(TempoEditError, match="follows the project's tempo map"):
        te.map_of(project, MapRef(1))
    doc.execute_changes(te.own_map(project, 1), "Own tempo")
    own = project.cues[1].tempo
    assert own is not None
    origin = project.settings.rate.frame_to_flicks(240)  # 10 s in: bar 1 of the cue
    assert own.origin == origin and own.flicks_to_bbt(origin) == BarBeatTick(1)
    # 10 s at 120 bpm is beat 20 of the project map: inside the ramp from 90 to 140
    assert own.tempos[0].bpm == project.settings.tempo.bpm_at(origin)
    assert 90 < own.tempos[0].bpm < 140 and own.meters[0] == MeterChange(0, 3, 4)
    assert te.own_map(project, 1) == []  # once
    doc.execute_changes(te.put_map(project, MapRef(1), te.add_tempo(own, 8, 60)), "Add")
    assert project.cues[1].tempo == te.add_tempo(own, 8, 60)
    assert project.settings.tempo == three()  # the project's map is untouched
    doc.undo()
    assert project.cues[1].tempo == own
    doc.execute_changes(te.drop_own_map(project, 1), "Follow the project")
    assert project.cues[1].tempo is None
    doc.undo()
    assert project.cues[1].tempo == own
    with pytest.raises(TempoEditError, match="no cue 7"):
        te.put_map(project, MapRef(7), own)


def test_bar_helpers() -> None:
    tm = three()
    assert te.bar_start_beat(tm, 2) == 8 and te.bar_start_beat(tm, 3) == 11
    assert te.bar_index_at(tm, F(11) - F(1, 10000)) == 2
    assert te.bar_index_at(tm, 11) == 3
    assert te.segment_of(tm, 20) == tm.tempos[1] and te.segment_of(tm, -3) == tm.tempos[0]
    assert te.fmt_bpm(F(235, 2)) == "117.5" and te.fmt_bpm(120) == "120"
    assert te.fmt_bpm(replace(tm.tempos[0], bpm=F(292, 3)).bpm) == "97.33"


def test_a_cues_own_map_keeps_the_tempo_it_had_inside_the_cue() -> None:
    project = Project()
    # the cue from bar 3 (beat 8, 4 s) to 12 s: the ramp from beat 16 and the 3/4 from bar 3
    # come along, and the change at beat 32 that the ramp leads to
    project.load(Settings(tempo=three()), [Cue(1, "1M1", 96, 288)])
    doc = Document(project)
    doc.execute_changes(te.own_map(project, 1), "Own tempo")
    own = project.cues[1].tempo
    pm = project.settings.tempo
    assert own is not None and own.origin == 4 * 705_600_000
    assert [(t.beat, t.bpm, t.ramp) for t in own.tempos] == [
        (0, 120, False), (8, 90, True), (24, 140, False)]
    assert own.meters == (MeterChange(0, 3, 4),)
    for seconds in (4, 5, F(71, 10), 9, 11, F(119, 10)):
        t = round(seconds * 705_600_000)
        assert abs(own.flicks_to_beat(t) - (pm.flicks_to_beat(t) - 8)) < F(1, 10**6)
    assert str(own.flicks_to_bbt(4 * 705_600_000)) == "1|1|000"


def test_a_cue_starting_mid_bar_starts_its_own_bar_1_there() -> None:
    project = Project()
    project.load(Settings(tempo=three()), [Cue(1, "1M1", 30, 100)])  # 1.25 s: beat 2.5
    own_changes = te.own_map(project, 1)
    own = own_changes[0].after.tempo  # type: ignore[union-attr]
    assert own.tempos == (TempoChange(F(0), F(120)), TempoChange(F(27, 2), F(90), True))
    assert own.meters == (MeterChange(0, 4, 4),)  # bars from the cue's start, no others
