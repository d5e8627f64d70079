"""Palette templates: applying creates or maps tracks in one undo step; a cue names its
palette; the current tracks become a template of the user's own."""

from __future__ import annotations

import pytest

from cuesketch.model import palette_templates as pt
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Settings, Track
from cuesketch.model.project import Project


def _doc() -> Document:
    project = Project()
    project.load(Settings(), [Track(1, "Strings", program=48, channel=0),
                              Track(2, "Piano", program=0, channel=1, order=1),
                              Cue(1, "1M4", 100, 900)])
    return Document(project)


def test_every_builtin_palette_is_playable() -> None:
    assert set(pt.BUILTIN) == {"full orchestra", "chamber strings", "hybrid", "electronic",
                               "small folk ensemble"}
    for template in pt.BUILTIN.values():
        doc = Document(Project())
        ids = pt.apply_step(doc, template)
        tracks = [doc.project.tracks[i] for i in ids]
        assert [t.name for t in tracks] == [tt.name for tt in template.tracks]
        drums = [t for t in tracks if t.bank == 128]
        assert all(t.channel == 9 for t in drums)
        melodic = [t.channel for t in tracks if t.bank != 128]
        assert 9 not in melodic


def test_apply_hybrid_maps_the_tracks_of_the_same_name_and_undoes_in_one_step() -> None:
    doc = _doc()
    before = dict(doc.project.tracks)
    ids = pt.apply_step(doc, pt.BUILTIN["hybrid"])
    tracks = doc.project.tracks
    assert ids[0] == 1 and tracks[1].program == 48 and tracks[1].pan == -0.25
    assert tracks[1].section == "strings"
    assert len(tracks) == 2 + len(pt.BUILTIN["hybrid"].tracks) - 1  # Piano stays, Strings mapped
    assert doc.history()[-1] == "Apply palette hybrid"
    doc.undo()
    assert doc.project.tracks == before


def test_apply_to_a_cue_names_its_palette_and_keeps_the_tracks_voiced() -> None:
    doc = _doc()
    strings = doc.project.tracks[1]
    pt.apply_step(doc, pt.BUILTIN["chamber strings"], cue_id=1)
    assert doc.project.cues[1].palette == "chamber strings"
    assert doc.project.tracks[1] == strings
    assert {"Violin I", "Cello"} <= {t.name for t in doc.project.tracks.values()}


def test_save_the_tracks_as_a_template_and_apply_it_elsewhere() -> None:
    doc = _doc()
    mine = pt.template_from_tracks(doc.project, "Duo")
    assert [t.name for t in mine.tracks] == ["Strings", "Piano"] and not mine.builtin
    other = Document(Project())
    pt.apply_step(other, mine)
    assert sorted(t.name for t in other.project.tracks.values()) == ["Piano", "Strings"]
    with pytest.raises(pt.PaletteError):
        pt.template_from_tracks(Project(), "Empty")
