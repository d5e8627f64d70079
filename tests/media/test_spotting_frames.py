"""The printed notes' pictures: each the exact frame asked (numbered films: B-frames, long
GOP, 29.97), many frames in few ffmpeg runs, frames past the end left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from cuesketch.media.spotting_frames import frames_at
from cuesketch.media.testfilm import make_numbered_film, read_frame_number


@pytest.mark.parametrize("fps", ["24", "30000/1001"])
def test_each_picture_is_the_frame_asked(tmp_path: Path, fps: str) -> None:
    film = make_numbered_film(tmp_path / "n.mp4", fps=fps, seconds=6, size=(320, 180),
                              audio=False, codec_args=["-c:v", "libx264", "-preset",
                                                       "veryfast", "-g", "60", "-pix_fmt",
                                                       "yuv420p"])
    wanted = [0, 1, 23, 24, 59, 60, 61, 97, 143, 10_000]
    got = frames_at(film, wanted, width=320)
    assert sorted(got) == wanted[:-1]
    assert {f: read_frame_number(px) for f, px in got.items()} == {f: f for f in wanted[:-1]}
    assert got[0].shape == (180, 320, 3)
