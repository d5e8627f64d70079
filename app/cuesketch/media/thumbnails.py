"""The film's picture strip: small frames along the timeline, made in the background.

ffmpeg decodes the film downscaled in two passes. The first decodes only its key frames
(``-skip_frame nokey``: the decoder skips every other frame, so a long film is scanned in
seconds) and already gives a strip at any zoom; the second decodes the whole film at a low
priority and keeps one frame on a grid (every second, fewer in a long film), so the strip
sharpens to the frame under each thumbnail. A film of key frames only (ProRes, DNxHD, MJPEG)
has no cheap first pass: a first ffmpeg copies its stream dropping all but the grid's packets
(``noise=drop``), so only the grid is ever decoded. A view zoomed in further asks for the frames it
shows (``ThumbnailJob.request``): a short window decoded from the key frame before it, exact to
the frame, served beside the passes. Which frame a picture is comes from its time stamp
(ffmpeg's ``showinfo``), counted from the film's first frame.

``ThumbnailStrip`` answers "the thumbnail for frame N" at once: the nearest frame made so far,
exactly N once made. The finished strip is kept in the per-user cache beside the proxies,
under the film's content hash; reading it checks its header and size (a damaged file is made
again, never trusted).
"""

from __future__ import annotations

import bisect
import json
import queue
import re
import struct
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from cuesketch import paths
from cuesketch.files import content_hash, remove_quietly, replacing
from cuesketch.media.peaks import ffmpeg, lower_priority
from cuesketch.media.probe import MediaError, MediaInfo, video_start_time

HEIGHT = 54  # px of a stored thumbnail; its width follows the picture's shape
VERSION = 1
MAGIC = b"CSTHUMB\x00"
MAX_HEADER = 4096
MAX_STORED = 4000  # the refined grid is thinned so a long film's strip stays small (~60 MB)
GRID_SECONDS = 1  # the refined grid: a frame every second (or thinner, MAX_STORED)
REQUEST_LIMIT = 200  # frames one request may ask for
# Frames one ffmpeg run picks: its select expression has one term a frame, and ffmpeg's
# expression parser gives up at about a hundred; a larger request is served in runs.
RUN_LIMIT = 90
STAMP_WAIT_S = 30.0  # how long a decoded frame waits for its time stamp before ffmpeg is stopped
# showinfo's pts_time has six significant digits (whole seconds past 100,000 s, tenths past
# 10,000 s): a frame's time is its integer pts times the time base the filter reports first.
SHOWINFO = re.compile(rb"\] n:\s*\d+ pts:\s*(-?\d+) pts_time:(-?[0-9.]+)")
TIME_BASE = re.compile(rb"\] config in time_base:\s*(\d+)/(\d+)")


def showinfo_time(line: bytes, time_base: Fraction | None) -> Fraction | None:
    """A frame's exact time stamp (s) from one showinfo line, None for other lines."""
    m = SHOWINFO.search(line)
    if m is None:
        return None
    if time_base is None:
        return Fraction(m.group(2).decode())
    return int(m.group(1)) * time_base


def showinfo_time_base(line: bytes) -> Fraction | None:
    m = TIME_BASE.search(line)
    return Fraction(int(m.group(1)), int(m.group(2))) if m and int(m.group(2)) else None


class ThumbnailCacheError(Exception):
    """A strip file that is damaged, cut short or not ours (it is then made again)."""


def thumbnail_dir() -> Path:
    d = paths.cache_dir() / "thumbnails"
    d.mkdir(parents=True, exist_ok=True)
    return d


def thumbnail_size(info: MediaInfo, height: int = HEIGHT) -> tuple[int, int]:
    width = max(2, round(height * info.width / info.height / 2) * 2)
    return width, height


def strip_path(fingerprint: str, height: int = HEIGHT, folder: Path | None = None) -> Path:
    safe = fingerprint.replace(":", "-")
    return (folder or thumbnail_dir()) / f"{safe}-h{height}-v{VERSION}.strip"


@dataclass(frozen=True)
class Thumb:
    frame: int  # the film frame this picture is
    pixels: np.ndarray  # height x width x 3, RGB


class ThumbnailStrip:
    """The thumbnails made so far, by film frame; safe to read while a job adds to it."""

    def __init__(self, width: int, height: int, frame_count: int) -> None:
        self.width, self.height, self.frame_count = width, height, frame_count
        self._frames: list[int] = []
        self._pixels: dict[int, np.ndarray] = {}
        self._lock = threading.Lock()
        self.version = 0  # bumped on every addition (a view redraws when it changed)

    def __len__(self) -> int:
        return len(self._frames)

    def add(self, frame: int, pixels: np.ndarray) -> None:
        with self._lock:
            if frame not in self._pixels:
                bisect.insort(self._frames, frame)
            self._pixels[frame] = pixels
            self.version += 1

    def has(self, frame: int) -> bool:
        return frame in self._pixels

    def frames(self) -> list[int]:
        with self._lock:
            return list(self._frames)

    def at(self, frame: int) -> Thumb | None:
        """The thumbnail for ``frame``: that frame once made, else the nearest made so far
        (None while nothing is made)."""
        with self._lock:
            pixels = self._pixels.get(frame)
            if pixels is not None:
                return Thumb(frame, pixels)
            if not self._frames:
                return None
            k = bisect.bisect_left(self._frames, frame)
            near = [self._frames[i] for i in (k - 1, k) if 0 <= i < len(self._frames)]
            best = min(near, key=lambda f: (abs(f - frame), f))
            return Thumb(best, self._pixels[best])

    # -- the cache file ------------------------------------------------------------------------
    def write(self, path: Path) -> None:
        header = json.dumps({"version": VERSION, "width": self.width, "height": self.height,
                             "frame_count": self.frame_count}).encode()
        with self._lock:
            frames = list(self._frames)
            pixels = [self._pixels[f] for f in frames]
        with replacing(path, MediaError) as tmp:
            with open(tmp, "wb") as f:
                f.write(MAGIC + struct.pack("<II", len(header), len(frames)) + header)
                f.write(np.asarray(frames, "<i8").tobytes())
                for p in pixels:
                    f.write(np.ascontiguousarray(p, np.uint8).tobytes())

    @classmethod
    def read(cls, path: Path, width: int, height: int, frame_count: int) -> ThumbnailStrip:
        """A strip file, checked against the sizes expected: ThumbnailCacheError otherwise."""
        try:
            size = path.stat().st_size
            with open(path, "rb") as f:
                head = f.read(len(MAGIC) + 8)
                if len(head) < len(MAGIC) + 8 or head[:len(MAGIC)] != MAGIC:
                    raise ThumbnailCacheError("not a Cuesketch strip file")
                n, count = struct.unpack("<II", head[len(MAGIC):])
                if n > MAX_HEADER or count > frame_count or count > 10 * MAX_STORED:
                    raise ThumbnailCacheError("header too large")
                meta = json.loads(f.read(n))
                if (meta.get("version"), meta.get("width"), meta.get("height"),
                        meta.get("frame_count")) != (VERSION, width, height, frame_count):
                    raise ThumbnailCacheError("made for another size or film")
                one = width * height * 3
                if size != len(MAGIC) + 8 + n + count * (8 + one):
                    raise ThumbnailCacheError("cut short or too long")
                frames = np.fromfile(f, "<i8", count)
                if count and (frames.min() < 0 or frames.max() >= frame_count
                              or bool((np.diff(frames) <= 0).any())):
                    raise ThumbnailCacheError("frames out of order")
                data = np.fromfile(f, np.uint8, count * one).reshape(count, height, width, 3)
        except (OSError, ValueError, TypeError, AttributeError, RecursionError,
                struct.error) as e:
            raise ThumbnailCacheError(f"unreadable ({type(e).__name__})") from None
        strip = cls(width, height, frame_count)
        for k, frame in enumerate(frames.tolist()):
            strip.add(frame, data[k])
        return strip


# -- decoding ------------------------------------------------------------------------------------
def film_origin(path: Path) -> float:
    """The time stamp (s) of the film's first frame (0 for most files; an edit list or a
    transport stream starts later): ``probe.video_start_time``, as the film lanes' sound and
    the preview read it (0 when it can't be read)."""
    try:
        return float(video_start_time(path))
    except MediaError:
        return 0.0


class Decoder:
    """One ffmpeg run over the film: frames scaled to the strip's size, each with its frame
    number (from its time stamp), handed to ``keep``. Cancellable."""

    def __init__(self, info: MediaInfo, size: tuple[int, int], origin: float,
                 cancel: threading.Event) -> None:
        self.info, self.size, self.origin, self.cancel = info, size, origin, cancel
        self.fps = Fraction(info.file_fps)

    def frame_of(self, pts_time: Fraction | float) -> int:
        return round((Fraction(pts_time) - Fraction(self.origin)) * self.fps)

    def run(self, before_input: list[str], select: str | None,
            keep: Callable[[int, np.ndarray], None], after_input: list[str] | None = None,
            keep_every: int | None = None) -> int:
        """Returns the number of frames handed over. ``keep_every``: only every n-th frame
        reaches the decoder at all (a film of key frames only: the others are dropped as
        packets by a first ffmpeg copying the stream, never decoded)."""
        w, h = self.size
        chain = ([f"select='{select}'"] if select else []) + [
            f"scale={w}:{h}:flags=area", "setsar=1", "showinfo"]
        feeder = None
        source = ["-i", str(self.info.path)]
        if keep_every:
            feeder = subprocess.Popen(
                [ffmpeg(), "-nostdin", "-v", "error", *before_input, "-copyts", *source,
                 "-map", "0:v:0", "-c", "copy", "-bsf:v",
                 f"noise=drop='mod(n\\,{keep_every})'", "-f", "nut", "-"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            lower_priority(feeder.pid)
            before_input, source = [], ["-f", "nut", "-i", "-"]
        cmd = [ffmpeg(), "-nostdin", "-hide_banner", "-loglevel", "info", *before_input,
               "-copyts", *source, *(after_input or []), "-map", "0:v:0",
               "-vf", ",".join(chain), "-fps_mode", "passthrough", "-an", "-sn",
               "-pix_fmt", "rgb24", "-f", "rawvideo", "-"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=feeder.stdout if feeder is not None else None)
        if feeder is not None and feeder.stdout is not None:
            feeder.stdout.close()  # the decoder holds it now
        lower_priority(proc.pid)
        stamps: queue.Queue[Fraction | None] = queue.Queue()
        tail: list[bytes] = []

        def read_errors() -> None:
            assert proc.stderr is not None
            time_base = None
            for line in proc.stderr:
                stamp = showinfo_time(line, time_base)
                if stamp is not None:
                    stamps.put(stamp)
                elif (base := showinfo_time_base(line)) is not None:
                    time_base = base
                elif line.strip():
                    tail[:] = [*tail[-3:], line]
            stamps.put(None)

        reader = threading.Thread(target=read_errors, name="thumbnail-stamps", daemon=True)
        reader.start()
        one = w * h * 3
        count = 0
        ended = False  # ffmpeg closed its output: it is exiting on its own
        unstamped = False
        try:
            assert proc.stdout is not None
            while not self.cancel.is_set():
                data = proc.stdout.read(one)
                if len(data) < one:
                    ended = True
                    break
                stamp = stamps.get(timeout=STAMP_WAIT_S)
                if stamp is None:
                    unstamped = True  # a frame without its time stamp: ffmpeg is stopped below
                    break
                frame = self.frame_of(stamp)
                if 0 <= frame < self.info.frame_count:
                    keep(frame, np.frombuffer(data, np.uint8).reshape(h, w, 3))
                    count += 1
        finally:
            # Whatever ended the loop (cancel, a missing time stamp, an error), an ffmpeg still
            # running would block writing frames nobody reads, and wait() with it.
            if not ended and proc.poll() is None:
                proc.kill()
            rc = proc.wait()
            reader.join(5)
            if feeder is not None:
                if feeder.poll() is None:
                    feeder.kill()
                feeder.wait()
        if unstamped and not self.cancel.is_set():
            raise MediaError(f"could not read the picture of {self.info.name}: ffmpeg gave a "
                             "frame without its time stamp")
        if rc != 0 and not self.cancel.is_set():
            detail = tail[-1].decode(errors="replace").strip() if tail else f"exit status {rc}"
            raise MediaError(f"could not read the picture of {self.info.name}: {detail}")
        return count


def grid_step(info: MediaInfo) -> int:
    """Frames between two thumbnails of the refined grid."""
    step = max(1, round(float(info.file_fps) * GRID_SECONDS))
    return max(step, -(-info.frame_count // MAX_STORED))


class ThumbnailJob:
    """The strip of one film, made on background threads (or read from the cache).

    ``on_update()`` is called (on a worker thread) whenever frames were added, at most every
    ``UPDATE_S``; ``phase`` says how far it is: "keyframes", "refining", "done" or "failed"
    (``error`` says why). ``request(first, last, step)`` asks for exact frames of a window."""

    UPDATE_S = 0.1

    def __init__(self, info: MediaInfo, *, height: int = HEIGHT, folder: Path | None = None,
                 fingerprint: str | None = None, on_update: Callable[[], None] | None = None,
                 refine: bool = True,
                 exact_source: Callable[[], MediaInfo | None] | None = None) -> None:
        """``exact_source``: a copy of the film with the same frames that seeks cheaply (its
        frame-accurate proxy, once made), asked before each request: a window is decoded from
        it instead of from the film's key frame before."""
        self.info = info
        self._exact_source = exact_source
        self.requests_from_copy = 0
        self.size = thumbnail_size(info, height)
        self.strip = ThumbnailStrip(*self.size, info.frame_count)
        self.phase = "keyframes"
        self.progress = 0.0
        self.error: str | None = None
        self._folder, self._fingerprint, self._height = folder, fingerprint, height
        self._on_update = on_update or (lambda: None)
        self._refine = refine
        self._cancel = threading.Event()
        self._requests: queue.Queue[list[int] | None] = queue.Queue()
        self._origin: float | None = None
        self._origin_ready = threading.Event()
        self._last_told = 0.0
        self.requests_served = 0
        self._flush = threading.Event()
        self._copy: Decoder | None = None
        self._thread = threading.Thread(target=self._run, name="thumbnails", daemon=True)
        self._server = threading.Thread(target=self._serve, name="thumbnail-requests",
                                        daemon=True)
        self._thread.start()
        self._server.start()

    # -- what the view asks --------------------------------------------------------------------
    def request(self, frames: Iterable[int]) -> bool:
        """Decode these frames (a view's thumbnails) exactly, from the key frame before the
        first; an older request not yet begun is dropped (the view moved on). False when they
        are all made already."""
        wanted = sorted({f for f in frames if 0 <= f < self.info.frame_count
                         and not self.strip.has(f)})[:REQUEST_LIMIT]
        if not wanted:
            return False
        while True:
            try:
                self._requests.get_nowait()
            except queue.Empty:
                break
        self._requests.put(wanted)
        return True

    @property
    def origin(self) -> float:
        """The time stamp (s) of the film's first frame, once read (0 before)."""
        return self._origin or 0.0

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def wait(self, timeout: float | None = None) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def wait_requests(self, timeout: float = 30) -> bool:
        """Until every request made so far is served (tests)."""
        self._flush = threading.Event()
        self._requests.put([])
        return self._flush.wait(timeout)

    def close(self) -> None:
        self._cancel.set()
        self._requests.put(None)

    # -- the work ------------------------------------------------------------------------------
    def _keep(self, frame: int, pixels: np.ndarray) -> None:
        import time
        self.strip.add(frame, pixels.copy())
        now = time.monotonic()
        if now - self._last_told >= self.UPDATE_S:
            self._last_told = now
            self._on_update()

    def _run(self) -> None:
        try:
            self._origin = film_origin(self.info.path)
        except (OSError, subprocess.SubprocessError):
            self._origin = 0.0
        self._origin_ready.set()
        try:
            fingerprint = self._fingerprint or content_hash(self.info.path)
            path = strip_path(fingerprint, self._height, self._folder)
            if path.is_file():
                try:
                    cached = ThumbnailStrip.read(path, *self.size, self.info.frame_count)
                    for f in cached.frames():
                        thumb = cached.at(f)
                        assert thumb is not None
                        self.strip.add(f, thumb.pixels)
                    self.phase, self.progress = "done", 1.0
                    self._on_update()
                    return
                except ThumbnailCacheError:
                    remove_quietly(path)
            decoder = Decoder(self.info, self.size, self._origin, self._cancel)
            if self.info.intra_only:  # every frame a key frame: the grid at once, sparsely
                self.phase = "refining"
                decoder.run([], None, self._keep, keep_every=grid_step(self.info))
            else:
                decoder.run(["-skip_frame", "nokey"], None, self._keep)
            self.progress = 0.3
            self._on_update()
            if self._refine and not self._cancel.is_set() and not self.info.intra_only:
                self.phase = "refining"
                step = grid_step(self.info)
                total = max(1, self.info.frame_count // step)

                def keep(frame: int, pixels: np.ndarray) -> None:
                    self._keep(frame, pixels)
                    self.progress = 0.3 + 0.7 * min(1.0, frame / step / total)

                decoder.run([], rf"not(mod(n\,{step}))", keep)
            if self._cancel.is_set():
                return
            self.phase, self.progress = "done", 1.0
            try:
                self.strip.write(path)
            except MediaError:
                pass  # a full or read-only cache: the strip is shown all the same
        except (MediaError, OSError, subprocess.SubprocessError, queue.Empty) as e:
            self.phase, self.error = "failed", str(e)
        self._on_update()

    def _decoder(self, film: Decoder) -> Decoder:
        """The film's decoder, or the copy's when there is one (same frames, cheap seeks)."""
        copy = None
        if self._exact_source is not None:
            try:
                copy = self._exact_source()
            except (OSError, MediaError):
                copy = None
        if copy is None:
            return film
        if self._copy is None or self._copy.info.path != copy.path:
            try:
                origin = film_origin(copy.path)
            except (OSError, subprocess.SubprocessError):
                return film
            self._copy = Decoder(copy, self.size, origin, self._cancel)
        return self._copy

    def _serve(self) -> None:
        self._origin_ready.wait()
        film = Decoder(self.info, self.size, self._origin or 0.0, self._cancel)
        fps = float(self.info.file_fps)
        while not self._cancel.is_set():
            item = self._requests.get()
            if item is None:
                return
            if not item:  # wait_requests' marker
                self._flush.set()
                continue
            decoder = self._decoder(film)
            served = True
            for i in range(0, len(item), RUN_LIMIT):
                if self._cancel.is_set():
                    return
                served = self._serve_run(decoder, item[i:i + RUN_LIMIT], fps) and served
            if served:  # else the view asks again; the passes still run
                self.requests_served += 1
                self.requests_from_copy += decoder is not film
            self._on_update()

    def _serve_run(self, decoder: Decoder, run: list[int], fps: float) -> bool:
        """Decode one run of asked frames (sorted, at most RUN_LIMIT) in one ffmpeg run."""
        o = decoder.origin
        start = (run[0] + 0.5) / fps + o
        end = (run[-1] + 0.5) / fps + o
        # the frame's number from its time stamp, kept in st(0), then one of those asked
        pick = (f"between(t\\,{start - 1 / fps:.6f}\\,{end:.6f})"
                f"*(st(0\\,round((t-{o:.6f})*{fps:.9f}))*0+1)"
                "*(" + "+".join(f"eq(ld(0)\\,{f})" for f in run) + ")")
        try:
            lead = 2 / fps if decoder.info.intra_only else 1.0  # to the key frame before
            seek = max(0.0, start - lead)  # (and not on to the end)
            decoder.run(["-ss", f"{seek:.6f}", "-t", f"{end - seek + 2 / fps:.6f}"], pick,
                        self._keep)
        except (MediaError, OSError, queue.Empty):
            return False
        return True


def grab_frame(info: MediaInfo, frame: int, width: int, origin: float = 0.0,
               cancel: threading.Event | None = None) -> np.ndarray | None:
    """One frame of the film, exactly, ``width`` px wide (a larger look than the strip's):
    RGB pixels, or None when the film would not give it."""
    height = max(2, round(width * info.height / info.width / 2) * 2)
    fps = float(info.file_fps)
    got: list[np.ndarray] = []
    decoder = Decoder(info, (width, height), origin, cancel or threading.Event())
    at = (frame + 0.5) / fps + origin
    seek = max(0.0, at - (2 / fps if info.intra_only else 1.0))  # to the key frame before
    pick = f"between(t\\,{at - 1 / fps:.6f}\\,{at:.6f})*eq(round((t-{origin:.6f})*{fps:.9f})\\,{frame})"
    decoder.run(["-ss", f"{seek:.6f}", "-t", f"{at - seek + 2 / fps:.6f}"], pick,
                lambda f, pixels: got.append(pixels.copy()) if f == frame else None)
    return got[0] if got else None
