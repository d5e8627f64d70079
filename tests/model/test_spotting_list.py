"""The Cues dock's list without Qt: rows of every kind, filters by status, reel and tag,
sorting, typing into a cell (one undo step each), refusals in words, delete."""

from __future__ import annotations

from cuesketch.model.document import Document
from cuesketch.model.entities import CueStatus, HitKind
from cuesketch.model.spotting_edits import SpottingEditor
from cuesketch.model.spotting_list import ListFilter, SpottingList
from cuesketch.model.entities import Settings
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES


def _doc() -> Document:
    doc = Document(Project(Settings(rate=STANDARD_RATES["24"], start_frame=86400)))
    ed = SpottingEditor(doc)
    ed.add_cue(240, 480, "1M1", title="Arrival", tags=("tense",))
    ed.add_cue(1000, 1200, "1M2", status=CueStatus.SENT)
    ed.add_cue(5000, 5100, "2M1", tags=("warm", "tense"))
    ed.add_hit(300, HitKind.HARD, "Door")
    ed.add_no_music(2000, 2100, "dialogue")
    return doc


def test_rows_filter_and_sort() -> None:
    lst = SpottingList(_doc(), versions=lambda name: 2 if name == "1M2" else 0)
    assert [r.cells[0] for r in lst.rows()] == ["1M1", "hit", "1M2", "no music", "2M1"]
    assert [r.cells[11] for r in lst.rows() if r.cells[0] == "1M2"] == ["2"]
    lst.filter = ListFilter(status=CueStatus.SENT)
    assert [r.cells[0] for r in lst.rows()] == ["1M2"]
    lst.filter = ListFilter(reel=2)
    assert [r.cells[0] for r in lst.rows()] == ["2M1"]
    lst.filter = ListFilter(tag="TENSE")
    assert [r.cells[0] for r in lst.rows()] == ["1M1", "2M1"]
    lst.filter = ListFilter(text="door")
    assert [r.cells[1] for r in lst.rows()] == ["Door"]
    lst.filter = ListFilter(kinds=frozenset({"cue"}))
    lst.sort_column, lst.descending = "Status", True
    assert [r.cells[0] for r in lst.rows()] == ["1M2", "2M1", "1M1"]
    assert lst.reels() == [1, 2] and lst.tags() == ["tense", "warm"]


def test_typing_into_cells_is_one_undo_step_or_a_reason() -> None:
    doc = _doc()
    lst = SpottingList(doc)
    cue = next(r for r in lst.rows() if r.cells[0] == "1M1")
    steps = len(doc._undo)
    assert lst.edit(cue, "Status", "approved") is None
    assert lst.edit(next(r for r in lst.rows() if r.cells[0] == "1M1"), "Out",
                    "01:00:25:00") is None
    got = doc.project.cues[cue.entity.id]
    assert (got.status, got.end_frame) == (CueStatus.APPROVED, 600)
    assert len(doc._undo) == steps + 2
    row = next(r for r in lst.rows() if r.cells[0] == "1M1")
    assert "must end after it starts" in (lst.edit(row, "Out", "01:00:01:00") or "")
    assert "not a timecode" in (lst.edit(row, "In", "soon") or "")
    assert "can't be edited" in (lst.edit(row, "Duration", "5") or "")
    hit = next(r for r in lst.rows() if r.cells[0] == "hit")
    assert lst.edit(hit, "Kind", "cut") is None
    assert next(iter(doc.project.hits.values())).kind is HitKind.CUT
    lst.delete([r for r in lst.rows() if r.cells[0] == "hit"])
    assert not doc.project.hits
    doc.undo()
    assert doc.project.hits
