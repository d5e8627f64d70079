"""JSON interchange: exact both ways, one entity a line, and plain words for bad input."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings

from cuesketch.model import changes
from cuesketch.model.project import Project
from cuesketch.store.codec import FormatError
from cuesketch.store.json_file import dumps, loads, read_json, write_json

from store_samples import projects, same_content, sample_project


@settings(max_examples=150, deadline=None)
@given(project=projects())
def test_any_project_round_trips_exactly(project: Project) -> None:
    text = dumps(project)
    back = loads(text)
    assert same_content(back, project)
    assert dumps(back) == text  # stable: the same project always gives the same text


def test_the_layout_is_sorted_indented_and_one_entity_a_line() -> None:
    text = dumps(sample_project(5))
    lines = text.splitlines()
    assert lines[:3] == ["{", '  "format": "cuesketch-project",', '  "version": 1,']
    note_lines = [ln for ln in lines if '"pitch"' in ln]
    assert len(note_lines) == 5
    assert all(ln.startswith('    {"duration": ') for ln in note_lines)  # keys sorted
    ids = [json.loads(ln.rstrip(","))["id"] for ln in note_lines]
    assert ids == sorted(ids)
    assert '"title": "Chase — 1M3"' in text  # readable, not \\u escapes
    assert '"fps": "30000/1001"' in text  # exact


def test_moving_one_note_changes_one_line() -> None:
    project = sample_project(50)
    before = dumps(project).splitlines()
    note = project.notes[7]
    project.apply([changes.replace(note, replace(note, start=note.start + 1))])
    after = dumps(project).splitlines()
    assert sum(a != b for a, b in zip(before, after)) == 1 and len(before) == len(after)


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d["notes"][2].update(pitch=130), r"notes\[2\]: pitch must be 0..127, not 130"),
    (lambda d: d["notes"][0].update(start="soon"), r"notes\[0\]: start must be a whole number"),
    (lambda d: d["notes"][0].update(loud=True), r"notes\[0\]: unknown field 'loud'"),
    (lambda d: d["notes"][1].update(id=d["notes"][0]["id"]), "two notes have the id"),
    (lambda d: d["tracks"][0].pop("name"), r"tracks\[0\]: name is missing"),
    (lambda d: d["controls"][0].update(controller="cc7"), "controller must be one of"),
    (lambda d: d["settings"]["rate"].update(fps="0"), "settings: the frame rate must be above 0"),
    (lambda d: d["settings"]["rate"].update(fps="1e999999999"), "like 120 or 2997/100"),
    (lambda d: d["settings"]["tempo"].update(tempos=[]), "settings: a tempo map needs a tempo"),
    (lambda d: d.update(version=9), "newer Cuesketch"),
    (lambda d: d.update(format="something"), "not a Cuesketch project export"),
    (lambda d: d.update(moods=[]), "unknown section 'moods'"),
])
def test_bad_values_are_named_with_where_they_are(mutate: object, words: str) -> None:
    d = json.loads(dumps(sample_project(5)))
    mutate(d)  # type: ignore[operator]
    with pytest.raises(FormatError, match=words):
        loads(json.dumps(d))


def test_not_json_says_where(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not valid JSON \\(line 2, column"):
        loads('{\n  "format": oops }')
    bad = tmp_path / "x.json"
    bad.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(FormatError, match="not UTF-8"):
        read_json(bad)
    with pytest.raises(FormatError, match="no file at"):
        read_json(tmp_path / "none.json")


def test_files_are_written_whole(tmp_path: Path) -> None:
    path = tmp_path / "Chase.json"
    write_json(sample_project(20), path)
    assert same_content(read_json(path), sample_project(20))
    assert [p.name for p in tmp_path.iterdir()] == ["Chase.json"]
