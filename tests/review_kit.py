"""Review packages for tests and figures, made without a synth: cues of tones, encoded."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np

from cuesketch.engine.review_audio import RATE, encode_opus
from cuesketch.model.entities import Cue, Hit, HitKind
from cuesketch.model.review import (FilmIdentity, PackageCue, PackageInfo, PackageVersion,
                                    PackedNote, PackedTrack)
from cuesketch.store.review_package import write_package
from cuesketch.timing.rates import STANDARD_RATES, FrameRate
from cuesketch.timing.timecode import parse_timecode
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap

TEMPO = TempoMap(0, (TempoChange(Fraction(0), Fraction(100)),), (MeterChange(0, 4, 4),))


def tone(seconds: float, freq: float, rate: int = RATE) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    mono = (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([mono, mono], axis=1)


def make_package(path: Path, *, cues: int = 2, versions: int = 2, seconds: float = 2.0,
                 rate: FrameRate = STANDARD_RATES["24"], start_frame: int | None = None,
                 film_hash: str = "cs1:100:" + "ab" * 16, package_id: str = "pkg-1",
                 cue_gap_s: float = 1.0, movie: bytes | None = None,
                 movie_start_frame: int | None = None) -> PackageInfo:
    """A package of ``cues`` cues with ``versions`` versions each; version k of a cue is a
    tone of 220 * (k + 1) Hz, so a test can hear which version plays."""
    fps = rate.fps
    if start_frame is None:
        start_frame = parse_timecode("01:00:00:00", rate)
    audio: dict[int, bytes] = {}
    out = []
    vid = 1
    frame = 0
    encoded: dict[tuple[float, int], bytes] = {}
    for c in range(cues):
        length = int(seconds * fps)
        cue = Cue(c + 1, f"1M{c + 1}", frame, frame + length, None, f"Cue {c + 1}",
                  "spotting words")
        vs = []
        for k in range(versions):
            key = (seconds, k)
            if key not in encoded:
                encoded[key] = encode_opus(tone(seconds, 220.0 * (k + 1)))
            audio[vid] = encoded[key]
            vs.append(PackageVersion(vid, cue.id, f"v{k + 1}", "2026-01-01T10:00:00+0000",
                                     TEMPO, (PackedTrack("Strings", "#4f9dde"),),
                                     (PackedNote(0, rate.frame_to_flicks(frame), 10**8, 60, 90),),
                                     "opus", RATE, rate.frame_to_flicks(frame),
                                     int(seconds * RATE), len(audio[vid])))
            vid += 1
        out.append(PackageCue(cue, (Hit(c + 1, frame + 3, "hit", HitKind.HARD),), tuple(vs)))
        frame += length + int(cue_gap_s * fps)
    info = PackageInfo(package_id, "Test film", "R. Smith", "Composer", "2026-01-01", rate,
                       start_frame, FilmIdentity(film_hash, "film.mov", frame + 100, rate),
                       tuple(out), (), movie_start_frame)
    write_package(path, info, audio, movie)
    return info
