"""Drop-frame counting against an independent implementation: the `timecode` package.

It counts frames from 1 (its frame 1 is 00:00:00;00). Every frame of a day is checked by the
benchmark figure `tc_reference_disagreements`; here a dense sample keeps the suite quick:
every 7th frame and the frames around every minute boundary.
"""

from collections.abc import Iterable

import pytest
from timecode import Timecode as Reference

from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.timecode import format_timecode, frames_per_day, parse_timecode


def _disagreements(name: str, ref_rate: str, frames: Iterable[int]) -> list[tuple[int, str, str]]:
    rate = STANDARD_RATES[name]
    ref = Reference(ref_rate)
    assert ref.drop_frame == rate.drop
    bad = []
    for f in frames:
        theirs = ref.tc_to_string(*ref.frames_to_tc(f + 1))
        ours = format_timecode(f, rate)
        if ours != theirs or parse_timecode(theirs, rate) != ref.tc_to_frames(theirs) - 1:
            bad.append((f, ours, theirs))
    return bad


@pytest.mark.parametrize(("name", "ref_rate", "step"), [
    ("29.97df", "29.97", 7), ("59.94df", "59.94", 7), ("24", "24", 97), ("25", "25", 97)])
def test_dense_sample_of_a_day_agrees_with_the_timecode_package(
        name: str, ref_rate: str, step: int) -> None:
    rate = STANDARD_RATES[name]
    day = frames_per_day(rate)
    dropped = rate.nominal // 15 if rate.drop else 0
    minute_starts = [parse_timecode(f"{m // 60:02d}:{m % 60:02d}:00:{dropped if m % 10 else 0:02d}",
                                    rate) for m in range(24 * 60)]
    around = {(f + k) % day for f in minute_starts for k in range(-3, 4)}
    sample = sorted(around | set(range(0, day, step)) | {day - 1})
    assert _disagreements(name, ref_rate, sample) == []


def test_reference_counts_from_one() -> None:
    ref = Reference("29.97", frames=1)
    assert str(ref) == "00:00:00;00"
    assert _disagreements("29.97df", "29.97", [1800, 17982, 107892, 2589407]) == []
