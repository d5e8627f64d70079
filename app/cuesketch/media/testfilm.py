"""A numbered test film: every frame carries its own number in its pixels.

The number is written as 16 black/white boxes (two rows of eight, least significant bit first)
in the lower part of the picture, large enough to survive scaling and lossy compression, so a
test (or a composer checking a setup) can read which frame is on screen without trusting any
player's clock. The upper part is ffmpeg's moving ``testsrc2`` card with the number in digits.
"""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np

BITS = 16
COLUMNS, ROWS = 8, 2
# The code area, as fractions of the picture: x0, y0, width, height.
AREA = (0.05, 0.55, 0.90, 0.40)
INSET = 0.15  # each box leaves this share of its cell empty on every side
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"


def _cell(bit: int) -> tuple[float, float, float, float]:
    """The box of one bit, as fractions of the picture (x, y, w, h)."""
    col, row = bit % COLUMNS, bit // COLUMNS
    cw, ch = AREA[2] / COLUMNS, AREA[3] / ROWS
    return (AREA[0] + (col + INSET) * cw, AREA[1] + (row + INSET) * ch,
            cw * (1 - 2 * INSET), ch * (1 - 2 * INSET))


def filter_graph() -> str:
    """The ffmpeg video filters that draw the code (and the digits, when the font is there)."""
    x, y, w, h = AREA
    parts = [f"drawbox=x=iw*{x}:y=ih*{y}:w=iw*{w}:h=ih*{h}:color=black:t=fill"]
    for bit in range(BITS):
        bx, by, bw, bh = _cell(bit)
        parts.append(f"drawbox=x=iw*{bx:.5f}:y=ih*{by:.5f}:w=iw*{bw:.5f}:h=ih*{bh:.5f}"
                     f":color=white:t=fill:enable='mod(floor(n/{1 << bit}),2)'")
    if Path(FONT).exists():
        parts.append(f"drawtext=fontfile={FONT}:text='%{{frame_num}}':x=w*0.04:y=h*0.05"
                     ":fontsize=h*0.16:fontcolor=white:box=1:boxcolor=black")
    return ",".join(parts)


def make_numbered_film(path: Path | str, *, fps: Fraction | str = "24", seconds: float = 4,
                       size: tuple[int, int] = (320, 180), b_frames: bool = True,
                       audio: bool = True, timecode: str | None = None,
                       codec_args: list[str] | None = None) -> Path:
    """Write a numbered H.264 film (with a 440 Hz tone when ``audio``); returns ``path``.

    ``b_frames=False`` encodes with ``-bf 0``; ``codec_args`` replaces the video codec options
    (e.g. ``["-c:v", "mjpeg", "-q:v", "3"]``). ``timecode`` embeds a start timecode.
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RuntimeError("ffmpeg is not installed")
    path = Path(path)
    rate = str(Fraction(fps))
    cmd = [ffmpeg, "-v", "error", "-y", "-f", "lavfi",
           "-i", f"testsrc2=s={size[0]}x{size[1]}:r={rate}:d={seconds}"]
    if audio:
        cmd += ["-f", "lavfi", "-i", f"sine=f=440:d={seconds}:sample_rate=48000"]
    cmd += ["-vf", filter_graph()]
    cmd += codec_args or ["-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
                          "-pix_fmt", "yuv420p", *(() if b_frames else ("-bf", "0"))]
    if audio:
        cmd += ["-c:a", "aac", "-b:a", "96k", "-shortest"]
    if timecode:
        cmd += ["-timecode", timecode]
    cmd.append(str(path))
    subprocess.run(cmd, check=True, capture_output=True)
    return path


def read_frame_number(pixels: np.ndarray) -> int:
    """The number a numbered frame carries. ``pixels``: H x W x 4 (RV32/BGRA) or H x W x 3."""
    h, w = pixels.shape[:2]
    luma = pixels[..., :3].mean(axis=2) if pixels.ndim == 3 else pixels
    number = 0
    for bit in range(BITS):
        bx, by, bw, bh = _cell(bit)
        # sample the middle half of the box: far from its edges and from ringing
        x0, y0 = int(w * (bx + bw / 4)), int(h * (by + bh / 4))
        x1, y1 = max(x0 + 1, int(w * (bx + bw * 3 / 4))), max(y0 + 1, int(h * (by + bh * 3 / 4)))
        if luma[y0:y1, x0:x1].mean() > 128:
            number |= 1 << bit
    return number
