"""What a project holds, as frozen value types.

Positions are ``int`` flicks from the project start (see ``timing.units``); hits and cues are
locked to frames, so a tempo change never moves them. Every entity has an ``id`` unique within
its kind; ``id`` 0 means "not yet stored" and is never kept in a project.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from fractions import Fraction

from cuesketch.model.theme_values import Key, Snippet, ThemeRole, Transform
from cuesketch.timing.rates import STANDARD_RATES, FrameRate
from cuesketch.timing.tempo import TempoMap


class HitKind(enum.Enum):
    HARD = "hard"
    SOFT = "soft"
    CUT = "cut"
    DIALOGUE = "dialogue"

    @property
    def color(self) -> str:
        """The kind's colour wherever a hit is shown ("#rrggbb"): roll, ruler, list, picture."""
        return HIT_COLORS[self]


HIT_COLORS: dict[HitKind, str] = {
    HitKind.HARD: "#ff5c5c",  # red: the big sync points
    HitKind.SOFT: "#ffae42",  # orange
    HitKind.CUT: "#4fd3ff",  # blue: picture cuts
    HitKind.DIALOGUE: "#8fe08f",  # green: a line to play around
}


class Controller(enum.Enum):
    MODULATION = "cc1"
    EXPRESSION = "cc11"
    SUSTAIN = "cc64"
    PITCH_BEND = "pitchbend"

    @property
    def cc(self) -> int | None:
        """The MIDI control change number (None for pitch bend)."""
        return _CC_OF.get(self)


# The one map between MIDI control change numbers and the controllers a track keeps.
CC_CONTROLLERS: dict[int, Controller] = {
    1: Controller.MODULATION, 11: Controller.EXPRESSION, 64: Controller.SUSTAIN}
_CC_OF = {controller: cc for cc, controller in CC_CONTROLLERS.items()}


@dataclass(frozen=True)
class Note:
    id: int
    track_id: int
    start: int  # flicks
    duration: int  # flicks, > 0
    pitch: int  # MIDI 0..127
    velocity: int = 100  # 1..127

    @property
    def end(self) -> int:
        return self.start + self.duration


@dataclass(frozen=True)
class ControlPoint:
    """A controller value at a time: 0..127 for CCs, -8192..8191 for pitch bend."""

    id: int
    track_id: int
    time: int  # flicks
    controller: Controller
    value: int


@dataclass(frozen=True)
class Track:
    id: int
    name: str
    bank: int = 0
    program: int = 0  # General MIDI program, 0-based
    volume: float = 0.8  # 0..1
    pan: float = 0.0  # -1 left .. +1 right
    mute: bool = False
    solo: bool = False
    color: str = "#4f9dde"
    order: int = 0
    channel: int = 0  # synth channel it plays on (9 for GM percussion)
    section: str = ""  # its stem group (model.sections); empty: from its instrument's family
    soundfont: str = ""  # the SoundFont it plays (a path); empty: the default General MIDI one


@dataclass(frozen=True)
class Hit:
    """A sync point locked to a frame (frames from the project start)."""

    id: int
    frame: int
    name: str = ""
    kind: HitKind = HitKind.HARD
    note: str = ""


class CueKind(enum.Enum):
    """What a cue is on the cue sheet: written for the film, heard in the scene, or a song."""

    SCORE = "score"
    SOURCE = "source"
    SONG = "song"


class CueStatus(enum.Enum):
    """Where a cue is in its life, in order (CHANGES and APPROVED both follow SENT)."""

    SPOTTED = "spotted"
    SKETCHING = "sketching"
    SENT = "sent"
    CHANGES = "changes"
    APPROVED = "approved"
    RECORDED = "recorded"
    MIXED = "mixed"


# The cue sheet's usage codes: background/visual instrumental or vocal, main and end titles.
CUE_USAGES: tuple[str, ...] = ("", "BI", "BV", "VI", "VV", "MT", "ET")


@dataclass(frozen=True)
class Cue:
    """A music cue named after the 1M1 convention (reel 1, music cue 1), frames start..end."""

    id: int
    name: str
    start_frame: int
    end_frame: int
    tempo: TempoMap | None = None  # its own, with origin at the cue start; None: the project's
    title: str = ""
    notes: str = ""  # spotting notes: tone, instruments, what the scene needs
    kind: CueKind = CueKind.SCORE
    usage: str = ""  # one of CUE_USAGES
    status: CueStatus = CueStatus.SPOTTED
    tags: tuple[str, ...] = ()  # tone and emotion words from the spotting session
    palette: str = ""  # the palette (instrument template) it calls for, by name


@dataclass(frozen=True)
class Marker:
    """A plain marker from the cutting room (or dropped while spotting): a note at a frame,
    ``length`` frames long (0: a point), in the editor's colour ("red", "cyan", ...)."""

    id: int
    frame: int
    name: str = ""
    color: str = ""
    note: str = ""
    length: int = 0


@dataclass(frozen=True)
class NoMusic:
    """A range where music must stay silent, frames start..end (end excluded)."""

    id: int
    start_frame: int
    end_frame: int
    note: str = ""


@dataclass(frozen=True)
class RightsShare:
    """A writer or publisher on the music cue sheet: ``share`` in hundredths of a percent
    (10000 is all of it) of the ``role``'s side, with their rights society (ASCAP, PRS...)."""

    id: int
    role: str  # "composer" or "publisher"
    name: str
    society: str = ""
    share: int = 10000


@dataclass(frozen=True)
class ReviewNote:
    """A note from a review (the director's reply, or a review site's markers), locked to
    frames like a hit: at ``frame``, or over ``frame``..``end_frame`` (inclusive)."""

    id: int
    uuid: str  # made once, when it was written: importing it again finds it (no duplicate)
    frame: int
    end_frame: int | None = None
    text: str = ""
    author: str = ""
    created: str = ""  # ISO 8601, with its zone
    cue: str = ""  # the cue and version it was written against ("1M3", "v4")
    version: str = ""
    resolved: bool = False
    replies: tuple[tuple[str, str, str], ...] = ()  # (author, created, text), oldest first
    film_hash: str = ""  # the film it was watched against
    off_cut: bool = False  # written against another cut (film hash differs): flagged
    source: str = ""  # the package it answers, or the site it came from


@dataclass(frozen=True)
class Media:
    """The film: a path relative to the project file, and its content hash to find it again."""

    path: str
    content_hash: str = ""
    offset_frames: int = 0  # the film's first frame sits this many frames after project start


@dataclass(frozen=True)
class Settings:
    title: str = "Untitled"
    rate: FrameRate = STANDARD_RATES["24"]
    start_frame: int = 86400  # 01:00:00:00 at 24 fps: the project start timecode, as frames
    tempo: TempoMap = field(default_factory=TempoMap)
    media: Media | None = None
    sample_rate: int = 48_000
    soundfont: str = ""  # empty: the default General MIDI SoundFont


@dataclass(frozen=True)
class Theme:
    """A leitmotif: what it stands for, its notes (``model.theme_values``), key, colour."""

    id: int
    name: str
    stands_for: str = ""  # who or what: "Anna", "the lighthouse"
    role: ThemeRole = ThemeRole.CHARACTER
    snippet: Snippet = field(default_factory=Snippet)
    key: Key = field(default_factory=Key)
    color: str = "#e3c341"
    notes: str = ""  # the composer's free notes


@dataclass(frozen=True)
class ThemeUse:
    """A theme inserted into the score: where, how transformed, and the notes it made (so an
    inserted note remembers its theme; notes deleted since are simply no longer there)."""

    id: int
    theme_id: int
    track_id: int
    start: int  # flicks: where its first beat was laid
    transform: Transform = field(default_factory=Transform)
    note_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class SpeechRegion:
    """Where someone speaks in the film: transport flicks ``start``..``end`` (detected in the
    film's sound, then the composer's to move, resize, add or delete)."""

    id: int
    start: int
    end: int


ENTITY_KINDS = (Note, ControlPoint, Track, Hit, Cue, Marker, NoMusic, RightsShare, Theme,
                ThemeUse, ReviewNote, SpeechRegion)
Entity = (Note | ControlPoint | Track | Hit | Cue | Marker | NoMusic | RightsShare | Theme
          | ThemeUse | ReviewNote | SpeechRegion)

__all__ = ["Note", "ControlPoint", "Track", "Hit", "Cue", "CueKind", "CueStatus", "CUE_USAGES",
           "Marker", "NoMusic", "RightsShare", "Theme", "ThemeUse", "ReviewNote", "SpeechRegion",
           "Media", "Settings", "HitKind", "HIT_COLORS", "Controller", "CC_CONTROLLERS", "Entity",
           "ENTITY_KINDS", "Fraction"]
