from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuesketch.timing.rates import STANDARD_RATES, FrameRate, parse_rate
from cuesketch.timing.timecode import (
    Timecode,
    TimecodeError,
    format_feet,
    format_position,
    format_timecode,
    frames_per_day,
    parse_feet,
    parse_position,
    parse_timecode,
)

DF30 = STANDARD_RATES["29.97df"]
DF60 = STANDARD_RATES["59.94df"]

KNOWN = [
    (DF30, 1800, "00:01:00;02"),
    (DF30, 17982, "00:10:00;00"),
    (DF30, 107892, "01:00:00;00"),
    (DF30, 2589407, "23:59:59;29"),
    (DF30, 1799, "00:00:59;29"),
    (DF30, 3597, "00:01:59;29"),
    (DF30, 3598, "00:02:00;02"),
    (DF60, 3600, "00:01:00;04"),
    (DF60, 35964, "00:10:00;00"),
    (DF60, 215784, "01:00:00;00"),
    (DF60, 3599, "00:00:59;59"),
    (STANDARD_RATES["24"], 86400, "01:00:00:00"),
    (STANDARD_RATES["23.976"], 86400, "01:00:00:00"),  # counts at 24, runs slow
    (STANDARD_RATES["25"], 90000, "01:00:00:00"),
    (STANDARD_RATES["29.97"], 107892, "00:59:56:12"),
    (STANDARD_RATES["60"], 215999, "00:59:59:59"),
]


@pytest.mark.parametrize(("rate", "frame", "text"), KNOWN)
def test_known_values(rate: FrameRate, frame: int, text: str) -> None:
    assert format_timecode(frame, rate) == text
    assert parse_timecode(text, rate) == frame


def test_frames_per_day() -> None:
    assert frames_per_day(STANDARD_RATES["24"]) == 2_073_600
    assert frames_per_day(DF30) == 2_589_408
    assert frames_per_day(DF60) == 5_178_816
    assert frames_per_day(STANDARD_RATES["59.94"]) == 5_184_000


@pytest.mark.parametrize("name", list(STANDARD_RATES))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_round_trip_over_a_day(name: str, data: st.DataObject) -> None:
    rate = STANDARD_RATES[name]
    day = frames_per_day(rate)
    frame = data.draw(st.integers(0, day - 1))
    text = format_timecode(frame, rate)
    assert parse_timecode(text, rate) == frame
    assert (";" in text) == rate.drop
    tc = Timecode.from_frame(frame, rate)
    assert str(tc) == text and tc.to_frame(rate) == frame
    assert Timecode.parse(text, rate) == tc
    # the next frame's label is the next label (checks no gaps or repeats around drops)
    nxt = Timecode.from_frame(frame + 1, rate)
    assert nxt.to_frame(rate) == (frame + 1) % day


@pytest.mark.parametrize("name", list(STANDARD_RATES))
@given(data=st.data())
def test_wraps_at_24_hours_both_ways(name: str, data: st.DataObject) -> None:
    rate = STANDARD_RATES[name]
    day = frames_per_day(rate)
    frame = data.draw(st.integers(0, day - 1))
    assert format_timecode(frame - day, rate) == format_timecode(frame, rate)
    assert format_timecode(frame + day, rate) == format_timecode(frame, rate)


def test_pre_roll_reads_before_midnight() -> None:
    assert format_timecode(-1, STANDARD_RATES["24"]) == "23:59:59:23"
    assert format_timecode(-1, DF30) == "23:59:59;29"
    assert format_timecode(-48, STANDARD_RATES["24"]) == "23:59:58:00"


def test_strict_refuses_past_24_hours() -> None:
    rate = STANDARD_RATES["24"]
    assert format_timecode(2_073_599, rate, strict=True) == "23:59:59:23"
    with pytest.raises(TimecodeError, match="past 24 hours"):
        format_timecode(2_073_600, rate, strict=True)
    with pytest.raises(TimecodeError, match="past 24 hours"):
        format_timecode(2_589_408, DF30, strict=True)


@pytest.mark.parametrize(("text", "rate", "words"), [
    ("25:00:00:00", "24", "hours go from 00 to 23"),
    ("24:00:00:00", "25", "hours go from 00 to 23"),
    ("00:01:00;00", "29.97df", "does not exist"),
    ("00:01:00;01", "29.97df", "skips frame numbers 00 to 01"),
    ("00:01:00;03", "59.94df", "skips frame numbers 00 to 03"),
    ("00:00:00:24", "24", "frames go from 00 to 23"),
    ("00:00:00;30", "29.97df", "frames go from 00 to 29"),
    ("00:00:60:00", "24", "seconds go from 00 to 59"),
    ("00:60:00:00", "24", "minutes go from 00 to 59"),
    ("01:00:00;00", "29.97", "use 29.97df"),
    ("01:00:00;00", "24", "without drop-frame"),
    ("1:00", "24", "not a timecode"),
    ("01:00:00:0a", "24", "not a timecode"),
    ("", "24", "not a timecode"),
])
def test_bad_timecodes_say_why(text: str, rate: str, words: str) -> None:
    with pytest.raises(TimecodeError, match=words) as e:
        parse_timecode(text, parse_rate(rate))
    assert isinstance(e.value, ValueError)


def test_dropped_number_error_names_the_neighbours() -> None:
    with pytest.raises(TimecodeError) as e:
        parse_timecode("00:01:00;00", DF30)
    assert "00:00:59;29" in str(e.value) and "00:01:00;02" in str(e.value)


def test_tenth_minutes_keep_their_frames() -> None:
    assert parse_timecode("00:10:00;00", DF30) == 17982
    assert parse_timecode("00:10:00;01", DF30) == 17983
    assert parse_timecode("00:00:00;00", DF30) == 0


@pytest.mark.parametrize("text", ["01:00:00;00", "01:00:00:00", "01.00.00.00", "01;00;00;00",
                                  " 01:00:00;00 "])
def test_separators(text: str) -> None:
    assert parse_timecode(text, DF30) == 107892


def test_feet_and_frames() -> None:
    assert format_feet(88) == "5+08"
    assert parse_feet("5+08") == 88
    assert format_feet(208, "16mm") == "5+08"
    assert parse_feet("5+08", "16mm") == 208
    assert format_feet(-88) == "-5+08" and parse_feet("-5+08") == -88
    assert format_feet(0) == "0+00"
    assert parse_feet("90+15", "35") == 90 * 16 + 15
    with pytest.raises(TimecodeError, match="16 frames"):
        parse_feet("5+16")
    with pytest.raises(TimecodeError, match="not feet"):
        parse_feet("5-08")
    with pytest.raises(TimecodeError, match="gauge"):
        format_feet(1, "70mm")


@given(st.integers(-10**7, 10**7), st.sampled_from(["35mm", "16mm"]))
def test_feet_round_trip(frame: int, gauge: str) -> None:
    assert parse_feet(format_feet(frame, gauge), gauge) == frame


def test_sub_frames() -> None:
    rate = STANDARD_RATES["24"]
    fpf = rate.flicks_per_frame
    assert format_position(0, rate, 86400, 100) == "01:00:00:00.00"
    assert format_position(fpf // 2, rate, 86400, 100) == "01:00:00:00.50"
    assert format_position(fpf // 2, rate, 86400, 80) == "01:00:00:00.40"
    assert format_position(fpf - 1, rate, 86400, 100) == "01:00:00:00.99"
    assert format_position(fpf - 1, rate, 86400) == "01:00:00:00"
    assert format_position(-fpf // 4, rate, 86400, 100) == "00:59:59:23.75"
    assert format_timecode(Fraction(3, 2), rate, 100) == "00:00:00:01.50"
    assert parse_position("01:00:00:00.50", rate, 86400) == fpf // 2
    with pytest.raises(TimecodeError, match="sub-frames go from 0 to 79"):
        parse_position("01:00:00:00.80", rate, 86400, 80)


@pytest.mark.parametrize("name", list(STANDARD_RATES))
@given(data=st.data())
def test_position_round_trip(name: str, data: st.DataObject) -> None:
    rate = STANDARD_RATES[name]
    start = 107892 if rate.drop else 86400
    sub = data.draw(st.sampled_from([80, 100]))
    flicks = data.draw(st.integers(-rate.flicks_per_frame * 1000, rate.flicks_per_frame * 10**6))
    text = format_position(flicks, rate, start, sub)
    back = parse_position(text, rate, start, sub)
    assert format_position(back, rate, start, sub) == text
    assert 0 <= flicks - back < rate.flicks_per_frame / sub  # back is the sub-frame's start
