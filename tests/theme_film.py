"""A generated film-length score with themes planted in it, and what was planted where.

``film(...)``: twelve random themes (the project's library), each stated again and again on
melody tracks under a random transposition (chromatic or diatonic), tempo, augmentation and
inversion, with ornament notes (grace notes) added to a share of the gaps, among unrelated
notes: random-walk melodies on the same tracks between statements, and chords and bass lines on
accompaniment tracks. The statements are plain notes (as if played), not recorded insertions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from cuesketch.model import theme_transforms
from cuesketch.model.entities import Note, Settings, Theme, Track
from cuesketch.model.project import Project
from cuesketch.model.theme_values import Key, Mode, Snippet, SnippetNote, Transform
from cuesketch.timing.units import FLICKS_PER_SECOND

F = FLICKS_PER_SECOND


@dataclass(frozen=True)
class Planted:
    theme_id: int
    track_id: int
    start: int
    end: int
    inverted: bool


def random_theme(rng: random.Random, theme_id: int) -> Theme:
    key = Key(rng.randrange(12), rng.choice([Mode.MAJOR, Mode.MINOR, Mode.DORIAN]))
    count = rng.randint(7, 12)
    degree = rng.randint(28, 36)  # around the 5th octave of scale degrees
    notes = []
    beat = Fraction(0)
    last_step = 0
    for _ in range(count):
        pitch = key.pitch_of(degree)
        dur = Fraction(rng.choice([1, 1, 2, 2, 3, 4]), 2)
        notes.append(SnippetNote(beat, dur, pitch, 90))
        beat += dur
        step = 0
        while step == 0 or step == -last_step:
            step = rng.choice([-4, -3, -2, -2, -1, -1, 1, 1, 2, 2, 3, 4, 5])
        last_step = step
        degree += step
    return Theme(theme_id, f"Theme {theme_id}", snippet=Snippet(tuple(notes), beat), key=key)


def _statement(rng: random.Random, theme: Theme) -> tuple[Snippet, bool]:
    inverted = rng.random() < 0.3
    diatonic = rng.random() < 0.5
    shift = rng.randint(-4, 4) if diatonic else rng.randint(-7, 7)
    first = theme.snippet.notes[0].pitch
    t = Transform(shift=shift, diatonic=diatonic, key=theme.key,
                  ratio=rng.choice([Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(2)]),
                  invert_around=first if inverted else None)
    return theme_transforms.apply(theme.snippet, t), inverted


def _ornamented(rng: random.Random, snippet: Snippet, share: float,
                bpm: float) -> list[tuple[float, float, int]]:
    """(start s, duration s, pitch): the snippet at ``bpm`` with grace notes before ``share``
    of its notes (after the first), each taking a little of the note before it."""
    spb = 60.0 / bpm
    notes = [[float(n.start) * spb, float(n.duration) * spb, n.pitch]
             for n in snippet.sorted_notes()]
    out: list[tuple[float, float, int]] = []
    for i, (s, d, p) in enumerate(notes):
        if i > 0 and rng.random() < share:
            grace = min(0.12, out[-1][1] / 3)
            ps, pd, pp = out[-1]
            out[-1] = (ps, pd - grace, pp)
            out.append((s - grace, grace * 0.9, p + rng.choice([-2, -1, 1, 2])))
        out.append((s, d, int(p)))
    return out


def film(seed: int = 19, themes: int = 12, statements: int = 200, unrelated: int = 20_000,
         seconds: float = 7200.0, melody_tracks: int = 4, ornaments: float = 0.1
         ) -> tuple[Project, list[Planted]]:
    rng = random.Random(seed)
    tracks = [Track(i + 1, f"Melody {i + 1}", program=73, order=i)
              for i in range(melody_tracks)]
    tracks += [Track(melody_tracks + i + 1, f"Accompaniment {i + 1}", program=48,
                     order=melody_tracks + i) for i in range(4)]
    library = [random_theme(rng, i + 1) for i in range(themes)]
    notes: list[Note] = []
    planted: list[Planted] = []

    def add(track: int, start_s: float, dur_s: float, pitch: int) -> Note:
        n = Note(len(notes) + 1, track, round(start_s * F), max(1, round(dur_s * F)),
                 max(0, min(127, pitch)), 90)
        notes.append(n)
        return n

    # Statements: evenly spread slots, each on a random melody track.
    slot = seconds / statements
    busy: dict[int, list[tuple[float, float]]] = {t: [] for t in range(1, melody_tracks + 1)}
    for k in range(statements):
        theme = rng.choice(library)
        track = rng.randint(1, melody_tracks)
        snippet, inverted = _statement(rng, theme)
        bpm = rng.uniform(60, 160)
        at = k * slot + rng.uniform(0, slot * 0.3)
        placed = [add(track, at + s, d, p) for s, d, p in _ornamented(rng, snippet, ornaments, bpm)]
        end = max(n.end for n in placed)
        planted.append(Planted(theme.id, track, placed[0].start, end, inverted))
        busy[track].append((at - 1.0, end / F + 1.0))
    stated = len(notes)
    # Unrelated melodies on the melody tracks, in the gaps.
    melodic = unrelated * 2 // 5
    per_track = melodic // melody_tracks
    for track in range(1, melody_tracks + 1):
        spans = sorted(busy[track])
        gaps = [(a[1], b[0]) for a, b in zip([(0.0, 0.0)] + spans, spans + [(seconds, seconds)])
                if b[0] - a[1] > 2.0]
        total = sum(b - a for a, b in gaps)
        left = per_track
        for a, b in gaps:
            count = min(left, round(per_track * (b - a) / total))
            left -= count
            key = Key(rng.randrange(12), rng.choice(list(Mode)))
            degree = rng.randint(28, 38)
            t = a
            step = (b - a) / max(count, 1)
            for _ in range(count):
                add(track, t, step * rng.uniform(0.5, 0.95), key.pitch_of(degree))
                degree += rng.choice([-3, -2, -1, -1, 1, 1, 2, 3, 4, -4, 0])
                degree = min(max(degree, 24), 44)
                t += step
    # Accompaniment: chords and a bass line under everything.
    rest = unrelated - (len(notes) - stated)
    acc_tracks = [t.id for t in tracks[melody_tracks:]]
    chord_every = seconds / max(rest // 4, 1)
    t = 0.0
    made = 0
    while made < rest:
        root = rng.randrange(36, 55)
        for interval in (0, 4, 7):
            if made < rest:
                add(rng.choice(acc_tracks[:2]), t, chord_every * 0.9, root + 12 + interval)
                made += 1
        if made < rest:
            add(acc_tracks[2 + int(t) % 2], t, chord_every * 0.9, root)
            made += 1
        t += chord_every
    project = Project()
    project.load(Settings(title="Theme film"), [*tracks, *library, *notes])
    return project, planted


def score(found: list[tuple[int, int, int, int]], planted: list[Planted]) -> tuple[float, float]:
    """(recall, precision) of found (theme id, track id, start, end) against the planted: a
    find is right when it is the planted theme on its track and overlaps it by half."""
    def hits(f: tuple[int, int, int, int], p: Planted) -> bool:
        theme, track, a, b = f
        overlap = min(b, p.end) - max(a, p.start)
        return theme == p.theme_id and track == p.track_id and \
            overlap >= 0.5 * min(b - a, p.end - p.start)

    right = sum(1 for f in found if any(hits(f, p) for p in planted))
    recalled = sum(1 for p in planted if any(hits(f, p) for f in found))
    return recalled / len(planted), (right / len(found) if found else 1.0)
