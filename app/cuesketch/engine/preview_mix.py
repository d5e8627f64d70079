"""A preview's sound, first pass: the sketch rendered by the playback synth, streamed into
ffmpeg, mixed there with the film's own sound at a level, written losslessly (WavPack float)
and measured for loudness (ffmpeg's ``loudnorm``, EBU R 128 / BS.1770).

    mix = mix_sound(project, start, end, out, film=FilmSound(path, "0:1", t0, -12.0),
                    soundfont=sf, loudness=-23.0, cancel=event, progress=on_progress)
    mix.samples, mix.measured  # loudnorm's first-pass figures, for the second pass

Sample 0 of the mix is the instant the range starts (the flick ``start``): the synth starts
there (``render.render_blocks``), and the film's sound is cut at that instant on the film's
own time line (``t0``, seconds of the film's container), padded with silence where the
film's sound starts later or ends sooner, and cut to the sketch's exact length. The sketch
goes to ffmpeg through a pipe: nothing of the size of the sound is written but the mix.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import numpy as np

from cuesketch.engine.playback import Playback
from cuesketch.engine.render import render_blocks
from cuesketch.engine.synth import SynthEngine
from cuesketch.model.project import Project
from cuesketch.timing.units import flicks_to_samples

SAMPLE_RATE = 48_000
TRUE_PEAK = -1.0  # dBTP, EBU R 128's ceiling
LRA_TARGET = 50.0  # loudnorm's widest: the sketch's dynamics are kept (linear gain)
SILENT_LUFS = -70.0


class MixError(RuntimeError):
    """The sound could not be mixed, in plain words."""


class MixCancelled(MixError):
    pass


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class FilmSound:
    path: Path
    stream: int  # the film's sound stream, by its index in the file
    start: Fraction  # the instant of the range's first frame on the film's time line (s)
    level_db: float  # the film's sound relative to the sketch


@dataclass(frozen=True)
class MixResult:
    path: Path
    samples: int
    measured: dict[str, float] | None  # loudnorm's input_i, input_tp, ...; None: silent
    peak: float  # the sketch's own peak (1.0 full scale)


def seconds_text(value: Fraction) -> str:
    """A time for ffmpeg's options, exact to the microsecond."""
    return f"{float(value):.6f}"


def film_seek(start: Fraction) -> str:
    """Where to open the film: a second before the range, ffmpeg lands on the key frame at
    or before it and the cut itself is done by the filters, exactly (-copyts keeps the
    film's own time stamps for them)."""
    return seconds_text(max(Fraction(0), start - 1))


def mix_command(out: Path, samples: int, film: FilmSound | None,
                loudness: float | None) -> list[str]:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise MixError("ffmpeg is not installed; Cuesketch needs it to make a preview")
    cmd = [ffmpeg, "-hide_banner", "-nostats", "-v", "info", "-y"]
    graph = [f"[{1 if film else 0}:a]aformat=sample_fmts=fltp:channel_layouts=stereo[sk]"]
    if film is not None:
        cmd += ["-copyts", "-ss", film_seek(film.start), "-i", str(film.path)]
        t0 = seconds_text(film.start)
        graph.append(
            f"[0:{film.stream}]atrim=start={t0},asetpts=PTS-{t0}/TB,"
            f"aresample={SAMPLE_RATE}:async=1:first_pts=0,"
            f"aformat=sample_fmts=fltp:channel_layouts=stereo,volume={film.level_db:.3f}dB,"
            f"apad,atrim=end_sample={samples}[fi]")
        graph.append("[sk][fi]amix=inputs=2:duration=first:normalize=0[mix]")
    else:
        graph.append("[sk]anull[mix]")
    cmd += ["-f", "f32le", "-ar", str(SAMPLE_RATE), "-ac", "2", "-i", "pipe:0"]
    if loudness is not None:
        graph.append("[mix]asplit[out][m];[m]loudnorm="
                     f"I={loudness:g}:TP={TRUE_PEAK:g}:LRA={LRA_TARGET:g}:print_format=json,"
                     "anullsink")
    else:
        graph.append("[mix]anull[out]")
    cmd += ["-filter_complex", ";".join(graph), "-map", "[out]", "-c:a", "wavpack",
            "-sample_fmt", "fltp", "-f", "wv", str(out)]
    return cmd


def mix_sound(project: Project, start: int, end: int, out: Path, *,
              film: FilmSound | None, soundfont: str, loudness: float | None,
              synth: SynthEngine | None = None, cancel: CancelFlag | None = None,
              progress: Callable[[float], None] | None = None) -> MixResult:
    """Render ``start .. end`` (flicks) of the sketch into ffmpeg, mix, measure, write ``out``."""
    samples = flicks_to_samples(end, SAMPLE_RATE) - flicks_to_samples(start, SAMPLE_RATE)
    own = synth is None
    if synth is None:
        synth = SynthEngine(soundfont, sample_rate=SAMPLE_RATE)
    peak = 0.0
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(mix_command(out, samples, film, loudness),
                                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=errors)
        assert proc.stdin is not None
        done = 0
        broken = False
        try:
            playback = Playback(synth, project)
            for block in render_blocks(playback, start, end):
                if cancel is not None and cancel.is_set():
                    raise MixCancelled("cancelled")
                peak = max(peak, float(np.abs(block).max()) if len(block) else 0.0)
                try:
                    proc.stdin.write(np.ascontiguousarray(block, dtype="<f4").tobytes())
                except BrokenPipeError:
                    broken = True  # ffmpeg stopped: its words say why
                    break
                done += len(block)
                if progress is not None:
                    progress(done / max(1, samples))
            try:
                proc.stdin.close()
            except BrokenPipeError:
                broken = True
            rc = proc.wait()
        except BaseException:
            _stop(proc)
            raise
        finally:
            if own:
                synth.close()
        errors.seek(0)
        log = errors.read()
    if rc != 0 or broken:
        raise MixError(f"the sound could not be mixed: {last_error(log)}")
    return MixResult(out, samples, loudnorm_figures(log) if loudness is not None else None,
                     peak)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        if proc.stdin is not None:
            proc.stdin.close()
    except OSError:
        pass
    proc.kill()
    proc.wait()


_JSON = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.S)


def loudnorm_figures(log: str) -> dict[str, float] | None:
    """loudnorm's JSON summary as numbers; None when the sound is silent (nothing to scale)."""
    found = _JSON.findall(log)
    if not found:
        return None
    try:
        raw = json.loads(found[-1])
    except json.JSONDecodeError:
        return None
    figures: dict[str, float] = {}
    for key, value in raw.items():
        try:
            figures[key] = float(value)
        except (TypeError, ValueError):
            continue
    i = figures.get("input_i", float("-inf"))
    if not i > SILENT_LUFS:  # -inf, nan or below the meter's gate
        return None
    return figures


_GENERIC = ("Conversion failed", "Error reinitializing filters", "Failed to inject frame",
            "Error while processing the decoded data", "Error while filtering")


def last_error(log: str) -> str:
    """The line of ffmpeg's messages that says what went wrong, not its generic last words."""
    lines = [ln.strip() for ln in log.splitlines() if ln.strip()
             and not ln.lstrip().startswith(("[Parsed_loudnorm", "{", "}", "\""))]
    for ln in reversed(lines):
        if "No space left" in ln:
            return "the disk is full"
        if "Permission denied" in ln:
            return "permission denied"
    useful = [ln for ln in lines if not ln.startswith(_GENERIC)]
    return (useful or lines or ["ffmpeg stopped without saying why"])[-1]


SHORTEST_LOUDNORM_S = 3.5  # loudnorm looks 3 s ahead: on less it misses its target


def linear_gain(measured: dict[str, float], loudness: float) -> float:
    """The gain (dB) that brings the mix to ``loudness`` without its true peak passing the
    ceiling (then it stays below the target)."""
    return min(loudness - measured["input_i"],
               TRUE_PEAK - measured.get("input_tp", TRUE_PEAK))


def second_pass_filter(measured: dict[str, float] | None, loudness: float | None,
                       seconds: float = 60.0) -> str:
    """The mix's filter in the encode: loudnorm with the first pass's figures (a linear gain
    when the true-peak ceiling allows, else its dynamic mode), back to 48 kHz; a plain gain
    under the ceiling for a mix too short for loudnorm."""
    if loudness is None or measured is None:
        return "anull"
    if seconds < SHORTEST_LOUDNORM_S:
        return f"volume={linear_gain(measured, loudness):.2f}dB"
    m = measured
    return (f"loudnorm=I={loudness:g}:TP={TRUE_PEAK:g}:LRA={LRA_TARGET:g}:"
            f"measured_I={m['input_i']:.2f}:measured_TP={m.get('input_tp', 0.0):.2f}:"
            f"measured_LRA={m.get('input_lra', 0.0):.2f}:"
            f"measured_thresh={m.get('input_thresh', -70.0):.2f}:"
            f"offset={m.get('target_offset', 0.0):.2f}:linear=true:print_format=json,"
            # (its dynamic mode, where the peaks need it, leaves the channel layout unsaid)
            f"aresample={SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo")


__all__ = ["mix_sound", "MixResult", "MixError", "MixCancelled", "FilmSound",
           "second_pass_filter", "linear_gain", "loudnorm_figures", "last_error", "film_seek",
           "seconds_text", "SAMPLE_RATE", "TRUE_PEAK"]
