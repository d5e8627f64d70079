"""A generated soundtrack with speech at known places, for the speech detector's figures.

Lines spoken by espeak-ng (several voices, speeds and pitches) are laid at random places, a few
seconds apart, over a bed of music (chords of harmonic tones with slow swells, a plucked line)
and effects (noise swooshes, impacts, footsteps, a room hum), the bed riding between -6 and
-20 dB under the speech (a level drawn every few seconds, crossfaded). The truth is each
line's own non-silent spans (10 ms frames above -40 dB of its loudest), with pauses shorter
than the detector's minimum gap bridged as the detector does.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

RATE = 48_000
SENTENCES = [
    "Meet me at the lighthouse at noon.", "I told you, the boat leaves without us.",
    "Where were you last night?", "Nobody goes down to the harbour after dark.",
    "Give me the key and walk away.", "It was never about the money, and you know it.",
    "Hold on. Did you hear that?", "We have twelve minutes before the tide turns.",
    "Your father would have wanted you to stay.", "Open the door, slowly.",
    "I can't do this any more.", "The train to the coast is running late again.",
    "Tell them the truth, all of it.", "Quiet. Someone is coming up the stairs.",
    "She said the letter was burned years ago.", "Look at me. Look at me!",
    "This town keeps its secrets.", "Run, and don't look back.",
    "How long have you known?", "I found the map in the old church.",
]
VOICES = ["en", "en-us", "en-gb-x-rp", "en+f3", "en-us+m3", "en+f4", "en-029", "en-gb-scotland"]


@dataclass(frozen=True)
class Soundtrack:
    path: Path  # 48 kHz stereo 16-bit WAV
    seconds: float
    truth: list[tuple[float, float]]  # speech spans, seconds


def _say(text: str, voice: str, speed: int, pitch: int, folder: Path) -> np.ndarray:
    out = folder / "line.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w",
                    str(out), text], check=True, capture_output=True)
    with wave.open(str(out)) as w:
        rate = w.getframerate()
        x = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768
    t = np.arange(0, len(x) / rate, 1 / RATE)
    return np.interp(t, np.arange(len(x)) / rate, x)


def _spans(voice: np.ndarray, min_gap: float) -> list[tuple[float, float]]:
    """A line's own non-silent spans (seconds from its start)."""
    hop = RATE // 100
    frames = len(voice) // hop
    rms = np.sqrt((voice[:frames * hop].reshape(frames, hop) ** 2).mean(axis=1))
    loud = rms > rms.max() * 10 ** (-40 / 20)
    spans: list[list[float]] = []
    for k in np.flatnonzero(loud).tolist():
        a, b = k / 100, (k + 1) / 100
        if spans and a - spans[-1][1] < min_gap:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    return [(a, b) for a, b in spans]


def _music(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) / RATE
    out = np.zeros(n)
    roots = [110.0, 98.0, 130.8, 87.3, 123.5, 146.8]
    chord_s = 4.0
    for k in range(int(n / RATE / chord_s) + 1):
        a, b = int(k * chord_s * RATE), min(n, int((k + 1.3) * chord_s * RATE))
        if a >= n:
            break
        tt = t[a:b] - t[a]
        env = np.sin(np.pi * np.clip(tt / (1.3 * chord_s), 0, 1)) ** 2
        root = roots[rng.integers(len(roots))]
        for ratio in (1, 1.25, 1.5, 2):
            for h in (1, 2, 3):
                out[a:b] += env * np.sin(2 * np.pi * root * ratio * h * tt) * 0.2 / h
    # a plucked line: decaying notes every half second
    for k in range(int(n / RATE * 2)):
        a = int(k * RATE / 2)
        b = min(n, a + RATE)
        f = 220 * 2 ** (rng.integers(0, 12) / 12)
        tt = t[a:b] - t[a]
        out[a:b] += np.exp(-tt * 6) * np.sin(2 * np.pi * f * tt) * 0.3
    return out


def _effects(n: int, rng: np.random.Generator) -> np.ndarray:
    out = np.zeros(n)
    noise = rng.standard_normal(n)
    # swooshes: band-limited noise (a moving average) under a swell
    for _ in range(n // (RATE * 8)):
        a = int(rng.integers(0, max(1, n - RATE * 3)))
        length = int(RATE * rng.uniform(0.8, 3.0))
        env = np.sin(np.linspace(0, np.pi, length)) ** 2
        seg = np.convolve(noise[a:a + length], np.ones(24) / 24, "same")
        out[a:a + length] += seg * env * 2
    # impacts and footsteps
    for _ in range(n // (RATE * 3)):
        a = int(rng.integers(0, max(1, n - RATE)))
        length = RATE // 3
        out[a:a + length] += noise[a:a + length] * np.exp(-np.arange(length) / (RATE * 0.03))
    steps = int(rng.integers(0, RATE))
    while steps < n - RATE // 10:
        length = RATE // 20
        out[steps:steps + length] += noise[steps:steps + length] * 0.4 * \
            np.exp(-np.arange(length) / (RATE * 0.01))
        steps += int(RATE * rng.uniform(0.45, 0.7))
    out += 0.02 * np.sin(2 * np.pi * 50 * np.arange(n) / RATE)  # hum
    return out


def make_soundtrack(path: Path, seconds: float = 600.0, seed: int = 22,
                    min_gap: float = 0.3) -> Soundtrack:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    speech = np.zeros(n)
    truth: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        at = 2.0
        while True:
            voice = _say(SENTENCES[rng.integers(len(SENTENCES))],
                         VOICES[rng.integers(len(VOICES))], int(rng.integers(140, 200)),
                         int(rng.integers(30, 70)), Path(tmp))
            a = int(at * RATE)
            if a + len(voice) >= n - RATE:
                break
            speech[a:a + len(voice)] += voice / max(np.abs(voice).max(), 1e-9) * 0.5
            truth += [(at + s, at + e) for s, e in _spans(voice, min_gap)]
            at += len(voice) / RATE + rng.uniform(1.5, 6.0)
    speech_rms = np.sqrt(np.mean(np.concatenate([
        speech[int(a * RATE):int(b * RATE)] for a, b in truth]) ** 2))
    bed = _music(n, rng) + _effects(n, rng)
    bed /= np.sqrt(np.mean(bed ** 2))
    # the bed's level under the speech: a new one (-20..-6 dB) every 5 s, crossfaded
    block = RATE * 5
    levels = 10 ** (rng.uniform(-20, -6, n // block + 2) / 20) * speech_rms
    level = np.interp(np.arange(n), np.arange(len(levels)) * block, levels)
    mix = speech + bed * level
    mix *= 0.9 / np.abs(mix).max()
    stereo = np.stack([mix, mix * 0.97], axis=1)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((stereo * 32767).astype("<i2").tobytes())
    return Soundtrack(path, seconds, truth)


def score(truth: list[tuple[float, float]], found: list[tuple[float, float]],
          seconds: float) -> dict[str, float]:
    """F1 of speech time (10 ms frames) and the edges' errors (ms) of each true region
    against the found region overlapping it most (a region not found: both edges 1 s off)."""
    frames = int(seconds * 100)

    def mask(spans: list[tuple[float, float]]) -> np.ndarray:
        m = np.zeros(frames, bool)
        for a, b in spans:
            m[int(round(a * 100)):int(round(b * 100))] = True
        return m

    t, f = mask(truth), mask(found)
    tp = float((t & f).sum())
    precision = tp / max(1.0, float(f.sum()))
    recall = tp / max(1.0, float(t.sum()))
    f1 = 2 * precision * recall / max(1e-9, precision + recall)
    errors = []
    for a, b in truth:
        best, overlap = None, 0.0
        for c, d in found:
            o = min(b, d) - max(a, c)
            if o > overlap:
                best, overlap = (c, d), o
        if best is None:
            errors += [1000.0, 1000.0]
        else:
            errors += [abs(best[0] - a) * 1000, abs(best[1] - b) * 1000]
    return {"f1": f1, "precision": precision, "recall": recall,
            "boundary_ms_p90": float(np.percentile(errors, 90)) if errors else 0.0,
            "boundary_ms_median": float(np.median(errors)) if errors else 0.0,
            "true_regions": len(truth), "found_regions": len(found)}
