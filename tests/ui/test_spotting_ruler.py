"""Cues and hits dragged in the ruler by whole frames: a hit moved, a cue moved, a cue's end
pulled; each one undo step; a click on a cue still goes there; the drag's logic headless."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Hit, HitKind
from cuesketch.model.project import Project
from cuesketch.model.entities import Settings
from cuesketch.model.spotting_drag import END, MOVE, START, MarkDrag, grab_cue, grab_hit
from cuesketch.ui.roll_ruler import CUE_TOP, CUE_ROW, HIT_TOP, HIT_ROW

from test_piano_roll import LEFT, NOMOD, Rig


def test_grab_and_drag_headless() -> None:
    cues = [Cue(1, "1M1", 24, 240), Cue(2, "1M2", 480, 720)]
    assert grab_cue(cues, 25, 2) == grab_cue(cues, 23, 2)
    assert grab_cue(cues, 25, 2).part == START  # type: ignore[union-attr]
    assert grab_cue(cues, 239, 2).part == END  # type: ignore[union-attr]
    assert grab_cue(cues, 100, 2).part == MOVE  # type: ignore[union-attr]
    assert grab_cue(cues, 300, 2) is None
    assert grab_hit([Hit(1, 48), Hit(2, 50)], 48.9, 3).entity.id == 1  # type: ignore[union-attr]
    project = Project()
    project.load(Settings(), cues)
    doc = Document(project)
    drag = MarkDrag(doc, grab_cue(cues, 240, 1), 240)  # type: ignore[arg-type]
    drag.move_to(300)
    drag.move_to(100)  # not before its start
    assert doc.project.cues[1].end_frame == 100
    drag.move_to(10)
    assert doc.project.cues[1].end_frame == 25
    assert drag.release() and len(doc._undo) == 1
    doc.undo()
    assert doc.project.cues[1].end_frame == 240


def _x(rig: Rig, frame: int) -> int:
    return round(rig.roll.geo.x_of(frame * rig.project.settings.rate.flicks_per_frame))


def test_dragging_in_the_ruler_moves_by_whole_frames_one_step_each(qtbot) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot)
    ruler = rig.roll.ruler
    hit_y, cue_y = HIT_TOP + HIT_ROW // 2, CUE_TOP + CUE_ROW // 2
    rig.drag(ruler, QPoint(_x(rig, 48), hit_y), QPoint(_x(rig, 60), hit_y))
    assert rig.project.hits[1].frame == 60
    rig.drag(ruler, QPoint(_x(rig, 100), cue_y), QPoint(_x(rig, 110), cue_y))
    assert (rig.project.cues[1].start_frame, rig.project.cues[1].end_frame) == (34, 250)
    rig.drag(ruler, QPoint(_x(rig, 250), cue_y), QPoint(_x(rig, 300), cue_y))
    assert (rig.project.cues[1].start_frame, rig.project.cues[1].end_frame) == (34, 300)
    assert rig.doc.history()[-3:] == ["Move hit", "Move cue", "Resize cue 1M1"]
    rig.doc.undo()
    rig.doc.undo()
    rig.doc.undo()
    assert rig.project.hits[1].frame == 48 and rig.project.cues[1].end_frame == 240
    qtbot.mouseClick(ruler, LEFT, NOMOD, QPoint(_x(rig, 120), cue_y))  # a click: go there
    fpf = rig.project.settings.rate.flicks_per_frame
    assert rig.roll.playhead == 120 * fpf or rig.transport.position() == 120 * fpf
    assert rig.project.cues[1].start_frame == 24


def test_undo_during_a_drag_ends_it_and_escape_takes_it_back(qtbot) -> None:  # type: ignore[no-untyped-def]
    rig = Rig(qtbot)
    ruler = rig.roll.ruler
    hit_y = HIT_TOP + HIT_ROW // 2
    steps = len(rig.doc._undo)
    qtbot.mousePress(ruler, LEFT, NOMOD, QPoint(_x(rig, 48), hit_y))
    qtbot.mouseMove(ruler, QPoint(_x(rig, 54), hit_y))
    assert rig.project.hits[1].frame == 54
    assert rig.doc.undo() == "Move hit"  # Ctrl+Z under the drag takes it back
    for f in (58, 62, 66):  # later moves are not steps of their own
        qtbot.mouseMove(ruler, QPoint(_x(rig, f), hit_y))
    qtbot.mouseRelease(ruler, LEFT, NOMOD, QPoint(_x(rig, 66), hit_y))
    assert rig.project.hits[1].frame == 48 and len(rig.doc._undo) == steps
    # Escape during a drag takes it back; the moves after it do nothing
    qtbot.mousePress(ruler, LEFT, NOMOD, QPoint(_x(rig, 48), hit_y))
    qtbot.mouseMove(ruler, QPoint(_x(rig, 60), hit_y))
    assert rig.project.hits[1].frame == 60
    qtbot.keyClick(ruler, Qt.Key.Key_Escape)
    qtbot.mouseMove(ruler, QPoint(_x(rig, 70), hit_y))
    qtbot.mouseRelease(ruler, LEFT, NOMOD, QPoint(_x(rig, 70), hit_y))
    assert rig.project.hits[1].frame == 48 and len(rig.doc._undo) == steps


def test_a_closed_drag_moves_nothing_headless() -> None:
    project = Project()
    project.load(Settings(), [Hit(1, 48)])
    doc = Document(project)
    drag = MarkDrag(doc, grab_hit(project.hits.values(), 48, 1), 48)  # type: ignore[arg-type]
    assert drag.move_to(50) is True
    doc.undo()
    assert drag.move_to(60) is False and not drag.is_open
    assert doc.project.hits[1].frame == 48 and not doc._undo
