"""The film's sound as waveform summaries: min, max and RMS per bin at several resolutions.

The sound is decoded once by ffmpeg (signed 16-bit PCM at the film's own rate, the chosen
stream's own channels) and summarised as it streams in, the way Ardour and Audacity keep their
peak files: bins of ``LEVELS`` samples (256, 4096, 65536), per channel and for the channels
summed (their mean, what a mono speaker plays). A view then reads the coarsest level whose
bins are no wider than its pixels and folds at most a few dozen bins into each pixel, so a
waveform costs the same per pixel at every zoom.

Summaries are kept in the per-user cache beside the proxies, under the film's content hash and
the stream's index: a small header (JSON, bounded) and then the arrays as int16. Reading checks
the header, the sizes it promises against the file's size, and the values' ranges; a damaged or
foreign file is made again, never trusted (``PeaksCacheError`` inside, never a crash).
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from cuesketch import paths
from cuesketch.files import content_hash, remove_quietly, replacing
from cuesketch.media.probe import MediaError

LEVELS = (256, 4096, 65536)  # samples per bin; each 16 times the one before
VERSION = 2  # 2: the sound put under the picture (AudioStream.lead)
MAGIC = b"CSPEAKS\x00"
MAX_HEADER = 4096
MAX_CHANNELS = 64
CHUNK_FRAMES = 65536 * 4  # a whole number of the coarsest bins: bins never straddle chunks
SILENT_DB = -60.0  # quieter than this everywhere: the film is silent
NICENESS = 10

Progress = Callable[[float], None]  # 0.0 .. 1.0


class PeaksCacheError(Exception):
    """A summaries file that is damaged, cut short or not ours (it is then made again)."""


class PeaksCancelled(Exception):
    """Stopped before the summaries were complete; nothing was kept."""


def peaks_dir() -> Path:
    d = paths.cache_dir() / "peaks"
    d.mkdir(parents=True, exist_ok=True)
    return d


def peaks_path(fingerprint: str, stream: int, folder: Path | None = None) -> Path:
    safe = fingerprint.replace(":", "-")
    return (folder or peaks_dir()) / f"{safe}-a{stream}-v{VERSION}.peaks"


# -- decoding ------------------------------------------------------------------------------------
def ffmpeg() -> str:
    found = shutil.which("ffmpeg")
    if found is None:
        raise MediaError("ffmpeg is not installed; Cuesketch needs it to read the film's "
                         "picture and sound (install the ffmpeg package)")
    return found


def lower_priority(pid: int) -> None:
    """Let playback and the window have the processor first."""
    if sys.platform == "win32":
        return
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, 0)
                                                 + NICENESS))
    except OSError:
        pass


def pcm_chunks(source: Path, stream: int | None, channels: int, *, dtype: str = "s16le",
               rate: int | None = None, frames: int = CHUNK_FRAMES,
               cancel: threading.Event | None = None, low_priority: bool = True,
               lead_frames: int = 0) -> Iterator[np.ndarray]:
    """The sound of ``source`` (``stream``: its index in the file; None: the first sound) as
    arrays of at most ``frames`` x ``channels``, int16 or float32 (``f32le``), at the stream's
    own rate or resampled to ``rate``. Raises MediaError in plain words.

    ``lead_frames``: where the sound's first sample falls after the picture's first frame
    (``AudioStream.lead`` at the output rate): raw sound drops that gap, so it is put back as
    silence (or, negative, the sound before the picture is left out): sample 0 is frame 0."""
    sample = np.dtype("<i2") if dtype == "s16le" else np.dtype("<f4")
    decoded = _decoded(source, stream, channels, dtype, sample, rate, frames, cancel,
                       low_priority)
    return _aligned(decoded, lead_frames, frames, channels, sample)


def _aligned(chunks: Iterator[np.ndarray], lead: int, frames: int, channels: int,
             sample: np.dtype) -> Iterator[np.ndarray]:
    while lead > 0:
        n = min(lead, frames)
        yield np.zeros((n, channels), sample)
        lead -= n
    skip = -lead
    for chunk in chunks:
        if skip:
            if len(chunk) <= skip:
                skip -= len(chunk)
                continue
            chunk, skip = chunk[skip:], 0
        yield chunk


def _decoded(source: Path, stream: int | None, channels: int, dtype: str, sample: np.dtype,
             rate: int | None, frames: int, cancel: threading.Event | None,
             low_priority: bool) -> Iterator[np.ndarray]:
    cmd = [ffmpeg(), "-nostdin", "-v", "error", "-i", str(source),
           "-map", f"0:{stream}" if stream is not None else "0:a:0", "-vn", "-sn", "-dn"]
    if rate:
        cmd += ["-ar", str(rate)]
    cmd += ["-ac", str(channels)]
    cmd += ["-f", dtype, "-"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if low_priority:
        lower_priority(proc.pid)
    _widen_pipe(proc.stdout)
    errors: list[bytes] = []
    reader = threading.Thread(target=lambda: errors.append(proc.stderr.read() if proc.stderr
                                                           else b""), daemon=True)
    reader.start()
    width = channels
    try:
        assert proc.stdout is not None
        buffered = b""
        while True:
            if cancel is not None and cancel.is_set():
                raise PeaksCancelled("stopped")
            block = frames * width * sample.itemsize
            data = buffered + proc.stdout.read(block - len(buffered))
            if not data:
                break
            whole = len(data) // (width * sample.itemsize) * width * sample.itemsize
            buffered = data[whole:]
            if whole:
                yield np.frombuffer(data[:whole], sample).reshape(-1, width)
            if len(data) < block:
                rest = proc.stdout.read()
                if not rest:
                    break
                buffered += rest
        rc = proc.wait()
        reader.join()
        if rc != 0:
            lines = [ln for ln in b"".join(errors).decode(errors="replace").splitlines()
                     if ln.strip()]
            if any("matches no streams" in ln for ln in lines):
                raise MediaError(f"{source.name} has no sound" + (
                    f" stream {stream}" if stream is not None else ""))
            raise MediaError(f"could not read the sound of {source.name}: "
                             f"{lines[-1] if lines else f'ffmpeg exit status {rc}'}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _widen_pipe(pipe: object) -> None:
    """A 1 MiB pipe (Linux): ffmpeg decodes ahead while the summaries of the last block are
    made, instead of waiting on a 64 KiB pipe."""
    try:
        import fcntl
        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)  # type: ignore[attr-defined]
    except (ImportError, OSError, AttributeError, ValueError):
        pass


# -- summaries -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Level:
    """Bins of ``size`` samples: min, max and RMS as int16 (full scale 32767), each an array of
    bins x (channels + 1); the last column is the channels summed (their mean)."""

    size: int
    min: np.ndarray
    max: np.ndarray
    rms: np.ndarray

    @property
    def bins(self) -> int:
        return int(self.min.shape[0])


@dataclass(frozen=True)
class Peaks:
    sample_rate: int
    channels: int
    frames: int  # samples per channel
    levels: tuple[Level, ...]  # finest first

    @property
    def duration_s(self) -> float:
        return self.frames / self.sample_rate

    def peak_db(self) -> float:
        """The loudest sample, dB below full scale (-inf for digital silence)."""
        top = self.levels[-1]
        if not top.bins:
            return float("-inf")
        loud = max(int(np.abs(top.min[:, :-1].astype(np.int32)).max()),
                   int(top.max[:, :-1].max()))
        return 20 * np.log10(loud / 32767) if loud > 0 else float("-inf")

    def silent(self) -> bool:
        return self.peak_db() < SILENT_DB

    def level_for(self, samples_per_px: float) -> Level:
        """The coarsest level whose bins are no wider than a pixel (the finest when zoomed in
        further than its bins)."""
        chosen = self.levels[0]
        for level in self.levels:
            if level.size <= samples_per_px:
                chosen = level
        return chosen

    def columns(self, start_s: float, seconds_per_px: float, width: int, channel: int = -1,
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Min, max and RMS (-1..1) of each of ``width`` pixel columns from ``start_s``;
        ``channel`` -1: the channels summed. Columns outside the sound are 0."""
        spp = seconds_per_px * self.sample_rate
        level = self.level_for(spp)
        col = channel if 0 <= channel < self.channels else self.channels
        mins = np.zeros(width, np.float32)
        maxs = np.zeros(width, np.float32)
        rms = np.zeros(width, np.float32)
        edges = (start_s * self.sample_rate + np.arange(width + 1) * spp) / level.size
        inside = np.flatnonzero((edges[1:] > 0) & (edges[:-1] < level.bins))
        if not level.bins or not len(inside):
            return mins, maxs, rms
        # column i folds the bins [idx[i], idx[i + 1]), or the one bin it lies in when zoomed
        # in further than the bins; the last column in view takes every bin its right edge
        # reaches into (up to the sound's last bin); only the bins in view are read
        view = edges[inside[0]:inside[-1] + 2]
        idx = np.clip(np.floor(view).astype(np.int64), 0, level.bins)
        idx[-1] = max(int(idx[-2]), min(level.bins, int(np.ceil(view[-1]))))
        first = int(idx[0])
        part = slice(first, max(int(idx[-1]), int(idx[-2]) + 1))
        local = idx - first
        mn = level.min[part, col]
        mx = level.max[part, col]
        sq = level.rms[part, col].astype(np.float64) ** 2
        counts = np.diff(local)
        single = counts == 0
        lo_mn = np.minimum.reduceat(mn, local[:-1]).astype(np.float32)
        hi_mx = np.maximum.reduceat(mx, local[:-1]).astype(np.float32)
        csum = np.concatenate(([0.0], np.cumsum(sq)))
        r = np.sqrt((csum[local[1:]] - csum[local[:-1]]) / np.maximum(counts, 1))
        r[single] = np.sqrt(sq[local[:-1][single]])
        span = slice(int(inside[0]), int(inside[-1]) + 1)
        scale = np.float32(1 / 32767)
        mins[span], maxs[span], rms[span] = lo_mn * scale, hi_mx * scale, r * scale
        return mins, maxs, rms


class _Builder:
    """Summaries made chunk by chunk, as the sound streams in."""

    def __init__(self, channels: int) -> None:
        self.channels = channels
        self.mins: list[np.ndarray] = []
        self.maxs: list[np.ndarray] = []
        self.sums: list[np.ndarray] = []  # sum of squares per finest bin, float64
        self.counts: list[np.ndarray] = []
        self.frames = 0

    def add(self, chunk: np.ndarray) -> None:
        n = chunk.shape[0]
        self.frames += n
        size = LEVELS[0]
        whole = n // size * size
        # channel-major (each channel's samples contiguous): the reductions along the last
        # axis run about thirty times faster than across interleaved frames
        x = np.empty((self.channels + 1, n), np.int16)
        x[:-1] = chunk.T
        total = x[0].astype(np.int32)
        for c in range(1, self.channels):
            total += x[c]
        x[-1] = total // self.channels
        parts = [x[:, :whole].reshape(self.channels + 1, -1, size)]
        if whole < n:
            parts.append(x[:, whole:][:, None, :])
        for part in parts:
            self.mins.append(part.min(axis=2).T)
            self.maxs.append(part.max(axis=2).T)
            f = part.astype(np.float32)
            self.sums.append(np.einsum("cbs,cbs->bc", f, f).astype(np.float64))
            self.counts.append(np.full(part.shape[1], part.shape[2], np.int64))

    def finish(self, sample_rate: int) -> Peaks:
        width = self.channels + 1
        mn = np.concatenate(self.mins) if self.mins else np.zeros((0, width), np.int16)
        mx = np.concatenate(self.maxs) if self.maxs else np.zeros((0, width), np.int16)
        sq = np.concatenate(self.sums) if self.sums else np.zeros((0, width))
        ct = np.concatenate(self.counts) if self.counts else np.zeros(0, np.int64)
        levels = []
        for k, size in enumerate(LEVELS):
            if k:
                factor = size // LEVELS[k - 1]
                starts = np.arange(0, len(mn), factor)
                if len(mn):
                    mn, mx = np.minimum.reduceat(mn, starts), np.maximum.reduceat(mx, starts)
                    sq, ct = np.add.reduceat(sq, starts), np.add.reduceat(ct, starts)
            rms = np.sqrt(sq / np.maximum(ct, 1)[:, None]) if len(ct) else sq
            levels.append(Level(size, mn.copy(), mx.copy(),
                                np.clip(np.round(rms), 0, 32767).astype(np.int16)))
        return Peaks(sample_rate, self.channels, self.frames, tuple(levels))


def summarise(chunks: Iterator[np.ndarray], sample_rate: int, channels: int,
              on_chunk: Callable[[int], None] | None = None) -> Peaks:
    """Summaries of int16 ``chunks`` (frames x channels)."""
    builder = _Builder(channels)
    for chunk in chunks:
        builder.add(chunk)
        if on_chunk:
            on_chunk(builder.frames)
    return builder.finish(sample_rate)


# -- the cache file ------------------------------------------------------------------------------
def write_peaks(peaks: Peaks, path: Path) -> None:
    header = json.dumps({"version": VERSION, "sample_rate": peaks.sample_rate,
                         "channels": peaks.channels, "frames": peaks.frames,
                         "levels": [lv.size for lv in peaks.levels],
                         "bins": [lv.bins for lv in peaks.levels]}).encode()
    with replacing(path, MediaError) as tmp:
        with open(tmp, "wb") as f:
            f.write(MAGIC + struct.pack("<I", len(header)) + header)
            for lv in peaks.levels:
                for a in (lv.min, lv.max, lv.rms):
                    f.write(np.ascontiguousarray(a, "<i2").tobytes())


def read_peaks(path: Path) -> Peaks:
    """A summaries file, checked: PeaksCacheError for anything that is not as written."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(len(MAGIC) + 4)
            if len(head) < len(MAGIC) + 4 or head[:len(MAGIC)] != MAGIC:
                raise PeaksCacheError("not a Cuesketch summaries file")
            (n,) = struct.unpack("<I", head[len(MAGIC):])
            if n > MAX_HEADER:
                raise PeaksCacheError("header too large")
            meta = json.loads(f.read(n))
            rate, channels, frames = (meta["sample_rate"], meta["channels"], meta["frames"])
            sizes, bins = meta["levels"], meta["bins"]
            for v in (rate, channels, frames):
                if type(v) is not int or v < 0:
                    raise PeaksCacheError("bad header")
            if (meta.get("version") != VERSION or not 0 < rate <= 1_000_000
                    or not 0 < channels <= MAX_CHANNELS or list(sizes) != list(LEVELS)
                    or not isinstance(bins, list) or len(bins) != len(LEVELS)):
                raise PeaksCacheError("header does not match")
            expected = [-(-frames // s) for s in LEVELS]
            if bins != expected:
                raise PeaksCacheError("bin counts do not match the length")
            offset = len(MAGIC) + 4 + n
            if size != offset + sum(3 * b * (channels + 1) * 2 for b in bins):
                raise PeaksCacheError("cut short or too long")
            levels = []
            for s, b in zip(sizes, bins):
                arrays = [np.fromfile(f, "<i2", b * (channels + 1)).reshape(b, channels + 1)
                          for _ in range(3)]
                if b and (bool((arrays[0] > arrays[1]).any()) or bool((arrays[2] < 0).any())):
                    raise PeaksCacheError("values out of order")
                levels.append(Level(s, *arrays))
    except (OSError, ValueError, KeyError, TypeError, RecursionError, struct.error) as e:
        raise PeaksCacheError(f"unreadable ({type(e).__name__})") from None
    return Peaks(rate, channels, frames, tuple(levels))


def make_peaks(source: Path | str, stream: int | None = None, *, sample_rate: int | None = None,
               channels: int | None = None, on_progress: Progress | None = None,
               cancel: threading.Event | None = None, folder: Path | None = None,
               fingerprint: str | None = None, duration_s: float | None = None,
               cache: bool = True, low_priority: bool = True,
               lead: Fraction | None = None) -> Peaks:
    """The summaries of ``source``'s sound (``stream``: its index; None: the first), from the
    cache when made before, its first bin at the picture's first frame (``lead``: the
    stream's ``AudioStream.lead``; read from the file with the other facts when they are not
    given, else 0). ``low_priority``:
    ffmpeg niced (beside playback). Raises MediaError (no sound, unreadable) or
    PeaksCancelled."""
    source = Path(source)
    from cuesketch.media.probe import probe
    if sample_rate is None or channels is None or duration_s is None or stream is None:
        info = probe(source, check_decode=False)
        if not info.audio:
            raise MediaError(f"{source.name} has no sound")
        chosen = next((a for a in info.audio if a.index == stream), None)
        if chosen is None:
            if stream is not None:
                raise MediaError(f"{source.name} has no sound stream {stream}")
            chosen = info.audio[0]
        stream, sample_rate = chosen.index, chosen.sample_rate or 48000
        channels = max(1, min(MAX_CHANNELS, chosen.channels or 2))
        duration_s, lead = info.duration_s, chosen.lead
    path = peaks_path(fingerprint or content_hash(source), stream, folder) if cache else None
    if path is not None and path.is_file():
        try:
            peaks = read_peaks(path)
            if on_progress:
                on_progress(1.0)
            return peaks
        except PeaksCacheError:
            remove_quietly(path)  # damaged: made again below
    total = max(1.0, duration_s * sample_rate)
    peaks = summarise(pcm_chunks(source, stream, channels, cancel=cancel,
                                 low_priority=low_priority,
                                 lead_frames=round((lead or 0) * sample_rate)),
                      sample_rate, channels,
                      (lambda done: on_progress(min(0.99, done / total))) if on_progress
                      else None)
    if path is not None:
        try:
            write_peaks(peaks, path)
        except MediaError:
            pass  # a full or read-only cache: the waveform is shown all the same
    if on_progress:
        on_progress(1.0)
    return peaks
