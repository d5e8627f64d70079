"""Scene cuts in the film, found on a tiny decode, proposed as cut hits.

ffmpeg decodes the film once (frame for frame: ``-fps_mode passthrough``, so index n is film
frame n) down to ``SIZE`` pixels of RGB, skipping the loop filter (it only smooths block edges
a thumbnail never sees) and with the decoder's fast flags; the decode is the whole cost (a
1080p24 H.264 film: about 5 ms of processor a frame here). For each frame we keep its mean
difference to the 1..4 frames before it, so the decision runs again at any sensitivity without
decoding again:

- a cut is a frame unlike the one before (``d`` above a threshold) by far more than the frames
  around it differ from each other (a pan or a shaking camera differs all the time);
- a flash is not a cut: a frame unlike the one before, but the frames just after it are like
  the one before again (the flash's start), or a frame like the frames before the frame before
  (its end); up to 3 frames of flash;
- a fade or a dissolve changes a little every frame: no single frame stands out.

The run reports progress, can be cancelled, and runs ffmpeg at a lower priority so playback
keeps the processor.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from cuesketch.media.peaks import lower_priority
from cuesketch.model.changes import Change, insert
from cuesketch.model.entities import Hit, HitKind
from cuesketch.model.project import Project

SIZE = (48, 27)  # width, height of the frames compared
BACK = 4  # each frame is compared with this many before it
CHUNK = 512  # frames read and compared at a time
DEFAULT_SENSITIVITY = 50

Progress = Callable[[float], None]


class CutDetectError(RuntimeError):
    """The film can't be read for cuts, in plain words."""


class CutDetectCancelled(Exception):
    pass


@dataclass
class FrameDifferences:
    """Per film frame: ``near[n, k-1]`` the mean difference (0..255) of frame n to frame n-k."""

    near: np.ndarray  # float32, (frames, BACK); NaN where there is no frame n-k

    @property
    def frames(self) -> int:
        return int(self.near.shape[0])


@dataclass(frozen=True)
class ProposedCut:
    frame: int  # film frame (0 is the film's first)
    score: float  # how far it stands out (the difference over its neighbours')


def _thresholds(sensitivity: int) -> tuple[float, float]:
    """(smallest difference, how many times its neighbours') at a sensitivity 1..100."""
    s = min(100, max(1, sensitivity))
    return 3.0 + (100 - s) * 0.30, 1.6 + (100 - s) * 0.05


def find_cuts(diffs: FrameDifferences, sensitivity: int = DEFAULT_SENSITIVITY
              ) -> list[ProposedCut]:
    near = diffs.near
    n = near.shape[0]
    if n < 2:
        return []
    d = np.nan_to_num(near[:, 0], nan=0.0)
    floor, ratio = _thresholds(sensitivity)
    # the neighbours' typical difference: median over 12 frames each side (the frame and the
    # two next to it left out)
    w = 12
    padded = np.pad(d, w, mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * w + 1)
    local = np.median(np.delete(windows, [w - 1, w, w + 1], axis=1), axis=1)
    # a ramp (a fade, a move starting out of a still picture) goes on changing the same way:
    # three frames on, or three back, differ much more than one; across a cut they differ
    # about as much as the cut itself
    nxt = np.append(d[1:], 0.0)
    prv = np.insert(d[:-1], 0, 0.0)
    on3 = np.full(n, 0.0)
    on3[: n - 2] = np.nan_to_num(near[2:, 2])
    back3 = np.nan_to_num(near[:, 2])
    ramp = ((on3 >= 1.8 * d) & (nxt >= 0.5 * d)) | ((back3 >= 1.8 * d) & (prv >= 0.5 * d))
    # like the frames before the one before: the end of a flash
    back = np.nanmin(np.where(np.isnan(near[:, 1:]), np.inf, near[:, 1:]), axis=1)
    # the frames after like the one before: the start of a flash (frame n+j vs n-1 is
    # near[n+j, j])
    ahead = np.full(n, np.inf)
    for j in range(1, BACK):
        ahead[: n - j] = np.minimum(ahead[: n - j], near[j:, j])
    ahead = np.nan_to_num(ahead, nan=np.inf)
    candidates = (d >= floor) & (d >= ratio * (local + 1.0)) & (back >= 0.5 * d) & \
        (ahead >= 0.5 * d) & ~ramp
    candidates[0] = False
    out: list[ProposedCut] = []
    for i in np.flatnonzero(candidates):
        lo, hi = max(0, i - 2), min(n, i + 3)
        if d[i] < d[lo:hi].max():
            continue  # a stronger frame beside it is the cut
        out.append(ProposedCut(int(i), float(d[i] / (local[i] + 1.0))))
    return out


def measure(film: Path, frames_expected: int = 0, progress: Progress | None = None,
            cancel: threading.Event | None = None, threads: int = 2) -> FrameDifferences:
    """Decode the film small and measure each frame's difference to the frames before it."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise CutDetectError("ffmpeg is not installed; Cuesketch needs it to find cuts")
    w, h = SIZE
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-threads", str(threads),
           "-skip_loop_filter", "all", "-flags2", "fast", "-i", str(film), "-map", "0:v:0", "-an", "-sn",
           "-fps_mode", "passthrough",
           "-vf", f"scale={w * 4}:{h * 4}:flags=fast_bilinear,scale={w}:{h}:flags=area",
           "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]
    size = w * h * 3
    # started as it is, then made nicer by pid: a preexec_fn may deadlock in a threaded program
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lower_priority(proc.pid)
    assert proc.stdout is not None and proc.stderr is not None
    # ffmpeg's complaints are read as they come (a damaged film floods them: unread, the pipe
    # fills and ffmpeg stops writing frames), keeping only the last few lines
    err_tail: deque[bytes] = deque(maxlen=ERR_LINES)
    stderr = proc.stderr
    drain = threading.Thread(target=_drain, args=(stderr, err_tail), daemon=True,
                             name="cut-detect-stderr")
    drain.start()
    done = threading.Event()
    if cancel is not None:  # a cancel kills ffmpeg at once, even while a read waits on it
        threading.Thread(target=_kill_on_cancel, args=(proc, cancel, done), daemon=True,
                         name="cut-detect-cancel").start()
    rows: list[np.ndarray] = []
    carry = np.zeros((0, size), np.int16)
    seen = 0
    try:
        while True:
            if cancel is not None and cancel.is_set():
                raise CutDetectCancelled()
            data = proc.stdout.read(size * CHUNK)
            if not data:
                break
            count = len(data) // size
            frames = np.frombuffer(data[: count * size], np.uint8).reshape(count, size)
            block = np.concatenate([carry, frames.astype(np.int16)])
            start = carry.shape[0]
            near = np.full((count, BACK), np.nan, np.float32)
            for k in range(1, BACK + 1):
                lo = max(start, k)
                if lo < block.shape[0]:
                    near[lo - start:, k - 1] = np.abs(block[lo:] - block[lo - k:-k]).mean(axis=1)
            rows.append(near)
            carry = block[-BACK:]
            seen += count
            if progress is not None and frames_expected:
                progress(min(1.0, seen / frames_expected))
        proc.wait()
        if cancel is not None and cancel.is_set():
            raise CutDetectCancelled()
        if proc.returncode != 0:
            drain.join(timeout=5)
            err = b"".join(err_tail).decode("utf-8", "replace").strip().splitlines()
            raise CutDetectError(f"ffmpeg could not read {film.name}: "
                                 f"{err[-1][:300] if err else 'exit ' + str(proc.returncode)}")
    finally:
        done.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        drain.join(timeout=5)
        proc.stdout.close()
        stderr.close()
    if progress is not None:
        progress(1.0)
    near_all = np.concatenate(rows) if rows else np.zeros((0, BACK), np.float32)
    return FrameDifferences(near_all)


ERR_LINES = 20


def _drain(stream: IO[bytes], tail: deque[bytes]) -> None:
    try:
        while chunk := stream.readline(4096):
            tail.append(chunk)
    except (OSError, ValueError):  # closed under us when the run ends
        pass


def _kill_on_cancel(proc: subprocess.Popen[bytes], cancel: threading.Event,
                    done: threading.Event) -> None:
    while not done.wait(0.05):
        if cancel.is_set():
            proc.kill()
            return


def picture_to_read(film: Path) -> Path:
    """The film's frame-accurate proxy when one was made (a quarter of the pixels, frame n is
    the film's frame n: several times cheaper to decode), else the film."""
    from cuesketch.media.proxy import cached_proxy

    try:
        return cached_proxy(film) or film
    except OSError:
        return film


def trimmed(diffs: FrameDifferences, frames: int) -> FrameDifferences:
    """The film's own frames (a proxy runs on a second past the film's last one)."""
    return FrameDifferences(diffs.near[:frames]) if 0 < frames < diffs.frames else diffs


def detect_cuts(film: Path, sensitivity: int = DEFAULT_SENSITIVITY, frames_expected: int = 0,
                progress: Progress | None = None, cancel: threading.Event | None = None
                ) -> list[ProposedCut]:
    diffs = measure(picture_to_read(film), frames_expected, progress, cancel)
    return find_cuts(trimmed(diffs, frames_expected), sensitivity)


def cut_hit_changes(project: Project, film_frames: Iterable[int], offset_frames: int = 0,
                    name: str = "Cut") -> list[Change]:
    """Accepted cuts as cut hits (film frame + the film's offset = project frame); a frame that
    already has a cut hit gets none."""
    have = {h.frame for h in project.hits.values() if h.kind is HitKind.CUT}
    out: list[Change] = []
    next_id = project._next_ids[Hit]
    for f in sorted(set(film_frames)):
        frame = f + offset_frames
        if frame in have:
            continue
        out.append(insert(Hit(next_id, frame, name, HitKind.CUT)))
        next_id += 1
    return out
