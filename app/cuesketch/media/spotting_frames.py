"""A picture per cue for the printed spotting notes: the frame at each cue's start, exact, from
the film's frame-accurate proxy when there is one (a seek there decodes the one frame), else
from the film.

One ffmpeg run opens the film once per wanted frame, each input seeking to its frame (``-ss``
before ``-i``: to the key frame before it, then decoding up to it; ffmpeg drops what comes
before the asked time), and writes each picture small as raw RGB; a few runs side by side (the
machine's cores). Starting ffmpeg once per cue would cost more than the pictures themselves.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from cuesketch.media.probe import MediaError, MediaInfo, probe
from cuesketch.media.proxy import cached_proxy, proxy_info
from cuesketch.media.thumbnails import film_origin

WIDTH = 192
PER_RUN = 25  # inputs one ffmpeg run opens
TIMEOUT_S = 120


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
    """RGB pictures (height x width x 3) of the film's frames (frame 0 is its first); a frame
    past the film's end, or one the film would not give, is left out."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return {}
    with ThreadPoolExecutor(max_workers=2) as pool:  # two ffprobe runs at once
        probing = pool.submit(picture_source, film)
        origin_of_film = pool.submit(film_origin, film)
        try:
            info = probing.result()
        except MediaError:
            return {}
        origin = origin_of_film.result() if info.path == film else film_origin(info.path)
    wanted = sorted({f for f in frames if 0 <= f < max(1, info.frame_count)})
    height = max(2, round(width * info.height / info.width / 2) * 2)
    runs = [wanted[i:i + PER_RUN] for i in range(0, len(wanted), PER_RUN)]
    out: dict[int, np.ndarray] = {}
    with tempfile.TemporaryDirectory(prefix="cuesketch-frames-") as tmp:
        def run(batch: list[int]) -> dict[int, np.ndarray]:
            if cancel is not None and cancel.is_set():
                return {}
            return _one_run(ffmpeg, info, origin, batch, width, height, Path(tmp))

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for got in pool.map(run, runs):
                out.update(got)
    return out


def _one_run(ffmpeg: str, info: MediaInfo, origin: float, batch: list[int], width: int,
             height: int, folder: Path) -> dict[int, np.ndarray]:
    fps = info.file_fps
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-y"]
    for f in batch:
        # half a frame early: ffmpeg keeps the first frame at or after the time, frame f
        at = origin + float((f - 0.5) / fps) if f else origin
        # one thread a decoder: a frame each, and dozens of decoders open at once
        cmd += ["-threads", "1", "-ss", f"{max(0.0, at):.6f}", "-i", str(info.path)]
    outs = []
    for k, f in enumerate(batch):
        dest = folder / f"{f}.rgb"
        outs.append((f, dest))
        cmd += ["-map", f"{k}:v:0", "-frames:v", "1", "-an", "-vf",
                f"scale={width}:{height}:flags=area", "-pix_fmt", "rgb24", "-f", "rawvideo",
                str(dest)]
    try:
        subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired):
        return {}
    size = width * height * 3
    got: dict[int, np.ndarray] = {}
    for f, dest in outs:
        try:
            data = dest.read_bytes()
        except OSError:
            continue
        if len(data) == size:
            got[f] = np.frombuffer(data, np.uint8).reshape(height, width, 3)
    return got
