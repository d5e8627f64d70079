"""A theme's values: its notes (a snippet in beats), its key and mode, and how a use of it was
transformed. Plain frozen values, no project: ``model.entities.Theme`` holds them, and
``model.theme_transforms`` turns one snippet into another.

A snippet counts quarter-note beats (``Fraction``) from its own start, which is the start of
the bar it was captured from, so a theme keeps its place in the bar. ``length`` is the
snippet's span (whole bars when captured); retrograde mirrors the notes inside it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from fractions import Fraction

MAX_SNIPPET_NOTES = 4096  # a theme is a phrase, not a cue; bounds what a file can make us build
MAX_SNIPPET_BEATS = 4096  # ~17 minutes at 240 bpm
PITCH_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")


class ThemeError(ValueError):
    """A theme or a transform that makes no sense, said in plain words."""


class ThemeRole(enum.Enum):
    """What a leitmotif stands for."""

    CHARACTER = "character"
    PLACE = "place"
    IDEA = "idea"
    OTHER = "other"


class Mode(enum.Enum):
    """A key's mode: its scale, as semitones above the tonic."""

    MAJOR = "major"
    MINOR = "minor"
    HARMONIC_MINOR = "harmonic minor"
    DORIAN = "dorian"
    PHRYGIAN = "phrygian"
    LYDIAN = "lydian"
    MIXOLYDIAN = "mixolydian"
    LOCRIAN = "locrian"

    @property
    def scale(self) -> tuple[int, ...]:
        return SCALES[self]


SCALES: dict[Mode, tuple[int, ...]] = {
    Mode.MAJOR: (0, 2, 4, 5, 7, 9, 11),
    Mode.MINOR: (0, 2, 3, 5, 7, 8, 10),
    Mode.HARMONIC_MINOR: (0, 2, 3, 5, 7, 8, 11),
    Mode.DORIAN: (0, 2, 3, 5, 7, 9, 10),
    Mode.PHRYGIAN: (0, 1, 3, 5, 7, 8, 10),
    Mode.LYDIAN: (0, 2, 4, 6, 7, 9, 11),
    Mode.MIXOLYDIAN: (0, 2, 4, 5, 7, 9, 10),
    Mode.LOCRIAN: (0, 1, 3, 5, 6, 8, 10),
}


@dataclass(frozen=True)
class Key:
    tonic: int = 0  # pitch class, 0 = C
    mode: Mode = Mode.MAJOR

    def __post_init__(self) -> None:
        if not 0 <= self.tonic < 12:
            raise ThemeError(f"a key's tonic is a pitch class 0..11, not {self.tonic}")

    def __str__(self) -> str:
        return f"{PITCH_NAMES[self.tonic]} {self.mode.value}"

    # -- scale degrees: a pitch as (degree from the tonic's octave 0, chromatic alteration) --
    def degree_of(self, pitch: int) -> tuple[int, int]:
        """Which scale degree a pitch is on (counted across octaves from the tonic at MIDI
        0's octave) and how far it is altered from it (0 for a note of the scale)."""
        scale = self.mode.scale
        octave, pc = divmod(pitch - self.tonic, 12)
        index = max(i for i, s in enumerate(scale) if s <= pc)
        return octave * len(scale) + index, pc - scale[index]

    def pitch_of(self, degree: int, alteration: int = 0) -> int:
        scale = self.mode.scale
        octave, index = divmod(degree, len(scale))
        return self.tonic + 12 * octave + scale[index] + alteration


@dataclass(frozen=True)
class SnippetNote:
    start: Fraction  # quarter-note beats from the snippet's start, >= 0
    duration: Fraction  # beats, > 0
    pitch: int  # MIDI 0..127
    velocity: int = 100

    @property
    def end(self) -> Fraction:
        return self.start + self.duration


@dataclass(frozen=True)
class Snippet:
    """A theme's notes with the meter and tempo it was written in."""

    notes: tuple[SnippetNote, ...] = ()
    length: Fraction = Fraction(4)  # beats; at least the last note's end
    bpm: Fraction = Fraction(120)
    numerator: int = 4
    denominator: int = 4

    def __post_init__(self) -> None:
        if len(self.notes) > MAX_SNIPPET_NOTES:
            raise ThemeError(f"a theme holds at most {MAX_SNIPPET_NOTES} notes")
        if self.bpm <= 0:
            raise ThemeError(f"a theme's tempo must be above 0 bpm, not {self.bpm}")
        if self.numerator < 1 or self.denominator not in (1, 2, 4, 8, 16, 32, 64):
            raise ThemeError(f"{self.numerator}/{self.denominator} is not a meter")
        for n in self.notes:
            if n.start < 0 or n.duration <= 0 or not 0 <= n.pitch <= 127 \
                    or not 1 <= n.velocity <= 127:
                raise ThemeError("a theme's note starts at 0 or later, lasts, and has a pitch "
                                 "0..127 and a velocity 1..127")
        if self.length > MAX_SNIPPET_BEATS or any(n.end > MAX_SNIPPET_BEATS for n in self.notes):
            raise ThemeError(f"a theme lasts at most {MAX_SNIPPET_BEATS} beats")
        if self.notes and self.length < max(n.end for n in self.notes):
            object.__setattr__(self, "length", max(n.end for n in self.notes))

    def sorted_notes(self) -> list[SnippetNote]:
        return sorted(self.notes, key=lambda n: (n.start, -n.pitch))

    def melody(self) -> list[SnippetNote]:
        """The top line: at each onset, the highest note (what the matcher compares)."""
        out: list[SnippetNote] = []
        for n in self.sorted_notes():
            if out and out[-1].start == n.start:
                continue  # sorted highest first within an onset
            out.append(n)
        return out

    @property
    def bar_beats(self) -> Fraction:
        return Fraction(4 * self.numerator, self.denominator)


@dataclass(frozen=True)
class Transform:
    """How a use of a theme differs from the theme: applied as time (retrograde, then the
    ratio, then the grid), then pitch (inversion, then transposition).

    ``shift``: semitones when chromatic; scale steps of ``key`` when ``diatonic``, which also
    makes the inversion mirror scale degrees. ``ratio`` > 1 augments (slower), < 1 diminishes.
    ``quantize``: a grid in beats (None: the rhythm kept).
    """

    shift: int = 0
    diatonic: bool = False
    key: Key = field(default_factory=Key)
    ratio: Fraction = Fraction(1)
    invert_around: int | None = None  # a MIDI pitch
    retrograde: bool = False
    quantize: Fraction | None = None

    def __post_init__(self) -> None:
        if self.ratio <= 0 or self.ratio > 64 or self.ratio < Fraction(1, 64):
            raise ThemeError(f"augmentation goes from 1/64 to 64 times, not {self.ratio}")
        if self.invert_around is not None and not 0 <= self.invert_around <= 127:
            raise ThemeError("inversion turns around a pitch 0..127")
        if self.quantize is not None and self.quantize <= 0:
            raise ThemeError("a quantize grid must be above 0 beats")
        if not -127 <= self.shift <= 127:
            raise ThemeError("a transposition moves at most 127 steps")

    def describe(self) -> str:
        """In the composer's words: "inverted, x2, up 3 steps"."""
        words: list[str] = []
        if self.retrograde:
            words.append("retrograde")
        if self.invert_around is not None:
            words.append(f"inverted around {pitch_name(self.invert_around)}")
        if self.ratio != 1:
            words.append(f"x{_ratio_text(self.ratio)}")
        if self.quantize is not None:
            words.append(f"quantized to {_ratio_text(self.quantize)} beat")
        if self.shift:
            unit = ("step" if self.diatonic else "semitone") + ("" if abs(self.shift) == 1 else "s")
            words.append(f"{'up' if self.shift > 0 else 'down'} {abs(self.shift)} {unit}"
                         + (f" in {self.key}" if self.diatonic else ""))
        return ", ".join(words) or "as written"


def _ratio_text(r: Fraction) -> str:
    return str(r.numerator) if r.denominator == 1 else f"{r.numerator}/{r.denominator}"


def pitch_name(pitch: int) -> str:
    return f"{PITCH_NAMES[pitch % 12]}{pitch // 12 - 1}"


def parse_key(text: str) -> Key:
    """``"D minor"``, ``"Eb"`` (major), ``"f# dorian"``."""
    words = text.strip().split(maxsplit=1)
    if not words:
        raise ThemeError("write a key such as 'D minor' or 'Eb major'")
    names = {n.lower(): i for i, n in enumerate(PITCH_NAMES)}
    names.update({"db": 1, "d#": 3, "gb": 6, "g#": 8, "a#": 10, "cb": 11, "e#": 5, "fb": 4,
                  "b#": 0})
    tonic = names.get(words[0].lower())
    if tonic is None:
        raise ThemeError(f"'{words[0]}' is not a note name (C, C#, Db ... B)")
    mode = Mode.MAJOR
    if len(words) > 1:
        modes = {m.value: m for m in Mode}
        wanted = words[1].strip().lower()
        if wanted not in modes:
            raise ThemeError(f"'{words[1]}' is not a mode ({', '.join(modes)})")
        mode = modes[wanted]
    return Key(tonic, mode)
