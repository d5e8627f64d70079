"""Track edits and the instrument palette, without Qt: each edit through the Document, undone
exactly."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from model_state import state
from cuesketch.model import palette
from cuesketch.model import track_edits as te
from cuesketch.model.document import Document
from cuesketch.model.entities import ControlPoint, Controller, Note, Settings, Track
from cuesketch.model.project import Project



def make_doc() -> Document:
    p = Project()
    p.load(Settings(), [
        Track(1, "String Ensemble 1", program=48, color="#4f9dde", order=0, channel=0),
        Track(2, "Horns", program=60, color="#123456", order=1, channel=1),
        Note(1, 1, 0, 100, 60), Note(2, 1, 100, 100, 64), Note(3, 2, 0, 50, 48),
        ControlPoint(1, 1, 0, Controller.EXPRESSION, 90),
        ControlPoint(2, 2, 0, Controller.SUSTAIN, 127),
    ])
    return Document(p)


# -- the palette ----------------------------------------------------------------------------

def test_every_gm_program_is_in_exactly_one_family():
    melodic = [i.program for f in palette.FAMILIES for i in f.instruments if i.bank == 0]
    assert sorted(melodic) == list(range(128))


def test_drum_kits_are_bank_128_in_percussion_and_every_family_has_its_own_color():
    kits = [i for f in palette.FAMILIES for i in f.instruments if i.drums]
    assert kits and all(i.bank == palette.DRUM_BANK for i in kits)
    assert {palette.family_of(i.bank, i.program).name for i in kits} == {"Percussion"}
    colors = [f.color for f in palette.FAMILIES]
    assert len(set(colors)) == len(colors)
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colors)
    names = {f.name for f in palette.FAMILIES}
    assert {"Strings", "Brass", "Woodwinds", "Percussion", "Keys", "Synth", "Choir"} <= names


def test_variations_and_unknown_presets_find_a_family_or_a_plain_label():
    assert palette.family_of(8, 40).name == "Strings"  # FluidR3's "Slow Violin"
    assert palette.family_of(128, 1).name == "Percussion"  # "Standard 1"
    assert palette.family_of(300, 3).name == "Keys"  # any bank: its GM program's family
    assert palette.family_of(0, 200) is None
    assert palette.color_of(0, 200) == palette.DEFAULT_COLOR
    assert palette.preset_label(0, 60) == "French Horn"
    assert palette.preset_label(8, 40, "Slow Violin") == "Slow Violin"
    assert palette.preset_label(300, 3) == "Bank 300, program 3"
    assert palette.family("brass").name == "Brass"
    with pytest.raises(KeyError, match="families: Strings"):
        palette.family("kazoos")


# -- adding ---------------------------------------------------------------------------------

def test_a_new_track_takes_the_next_free_channel_skipping_ten_and_the_family_color():
    doc = make_doc()
    before = state(doc.project)
    ids = []
    for _ in range(9):
        changes = te.add_track(doc.project, "", 0, 73)
        doc.execute_changes(changes, "Add track")
        ids.append(changes[0].id)
    tracks = [doc.project.tracks[i] for i in ids]
    assert [t.channel for t in tracks] == [2, 3, 4, 5, 6, 7, 8, 10, 11]
    assert tracks[0].name == "Flute" and tracks[1].name == "Flute 2"
    assert tracks[0].color == palette.family("Woodwinds").color
    assert [t.order for t in tracks] == list(range(2, 11))
    for _ in ids:
        doc.undo()
    assert state(doc.project) == before


def test_a_drum_kit_goes_on_channel_ten_and_a_full_house_shares_the_least_used():
    doc = make_doc()
    kit = te.add_track(doc.project, "Drums", palette.DRUM_BANK, 48)[0].after
    assert kit.channel == 9 and kit.name == "Drums" and kit.bank == 128
    p = Project()
    p.load(Settings(), [Track(i + 1, f"t{i}", channel=c)
                        for i, c in enumerate([c for c in range(16) if c != 9] + [0, 1])])
    assert te.next_free_channel(p) == 2


def test_add_track_refuses_a_preset_outside_midi_and_a_bad_color():
    doc = make_doc()
    with pytest.raises(ValueError, match="program is 0 to 127"):
        te.add_track(doc.project, "x", 0, 128)
    with pytest.raises(ValueError, match="#rrggbb"):
        te.add_track(doc.project, "x", 0, 1, color="red")


# -- changing -------------------------------------------------------------------------------

def test_rename_strips_and_refuses_an_empty_name():
    doc = make_doc()
    doc.execute_changes(te.rename_track(doc.project, 2, "  Horns a4 "), "Rename")
    assert doc.project.tracks[2].name == "Horns a4"
    assert te.rename_track(doc.project, 2, "Horns a4") == []
    with pytest.raises(ValueError, match="needs a name"):
        te.rename_track(doc.project, 2, "   ")
    doc.undo()
    assert doc.project.tracks[2].name == "Horns"


def test_a_default_name_and_color_follow_the_instrument_a_chosen_one_stays():
    doc = make_doc()
    doc.execute_changes(te.set_instrument(doc.project, 1, 0, 42), "Instrument")
    t = doc.project.tracks[1]
    assert (t.bank, t.program, t.name, t.color, t.channel) == (0, 42, "Cello", "#4f9dde", 0)
    doc.execute_changes(te.set_instrument(doc.project, 1, 0, 56), "Instrument")
    assert doc.project.tracks[1].name == "Trumpet"
    assert doc.project.tracks[1].color == palette.family("Brass").color
    doc.execute_changes(te.set_instrument(doc.project, 2, 0, 56), "Instrument")
    t2 = doc.project.tracks[2]
    assert (t2.name, t2.color, t2.program) == ("Horns", "#123456", 56)
    assert te.set_instrument(doc.project, 2, 0, 56) == []


def test_a_drum_kit_moves_the_track_onto_channel_ten_and_a_melodic_preset_off_it():
    doc = make_doc()
    doc.execute_changes(te.set_instrument(doc.project, 2, palette.DRUM_BANK, 48), "Kit")
    assert doc.project.tracks[2].channel == 9
    doc.execute_changes(te.set_instrument(doc.project, 2, 0, 47), "Timpani")
    assert doc.project.tracks[2].channel == 1  # its old channel is free again: the first one
    assert doc.project.tracks[2].program == 47


def test_volume_and_pan_are_clamped_and_refuse_what_is_not_a_number():
    doc = make_doc()
    doc.execute_changes(te.set_volume(doc.project, 1, 1.7), "Volume")
    doc.execute_changes(te.set_pan(doc.project, 1, -3), "Pan")
    t = doc.project.tracks[1]
    assert (t.volume, t.pan) == (1.0, -1.0)
    with pytest.raises(ValueError):
        te.set_volume(doc.project, 1, float("nan"))
    with pytest.raises(ValueError, match="no track 9"):
        te.set_pan(doc.project, 9, 0)


def test_mute_solo_and_color_each_one_step():
    doc = make_doc()
    before = state(doc.project)
    doc.execute_changes(te.set_mute(doc.project, 1, True), "Mute")
    doc.execute_changes(te.set_solo(doc.project, 2, True), "Solo")
    doc.execute_changes(te.set_color(doc.project, 2, "#ABCDEF"), "Color")
    t1, t2 = doc.project.tracks[1], doc.project.tracks[2]
    assert t1.mute and t2.solo and t2.color == "#abcdef"
    assert te.set_mute(doc.project, 1, True) == []
    assert len(doc.history()) == 3
    for _ in range(3):
        doc.undo()
    assert state(doc.project) == before


# -- deleting and moving --------------------------------------------------------------------

def test_delete_takes_the_notes_and_controllers_and_one_undo_brings_all_back():
    doc = make_doc()
    before = state(doc.project)
    assert te.content_of(doc.project, 1) == (2, 1)
    doc.execute_changes(te.delete_track(doc.project, 1), "Delete track")
    assert 1 not in doc.project.tracks
    assert {n.track_id for n in doc.project.notes.values()} == {2}
    assert {p.track_id for p in doc.project.controls.values()} == {2}
    assert doc.history() == ["Delete track"]
    doc.undo()
    assert state(doc.project) == before
    doc.redo()
    assert 1 not in doc.project.tracks


def test_move_renumbers_and_stops_at_the_ends():
    p = Project()
    p.load(Settings(), [Track(1, "a", order=0), Track(2, "b", order=0), Track(3, "c", order=5)])
    doc = Document(p)
    assert te.move_track(p, 1, -1) == []
    doc.execute_changes(te.move_track(p, 3, -1), "Move")
    assert [t.name for t in p.sorted_tracks()] == ["a", "c", "b"]
    assert [t.order for t in p.sorted_tracks()] == [0, 1, 2]
    doc.execute_changes(te.move_track(p, 1, 10), "Move")
    assert [t.name for t in p.sorted_tracks()] == ["c", "b", "a"]
    doc.undo()
    doc.undo()
    assert [(t.name, t.order) for t in p.sorted_tracks()] == [("a", 0), ("b", 0), ("c", 5)]


EDITS = st.lists(st.tuples(
    st.sampled_from(["add", "kit", "rename", "instrument", "volume", "pan", "mute", "solo",
                     "delete", "move"]),
    st.integers(0, 5), st.floats(-2, 2)), max_size=25)


@settings(max_examples=60, deadline=None)
@given(EDITS)
def test_any_sequence_of_edits_undoes_to_the_start_and_redoes_to_the_end(edits):
    doc = make_doc()
    start = state(doc.project)
    for kind, k, x in edits:
        ids = [t.id for t in doc.project.sorted_tracks()]
        tid = ids[k % len(ids)] if ids else None
        if kind == "add":
            changes = te.add_track(doc.project, "", 0, k * 20)
        elif kind == "kit":
            changes = te.add_track(doc.project, "", 128, k * 8)
        elif tid is None:
            continue
        elif kind == "rename":
            changes = te.rename_track(doc.project, tid, f"n{k}")
        elif kind == "instrument":
            changes = te.set_instrument(doc.project, tid, 128 if k == 5 else 0, k * 9)
        elif kind == "volume":
            changes = te.set_volume(doc.project, tid, x)
        elif kind == "pan":
            changes = te.set_pan(doc.project, tid, x)
        elif kind == "mute":
            changes = te.set_mute(doc.project, tid, x > 0)
        elif kind == "solo":
            changes = te.set_solo(doc.project, tid, x > 0)
        elif kind == "delete":
            changes = te.delete_track(doc.project, tid)
        else:
            changes = te.move_track(doc.project, tid, k - 2)
        doc.execute_changes(changes, kind)
        for t in doc.project.tracks.values():  # drum kits sit on channel 10, nothing else does
            assert (t.channel == 9) == (t.bank == 128)
    end = state(doc.project)
    while doc.undo():
        pass
    assert state(doc.project) == start
    while doc.redo():
        pass
    assert state(doc.project) == end
