"""Reading rendered audio in tests: onsets and levels.

Onsets are found as the first non-zero sample after a run of exact silence, so tests render
with reverb and chorus off (their tails never reach exact zero) and space the notes apart.
A voice's first sample is 0 and its second is not: ``onset - 1`` is where it started.
"""

from __future__ import annotations

import numpy as np


def onsets(audio: np.ndarray, gap: int = 2000) -> list[int]:
    """Samples where sound starts after at least ``gap`` samples of exact zero."""
    level = np.abs(audio).max(axis=1) if audio.ndim == 2 else np.abs(audio)
    loud = np.flatnonzero(level > 0)
    if len(loud) == 0:
        return []
    starts = [int(loud[0])] if loud[0] >= gap else []
    jumps = np.flatnonzero(np.diff(loud) > gap)
    starts += [int(loud[j + 1]) for j in jumps]
    return starts


def rms(audio: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if audio.size else 0.0
