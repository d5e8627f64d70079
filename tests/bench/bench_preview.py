"""Preview movie figures: hits on their frames, the burned-in timecode read back, the speed
against one plain ffmpeg command, and no drift over two hours.

- ``preview_hit_offset_frames_max``: a numbered film (each frame's number in its pixels) at
  23.976, 24, 25 and 29.97 DF, placed 12 frames after the project start, a cue over it with
  a click note on 20 hits at random frames; the cue exported (with handles, the film's sound
  under it, loudness-normalized); in the movie, each click's onset found in the decoded sound
  and the number of the frame shown at that instant read from its pixels: the largest
  |frames off| over every hit at every rate (and hits with no click found).
- ``preview_tc_burn_in_errors``: a 3-minute 29.97 DF film from 01:00:30;00 (crossing three
  minute marks, each dropping ;00 and ;01) exported with the burn-in; the timecode read back
  by tesseract on 520 frames (every frame within 3 of each dropped-frame boundary, the rest
  at random) and the .mov's tmcd track read by ffprobe: disagreements with the frame's true
  project timecode.
- ``preview_speed_vs_ffmpeg``: a 60 s 1080p cue: one plain ffmpeg command doing the same
  decode, cut, scale (to 720p), drawtext (timecode, cue, version) and encode (x264
  veryfast, AAC) against ``export_preview`` (which also renders and mixes the sketch and
  normalizes the loudness): plain time / ours, best of two.
- ``preview_av_drift_frames_2h``: a 2-hour 23.976 numbered film at 128x72 (the code boxes
  alone), 20 hits in it, the last a minute before the end; the whole film exported
  (ultrafast, the sketch's sound alone); the clicks of the last three minutes found and the
  frames shown then read: frames off (0: no drift).

The machine has 2 cores shared with other work: times are noisy.
"""

from __future__ import annotations

import os
import random
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from preview_rig import SyncRig, hit_offsets, start_frame_of, sync_rig

from cuesketch.media.preview import export_preview, locate_film, plan_for
from cuesketch.media.preview_plan import PreviewOptions
from cuesketch.media.testfilm import filter_graph, make_numbered_film
from cuesketch.model.project import Project
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.timecode import Timecode, format_timecode, parse_timecode

RATES = ("23.976", "24", "25", "29.97df")


def _export(rig: SyncRig, out: Path, **options: object) -> Path:
    film = locate_film(rig.project_path, rig.project.settings)
    plan = plan_for(rig.project, film, PreviewOptions(**options))  # type: ignore[arg-type]
    export_preview(rig.project, film, plan, out)
    return out


def figure_preview_hit_offset_frames_max() -> dict[str, object]:
    worst = 0
    missed = 0
    per_rate: dict[str, int] = {}
    late: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, name in enumerate(RATES):
            rig = sync_rig(Path(tmp) / name, name, hits=20, seconds=30.0, seed=11 + i)
            out = _export(rig, Path(tmp) / f"{name}.{'mov' if i % 2 else 'mp4'}", cue="1M1",
                          handles=1.0, burn_in=False, film_level=-30.0,
                          format="mov" if i % 2 else "mp4")
            offsets, lost = hit_offsets(out, rig, 320, 180, late_ms=late)
            per_rate[name] = max((abs(o) for o in offsets), default=99)
            worst = max(worst, per_rate[name])
            missed += lost + max(0, len(offsets) - 20)
    return {"value": worst, "per_rate": per_rate, "hits_without_one_click": missed,
            "hits": 20 * len(RATES),
            "click_onset_ms_after_its_frame": [round(min(late), 2), round(max(late), 2)]}


# -- the burned-in timecode, read back -----------------------------------------------------------

def _ocr(images: list[Path]) -> list[str]:
    """tesseract on each image (one run for them all: a list file), one line each."""
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise RuntimeError("tesseract is not installed (packaging/system-deps.sh)")
    listing = images[0].parent / "list.txt"
    listing.write_text("\n".join(str(p) for p in images) + "\n")
    out = subprocess.run([tesseract, str(listing), "stdout", "--psm", "7", "-c",
                          "tessedit_char_whitelist=0123456789:;"],
                         capture_output=True, text=True, check=True).stdout
    pages = out.split("\f")
    return [p.strip().replace(" ", "") for p in pages[:len(images)]]


def _write_pgm(path: Path, pixels: np.ndarray) -> None:
    h, w = pixels.shape
    path.write_bytes(f"P5 {w} {h} 255\n".encode() + pixels.tobytes())


def figure_preview_tc_burn_in_errors() -> dict[str, object]:
    rate = STANDARD_RATES["29.97df"]
    width, height = 640, 360
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        film = make_numbered_film(folder / "film.mp4", fps=rate.fps, seconds=180,
                                  size=(width, height), audio=True)
        rig = sync_rig(folder, "29.97df", hits=4, seconds=180, size=(width, height),
                       offset_frames=0, film=film)
        start = parse_timecode("01:00:30;00", rate)
        project = rig.project
        project.settings = replace(project.settings, start_frame=start)
        from cuesketch.store.project_file import ProjectFile
        ProjectFile.write_new(rig.project_path, project, overwrite=True)
        out = _export(rig, folder / "tc.mov", burn_in=True, format="mov", height=None,
                      film_level=-20.0)
        count = round(180 * float(rate.fps))
        truth = [format_timecode(start + n, rate) for n in range(count)]
        boundaries = [n for n in range(1, count)
                      if Timecode.parse(truth[n], rate).seconds == 0
                      and Timecode.parse(truth[n], rate).frames == 2]
        chosen = {n + d for n in boundaries for d in range(-3, 4) if 0 <= n + d < count}
        rng = random.Random(3)
        while len(chosen) < 520:
            chosen.add(rng.randrange(count))
        frames = sorted(chosen)
        # the burn-in's text alone (bottom middle: 11 characters of DejaVu Sans Mono, 0.602
        # of the size wide each), white on its box, made black on white and enlarged
        size = max(10, round(height * 0.065))
        half_w, half_h = int(11 * 0.602 * size / 2) + 3, int(size * 0.62)
        cx, cy = width // 2, int(height * 0.92)
        x0, x1, y0, y1 = cx - half_w, cx + half_w, cy - half_h, cy + half_h
        crop = (f"crop={x1 - x0}:{y1 - y0}:{x0}:{y0},format=gray,"
                "lutyuv=y='if(gt(val,150),0,255)',scale=iw*3:ih*3:flags=neighbor")
        raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out), "-map", "0:v:0",
                              "-vf", crop, "-fps_mode", "passthrough", "-f", "rawvideo",
                              "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
        cw, ch = 3 * (x1 - x0), 3 * (y1 - y0)
        decoded = np.frombuffer(raw, dtype=np.uint8).reshape(-1, ch, cw)
        images = []
        for n in frames:
            path = folder / f"f{n:05d}.pgm"
            _write_pgm(path, decoded[n])
            images.append(path)
        read = _ocr(images)
        wrong = [(n, truth[n], text) for n, text in zip(frames, read) if text != truth[n]]
        tmcd = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "d:0",
                               "-show_entries", "stream_tags=timecode", "-of", "csv=p=0",
                               str(out)], capture_output=True, text=True).stdout.strip()
        tmcd_wrong = int(tmcd != truth[0])
    return {"value": len(wrong) + tmcd_wrong, "frames_read": len(frames),
            "dropped_frame_boundaries": len(boundaries), "frames_in_movie": len(decoded),
            "tmcd": tmcd, "first_frame_truth": truth[0], "wrong": wrong[:10]}


# -- speed against one plain ffmpeg command ------------------------------------------------------

def figure_preview_speed_vs_ffmpeg() -> dict[str, object]:
    rate = STANDARD_RATES["24"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        film = folder / "film1080.mp4"
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc2=s=1920x1080:r=24:d=70", "-f", "lavfi", "-i",
                        "sine=f=330:d=70:sample_rate=48000", "-c:v", "libx264", "-preset",
                        "ultrafast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac",
                        "-shortest", str(film)], check=True)
        rig = sync_rig(folder, "24", hits=12, seconds=70, offset_frames=0, film=film,
                       cue_margin=4.0)
        cue = next(iter(rig.project.cues.values()))
        cue = replace(cue, start_frame=4 * 24, end_frame=64 * 24)  # 60 s
        project = Project()
        project.load(rig.project.settings, [*rig.project.tracks.values(), cue,
                                            *rig.project.hits.values(),
                                            *rig.project.notes.values()])
        rig = replace(rig, project=project)
        from cuesketch.store.project_file import ProjectFile
        ProjectFile.write_new(rig.project_path, project, overwrite=True)
        first = cue.start_frame
        tc = format_timecode(project.settings.start_frame + first, rate).replace(":", "\\:")
        font = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
        plain = ["ffmpeg", "-v", "error", "-y", "-ss", f"{first / 24:.6f}", "-i", str(film),
                 "-t", "60", "-vf",
                 f"scale=1280:720,drawtext=fontfile={font}:timecode='{tc}':r=24:"
                 "fontsize=47:fontcolor=white:box=1:boxcolor=black@0.8:x=(w-tw)/2:y=h*0.92,"
                 f"drawtext=fontfile={font}:text='1M1 Sync':fontsize=32:x=20:y=20:"
                 "fontcolor=white:box=1:boxcolor=black@0.8,"
                 f"drawtext=fontfile={font}:text='v1 SKETCH':fontsize=32:x=w-tw-20:y=20:"
                 "fontcolor=white:box=1:boxcolor=black@0.8",
                 "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt",
                 "yuv420p", "-c:a", "aac", "-b:a", "192k", str(folder / "plain.mp4")]
        plain_times, ours_times, plain_cpu, ours_cpu = [], [], [], []
        for _ in range(2):
            t, c = time.perf_counter(), _cpu()
            subprocess.run(plain, check=True)
            plain_times.append(time.perf_counter() - t)
            plain_cpu.append(_cpu() - c)
            t, c = time.perf_counter(), _cpu()
            _export(rig, folder / "ours.mp4", cue="1M1", handles=0.0, height=720,
                    watermark="For R. Smith")
            ours_times.append(time.perf_counter() - t)
            ours_cpu.append(_cpu() - c)
    return {"value": round(min(plain_times) / min(ours_times), 3),
            "plain_s": round(min(plain_times), 2), "ours_s": round(min(ours_times), 2),
            "cpu_ratio": round(min(plain_cpu) / min(ours_cpu), 3),
            "load_average": round(os.getloadavg()[0], 1),
            "note": "ours also renders the sketch, mixes it and measures and sets the "
                    "loudness; cpu_ratio (processor seconds, ffmpeg and Cuesketch) is the "
                    "steadier figure on a shared machine"}


def _cpu() -> float:
    """Processor seconds used so far by this process and the processes it waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# -- two hours ---------------------------------------------------------------------------------

def _long_film(path: Path, fps: object, seconds: int, size: tuple[int, int]) -> Path:
    """A numbered film without the moving card, the digits or sound: only the code boxes,
    cheap to make for two hours."""
    boxes = filter_graph().split(",drawtext=")[0]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"color=c=gray:s={size[0]}x{size[1]}:r={fps}:d={seconds}",
                    "-vf", boxes, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "23",
                    "-pix_fmt", "yuv420p", str(path)], check=True)
    return path


def figure_preview_av_drift_frames_2h() -> dict[str, object]:
    rate = STANDARD_RATES["23.976"]
    seconds = 2 * 3600
    width, height = 128, 72
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t = time.perf_counter()
        film = _long_film(folder / "long.mp4", rate.fps, seconds, (width, height))
        made = time.perf_counter() - t
        rig = sync_rig(folder, "23.976", hits=20, seconds=seconds, size=(width, height),
                       offset_frames=0, film=film, seed=2)
        total = round(seconds * float(rate.fps))
        last = total - 60 * 24  # the last hit a minute before the end
        # 15 hits anywhere, 5 in the last three minutes (the one a minute before the end last)
        ending = tuple(last - k * 24 * 25 - 7 * k for k in range(4, -1, -1))
        hits = (*sorted(h for h in rig.hits if h < total - 200 * 24)[:15], *ending)
        from cuesketch.model.entities import Hit, Note
        project = Project()
        entities: list[object] = [*rig.project.tracks.values(), *rig.project.cues.values()]
        entities += [Hit(i + 1, f, f"hit {i + 1}") for i, f in enumerate(hits)]
        entities += [Note(i + 1, 1, rate.frame_to_flicks(f), rate.frame_to_flicks(2), 76, 127)
                     for i, f in enumerate(hits)]
        project.load(rig.project.settings, entities)  # type: ignore[arg-type]
        rig = replace(rig, project=project, hits=tuple(sorted(hits)))
        from cuesketch.store.project_file import ProjectFile
        ProjectFile.write_new(rig.project_path, project, overwrite=True)
        t = time.perf_counter()
        # the sound is the sketch alone, as it comes (the loudness and the film's sound are
        # measured above, on shorter films): what is measured here is the sync
        out = _export(rig, folder / "long_preview.mp4", burn_in=False, preset="ultrafast",
                      film_level=None, loudness=None)
        exported = time.perf_counter() - t
        # the last minutes only: the sound from 3 minutes before the end, the frames around
        from_s = (total / float(rate.fps)) - 180
        last_hits = tuple(h for h in rig.hits if h / float(rate.fps) > from_s)
        late: list[float] = []
        offsets, lost = hit_offsets(out, rig, width, height, start_sample=int(from_s * 48000),
                                    window=(from_s - 2, 200.0), hits=last_hits, late_ms=late)
        if os.environ.get("CUESKETCH_KEEP_PREVIEW"):
            shutil.copy(out, os.environ["CUESKETCH_KEEP_PREVIEW"])
    return {"value": max((abs(o) for o in offsets), default=99), "hits_checked": len(offsets),
            "offsets": offsets, "click_onset_ms_after_its_frame": [round(x, 2) for x in late],
            "hits_without_a_click": lost, "film_s": round(made, 1),
            "export_s": round(exported, 1), "last_hit_tc": format_timecode(
                start_frame_of(rate) + last, rate)}


__all__ = ["np"]
