"""Live spotting: while the film plays, taps drop a cue start, a cue end, a hit of each kind or
a no-music range at the frame showing, moved earlier by the tap latency (the time between
seeing the frame and the key landing). Each tap that makes something is one undo step; nothing
here touches the transport, so the picture never stops.

A cue start waits (``pending_cue``) for its end; an end with no start pending closes a cue from
the end of the cue before it (or is refused). No-music works the same way, with one key that
opens and closes the range.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, Hit, HitKind
from cuesketch.model.spotting_edits import SpottingEditor
from cuesketch.timing.units import FLICKS_PER_SECOND

DEFAULT_LATENCY_MS = 0
MAX_LATENCY_MS = 2000


@dataclass(frozen=True)
class Tap:
    """What a tap did, for the status line: ``text`` in plain words, ``frame`` where."""

    text: str
    frame: int
    made: Cue | Hit | None = None


class LiveSpotting:
    """Keys to spotting edits at the transport's position. ``position`` returns the flicks
    from the project start (the transport's ``position``); the controller only reads it."""

    def __init__(self, document: Document, position: Callable[[], int],
                 latency_ms: int = DEFAULT_LATENCY_MS) -> None:
        self.document = document
        self.editor = SpottingEditor(document)
        self._position = position
        self.latency_ms = latency_ms
        self.pending_cue: int | None = None  # frame of a cue start waiting for its end
        self.pending_no_music: int | None = None

    @property
    def latency_ms(self) -> int:
        return self._latency_ms

    @latency_ms.setter
    def latency_ms(self, ms: int) -> None:
        if not 0 <= ms <= MAX_LATENCY_MS:
            raise ValueError(f"the tap latency goes from 0 to {MAX_LATENCY_MS} ms, not {ms}")
        self._latency_ms = int(ms)

    def frame_now(self) -> int:
        """The frame a tap now means: the one showing ``latency_ms`` ago."""
        rate = self.document.project.settings.rate
        flicks = self._position() - self._latency_ms * FLICKS_PER_SECOND // 1000
        return rate.flicks_to_frame(flicks)

    def hit(self, kind: HitKind = HitKind.HARD) -> Tap:
        frame = self.frame_now()
        made = self.editor.add_hit(frame, kind)
        return Tap(f"{kind.value} hit", frame, made)

    def cue_start(self) -> Tap:
        """Remember a start; a second start before an end moves it (the earlier tap was early)."""
        self.pending_cue = self.frame_now()
        return Tap("cue start (tap the cue end)", self.pending_cue)

    def cue_end(self) -> Tap:
        end = self.frame_now()
        start = self.pending_cue
        if start is None:
            before = [c.end_frame for c in self.document.project.cues.values()
                      if c.end_frame < end]
            if not before:
                return Tap("no cue start to end (tap the cue start first)", end)
            start = max(before)
        if end <= start:
            return Tap("the cue end is not after its start; tap the end again", end)
        self.pending_cue = None
        cue = self.editor.add_cue(start, end)
        return Tap(f"cue {cue.name}", end, cue)

    def no_music(self) -> Tap:
        """Open a no-music range, or close the open one."""
        frame = self.frame_now()
        start = self.pending_no_music
        if start is None or frame <= start:
            self.pending_no_music = frame
            return Tap("no music from here (tap again where it ends)", frame)
        self.pending_no_music = None
        self.editor.add_no_music(start, frame)
        return Tap("no-music range", frame)

    def cancel(self) -> None:
        """Forget a start or a range waiting for its end."""
        self.pending_cue = None
        self.pending_no_music = None
