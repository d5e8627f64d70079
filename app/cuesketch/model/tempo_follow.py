"""Notes that keep their bars and beats when a tempo map changes.

Notes and controller points sit at flicks (picture time). When the composer changes the tempo
to land a downbeat on a hit, the music should move with its beats: each note and point where
the map is in force keeps its beat (quarter notes from the map's origin) and takes that beat's
new time; its end does the same, so a note under a slower tempo lasts longer. Hits and cues are
locked to frames and never move. A meter change only renames bars: nothing moves.

    changes = follow(project, old, new, holds)       # with the map's own change: one step

``holds`` says where the map is in force (``tempo_regions``): a cue's own map moves only the
notes inside the cue, the project's map only the notes outside cues with maps of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from cuesketch.model.changes import Change
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.entities import ControlPoint, Note
from cuesketch.model.project import Project
from cuesketch.timing.tempo import TempoMap


def differs_from(old: TempoMap, new: TempoMap) -> int | None:
    """The earliest time (flicks) from which two maps may place a beat differently, or None
    if they place every beat alike (they differ at most in meters)."""
    if old.origin != new.origin:
        return -(1 << 62)
    if old.tempos == new.tempos:
        return None
    i = next((k for k, (a, b) in enumerate(zip(old.tempos, new.tempos)) if a != b),
             min(len(old.tempos), len(new.tempos)))
    # a ramp into the first change that differs already bends: from the change before it
    beats = [t.beat for t in (*old.tempos[max(i - 1, 0):i + 1], *new.tempos[max(i - 1, 0):i + 1])]
    if i == 0:  # the first tempo also reaches back before the origin
        return -(1 << 62)
    return min(old.beat_to_flicks(min(beats)), new.beat_to_flicks(min(beats)))


def shifted_after(old: TempoMap, new: TempoMap) -> tuple[int, int] | None:
    """Where two maps end alike: ``(t, delta)`` when from time ``t`` of ``old`` on every beat
    of ``new`` falls ``delta`` flicks later (their last changes are the same), else None."""
    if old.origin != new.origin or old.tempos == new.tempos:
        return None
    k = 0
    while (k < min(len(old.tempos), len(new.tempos))
           and old.tempos[-1 - k] == new.tempos[-1 - k]):
        k += 1
    if k == 0:
        return None
    beat = old.tempos[-k].beat
    t = old.beat_to_flicks(beat)
    return t, new.beat_to_flicks(beat) - t


def follow(project: Project, old: TempoMap, new: TempoMap, holds: Callable[[int], bool],
           notes: Mapping[int, Note] | None = None,
           controls: Mapping[int, ControlPoint] | None = None) -> list[Change]:
    """The changes that keep every note and controller point where ``holds`` (at its start)
    on its beat of ``old`` at that beat's time in ``new``. ``notes`` and ``controls``: where
    they were under ``old`` (a drag's start; by default, the project's now)."""
    since = differs_from(old, new)
    if since is None:
        return []
    notes = project.notes if notes is None else notes
    controls = project.controls if controls is None else controls

    # Past the last change that differs every time moves alike; before it each time is
    # converted (the same times once: chords, a note's end at the next one's start).
    shift = shifted_after(old, new)
    seen: dict[int, int] = {}

    def moved(t: int) -> int:
        if t < since:
            return t
        if shift is not None and t >= shift[0]:
            return t + shift[1]
        out = seen.get(t)
        if out is None:
            out = seen[t] = new.beat_to_flicks(old.flicks_to_beat(t))
        return out

    out: list[Change] = []
    for n in notes.values():
        current = project.notes.get(n.id)
        if current is None:
            continue
        target = n
        if n.end >= since and holds(n.start):
            start, end = moved(n.start), moved(n.end)
            target = replace(n, start=start, duration=max(1, end - start))
        if target != current:
            out.append(replace_change(current, target))
    for c in controls.values():
        point = project.controls.get(c.id)
        if point is None:
            continue
        target_point = c
        if c.time >= since and holds(c.time):
            target_point = replace(c, time=moved(c.time))
        if target_point != point:
            out.append(replace_change(point, target_point))
    return out
