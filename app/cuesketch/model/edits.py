"""Note and controller edits as pure functions: each returns the changes, the Document applies them.

    document.execute_changes(move_notes(project, ids, dt=step), "Move notes")

Nothing here changes the project (except reserving ids for new entities, which
``Project.new_id`` does). Pitches stay within 0..127, velocities within 1..127, durations
above 0; a group moved or transposed past an edge stops at the edge as a whole, so chords
keep their shape.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from cuesketch.model.changes import Change, EntityChange, delete, insert
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.entities import ControlPoint, Controller, Note
from cuesketch.model.grid import Grid, tempo_grid
from cuesketch.model.project import Project
from cuesketch.timing.tempo import TempoMap

MIN_PITCH, MAX_PITCH = 0, 127
MIN_VELOCITY, MAX_VELOCITY = 1, 127


def _notes(project: Project, ids: Iterable[int]) -> list[Note]:
    table = project.notes
    return sorted((table[i] for i in set(ids) if i in table), key=lambda n: (n.start, n.pitch, n.id))


def _changed(pairs: Iterable[tuple[Note, Note]]) -> list[Change]:
    return [replace_change(a, b) for a, b in pairs if a != b]


def inserted_ids(changes: Sequence[Change], kind: type = Note) -> list[int]:
    """Ids of the entities of ``kind`` that ``changes`` insert (the new notes of a paste)."""
    return [c.id for c in changes
            if isinstance(c, EntityChange) and c.before is None and c.kind is kind]


def clamp_velocity(v: int) -> int:
    return max(MIN_VELOCITY, min(MAX_VELOCITY, int(v)))


# -- notes ----------------------------------------------------------------------------------

def add_note(project: Project, track_id: int, start: int, duration: int, pitch: int,
             velocity: int = 100) -> list[Change]:
    if duration <= 0:
        raise ValueError("a note lasts longer than 0")
    if not MIN_PITCH <= pitch <= MAX_PITCH:
        raise ValueError(f"pitch {pitch} is outside 0..127")
    if track_id not in project.tracks:
        raise ValueError(f"there is no track {track_id}")
    note = Note(project.new_id(Note), track_id, start, duration, pitch, clamp_velocity(velocity))
    return [insert(note)]


def delete_notes(project: Project, ids: Iterable[int]) -> list[Change]:
    return [delete(n) for n in _notes(project, ids)]


def pitch_shift(notes: Sequence[Note], dpitch: int) -> int:
    """``dpitch`` limited so that every note stays within 0..127."""
    if not notes or dpitch == 0:
        return 0
    low = min(n.pitch for n in notes)
    high = max(n.pitch for n in notes)
    return max(MIN_PITCH - low, min(MAX_PITCH - high, dpitch))


def move_notes(project: Project, ids: Iterable[int], dt: int = 0, dpitch: int = 0) -> list[Change]:
    """Move notes in time (flicks) and pitch (semitones)."""
    notes = _notes(project, ids)
    dp = pitch_shift(notes, dpitch)
    return _changed((n, replace(n, start=n.start + dt, pitch=n.pitch + dp)) for n in notes)


def transpose_notes(project: Project, ids: Iterable[int], semitones: int) -> list[Change]:
    return move_notes(project, ids, 0, semitones)


def set_velocities(project: Project, velocities: Mapping[int, int]) -> list[Change]:
    return _changed((n, replace(n, velocity=clamp_velocity(velocities[n.id])))
                    for n in _notes(project, velocities))


def duplicate_notes(project: Project, ids: Iterable[int], offset: int | None = None) -> list[Change]:
    """Copies of the notes, ``offset`` later; by default right after the selection ends."""
    notes = _notes(project, ids)
    if not notes:
        return []
    if offset is None:
        offset = max(n.end for n in notes) - notes[0].start
    return [insert(replace(n, id=project.new_id(Note), start=n.start + offset)) for n in notes]


# -- clipboard ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClipNote:
    offset: int  # flicks after the clip's start
    duration: int
    pitch: int
    velocity: int


@dataclass(frozen=True)
class Clip:
    """Copied notes, relative to the first one's start; ``length`` to the last one's end."""

    notes: tuple[ClipNote, ...]
    length: int

    def __bool__(self) -> bool:
        return bool(self.notes)


def copy_notes(project: Project, ids: Iterable[int]) -> Clip:
    notes = _notes(project, ids)
    if not notes:
        return Clip((), 0)
    start = notes[0].start
    return Clip(tuple(ClipNote(n.start - start, n.duration, n.pitch, n.velocity) for n in notes),
                max(n.end for n in notes) - start)


def paste_notes(project: Project, clip: Clip, at: int, track_id: int) -> list[Change]:
    """The clip's notes on a track, the first one starting at ``at``."""
    if track_id not in project.tracks:
        raise ValueError(f"there is no track {track_id}")
    return [insert(Note(project.new_id(Note), track_id, at + c.offset, c.duration, c.pitch,
                        c.velocity)) for c in clip.notes]


# -- quantize -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Quantize:
    """``strength`` 0..1 (1 lands on the grid); ``swing``: off-beat delay as a share of a step
    (0 straight, 1/3 triplet shuffle); ``lengths``: the ends too, not only the starts."""

    grid: Grid
    strength: float = 1.0
    swing: float = 0.0
    lengths: bool = False


def _toward(a: int, b: int, strength: float) -> int:
    if strength >= 1:
        return b
    return a + round((b - a) * Fraction(strength).limit_denominator(10000))


def quantize_notes(project: Project, ids: Iterable[int], tempo: TempoMap,
                   q: Quantize) -> list[Change]:
    grid = tempo_grid(tempo)
    out: list[tuple[Note, Note]] = []
    for n in _notes(project, ids):
        start = _toward(n.start, grid.nearest(n.start, q.grid, q.swing), q.strength)
        end = n.end - n.start + start  # the length kept unless asked
        if q.lengths:
            target = grid.nearest(n.end, q.grid, q.swing)
            if target <= start:  # never collapse: at least up to the next line
                target = grid.after(start, q.grid)
            end = _toward(n.end, target, q.strength)
        out.append((n, replace(n, start=start, duration=max(1, end - start))))
    return _changed(out)


# -- controllers ----------------------------------------------------------------------------

def clamp_control(controller: Controller, value: int) -> int:
    if controller is Controller.PITCH_BEND:
        return max(-8192, min(8191, int(value)))
    if controller is Controller.SUSTAIN:  # a pedal is down or up
        return 127 if value >= 64 else 0
    return max(0, min(127, int(value)))


def controls_in(project: Project, track_id: int, controller: Controller, start: int,
                end: int) -> list[ControlPoint]:
    return sorted((p for p in project.controls.values()
                   if p.track_id == track_id and p.controller is controller
                   and start <= p.time <= end), key=lambda p: (p.time, p.id))


def draw_controls(project: Project, track_id: int, controller: Controller, start: int, end: int,
                  points: Iterable[tuple[int, int]],
                  existing: Iterable[ControlPoint] | None = None) -> list[Change]:
    """Replace the controller's points from ``start`` to ``end`` (flicks, both included) with
    ``points`` (time, value). Points equal to the ones they replace are left alone.
    ``existing``: the points in that range when the caller has them indexed (else scanned)."""
    if track_id not in project.tracks:
        raise ValueError(f"there is no track {track_id}")
    extra: list[Change] = []
    if existing is None:
        existing = controls_in(project, track_id, controller, start, end)
    old: dict[int, ControlPoint] = {}
    for p in existing:
        if start <= p.time <= end:
            if p.time in old:  # two points at one time: keep one, delete the other
                extra.append(delete(old[p.time]))
            old[p.time] = p
    new = {t: clamp_control(controller, v) for t, v in points if start <= t <= end}
    changes: list[Change] = extra
    for t, p in old.items():
        if t not in new:
            changes.append(delete(p))
        elif new[t] != p.value:
            changes.append(replace_change(p, replace(p, value=new[t])))
    for t, v in sorted(new.items()):
        if t not in old:
            changes.append(insert(ControlPoint(project.new_id(ControlPoint), track_id, t,
                                               controller, v)))
    return changes

