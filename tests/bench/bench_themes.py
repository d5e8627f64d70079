"""Theme figures: finding themes in a film-length score, and three SoundFonts in one playback.

- ``theme_match_recall`` / ``theme_match_precision``: ``theme_film.film()``: a two-hour score
  with 12 random themes stated 200 times in all (each statement a random theme on one of four
  melody tracks) under a random transposition (chromatic or diatonic in the theme's key), tempo
  (60..160 bpm), augmentation (x1/2, x1, x3/2, x2), inversion (three in ten) and grace notes
  before 10 % of the notes, among 20,000 unrelated notes (random-walk melodies between the
  statements on the same tracks, chords and bass lines on four others). The statements are
  plain notes, not recorded insertions: only the matcher can find them. A find is right when it
  names the planted theme on its track and overlaps it by half.
- ``theme_map_s``: that project's whole theme map (``model.theme_map.build``), seconds; the
  best of three (the machine is shared: ``cpu_s`` is the process's own CPU time, which the
  other work on the machine disturbs less).
- ``multi_soundfont_onset_error_max_samples``: as ``playback_onset_error_max_samples``
  (woodblocks at known samples, odd buffer sizes), with three tracks on three SoundFonts in the
  one synth: the default GM .sf2, its .sf3 twin (or a copy), and a small generated one.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import theme_film  # noqa: E402
from cuesketch.model import theme_map, theme_match  # noqa: E402

_CACHE: dict[str, object] = {}


def _scores() -> tuple[float, float]:
    if "scores" not in _CACHE:
        project, planted = theme_film.film()
        found = theme_match.find(project)
        _CACHE["scores"] = theme_film.score(
            [(m.theme_id, m.track_id, m.start, m.end) for m in found], planted)
        print(f"  {len(found)} found for {len(planted)} planted among "
              f"{len(project.notes)} notes", file=sys.stderr)
    scores = _CACHE["scores"]
    assert isinstance(scores, tuple)
    return scores


def figure_theme_match_recall() -> float:
    return round(_scores()[0], 4)


def figure_theme_match_precision() -> float:
    return round(_scores()[1], 4)


def figure_theme_map_s() -> dict[str, float]:
    project, _ = theme_film.film()
    times, cpu = [], []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        entries = theme_map.build(project)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"  {len(entries)} entries; {', '.join(f'{t:.2f}' for t in times)} s "
          f"(CPU {', '.join(f'{t:.2f}' for t in cpu)} s)", file=sys.stderr)
    return {"value": round(min(times), 3), "slowest": round(max(times), 3),
            "cpu_s": round(min(cpu), 3), "notes": len(project.notes)}


def figure_multi_soundfont_onset_error_max_samples() -> int:
    import random
    import tempfile

    import numpy as np

    import sf2_maker
    from audio_checks import onsets
    from cuesketch.engine import soundfonts
    from cuesketch.engine.playback import Playback
    from cuesketch.engine.synth import SynthEngine
    from cuesketch.model.entities import Note, Settings, Track
    from cuesketch.model.project import Project
    from cuesketch.timing.units import FLICKS_PER_SAMPLE

    font = soundfonts.find_default()
    if font is None:
        raise RuntimeError("no General MIDI SoundFont installed")
    with tempfile.TemporaryDirectory() as tmp:
        sine = sf2_maker.write_sf2(Path(tmp) / "sine.sf2", "Sine", program=0, freq=660)
        square = sf2_maker.write_sf2(Path(tmp) / "square.sf2", "Square", program=3, freq=440,
                                     wave="square")
        rng = random.Random(1)
        spacing = 24_000
        due = [4000 + i * spacing + rng.randrange(64) for i in range(300)]
        tracks = [Track(1, "Woodblock", channel=9),
                  Track(2, "Sine", program=0, channel=0, soundfont=str(sine)),
                  Track(3, "Square", program=3, channel=1, soundfont=str(square))]
        keys = {1: 76, 2: 69, 3: 69}
        project = Project()
        project.load(Settings(), tracks + [
            Note(i + 1, 1 + i % 3, t * FLICKS_PER_SAMPLE, 2400 * FLICKS_PER_SAMPLE,
                 keys[1 + i % 3], 110) for i, t in enumerate(due)])
        sizes = [256, 256, 256, 441, 128, 1000, 333, 64, 4096]
        with SynthEngine(font, reverb=False, chorus=False) as synth:
            playback = Playback(synth, project)
            loaded = len(synth.soundfonts)
            playback.play(0)
            blocks, total, k = [], 0, 0
            while total < due[-1] + spacing:
                n = sizes[k % len(sizes)]
                blocks.append(playback.process(n).copy())
                total += n
                k += 1
    if loaded != 3:
        raise RuntimeError(f"{loaded} SoundFonts loaded, not 3")
    found = onsets(np.vstack(blocks), gap=4000)
    if len(found) != len(due):
        raise RuntimeError(f"found {len(found)} onsets for {len(due)} notes")
    errors = [o - 1 - t for o, t in zip(found, due)]
    for track in (1, 2, 3):
        mine = [abs(e) for i, e in enumerate(errors) if 1 + i % 3 == track]
        print(f"  track {track}: max {max(mine)}, mean {np.mean(mine):.1f}", file=sys.stderr)
    print(f"  onset error over three SoundFonts: mean {np.mean(np.abs(errors)):.1f}, max "
          f"{max(map(abs, errors))} samples over {len(errors)} notes", file=sys.stderr)
    return int(max(map(abs, errors)))
