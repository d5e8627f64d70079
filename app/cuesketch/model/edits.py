"""Note and controller edits as pure functions: each returns the changes, the Document applies them.

    document.execute_changes(move_notes(project, ids, dt=step), "Move notes")

Nothing here changes the project (except reserving ids for new entities, which
``Project.new_id`` does). Pitches stay within 0..127, velocities within 1..127, durations
above 0; a group moved or transposed past an edge stops at the edge as a whole, so chords
keep their shape.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from cuesketch.model.changes import Change, EntityChange, delete, insert
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.entities import ControlPoint, Controller, Note
from cuesketch.model.grid import Grid, tempo_grid
from cuesketch.model.project import Project
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

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


CLIP_FORMAT = "cuesketch-notes/1"  # the notes on the system clipboard, as JSON


def clip_to_json(clip: Clip) -> str:
    """The clip as JSON, for the system clipboard (another window of Cuesketch reads it)."""
    return json.dumps({"format": CLIP_FORMAT, "length": clip.length,
                       "notes": [[c.offset, c.duration, c.pitch, c.velocity]
                                 for c in clip.notes]}, separators=(",", ":"))


def clip_from_json(text: str | bytes) -> Clip:
    """The clip ``clip_to_json`` wrote; anything else is a ``ValueError`` in plain words."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the clipboard holds no notes from Cuesketch") from None
    if not isinstance(data, dict) or data.get("format") != CLIP_FORMAT:
        raise ValueError("the clipboard holds no notes from Cuesketch")
    notes: list[ClipNote] = []
    try:
        for offset, duration, pitch, velocity in data["notes"]:
            if not all(type(v) is int for v in (offset, duration, pitch, velocity)):
                raise TypeError
            if duration <= 0 or offset < 0 or not MIN_PITCH <= pitch <= MAX_PITCH:
                raise TypeError
            notes.append(ClipNote(offset, duration, pitch, clamp_velocity(velocity)))
    except (KeyError, TypeError, ValueError):
        raise ValueError("the notes on the clipboard are damaged") from None
    notes.sort(key=lambda c: (c.offset, c.pitch))
    length = max((c.offset + c.duration for c in notes), default=0)
    return Clip(tuple(notes), length)


NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


def pitch_name(pitch: int) -> str:
    """``C4`` for 60 (middle C), ``F#2`` for 42."""
    return f"{NOTE_NAMES[pitch % 12]}{pitch // 12 - 1}"


def clip_to_text(clip: Clip) -> str:
    """The clip for a text editor or an e-mail: one note a line, times in seconds from the
    first note."""
    lines = [f"{len(clip.notes)} notes from Cuesketch",
             "start s\tlength s\tpitch\tvelocity"]
    for c in clip.notes:
        lines.append(f"{c.offset / FLICKS_PER_SECOND:.3f}\t{c.duration / FLICKS_PER_SECOND:.3f}"
                     f"\t{pitch_name(c.pitch)}\t{c.velocity}")
    return "\n".join(lines) + "\n"


_INTERVALS = ("unison", "minor second", "major second", "minor third", "major third",
              "perfect fourth", "tritone", "perfect fifth", "minor sixth", "major sixth",
              "minor seventh", "major seventh")


def interval_name(semitones: int) -> str:
    """``up a perfect fifth`` for 7, ``down an octave and a minor third`` for -15."""
    if semitones == 0:
        return "not at all"
    way = "up" if semitones > 0 else "down"
    octaves, rest = divmod(abs(semitones), 12)
    parts = []
    if octaves:
        parts.append("an octave" if octaves == 1 else f"{octaves} octaves")
    if rest:
        name = _INTERVALS[rest]
        parts.append(("an " if name[0] in "aeiou" else "a ") + name)
    return f"{way} {' and '.join(parts)}"


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


def quantize_notes(project: Project, ids: Iterable[int],
                   tempo: TempoMap | Callable[[int], TempoMap], q: Quantize) -> list[Change]:
    """``tempo``: the map, or the map in force at a note's start (a cue's own inside it)."""
    out: list[tuple[Note, Note]] = []
    for n in _notes(project, ids):
        grid = tempo_grid(tempo if isinstance(tempo, TempoMap) else tempo(n.start))
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

