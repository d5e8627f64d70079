"""A short film for the film lanes' tests: numbered frames, one line spoken at 2 s."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

from cuesketch.media.testfilm import make_numbered_film


def speaking_film(folder: Path, seconds: int = 8) -> Path:
    """A numbered film whose sound is a line spoken at 2 s (espeak-ng), quiet room tone
    elsewhere; without espeak-ng, a tone burst stands in."""
    film = make_numbered_film(folder / "picture.mp4", seconds=seconds, size=(480, 270),
                              audio=False, codec_args=["-c:v", "libx264", "-preset",
                                                       "veryfast", "-g", "48",
                                                       "-pix_fmt", "yuv420p"])
    rate = 16000
    track = np.random.default_rng(1).standard_normal(rate * seconds) * 60
    if shutil.which("espeak-ng"):
        said = folder / "said.wav"
        subprocess.run(["espeak-ng", "-w", str(said), "Meet me at the lighthouse at noon."],
                       check=True)
        with wave.open(str(said)) as w:
            voice = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(float)
            voice_rate = w.getframerate()
        voice = np.interp(np.arange(0, len(voice), voice_rate / rate), np.arange(len(voice)),
                          voice)
    else:
        voice = np.sin(np.arange(rate * 2) * 0.2) * 8000
    track[2 * rate:2 * rate + len(voice)] += voice[:len(track) - 2 * rate]
    sound = folder / "sound.wav"
    with wave.open(str(sound), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.clip(track, -32768, 32767).astype("<i2").tobytes())
    out = folder / "film.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(film), "-i", str(sound), "-c:v",
                    "copy", "-c:a", "aac", "-ac", "2", "-ar", "48000", "-shortest", str(out)],
                   check=True)
    return out
