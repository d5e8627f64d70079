"""What landing a take does around it: the range REPLACE clears, the names of take tracks,
and choosing a take afterwards (``swap_take``).

The recorder's helpers (``engine.recorder``), kept apart so that the recorder reads whole.
"""

from __future__ import annotations

from dataclasses import replace

from cuesketch.model import changes
from cuesketch.model.changes import Change
from cuesketch.model.document import Document
from cuesketch.model.entities import Track
from cuesketch.model.project import Project


class RecordError(RuntimeError):
    """A take that can't start (no track, no loop range...), in plain words."""


def clear_range(document: Document, track_id: int, lo: int, hi: int) -> list[Change]:
    """What REPLACE removes: notes starting in [lo, hi), notes sounding into it shortened."""
    out: list[Change] = []
    for note in list(document.project.notes_of(track_id)):
        if lo <= note.start < hi:
            out.append(changes.delete(note))
        elif note.start < lo < note.end:
            out.append(changes.replace(note, replace(note, duration=lo - note.start)))
    for point in list(document.project.controls.values()):
        if point.track_id == track_id and lo <= point.time < hi:
            out.append(changes.delete(point))
    return out


def take_name(project: Project, track: Track, pass_index: int) -> str:
    names = {t.name for t in project.tracks.values()}
    n = pass_index + 1
    while f"{track.name} take {n}" in names:
        n += 1
    return f"{track.name} take {n}"


def swap_take(document: Document, track_id: int, take_track_id: int,
              start: int | None = None, end: int | None = None) -> None:
    """Use a take: its notes and points in [start, end) change places with the track's.

    The range defaults to the take's own span. One undo step; nothing is lost either way.
    """
    project = document.project
    if track_id not in project.tracks or take_track_id not in project.tracks:
        raise RecordError("that take or track is not in the project any more")
    take_notes = list(project.notes_of(take_track_id))
    take_points = [p for p in project.controls.values() if p.track_id == take_track_id]
    if start is None or end is None:
        times = [n.start for n in take_notes] + [p.time for p in take_points]
        if not times:
            return
        start = min(times) if start is None else start
        end = (max([n.end for n in take_notes] + [p.time + 1 for p in take_points])
               if end is None else end)
    todo: list[Change] = []
    for a, b in ((track_id, take_track_id), (take_track_id, track_id)):
        for note in list(project.notes_of(a)):
            if start <= note.start < end:
                todo.append(changes.replace(note, replace(note, track_id=b)))
        for point in list(project.controls.values()):
            if point.track_id == a and start <= point.time < end:
                todo.append(changes.replace(point, replace(point, track_id=b)))
    with document.transaction("Use take"):
        document.execute_changes(todo, "Use take")
