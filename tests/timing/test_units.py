"""The small types at the timing core's boundary, the typed rate lookup, gauges."""

import pytest

from cuesketch.timing.rates import STANDARD_RATES, parse_rate, rate_named
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.timecode import Gauge, TimecodeError, format_feet, parse_feet
from cuesketch.timing.units import Flicks, Frames, Samples, flicks_to_samples, samples_to_flicks


def test_the_small_types_are_plain_ints_at_run_time() -> None:
    rate = STANDARD_RATES["24"]
    f: Flicks = rate.frame_to_flicks(48)
    frame: Frames = rate.flicks_to_frame(f)
    s: Samples = flicks_to_samples(f)
    assert (type(f), type(frame), type(s)) == (int, int, int)
    assert frame == 48 and samples_to_flicks(s) == f


def test_nearest_frame_rounds_halves_to_the_later_frame() -> None:
    rate = STANDARD_RATES["24"]
    fpf = rate.flicks_per_frame
    assert rate.nearest_frame(0) == 0
    assert rate.nearest_frame(fpf // 2 - 1) == 0
    assert rate.nearest_frame(fpf // 2) == 1
    assert rate.nearest_frame(-fpf // 2) == 0
    assert rate.nearest_frame(-fpf // 2 - 1) == -1
    tm = TempoMap.constant(120)
    assert tm.beat_to_frame(1, rate) == 12


def test_rates_by_name() -> None:
    assert rate_named("29.97df") is STANDARD_RATES["29.97df"]
    assert rate_named("29.97 df") is None
    assert parse_rate("29.97 DF") is STANDARD_RATES["29.97df"]
    assert parse_rate("23.98") is STANDARD_RATES["23.976"]


def test_gauges() -> None:
    assert Gauge.parse("16 mm") is Gauge.MM16 and Gauge.parse("35") is Gauge.MM35
    assert format_feet(88) == format_feet(88, Gauge.MM35) == format_feet(88, "35mm") == "5+08"
    assert parse_feet("2+10", Gauge.MM16) == parse_feet("2+10", "16mm") == 90
    with pytest.raises(TimecodeError, match="gauge"):
        Gauge.parse("70mm")
    with pytest.raises(TimecodeError, match="a foot of 35mm has 16"):
        parse_feet("1+16")
