"""Note and controller edits, without Qt: each returns changes; the Document applies and undoes."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuesketch.model import edits
from cuesketch.model.document import Document
from cuesketch.model.entities import ControlPoint, Controller, Note, Track
from cuesketch.model.grid import Grid
from cuesketch.model.project import Project
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

BEAT = FLICKS_PER_SECOND // 2  # at 120 bpm
S16 = BEAT // 4


def make_doc(notes: list[tuple[int, int, int]] = ()) -> Document:  # type: ignore[assignment]
    project = Project()
    project.load(project.settings, [Track(1, "Strings"), Track(2, "Brass")])
    doc = Document(project)
    for start, dur, pitch in notes:
        doc.execute_changes(edits.add_note(doc.project, 1, start, dur, pitch))
    return doc


def snapshot(doc: Document) -> dict[type, dict[int, object]]:
    return {k: dict(doc.project.table(k)) for k in (Note, ControlPoint)}


def test_add_note_reserves_an_id_and_clamps_velocity() -> None:
    doc = make_doc()
    changes = edits.add_note(doc.project, 1, BEAT, BEAT, 60, velocity=300)
    doc.execute_changes(changes)
    (nid,) = edits.inserted_ids(changes)
    assert doc.project.notes[nid] == Note(nid, 1, BEAT, BEAT, 60, 127)


@pytest.mark.parametrize("args", [(1, 0, 0, 60), (1, 0, BEAT, 128), (9, 0, BEAT, 60)])
def test_add_note_refuses_what_cannot_be(args: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError):
        edits.add_note(make_doc().project, *args)


def test_move_keeps_a_chord_inside_the_keyboard() -> None:
    doc = make_doc([(0, BEAT, 120), (0, BEAT, 125), (BEAT, BEAT, 60)])
    ids = list(doc.project.notes)
    doc.execute_changes(edits.move_notes(doc.project, ids, dt=BEAT, dpitch=5))
    pitches = sorted(n.pitch for n in doc.project.notes.values())
    assert pitches == [62, 122, 127]  # stopped at the top edge as a whole: shifted by 2
    assert sorted(n.start for n in doc.project.notes.values()) == [BEAT, BEAT, 2 * BEAT]


def test_transpose_down_stops_at_zero() -> None:
    doc = make_doc([(0, BEAT, 5)])
    doc.execute_changes(edits.transpose_notes(doc.project, list(doc.project.notes), -12))
    assert [n.pitch for n in doc.project.notes.values()] == [0]


def test_duplicate_lands_after_the_selection() -> None:
    doc = make_doc([(BEAT, BEAT, 60), (2 * BEAT, 2 * BEAT, 64)])
    ids = list(doc.project.notes)
    changes = edits.duplicate_notes(doc.project, ids)
    doc.execute_changes(changes)
    new = [doc.project.notes[i] for i in edits.inserted_ids(changes)]
    assert sorted((n.start, n.pitch) for n in new) == [(4 * BEAT, 60), (5 * BEAT, 64)]


def test_copy_and_paste_at_a_position_on_another_track() -> None:
    doc = make_doc([(BEAT, BEAT, 60), (3 * BEAT, BEAT, 67)])
    clip = edits.copy_notes(doc.project, list(doc.project.notes))
    assert clip.length == 3 * BEAT
    changes = edits.paste_notes(doc.project, clip, 10 * BEAT, track_id=2)
    doc.execute_changes(changes)
    pasted = sorted((n.track_id, n.start, n.pitch) for n in doc.project.notes.values()
                    if n.id in edits.inserted_ids(changes))
    assert pasted == [(2, 10 * BEAT, 60), (2, 12 * BEAT, 67)]


def test_a_clip_goes_through_the_clipboard_as_json_and_as_text() -> None:
    doc = make_doc([(BEAT, BEAT, 60), (BEAT, S16, 64), (3 * BEAT, BEAT, 67)])
    clip = edits.copy_notes(doc.project, list(doc.project.notes))
    assert edits.clip_from_json(edits.clip_to_json(clip)) == clip
    assert edits.clip_from_json(edits.clip_to_json(clip).encode()) == clip
    text = edits.clip_to_text(clip).splitlines()
    assert text[0] == "3 notes from Cuesketch"
    assert text[2:] == ["0.000\t0.500\tC4\t100", "0.000\t0.125\tE4\t100",
                        "1.000\t0.500\tG4\t100"]


@pytest.mark.parametrize(("data", "said"), [
    ("Celli and Basses", "the clipboard holds no notes from Cuesketch"),
    (b"\xff\xfe", "the clipboard holds no notes from Cuesketch"),
    ('{"format": "something else", "notes": []}', "the clipboard holds no notes from Cuesketch"),
    ('{"format": "cuesketch-notes/1"}', "the notes on the clipboard are damaged"),
    ('{"format": "cuesketch-notes/1", "notes": [[0, 10, 200, 90]]}',
     "the notes on the clipboard are damaged"),
    ('{"format": "cuesketch-notes/1", "notes": [[0, 0, 60, 90]]}',
     "the notes on the clipboard are damaged"),
    ('{"format": "cuesketch-notes/1", "notes": [[0, 1.5, 60, 90]]}',
     "the notes on the clipboard are damaged"),
])
def test_what_is_not_a_clip_is_said_in_words(data: str | bytes, said: str) -> None:
    with pytest.raises(ValueError) as e:
        edits.clip_from_json(data)
    assert str(e.value) == said


def test_interval_and_pitch_names() -> None:
    assert [edits.interval_name(n) for n in (7, -1, 12, -15, 24, 6)] == [
        "up a perfect fifth", "down a minor second", "up an octave",
        "down an octave and a minor third", "up 2 octaves", "up a tritone"]
    assert [edits.pitch_name(p) for p in (60, 42, 0, 127)] == ["C4", "F#2", "C-1", "G9"]


def test_set_velocities() -> None:
    doc = make_doc([(0, BEAT, 60), (BEAT, BEAT, 62)])
    a, b = sorted(doc.project.notes)
    doc.execute_changes(edits.set_velocities(doc.project, {a: 0, b: 90}))
    assert doc.project.notes[a].velocity == 1 and doc.project.notes[b].velocity == 90
    assert edits.set_velocities(doc.project, {b: 90}) == []  # nothing to change


def test_quantize_full_strength_starts_only() -> None:
    doc = make_doc([(S16 + 1000, BEAT + 7, 60), (3 * S16 - 5, S16, 62)])
    tempo = TempoMap.constant(120)
    doc.execute_changes(edits.quantize_notes(doc.project, list(doc.project.notes), tempo,
                                             edits.Quantize(Grid.parse("1/16"))))
    got = sorted((n.start, n.duration) for n in doc.project.notes.values())
    assert got == [(S16, BEAT + 7), (3 * S16, S16)]


def test_quantize_half_strength_and_lengths() -> None:
    doc = make_doc([(S16 + 1000, BEAT + 700, 60)])
    tempo = TempoMap.constant(120)
    q = edits.Quantize(Grid.parse("1/16"), strength=0.5, lengths=True)
    doc.execute_changes(edits.quantize_notes(doc.project, list(doc.project.notes), tempo, q))
    (n,) = doc.project.notes.values()
    assert n.start == S16 + 500
    assert n.end == (S16 + 1000 + BEAT + 700 + S16 + BEAT) // 2  # halfway to the line


def test_quantize_with_swing_delays_the_off_beats() -> None:
    doc = make_doc([(2 * S16 + 30, S16, 60), (3 * S16 + 30, S16, 62)])
    q = edits.Quantize(Grid.parse("1/8"), swing=1 / 3)  # the triplet shuffle
    doc.execute_changes(edits.quantize_notes(doc.project, list(doc.project.notes),
                                             TempoMap.constant(120), q))
    starts = sorted(n.start for n in doc.project.notes.values())
    eighth = BEAT // 2
    assert starts == [eighth + eighth // 3, eighth + eighth // 3]  # the 2nd eighth, swung


def test_quantize_lengths_never_collapse() -> None:
    doc = make_doc([(0, 10, 60)])
    q = edits.Quantize(Grid.parse("1/16"), lengths=True)
    doc.execute_changes(edits.quantize_notes(doc.project, list(doc.project.notes),
                                             TempoMap.constant(120), q))
    (n,) = doc.project.notes.values()
    assert (n.start, n.duration) == (0, S16)


def test_draw_controls_replaces_the_range_and_clamps() -> None:
    doc = make_doc()
    doc.execute_changes(edits.draw_controls(doc.project, 1, Controller.MODULATION, 0, 10 * BEAT,
                                            [(0, 10), (BEAT, 200), (5 * BEAT, 30)]))
    doc.execute_changes(edits.draw_controls(doc.project, 1, Controller.MODULATION, BEAT // 2,
                                            2 * BEAT, [(BEAT, 64), (2 * BEAT, 70)]))
    pts = sorted((p.time, p.value) for p in doc.project.controls.values())
    assert pts == [(0, 10), (BEAT, 64), (2 * BEAT, 70), (5 * BEAT, 30)]
    doc.execute_changes(edits.draw_controls(doc.project, 1, Controller.SUSTAIN, 0, BEAT,
                                            [(0, 100), (BEAT, 20)]))
    sustain = sorted((p.time, p.value) for p in doc.project.controls.values()
                     if p.controller is Controller.SUSTAIN)
    assert sustain == [(0, 127), (BEAT, 0)]
    doc.execute_changes(edits.draw_controls(doc.project, 1, Controller.PITCH_BEND, 0, BEAT,
                                            [(0, -9000), (BEAT, 9000)]))
    bend = sorted(p.value for p in doc.project.controls.values()
                  if p.controller is Controller.PITCH_BEND)
    assert bend == [-8192, 8191]


# -- every edit undoes to the exact previous state -------------------------------------------

notes_st = st.lists(st.tuples(st.integers(-BEAT, 40 * BEAT), st.integers(1, 4 * BEAT),
                              st.integers(0, 127)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(notes_st, st.integers(-3 * BEAT, 3 * BEAT), st.integers(-30, 30),
       st.integers(0, 11), st.sampled_from(
           ["1/16", "1/8T", "beat", "bar"]), st.floats(0, 1), st.floats(0, 0.5), st.booleans())
def test_each_edit_undoes_exactly(notes: list[tuple[int, int, int]], dt: int, dp: int,
                                  pick: int, grid: str, strength: float, swing: float,
                                  lengths: bool) -> None:
    doc = make_doc(notes)
    ids = sorted(doc.project.notes)[: pick + 1]
    tempo = TempoMap.constant(Fraction(10000, 97), 7, 8)
    project = doc.project
    for make in (
        lambda: edits.move_notes(project, ids, dt, dp),
        lambda: edits.duplicate_notes(project, ids),
        lambda: edits.set_velocities(project, {i: 33 for i in ids}),
        lambda: edits.delete_notes(project, ids),
        lambda: edits.paste_notes(project, edits.copy_notes(project, ids), dt, 2),
        lambda: edits.quantize_notes(project, ids, tempo, edits.Quantize(
            Grid.parse(grid), strength, swing, lengths)),
        lambda: edits.draw_controls(project, 1, Controller.MODULATION, 0, BEAT,
                                    [(0, 5), (BEAT, 6)]),
    ):
        before = snapshot(doc)
        changes = make()
        doc.execute_changes(changes, "edit")
        if changes:
            doc.undo()
        assert snapshot(doc) == before
        for n in project.notes.values():
            assert 0 <= n.pitch <= 127 and n.duration > 0
