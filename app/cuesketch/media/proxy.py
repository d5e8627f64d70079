"""Frame-accurate proxies: an intra-only copy of the film that seeks exactly and fast.

Films arrive as long-GOP H.264 with B-frames, on which libvlc's paused seeks land 1-4 frames
early and take 100-650 ms (STACK.md). The proxy is H.264 with every frame a key frame
(``-g 1 -bf 0``), at most ``WIDTH`` px wide: on it a seek to the middle of a frame lands on that
frame in 5-12 ms. Frame n of the proxy is frame n of the film, at the film's own time stamps
(``-fps_mode passthrough``: no frame dropped or doubled). One second of the last frame is
appended, because libvlc loses the next seek after showing the film's second-last frame when
the file ends right after it; the player never goes past the film's own last frame.

The recipe is chosen for speed: the proxy is ready in about 1.3 times the time a bare decode
of the film takes (``bench_picture``: ``proxy_speed_vs_decode_only``). It is made by an ffmpeg
whose stages run in threads of their own (``proxy_ffmpeg``), decoding a film up to full HD on
one thread per spare core, and without H.264's loop filter: on two cores the decoder is the
stage everything waits for, and the deblocking it skips is a quarter of its work. What that
costs is small beside the shrinking: 44 dB from the fully decoded picture on a 1 Mb/s 720p
film (the demo), 52 dB on a 1080p one (measured at 854 px). Then x264's fastest preset at a
fixed quantizer (no rate control, no look-ahead), an area-averaging scale to 768 x 432 (about
the picture pane's size: 600 px on a laptop, 840 on a full HD screen; at 854 x 480 the proxy
was too close to its speed floor here), and the film's first sound track copied as it is when
MP4 holds it (AAC, MP3, AC-3, E-AC-3, ALAC), else made lossless ALAC, several times cheaper
than AAC.

The proxy is made in the background by ffmpeg (at a lower priority than Cuesketch itself, so
playback keeps the processor), reports progress, can be cancelled, is written under a
temporary name and renamed when complete, and is kept in the per-user cache under the film's
content hash, the one the project keeps to find a moved film (``files.content_hash``: size,
first and last 4 MiB), so a moved or renamed film finds its proxy again. The film itself is
only read.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from cuesketch import paths
from cuesketch.files import content_hash
from cuesketch.media.probe import PROXY_TAG, MediaError, MediaInfo, probe
from cuesketch.media.proxy_ffmpeg import proxy_ffmpeg, thread_counts

WIDTH = 768  # about the picture pane's size (see the module doc); plays on a tenth of a core
VERSION = 3  # bump when the recipe changes: old proxies are then made again (and removed)
PAD_SECONDS = 1
QUANTIZER = 25  # every frame at this x264 quantizer: about the picture of CRF 22 at "superfast"
SCALER = "area"  # averages the pixels it drops: no aliasing, cheaper than bicubic
COPIED_SOUND = frozenset({"aac", "mp3", "ac3", "eac3", "alac"})  # MP4 holds these as they are
NICENESS = 10  # the background ffmpeg, below Cuesketch: it yields to playback and the window

Progress = Callable[[float], None]  # 0.0 .. 1.0


class ProxyCancelled(Exception):
    """The proxy was cancelled before it was complete; nothing was left behind."""


def proxy_dir() -> Path:
    d = paths.cache_dir() / "proxies"
    d.mkdir(parents=True, exist_ok=True)
    return d


def proxy_size(info: MediaInfo, width: int = WIDTH) -> tuple[int, int]:
    """The proxy's picture size: the film's, shrunk to ``width`` if wider, even numbers."""
    w = min(width, info.width) // 2 * 2
    h = max(2, round(info.height * w / info.width / 2) * 2)
    return w, h


def proxy_info(info: MediaInfo, proxy: Path, width: int = WIDTH) -> MediaInfo:
    """The facts of the proxy made of ``info`` at ``proxy``, known from the recipe, without
    reading the file (a start with a proxy waits for no ffprobe)."""
    w, h = proxy_size(info, width)
    sound = tuple(replace(a, index=1, codec=a.codec if a.codec in COPIED_SOUND else "alac")
                  for a in info.audio[:1])
    return replace(info, path=proxy, width=w, height=h, codec="h264", b_frames=False,
                   intra_only=True, audio=sound, container="mov,mp4,m4a,3gp,3g2,mj2",
                   warnings=())


def needs_proxy(info: MediaInfo) -> bool:
    """Whether a film needs a proxy to seek exactly and play lightly: all but intra-only films
    no wider than full HD."""
    return not info.intra_only or info.width > 1920


def proxy_path(fingerprint: str, width: int = WIDTH, folder: Path | None = None,
               version: int = VERSION) -> Path:
    safe = fingerprint.replace(":", "-")  # no ':' in file names (Windows, the Finder)
    return (folder or proxy_dir()) / f"{safe}-w{width}-v{version}.mp4"


def cached_proxy(source: Path | str, width: int = WIDTH, folder: Path | None = None,
                 fingerprint: str | None = None) -> Path | None:
    """The proxy already made for this film's content, or None."""
    path = proxy_path(fingerprint or content_hash(Path(source)), width, folder)
    return path if path.is_file() else None


def pad_frames(info: MediaInfo) -> int:
    """Frames of the last picture appended after the film's own (see the module doc)."""
    return PAD_SECONDS * info.rate.nominal


def ffmpeg_command(info: MediaInfo, out: Path, width: int = WIDTH) -> list[str]:
    """One pass over the film: decode, scale, encode every frame as a key frame, copy the
    sound. Nothing is probed or decoded a second time."""
    tool = proxy_ffmpeg()
    if tool is None:
        raise MediaError("ffmpeg is not installed; Cuesketch needs it to prepare the film")
    w, h = proxy_size(info, width)
    decoding = ["-skip_loop_filter", "all"]  # see the module doc
    encoding: list[str] = []
    threads = thread_counts(info.width * info.height) if tool.threaded else None
    if threads is not None:  # the stages run side by side: the decoder keeps to its share
        decoding += ["-threads", str(threads[0])]
        encoding = ["-threads", str(threads[1])]
    cmd = [tool.path, "-nostdin", "-v", "error", "-nostats", "-progress", "pipe:1", "-y",
           *decoding, "-i", str(info.path), "-map", "0:v:0",
           # (a film already this size passes the scale untouched)
           "-vf", f"scale={w}:{h}:flags={SCALER},setsar=1,"
           f"tpad=stop_mode=clone:stop={pad_frames(info)}",
           "-fps_mode", "passthrough",
           # all-intra (-g 1, no B-frames) is what makes seeks exact; "ultrafast" at a fixed
           # quantizer skips rate control and look-ahead; "fastdecode" keeps playback light
           "-c:v", "libx264", "-preset", "ultrafast", "-tune", "fastdecode",
           "-qp", str(QUANTIZER), "-x264-params", "ipratio=1",  # I-frames at that quantizer
           "-g", "1", "-bf", "0", "-pix_fmt", "yuv420p", *encoding]
    if info.audio:
        sound = info.audio[0]
        cmd += ["-map", f"0:{sound.index}"]
        cmd += ["-c:a", "copy"] if sound.codec in COPIED_SOUND else ["-c:a", "alac"]
    # the proxy says what it is: probe() then counts the film's frames, not the padding
    cmd += ["-map_metadata", "-1", "-metadata", f"comment={PROXY_TAG}{info.frame_count}",
            "-f", "mp4", str(out)]
    return cmd


ABANDONED_S = 600  # a .part file nobody wrote to for this long was left by a killed process


def _remove_abandoned(final: Path) -> None:
    """Take away half-made proxies of this film that a killed Cuesketch left behind (a proxy
    being made by another instance is written to every second, so it is never this old)."""
    now = time.time()
    for part in final.parent.glob(final.stem + ".*.part"):
        try:
            if now - part.stat().st_mtime > ABANDONED_S:
                part.unlink()
        except OSError:
            pass


def _remove_outdated(final: Path, fingerprint: str) -> None:
    """Take away this film's proxies made by an older recipe (at any size) or by this one at
    another size: the new one replaces them. A newer recipe's (a newer Cuesketch on the same
    machine) is left alone."""
    stem = proxy_path(fingerprint, 0, final.parent).name.split("-w0-")[0]
    for old in final.parent.glob(f"{stem}-w*-v*.mp4"):
        found = re.fullmatch(r"w\d+-v(\d+)\.mp4", old.name[len(stem) + 1:])
        if old != final and found is not None and int(found.group(1)) <= VERSION:
            try:
                old.unlink()
            except OSError:
                pass  # in use on a system that keeps open files: it goes another time


def make_proxy(source: Path | str, *, info: MediaInfo | None = None, width: int = WIDTH,
               on_progress: Progress | None = None, cancel: threading.Event | None = None,
               folder: Path | None = None, fingerprint: str | None = None,
               low_priority: bool = False) -> Path:
    """Make (or find in the cache) the proxy of ``source``; blocks until done.

    ``low_priority``: ffmpeg runs niced (in the background, beside playback). Raises
    ``ProxyCancelled`` when ``cancel`` is set, ``MediaError`` when ffmpeg fails or the proxy
    comes out short of the film's frames.
    """
    info = info or probe(source)
    fingerprint = fingerprint or content_hash(info.path)
    final = proxy_path(fingerprint, width, folder)
    if final.is_file():
        if on_progress:
            on_progress(1.0)
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned(final)
    fd, tmp_name = tempfile.mkstemp(prefix=final.stem + ".", suffix=".part", dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        written = _encode(info, tmp, width, on_progress, cancel, low_priority)
        # ffmpeg's own count of the frames it wrote: no second pass over the file to count
        frames = written - pad_frames(info)
        if frames < info.frame_count - 1:  # one frame of slack: some containers only
            # give a length, from which the film's frame count was reckoned
            raise MediaError(f"the proxy of {info.name} came out short ({max(0, frames)} of "
                             f"{info.frame_count} frames); the film may be damaged")
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    _remove_outdated(final, fingerprint)
    if on_progress:
        on_progress(1.0)
    return final


def _lower_priority(proc: subprocess.Popen[str]) -> None:
    """Let playback and the window have the processor first."""
    if sys.platform == "win32":
        return  # started below normal priority (creationflags)
    try:
        own = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, proc.pid, min(19, own + NICENESS))
    except OSError:
        pass  # it has ended already, or the system says no: it only runs faster


def _encode(info: MediaInfo, out: Path, width: int, on_progress: Progress | None,
            cancel: threading.Event | None, low_priority: bool = False) -> int:
    """Run ffmpeg; returns the number of frames it wrote (the padding included)."""
    flags = 0
    if low_priority and sys.platform == "win32":
        flags = subprocess.BELOW_NORMAL_PRIORITY_CLASS  # type: ignore[attr-defined]
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(ffmpeg_command(info, out, width), stdout=subprocess.PIPE,
                                stderr=errors, text=True, creationflags=flags)
        if low_priority:
            _lower_priority(proc)
        stopper = None
        if cancel is not None:  # ffmpeg's progress lines come only every half second
            def watch() -> None:
                while proc.poll() is None:
                    if cancel.wait(0.05):
                        proc.terminate()
                        return
            stopper = threading.Thread(target=watch, name="proxy-cancel", daemon=True)
            stopper.start()
        assert proc.stdout is not None
        written = 0
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if key == "frame" and value.isdigit():
                written = int(value)  # the last report, at "progress=end", is the total
                if on_progress:
                    on_progress(min(0.99, written / max(1, info.frame_count)))
        rc = proc.wait()
        if stopper is not None:
            stopper.join()
        if cancel is not None and cancel.is_set():
            raise ProxyCancelled(f"the proxy of {info.name} was cancelled")
        if rc != 0:
            errors.seek(0)
            lines = [ln for ln in errors.read().splitlines() if ln.strip()]
            raise MediaError(f"could not prepare {info.name} for frame-accurate playback: "
                             f"{lines[-1] if lines else f'ffmpeg exit status {rc}'}")
    return written


class ProxyJob:
    """``make_proxy`` on a background thread, with ffmpeg at a low priority. ``on_done(path,
    error)`` is called on that thread when it ends: a path, or an error message (None for both
    when cancelled).

    ``start_when``: ffmpeg starts only once this says True (asked every 20 ms), or after
    ``start_within`` seconds at the latest: the window shows the film's first frame before the
    proxy takes the processor."""

    GATE_POLL_S = 0.02

    def __init__(self, source: Path | str, *, info: MediaInfo | None = None,
                 width: int = WIDTH, on_progress: Progress | None = None,
                 on_done: Callable[[Path | None, str | None], None] | None = None,
                 folder: Path | None = None, start_when: Callable[[], bool] | None = None,
                 start_within: float = 3.0) -> None:
        self.source = Path(source)
        self.progress = 0.0
        self.result: Path | None = None
        self.error: str | None = None
        self.cancelled = False
        self.started = time.monotonic()
        self.encoding_since: float | None = None  # when the gate opened (monotonic)
        self._cancel = threading.Event()
        self._info, self._width, self._folder = info, width, folder
        self._on_progress, self._on_done = on_progress, on_done
        self._start_when, self._start_within = start_when, start_within
        self._thread = threading.Thread(target=self._run, name="proxy", daemon=True)
        self._thread.start()

    def _progress(self, value: float) -> None:
        self.progress = value
        if self._on_progress:
            self._on_progress(value)

    def _wait_for_gate(self) -> None:
        if self._start_when is None:
            return
        deadline = time.monotonic() + self._start_within
        while time.monotonic() < deadline and not self._cancel.is_set():
            try:
                if self._start_when():
                    return
            except Exception:  # a gate that fails must not keep the proxy from being made
                return
            self._cancel.wait(self.GATE_POLL_S)

    def _run(self) -> None:
        try:
            self._wait_for_gate()
            if self._cancel.is_set():
                raise ProxyCancelled(f"the proxy of {self.source.name} was cancelled")
            self.encoding_since = time.monotonic()
            self.result = make_proxy(self.source, info=self._info, width=self._width,
                                     on_progress=self._progress, cancel=self._cancel,
                                     folder=self._folder, low_priority=True)
        except ProxyCancelled:
            self.cancelled = True
        except (MediaError, OSError) as e:
            self.error = str(e)
        if self._on_done:
            self._on_done(self.result, self.error)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def cancel(self) -> None:
        self._cancel.set()

    def close(self, timeout: float = 3.0) -> None:
        """Stop ffmpeg and take its half-made file away before the app quits (ffmpeg ignores
        the broken pipe of a parent that went away, and would run on)."""
        if self.running:
            self.cancel()
            self.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """True when the job ended within ``timeout``."""
        self._thread.join(timeout)
        return not self._thread.is_alive()
