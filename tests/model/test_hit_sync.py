"""The frames-off readout: how many frames early or late a note lands on the nearest hit."""

from __future__ import annotations

import numpy as np

from cuesketch.model.hit_sync import frames_off, label
from cuesketch.timing.rates import STANDARD_RATES

RATE = STANDARD_RATES["29.97df"]
FPF = RATE.flicks_per_frame


def test_offsets_to_the_nearest_hit_within_the_window() -> None:
    hits = np.array([100, 110, 500], np.int64)
    starts = np.array([100 * FPF, 102 * FPF + FPF - 1, 99 * FPF + 1, 300 * FPF, 496 * FPF,
                       495 * FPF + FPF - 1, 108 * FPF], np.int64)
    idx, off = frames_off(starts, hits, RATE, window=4)
    assert dict(zip(idx.tolist(), off.tolist())) == {0: 0, 1: 2, 2: -1, 4: -4, 6: -2}


def test_no_hits_no_readout() -> None:
    idx, off = frames_off(np.array([5], np.int64), np.array([], np.int64), RATE)
    assert len(idx) == 0 and len(off) == 0


def test_labels() -> None:
    assert [label(o) for o in (2, -1, 0)] == ["+2f", "\u22121f", "0f"]  # a true minus sign
