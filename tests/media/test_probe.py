from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

from cuesketch.media.probe import MediaError, disagreements, probe
from cuesketch.media.testfilm import make_numbered_film
from cuesketch.model.entities import Media, Settings
from cuesketch.timing.rates import STANDARD_RATES


def test_facts_of_a_24_fps_film_with_b_frames(films):
    info = films["24"].info
    assert info.rate == STANDARD_RATES["24"]
    assert (info.width, info.height) == (320, 180)
    assert info.frame_count == 96
    assert info.duration_s == pytest.approx(4.0, abs=0.05)
    assert info.codec == "h264"
    assert info.b_frames and not info.intra_only and not info.frame_accurate
    assert [(a.codec, a.channels, a.sample_rate) for a in info.audio] == [("aac", 1, 48000)]
    assert info.start_timecode is None and info.start_frame() is None
    assert info.warnings == ()


def test_23976_snaps_to_the_standard_rate(films):
    info = films["23.976"].info
    assert info.rate == STANDARD_RATES["23.976"]
    assert info.file_fps == Fraction(24000, 1001)
    assert info.frame_count == 72


def test_drop_frame_start_timecode(films):
    info = films["29.97df"].info
    assert info.rate == STANDARD_RATES["29.97df"]
    assert info.start_timecode == "01:00:00;00"
    assert info.start_frame() == 107892
    assert not info.b_frames and info.frame_accurate


def test_a_proxy_is_intra_only_and_counts_the_films_frames(films):
    for film in films.values():
        proxy = probe(film.proxy)
        assert proxy.intra_only and not proxy.b_frames
        assert proxy.frame_count == film.info.frame_count  # not the padding at its end
        assert proxy.rate.fps == film.info.rate.fps


def test_missing_file(tmp_path):
    with pytest.raises(MediaError, match="not there.*relink"):
        probe(tmp_path / "gone.mp4")


def test_folder(tmp_path):
    with pytest.raises(MediaError, match="folder"):
        probe(tmp_path)


def test_text_file_named_like_a_film(tmp_path):
    fake = tmp_path / "notes.mp4"
    fake.write_text("spotting notes, not a film\n")
    with pytest.raises(MediaError, match="not a film Cuesketch can read"):
        probe(fake)


def test_sound_only_file(tmp_path):
    wav = tmp_path / "dialogue.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=d=1", str(wav)],
                   check=True)
    with pytest.raises(MediaError, match="no picture \\(sound only\\)"):
        probe(wav)


def test_file_cut_short_before_its_index(films, tmp_path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(films["24"].path.read_bytes()[:60_000])  # the index (moov) is at the end
    with pytest.raises(MediaError, match="incomplete"):
        probe(cut)


def test_file_cut_short_after_its_index(films, tmp_path):
    fast = tmp_path / "fast.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(films["24"].path), "-c", "copy",
                    "-movflags", "+faststart", str(fast)], check=True)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(fast.read_bytes()[: fast.stat().st_size // 2])
    with pytest.raises(MediaError, match="incomplete"):
        probe(cut)


def test_rate_that_is_not_a_film_rate(tmp_path):
    odd = make_numbered_film(tmp_path / "odd.mp4", fps="15", seconds=1, audio=False)
    with pytest.raises(MediaError, match="15.000 fps, not a film or video rate"):
        probe(odd)


def test_no_ffprobe(monkeypatch, tmp_path):
    film = tmp_path / "x.mp4"
    film.write_bytes(b"x")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(MediaError, match="ffprobe is not installed"):
        probe(film)


def test_disagreements(films):
    info = films["24"].info
    assert disagreements(info, Settings(rate=STANDARD_RATES["24"])) == []
    [rate] = disagreements(info, Settings(rate=STANDARD_RATES["25"]))
    assert "runs at 24 fps but the project at 25 fps" in rate
    df = films["29.97df"].info
    settings = Settings(rate=STANDARD_RATES["29.97df"], start_frame=107892,
                        media=Media("x.mp4", offset_frames=0))
    assert disagreements(df, settings) == []
    [start] = disagreements(df, Settings(rate=STANDARD_RATES["29.97df"], start_frame=107892,
                                         media=Media("x.mp4", offset_frames=30)))
    assert "starts at 01:00:00;00 but is placed at 01:00:01;00" in start
    [count] = disagreements(df, Settings(rate=STANDARD_RATES["29.97"]))
    assert "drop-frame" in count
