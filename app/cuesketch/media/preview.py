"""Preview movies: the sketch over the original film, for the director to watch anywhere.

    film = locate_film(project_path, project.settings)        # the original, checked by hash
    plan = plan_for(project, film, PreviewOptions(cue="1M3", watermark="For R. Smith"))
    result = export_preview(project, film, plan, Path("1M3_v4.mp4"), progress=..., cancel=...)

Three steps, each on the film's own time line so a hit sounds on its frame:

1. the sound (``engine.preview_mix``): the sketch rendered by the playback synth from the
   first frame's instant, mixed with the film's sound at the chosen level, measured for
   loudness (loudnorm's first pass);
2. the movie (``media.preview_graph``): one ffmpeg run decodes the film from a key frame
   before the range, cuts exactly the range's frames, scales, draws the burn-in and the marks,
   encodes H.264 (yuv420p) and the mix, normalized to the target, as AAC, with the tags and a
   timecode track (tmcd) at the first frame's timecode;
3. the check: ffmpeg's own count of the frames written must be the range's.

The movie is written under a hidden name in the target folder and renamed when whole: a
cancel, a failure or a full disk leaves nothing. The film is only read.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from cuesketch.engine.preview_mix import (CancelFlag, FilmSound, MixCancelled, MixError,
                                          MixResult, last_error, meter_figures, mix_sound,
                                          settled_filter)
from cuesketch.engine.soundfonts import SoundFontError
from cuesketch.files import commit_file, content_hash, hash_size, os_words, remove_quietly, \
    temp_beside
from cuesketch.media.overlays import OverlayOptions
from cuesketch.media.preview_graph import (encode_command, film_start, full_graph, mark_runs,
                                           video_graph, write_texts)
from cuesketch.media.preview_plan import (FilmFacts, PreviewCancelled, PreviewError,
                                          PreviewOptions, PreviewPlan, plan_preview)
from cuesketch.media.probe import MediaError, MediaInfo, probe
from cuesketch.media.probe import video_start_time as probe_video_start
from cuesketch.media.proxy import cached_proxy
from cuesketch.model.entities import Settings
from cuesketch.model.project import Project
from cuesketch.store.relink import check_link

SOUND_SHARE = 0.12  # of the progress bar: the sound's pass (the encode is the rest)
MIN_BITS_PER_PIXEL = 0.02  # H.264 at CRF 20 rarely goes below this: the disk check's floor


@dataclass(frozen=True)
class Film:
    """The original film, found and read: where, its facts, its picture's first instant."""

    path: Path
    info: MediaInfo
    video_start: Fraction  # the first frame's time stamp in the file (s)
    offset_frames: int

    def facts(self) -> FilmFacts:
        return FilmFacts(self.info.frame_count, self.info.width, self.info.height,
                         self.offset_frames, bool(self.info.audio))


@dataclass(frozen=True)
class Progress:
    fraction: float  # 0..1
    seconds_left: float | None  # None until it can be told
    phase: str  # "sound", "picture"


@dataclass(frozen=True)
class PreviewResult:
    path: Path
    plan: PreviewPlan
    frames: int
    seconds: float  # how long it took
    loudness: float | None  # LUFS, integrated, as encoded (loudnorm's second pass)
    size: int  # bytes


def locate_film(project_path: Path | None, settings: Settings) -> Film:
    """The project's original film (not the proxy), found as the window finds it: by its path
    from the project, checked by its content hash; PreviewError says what is wrong."""
    media = settings.media
    if media is None or project_path is None:
        raise PreviewError("the project has no film; a preview is the sketch over the film "
                           "(link one: File ▸ Relink Film…)")
    link = check_link(project_path, media)
    if not link.found:
        raise PreviewError(f"the film is missing: {link.path} is not there (moved, renamed, "
                           "or on a drive that is not connected?); relink it (File ▸ Relink "
                           "Film…, or open the project in the window)")
    if not link.same:
        raise PreviewError(different_film(link.path, media.content_hash))
    try:
        info = probe(link.path, check_decode=False)
    except MediaError as e:
        raise PreviewError(str(e)) from None
    if info.rate.fps != settings.rate.fps:
        raise PreviewError(f"{info.name} runs at {info.rate.name} fps but the project at "
                           f"{settings.rate.name} fps: its frames would not line up with the "
                           "project's timecode")
    return Film(link.path, info, video_start_time(link.path), media.offset_frames)


def different_film(path: Path, expected_hash: str) -> str:
    """Why the linked file is not the project's film: its content hash and, where it can be
    told, its length differ (a different cut)."""
    try:
        found_hash = content_hash(path)
    except OSError as e:
        return f"the film {path} can't be read: {os_words(e)}"
    parts = [f"its content hash differs (the project's film: {expected_hash}; "
             f"this file: {found_hash})"]
    was_size, now_size = hash_size(expected_hash), hash_size(found_hash)
    if was_size is not None and now_size is not None and was_size != now_size:
        parts.append(f"its size differs ({was_size:,} bytes then, {now_size:,} now)")
    try:
        now = probe(path, check_decode=False)
        proxy = cached_proxy(path, fingerprint=expected_hash)
        if proxy is not None:
            was = probe(proxy, check_decode=False)
            if was.frame_count != now.frame_count:
                parts.append(f"its length differs ({was.frame_count} frames then, "
                             f"{now.frame_count} now)")
        else:
            parts.append(f"it runs {now.frame_count} frames ({now.duration_s:.2f} s)")
    except (MediaError, OSError):
        pass
    return (f"the film at {path} is not the film this project was made with: "
            + "; ".join(parts) + ". It may be another cut: relink the project to its film "
            "(File ▸ Relink Film…) or spot the project to this cut first")


def video_start_time(path: Path) -> Fraction:
    """The picture's first time stamp (``probe.video_start_time``, which the film lanes
    use too); 0 when not said."""
    try:
        return probe_video_start(path)
    except MediaError as e:
        raise PreviewError(f"{e}; Cuesketch needs ffmpeg for previews") from None


def plan_for(project: Project, film: Film, options: PreviewOptions,
             snapshot_names: Iterable[str] = (), soundfont: str = "") -> PreviewPlan:
    return plan_preview(project, film.facts(), options, snapshot_names,
                        soundfont or project.settings.soundfont)


def check_target(out: Path, plan: PreviewPlan) -> None:
    """The folder exists and takes files, and has room for the movie (roughly)."""
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise PreviewError(f"there is no folder {folder} to write {out.name} in")
    if out.is_dir():
        raise PreviewError(f"{out} is a folder; name the movie to write")
    probe_file = temp_beside(out).with_suffix(".probe")
    try:
        probe_file.write_bytes(b"")
    except OSError as e:
        raise PreviewError(f"can't write in the folder {folder}: {os_words(e)}") from None
    finally:
        remove_quietly(probe_file)
    need = estimated_bytes(plan)
    free = shutil.disk_usage(folder).free
    if free < need:
        raise PreviewError(f"the disk is full: {out.name} needs about {need / 1e6:,.0f} MB "
                           f"and {folder} has {free / 1e6:,.0f} MB free")


def estimated_bytes(plan: PreviewPlan) -> int:
    """A floor for the movie's size: H.264 at its leanest plus the AAC sound."""
    pixels = plan.width * plan.height * plan.frame_count
    return int(pixels * MIN_BITS_PER_PIXEL / 8 + plan.seconds * 24_000) + 1_000_000


def export_preview(project: Project, film: Film, plan: PreviewPlan, out: Path, *,
                   soundfont: str = "default",
                   progress: Callable[[Progress], None] | None = None,
                   cancel: CancelFlag | None = None,
                   overlay: OverlayOptions = OverlayOptions()) -> PreviewResult:
    """Render, mix and encode ``plan`` to ``out``; whole or not at all."""
    out = Path(out)
    check_target(out, plan)
    began = time.monotonic()
    tmp = temp_beside(out)
    work = _work_folder()
    ticker = _Ticker(progress, began)
    try:
        mix = _sound(project, film, plan, work, soundfont, cancel, ticker)
        texts = write_texts(plan, work) if plan.options.burn_in else None
        runs = mark_runs(project.hits.values(), project.settings.rate, plan.first_frame,
                         plan.frame_count, plan.width, plan.height, overlay) \
            if plan.options.streamers else []
        graph = video_graph(plan, film.video_start, texts, runs, film.info.width,
                            film.info.height, overlay)
        try:
            audio, _ = settled_filter(mix.path, mix.measured, plan.options.loudness, cancel)
        except MixCancelled:
            raise PreviewCancelled("the preview was cancelled; no file was written") from None
        if cancel is not None and cancel.is_set():
            raise PreviewCancelled("the preview was cancelled; no file was written")
        script = work / "graph.txt"
        script.write_text(full_graph(graph, True, audio), encoding="utf-8")
        cmd = encode_command(plan, film.path, film.video_start, script, mix.path, audio, tmp)
        frames, log = _encode(cmd, plan, cancel, ticker)
        if frames != plan.frame_count:
            raise PreviewError(f"the movie came out with {frames} frames instead of "
                               f"{plan.frame_count}; the film may be damaged near "
                               f"{plan.start_timecode}")
        try:
            commit_file(tmp, out)
        except OSError as e:
            raise PreviewError(f"can't write {out}: {os_words(e)}") from None
    except FileNotFoundError as e:
        raise PreviewError(f"{e.filename or 'ffmpeg'} is not installed; Cuesketch needs "
                           "ffmpeg for previews") from None
    except SoundFontError as e:
        raise PreviewError(str(e)) from None
    except OSError as e:
        raise PreviewError(f"can't write {out}: {os_words(e)}") from None
    finally:
        remove_quietly(tmp)
        shutil.rmtree(work, ignore_errors=True)
    ticker.done()
    measured = meter_figures(log)
    loudness = measured["input_i"] if measured is not None else None
    return PreviewResult(out, plan, frames, time.monotonic() - began, loudness,
                         out.stat().st_size)


def _work_folder() -> Path:
    """A private folder for the texts, the filters and the mix. ffmpeg's filters read files
    by name, so its path must be plain (letters, digits, / . _ -)."""
    for parent in (None, "/tmp", "/var/tmp"):
        if parent is not None and not Path(parent).is_dir():
            continue
        work = Path(tempfile.mkdtemp(prefix="cuesketch-preview-", dir=parent))
        if all(c.isalnum() or c in "/._-" for c in str(work)):
            return work
        shutil.rmtree(work, ignore_errors=True)
    raise PreviewError("no temporary folder with a plain name (letters, digits, / . _ -) "
                       "was found for ffmpeg's files; set TMPDIR to one")


def _sound(project: Project, film: Film, plan: PreviewPlan, work: Path, soundfont: str,
           cancel: CancelFlag | None, ticker: _Ticker) -> MixResult:
    rate = project.settings.rate
    start = rate.frame_to_flicks(plan.first_frame)
    end = rate.frame_to_flicks(plan.end_frame)
    sound = None
    o = plan.options
    if o.film_level is not None and film.info.audio:
        sound = FilmSound(film.path, film.info.audio[0].index,
                          film_start(plan, film.video_start), o.film_level)
    try:
        return mix_sound(project, start, end, work / "mix.wv", film=sound,
                         soundfont=soundfont, loudness=o.loudness, cancel=cancel,
                         progress=lambda f: ticker.report(f * SOUND_SHARE, "sound"))
    except MixCancelled:
        raise PreviewCancelled("the preview was cancelled; no file was written") from None
    except MixError as e:
        raise PreviewError(str(e)) from None


def _encode(cmd: list[str], plan: PreviewPlan, cancel: CancelFlag | None,
            ticker: _Ticker) -> tuple[int, str]:
    """Run the encode; returns ffmpeg's count of frames written and its messages."""
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errors, text=True)
        stopped = threading.Event()
        if cancel is not None:
            def watch() -> None:  # ffmpeg reports only twice a second: watch the flag
                while proc.poll() is None:
                    if cancel.is_set():
                        stopped.set()
                        proc.kill()
                        return
                    time.sleep(0.05)
            threading.Thread(target=watch, name="preview-cancel", daemon=True).start()
        assert proc.stdout is not None
        written = 0
        began = time.monotonic()
        try:
            for line in proc.stdout:
                key, _, value = line.strip().partition("=")
                if key == "frame" and value.isdigit():
                    written = int(value)
                    part = min(1.0, written / max(1, plan.frame_count))
                    ticker.report(SOUND_SHARE + (1 - SOUND_SHARE) * part, "picture",
                                  _left(time.monotonic() - began, part))
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        rc = proc.wait()
        errors.seek(0)
        log = errors.read()
    if stopped.is_set() or (cancel is not None and cancel.is_set()):
        raise PreviewCancelled("the preview was cancelled; no file was written")
    if rc != 0:
        raise PreviewError(f"the movie could not be encoded: {last_error(log)}")
    return written, log


def _left(elapsed: float, part: float) -> float | None:
    return elapsed * (1 - part) / part if part > 0.02 and elapsed > 0.5 else None


class _Ticker:
    """Progress as the bar shows it; time left from the whole's pace until the encode
    tells its own."""

    def __init__(self, sink: Callable[[Progress], None] | None, began: float) -> None:
        self.sink, self.began = sink, began
        self.last = 0.0

    def report(self, fraction: float, phase: str, left: float | None = None) -> None:
        if self.sink is None:
            return
        now = time.monotonic()
        if now - self.last < 0.1 and fraction < 1.0:
            return
        self.last = now
        if left is None:
            left = _left(now - self.began, fraction)
        self.sink(Progress(fraction, left, phase))

    def done(self) -> None:
        if self.sink is not None:
            self.sink(Progress(1.0, 0.0, "done"))


__all__ = ["export_preview", "locate_film", "plan_for", "Film", "Progress", "PreviewResult",
           "PreviewError", "PreviewCancelled", "PreviewOptions", "different_film",
           "check_target", "video_start_time"]
