"""Find Tempo on a project: the question a cue asks, and a map applied as one undo step."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from cuesketch.demo import build_demo
from cuesketch.model.document import Document
from cuesketch.model.entities import Hit, HitKind
from cuesketch.model.tempo_fit import apply_changes, cue_problem, find_cue, fit_hits
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.tempo_fit import FitError, Grid


def test_hits_ask_by_their_kind() -> None:
    hits = [Hit(1, 10, "boom", HitKind.HARD), Hit(2, 20, "cut", HitKind.CUT),
            Hit(3, 30, "line", HitKind.DIALOGUE), Hit(4, 30, "swell", HitKind.SOFT)]
    fit = fit_hits(hits, Grid.HALF)
    assert [(h.frame, h.must, h.weight, h.tolerance) for h in fit] == [
        (10, True, 1, 0), (20, False, 2, 1), (30, False, 2, 1)]  # the last two joined
    assert all(h.grid is Grid.HALF for h in fit)
    assert [h.must for h in fit_hits(hits, musts=frozenset({HitKind.CUT}))] == [
        False, True, False]


def test_the_cue_question_starts_bar_1_at_the_cue_in_its_meter() -> None:
    project = build_demo()
    cue = find_cue(project, "1m4")
    problem = cue_problem(project, cue, lo=Fraction(60), hi=Fraction(140))
    assert problem.start_frame == cue.start_frame == 792
    assert (problem.numerator, problem.denominator) == (4, 4)
    assert [h.frame for h in problem.hits] == [864, 900, 988, 1049]
    with pytest.raises(FitError, match="no hits"):
        cue_problem(project, find_cue(project, "1M2"))


def test_apply_is_one_undo_step_and_keeping_bars_moves_notes_with_the_music() -> None:
    project = build_demo()
    document = Document(project)
    cue = find_cue(project, "1M1")
    origin = project.settings.rate.frame_to_flicks(cue.start_frame)
    tm = TempoMap.constant(Fraction(96), origin=origin)
    notes_before = dict(project.notes)
    with document.transaction("Fit tempo to hits"):
        document.execute_changes(apply_changes(project, cue, tm, keep="bars"))
    assert document.history() == ["Fit tempo to hits"]
    assert find_cue(project, "1M1").tempo == tm
    old = project.settings.tempo
    moved = [n for n in project.notes.values() if n != notes_before[n.id]]
    assert moved
    for note in moved:
        drift = tm.flicks_to_beat(note.start) - old.flicks_to_beat(notes_before[note.id].start)
        assert abs(drift) < Fraction(1, 10**6)  # within a flick: the same beat
    document.undo()
    assert find_cue(project, "1M1").tempo is None and dict(project.notes) == notes_before


def test_apply_keeping_times_leaves_the_notes_alone() -> None:
    project = build_demo()
    cue = find_cue(project, "1M1")
    tm = TempoMap.constant(Fraction(96), origin=0)
    changes = apply_changes(project, cue, tm, keep="times")
    assert len(changes) == 1  # the cue's map only
    with pytest.raises(FitError, match="'times' or their 'bars'"):
        apply_changes(project, cue, tm, keep="beats")


def test_a_find_tempo_session_offers_answers_applies_one_and_writes_its_click_book(
        tmp_path: Path) -> None:
    from cuesketch.model.tempo_fit import FindTempo

    project = build_demo()
    document = Document(project)
    session = FindTempo(document, find_cue(project, "1M4").id,
                        {"lo": Fraction(60), "hi": Fraction(140)})
    candidates = session.solve()
    assert candidates and all(len(c.hits) == 4 for c in candidates)
    assert candidates[0].caught == 4
    session.apply(0, keep="times")
    assert document.history() == ["Fit tempo to hits"]
    assert find_cue(project, "1M4").tempo == candidates[0].tempo_map
    rows = session.click_book(0)
    assert rows[0][:4] == ["what", "bar|beat", "timecode", "bpm"]
    assert [r[0] for r in rows[1:]].count("hit") == 4
    tempo = next(r for r in rows if r[0] == "tempo")
    assert tempo[2] == "01:00:33:00"  # at the cue's start
    assert tempo[4] in ("12-2", "≈12-2")  # the frame click, or the nearest (118 bpm: 117.551)
    path = tmp_path / "1M4 click book.csv"
    session.write_csv(0, path)
    assert path.read_text().splitlines()[0].startswith("what,bar|beat,timecode")


def test_a_preview_is_shown_but_never_written_until_applied() -> None:
    from cuesketch.model.tempo_fit import FindTempo

    class Sink:
        def __init__(self) -> None:
            self.writes = 0

        def write(self, changes: object, settings: object) -> None:
            self.writes += 1

    project = build_demo()
    sink = Sink()
    document = Document(project, sink=sink)
    session = FindTempo(document, find_cue(project, "1M4").id,
                        {"lo": Fraction(60), "hi": Fraction(140)})
    candidates = session.solve()
    heard: list[object] = []
    document.observe(heard.append)
    session.preview(0)
    assert find_cue(project, "1M4").tempo == candidates[0].tempo_map and heard
    assert session.previewing == 0 and sink.writes == 0 and document.history() == []
    session.end_preview()
    assert find_cue(project, "1M4").tempo is None and sink.writes == 0
    session.preview(1 if len(candidates) > 1 else 0)
    session.apply(0)  # another answer than the one shown: the preview goes, then one step
    assert find_cue(project, "1M4").tempo == candidates[0].tempo_map
    assert document.history() == ["Fit tempo to hits"] and sink.writes == 1
    assert session.previewing is None


def _planted_meters(project: object) -> None:
    """1M4 (from frame 792) with hard hits on the downbeats of 4/4, 3/4, 4/4 bars at 120 bpm:
    beats 4, 7, 11 and 15 (12 frames a beat)."""
    from cuesketch.model.project import Project
    assert isinstance(project, Project)
    project.hits.clear()
    for n, beat in enumerate((4, 7, 11, 15), 1):
        project.hits[n] = Hit(n, 792 + 12 * beat, f"bar {n + 1}", HitKind.HARD)


def test_a_free_meter_plan_puts_the_cue_in_its_meters_in_one_undo_step() -> None:
    from cuesketch.model.tempo_fit import FindTempo
    from cuesketch.timing.tempo import MeterChange
    from cuesketch.timing.tempo_fit.report import measure
    project = build_demo()
    _planted_meters(project)
    document = Document(project)
    cue = find_cue(project, "1M4")
    options: dict[str, object] = dict(lo=Fraction(60), hi=Fraction(180), grid=Grid.DOWNBEAT,
                                      meters=((3, 4), (4, 4)))
    session = FindTempo(document, cue.id, options)
    candidates = session.solve()
    first = candidates[0]
    assert first.label.startswith("Map: 0 tempo changes, 2 meter changes (4/4, 3/4, 4/4)")
    assert first.caught == 4
    assert session.problem is not None and session.problem.meters == ((4, 4), (3, 4))
    session.apply(0, keep="bars")
    assert document.history() == ["Fit tempo to hits"]
    tm = find_cue(project, "1M4").tempo
    assert tm is not None
    assert tm.meters == (MeterChange(0, 4, 4), MeterChange(1, 3, 4), MeterChange(2, 4, 4))
    assert [r.off for r in measure(tm, session.problem)] == [0, 0, 0, 0]
    rows = session.click_book(0)
    assert [r[-1] for r in rows if r[0] == "meter"] == ["4/4", "3/4", "4/4"]
    document.undo()
    assert find_cue(project, "1M4").tempo is None


def test_a_plan_of_one_meter_fixes_the_cue_in_it() -> None:
    project = build_demo()
    cue = find_cue(project, "1M4")  # in 4/4
    problem = cue_problem(project, cue, meters=((6, 8),))
    assert not problem.free and (problem.numerator, problem.denominator) == (6, 8)
    assert problem.unit == Fraction(1, 2)  # eighths: the tempo preferred is counted in them
    assert problem.prefer == 2 * cue_problem(project, cue).prefer  # type: ignore[operator]
