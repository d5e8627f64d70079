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
  best of three (the machine is shared).
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
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        entries = theme_map.build(project)
        times.append(time.perf_counter() - t0)
    print(f"  {len(entries)} entries; {', '.join(f'{t:.2f}' for t in times)} s",
          file=sys.stderr)
    return {"value": round(min(times), 3), "slowest": round(max(times), 3),
            "notes": len(project.notes)}
