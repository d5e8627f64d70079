from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from cuesketch.media.filmtime import FilmTime
from cuesketch.timing.rates import STANDARD_RATES

R24, R2997 = STANDARD_RATES["24"], STANDARD_RATES["29.97df"]


def test_offset_puts_the_first_frame_later():
    ft = FilmTime(R24, R24, 100, offset_frames=48)
    assert ft.film_frame(R24.frame_to_flicks(48)) == 0
    assert ft.film_frame(R24.frame_to_flicks(47)) == -1
    assert ft.film_frame(R24.frame_to_flicks(60) + 1) == 12
    assert ft.frame_start(12) == R24.frame_to_flicks(60)
    assert ft.project_frame(12) == 60
    assert ft.inside(0) and ft.inside(99) and not ft.inside(100) and not ft.inside(-1)


@given(st.sampled_from(sorted(STANDARD_RATES)), st.integers(0, 500_000),
       st.integers(-1000, 1000))
def test_frame_and_start_agree(name, frame, offset):
    rate = STANDARD_RATES[name]
    ft = FilmTime(rate, rate, 10**6, offset)
    start = ft.frame_start(frame)
    assert ft.film_frame(start) == frame
    assert ft.film_frame(start - 1) == frame - 1
    assert ft.project_frame(frame) == frame + offset


@given(st.sampled_from(sorted(STANDARD_RATES)), st.integers(0, 500_000))
def test_seek_time_is_inside_the_frame_near_its_middle(name, frame):
    rate = STANDARD_RATES[name]
    ft = FilmTime(rate, rate, 10**6)
    ms = ft.seek_ms(frame)
    fps = float(rate.fps)
    assert ms == math.floor((frame + 0.5) * 1000 / fps) or abs(ms - (frame + 0.5) * 1000 / fps) < 1
    assert frame * 1000 / fps < ms < (frame + 1) * 1000 / fps


def test_film_at_another_rate_maps_exactly():
    ft = FilmTime(R2997, STANDARD_RATES["23.976"], 1000, offset_frames=0)
    # 300 frames at 29.97 last exactly as long as 240 at 23.976 (10.01 s)
    at = R2997.frame_to_flicks(300)
    assert ft.film_frame(at) == 240 and ft.film_frame(at - 1) == 239
