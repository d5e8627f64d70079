"""A preview's sound, first pass: the sketch rendered by the playback synth, streamed into
ffmpeg, mixed there with the film's own sound at a level, written losslessly (WavPack float)
and measured for loudness (ffmpeg's ``ebur128`` meter: EBU R 128 / BS.1770, true peak).

    mix = mix_sound(project, start, end, out, film=FilmSound(path, "0:1", t0, -12.0),
                    soundfont=sf, loudness=-23.0, cancel=event, progress=on_progress)
    mix.samples, mix.measured  # the meter's figures, for the gain in the encode

Sample 0 of the mix is the instant the range starts (the flick ``start``): the synth starts
there (``render.render_blocks``), and the film's sound is cut at that instant on the film's
own time line (``t0``, seconds of the film's container), padded with silence where the
film's sound starts later or ends sooner, and cut to the sketch's exact length. The sketch
goes to ffmpeg through a pipe: nothing of the size of the sound is written but the mix.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
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
    measured: dict[str, float] | None  # input_i (LUFS), input_tp (dBTP) ...; None: silent
    peak: float  # the sketch's own peak (1.0 full scale)


def seconds_text(value: Fraction) -> str:
    """A time for ffmpeg's options, exact to the microsecond."""
    return f"{float(value):.6f}"


def film_seek(start: Fraction) -> str:
    """Where to open the film: a second before the range, ffmpeg lands on the key frame at
    or before it and the cut itself is done by the filters, exactly (-copyts keeps the
    film's own time stamps for them). The time is on the film's own time line: ffmpeg is
    told so with -seek_timestamp 1, else it adds the container's start time (an MPEG-TS
    film starts at ~1.4 s) and the seek lands past the range's first frames."""
    return seconds_text(max(Fraction(0), start - 1))


def mix_command(out: Path, samples: int, film: FilmSound | None,
                loudness: float | None) -> list[str]:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise MixError("ffmpeg is not installed; Cuesketch needs it to make a preview")
    cmd = [ffmpeg, "-hide_banner", "-nostats", "-v", "info", "-y"]
    graph = [f"[{1 if film else 0}:a]aformat=sample_fmts=fltp:channel_layouts=stereo[sk]"]
    if film is not None:
        cmd += ["-copyts", "-seek_timestamp", "1", "-ss", film_seek(film.start), "-i",
                str(film.path)]
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
        graph.append(f"[mix]asplit[out][m];[m]{METER},anullsink")
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
    cmd = mix_command(out, samples, film, loudness)
    own = synth is None
    if synth is None:
        synth = SynthEngine(soundfont, sample_rate=SAMPLE_RATE)
    try:  # the synth made here is closed whatever happens below
        rc, broken, peak, log = _feed(cmd, synth, project, start, end, samples, cancel,
                                      progress)
    finally:
        if own:
            synth.close()
    if rc != 0 or broken:
        raise MixError(f"the sound could not be mixed: {last_error(log)}")
    return MixResult(out, samples, meter_figures(log) if loudness is not None else None,
                     peak)


def _feed(cmd: list[str], synth: SynthEngine, project: Project, start: int, end: int,
          samples: int, cancel: CancelFlag | None, progress: Callable[[float], None] | None,
          ) -> tuple[int, bool, float, str]:
    """Render into ffmpeg; its exit code, whether it stopped reading, the peak, its words."""
    peak = 0.0
    with tempfile.TemporaryFile("w+") as errors:
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                    stderr=errors)
        except OSError as e:
            raise MixError(f"ffmpeg could not be started to mix the sound ({e})") from None
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
        errors.seek(0)
        return rc, broken, peak, errors.read()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        if proc.stdin is not None:
            proc.stdin.close()
    except OSError:
        pass
    proc.kill()
    proc.wait()


# ffmpeg's EBU R 128 meter (BS.1770 K-weighted, gated; true peak 4x oversampled); its
# summary at the end of the run, the 10 Hz log kept out of the way
METER = "ebur128=peak=true:framelog=verbose"
_SUMMARY = re.compile(r"Integrated loudness:\s*I:\s*(?P<i>-?[\d.]+|-?inf|nan)\s*LUFS\s*"
                      r"Threshold:\s*(?P<thresh>-?[\d.]+|-?inf|nan)\s*LUFS\s*"
                      r"Loudness range:\s*LRA:\s*(?P<lra>-?[\d.]+|-?inf|nan)\s*LU.*?"
                      r"True peak:\s*Peak:\s*(?P<tp>-?[\d.]+|-?inf|nan)\s*dBFS", re.S)


def meter_figures(log: str) -> dict[str, float] | None:
    """The last ebur128 summary in ffmpeg's messages: input_i (LUFS), input_thresh,
    input_lra (LU), input_tp (dBTP); None when silent (nothing to scale)."""
    found = list(_SUMMARY.finditer(log))
    if not found:
        return None
    m = found[-1]
    figures = {"input_i": float(m["i"]), "input_thresh": float(m["thresh"]),
               "input_lra": float(m["lra"]), "input_tp": float(m["tp"])}
    if not figures["input_i"] > SILENT_LUFS:  # -inf, nan or below the meter's gate
        return None
    return figures


_GENERIC = ("Conversion failed", "Error reinitializing filters", "Failed to inject frame",
            "Error while processing the decoded data", "Error while filtering")


def last_error(log: str) -> str:
    """The line of ffmpeg's messages that says what went wrong, not its generic last words."""
    meter = ("[Parsed_ebur128", "I:", "Threshold:", "LRA", "Peak:", "Integrated loudness",
             "Loudness range", "True peak")
    lines = [ln for ln in (raw.strip() for raw in log.splitlines())
             if ln and not ln.startswith(meter)]
    for ln in reversed(lines):
        if "No space left" in ln:
            return "the disk is full"
        if "Permission denied" in ln:
            return "permission denied"
    useful = [ln for ln in lines if not ln.startswith(_GENERIC)]
    return (useful or lines or ["ffmpeg stopped without saying why"])[-1]


LIMIT_DBFS = TRUE_PEAK - 1.0  # a sample-peak ceiling that keeps the true peak under -1 dBTP


def linear_gain(measured: dict[str, float], loudness: float) -> float:
    """The gain (dB) that brings the mix to ``loudness``."""
    return loudness - measured["input_i"]


def second_pass_filter(measured: dict[str, float] | None, loudness: float | None,
                       extra_db: float = 0.0) -> str:
    """The mix's filter in the encode: one gain to the target (the dynamics kept), and where
    that would lift a peak past -1 dBTP, a look-ahead limiter on the peaks alone whose
    delay is compensated (the sound stays on its frames); ``extra_db`` makes up what the
    limiter takes (``settled_filter``)."""
    if loudness is None or measured is None:
        return "anull"
    gain = linear_gain(measured, loudness) + extra_db
    chain = f"volume={gain:.2f}dB"
    if measured.get("input_tp", TRUE_PEAK) + gain > TRUE_PEAK:
        limit = 10 ** (LIMIT_DBFS / 20)
        chain += (f",alimiter=limit={limit:.4f}:attack=1:release=50:level=false:"
                  "latency=true")
    return chain


MAX_MAKE_UP_DB = 6.0
MEASURE_TIMEOUT_S = 3600.0


def settled_filter(mix: Path, measured: dict[str, float] | None,
                   loudness: float | None, cancel: CancelFlag | None = None,
                   ) -> tuple[str, float | None]:
    """``second_pass_filter``, and where its limiter takes loudness away, tried once on the
    mix (sound only: fast) and its gain raised by what went missing; returns the filter and
    the loudness the trial measured (None when there was no trial)."""
    chain = second_pass_filter(measured, loudness)
    if loudness is None or measured is None or "alimiter" not in chain:
        return chain, None
    tried = measure(mix, chain, cancel)
    if tried is None:
        return chain, None
    short = loudness - tried["input_i"]
    if short <= 0.1:
        return chain, tried["input_i"]
    return second_pass_filter(measured, loudness, min(short, MAX_MAKE_UP_DB)), tried["input_i"]


def measure(path: Path, chain: str = "anull",
            cancel: CancelFlag | None = None) -> dict[str, float] | None:
    """The meter's figures of a sound file through ``chain``; None when silent or unreadable.
    MixCancelled (ffmpeg stopped) as soon as ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise MixCancelled("cancelled")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    try:
        proc = subprocess.Popen([ffmpeg, "-hide_banner", "-nostdin", "-nostats", "-v", "info",
                                 "-i", str(path), "-af", f"{chain},{METER}", "-f", "null", "-"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    except OSError:
        return None
    give_up = time.monotonic() + MEASURE_TIMEOUT_S
    while True:
        try:
            _, log = proc.communicate(timeout=0.1)
            break
        except subprocess.TimeoutExpired:
            stop = cancel is not None and cancel.is_set()
            if stop or time.monotonic() > give_up:
                proc.kill()
                proc.communicate()
                if stop:
                    raise MixCancelled("cancelled") from None
                return None
    return meter_figures(log) if proc.returncode == 0 else None


__all__ = ["settled_filter", "measure", "mix_sound", "MixResult", "MixError", "MixCancelled", "FilmSound",
           "second_pass_filter", "linear_gain", "meter_figures", "METER", "last_error", "film_seek",
           "seconds_text", "SAMPLE_RATE", "TRUE_PEAK"]
