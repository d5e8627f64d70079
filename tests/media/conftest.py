"""Numbered test films (each frame's number in its pixels), made once per test session."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from cuesketch.media.probe import MediaInfo, probe
from cuesketch.media.proxy import make_proxy
from cuesketch.media.testfilm import make_numbered_film
from cuesketch.timing.rates import STANDARD_RATES, FrameRate

if shutil.which("ffmpeg") is None:  # pragma: no cover - the system deps install it
    pytest.skip("ffmpeg is not installed", allow_module_level=True)


@dataclass(frozen=True)
class Film:
    path: Path
    info: MediaInfo
    proxy: Path
    rate: FrameRate  # the project rate it belongs to


FILMS = {  # name: fps, seconds, B-frames, timecode, project rate
    "24": ("24", 4, True, None, STANDARD_RATES["24"]),
    "23.976": ("24000/1001", 3, True, None, STANDARD_RATES["23.976"]),
    "29.97df": ("30000/1001", 3, False, "01:00:00;00", STANDARD_RATES["29.97df"]),
}


@pytest.fixture(scope="session")
def films(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Film]:
    folder = tmp_path_factory.mktemp("films")
    made = {}
    for name, (fps, seconds, b_frames, timecode, rate) in FILMS.items():
        path = make_numbered_film(folder / f"film-{name}.mp4", fps=fps, seconds=seconds,
                                  b_frames=b_frames, timecode=timecode)
        info = probe(path)
        proxy = make_proxy(path, info=info, folder=folder / "proxies")
        made[name] = Film(path, info, proxy, rate)
    return made
