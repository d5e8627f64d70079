"""Markers, no-music ranges and the cue sheet's rights shares are kept in the file, in JSON and
in snapshots; a wrong value is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesketch.model.entities import Marker, NoMusic, RightsShare
from cuesketch.store.codec import FormatError, entity_from_dict, entity_to_dict
from cuesketch.store.json_file import dumps, loads
from cuesketch.store.project_file import ProjectFile
from cuesketch.store.snapshots import open_snapshot, take_snapshot

from store_samples import sample_project

SPOTTING = [Marker(1, 240, "Door", "red", "slam", 0), Marker(2, 300, "Walk", "cyan", "", 48),
            NoMusic(1, 500, 740, "dialogue only"),
            RightsShare(1, "composer", "A. Writer", "PRS", 10000),
            RightsShare(2, "publisher", "Film Music Ltd", "PRS", 5000)]


def test_spotting_entities_come_back_from_the_file_json_and_a_snapshot(tmp_path: Path) -> None:
    project = sample_project(10)
    project.load(project.settings, SPOTTING)
    path = tmp_path / "spot.cuesketch"
    ProjectFile.write_new(path, project)
    with ProjectFile.open(path) as pf:
        loaded = pf.load()
        take_snapshot(pf, "1M1 v1")
        snap = open_snapshot(pf, 1)
    for p in (loaded, loads(dumps(project)), snap):
        assert p.table(Marker) == {1: SPOTTING[0], 2: SPOTTING[1]}
        assert p.table(NoMusic) == {1: SPOTTING[2]}
        assert p.table(RightsShare) == {1: SPOTTING[3], 2: SPOTTING[4]}


def test_bad_values_are_named() -> None:
    with pytest.raises(FormatError, match="length must be at least 0"):
        entity_from_dict(Marker, {**entity_to_dict(SPOTTING[0]), "length": -1})
    with pytest.raises(FormatError, match="share must be 0..10000"):
        entity_from_dict(RightsShare, {**entity_to_dict(SPOTTING[3]), "share": 10001})
