"""Preview movies under test: a numbered film (each frame's number in its pixels), a project
whose only track clicks on its hits, and the reading back of an exported movie: where each
click starts in the sound and which film frame is shown at that instant.
"""

from __future__ import annotations

import bisect
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cuesketch.media.testfilm import BITS, make_numbered_film, read_frame_number
from cuesketch.model.entities import Cue, Hit, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile
from cuesketch.store.relink import media_for
from cuesketch.timing.rates import STANDARD_RATES, FrameRate

CLICK_PITCH = 76  # GM percussion: Hi Wood Block, a sharp attack


@dataclass(frozen=True)
class SyncRig:
    project_path: Path
    project: Project
    film: Path
    rate: FrameRate
    hits: tuple[int, ...]  # project frames
    offset_frames: int


def start_frame_of(rate: FrameRate) -> int:
    """01:00:00:00 at the rate (107892 frames at 29.97 DF)."""
    from cuesketch.timing.timecode import parse_timecode
    return parse_timecode("01:00:00:00", rate)


def sync_rig(folder: Path, rate_name: str, *, hits: int = 20, seconds: float = 30.0,
             size: tuple[int, int] = (320, 180), offset_frames: int = 12, seed: int = 5,
             film_audio: bool = True, cue_margin: float = 2.0,
             film: Path | None = None) -> SyncRig:
    """A numbered film at ``rate_name`` placed ``offset_frames`` after the project start, a
    cue over most of it, ``hits`` hits at random frames (at least 12 frames apart) and a
    click note starting on each."""
    rate = STANDARD_RATES[rate_name]  # type: ignore[index]
    folder.mkdir(parents=True, exist_ok=True)
    film = film or make_numbered_film(folder / f"film-{rate_name}.mp4", fps=rate.fps,
                                      seconds=seconds, size=size, audio=film_audio)
    frames = round(seconds * float(rate.fps))
    rng = random.Random(seed)
    lo = offset_frames + round(cue_margin * float(rate.fps)) + 4
    hi = offset_frames + frames - round(cue_margin * float(rate.fps)) - 4
    chosen: list[int] = []
    while len(chosen) < hits:
        f = rng.randrange(lo, hi)
        if all(abs(f - c) >= 12 for c in chosen):
            chosen.append(f)
    chosen.sort()
    project_path = folder / f"sync-{rate_name}.cuesketch"
    p = Project()
    notes = [Note(i + 1, 1, rate.frame_to_flicks(f), rate.frame_to_flicks(2), CLICK_PITCH, 127)
             for i, f in enumerate(chosen)]
    hit_list = [Hit(i + 1, f, f"hit {i + 1}") for i, f in enumerate(chosen)]
    cue = Cue(1, "1M1", lo - 4, hi + 4, title="Sync")
    p.load(Settings(title=f"Sync {rate_name}", rate=rate, start_frame=start_frame_of(rate),
                    media=media_for(project_path, film, offset_frames)),
           [Track(1, "Click", 0, 0, channel=9, volume=1.0), cue, *hit_list, *notes])
    ProjectFile.write_new(project_path, p, overwrite=True)
    return SyncRig(project_path, p, film, rate, tuple(chosen), offset_frames)


def decode_sound(movie: Path, start_sample: int = 0) -> np.ndarray:
    """The movie's sound, mono float at 48 kHz, from ``start_sample`` (sample 0 is at time 0,
    the first frame's instant), counted on the decoded samples, not on a seek."""
    trim = f"atrim=start_sample={start_sample}," if start_sample else ""
    raw = subprocess.run([_ffmpeg(), "-v", "error", "-i", str(movie), "-map", "0:a:0",
                          "-af", f"{trim}aresample=48000", "-ac", "1", "-f", "f32le", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4")


_PTS = re.compile(r" pts:\s*(-?\d+) ")
_TIME_BASE = re.compile(r"config in time_base:\s*(\d+)/(\d+)")


def decode_frames(movie: Path, width: int, height: int, start: float | None = None,
                  duration: float | None = None) -> tuple[list[float], list[int]]:
    """Each frame's time stamp (s, the movie's own) and the number it carries, in order;
    from ``start`` for ``duration`` seconds when given."""
    window = ["-copyts", "-ss", f"{start:.6f}"] if start is not None else []
    if duration is not None:
        window += ["-t", f"{duration:.6f}"]
    run = subprocess.run([_ffmpeg(), "-v", "info", "-hide_banner", "-nostats", *window,
                          "-i", str(movie), "-map", "0:v:0", "-vf", "showinfo",
                          "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "gray",
                          "-"], capture_output=True, check=True)
    log = run.stderr.decode("utf-8", "replace")
    # the time stamps exactly (showinfo's pts_time has 6 digits: 10 ms late in a film)
    num, den = map(int, _TIME_BASE.findall(log)[0])
    times = [int(pts) * num / den for pts in _PTS.findall(log)]
    frames = np.frombuffer(run.stdout, dtype=np.uint8).reshape(-1, height, width)
    assert len(times) == len(frames), (len(times), len(frames))
    return times, [read_frame_number(f) for f in frames]


def onsets(sound: np.ndarray, rate: int = 48000, gap_s: float = 0.25) -> list[int]:
    """Where each click starts (samples): the first sample whose change from the one before
    passes a third of the loudest click's, with a quiet gap before."""
    diff = np.abs(np.diff(sound, prepend=sound[:1]))
    threshold = diff.max() / 3
    above = np.flatnonzero(diff > threshold)
    found: list[int] = []
    for i in above:
        if not found or i - found[-1] > gap_s * rate:
            found.append(int(i))
    return found


def hit_offsets(movie: Path, rig: SyncRig, width: int, height: int, *,
                start_sample: int = 0, window: tuple[float, float] | None = None,
                hits: tuple[int, ...] | None = None,
                late_ms: list[float] | None = None) -> tuple[list[int], int]:
    """For each click heard (from ``start_sample``), the project frame shown at its onset less
    the nearest hit's; and how many of ``hits`` (default: all) had no click. ``late_ms``
    collects how long after its frame came up each click starts."""
    wanted = hits if hits is not None else rig.hits
    sound = decode_sound(movie, start_sample)
    times, numbers = decode_frames(movie, width, height, *(window or (None, None)))
    offsets: list[int] = []
    heard = set()
    for sample in onsets(sound):
        t = (start_sample + sample) / 48000
        shown = bisect.bisect_right(times, t + 1e-9) - 1  # the frame up at t
        assert shown >= 0, f"no frame decoded before {t:.3f} s"
        # the film carries its frame's number in 16 bits: past 65535 (45 min at 24 fps) it
        # starts again, so a frame is compared with the hits modulo that
        shown_film = numbers[shown]
        nearest = min(wanted, key=lambda h: abs(_wrapped(h - rig.offset_frames - shown_film)))
        heard.add(nearest)
        offsets.append(-_wrapped(nearest - rig.offset_frames - shown_film))
        if late_ms is not None:
            late_ms.append(1000 * (t - times[shown]))
    return offsets, len(set(wanted) - heard)


def _wrapped(frames: int) -> int:
    """A difference of frame numbers as the film's 16-bit numbers show it (-32768..32767)."""
    return (frames + (1 << (BITS - 1))) % (1 << BITS) - (1 << (BITS - 1))


def _ffmpeg() -> str:
    return shutil.which("ffmpeg") or "ffmpeg"
