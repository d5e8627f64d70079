"""How far notes land from the hits: the frames-off readout, for many notes at once."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from cuesketch.timing.rates import FrameRate

Int64s = npt.NDArray[np.int64]


def frames_off(starts: Int64s, hit_frames: Int64s, rate: FrameRate,
               window: int = 4) -> tuple[Int64s, Int64s]:
    """Notes that land within ``window`` frames of a hit, and by how many frames.

    ``starts``: note starts in flicks; ``hit_frames``: hit frames, sorted. A note lands on the
    frame showing when it starts (``rate.flicks_to_frame``); the offset is that frame minus the
    nearest hit's frame: 0 on the hit, +2 two frames late, -1 one frame early. Returns the
    indices into ``starts`` of the notes within the window and their offsets.
    """
    if len(starts) == 0 or len(hit_frames) == 0:
        empty = np.zeros(0, np.int64)
        return empty, empty
    frames = np.asarray(starts, np.int64) // rate.flicks_per_frame
    hits = np.asarray(hit_frames, np.int64)
    i = np.searchsorted(hits, frames)
    before = hits[np.clip(i - 1, 0, len(hits) - 1)]
    after = hits[np.clip(i, 0, len(hits) - 1)]
    off_before, off_after = frames - before, frames - after
    off = np.where(np.abs(off_after) < np.abs(off_before), off_after, off_before)
    near = np.flatnonzero(np.abs(off) <= window)
    return near.astype(np.int64), off[near].astype(np.int64)


def label(offset: int) -> str:
    """``+2f`` late, ``−1f`` early (a true minus: a hyphen is too slight to tell from the plus
    at the readout's size), ``0f`` on the hit."""
    if offset > 0:
        return f"+{offset}f"
    return f"\u2212{-offset}f" if offset else "0f"
