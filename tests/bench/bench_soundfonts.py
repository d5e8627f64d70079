"""SoundFont figures.

- ``soundfont_load_worst_period_ms``: the longest ``Playback.process`` of a 256-sample period
  (5.3 ms at 48 kHz) while a General MIDI-sized SoundFont loads on another thread during
  playback, and ``idle_worst_ms`` the same with nothing loading (the machine's own noise).
  Loading holds FluidSynth's API lock; the audio thread must not wait on it (before it
  stopped waiting: 124-136 ms, a whole load).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from pathlib import Path

from cuesketch.engine import soundfonts
from cuesketch.engine.playback import Playback
from cuesketch.engine.synth import SynthEngine
from cuesketch.model.entities import Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SECOND as F

PERIOD = 256


def figure_soundfont_load_worst_period_ms() -> dict[str, object]:
    gm = soundfonts.find_default()
    if gm is None:
        return {"value": None, "why": "no General MIDI SoundFont installed"}
    project = Project()
    project.load(Settings(), [Track(1, "Lead"), *[
        Note(i + 1, 1, i * F // 16, F // 32, 60 + i % 12, 100) for i in range(4000)]])
    worst_of_runs, loads, periods = 0.0, [], 0
    with tempfile.TemporaryDirectory() as tmp:
        with SynthEngine() as synth:
            playback = Playback(synth, project)
            playback.play(0)
            idle = 0.0  # the same loop with nothing loading: what the machine itself adds
            for _ in range(8000):
                t = time.perf_counter()
                playback.process(PERIOD)
                idle = max(idle, time.perf_counter() - t)
            for run in range(3):
                other = Path(tmp) / f"copy{run}.sf2"  # another name: loaded again
                os.symlink(gm, other)
                done = threading.Event()

                def load(path: Path = other) -> None:
                    synth.load_soundfont(path)
                    done.set()

                loader = threading.Thread(target=load)
                start = time.monotonic()
                loader.start()
                while not done.is_set():
                    t = time.perf_counter()
                    playback.process(PERIOD)
                    worst_of_runs = max(worst_of_runs, time.perf_counter() - t)
                    periods += 1
                loader.join()
                loads.append(round(time.monotonic() - start, 3))
    return {"value": round(worst_of_runs * 1000, 2), "idle_worst_ms": round(idle * 1000, 2),
            "soundfont_mb": os.path.getsize(gm) >> 20,
            "load_s": loads, "periods_during_loads": periods,
            "period_ms": round(PERIOD / 48000 * 1000, 2)}
