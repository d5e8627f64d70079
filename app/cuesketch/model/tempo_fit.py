"""Find Tempo on a project: a cue's hits as the question, and a found map applied as one step.

Each kind of hit asks something different by default: a hard hit must be caught on its frame,
a cut weighs 2 and a soft hit 1 (either may be a frame off), a line of dialogue weighs 1 and
may be two frames off. Applying a map sets the cue's own tempo map; the notes and controller
points inside the cue either stay where they are on the picture (``keep="times"``) or move
with the music, keeping their bars and beats (``keep="bars"``). Nothing here changes a
project: ``apply_changes`` returns the changes, to be executed as one undo step.
"""

from __future__ import annotations

from dataclasses import replace

from cuesketch.model.changes import Change
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.entities import Cue, Hit, HitKind
from cuesketch.model.project import Project
from cuesketch.model.tempo_edits import MapRef, put_map
from cuesketch.timing.position import tempo_at
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.tempo_fit import FitError, FitHit, FitProblem, Grid, merge_same_frame

# kind -> (must, weight, tolerance in frames)
KIND_DEFAULTS: dict[HitKind, tuple[bool, int, int]] = {
    HitKind.HARD: (True, 1, 0),
    HitKind.CUT: (False, 2, 1),
    HitKind.SOFT: (False, 1, 1),
    HitKind.DIALOGUE: (False, 1, 2),
}

KEEP = ("times", "bars")


def find_cue(project: Project, name: str) -> Cue:
    """The cue of this name (``1M3``; case and spaces don't matter)."""
    key = name.strip().lower().replace(" ", "")
    for cue in project.cues.values():
        if cue.name.strip().lower().replace(" ", "") == key:
            return cue
    names = ", ".join(sorted(c.name for c in project.cues.values())) or "none"
    raise FitError(f"there is no cue '{name}' (the cues: {names})")


def cue_hits(project: Project, cue: Cue) -> list[Hit]:
    return sorted((h for h in project.hits.values()
                   if cue.start_frame <= h.frame < cue.end_frame), key=lambda h: h.frame)


def fit_hits(hits: list[Hit], grid: Grid = Grid.BEAT, tolerance: int | None = None,
             musts: frozenset[HitKind] | None = None) -> list[FitHit]:
    """The hits as Find Tempo weighs them (see ``KIND_DEFAULTS``); ``musts`` overrides which
    kinds must be caught, ``tolerance`` every hit's tolerance."""
    out = []
    for h in hits:
        must, weight, tol = KIND_DEFAULTS[h.kind]
        if musts is not None:
            must = h.kind in musts
        out.append(FitHit(h.frame, must, weight, tol if tolerance is None else tolerance, grid,
                          h.name or h.kind.value, h.id))
    return merge_same_frame(out)


def cue_problem(project: Project, cue: Cue, **options: object) -> FitProblem:
    """The question for a cue: its hits, bar 1 at its start, the meter in force there.
    ``options``: ``grid``, ``tolerance``, ``musts`` for the hits, the rest for FitProblem."""
    hit_options = {k: options.pop(k) for k in ("grid", "tolerance", "musts") if k in options}
    hits = fit_hits(cue_hits(project, cue), **hit_options)  # type: ignore[arg-type]
    if not hits:
        raise FitError(f"cue {cue.name} has no hits to fit a tempo to")
    settings = project.settings
    current = current_map(project, cue)
    meter = current.meter_at(current.flicks_to_bbt(
        settings.rate.frame_to_flicks(cue.start_frame)).bar)
    options.setdefault("numerator", meter.numerator)
    options.setdefault("denominator", meter.denominator)
    return FitProblem(tuple(hits), settings.rate, cue.start_frame, **options)  # type: ignore[arg-type]


def current_map(project: Project, cue: Cue) -> TempoMap:
    """The map in force in the cue: its own, else the project's."""
    return cue.tempo if cue.tempo is not None else project.settings.tempo


def apply_changes(project: Project, cue: Cue, tm: TempoMap, keep: str = "times") -> list[Change]:
    """The changes that make ``tm`` the cue's map; with ``keep="bars"`` the notes and
    controller points starting inside the cue move to the same beats on the new map."""
    if keep not in KEEP:
        raise FitError(f"keep the notes at their 'times' or their 'bars', not '{keep}'")
    changes: list[Change] = list(put_map(project, MapRef(cue.id), tm))
    if keep == "bars":
        rate = project.settings.rate
        lo, hi = rate.frame_to_flicks(cue.start_frame), rate.frame_to_flicks(cue.end_frame)
        old = tempo_at(lo, project.settings, project.cues.values())

        def moved(t: int) -> int:
            return tm.beat_to_flicks(old.flicks_to_beat(t))

        for note in project.notes.values():
            if lo <= note.start < hi:
                start = moved(note.start)
                end = max(moved(note.end), start + 1)
                new = replace(note, start=start, duration=end - start)
                if new != note:
                    changes.append(replace_change(note, new))
        for point in project.controls.values():
            if lo <= point.time < hi:
                new_point = replace(point, time=moved(point.time))
                if new_point != point:
                    changes.append(replace_change(point, new_point))
    return changes


__all__ = ["KIND_DEFAULTS", "KEEP", "apply_changes", "cue_hits", "cue_problem", "current_map",
           "find_cue", "fit_hits"]
