"""Stem sections: from the family by default, set (and undone) as one edit, kept in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesketch.model import sections
from cuesketch.model import track_edits as te
from cuesketch.model.document import Document
from cuesketch.model.entities import Track
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile


def _tracks() -> list[Track]:
    return [Track(1, "Strings", 0, 48, order=0), Track(2, "Horn", 0, 60, order=1),
            Track(3, "Kit", 128, 48, order=2), Track(4, "Guitar", 0, 24, order=3),
            Track(5, "Pad", 8, 89, order=4)]


def _project(tracks: list[Track] | None = None) -> Project:
    p = Project()
    p.load(p.settings, tracks or _tracks())
    return p


def test_every_track_has_its_familys_section_until_given_one() -> None:
    p = _project()
    assert [sections.section_of(t) for t in p.sorted_tracks()] == [
        "strings", "brass", "percussion", "keys", "synths"]
    assert [sections.stem_code(sections.section_of(t)) for t in p.sorted_tracks()] == [
        "STR", "BRS", "PERC", "KEYS", "SYN"]


def test_setting_a_section_is_one_undo_step_and_the_familys_own_means_follow() -> None:
    doc = Document(_project())
    doc.execute_changes(te.set_section(doc.project, 2, "Low Synths"), "Set stem section")
    assert doc.project.tracks[2].section == "Low Synths"
    assert sections.stem_code("Low Synths") == "LOWSYNTHS"
    doc.execute_changes(te.set_section(doc.project, 1, "fx"), "Set stem section")
    assert sections.section_of(doc.project.tracks[1]) == "fx"
    assert te.set_section(doc.project, 3, "Percussion") == []  # its family's: no change
    doc.undo()
    doc.undo()
    assert doc.project.tracks[1].section == doc.project.tracks[2].section == ""


@pytest.mark.parametrize("bad, words", [("", "needs a name"), ("  ", "needs a name"),
                                        ("mix", "mix file"), ("Click", "click file"),
                                        ("x" * 30, "at most"), ("!!", "a letter")])
def test_a_bad_section_name_is_said_plainly(bad: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        sections.normalize(bad)


def test_the_section_is_stored_and_an_old_file_follows_the_family(tmp_path: Path) -> None:
    p = _project([t if t.id != 4 else Track(4, "Guitar", 0, 24, section="Guitars")
                  for t in _tracks()])
    path = tmp_path / "s.cuesketch"
    ProjectFile.write_new(path, p)
    with ProjectFile.open(path, read_only=True) as pf:
        back = pf.load()
    assert back.tracks[4].section == "Guitars" and back.tracks[1].section == ""


def test_a_json_track_without_a_section_follows_its_family() -> None:
    from cuesketch.store.codec import entity_from_dict, entity_to_dict
    track = Track(7, "Horn", 0, 60, section="Low Brass")
    d = entity_to_dict(track)
    assert d["section"] == "Low Brass" and entity_from_dict(Track, d) == track
    del d["section"]  # an export made before sections
    assert entity_from_dict(Track, d) == Track(7, "Horn", 0, 60)
