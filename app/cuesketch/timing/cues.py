"""Which cue is at a frame: the one rule for the roll, the range controls, the picture's texts
and the tempo in force.

A cue spans its frames ``start_frame <= frame < end_frame``. Where cues overlap, the one that
starts first is at the frame, and of two that start on the same frame the one with the lower
id (the one made first). That is what the roll, the range controls and the picture's cue name
already did (the earliest start); the id settles the rest for good, where the order of a
project's table would change with an undo.

Timing sits below the model, so this asks only for the three fields it reads (``CueSpan``),
which the model's ``Cue`` has.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class CueSpan(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def start_frame(self) -> int: ...

    @property
    def end_frame(self) -> int: ...


C = TypeVar("C", bound=CueSpan)


def cue_at(cues: Iterable[C], frame: int) -> C | None:
    """The cue at a frame (see the module's rule), or None outside every cue."""
    best: C | None = None
    for c in cues:
        if c.start_frame <= frame < c.end_frame and (
                best is None or (c.start_frame, c.id) < (best.start_frame, best.id)):
            best = c
    return best
