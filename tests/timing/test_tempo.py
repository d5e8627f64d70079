from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import (
    BarBeatTick,
    MeterChange,
    TempoChange,
    TempoError,
    TempoMap,
    bpm_to_click,
    click_to_bpm,
)
from cuesketch.timing.units import FLICKS_PER_SECOND as F

Fr = Fraction


def ramp_map(t0: int, t1: int, beats: int, then: int | None = None) -> TempoMap:
    tempos = [TempoChange(Fr(0), Fr(t0), True), TempoChange(Fr(beats), Fr(t1))]
    return TempoMap(0, tuple(tempos))


# --- an independent model: integrate the map segment by segment, exactly -------------------

def reference_beat(m: TempoMap, t: Fraction) -> Fraction:
    """The beat at ``t`` flicks from the origin, walking the segments with exact times."""
    start = Fr(0)
    tempos = m.tempos
    if t < 0:
        return t * Fr(tempos[0].bpm) / (60 * F)
    for i, c in enumerate(tempos):
        nxt = tempos[i + 1] if i + 1 < len(tempos) else None
        t0 = Fr(c.bpm)
        t1 = Fr(nxt.bpm) if nxt is not None and c.ramp else t0
        if nxt is None:
            return c.beat + (t - start) * t0 / (60 * F)
        length = nxt.beat - c.beat
        duration = 120 * F * length / (t0 + t1)  # also right for a step (t1 == t0)
        if t < start + duration:
            u = t - start
            # tempo(u) = t0 + (t1 - t0) u / D; beats = integral of tempo / 60
            return c.beat + (t0 * u + (t1 - t0) * u * u / (2 * duration)) / (60 * F)
        start += duration
    raise AssertionError("unreachable")


# 20 to 300 bpm: whole, to the hundredth, and the odd 1001 denominator of pulled-down tempos
bpms = st.one_of(st.builds(Fraction, st.integers(20, 300)),
                 st.builds(Fraction, st.integers(2000, 30000), st.just(100)),
                 st.builds(Fraction, st.integers(20000, 300000), st.just(1001)))
gaps = st.builds(Fraction, st.integers(1, 64 * 105), st.sampled_from([1, 2, 3, 960, 105]))


@st.composite
def tempo_maps(draw: st.DrawFn, max_changes: int = 12) -> TempoMap:
    n = draw(st.integers(1, max_changes))
    beat = Fr(0)
    changes = []
    for _ in range(n):
        changes.append(TempoChange(beat, draw(bpms), draw(st.booleans())))
        beat += draw(gaps)
    meters = [MeterChange(0, draw(st.integers(1, 7)), draw(st.sampled_from([2, 4, 8, 16])))]
    for _ in range(draw(st.integers(0, 3))):
        meters.append(MeterChange(meters[-1].bar + draw(st.integers(1, 20)),
                                  draw(st.integers(1, 13)), draw(st.sampled_from([2, 4, 8]))))
    origin = draw(st.integers(-10 * F, 10 * F))
    return TempoMap(origin, tuple(changes), tuple(meters))


two_hours = 2 * 3600 * F


@settings(max_examples=300, deadline=None)
@given(tempo_maps(), st.integers(-60 * F, two_hours))
def test_flicks_beat_flicks_is_exact(m: TempoMap, t: int) -> None:
    pos = m.origin + t
    beat = m.flicks_to_beat(pos)
    assert m.beat_to_flicks(beat) == pos


@settings(max_examples=300, deadline=None)
@given(tempo_maps(), st.integers(-60 * F, two_hours))
def test_beats_agree_with_exact_integration(m: TempoMap, t: int) -> None:
    # Tempo changes sit on the flick nearest their exact time: within a flick of the model.
    beat = m.flicks_to_beat(m.origin + t)
    assert reference_beat(m, Fr(t - 1)) <= beat <= reference_beat(m, Fr(t + 1))


@settings(max_examples=300, deadline=None)
@given(tempo_maps(), st.builds(Fraction, st.integers(-1000 * 960, 20000 * 960), st.just(960)))
def test_time_of_a_beat_is_within_a_flick(m: TempoMap, beat: Fraction) -> None:
    t = m.beat_to_flicks(beat) - m.origin
    assert reference_beat(m, Fr(t - 1)) <= beat <= reference_beat(m, Fr(t + 1))
    assert m.flicks_to_beat(m.origin + t - 1) <= beat <= m.flicks_to_beat(m.origin + t + 1)


@settings(max_examples=200, deadline=None)
@given(tempo_maps(), st.integers(-60 * F, two_hours), st.integers(1, F))
def test_beats_increase_with_time(m: TempoMap, t: int, dt: int) -> None:
    assert m.flicks_to_beat(t) < m.flicks_to_beat(t + dt)


@settings(max_examples=400, deadline=None)
@given(tempo_maps(), st.sampled_from(list(STANDARD_RATES)), st.data())
def test_frames_bars_frames_round_trip(m: TempoMap, name: str, data: st.DataObject) -> None:
    rate = STANDARD_RATES[name]
    frame = data.draw(st.integers(-1000, 2 * 3600 * rate.nominal))
    bbt = m.frame_to_bbt(frame, rate)
    assert m.bbt_to_frame(bbt, rate) == frame
    assert m.bbt_to_beat(bbt) == m.bbt_to_beat(BarBeatTick.parse(str(bbt)))


@settings(max_examples=300, deadline=None)
@given(tempo_maps(), st.integers(-10**6, 10**8))
def test_ticks_bars_ticks_round_trip(m: TempoMap, ticks: int) -> None:
    beat = Fr(ticks, 960)
    bbt = m.beat_to_bbt(beat)
    assert m.bbt_to_beat(bbt) == beat
    assert 1 <= bbt.beat <= m.meter_at(bbt.bar).numerator


@settings(max_examples=200, deadline=None)
@given(bpms, bpms, st.integers(1, 200), st.builds(Fraction, st.integers(0, 10**6), st.just(5000)))
def test_ramp_time_is_the_nearest_flick(t0: Fraction, t1: Fraction, length: int,
                                        frac: Fraction) -> None:
    beat = min(frac, Fr(1)) * length
    m = TempoMap(0, (TempoChange(Fr(0), t0, True), TempoChange(Fr(length), t1)))
    with localcontext() as ctx:
        ctx.prec = 80
        d = lambda x: Decimal(x.numerator) / Decimal(x.denominator)  # noqa: E731
        tempo = (d(t0) ** 2 + (d(t1) ** 2 - d(t0) ** 2) * d(beat) / length).sqrt()
        exact = 120 * F * d(beat) / (d(t0) + tempo)
        assert m.beat_to_flicks(beat) == int((exact + Decimal("0.5")).to_integral_value(
            rounding="ROUND_FLOOR"))


# --- known values ------------------------------------------------------------------------

def test_ramp_duration_is_120_beats_over_the_tempo_sum() -> None:
    m = ramp_map(60, 120, 9)
    assert m.beat_to_flicks(9) == 6 * F  # 120 * 9 / (60 + 120) s
    assert m.flicks_to_beat(3 * F) == Fr(15, 4)  # (60*3 + 60*9/12) / 60
    assert m.bpm_at(3 * F) == 90
    assert m.bpm_at(6 * F) == 120 and m.bpm_at(100 * F) == 120
    assert m.beat_to_flicks(10) == F * 13 // 2  # then 120 bpm holds
    rit = ramp_map(120, 60, 9)
    assert rit.beat_to_flicks(9) == 6 * F
    assert rit.flicks_to_beat(3 * F) == Fr(21, 4)  # (120*3 - 60*9/12) / 60


def test_steps_and_origin() -> None:
    m = TempoMap(5 * F, (TempoChange(Fr(0), Fr(120)), TempoChange(Fr(4), Fr(60))))
    assert m.beat_to_flicks(0) == 5 * F
    assert m.beat_to_flicks(4) == 7 * F
    assert m.beat_to_flicks(5) == 8 * F
    assert m.beat_to_flicks(-2) == 4 * F  # before the origin the first tempo holds
    assert m.flicks_to_beat(0) == -10
    assert m.bpm_at(0) == 120 and m.bpm_at(7 * F) == 60


def test_frames_at_film_rates() -> None:
    m = TempoMap.constant(120)
    assert m.frame_to_bbt(48, STANDARD_RATES["24"]) == BarBeatTick(2, 1, 0)
    assert m.bbt_to_frame(BarBeatTick(2, 1, 0), STANDARD_RATES["24"]) == 48
    # at 29.97 a beat at 120 bpm is 14.985 frames: bar 2 starts nearest frame 60
    assert m.bbt_to_frame(BarBeatTick(2), STANDARD_RATES["29.97df"]) == 60
    assert m.frame_to_beat(1001, STANDARD_RATES["29.97"]) == Fr(2 * 1001 * 1001, 30000)


def test_meter_changes_at_bars() -> None:
    m = TempoMap(0, meters=(MeterChange(0, 4, 4), MeterChange(2, 3, 4), MeterChange(3, 6, 8)))
    table = {Fr(0): "1|1|000", Fr(8): "3|1|000", Fr(21, 2): "3|3|480", Fr(11): "4|1|000",
             Fr(23, 2): "4|2|000", Fr(25, 2): "4|4|000", Fr(14): "5|1|000", Fr(-1): "0|4|000",
             Fr(1, 960): "1|1|001"}
    for beat, text in table.items():
        assert str(m.beat_to_bbt(beat)) == text
        assert m.bbt_to_beat(BarBeatTick.parse(text)) == beat
    assert m.meter_at(3) == MeterChange(2, 3, 4)
    assert m.meter_at(100) == MeterChange(3, 6, 8)
    with pytest.raises(TempoError, match="beats 1 to 6"):
        m.bbt_to_beat(BarBeatTick(5, 7, 0))
    with pytest.raises(TempoError, match="ticks 0 to 479"):
        m.bbt_to_beat(BarBeatTick(5, 1, 480))


def test_bbt_text() -> None:
    assert BarBeatTick.parse("3|2|480") == BarBeatTick(3, 2, 480)
    assert BarBeatTick.parse("3|2") == BarBeatTick(3, 2, 0)
    assert BarBeatTick.parse(" -1|1|0 ") == BarBeatTick(-1, 1, 0)
    assert str(BarBeatTick(12, 3, 5)) == "12|3|005"
    with pytest.raises(TempoError, match="not bars"):
        BarBeatTick.parse("3.2.480")


@pytest.mark.parametrize(("tempos", "meters", "words"), [
    ((TempoChange(Fr(1), Fr(120)),), (MeterChange(0),), "tempo at beat 0"),
    ((TempoChange(Fr(0), Fr(120)), TempoChange(Fr(0), Fr(90))), (MeterChange(0),), "in order"),
    ((TempoChange(Fr(0), Fr(0)),), (MeterChange(0),), "above 0 bpm"),
    ((TempoChange(Fr(0), Fr(120)),), (MeterChange(1),), "meter at bar 0"),
    ((TempoChange(Fr(0), Fr(120)),), (MeterChange(0, 4, 3),), "not a meter"),
    ((TempoChange(Fr(0), Fr(120)),), (MeterChange(0), MeterChange(0, 3, 4)), "in order"),
])
def test_bad_maps_say_why(tempos: tuple[TempoChange, ...], meters: tuple[MeterChange, ...],
                          words: str) -> None:
    with pytest.raises(TempoError, match=words):
        TempoMap(0, tempos, meters)


def test_many_changes_do_not_drift() -> None:
    # 500 changes (a third of them ramps) over two hours: every change lands on the flick
    # nearest its exact time, however many changes come before it.
    changes, starts, beat, exact = [], [], Fr(0), Fr(0)
    for i in range(500):
        bpm, nxt = Fr(7000 + 37 * i, 100), Fr(7000 + 37 * (i + 1), 100)
        ramp = i % 3 == 0 and i < 499
        changes.append(TempoChange(beat, bpm, ramp))
        starts.append(exact)
        length = Fr(96 + 8 * (i % 5), 1 + i % 3)
        exact += 120 * F * length / (bpm + (nxt if ramp else bpm))
        beat += length
    m = TempoMap(0, tuple(changes))
    assert exact > 2 * 3600 * F
    for change, start in zip(changes, starts):
        assert abs(m.beat_to_flicks(change.beat) - start) <= Fr(1, 2)
    assert abs(m.beat_to_flicks(beat) - exact) <= Fr(1, 2)


# --- frame clicks ---------------------------------------------------------------------------

def test_clicks() -> None:
    assert click_to_bpm("12-0", 24) == 120
    assert click_to_bpm("12", 24) == 120
    assert click_to_bpm("12-2", 24) == Fr(60 * 24 * 8, 98)
    assert click_to_bpm("12-2", STANDARD_RATES["23.976"]) == Fr(60 * 8 * 24000, 98 * 1001)
    assert bpm_to_click(120, 24) == "12-0"
    assert bpm_to_click(Fr(60 * 24 * 8, 98), 24) == "12-2"
    assert bpm_to_click(100, 24) == "14-3"  # 14.4 frames: 14 3/8 is the nearest eighth
    assert bpm_to_click(120, STANDARD_RATES["25"]) == "12-4"


@given(st.integers(8, 400), st.sampled_from(list(STANDARD_RATES)))
def test_click_round_trip(eighths: int, name: str) -> None:
    click = f"{eighths // 8}-{eighths % 8}"
    rate = STANDARD_RATES[name]
    assert bpm_to_click(click_to_bpm(click, rate), rate) == click


@pytest.mark.parametrize("bad", ["12-8", "12.2", "0-0", "x", "-1-2", ""])
def test_bad_clicks(bad: str) -> None:
    with pytest.raises(TempoError):
        click_to_bpm(bad, 24)
