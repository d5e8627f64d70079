"""Where each tempo map is in force: a cue's own map inside the cue, the project's elsewhere.

The rule is ``timing.position.tempo_at``'s (the transport bar, the picture's bars and the
count-in read it): among the cues with a map of their own, the one ``timing.cues.cue_at``
picks at a frame. ``regions_in_force`` cuts the transport into stretches by that rule, so a
view can draw each stretch's bars and grid from its own map.
"""

from __future__ import annotations

from dataclasses import dataclass

from cuesketch.model.entities import Cue
from cuesketch.model.project import Project
from cuesketch.model.tempo_edits import MapRef
from cuesketch.timing.cues import cue_at
from cuesketch.timing.tempo import TempoMap


@dataclass(frozen=True)
class Region:
    """A stretch of the transport where one map is in force: ``start`` to ``end`` (flicks,
    ``None``: without an end), the project's map or a cue's own."""

    ref: MapRef
    tempo: TempoMap
    start: int | None
    end: int | None
    name: str = ""  # the cue's

    def holds(self, t: int) -> bool:
        return (self.start is None or t >= self.start) and (self.end is None or t < self.end)

    def clamp(self, t: int) -> int:
        if self.start is not None:
            t = max(t, self.start)
        if self.end is not None:
            t = min(t, self.end - 1)
        return t


def regions_in_force(project: Project) -> list[Region]:
    """The maps in force from the earliest time to the latest, in order, without gaps."""
    rate = project.settings.rate
    own = [c for c in project.cues.values() if c.tempo is not None]
    if not own:
        return [Region(MapRef(), project.settings.tempo, None, None)]
    edges = sorted({f for c in own for f in (c.start_frame, c.end_frame)})
    spans: list[tuple[Cue | None, int | None, int | None]] = [(None, None, edges[0])]
    for e0, e1 in zip(edges, edges[1:]):
        spans.append((cue_at(own, e0), e0, e1))
    spans.append((None, edges[-1], None))
    out: list[Region] = []
    for cue, a, b in spans:
        start = None if a is None else rate.frame_to_flicks(a)
        end = None if b is None else rate.frame_to_flicks(b)
        ref = MapRef(cue.id if cue is not None else None)
        if out and out[-1].ref == ref:
            out[-1] = Region(ref, out[-1].tempo, out[-1].start, end, out[-1].name)
            continue
        tm = cue.tempo if cue is not None and cue.tempo is not None else project.settings.tempo
        out.append(Region(ref, tm, start, end, cue.name if cue is not None else ""))
    return out


def regions_between(project: Project, t0: int, t1: int) -> list[Region]:
    """The stretches that overlap ``t0`` to ``t1`` (flicks), in order."""
    return [r for r in regions_in_force(project)
            if (r.end is None or r.end > t0) and (r.start is None or r.start <= t1)]
