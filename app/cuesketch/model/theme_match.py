"""Finding a theme in played material: by its intervals and contour, in any key, at any tempo
or augmentation, through ornament notes, and inverted or backwards.

How (all of it vectorised with numpy, linear in the notes of the project for each theme):

1. Each track's notes become a melody line, its *skyline*: at each onset the highest note, and
   a note under a higher one still sounding is left out (the accompaniment under a tune).
   The lines of all tracks sit end to end in one array, cut into phrases at a track's end
   and at a long silence; nothing matches across a cut.
2. A theme is its own top line's intervals. Aligning it to a line is a dynamic programme over
   (theme note i, played note j): theme note i is played note j, and the step from the theme
   note before is the played step from some earlier note j - k. ``k`` > 1 steps over ornament
   notes (a grace note, a turn), at a small cost each; a theme note may also be missing.
   Comparing *intervals* makes it transposition-invariant; ignoring durations makes it deaf
   to tempo, augmentation and rhythm changes; an interval off by a semitone in the same
   direction (a diatonic transposition turns a major third minor) still earns most credit,
   and one in the same direction some (the contour).
3. Inversion is the same theme with its intervals negated; retrograde, reversed.
4. A score is the alignment's credit per theme interval, 1.0 for an exact statement. Ends of
   alignments at or above the threshold are candidates; the best are kept, greedily, so no two
   matches on a line share a note.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cuesketch.model.entities import Note, Theme
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SECOND

THRESHOLD = 0.75  # a match's score must reach this (1.0: every interval exact, rhythm steady)
MIN_THEME_NOTES = 4  # fewer notes match anywhere: such a theme is only mapped where inserted
SHORT_THEME_NOTES = 6  # a theme shorter than this (a motif) must be matched almost exactly:
SHORT_THEME_SCORE = 0.9  # three or four intervals turn up by chance in any busy score
MAX_SKIP = 2  # ornament notes stepped over between two theme notes
SKIP_COST = 0.12  # per ornament note stepped over
MISS_COST = 0.45  # a theme note not played
LONG_SKIP_COST = 1.0  # and more for each part of the span the notes stepped over fill
SEMITONE_CREDIT = 0.45  # an interval a semitone wider or narrower, the same way
RHYTHM_WEIGHT = 0.25  # the most a statement in a rhythm of its own loses
PHRASE_GAP = 6 * FLICKS_PER_SECOND  # a silence this long on a track ends a phrase
CHORD_WINDOW = FLICKS_PER_SECOND // 30  # notes starting this close together: one onset
LEGATO = FLICKS_PER_SECOND // 16  # a melody's note may overlap the next by this much
_NEG = -1e9

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Match:
    theme_id: int
    track_id: int
    start: int  # flicks: the first matched note's start
    end: int  # the last matched note's end
    score: float
    inverted: bool
    retrograde: bool
    shift: int  # semitones from the theme as written (its first note to the played one)
    note_ids: tuple[int, ...]

    @property
    def variant(self) -> str:
        words = [w for w, on in (("retrograde", self.retrograde), ("inverted", self.inverted))
                 if on]
        return " ".join(words) or "prime"


@dataclass(frozen=True)
class Lines:
    """Every track's melody line, end to end: per played note its pitch, phrase, note."""

    pitch: IntArray
    phrase: IntArray  # the same number along a phrase; a match stays inside one
    start: IntArray
    end: IntArray
    note_id: IntArray
    track_id: IntArray

    def __len__(self) -> int:
        return len(self.pitch)


def skyline(notes: list[Note], top: bool = True) -> list[Note]:
    """A track's melody: the top note of each onset, without notes under a higher one still
    sounding (beyond a legato overlap); ``top`` False: the bass line, the same from below.
    ``notes`` sorted by start."""
    sign = 1 if top else -1
    out: list[Note] = []
    edge_end, edge = -(2**62), -(2**31)  # the outermost kept note still sounding
    for n in sorted(notes, key=lambda n: (n.start, -sign * n.pitch)):
        p = sign * n.pitch
        if out and n.start - out[-1].start <= CHORD_WINDOW:
            if p > sign * out[-1].pitch:
                out[-1] = n
                edge_end, edge = n.end, p
            continue
        if edge > p and edge_end - n.start > min(n.duration // 4, LEGATO):
            continue  # under a note still sounding (more than a legato overlap): a voice below
        out.append(n)
        edge_end, edge = n.end, p
    return out


def _track_lines(by_track: dict[int, list[Note]]) -> list[tuple[int, list[Note]]]:
    """Each track's top line, and its bass line too where it plays chords or voices (a theme
    in the cellos under the violins' tune, on one track)."""
    out = []
    for track_id in sorted(by_track):
        notes = by_track[track_id]
        top = skyline(notes)
        out.append((track_id, top))
        bass = skyline(notes, top=False)
        on_top = {n.id for n in top}
        if sum(1 for n in bass if n.id not in on_top) >= MIN_THEME_NOTES:  # voices, chords
            out.append((track_id, bass))
    return out


def lines(project: Project, track_ids: set[int] | None = None) -> Lines:
    by_track: dict[int, list[Note]] = {}
    for n in project.notes.values():
        if track_ids is None or n.track_id in track_ids:
            by_track.setdefault(n.track_id, []).append(n)
    pitch: list[int] = []
    phrase: list[int] = []
    start: list[int] = []
    end: list[int] = []
    ids: list[int] = []
    tracks: list[int] = []
    current = 0
    for track_id, line in _track_lines(by_track):
        current += 1
        last_end = None
        for n in line:
            if last_end is not None and n.start - last_end > PHRASE_GAP:
                current += 1
            last_end = n.end if last_end is None else max(last_end, n.end)
            pitch.append(n.pitch)
            phrase.append(current)
            start.append(n.start)
            end.append(n.end)
            ids.append(n.id)
            tracks.append(track_id)

    def arr(x: list[int]) -> IntArray:
        return np.asarray(x, dtype=np.int64)

    return Lines(arr(pitch), arr(phrase), arr(start), arr(end), arr(ids), arr(tracks))


def theme_pitches(theme: Theme) -> list[int]:
    return [n.pitch for n in theme.snippet.melody()]


def _credit(t: int, d: IntArray, td: int, dd: IntArray, on_scale: npt.NDArray[np.bool_]
            ) -> FloatArray:
    """What a played interval earns against a theme interval: ``t``/``d`` in semitones,
    ``td``/``dd`` in scale steps of the theme's key (``on_scale``: both notes in it)."""
    return np.where(on_scale & (dd == td), 1.0, _credit_table(t)[d + 127])


_TABLES: dict[int, FloatArray] = {}


def _credit_table(t: int) -> FloatArray:
    """The chromatic credit of every played interval -127..127 against ``t``: exact 1, a
    semitone wider or narrower the same way ``SEMITONE_CREDIT``, the same way 0, else -0.6."""
    table = _TABLES.get(t)
    if table is None:
        d = np.arange(-127, 128)
        diff = np.abs(d - t)
        same_way = np.sign(d) == np.sign(t)
        table = np.where(diff == 0, 1.0, np.where(same_way & (diff == 1), SEMITONE_CREDIT,
                                                  np.where(same_way, 0.0, -0.6)))
        _TABLES[t] = table
    return table


@dataclass
class _Alignment:
    score: FloatArray  # per played note j: the best alignment ending with the last theme note
    # Per theme note i, per played note j, one byte: how it was reached, 2 * k + (b - 1) for
    # the previous pair (i - b, j - k); 0: not reached. A byte a cell, not the 24 that two
    # index arrays and a score row each took (a long film's notes times a long theme).
    back: list[npt.NDArray[np.uint8]]


@dataclass
class _Steps:
    """Per k (1 .. MAX_SKIP + 1): the played intervals from note j - k to note j, and what
    stepping over the notes between costs (impossible across a phrase's end). Computed once
    for all themes; the scale-degree intervals once per key."""

    k: list[int]
    d: list[IntArray]
    cost: list[FloatArray]
    keyed: dict[object, list[tuple[IntArray, npt.NDArray[np.bool_]]]]

    @classmethod
    def of(cls, lines: Lines) -> _Steps:
        n = len(lines)
        p, phrase, onset = lines.pitch, lines.phrase, lines.start
        out = cls([], [], [], {})
        for k in range(1, min(MAX_SKIP + 2, n)):
            cost = np.zeros(n - k)
            if k > 1:
                # Ornaments are short: stepping over notes that fill much of the span costs more.
                span = np.maximum(onset[k:] - onset[:-k], 1)
                filled = (onset[k:] - onset[1:n - k + 1]) / span
                cost = SKIP_COST * (k - 1) + LONG_SKIP_COST * np.maximum(filled - 0.3, 0.0)
            out.k.append(k)
            out.d.append(p[k:] - p[:-k])
            out.cost.append(np.where(phrase[k:] == phrase[:-k], cost, -_NEG))
        return out

    def in_key(self, key: object, degree: IntArray, on_scale: npt.NDArray[np.bool_]
               ) -> list[tuple[IntArray, npt.NDArray[np.bool_]]]:
        found = self.keyed.get(key)
        if found is None:
            found = [(degree[k:] - degree[:-k], on_scale[k:] & on_scale[:-k]) for k in self.k]
            self.keyed[key] = found
        return found


def _align(q: list[int], qd: list[int], steps: _Steps,
           keyed: list[tuple[IntArray, npt.NDArray[np.bool_]]], n: int) -> _Alignment:
    """The dynamic programme over theme pitches ``q`` (and scale degrees ``qd``) and the
    ``n`` played notes (see the module)."""
    m = len(q)
    # Only the last two score rows are needed (a theme note is reached from the one or two
    # before it); the path back is kept as one byte a cell.
    before, last = np.full(n, _NEG), np.zeros(n)
    back: list[npt.NDArray[np.uint8]] = [np.zeros(n, dtype=np.uint8)]
    for i in range(1, m):
        best = np.full(n, _NEG)
        how = np.zeros(n, dtype=np.uint8)
        for back_steps, miss in ((1, 0.0), (2, MISS_COST)):
            if i - back_steps < 0:
                continue
            t, td = q[i] - q[i - back_steps], qd[i] - qd[i - back_steps]
            row = last if back_steps == 1 else before
            for s, k in enumerate(steps.k):
                if miss and k > 1:
                    continue  # a theme note missing and ornaments around it: too loose
                dd, scale_ok = keyed[s]
                cand = row[:-k] + _credit(t, steps.d[s], td, dd, scale_ok) - steps.cost[s]
                if miss:
                    cand -= miss
                better = cand > best[k:]
                np.copyto(best[k:], cand, where=better)
                np.copyto(how[k:], np.uint8(2 * k + back_steps - 1), where=better)
        before, last = last, best
        back.append(how)
    return _Alignment(last / (m - 1), back)


def _path(al: _Alignment, j: int, m: int) -> list[tuple[int, int]]:
    """(theme note, played note) pairs, first to last, of an alignment ending at played j."""
    out = [(m - 1, j)]
    i = m - 1
    while i > 0:
        how = int(al.back[i][j])
        if how == 0:
            break  # not reached (a score this low is never a match)
        j, i = j - (how >> 1), i - ((how & 1) + 1)
        out.append((i, j))
    return out[::-1]


def rhythm(path: list[tuple[int, int]], theme_onsets: list[float], played: Lines) -> float:
    """How steadily the played onsets follow the theme's, 0..1: the share of the steps whose
    time ratio (played over written) is within a quarter of the statement's median ratio.
    Tempo and augmentation scale every ratio alike; a new rhythm scatters them."""
    ratios = []
    for (i0, j0), (i1, j1) in zip(path, path[1:]):
        written = theme_onsets[i1] - theme_onsets[i0]
        heard = float(played.start[j1] - played.start[j0])
        if written > 0 and heard > 0:
            ratios.append(heard / written)
    if not ratios:
        return 1.0
    mid = float(statistics.median(ratios))
    return sum(1 for r in ratios if abs(r / mid - 1.0) <= 0.25) / len(ratios)


def _onsets(theme: Theme, retro: bool) -> list[float]:
    melody = theme.snippet.melody()
    if not retro:
        return [float(n.start) for n in melody]
    length = float(theme.snippet.length)
    return [length - float(n.end) for n in reversed(melody)]


def find(project: Project, themes: list[Theme] | None = None, threshold: float = THRESHOLD,
         played: Lines | None = None) -> list[Match]:
    """Every statement of the themes in the project's notes scoring ``threshold`` or more,
    best first where two would share notes; sorted by start.

    The score is the melodic alignment's, weighed by how steady the rhythm is against the
    theme's (``RHYTHM_WEIGHT``): a statement in a new rhythm loses at most that share."""
    played = played if played is not None else lines(project)
    themes = list(project.themes.values()) if themes is None else themes
    candidates: list[tuple[float, int, bool, bool, list[tuple[int, int]]]] = []
    if len(played) < MIN_THEME_NOTES:
        return []
    steps = _Steps.of(played)
    pitches = {t.id: theme_pitches(t) for t in themes}
    for theme in themes:
        q0 = pitches[theme.id]
        if len(q0) < MIN_THEME_NOTES:
            continue
        least = max(threshold, SHORT_THEME_SCORE) if len(q0) < SHORT_THEME_NOTES else threshold
        table = np.array([theme.key.degree_of(x) for x in range(128)], dtype=np.int64)
        degree = table[played.pitch, 0]
        on_scale = table[played.pitch, 1] == 0
        qd0 = [int(table[x, 0]) for x in q0]
        keyed = steps.in_key(theme.key, degree, on_scale)
        for retro in (False, True):
            onsets = _onsets(theme, retro)
            for inverted in (False, True):
                q = q0[::-1] if retro else q0
                qd = qd0[::-1] if retro else qd0
                if inverted:
                    q, qd = [-x for x in q], [-x for x in qd]
                al = _align(q, qd, steps, keyed, len(played))
                for j in np.flatnonzero(al.score >= least):
                    path = _path(al, int(j), len(q))
                    steady = rhythm(path, onsets, played)
                    score = float(al.score[j]) * (1 - RHYTHM_WEIGHT * (1 - steady))
                    if score >= least:
                        candidates.append((score, theme.id, inverted, retro, path))
    candidates.sort(key=lambda c: -c[0])
    taken = np.zeros(len(played), dtype=bool)
    out: list[Match] = []
    used: set[int] = set()  # notes matched already (a passage in both a top and a bass line)
    for score, theme_id, inverted, retro, path in candidates:
        j0, j1 = path[0][1], path[-1][1]
        if taken[j0:j1 + 1].any():
            continue
        notes = [int(played.note_id[j]) for _, j in path]
        if sum(1 for i in notes if i in used) * 2 > len(notes):
            continue
        taken[j0:j1 + 1] = True
        used.update(notes)
        q0 = pitches[theme_id]
        i0 = path[0][0]
        written = q0[::-1][i0] if retro else q0[i0]
        js = [j for _, j in path]
        out.append(Match(theme_id, int(played.track_id[j0]), int(played.start[j0]),
                         int(played.end[js].max()), round(score, 3), inverted, retro,
                         int(played.pitch[j0]) - written,
                         tuple(int(played.note_id[k]) for k in js)))
    out.sort(key=lambda mt: (mt.start, mt.track_id))
    return out
