"""A generated film with hard cuts at known frames among pans, fades, dissolves and flashes,
for the cut detector's tests and figures.

The pictures come from ffmpeg's lavfi sources (test patterns, gradients, fractals, cellular
automata...), each rendered once a little larger than the film; a shot is a window moving over
one of them (a pan, or still), and the next shot is another source. The transitions are hard
cuts (the truth), dissolves (not cuts), and inside shots come fades to black and back and
flashes of one to three white frames (not cuts either). Encoded with x264 (B-frames, long GOP).
"""

from __future__ import annotations

import random
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

W, H = 256, 144  # the film
SW, SH = 320, 180  # the sources: room to pan
SOURCE_FRAMES = 240
SOURCES = [
    "testsrc2=size={s}:rate=24",
    "gradients=size={s}:rate=24:speed=0.02:seed=3",
    "gradients=size={s}:rate=24:speed=0.03:seed=11:c0=0x204010:c1=0xe0c020:c2=0x2040ff",
    "mandelbrot=size={s}:rate=24",
    "life=size={s}:rate=24:mold=10:ratio=0.3:seed=5:life_color=0xff8040:death_color=0x102040",
    "cellauto=size={s}:rate=24:rule=110:seed=9",
    "smptehdbars=size={s}:rate=24",
    "testsrc=size={s}:rate=24",
    "rgbtestsrc=size={s}:rate=24",
    "colorspectrum=size={s}:rate=24:type=all",
]


@dataclass
class CutFilm:
    path: Path
    frames: int
    cuts: list[int]  # the first frame of each shot after a hard cut
    not_cuts: dict[str, list[int]] = field(default_factory=dict)  # dissolves, fades, flashes
    shots: list[tuple[int, str]] = field(default_factory=list)  # first frame, source


def _render_source(spec: str) -> np.ndarray:
    cmd = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", spec.format(s=f"{SW}x{SH}"),
           "-frames:v", str(SOURCE_FRAMES), "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]
    out = subprocess.run(cmd, capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape(-1, SH, SW, 3)


def make_cut_film(path: Path, cuts: int = 200, seed: int = 7, dissolves: int = 30,
                  size: tuple[int, int] | None = None) -> CutFilm:
    """Write the film to ``path`` (H.264 in MP4) and return where its cuts are."""
    rng = random.Random(seed)
    sources = [_render_source(s) for s in SOURCES]
    kinds = ["cut"] * cuts + ["dissolve"] * dissolves
    rng.shuffle(kinds)
    width, height = size or (W, H)
    cmd = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s",
           f"{W}x{H}", "-r", "24", "-i", "-", "-vf", f"scale={width}:{height}",
           "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-g", "48",
           "-pix_fmt", "yuv420p", str(path)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    film = CutFilm(path, 0, [], {"dissolve": [], "fade": [], "flash": [], "pan": []})
    frame = 0
    previous_source = -1
    tail: np.ndarray | None = None  # the shot before, running on under a dissolve

    def shot_frames(length: int) -> tuple[int, np.ndarray]:
        nonlocal previous_source
        choice = rng.choice([i for i in range(len(sources)) if i != previous_source])
        previous_source = choice
        film.shots.append((frame, SOURCES[choice].split("=")[0]))
        src = sources[choice]
        t0 = rng.randrange(0, SOURCE_FRAMES - length)
        pan = rng.random() < 0.5
        vx, vy = (rng.uniform(-1.2, 1.2), rng.uniform(-0.6, 0.6)) if pan else (0.0, 0.0)
        x0 = rng.uniform(0, SW - W)
        y0 = rng.uniform(0, SH - H)
        out = np.empty((length, H, W, 3), np.uint8)
        for i in range(length):
            x = int(min(SW - W, max(0, x0 + vx * i)))
            y = int(min(SH - H, max(0, y0 + vy * i)))
            out[i] = src[t0 + i, y:y + H, x:x + W]
        return (1 if pan else 0), out

    for index in range(len(kinds) + 1):
        length = rng.randrange(16, 44)
        # a shot that dissolves into the next runs on under it: 10 frames more
        runs_on = 10 if index < len(kinds) and kinds[index] == "dissolve" else 0
        panned, shot = shot_frames(length + runs_on)
        shot, after = shot[:length], shot[length:]
        if panned:
            film.not_cuts["pan"].append(frame)
        kind = kinds[index - 1] if index else "start"
        if kind == "cut":
            film.cuts.append(frame)
        elif kind == "dissolve" and tail is not None:
            n = len(tail)
            for i in range(n):  # the new shot's first frames over the old shot running on
                a = (i + 1) / (n + 1)
                shot[i] = (shot[i] * a + tail[i] * (1 - a)).astype(np.uint8)
            film.not_cuts["dissolve"].append(frame)
        effect = rng.random()
        if effect < 0.15 and length > 30:  # a fade to black and back inside the shot
            mid = length // 2
            for i in range(-8, 8):
                k = abs(i + 0.5) / 8.5
                shot[mid + i] = (shot[mid + i] * k).astype(np.uint8)
            film.not_cuts["fade"].append(frame + mid)
        elif effect < 0.35 and length > 12:  # a flash: 1-3 frames burnt toward white
            at = rng.randrange(5, length - 5)
            for i in range(rng.randrange(1, 4)):
                shot[at + i] = (shot[at + i] * 0.25 + 190).astype(np.uint8)
            film.not_cuts["flash"].append(frame + at)
        proc.stdin.write(shot.tobytes())
        tail = after
        frame += length
    proc.stdin.close()
    if proc.wait() != 0:
        raise RuntimeError("ffmpeg could not encode the cut film")
    film.frames = frame
    return film


def make_1080p_film(path: Path, seconds: int = 30) -> Path:
    """A 1080p24 H.264 film (high profile, B-frames, film grain) for the speed figure."""
    if not path.exists():
        tmp = path.with_suffix(".part.mp4")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=size=1920x1080:rate=24", "-f", "lavfi", "-i",
                        "gradients=size=1920x1080:rate=24:speed=0.02", "-filter_complex",
                        "[0][1]blend=all_mode=average,noise=alls=4:allf=t", "-t", str(seconds),
                        "-c:v", "libx264", "-preset", "veryfast", "-crf", "21",
                        "-pix_fmt", "yuv420p", str(tmp)], check=True)  # ~6 Mbit/s, B-frames
        shutil.move(tmp, path)
    return path
