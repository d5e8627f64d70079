"""Spotting without a window: cue numbers, Renumber, edits through the Document (one undo
step each), live taps at the transport's frame minus the tap latency, versions per cue."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, CueKind, CueStatus, Hit, HitKind, NoMusic
from cuesketch.model.spotting_edits import SpottingEditor, SpottingError
from cuesketch.model.spotting_live import LiveSpotting
from cuesketch.model.spotting_numbers import (CueNumber, CueNumberError, name_for_new_cue,
                                              parse_cue_number, renumbered, snapshot_name,
                                              versions_of)
from cuesketch.timing.rates import STANDARD_RATES


def test_cue_numbers_read_and_write() -> None:
    assert parse_cue_number("1M1") == CueNumber(1, 1)
    assert parse_cue_number(" 1m7a ") == CueNumber(1, 7, "A")
    assert parse_cue_number("1M2s") == CueNumber(1, 2, "", True)
    assert parse_cue_number("3M12Bs") == CueNumber(3, 12, "B", True)
    assert str(CueNumber(3, 12, "B", True)) == "3M12Bs"
    with pytest.raises(CueNumberError, match="e.g. 1M7"):
        parse_cue_number("Main title")


@given(st.integers(1, 999), st.integers(0, 9999), st.sampled_from(["", "A", "B", "Z"]),
       st.booleans())
def test_every_cue_number_reads_back(reel: int, number: int, insert: str, source: bool) -> None:
    n = CueNumber(reel, number, insert, source)
    assert parse_cue_number(str(n)) == n


def _cues(*spec: tuple[str, int]) -> list[Cue]:
    return [Cue(i + 1, name, start, start + 10) for i, (name, start) in enumerate(spec)]


def test_a_new_cue_is_the_next_number_or_an_insert() -> None:
    cues = _cues(("1M1", 0), ("1M2", 100), ("2M1", 1000))
    assert name_for_new_cue(cues, 50) == "1M1A"
    assert name_for_new_cue(cues + _cues(("1M1A", 50)), 60) == "1M1B"
    assert name_for_new_cue(cues, 500) == "1M3"
    assert name_for_new_cue(cues, 2000) == "2M2"
    assert name_for_new_cue([], 10) == "1M1"
    assert name_for_new_cue(cues, 2000, CueKind.SOURCE) == "2M2s"


def test_renumber_per_reel_and_running() -> None:
    cues = _cues(("1M1", 0), ("1M1A", 50), ("1M2", 100), ("2M1", 1000), ("Main title", 1100))
    cues[2] = Cue(3, "1M2", 100, 110, kind=CueKind.SOURCE)
    per_reel = {c.after.id: c.after.name for c in renumbered(cues)}  # type: ignore[union-attr]
    assert per_reel == {2: "1M2", 3: "1M3s", 5: "2M2"}
    running = {c.after.id: c.after.name for c in renumbered(cues, running=True)}  # type: ignore[union-attr]
    assert running == {2: "1M2", 3: "1M3s", 4: "2M4", 5: "2M5"}


def test_edits_go_through_the_document_one_undo_step_each() -> None:
    doc = Document()
    ed = SpottingEditor(doc)
    cue = ed.add_cue(100, 400, title="Arrival")
    hit = ed.add_hit(250, HitKind.SOFT, "door")
    ed.move([cue, hit], 12)
    assert doc.project.cues[cue.id].start_frame == 112 and doc.project.hits[hit.id].frame == 262
    ed.resize(doc.project.cues[cue.id], end=500)
    ed.edit(doc.project.cues[cue.id], status="sent", tags="tense, dark, tense", usage="BI")
    got = doc.project.cues[cue.id]
    assert (got.status, got.tags, got.usage, got.end_frame) == (CueStatus.SENT, ("tense", "dark"),
                                                                "BI", 500)
    with pytest.raises(SpottingError, match="must end after it starts"):
        ed.resize(got, end=100)
    with pytest.raises(SpottingError, match="status must be one of"):
        ed.edit(got, status="nearly")
    with pytest.raises(SpottingError, match="usage must be one of"):
        ed.edit(got, usage="XX")
    assert ed.renumber() == 0  # "1M1" already
    ed.delete([doc.project.hits[hit.id]])
    assert not doc.project.hits
    for _ in range(6):
        doc.undo()
    assert not doc.project.cues and not doc.project.hits


def test_live_taps_land_at_the_frame_minus_the_latency() -> None:
    doc = Document()
    rate = STANDARD_RATES["24"]
    now = [rate.frame_to_flicks(240)]
    live = LiveSpotting(doc, lambda: now[0], latency_ms=125)  # three frames at 24
    assert live.frame_now() == 237
    live.cue_start()
    now[0] = rate.frame_to_flicks(480)
    tap = live.hit(HitKind.CUT)
    assert tap.frame == 477 and isinstance(tap.made, Hit)
    now[0] = rate.frame_to_flicks(720)
    tap = live.cue_end()
    assert isinstance(tap.made, Cue) and (tap.made.start_frame, tap.made.end_frame) == (237, 717)
    assert tap.made.name == "1M1"
    live.no_music()
    now[0] = rate.frame_to_flicks(800)
    live.no_music()
    assert [(r.start_frame, r.end_frame) for r in doc.project.table(NoMusic).values()] == [
        (717, 797)]
    assert len(doc._undo) == 3  # hit, cue, range: the starts make nothing yet
    # an end with no start closes from the end of the cue before
    now[0] = rate.frame_to_flicks(1000)
    assert live.cue_end().made is not None
    assert sorted((c.start_frame, c.end_frame) for c in doc.project.cues.values())[-1] == (717, 997)
    with pytest.raises(ValueError):
        live.latency_ms = -1


def test_versions_count_the_snapshots_named_after_a_cue() -> None:
    names = ["1M3 v1", "1M3 v2 – sent", "1M31 v1", "1M3", "Before restoring “x”"]
    assert versions_of("1M3", names) == 3
    assert snapshot_name("1M3", names, "changes") == "1M3 v4 – changes"
