"""A picture per cue for the printed spotting notes: the frame at each cue's start, exact, from
the film's frame-accurate proxy when there is one (a seek there costs a frame), else from the
film; two at a time (the machine's cores), each a small ffmpeg run."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from cuesketch.media.probe import MediaError, MediaInfo, probe
from cuesketch.media.proxy import cached_proxy, proxy_info
from cuesketch.media.thumbnails import film_origin, grab_frame

WIDTH = 192


def picture_source(film: Path) -> MediaInfo:
    """The proxy's facts when one was made for the film, else the film's."""
    info = probe(film, check_decode=False)
    try:
        proxy = cached_proxy(film)
    except OSError:
        proxy = None
    return proxy_info(info, proxy) if proxy is not None else info


def frames_at(film: Path, frames: Iterable[int], width: int = WIDTH, workers: int = 2,
              cancel: threading.Event | None = None) -> dict[int, np.ndarray]:
    """RGB pictures of the film's frames (film frame 0 is its first); a frame past the film's
    end, or one the film would not give, is left out."""
    try:
        info = picture_source(film)
    except MediaError:
        return {}
    origin = film_origin(info.path)
    wanted = sorted({f for f in frames if 0 <= f < max(1, info.frame_count)})

    def one(frame: int) -> tuple[int, np.ndarray | None]:
        try:
            return frame, grab_frame(info, frame, width, origin, cancel)
        except (MediaError, OSError):
            return frame, None

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return {f: px for f, px in pool.map(one, wanted) if px is not None}
