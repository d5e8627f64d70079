"""A director's review, as plain values: what a package holds and what comes back.

The composer sends a **package** (``store.review_package``): per cue, one or more **versions**
(the project's named snapshots, or the current state), each with the audio the composer heard,
its notes and tempo map; the cue's spotting fields and hits; the film's identity. The director
sends back a **reply** (``store.review_reply``): **notes** at a frame or over a range, and a
**verdict** per cue version. Frames count from the project start, as a ``Hit``'s do, so a note
lands on the frame it was written at whatever the rate (drop-frame included).

Every note has a ``uuid`` made once, when it is written: importing the same reply twice finds
the notes it already holds and changes nothing.
"""

from __future__ import annotations

import enum
import time
import uuid as _uuid
from dataclasses import dataclass, field

from cuesketch.model.entities import Cue, Hit
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import TempoMap


class Verdict(enum.Enum):
    PENDING = "pending"  # not yet
    APPROVED = "approved"
    CHANGES = "changes"  # changes requested


@dataclass(frozen=True)
class FilmIdentity:
    """Which film the music was written to: found again on the director's side by its content
    hash (``files.content_hash``) and its name."""

    content_hash: str
    file_name: str
    frame_count: int  # the film's length, in its frames
    rate: FrameRate
    offset_frames: int = 0  # the film's first frame sits this many project frames in


@dataclass(frozen=True)
class PackedTrack:
    name: str
    color: str


@dataclass(frozen=True)
class PackedNote:
    """A note as the read-only roll draws it: its track's index, flicks from project start."""

    track: int
    start: int
    duration: int
    pitch: int
    velocity: int


@dataclass(frozen=True)
class PackageVersion:
    """One version of a cue: its audio (encoded; ``audio_start`` is the transport position of
    its first sample), its notes and the tempo map in force."""

    id: int
    cue_id: int
    name: str  # "v3", or "current"
    created: str  # when it was taken, ISO 8601
    tempo: TempoMap
    tracks: tuple[PackedTrack, ...]
    notes: tuple[PackedNote, ...]
    audio_codec: str  # "opus"
    sample_rate: int
    audio_start: int  # flicks
    audio_frames: int  # samples per channel
    audio_bytes: int = 0  # the encoded size


@dataclass(frozen=True)
class PackageCue:
    cue: Cue  # with its spotting fields; ``cue.id`` is the composer's
    hits: tuple[Hit, ...]
    versions: tuple[PackageVersion, ...]


@dataclass(frozen=True)
class Reply:
    author: str
    created: str
    text: str


@dataclass(frozen=True)
class Thread:
    """A note from an earlier round and what was said to it since: the next package carries
    the composer's replies and whether it was resolved."""

    uuid: str
    cue: str
    version: str
    author: str
    created: str
    text: str
    frame: int
    end_frame: int | None
    resolved: bool
    replies: tuple[Reply, ...] = ()


@dataclass(frozen=True)
class PackageInfo:
    """Everything in a package but the audio and the movie (read on demand)."""

    package_id: str  # a uuid, the same for every reply to this package
    title: str  # the project's
    made_for: str  # "R. Smith"
    made_by: str
    created: str
    rate: FrameRate
    start_frame: int  # the project's start timecode, as frames
    film: FilmIdentity | None
    cues: tuple[PackageCue, ...]
    threads: tuple[Thread, ...] = ()
    movie_start_frame: int | None = None  # where an embedded movie's first frame sits

    def version(self, version_id: int) -> PackageVersion:
        for cue in self.cues:
            for v in cue.versions:
                if v.id == version_id:
                    return v
        raise KeyError(version_id)

    def cue_of(self, version_id: int) -> PackageCue:
        for cue in self.cues:
            if any(v.id == version_id for v in cue.versions):
                return cue
        raise KeyError(version_id)


@dataclass(frozen=True)
class DirectorNote:
    """A note the director wrote: at ``frame``, or over ``frame``..``end_frame`` (inclusive)."""

    uuid: str
    cue: str
    version: str
    author: str
    created: str
    text: str
    frame: int
    end_frame: int | None = None
    edited: str = ""
    film_hash: str = ""  # the film on screen when it was placed ("": none, or not said)


@dataclass(frozen=True)
class VersionVerdict:
    cue: str
    version: str
    verdict: Verdict
    comment: str = ""
    author: str = ""
    changed: str = ""


@dataclass(frozen=True)
class ReplyContent:
    """What a reply file holds: the package it answers, the film it was watched against."""

    package_id: str
    author: str
    film_hash: str
    notes: tuple[DirectorNote, ...] = ()
    verdicts: tuple[VersionVerdict, ...] = ()
    thread_replies: dict[str, tuple[Reply, ...]] = field(default_factory=dict)


def new_uuid() -> str:
    return str(_uuid.uuid4())


def now_text() -> str:
    """Now, as notes, verdicts and packages are dated: ISO 8601 with the local zone."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


# Bounds every reader holds a package or a reply to (a file from outside may claim anything).
MAX_TEXT = 20_000  # characters in a note, a comment, a title
MAX_NAME = 200  # a cue or version name, an author
MAX_CUES = 500
MAX_VERSIONS = 2_000  # in all
MAX_NOTES_PER_VERSION = 200_000
MAX_HITS = 20_000
MAX_REVIEW_NOTES = 100_000
