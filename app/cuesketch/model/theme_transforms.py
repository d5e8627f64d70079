"""Pure transforms of a theme's snippet: retrograde, augmentation and diminution, a rhythm grid,
inversion and transposition (chromatic, or diatonic within a key).

Each takes a ``Snippet`` and returns a new one; ``apply`` runs a whole ``Transform`` in its
order (time first, then pitch). Retrograde and inversion undo themselves; a ratio undoes with
its reciprocal. A pitch carried off the keyboard is a ``ThemeError``, not a silent wrap.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from cuesketch.model.theme_values import Key, Mode, Snippet, SnippetNote, ThemeError, Transform


def retrograde(s: Snippet) -> Snippet:
    """The notes backwards inside the snippet's span: a note ending at ``e`` starts at
    ``length - e``."""
    return replace(s, notes=tuple(replace(n, start=s.length - n.end) for n in s.notes))


def scale_time(s: Snippet, ratio: Fraction) -> Snippet:
    """Augmentation (``ratio`` > 1) or diminution: every start, length and the span times it."""
    if ratio <= 0:
        raise ThemeError(f"augmentation needs a ratio above 0, not {ratio}")
    return replace(s, notes=tuple(replace(n, start=n.start * ratio, duration=n.duration * ratio)
                                  for n in s.notes), length=s.length * ratio)


def quantize(s: Snippet, grid: Fraction) -> Snippet:
    """Starts to the nearest grid line, lengths to whole grid steps (at least one)."""
    if grid <= 0:
        raise ThemeError("a quantize grid must be above 0 beats")

    def snap(x: Fraction) -> Fraction:
        return grid * ((2 * x.numerator * grid.denominator + x.denominator * grid.numerator)
                       // (2 * x.denominator * grid.numerator))

    notes = tuple(replace(n, start=snap(n.start), duration=max(grid, snap(n.duration)))
                  for n in s.notes)
    return replace(s, notes=notes, length=max(grid, snap(s.length)))


def _checked(pitch: int) -> int:
    if not 0 <= pitch <= 127:
        raise ThemeError("the transformed theme goes off the keyboard (a pitch outside 0..127); "
                         "transpose it or invert it around another pitch")
    return pitch


def _with_pitches(s: Snippet, pitches: list[int]) -> Snippet:
    return replace(s, notes=tuple(replace(n, pitch=_checked(p)) for n, p in zip(s.notes, pitches)))


def invert(s: Snippet, around: int, key: Key | None = None) -> Snippet:
    """Mirror every pitch around ``around``: chromatically, or by scale degrees of ``key``
    (a minor third up becomes a third down in the key, whichever third that is)."""
    if key is None:
        return _with_pitches(s, [2 * around - n.pitch for n in s.notes])
    axis, _ = key.degree_of(around)
    pitches = []
    for n in s.notes:
        degree, alteration = key.degree_of(n.pitch)
        pitches.append(key.pitch_of(2 * axis - degree, -alteration))
    return _with_pitches(s, pitches)


def transpose(s: Snippet, semitones: int) -> Snippet:
    return _with_pitches(s, [n.pitch + semitones for n in s.notes])


def transpose_diatonic(s: Snippet, steps: int, key: Key) -> Snippet:
    """Move every note ``steps`` degrees along the key's scale (a note off the scale keeps its
    alteration from the degree below it)."""
    pitches = []
    for n in s.notes:
        degree, alteration = key.degree_of(n.pitch)
        pitches.append(key.pitch_of(degree + steps, alteration))
    return _with_pitches(s, pitches)


def apply(s: Snippet, t: Transform) -> Snippet:
    """The whole transform, in its order: retrograde, ratio, grid, inversion, transposition."""
    if t.retrograde:
        s = retrograde(s)
    if t.ratio != 1:
        s = scale_time(s, t.ratio)
    if t.quantize is not None:
        s = quantize(s, t.quantize)
    if t.invert_around is not None:
        s = invert(s, t.invert_around, t.key if t.diatonic else None)
    if t.shift:
        s = transpose_diatonic(s, t.shift, t.key) if t.diatonic else transpose(s, t.shift)
    return s


def to_key(source: Key, target: Key) -> int:
    """The chromatic shift (-5..+6 semitones, the nearest) from one key's tonic to another's."""
    d = (target.tonic - source.tonic) % 12
    return d - 12 if d > 6 else d


def guess_key(notes: list[SnippetNote] | tuple[SnippetNote, ...]) -> Key:
    """The key the notes most likely sit in (Krumhansl-Kessler profiles, weighted by length)."""
    weights = [0.0] * 12
    for n in notes:
        weights[n.pitch % 12] += float(n.duration)
    if not any(weights):
        return Key()
    best: tuple[float, Key] | None = None
    for mode, profile in ((Mode.MAJOR, _MAJOR), (Mode.MINOR, _MINOR)):
        for tonic in range(12):
            rotated = [profile[(pc - tonic) % 12] for pc in range(12)]
            r = _correlation(weights, rotated)
            if best is None or r > best[0]:
                best = (r, Key(tonic, mode))
    assert best is not None
    return best[1]


_MAJOR = (6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88)
_MINOR = (6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17)


def _correlation(a: list[float], b: list[float]) -> float:
    ma, mb = sum(a) / 12, sum(b) / 12
    num = sum((x - ma) * (y - mb) for x, y in zip(a, b))
    den = (sum((x - ma) ** 2 for x in a) * sum((y - mb) ** 2 for y in b)) ** 0.5
    return num / den if den else 0.0
