"""Import rules: colour, name or prefix to hits, cues, no-music ranges or notes; the plan
before landing; one undo step; the same file twice adds nothing the second time."""

from __future__ import annotations

import pytest

from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Hit, HitKind, Marker, NoMusic
from cuesketch.model.markers_rules import RulesError, SpottedMarker, land, parse_rules, plan_import

MARKS = [SpottedMarker(10, "Slam", "red", line=1), SpottedMarker(20, "cut", "cyan", line=2),
         SpottedMarker(30, "CUE 1M1", "magenta", "low strings", 0, line=3),
         SpottedMarker(90, "END", "magenta", line=4),
         SpottedMarker(100, "quiet", "black", "", 50, line=5),
         SpottedMarker(200, "Look at the sky", "white", line=6)]
RULES = """# the editor's colours
color red -> hit hard
colour cyan -> hit cut
prefix CUE -> cue-start
name ^end$ -> cue-end
color black -> no-music
any -> note
"""


def test_rules_map_markers_and_the_plan_lands_as_one_step_and_only_once() -> None:
    doc = Document()
    plan = plan_import(doc.project, MARKS, parse_rules(RULES))
    assert plan.summary() == "2 hits, 1 cues, 1 no-music ranges, 1 notes"
    assert not doc.project.hits  # a plan changes nothing
    assert land(doc, plan, "Import markers") == 5
    p = doc.project
    assert sorted((h.frame, h.kind) for h in p.hits.values()) == [(10, HitKind.HARD),
                                                                 (20, HitKind.CUT)]
    (cue,) = p.cues.values()
    assert (cue.name, cue.start_frame, cue.end_frame, cue.notes) == ("1M1", 30, 90, "low strings")
    assert [(r.start_frame, r.end_frame) for r in p.table(NoMusic).values()] == [(100, 150)]
    assert [m.name for m in p.table(Marker).values()] == ["Look at the sky"]
    again = plan_import(p, MARKS, parse_rules(RULES))
    assert again.changes == [] and again.duplicates == 5
    doc.undo()
    assert not p.hits and not p.cues and not p.table(Marker)


def test_defaults_hits_by_colour_cues_and_notes() -> None:
    doc = Document()
    plan = plan_import(doc.project, MARKS[:2], [], "hits")
    kinds = [r.entity.kind for r in plan.rows if isinstance(r.entity, Hit)]
    assert kinds == [HitKind.HARD, HitKind.CUT]
    plan = plan_import(doc.project, [SpottedMarker(5, "Opening", length=100),
                                     SpottedMarker(300, "a"), SpottedMarker(400, "b")], [], "cues")
    cues = [r.entity for r in plan.rows if isinstance(r.entity, Cue)]
    assert [(c.name, c.title, c.start_frame, c.end_frame) for c in cues] == [
        ("1M1", "Opening", 5, 105), ("1M2", "a", 300, 400)]
    lone = plan_import(doc.project, [SpottedMarker(5, "x")], [], "cues")
    assert lone.changes == [] and "left out" in lone.summary()


@pytest.mark.parametrize("text,words", [
    ("colour red hit", "line 1: expected WHEN -> WHAT"),
    ("\ncolor red -> explode", "line 2: expected one of"),
    ("name ( -> note", "not a regular expression"),
    ("color red -> hit loud", "a hit is hard, soft, cut or dialogue"),
])
def test_a_bad_rule_says_its_line(text: str, words: str) -> None:
    with pytest.raises(RulesError, match=words.replace("(", r"\(")):
        parse_rules(text)


def test_markers_before_the_project_start_are_left_out_with_the_reason() -> None:
    doc = Document()
    marks = [SpottedMarker(-120, "early", "red", line=1), SpottedMarker(10, "Slam", "red", line=2),
             SpottedMarker(-5, "CUE 1M2", "magenta", line=3), SpottedMarker(40, "END", line=4)]
    plan = plan_import(doc.project, marks, parse_rules("prefix CUE -> cue-start\n"
                                                       "name ^END$ -> cue-end\n"))
    bad = [(r.marker.line, r.problem) for r in plan.rows if r.problem]
    assert [line for line, _ in bad] == [1, 4]  # the hit, and the cue that would start early
    assert all("before the project start" in p for _, p in bad)
    assert plan.summary() == "1 hits; 2 left out"
    land(doc, plan, "Import markers")
    assert [h.frame for h in doc.project.hits.values()] == [10] and not doc.project.cues
