"""Stem figures: the stems null against the mix, their time stamps, parallel speed, and one
stem's render speed against the fluidsynth CLI.

- ``stems_null_db``: the sample-wise sum of each cue's stems (24-bit files) against its mix
  rendered alone, over the demo's cues and a 10-track generated cue: the worst peak
  difference in dBFS (-inf if exact).
- ``stems_bext_errors``: ffprobe's ``time_reference`` of each stem against the sample count
  worked out here from the cue's timecode (drop-frame counted by hand), for cues at random
  frames at 23.976, 24, 25, 29.97 DF, 30 and 59.94 DF: files off by any sample.
- ``stems_parallel_speedup``: 4 cues x 6 stems, one job against one per core (2 here).
- ``stems_speed_vs_fluidsynth_cli``: ``fluidsynth -ni -F`` rendering the cue's MIDI file (the
  same notes) against our render of one stem of it (the stem plays every note, the other
  sections at zero: that is what keeps the stems summing to the mix), best of three, the
  SoundFont loading included on both sides: CLI time / ours.
"""

from __future__ import annotations

import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from cuesketch.demo import build_demo
from cuesketch.engine import soundfonts, stems
from cuesketch.engine.render import read_wav
from cuesketch.engine.stem_files import write_cue_midi
from cuesketch.engine.stems import StemOptions, export_stems, plan_stems
from cuesketch.model.entities import ControlPoint, Controller, Cue, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.units import FLICKS_PER_SECOND as SEC

# the first six in six sections (strings, brass, woodwinds, percussion, keys, synths)
TEN = ((48, "Violins"), (60, "Horns"), (73, "Flute"), (47, "Timpani"), (0, "Piano"),
       (89, "Pad"), (42, "Celli"), (56, "Trumpets"), (71, "Clarinet"), (41, "Violas"))


def generated(tracks: int = 10, cues: int = 1, cue_seconds: float = 30.0, seed: int = 7,
              rate: str = "24") -> Project:
    """``tracks`` tracks across the sections, busy notes (chords, overlaps, a voice's slot
    reused), expression on the strings, ``cues`` cues one after another."""
    rng = random.Random(seed)
    fps = STANDARD_RATES[rate]  # type: ignore[index]
    entities: list[object] = []
    for i in range(tracks):
        program, name = TEN[i % len(TEN)]
        entities.append(Track(i + 1, name, 0, program, order=i, channel=i if i < 9 else i + 1,
                              volume=0.6 + 0.3 * rng.random(), pan=rng.uniform(-0.6, 0.6)))
    length = int((cues * cue_seconds + 4) * SEC)
    nid = pid = 1
    for i in range(tracks):
        t = rng.randrange(SEC // 2)
        while t < length:
            dur = rng.randrange(SEC // 4, 2 * SEC)
            for _ in range(rng.choice((1, 1, 2, 3))):
                entities.append(Note(nid, i + 1, t, dur, rng.randrange(40, 84),
                                     rng.randrange(50, 120)))
                nid += 1
            t += rng.randrange(SEC // 4, SEC)
        if i < 3:
            for k in range(0, length, SEC):
                entities.append(ControlPoint(pid, i + 1, k, Controller.EXPRESSION,
                                             rng.randrange(60, 128)))
                pid += 1
    frames = int(cue_seconds * float(fps.fps))
    for c in range(cues):
        entities.append(Cue(c + 1, f"1M{c + 1}", 48 + c * frames, 48 + (c + 1) * frames))
    p = Project()
    p.load(Settings(title="Generated", rate=fps), entities)  # type: ignore[arg-type]
    return p


def _worst_null(p: Project, folder: Path) -> float:
    options = StemOptions(mix=True, bits=24)
    plans = plan_stems(p, folder, None, options)
    export_stems(p, folder, plans, options)
    worst = 0.0
    for plan in plans:
        parts = [read_wav(j.path)[0].astype(np.float64) for j in plan.jobs if j.stem != "MIX"]
        mix = read_wav(next(j.path for j in plan.jobs if j.stem == "MIX"))[0]
        worst = max(worst, float(np.abs(sum(parts) - mix).max()))
    return worst


def figure_stems_null_db() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        demo = _worst_null(build_demo(), Path(tmp) / "demo")
        ten = _worst_null(generated(cue_seconds=20), Path(tmp) / "ten")
    db = [20 * math.log10(w) if w > 0 else -math.inf for w in (demo, ten)]
    print(f"  worst |sum of stems - mix|: demo {db[0]:.1f} dBFS, 10 tracks {db[1]:.1f} dBFS "
          "(24-bit files)", file=sys.stderr)
    return round(max(db), 1)


# -- time stamps -----------------------------------------------------------------------------------

def _tc_frames(tc: str, nominal: int, drop: bool) -> int:
    """Frames since midnight of a timecode, drop-frame by SMPTE 12M's rule (by hand)."""
    h, m, s, f = (int(x) for x in tc.replace(";", ":").split(":"))
    frames = ((h * 60 + m) * 60 + s) * nominal + f
    if drop:
        per = 2 if nominal == 30 else 4
        minutes = h * 60 + m
        frames -= per * (minutes - minutes // 10)
    return frames


def figure_stems_bext_errors() -> int:
    if shutil.which("ffprobe") is None:
        raise RuntimeError("ffprobe is not installed")
    rng = random.Random(16)
    errors = checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("23.976", "24", "25", "29.97df", "30", "59.94df"):
            fps = STANDARD_RATES[name]  # type: ignore[index]
            p = Project()
            frames = [rng.randrange(100, 200_000) for _ in range(3)]
            ents: list[object] = [Track(1, "Violins", 0, 48)]
            for i, f in enumerate(frames):
                ents.append(Cue(i + 1, f"{i + 1}M{i + 1}", f, f + int(fps.nominal)))
                ents.append(Note(i + 1, 1, fps.frame_to_flicks(f), SEC // 4, 60, 90))
            start = _tc_frames("00:59:58:00" if "df" in name else "01:00:00:00",
                               fps.nominal, fps.drop)
            p.load(Settings(title="Stamps", rate=fps, start_frame=start), ents)  # type: ignore[arg-type]
            options = StemOptions(handles=1.0, bits=24, jobs=1)
            plans = plan_stems(p, Path(tmp) / name, None, options)
            export_stems(p, Path(tmp) / name, plans, options)
            for plan in plans:
                job = plan.jobs[0]
                # expected: the cue's timecode as frames since midnight, in real seconds
                # (frames x 1001/1000/nominal at the NTSC rates), less 1 s of handles
                cue_real = Fraction(_tc_frames(_cue_tc(p, plan.cue), fps.nominal, fps.drop)) \
                    / fps.fps - 1
                expected = round(cue_real * 48000)
                tags = json.loads(subprocess.run(
                    ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json",
                     str(job.path)], capture_output=True, text=True,
                    check=True).stdout)["format"]["tags"]
                got = int(tags["time_reference"])
                checked += 1
                if got != expected:
                    errors += 1
                    print(f"  {name} {plan.cue.name}: ffprobe {got}, expected {expected}",
                          file=sys.stderr)
    print(f"  {checked} files at 6 rates checked against ffprobe", file=sys.stderr)
    return errors


def _cue_tc(p: Project, cue: Cue) -> str:
    from cuesketch.timing.timecode import format_position
    s = p.settings
    return format_position(s.rate.frame_to_flicks(cue.start_frame), s.rate, s.start_frame)


# -- speed -----------------------------------------------------------------------------------------

def _timed_export(p: Project, folder: Path, jobs: int) -> float:
    options = StemOptions(jobs=jobs, bits=24)
    plans = plan_stems(p, folder, None, options)
    t0 = time.perf_counter()
    export_stems(p, folder, plans, options)
    return time.perf_counter() - t0


def figure_stems_parallel_speedup() -> float:
    p = generated(tracks=6, cues=4, cue_seconds=20)
    with tempfile.TemporaryDirectory() as tmp:
        one = min(_timed_export(p, Path(tmp) / f"one{i}", 1) for i in range(2))
        cores = os.cpu_count() or 1
        many = min(_timed_export(p, Path(tmp) / f"many{i}", cores) for i in range(2))
    groups = len(stems.stem_groups(p))
    print(f"  4 cues x {groups} stems: one job {one:.2f} s, {cores} jobs {many:.2f} s "
          "(best of two each)", file=sys.stderr)
    return round(one / many, 3)


def figure_stems_speed_vs_fluidsynth_cli() -> float:
    if shutil.which("fluidsynth") is None:
        raise RuntimeError("the fluidsynth program is not installed")
    font = soundfonts.find_default()
    if font is None:
        raise RuntimeError("no General MIDI SoundFont installed")
    p = generated(cue_seconds=60)
    cue = p.cues[1]
    options = StemOptions(handles=0.0, bits=16, jobs=1, soundfont=str(font), midi=False)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        midi = folder / "cue.mid"
        write_cue_midi(p, cue, midi)
        (job, *_rest), = [plan.jobs for plan in plan_stems(p, folder / "ours", None, options)]
        (folder / "ours" / "1M1").mkdir(parents=True)
        cli_times, our_times = [], []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run(["fluidsynth", "-ni", "-q", "-F", str(folder / "cli.wav"), "-r",
                            "48000", str(font), str(midi)], check=True, capture_output=True)
            cli_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            stems._init_worker(p, str(font), _Never(), _Drop())
            stems.render_job(job)
            our_times.append(time.perf_counter() - t0)
    cli, ours = min(cli_times), min(our_times)
    print(f"  a 60 s cue of 10 tracks: fluidsynth CLI {cli:.2f} s (the cue's MIDI file), one "
          f"stem {ours:.2f} s (loudness measured too); best of 3", file=sys.stderr)
    return round(cli / ours, 3)


class _Never:
    def is_set(self) -> bool:
        return False


class _Drop:
    def put(self, item: object) -> None:
        pass
