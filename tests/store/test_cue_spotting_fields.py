"""A cue's spotting fields (kind, usage, status, tags, palette) are kept, and older files and
JSON without them open with the defaults."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cuesketch.model.entities import Cue, CueKind, CueStatus
from cuesketch.store.codec import FormatError, entity_from_dict, entity_to_dict
from cuesketch.store.project_file import ProjectFile

from store_samples import sample_project, write_v1

SPOTTED = Cue(7, "1M7A", 100, 400, None, "Insert", "", CueKind.SONG, "VV", CueStatus.APPROVED,
              ("tender", "wistful"), "chamber strings")


def test_a_cue_with_every_spotting_field_comes_back_from_the_file(tmp_path: Path) -> None:
    project = sample_project(10)
    project.load(project.settings, [SPOTTED])
    path = tmp_path / "spot.cuesketch"
    ProjectFile.write_new(path, project)
    with ProjectFile.open(path) as pf:
        assert pf.load().cues[7] == SPOTTED


def test_a_version_1_file_gives_its_cues_the_spotting_defaults(tmp_path: Path) -> None:
    old = tmp_path / "old.cuesketch"
    write_v1(old, sample_project(10))
    with ProjectFile.open(old) as pf:
        cue = pf.load().cues[1]
    assert (cue.kind, cue.usage, cue.status, cue.tags, cue.palette) == (
        CueKind.SCORE, "", CueStatus.SPOTTED, (), "")
    db = sqlite3.connect(old)
    assert db.execute("SELECT tags FROM cues WHERE id = 1").fetchone() == ("[]",)
    db.close()


def test_json_without_the_spotting_fields_reads_and_bad_values_are_named() -> None:
    plain = {k: v for k, v in entity_to_dict(SPOTTED).items()
             if k not in ("kind", "usage", "status", "tags", "palette")}
    cue = entity_from_dict(Cue, plain)
    assert isinstance(cue, Cue) and cue.status is CueStatus.SPOTTED
    assert entity_from_dict(Cue, entity_to_dict(SPOTTED)) == SPOTTED
    with pytest.raises(FormatError, match="status must be one of"):
        entity_from_dict(Cue, {**entity_to_dict(SPOTTED), "status": "done-ish"})
    with pytest.raises(FormatError, match="usage must be one of"):
        entity_from_dict(Cue, {**entity_to_dict(SPOTTED), "usage": "XX"})
    with pytest.raises(FormatError, match="tags"):
        entity_from_dict(Cue, {**entity_to_dict(SPOTTED), "tags": "tense"})
