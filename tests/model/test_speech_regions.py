"""Speech regions as a composer edits them: undoable, kept apart, stored; dialogue hits; density."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cuesketch.model.document import Document
from cuesketch.model.entities import Hit, HitKind, Note, SpeechRegion, Track
from cuesketch.model.project import Project
from cuesketch.model.speech import (MIN_LENGTH, SpeechEdits, density, project_density,
                                    regions)
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC


def _spans(doc: Document) -> list[tuple[int, int]]:
    return [(r.start, r.end) for r in regions(doc.project)]


def test_a_detection_replaces_every_region_as_one_undo_step() -> None:
    doc = Document(Project())
    edits = SpeechEdits(doc)
    edits.add(50 * SEC, 51 * SEC)
    assert edits.replace_detection([(3 * SEC, 5 * SEC), (1 * SEC, 2 * SEC),
                                    (4 * SEC, 6 * SEC)])  # overlapping spans join
    assert _spans(doc) == [(1 * SEC, 2 * SEC), (3 * SEC, 6 * SEC)]
    assert doc.history()[-1] == "Detect speech"
    doc.undo()
    assert _spans(doc) == [(50 * SEC, 51 * SEC)]
    doc.redo()
    assert _spans(doc) == [(1 * SEC, 2 * SEC), (3 * SEC, 6 * SEC)]


def test_add_move_resize_delete_each_one_undo_step_and_kept_apart() -> None:
    doc = Document(Project())
    edits = SpeechEdits(doc)
    edits.replace_detection([(10 * SEC, 12 * SEC), (20 * SEC, 22 * SEC)])
    first, second = regions(doc.project)
    # moved right, it stops at the next region
    assert edits.move(first.id, 30 * SEC)
    assert _spans(doc)[0] == (18 * SEC, 20 * SEC)
    doc.undo()
    assert _spans(doc)[0] == (10 * SEC, 12 * SEC)
    # moved left past the start: it stops at 0
    edits.move(first.id, -100 * SEC)
    assert _spans(doc)[0] == (0, 2 * SEC)
    # resized over the next one: stops at its start; never shorter than the minimum
    edits.resize(first.id, 0, 25 * SEC)
    assert _spans(doc)[0] == (0, 20 * SEC)
    edits.resize(first.id, 20 * SEC - 1000, 20 * SEC)
    r = doc.project.get(SpeechRegion, first.id)
    assert r.end - r.start == MIN_LENGTH and r.end == 20 * SEC
    # an added region over both takes them in
    edits.add(int(19.5 * SEC), 21 * SEC)
    assert len(doc.project.speech_regions) == 1
    doc.undo()
    assert len(doc.project.speech_regions) == 2
    edits.delete([second.id])
    assert [r.id for r in regions(doc.project)] == [first.id]
    doc.undo()
    assert len(doc.project.speech_regions) == 2
    labels = doc.history()
    assert labels[-1] == "Resize speech region" and labels.count("Move speech region") == 1


def test_dialogue_hits_at_the_start_of_each_line_once() -> None:
    doc = Document(Project())
    edits = SpeechEdits(doc)
    edits.replace_detection([(SEC, 2 * SEC), (int(4.5 * SEC), 6 * SEC)])
    assert edits.add_dialogue_hits() == 2
    hits = sorted(doc.project.hits.values(), key=lambda h: h.frame)
    assert [(h.frame, h.kind) for h in hits] == [(24, HitKind.DIALOGUE), (108, HitKind.DIALOGUE)]
    assert edits.add_dialogue_hits() == 0  # nothing twice
    doc.undo()
    assert not doc.project.hits


def test_density_counts_the_notes_over_each_line() -> None:
    starts = np.array([0, 5, 10, 12, 30]) * SEC
    ends = np.array([4, 11, 20, 13, 31]) * SEC
    lines = density([(1, 2 * SEC, 3 * SEC), (2, 10 * SEC, 14 * SEC), (3, 21 * SEC, 29 * SEC)],
                    starts, ends)
    assert [(d.notes, d.most_at_once) for d in lines] == [(1, 1), (3, 2), (0, 0)]  # 10-20 with 12-13
    # a note ending exactly where another starts does not count as together
    touching = density([(1, 0, 10 * SEC)], np.array([0, 5 * SEC]), np.array([5 * SEC, 6 * SEC]))
    assert (touching[0].notes, touching[0].most_at_once) == (2, 1)


def test_density_of_a_project() -> None:
    project = Project()
    project.load(project.settings, [Track(1, "Strings"), Note(1, 1, 0, 10 * SEC, 60),
                                    Note(2, 1, 2 * SEC, SEC, 64),
                                    SpeechRegion(1, SEC, 3 * SEC), SpeechRegion(2, 20 * SEC, 21 * SEC)])
    assert [(d.region_id, d.notes, d.most_at_once) for d in project_density(project)] == \
        [(1, 2, 2), (2, 0, 0)]


def test_regions_are_kept_in_the_project_file(tmp_path: Path) -> None:
    path = tmp_path / "p.cuesketch"
    pf = ProjectFile.create(path)
    doc = Document(pf.load(), pf)
    SpeechEdits(doc).replace_detection([(SEC, 2 * SEC), (5 * SEC, 7 * SEC)])
    SpeechEdits(doc).add_dialogue_hits()
    pf.close()
    with ProjectFile.open(path) as again:
        project = again.load()
    assert [(r.start, r.end) for r in regions(project)] == [(SEC, 2 * SEC), (5 * SEC, 7 * SEC)]
    assert sorted(h.frame for h in project.hits.values() if isinstance(h, Hit)) == [24, 120]


def test_regions_follow_the_film_and_what_falls_before_the_start_goes() -> None:
    from cuesketch.model.speech import follow_film, replace_all
    document = Document(Project())
    document.execute_changes(replace_all(document.project, [
        (0, SEC), (2 * SEC, 2 * SEC + MIN_LENGTH + 10), (5 * SEC, 6 * SEC)]), "Detect")
    ids = sorted(document.project.speech_regions)
    assert follow_film(document.project, 0) == []  # nothing moved, nothing changed
    document.execute_changes(follow_film(document.project, -2 * SEC - 20), "Offset")
    left = sorted((r.id, r.start, r.end) for r in document.project.speech_regions.values())
    # the first is wholly before the start; the second keeps MIN_LENGTH - 10: too short
    assert left == [(ids[2], 3 * SEC - 20, 4 * SEC - 20)]
    document.undo()
    assert sorted(document.project.speech_regions) == ids
