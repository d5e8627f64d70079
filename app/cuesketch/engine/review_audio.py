"""The review's sound: cue versions encoded for the package, decoded, and played A/B.

**Why Opus at 160 kb/s.** The director must hear what the composer heard, so the audio is the
app's own render, not a SoundFont on the other side. Lossless FLAC of a 48 kHz stereo render
runs 1.5-2.5 MB a minute for quiet strings but over 3 MB for dense, loud music (and 24-bit
FLAC more): it can't promise the package's 3 MB per cue-minute. Opus at 160 kb/s VBR is
transparent for nearly all listeners on music, always 48 kHz (the app's own rate), and costs
a steady ~1.2 MB a minute; ffmpeg (libopus) encodes it and decodes it on both sides.

**A/B.** Every version of a cue is decoded ahead into memory, placed on the transport where
the composer's render starts. ``ReviewPlayer.process`` (the audio callback, like
``Playback.process``) reads the version selected *for this block*: a switch asked for while
playing takes effect at the next block, at the same position, with a short crossfade from the
old version to the new inside that block, so the gap is at most one block and no click.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections import deque
from dataclasses import dataclass

import numpy as np

from cuesketch.engine.transport import Transport, TransportState
from cuesketch.timing.units import flicks_to_samples, samples_to_flicks

RATE = 48_000
OPUS_BITRATE = "160k"
CROSSFADE = 128  # samples: an old version fades into the new one over this much of a block
DECODE_TIMEOUT_S = 10.0  # plus a tenth of the audio's length: ffmpeg decodes Opus ~100x faster


class ReviewAudioError(RuntimeError):
    """Audio that can't be encoded or decoded, in plain words."""


def _ffmpeg() -> str:
    tool = shutil.which("ffmpeg")
    if tool is None:
        raise ReviewAudioError("ffmpeg is not installed (it encodes and decodes review audio)")
    return tool


def encode_opus(audio: np.ndarray, rate: int = RATE) -> bytes:
    """Float stereo (n, 2) at ``rate`` as Ogg Opus at 160 kb/s, 48 kHz."""
    cmd = [_ffmpeg(), "-hide_banner", "-loglevel", "error", "-f", "f32le", "-ar", str(rate),
           "-ac", "2", "-i", "pipe:0", "-c:a", "libopus", "-b:a", OPUS_BITRATE, "-vbr", "on",
           "-application", "audio", "-ar", str(RATE), "-f", "ogg", "pipe:1"]
    data = np.ascontiguousarray(audio, dtype="<f4").tobytes()
    try:
        done = subprocess.run(cmd, input=data, capture_output=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise ReviewAudioError(f"the audio could not be encoded ({e})") from None
    if done.returncode != 0 or not done.stdout.startswith(b"OggS"):
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no output"]
        raise ReviewAudioError(f"the audio could not be encoded ({why[0]})")
    return done.stdout


def _lower_priority(pid: int) -> None:
    """Decoding ahead leaves the processor to the picture and the sound first."""
    if os.name != "posix":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10))
    except OSError:
        pass  # it has ended already, or the system says no: it only runs faster


class Decodes:
    """The decoders running for a session, so that closing it ends them at once (a thread
    waiting on ffmpeg would otherwise hold the app's exit until the decode ends)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.closed = False

    def add(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            if not self.closed:
                self._running.add(proc)
                return
        proc.kill()  # started as the session closed

    def discard(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.discard(proc)

    def kill_all(self) -> None:
        with self._lock:
            self.closed = True
            running, self._running = self._running, set()
        for proc in running:
            try:
                proc.kill()
            except OSError:
                pass  # ended already


def decode_opus(data: bytes, frames: int, rate: int = RATE,
                low_priority: bool = False, running: Decodes | None = None) -> np.ndarray:
    """Encoded audio (from a package: untrusted) to float32 (frames, 2) at ``rate``: exactly
    ``frames`` long (cut or padded with silence), decoded by ffmpeg only, its output bounded.
    ``low_priority``: decoding ahead, behind the picture and the sound (nice 10).
    ``running``: where the ffmpeg is kept while it runs (killed when the session closes)."""
    if not data.startswith(b"OggS"):
        raise ReviewAudioError("the audio is not Ogg Opus")
    cmd = [_ffmpeg(), "-hide_banner", "-loglevel", "error", "-f", "ogg", "-i", "pipe:0",
           "-map", "0:a:0", "-ac", "2", "-ar", str(rate), "-t", f"{frames / rate + 1:.3f}",
           "-f", "f32le", "pipe:1"]
    timeout = DECODE_TIMEOUT_S + frames / rate / 10
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    except OSError as e:
        raise ReviewAudioError(f"the audio could not be decoded ({e})") from None
    if running is not None:
        running.add(proc)
    if low_priority:
        _lower_priority(proc.pid)
    try:
        stdout, _ = proc.communicate(data, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise ReviewAudioError(f"decoding the audio took over {timeout:.0f} s") from None
    except OSError:  # killed while its input was written (the session closed)
        proc.kill()
        proc.communicate()
        raise ReviewAudioError("the decode was stopped") from None
    finally:
        if running is not None:
            running.discard(proc)
    if proc.returncode != 0:
        raise ReviewAudioError("the audio could not be decoded (it is damaged)")
    out = np.frombuffer(stdout[:len(stdout) // 8 * 8], dtype="<f4").reshape(-1, 2)
    if len(out) >= frames:
        return out[:frames].copy()
    padded = np.zeros((frames, 2), dtype=np.float32)
    padded[:len(out)] = out
    return padded


FULL_SCALE = 32767.0


def to_int16(audio: np.ndarray) -> np.ndarray:
    return np.rint(np.clip(audio, -1.0, 1.0) * FULL_SCALE).astype(np.int16)


@dataclass(frozen=True)
class Placed:
    """A decoded version on the transport: ``start`` is the transport sample of ``data[0]``."""

    start: int
    data: np.ndarray  # int16 (n, 2): half the memory of float32, more than a lossy source holds


class _Rate:
    """What AudioOutput reads of a synth: its rate (the review has no synth)."""

    def __init__(self, rate: int) -> None:
        self.sample_rate = rate


def _resampled(data: np.ndarray, ratio: float) -> np.ndarray:
    """int16 (n, 2) at ``ratio`` times its rate (linear: a preview, not a master)."""
    n = max(1, round(len(data) * ratio))
    x = np.linspace(0, len(data) - 1, n)
    out = np.stack([np.interp(x, np.arange(len(data)), data[:, c]) for c in (0, 1)], axis=1)
    return np.rint(out).astype(np.int16)


class ReviewPlayer:
    """Plays the selected version of a cue (or nothing: film only), following a transport.

    Duck-compatible with ``Playback`` for ``AudioOutput``: ``process``, ``rate``, ``synth``
    (its ``sample_rate``), ``set_sample_rate``."""

    def __init__(self, transport: Transport | None = None, rate: int = RATE) -> None:
        self.transport = transport
        self.rate = rate
        self.synth = _Rate(rate)
        self.samples_written = 0
        self._placed: dict[int, Placed] = {}
        self._selection: dict[int, int] = {}  # cue -> version: swapped whole, read per block
        self._muted = False  # film only
        self._heard: dict[int, int] = {}  # what the last block played
        self._commands: deque[TransportState | tuple[str, int]] = deque(maxlen=1024)
        self._playing = False
        self._pos = 0  # transport sample of the next sample rendered
        self._loop: tuple[int, int] | None = None
        self._epoch = -1
        self._device = False
        self._lock = threading.Lock()
        self.switches: list[tuple[int, int]] = []  # (output sample, version): tests, figures
        if transport is not None:
            transport.observe(self._commands.append)

    # -- any thread ----------------------------------------------------------------------------
    def place(self, version_id: int, start_flicks: int, data: np.ndarray,
              rate: int | None = None) -> None:
        """Make a decoded version (float, (n, 2)) playable. ``rate``: what it was decoded at
        (the player's rate then); resampled if the device's rate changed since."""
        kept = to_int16(data)
        with self._lock:
            if rate is not None and rate != self.rate:
                kept = _resampled(kept, self.rate / rate)
            self._placed = {**self._placed,
                            version_id: Placed(flicks_to_samples(start_flicks, self.rate), kept)}

    def placed(self, version_id: int) -> bool:
        return version_id in self._placed

    def select(self, cue_id: int, version_id: int | None) -> None:
        """The version of a cue heard from the next block on (None: that cue silent)."""
        selection = dict(self._selection)
        if version_id is None:
            selection.pop(cue_id, None)
        else:
            selection[cue_id] = version_id
        self._selection = selection  # one assignment: the audio thread sees old or new

    def selected(self, cue_id: int) -> int | None:
        return self._selection.get(cue_id)

    def set_muted(self, muted: bool) -> None:
        """Film only: the music falls silent from the next block (faded within it)."""
        self._muted = muted

    @property
    def muted(self) -> bool:
        return self._muted

    def play(self, position: int) -> None:
        """Offline (no transport): start at ``position`` flicks."""
        self._commands.append(("play", position))

    def stop(self) -> None:
        self._commands.append(("stop", 0))

    @property
    def position(self) -> int:
        return samples_to_flicks(self._pos, self.rate)

    @property
    def playing(self) -> bool:
        return self._playing

    def set_sample_rate(self, rate: int) -> None:
        """Follow a device at another rate: the decoded versions are resampled (linearly)."""
        if rate == self.rate:
            return
        with self._lock:  # a decode placed meanwhile sees the old rate or the new, whole
            ratio = rate / self.rate
            self._placed = {vid: Placed(round(p.start * ratio), _resampled(p.data, ratio))
                            for vid, p in self._placed.items()}
            self.rate = rate
            self.synth = _Rate(rate)

    # -- the audio thread ----------------------------------------------------------------------
    def process(self, n: int, out: np.ndarray | None = None,
                latency_ns: int | None = None) -> np.ndarray:
        buf = out if out is not None and len(out) == n else np.zeros((n, 2), dtype=np.float32)
        buf[:] = 0.0
        transport = self.transport
        self._device = transport is not None and latency_ns is not None
        while self._commands:
            self._command(self._commands.popleft())
        if self._device:
            assert transport is not None and latency_ns is not None
            cue = transport.device_period(self.samples_written,
                                          transport.clock.now_ns() + latency_ns, n, self.rate,
                                          self._epoch)
            if cue is not None:
                self._pos, self._playing = flicks_to_samples(cue, self.rate), True
        selection = {} if self._muted else self._selection
        if self._playing:
            self._render(buf, selection)
            self._pos = self._advance(self._pos, n)
        self._heard = selection
        self.samples_written += n
        return buf

    def _render(self, buf: np.ndarray, selection: dict[int, int]) -> None:
        placed, heard, n = self._placed, self._heard, len(buf)
        for cue in selection.keys() | heard.keys():
            now = placed.get(selection.get(cue, -1))
            if selection.get(cue) == heard.get(cue):
                if now is not None:
                    self._mix(buf, now, 1.0)
                continue
            self.switches.append((self.samples_written, selection.get(cue, -1)))
            k = min(CROSSFADE, n)
            fade = np.linspace(1.0, 0.0, k, dtype=np.float32)[:, None]
            block = np.zeros_like(buf)
            if now is not None:  # the new version comes in as the old one fades out
                self._mix(block, now, 1.0)
                block[:k] *= 1.0 - fade
            before = placed.get(heard.get(cue, -1))
            if before is not None:
                old = np.zeros_like(buf)
                self._mix(old, before, 1.0)
                block[:k] += old[:k] * fade
            buf += block

    def _mix(self, buf: np.ndarray, p: Placed, gain: float) -> None:
        """Add ``p``'s samples for the block at ``_pos`` (walking through a loop's wrap)."""
        pos, done, n = self._pos, 0, len(buf)
        while done < n:
            k = n - done
            loop = self._loop
            if loop is not None and pos < loop[1] <= pos + k:
                k = loop[1] - pos
            a, b = pos - p.start, pos - p.start + k
            lo, hi = max(a, 0), min(b, len(p.data))
            if hi > lo:
                buf[done + lo - a:done + hi - a] += p.data[lo:hi] * np.float32(gain / FULL_SCALE)
            done += k
            pos = pos + k
            if loop is not None and pos == loop[1]:
                pos = loop[0]

    def _advance(self, pos: int, k: int) -> int:
        loop = self._loop
        while loop is not None and pos < loop[1] <= pos + k:
            k -= loop[1] - pos
            pos = loop[0]
        return pos + k

    def _command(self, message: TransportState | tuple[str, int]) -> None:
        if isinstance(message, tuple):
            kind, position = message
            self._playing = kind == "play"
            self._pos = flicks_to_samples(position, self.rate)
            return
        self._epoch = message.epoch
        loop = message.loop
        self._loop = None if loop is None else (flicks_to_samples(loop[0], self.rate),
                                                flicks_to_samples(loop[1], self.rate))
        if not message.playing or message.speed != 1.0:
            self._playing = False
        elif not self._device:  # no device: start where the transport says
            self._playing = True
            self._pos = flicks_to_samples(message.position, self.rate)
