"""Film lane figures: the picture strip, the waveform summaries, speech detection, and the roll's
repaint with the three lanes shown.

The media are generated once into a folder under the system's temp (not timed): a 1080p24 H.264
film (B-frames, a key frame every 2 s), a 10-minute 48 kHz stereo AAC sound, and the
10-minute soundtrack of ``speech_soundtrack`` (espeak-ng lines under music and effects).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

MEDIA = Path(tempfile.gettempdir()) / "cuesketch-bench-film-lanes"
FILM_SECONDS = 90


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def film_1080p() -> Path:
    """A 1080p24 H.264 film with B-frames, a key frame every 2 s, and stereo AAC sound."""
    MEDIA.mkdir(parents=True, exist_ok=True)
    path = MEDIA / f"film-1080p24-{FILM_SECONDS}s.mp4"
    if not path.exists():
        part = path.with_suffix(".part.mp4")
        _ffmpeg("-f", "lavfi", "-i", f"testsrc2=s=1920x1080:r=24:d={FILM_SECONDS}",
                "-f", "lavfi", "-i", f"sine=f=330:d={FILM_SECONDS}:sample_rate=48000",
                "-c:v", "libx264", "-preset", "superfast", "-crf", "23", "-g", "48",
                "-bf", "3", "-pix_fmt", "yuv420p", "-c:a", "aac", "-ac", "2", "-b:a", "128k",
                "-shortest", str(part))
        part.rename(path)
    return path


def soundtrack() -> tuple[Path, list[tuple[float, float]]]:
    """The 10-minute speech soundtrack (WAV) and its truth."""
    from speech_soundtrack import make_soundtrack
    MEDIA.mkdir(parents=True, exist_ok=True)
    wav, truth_file = MEDIA / "soundtrack-22.wav", MEDIA / "soundtrack-22.json"
    if not (wav.exists() and truth_file.exists()):
        made = make_soundtrack(wav, 600.0, seed=22)
        truth_file.write_text(json.dumps(made.truth))
    return wav, [(a, b) for a, b in json.loads(truth_file.read_text())]


def sound_aac() -> Path:
    """The soundtrack as a film carries it: 48 kHz stereo AAC, 10 minutes."""
    path = MEDIA / "soundtrack-22.m4a"
    if not path.exists():
        wav, _ = soundtrack()
        _ffmpeg("-i", str(wav), "-c:a", "aac", "-b:a", "192k", str(path))
    return path


def film_with_soundtrack() -> Path:
    """Ten minutes of small picture over the soundtrack: for the roll's repaint with lanes."""
    path = MEDIA / "film-360p-soundtrack.mp4"
    if not path.exists():
        _ffmpeg("-f", "lavfi", "-i", "testsrc2=s=640x360:r=24:d=600", "-i", str(sound_aac()),
                "-c:v", "libx264", "-preset", "ultrafast", "-g", "48", "-pix_fmt", "yuv420p",
                "-c:a", "copy", "-shortest", str(path))
    return path


def figure_thumbnails_x_realtime() -> dict[str, float]:
    """The film's length over the time until the picture strip at the default zoom (100 px a
    second, a thumbnail every 92 px) has a picture in every place: the key-frame pass over the
    whole film. Also: the exact frames of one 1800 px screen at that zoom, and the refined
    grid (a frame every second, the whole film decoded at low priority) in x real time, and
    that screen again from the film's proxy."""
    from cuesketch.media.probe import probe
    from cuesketch.media.thumbnails import ThumbnailJob
    film = film_1080p()
    info = probe(film)
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        t0 = time.perf_counter()
        job = ThumbnailJob(info, folder=Path(cache), fingerprint="bench", refine=True)
        while job.phase == "keyframes":
            time.sleep(0.005)
        keyframes_s = time.perf_counter() - t0
        slots = [round(k * 0.92 * 24) for k in range(int(FILM_SECONDS / 0.92))]
        assert all(job.strip.at(f) is not None for f in slots)
        out["value"] = FILM_SECONDS / keyframes_s
        out["keyframe_pass_s"] = keyframes_s
        out["keyframes"] = len(job.strip)
        job.wait(600)
        out["refined_x_realtime"] = FILM_SECONDS / (time.perf_counter() - t0)
        out["refined_frames"] = len(job.strip)
        # one screen at the default zoom, 30 s in: its 20 thumbnails exact
        screen = [round((30 + k * 0.92) * 24) + 5 for k in range(20)]
        t1 = time.perf_counter()
        job.request(screen)
        job.wait_requests(120)
        out["exact_screen_s"] = time.perf_counter() - t1
        assert all(job.strip.has(f) for f in screen)
        job.close()
        # the same, once the picture has made the film's frame-accurate proxy: seeked to
        from cuesketch.media.proxy import make_proxy, proxy_info
        proxy = make_proxy(film, info=info, folder=Path(cache))
        copy = proxy_info(info, proxy)
        job = ThumbnailJob(info, folder=Path(cache), fingerprint="bench-proxy", refine=False,
                           exact_source=lambda: copy)
        job.wait(120)
        screen = [f + 240 for f in screen]
        t2 = time.perf_counter()
        job.request(screen)
        job.wait_requests(120)
        out["exact_screen_from_proxy_s"] = time.perf_counter() - t2
        assert all(job.strip.has(f) for f in screen) and job.requests_from_copy == 1
        job.close()
    return {k: round(v, 2) for k, v in out.items()}


def figure_peaks_x_realtime() -> dict[str, float]:
    """Ten minutes of 48 kHz stereo AAC over the time to decode it and build the summaries
    (three levels, each channel and the sum), ffmpeg at normal priority (the app nices it);
    also the processor time it took, and the time to read them back from the cache."""
    from cuesketch.media.peaks import make_peaks
    sound = sound_aac()
    import resource
    runs, cpu = [], []
    with tempfile.TemporaryDirectory() as cache:
        for k in range(3):
            t0 = time.perf_counter()
            c0 = [resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                   resource.RUSAGE_CHILDREN)]
            peaks = make_peaks(sound, 0, sample_rate=48000, channels=2, duration_s=600,
                               folder=Path(cache), fingerprint=f"bench{k}",
                               low_priority=False)
            runs.append(time.perf_counter() - t0)
            c1 = [resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                   resource.RUSAGE_CHILDREN)]
            cpu.append(sum(b.ru_utime + b.ru_stime - a.ru_utime - a.ru_stime
                           for a, b in zip(c0, c1)))
        t1 = time.perf_counter()
        again = make_peaks(sound, 0, sample_rate=48000, channels=2, duration_s=600,
                           folder=Path(cache), fingerprint="bench0")
        cached_ms = (time.perf_counter() - t1) * 1000
    assert again.frames == peaks.frames and peaks.frames > 48000 * 599
    seconds = peaks.frames / 48000
    return {"value": round(seconds / statistics.median(runs), 1),
            "slowest_x_realtime": round(seconds / max(runs), 1),
            # the processor time taken (ffmpeg's and ours): what it is on an idle machine
            "cpu_x_realtime": round(seconds / statistics.median(cpu), 1),
            "cached_read_ms": round(cached_ms, 1)}


_SPEECH: dict[str, float] = {}


def _speech() -> dict[str, float]:
    if not _SPEECH:
        from speech_soundtrack import score

        from cuesketch.media.speech import detect_speech
        from cuesketch.timing.units import FLICKS_PER_SECOND
        wav, truth = soundtrack()
        t0 = time.perf_counter()
        result = detect_speech(wav)
        elapsed = time.perf_counter() - t0
        found = [(a / FLICKS_PER_SECOND, b / FLICKS_PER_SECOND) for a, b in result.regions]
        _SPEECH.update(score(truth, found, 600.0))
        _SPEECH["x_realtime"] = 600.0 / elapsed
    return _SPEECH


def figure_speech_f1() -> dict[str, float]:
    """F1 of speech time (10 ms frames) on the 10-minute soundtrack: lines by espeak-ng under
    music and effects at -6 to -20 dB, truth from each line's own non-silent spans."""
    s = _speech()
    return {"value": round(s["f1"], 3), "precision": round(s["precision"], 3),
            "recall": round(s["recall"], 3), "true_regions": s["true_regions"],
            "found_regions": s["found_regions"]}


def figure_speech_boundary_ms_p90() -> dict[str, float]:
    """The 90th percentile of the error (ms) of the regions' edges against the truth's."""
    s = _speech()
    return {"value": round(s["boundary_ms_p90"], 1),
            "median": round(s["boundary_ms_median"], 1)}


def figure_speech_x_realtime() -> float:
    """Ten minutes of sound over the time to find the speech in it (decoding included)."""
    return round(_speech()["x_realtime"], 1)


def _lanes_repaint_ms(app, lanes, repeats: int = 41) -> float:  # type: ignore[no-untyped-def]
    """The three lanes alone, repainted whole and flushed: their share of a full repaint."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for lane in lanes:
            lane.repaint()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def figure_pianoroll_repaint_ms_median_film_lanes() -> dict[str, float]:
    """``pianoroll_repaint_ms_median`` with the picture strip, the waveform and the speech band
    shown over the notes (a film under the whole ten-minute view, its speech detected), their
    thumbnails and summaries made: the median full repaint of the 1920x1080 roll."""
    from bench_pianoroll import DENSE_VIEW, ZOOMED_IN_VIEW, _full_repaint_ms, _roll, big_project

    from cuesketch.media.speech import detect_speech
    from cuesketch.model.entities import Media
    from cuesketch.ui.film_lane_setup import FilmLaneSetup
    film = film_with_soundtrack()
    project = big_project()
    rate = project.settings.rate
    from dataclasses import replace
    project.settings = replace(project.settings, media=Media(
        str(film), "", rate.flicks_to_frame(DENSE_VIEW[0])))
    app, roll, _ = _roll(project)
    roll.geo.key_h = 9
    roll.geo.top = 104
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as cache:
        setup = FilmLaneSetup(roll, roll.document, Path(cache) / "p.cuesketch", lambda _t: None,
                              cache=Path(cache), refine=False)
        assert setup.jobs.wait(300)
        deadline = time.monotonic() + 120
        while setup.jobs.peaks is None and time.monotonic() < deadline:
            time.sleep(0.05)
        origin = setup.jobs.film_time.origin if setup.jobs.film_time else 0
        spans = [(a + origin, b + origin) for a, b in detect_speech(film).regions]
        setup.lanes.speech.edits.replace_detection(spans)
        app.processEvents()
        for name, (start, end) in (("zoomed_out_10min", DENSE_VIEW),
                                   ("zoomed_in_20s", ZOOMED_IN_VIEW)):
            roll.show_range(start, end)
            app.processEvents()
            setup.lanes.picture.ask_exact()
            job = setup.jobs.thumbs
            if job is not None:
                job.wait_requests(120)
            app.processEvents()
            out[name] = _full_repaint_ms(app, roll)
            out[f"{name}_lanes_only"] = _lanes_repaint_ms(app, setup.lanes.timed())
        out["speech_regions"] = len(roll.document.project.speech_regions)
        out["value"] = max(out["zoomed_out_10min"], out["zoomed_in_20s"])
        setup.close()
    roll.close()
    return {k: round(v, 2) for k, v in out.items()}


if __name__ == "__main__":  # one figure by name, for a quick look
    print(globals()[f"figure_{sys.argv[1]}"]())
    shutil.rmtree(MEDIA / "none", ignore_errors=True)
