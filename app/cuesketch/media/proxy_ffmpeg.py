"""Which ffmpeg makes proxies, and how it spreads the work over the processor's cores.

From version 7 on, ffmpeg runs demuxing, decoding, filtering and encoding each in a thread of
its own; before, one thread decoded a frame, scaled it and handed it to the encoder in turn,
so the cores waited on each other. On two cores that is the difference between a proxy taking
1.8 times as long as a bare decode of the film and about 1.3 times (``bench_picture``:
``proxy_speed_vs_decode_only``). Debian 12 ships ffmpeg 5.1 and Ubuntu 24.04 6.1, so Cuesketch
brings one (the static build of imageio-ffmpeg, which has libx264) and takes the system's
instead when that is new enough. Everything else in Cuesketch keeps the system's ffmpeg.

With the stages in threads of their own, the decoder of a film up to full HD runs best on one
thread per spare core (``thread_counts``): a frame-threaded H.264 decoder spends about half as
much processor time again to finish little sooner, time the scale and the encoder then lack
(measured here, without the loop filter: 1.0 processor-second for 30 s of 1080p on one
thread, 1.5 on three, in about the same wall time).
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass

THREADED_SINCE = 7  # the first ffmpeg whose stages run in threads of their own
_VERSION = re.compile(r"ffmpeg version n?(\d+)\.(\d+)")
_GIT_BUILD = re.compile(r"ffmpeg version N-")  # a build from FFmpeg's master: newer than any


@dataclass(frozen=True)
class ProxyFfmpeg:
    path: str
    version: tuple[int, int]
    threaded: bool  # its stages run side by side (version 7 and later)


def parse_version(banner: str) -> tuple[int, int] | None:
    """The major and minor version from ``ffmpeg -version``'s first line."""
    if _GIT_BUILD.search(banner):
        return (THREADED_SINCE + 99, 0)
    found = _VERSION.search(banner)
    return (int(found.group(1)), int(found.group(2))) if found else None


def _ask(path: str, *args: str) -> str:
    try:
        return subprocess.run([path, "-hide_banner", *args] if args else [path, "-version"],
                              capture_output=True, text=True, timeout=15).stdout
    except (OSError, subprocess.SubprocessError):
        return ""


def _examine(path: str | None) -> ProxyFfmpeg | None:
    """The facts of the ffmpeg at ``path`` when it runs and can encode H.264, else None."""
    if not path:
        return None
    version = parse_version(_ask(path))
    if version is None or " libx264 " not in _ask(path, "-encoders"):
        return None
    return ProxyFfmpeg(path, version, version[0] >= THREADED_SINCE)


def _bundled() -> str | None:
    try:
        import imageio_ffmpeg  # type: ignore[import-untyped]
        path: str = imageio_ffmpeg.get_ffmpeg_exe()
        return path
    except (ImportError, RuntimeError, OSError):
        return None  # not installed, or no build for this platform


@functools.lru_cache(maxsize=1)
def proxy_ffmpeg() -> ProxyFfmpeg | None:
    """The system's ffmpeg when its stages run in threads, else the bundled one, else the
    system's as it is; None when there is no ffmpeg with libx264 at all. Asked once."""
    system = _examine(shutil.which("ffmpeg"))
    if system is not None and system.threaded:
        return system
    return _examine(_bundled()) or system


FULL_HD = 1920 * 1088  # pixels: up to here the decoder keeps to its share of the cores


def thread_counts(pixels: int, cores: int | None = None) -> tuple[int, int] | None:
    """Decoder and encoder threads for a threaded ffmpeg making the proxy of a film with
    ``pixels`` a frame; None: let ffmpeg choose. Up to full HD the decoder gets the cores the
    encoder does not: one thread each on two cores, 6 and 2 on eight (measured on two cores
    with a 1080p film: the proxy at 0.80 of a bare decode's speed, 0.66 with ffmpeg's own
    choice). A larger film is decoded on ffmpeg's own frame threads: on one, its decoding is
    what everything waits for (a 4K film on two cores: 0.85 against 0.75)."""
    if pixels > FULL_HD:
        return None
    cores = cores or os.cpu_count() or 2
    encoder = max(1, cores // 3)
    return max(1, cores - encoder), encoder
