"""What landing a take does around it: the range REPLACE clears, the names of take tracks.

The recorder's helpers (``engine.recorder``), kept apart so that the recorder reads whole.
"""

from __future__ import annotations

from dataclasses import replace

from cuesketch.model import changes
from cuesketch.model.changes import Change
from cuesketch.model.document import Document
from cuesketch.model.entities import Track
from cuesketch.model.project import Project


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
