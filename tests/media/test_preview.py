"""Preview movies as the director gets them: the cue's frames exactly, each hit's click on its
frame, the tags and the timecode track; a cancel, a missing or different film, a range
outside it, a folder that takes no file and a full disk leave no file and say why."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from preview_rig import SyncRig, decode_frames, hit_offsets, sync_rig

from cuesketch.cli import main
from cuesketch.engine import soundfonts
from cuesketch.media import preview
from cuesketch.media.preview import (PreviewCancelled, PreviewError, Progress, export_preview,
                                     locate_film, plan_for)
from cuesketch.media.preview_plan import PreviewOptions
from cuesketch.media.testfilm import make_numbered_film

pytestmark = [pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="no ffmpeg"),
              pytest.mark.skipif(soundfonts.find_default() is None,
                                 reason="no General MIDI SoundFont installed")]
W, H = 160, 90


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> SyncRig:
    return sync_rig(tmp_path_factory.mktemp("preview"), "25", hits=6, seconds=8.0,
                    size=(W, H), offset_frames=7, cue_margin=1.0)


def export(rig: SyncRig, out: Path, **options: object) -> preview.PreviewResult:
    film = locate_film(rig.project_path, rig.project.settings)
    plan = plan_for(rig.project, film, PreviewOptions(**options))  # type: ignore[arg-type]
    return export_preview(rig.project, film, plan, out)


def probe(path: Path) -> Any:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of",
                          "json", str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_the_cue_with_handles_frame_for_frame_and_each_click_on_its_hit(
        rig: SyncRig, tmp_path: Path) -> None:
    out = tmp_path / "1M1_v4.mov"
    result = export(rig, out, cue="1M1", handles=0.5, burn_in=False, format="mov",
                    film_level=-30.0, version="v4")
    plan = result.plan
    cue = rig.project.cues[1]
    assert (plan.first_frame, plan.end_frame) == (cue.start_frame - 12, cue.end_frame + 12)
    times, numbers = decode_frames(out, W, H)
    # the film's frames, each once, in order: film frame = project frame - offset
    assert numbers == list(range(plan.film_first, plan.film_end))
    assert result.frames == len(numbers) == plan.frame_count
    assert times[0] == 0.0
    offsets, missed = hit_offsets(out, rig, W, H)
    assert missed == 0 and offsets == [0] * len(rig.hits)
    info = probe(out)
    streams = info["streams"]
    kinds = [s["codec_type"] for s in streams]
    assert kinds == ["video", "audio", "data"]
    video, audio, tmcd = streams
    assert video["codec_name"] == "h264" and video["pix_fmt"] == "yuv420p"
    assert audio["codec_name"] == "aac" and audio["channels"] == 2
    assert tmcd["codec_tag_string"] == "tmcd"
    assert tmcd["tags"]["timecode"] == plan.start_timecode == "01:00:00:20"
    assert abs(float(audio["duration"]) - float(video["duration"])) < 0.03
    tags = info["format"]["tags"]
    assert tags["cuesketch_cue"] == "1M1" and tags["cuesketch_version"] == "v4"
    assert tags["cuesketch_start_timecode"] == "01:00:00:20"
    assert tags["title"] == "Sync 25 1M1 v4" and "cuesketch_soundfont" in tags
    assert result.loudness is not None and abs(result.loudness - -23.0) < 1.0
    assert leftovers(tmp_path) == []


def test_the_burn_in_is_in_the_picture_and_loudness_can_be_web(rig: SyncRig,
                                                                tmp_path: Path) -> None:
    out = tmp_path / "web.mp4"
    seen: list[Progress] = []
    film = locate_film(rig.project_path, rig.project.settings)
    plan = plan_for(rig.project, film, PreviewOptions(
        range_tc=("01:00:01:00", "01:00:06:00"), loudness=-16.0, watermark="For R. Smith",
        streamers=True))
    result = export_preview(rig.project, film, plan, out, progress=seen.append)
    assert result.frames == 125 and result.loudness is not None
    # the clicks' peaks are limited to stay under -1 dBTP, and the gain made up for it
    assert abs(result.loudness - -16.0) < 0.7
    assert seen[-1].fraction == 1.0 and [p.fraction for p in seen] == sorted(
        p.fraction for p in seen)
    assert {p.phase for p in seen} >= {"sound", "picture"}
    clean = tmp_path / "clean.mp4"
    export(rig, clean, range_tc=("01:00:01:00", "01:00:06:00"), burn_in=False)
    drawn = _frame(out, 10)
    plain = _frame(clean, 10)
    bottom = slice(int(H * 0.85), H)
    # the timecode's black box and white digits change the bottom of the picture
    assert abs(int(drawn[bottom].mean()) - int(plain[bottom].mean())) > 5
    assert probe(out)["format"]["tags"]["cuesketch_loudness_target"] == "-16 LUFS"


def _frame(movie: Path, n: int):  # type: ignore[no-untyped-def]
    import numpy as np
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(movie), "-vf",
                          f"select=eq(n\\,{n})", "-frames:v", "1", "-f", "rawvideo",
                          "-pix_fmt", "gray", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(H, W)


@pytest.mark.parametrize("phase", ["sound", "picture"])
def test_cancel_stops_ffmpeg_and_leaves_no_file(rig: SyncRig, tmp_path: Path,
                                                phase: str) -> None:
    cancel = threading.Event()

    def progress(p: Progress) -> None:
        if p.phase == phase:
            cancel.set()

    film = locate_film(rig.project_path, rig.project.settings)
    plan = plan_for(rig.project, film, PreviewOptions())
    out = tmp_path / "all.mp4"
    with pytest.raises(PreviewCancelled, match="cancelled; no file was written"):
        export_preview(rig.project, film, plan, out, progress=progress, cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_a_missing_or_different_film_is_said_plainly(rig: SyncRig, tmp_path: Path) -> None:
    moved = rig.film.with_name("moved.mp4")
    os.rename(rig.film, moved)
    try:
        with pytest.raises(PreviewError, match="the film is missing: .* is not there"):
            locate_film(rig.project_path, rig.project.settings)
        other = make_numbered_film(rig.film, fps="25", seconds=6.0, size=(W, H))
        with pytest.raises(PreviewError) as e:
            locate_film(rig.project_path, rig.project.settings)
        words = str(e.value)
        assert "is not the film this project was made with" in words
        assert "its content hash differs" in words and "its size differs" in words
        assert "it runs 150 frames (6.00 s)" in words and "another cut" in words
        other.unlink()
    finally:
        os.replace(moved, rig.film)


def test_unwritable_folders_and_a_full_disk_write_nothing(rig: SyncRig, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    film = locate_film(rig.project_path, rig.project.settings)
    plan = plan_for(rig.project, film, PreviewOptions(cue="1M1"))
    with pytest.raises(PreviewError, match="there is no folder .*nowhere to write x.mp4 in"):
        export_preview(rig.project, film, plan, tmp_path / "nowhere" / "x.mp4")

    real_write = Path.write_bytes

    def refuse(self: Path, data: bytes) -> int:
        if self.parent == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_write(self, data)

    with monkeypatch.context() as m:
        m.setattr(Path, "write_bytes", refuse)
        with pytest.raises(PreviewError, match="can't write in the folder .*: permission denied"):
            export_preview(rig.project, film, plan, tmp_path / "x.mp4")

    class Full:
        free = 100_000

    with monkeypatch.context() as m:
        m.setattr(preview.shutil, "disk_usage", lambda _p: Full())
        with pytest.raises(PreviewError, match=r"the disk is full: x.mp4 needs about \d+ MB"):
            export_preview(rig.project, film, plan, tmp_path / "x.mp4")
    assert list(tmp_path.iterdir()) == []


def test_the_command_line_end_to_end(rig: SyncRig, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "1M1_v7"
    assert main(["preview", str(rig.project_path), "--out", str(out), "--cue", "1M1",
                 "--handles", "10f", "--format", "mov", "--watermark", "For R. Smith",
                 "--version-label", "7", "--no-film-sound", "--loudness", "off",
                 "--streamers"]) == 0
    err = capsys.readouterr().err
    made = tmp_path / "1M1_v7.mov"
    assert made.is_file() and "cue 1M1 (Sync), v7" in err
    tags = probe(made)["format"]["tags"]
    assert tags["cuesketch_version"] == "v7" and tags["cuesketch_film_level"] == "off"
    assert tags["cuesketch_loudness_target"] == "off"

    def fails(*args: str) -> str:
        assert main(["preview", str(rig.project_path), *args]) == 1
        return capsys.readouterr().err

    assert "is not all in the film" in fails("--out", str(tmp_path / "r.mp4"), "--range",
                                             "01:00:00:00", "01:00:30:00")
    assert "is named .mp4 but --format says mov" in fails(
        "--out", str(tmp_path / "r.mp4"), "--all", "--format", "mov")
    assert "--loudness takes LUFS" in fails("--out", str(tmp_path / "r.mp4"), "--all",
                                            "--loudness", "loud")
    assert "no cue '1M9'" in fails("--out", str(tmp_path / "r.mp4"), "--cue", "1M9")
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1M1_v7.mov"]


def test_a_temporary_folder_with_an_odd_name_is_not_used_for_ffmpegs_files(
        rig: SyncRig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile
    odd = tmp_path / "it's: odd, [1]"
    odd.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(odd))
    result = export(rig, tmp_path / "x.mp4", range_tc=("01:00:01:00", "01:00:02:00"))
    assert result.frames == 25 and list(odd.iterdir()) == []


def test_a_film_at_another_rate_than_the_project_is_refused(rig: SyncRig) -> None:
    from dataclasses import replace

    from cuesketch.timing.rates import STANDARD_RATES
    settings = replace(rig.project.settings, rate=STANDARD_RATES["24"])
    with pytest.raises(PreviewError, match="runs at 25 fps but the project at 24 fps"):
        locate_film(rig.project_path, settings)


def test_a_films_sound_that_starts_late_stays_late(tmp_path: Path) -> None:
    """A film whose sound starts half a second after its picture: the preview keeps the gap
    (silence first), it does not pull the sound forward onto the picture's start."""
    made = make_numbered_film(tmp_path / "film.mp4", fps="24", seconds=3.0, size=(W, H))
    late = tmp_path / "late.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(made), "-itsoffset", "0.5",
                    "-i", str(made), "-map", "0:v", "-map", "1:a", "-c", "copy", str(late)],
                   check=True)
    rig = sync_rig(tmp_path / "rig", "24", hits=0, seconds=3.0, size=(W, H), offset_frames=0,
                   film=late, cue_margin=0.5)
    out = tmp_path / "out.mp4"
    export(rig, out, burn_in=False, film_level=0.0, loudness=None)
    from preview_rig import decode_sound
    sound = np.abs(decode_sound(out))
    onset = int(np.argmax(sound > 0.2 * sound.max()))
    assert abs(onset / 48000 - 0.5) < 0.01, onset / 48000


def test_many_hits_burn_in_within_ffmpegs_limits(tmp_path: Path) -> None:
    """25 hard hits in 20 s: a hundred flutter flashes and overlapping streamers, drawn by a
    few overlays whose expressions ffmpeg accepts."""
    many = sync_rig(tmp_path / "rig", "24", hits=25, seconds=20.0, size=(W, H),
                    offset_frames=0, cue_margin=0.5)
    result = export(many, tmp_path / "many.mp4", streamers=True, loudness=None)
    assert result.frames == 480


def test_a_film_whose_time_stamps_start_late_is_cut_on_the_right_frames(tmp_path: Path) -> None:
    """An MPEG-TS film's time stamps start at ~1.4 s: the seek is made on the film's own time,
    so the cue's frames are all there, none lost to a seek that counted the start twice."""
    made = make_numbered_film(tmp_path / "film.mp4", fps="25", seconds=8.0, size=(W, H),
                              codec_args=["-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
                                          "-g", "25"])  # key frames to seek to, as a film has
    ts = tmp_path / "film.ts"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(made), "-c", "copy", "-f",
                    "mpegts", str(ts)], check=True)
    assert float(probe(ts)["format"]["start_time"]) > 1.0
    rig = sync_rig(tmp_path / "rig", "25", hits=2, seconds=8.0, size=(W, H), offset_frames=0,
                   film=ts, cue_margin=3.0)
    out = tmp_path / "out.mp4"
    result = export(rig, out, cue="1M1", burn_in=False, loudness=None, handles=0.0)
    plan = result.plan
    assert plan.film_first > 25  # the seek is not at the film's start
    _times, numbers = decode_frames(out, W, H)
    assert numbers == list(range(plan.film_first, plan.film_end))
