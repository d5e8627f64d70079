"""Dragging a cue or a hit in the ruler, by whole frames: move a hit, move a cue, or pull a
cue's start or end. Press opens a gesture; every move puts the thing at the frame under the
pointer (from where it was at the press, so no rounding piles up); release makes it one undo
step, Escape takes it back. Which mark a press is on is ``grab``'s, from frames and a reach in
frames (the view turns pixels into that), so a test needs no widget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from cuesketch.model.changes import replace as replace_change
from cuesketch.model.document import Document, Gesture
from cuesketch.model.entities import Cue, Hit

MOVE, START, END = "move", "start", "end"


@dataclass(frozen=True)
class Grab:
    entity: Cue | Hit
    part: str  # MOVE, START or END


def grab_hit(hits: Iterable[Hit], frame: float, reach: float) -> Grab | None:
    """The hit nearest ``frame`` within ``reach`` frames."""
    near = [(abs(h.frame - frame), h.id, h) for h in hits if abs(h.frame - frame) <= reach]
    return Grab(min(near)[2], MOVE) if near else None


def grab_cue(cues: Iterable[Cue], frame: float, reach: float) -> Grab | None:
    """A cue's edge within ``reach`` frames (its start or end), else the cue under ``frame``."""
    best: tuple[float, int, Grab] | None = None
    for c in cues:
        for edge, part in ((c.start_frame, START), (c.end_frame, END)):
            d = abs(edge - frame)
            if d <= reach and (best is None or (d, c.id) < best[:2]):
                best = (d, c.id, Grab(c, part))
    if best is not None:
        return best[2]
    inside = [c for c in cues if c.start_frame <= frame < c.end_frame]
    return Grab(min(inside, key=lambda c: (c.start_frame, c.id)), MOVE) if inside else None


class MarkDrag:
    def __init__(self, document: Document, grab: Grab, press_frame: int) -> None:
        self.document = document
        self.grab = grab
        self.press_frame = press_frame
        what = "hit" if isinstance(grab.entity, Hit) else "cue"
        label = f"Move {what}" if grab.part == MOVE else f"Resize cue {grab.entity.name}"
        self.gesture: Gesture = document.begin(label)

    def target(self, frame: int) -> Cue | Hit:
        e, delta = self.grab.entity, frame - self.press_frame
        if isinstance(e, Hit):
            return replace(e, frame=e.frame + delta)
        if self.grab.part == MOVE:
            return replace(e, start_frame=e.start_frame + delta, end_frame=e.end_frame + delta)
        if self.grab.part == START:
            return replace(e, start_frame=min(e.end_frame - 1, e.start_frame + delta))
        return replace(e, end_frame=max(e.start_frame + 1, e.end_frame + delta))

    @property
    def is_open(self) -> bool:
        """False once the drag was taken back (Escape, or Ctrl+Z during it) or released."""
        return self.gesture.is_open

    def move_to(self, frame: int) -> bool:
        """Put the thing at ``frame``; False (and nothing done) once the gesture is closed, so
        a drag undone half-way can't go on as one undo step per mouse move."""
        if not self.gesture.is_open:
            return False
        e = self.grab.entity
        now = self.document.project.table(type(e)).get(e.id)  # type: ignore[type-var]
        after = self.target(frame)
        if now is not None and now != after:
            self.document.execute_changes([replace_change(now, after)])
        return True

    def release(self) -> bool:
        """One undo step (False if nothing moved)."""
        return self.gesture.commit()

    def cancel(self) -> None:
        self.gesture.rollback()
