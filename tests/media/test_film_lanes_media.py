"""The film lanes' core: waveform summaries, the picture strip, speech regions; their caches."""

from __future__ import annotations

import shutil
import subprocess
import threading
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cuesketch.media import peaks as pk
from cuesketch.media.probe import MediaError, probe
from cuesketch.media.speech import (END_LAG_S, PAD_S, SpeechSettings, detect_speech,
                                    regions_from)
from cuesketch.media.testfilm import make_numbered_film, read_frame_number
from cuesketch.media.thumbnails import (ThumbnailCacheError, ThumbnailJob, ThumbnailStrip,
                                        strip_path, thumbnail_size)
from cuesketch.timing.units import FLICKS_PER_SECOND

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="no ffmpeg")


def _wav(path: Path, samples: np.ndarray, rate: int = 48000) -> Path:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(samples.shape[1])
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.astype("<i2").tobytes())
    return path


def _reference(x: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = x.astype(np.int64)
    x = np.concatenate([x, x.sum(axis=1, keepdims=True) // x.shape[1]], axis=1)
    bins = -(-len(x) // size)
    mn = np.array([x[i * size:(i + 1) * size].min(0) for i in range(bins)])
    mx = np.array([x[i * size:(i + 1) * size].max(0) for i in range(bins)])
    rms = np.array([np.sqrt((x[i * size:(i + 1) * size].astype(float) ** 2).mean(0))
                    for i in range(bins)])
    return mn, mx, rms


# -- waveform summaries --------------------------------------------------------------------------
def test_summaries_match_a_numpy_reference_at_every_level() -> None:
    rng = np.random.default_rng(7)
    x = np.clip(rng.standard_normal((200_003, 2)) * 8000, -32768, 32767).astype(np.int16)
    x[1000:1300, 0] = 32767  # a clipped burst on the left only
    chunks = iter([x[:65536 * 2], x[65536 * 2:]])
    peaks = pk.summarise(chunks, 48000, 2)
    assert peaks.frames == len(x)
    for level in peaks.levels:
        mn, mx, rms = _reference(x, level.size)
        assert np.array_equal(level.min, mn) and np.array_equal(level.max, mx)
        assert np.abs(level.rms - rms).max() <= 1


def test_the_sounds_last_bin_is_drawn() -> None:
    """Ten bins of 256 samples, loud only in the last: a column reaching the sound's end
    shows it, zoomed out or in."""
    x = np.zeros((2560, 1), np.int16)
    x[-256:, 0] = 20000
    peaks = pk.summarise(iter([x]), 25600, 1)  # a bin is 10 ms
    assert peaks.level_for(256).bins == 10
    _mn, mx, _rms = peaks.columns(0.0, 0.1, 1)  # one column: the whole sound
    assert mx[0] > 0.6
    _mn, mx, rms = peaks.columns(0.0, 0.05, 2)  # two: the last holds bins 5 to 9
    assert mx[0] == 0 and mx[1] > 0.6 and rms[1] > 0.2
    _mn, mx, _rms = peaks.columns(0.0, 0.01, 12)  # a bin a column, and past the end
    assert list(mx > 0.6) == [False] * 9 + [True, False, False]
    _mn, mx, _rms = peaks.columns(0.095, 0.001, 10)  # in the last bin, a tenth a column
    assert (mx[:5] > 0.6).all() and mx[5:].max() == 0


@needs_ffmpeg
def test_peaks_of_a_film_and_the_columns_a_view_reads(tmp_path: Path) -> None:
    rate = 48000
    t = np.arange(rate * 3) / rate
    left = (np.sin(2 * np.pi * 220 * t) * 16000 * (t < 1.5)).astype(np.int16)
    right = (np.sin(2 * np.pi * 330 * t) * 8000).astype(np.int16)
    wav = _wav(tmp_path / "two.wav", np.stack([left, right], axis=1))
    peaks = pk.make_peaks(wav, 0, sample_rate=rate, channels=2, duration_s=3,
                          folder=tmp_path, fingerprint="cs1:1:wav")
    assert (peaks.channels, peaks.frames) == (2, rate * 3)
    # 100 px a second: the left channel loud in the first half, silent after it
    mn, mx, rms = peaks.columns(0.0, 0.01, 300, channel=0)
    assert mx[:140].min() > 0.45 and np.abs(mn[160:]).max() == 0 and mx[160:].max() == 0
    assert 0.3 < rms[50] < 0.4  # a sine's RMS: peak / sqrt(2)
    _, mx_r, _ = peaks.columns(0.0, 0.01, 300, channel=1)
    assert 0.2 < mx_r[200] < 0.26
    _, mx_sum, _ = peaks.columns(0.0, 0.01, 300)  # the channels summed (their mean)
    assert mx_sum[200] < mx_r[200] and mx_sum[50] > mx_r[50]
    # zoomed far out (1 s a pixel) and far in (a pixel per sample): still one value a column
    assert len(peaks.columns(0.0, 1.0, 10)[0]) == 10
    mn_in, mx_in, _ = peaks.columns(1.0, 1 / rate, 50, channel=0)
    assert mx_in.max() > 0 and (mn_in <= mx_in).all()
    # outside the sound: zero
    assert peaks.columns(10.0, 0.01, 20)[1].max() == 0 and peaks.peak_db() > -7
    assert not peaks.silent()


@needs_ffmpeg
def test_a_sound_that_starts_after_the_picture_stays_under_it(tmp_path: Path) -> None:
    """The sound starts 1.5 s after the picture's first frame: the waveform and speech see
    silence first, not the sound pulled forward onto frame 0."""
    from fractions import Fraction
    from cuesketch.media.speech import decode_mono, sound_lead
    late = tmp_path / "late.mov"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc=d=4:r=24:s=160x90", "-itsoffset", "1.5", "-f", "lavfi", "-i",
                    "sine=f=440:d=1:sample_rate=48000", "-map", "0:v", "-map", "1:a",
                    "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "pcm_s16le", str(late)],
                   check=True)
    info = probe(late)
    assert info.audio[0].lead == Fraction(3, 2)
    peaks = pk.make_peaks(late, cache=False)
    _mn, mx, _rms = peaks.columns(0.0, 0.1, 30, -1)
    loud = [i for i, v in enumerate(mx) if v > 0.05]
    assert loud and loud[0] == 15 and loud[-1] in (24, 25), loud  # 1.5 s to 2.5 s (a bin)
    assert sound_lead(late, None) == Fraction(3, 2)
    mono = np.abs(decode_mono(late, None, lead=sound_lead(late, None)))
    onset = int(np.argmax(mono > 0.05))
    assert abs(onset / 16000 - 1.5) < 0.005, onset / 16000


def test_the_sound_is_shifted_under_the_picture_by_its_lead(tmp_path: Path) -> None:
    tone = (np.arange(1000) % 50 * 100).astype(np.int16)
    wav = _wav(tmp_path / "t.wav", np.stack([tone, tone], axis=1), rate=8000)
    late = np.concatenate(list(pk.pcm_chunks(wav, 0, 1, frames=300, lead_frames=700)))
    assert len(late) == 1700 and not late[:700].any() and (late[700:, 0] == tone).all()
    early = np.concatenate(list(pk.pcm_chunks(wav, 0, 1, frames=300, lead_frames=-450)))
    assert (early[:, 0] == tone[450:]).all()
    assert list(pk.pcm_chunks(wav, 0, 1, lead_frames=-5000)) == []


def test_a_peaks_file_is_read_back_and_a_damaged_one_refused(tmp_path: Path) -> None:
    x = (np.arange(70_000 * 2).reshape(-1, 2) % 2000 - 1000).astype(np.int16)
    peaks = pk.summarise(iter([x]), 44100, 2)
    path = tmp_path / "a.peaks"
    pk.write_peaks(peaks, path)
    back = pk.read_peaks(path)
    assert back.frames == peaks.frames and back.sample_rate == 44100
    for a, b in zip(peaks.levels, back.levels):
        assert np.array_equal(a.min, b.min) and np.array_equal(a.rms, b.rms)
    data = path.read_bytes()
    damaged = [data[:-2], data + b"\0\0", b"XX" + data[2:], data[:12] + b"\xff" * 40,
               data[:8] + (10**6).to_bytes(4, "little") + data[12:], b"",
               pk.MAGIC + (4000).to_bytes(4, "little") + b"[" * 2000 + b"]" * 2000]  # deep JSON
    header_end = data.index(b"}") + 1  # a min above its max: values out of order
    swapped = bytearray(data)
    swapped[header_end:header_end + 2] = (32767).to_bytes(2, "little", signed=True)
    damaged.append(bytes(swapped))
    for bad in damaged:
        path.write_bytes(bad)
        with pytest.raises(pk.PeaksCacheError):
            pk.read_peaks(path)


@needs_ffmpeg
def test_a_corrupted_peaks_cache_is_made_again(tmp_path: Path) -> None:
    wav = _wav(tmp_path / "s.wav", (np.ones((48000, 1)) * 1000).astype(np.int16))
    kw = dict(sample_rate=48000, channels=1, duration_s=1.0, folder=tmp_path,
              fingerprint="cs1:2:x")
    first = pk.make_peaks(wav, 0, **kw)  # type: ignore[arg-type]
    path = pk.peaks_path("cs1:2:x", 0, tmp_path)
    assert path.is_file()
    path.write_bytes(path.read_bytes()[:40])
    again = pk.make_peaks(wav, 0, **kw)  # type: ignore[arg-type]
    assert again.frames == first.frames and pk.read_peaks(path).frames == first.frames


@needs_ffmpeg
def test_a_film_without_sound_says_so(tmp_path: Path) -> None:
    film = make_numbered_film(tmp_path / "mute.mp4", seconds=1, audio=False)
    with pytest.raises(MediaError, match="has no sound"):
        pk.make_peaks(film, folder=tmp_path)
    with pytest.raises(MediaError, match="has no sound"):
        detect_speech(film)


@needs_ffmpeg
def test_silence_is_called_silence(tmp_path: Path) -> None:
    wav = _wav(tmp_path / "quiet.wav", np.zeros((48000, 2), np.int16))
    peaks = pk.make_peaks(wav, 0, sample_rate=48000, channels=2, duration_s=1, cache=False)
    assert peaks.silent()
    result = detect_speech(wav)
    assert result.silent and result.regions == []


# -- the picture strip ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def numbered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.skip("no ffmpeg")
    folder = tmp_path_factory.mktemp("film")
    # key frames every 50 frames, B-frames: the refined and requested frames are not key frames
    return make_numbered_film(folder / "numbered.mp4", seconds=8, size=(480, 270),
                              codec_args=["-c:v", "libx264", "-preset", "veryfast", "-g", "50",
                                          "-pix_fmt", "yuv420p"])


def test_the_strip_is_made_from_key_frames_then_refined_each_exact(numbered: Path,
                                                                   tmp_path: Path) -> None:
    info = probe(numbered)
    job = ThumbnailJob(info, folder=tmp_path, fingerprint="cs1:3:numbered")
    assert job.wait(60) and job.phase == "done", job.error
    frames = job.strip.frames()
    assert {0, 50, 100, 150}.issubset(frames)  # the key frames
    assert set(range(0, info.frame_count, 24)).issubset(frames)  # the grid: every second
    for f in frames:
        thumb = job.strip.at(f)
        assert thumb is not None and thumb.pixels.shape == (54, 96, 3)
        assert read_frame_number(thumb.pixels) == f
    near = job.strip.at(30)  # not made: the nearest one made
    assert near is not None and near.frame in (24, 48) and near.frame != 30
    job.close()


def test_a_window_asked_for_comes_exact_to_the_frame(numbered: Path, tmp_path: Path) -> None:
    info = probe(numbered)
    job = ThumbnailJob(info, folder=tmp_path, fingerprint="cs1:4:numbered", refine=False)
    assert job.wait(60)
    assert job.request(range(61, 90))
    assert job.wait_requests(60)
    for f in range(61, 90):
        thumb = job.strip.at(f)
        assert thumb is not None and thumb.frame == f and read_frame_number(thumb.pixels) == f
    assert not job.request(range(61, 90))  # all made: nothing asked of ffmpeg
    assert job.request([130, 145, 177]) and job.wait_requests(60)  # scattered, B-frames
    made = [job.strip.at(f) for f in (130, 145, 177)]
    assert [read_frame_number(t.pixels) if t else -1 for t in made] == [130, 145, 177]
    job.close()


def test_a_request_of_many_frames_comes_exact_in_runs(numbered: Path, tmp_path: Path) -> None:
    info = probe(numbered)
    job = ThumbnailJob(info, folder=tmp_path, fingerprint="cs1:6:numbered", refine=False)
    assert job.wait(60)
    wanted = range(20, 170)  # more than one select expression can hold
    assert job.request(wanted) and job.wait_requests(120)
    assert job.requests_served == 1
    made = [job.strip.at(f) for f in wanted]
    assert [read_frame_number(t.pixels) if t and t.frame == f else -1
            for f, t in zip(wanted, made)] == list(wanted)
    assert not job.request(wanted)  # all made: not asked again
    job.close()


def test_frame_numbers_hold_past_ten_thousand_seconds(numbered: Path) -> None:
    from fractions import Fraction
    from cuesketch.media.thumbnails import Decoder, showinfo_time, showinfo_time_base
    decoder = Decoder(probe(numbered), (96, 54), 0.0, threading.Event())
    base = showinfo_time_base(b"[Parsed_showinfo_2 @ 0x5] config in time_base: 1/12288, "
                              b"frame_rate: 24/1\n")
    assert base == Fraction(1, 12288)
    for frame in (240_001, 2_400_013, 2_400_023):  # 2 h 46 min and 27 h 46 min in, at 24 fps
        pts = frame * 512  # 12288 / 24 ticks a frame
        shown = f"{pts / 12288:.6g}"  # what showinfo prints as pts_time
        line = f"[Parsed_showinfo_2 @ 0x5] n: 7 pts:{pts} pts_time:{shown} pos: -1\n".encode()
        stamp = showinfo_time(line, base)
        assert stamp is not None and decoder.frame_of(stamp) == frame
    assert showinfo_time(b"[Parsed_showinfo_2 @ 0x5] config out time_base: 0/0\n", base) is None


def test_frames_without_time_stamps_stop_ffmpeg_instead_of_waiting_on_it(
        numbered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import queue
    import re
    from cuesketch.media import thumbnails
    started: list[subprocess.Popen[bytes]] = []
    popen = subprocess.Popen

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.append(popen(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(thumbnails.subprocess, "Popen", recording)
    monkeypatch.setattr(thumbnails, "SHOWINFO", re.compile(rb"never printed"))
    monkeypatch.setattr(thumbnails, "STAMP_WAIT_S", 0.5)
    decoder = thumbnails.Decoder(probe(numbered), (96, 54), 0.0, threading.Event())
    kept: list[int] = []
    with pytest.raises((queue.Empty, MediaError)):
        decoder.run([], None, lambda f, _p: kept.append(f))
    assert started and all(p.poll() is not None for p in started) and kept == []


def test_the_strip_cache_is_used_and_a_damaged_one_made_again(numbered: Path,
                                                               tmp_path: Path) -> None:
    info = probe(numbered)
    job = ThumbnailJob(info, folder=tmp_path, fingerprint="cs1:5:numbered")
    assert job.wait(60) and job.phase == "done"
    path = strip_path("cs1:5:numbered", folder=tmp_path)
    size = thumbnail_size(info)
    made = ThumbnailStrip.read(path, *size, info.frame_count)
    assert made.frames() == job.strip.frames()
    again = ThumbnailJob(info, folder=tmp_path, fingerprint="cs1:5:numbered")
    assert again.wait(10) and again.strip.frames() == job.strip.frames()
    data = path.read_bytes()
    for bad in (data[:-5], data[:20], b"nonsense" * 10, data[:12] + b"\xff\xff" + data[14:]):
        path.write_bytes(bad)
        with pytest.raises(ThumbnailCacheError):
            ThumbnailStrip.read(path, *size, info.frame_count)
    with pytest.raises(ThumbnailCacheError):  # made for another film length
        path.write_bytes(data)
        ThumbnailStrip.read(path, *size, info.frame_count + 1)
    path.write_bytes(data[:-5])
    rebuilt = ThumbnailJob(info, folder=tmp_path, fingerprint="cs1:5:numbered")
    assert rebuilt.wait(60) and rebuilt.phase == "done"
    assert rebuilt.strip.frames() == job.strip.frames()
    assert ThumbnailStrip.read(path, *size, info.frame_count).frames() == job.strip.frames()


# -- speech --------------------------------------------------------------------------------------
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="no espeak-ng")
def test_speech_is_found_where_espeak_spoke(tmp_path: Path) -> None:
    said = tmp_path / "said.wav"
    subprocess.run(["espeak-ng", "-w", str(said), "The picture cuts to the harbour at dawn."],
                   check=True)
    with wave.open(str(said)) as w:
        rate, voice = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")
    gap = np.zeros(rate * 2, np.int16)
    rng = np.random.default_rng(3)
    track = np.concatenate([gap, voice, gap, voice, gap]).astype(np.float64)
    track += rng.standard_normal(len(track)) * 150  # a little room tone
    wav = _wav(tmp_path / "scene.wav", track[:, None], rate)
    result = detect_speech(wav)
    lines = [(a / FLICKS_PER_SECOND, b / FLICKS_PER_SECOND) for a, b in result.regions]
    length = len(voice) / rate
    assert len(lines) == 2, lines
    for (a, b), start in zip(lines, (2.0, 4.0 + length)):
        assert abs(a - start) < 0.3 and abs(b - (start + length)) < 0.4
    # a longer minimum gap joins the two lines into one
    joined = detect_speech(wav, settings=SpeechSettings(min_gap_s=2.5))
    assert len(joined.regions) == 1


def test_speech_is_scored_as_the_sound_is_decoded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never the whole sound at once: each chunk reaches the model before the next is read."""
    from cuesketch.media import speech
    scored: list[float] = []
    chunks_read: list[int] = []

    class Model:
        def process(self, window: memoryview) -> float:
            scored.append(float(np.frombuffer(window, np.float32).max()))
            return 0.9 if scored[-1] > 0.1 else 0.0

    def chunks(*_a, **_k):  # type: ignore[no-untyped-def]
        for k in range(6):
            # 1 s chunks; loud in the third and fourth second; not a whole window long each
            assert len(scored) >= (k * 16000 - 511) // 512  # the ones before were scored
            chunks_read.append(k)
            yield np.full((16000, 1), 0.5 if k in (2, 3) else 0.0, np.float32)

    monkeypatch.setattr(speech, "_model", Model)
    monkeypatch.setattr(speech, "pcm_chunks", chunks)
    result = speech.detect_speech(Path("film.mov"), 0, lead=Fraction(0), duration_s=6.0)
    assert chunks_read == list(range(6)) and len(scored) == 6 * 16000 // 512
    assert result.duration_s == 6.0 and result.peak == 0.5
    (a, b), = result.regions
    assert abs(a / FLICKS_PER_SECOND - 2.0) < 0.1 and abs(b / FLICKS_PER_SECOND - 3.9) < 0.2


def test_regions_bridge_short_pauses_and_drop_blips() -> None:
    probs = np.zeros(400, np.float32)  # 32 ms windows
    probs[50:100] = 0.9
    probs[104:150] = 0.9  # a 128 ms pause: bridged
    probs[250:253] = 0.9  # a 96 ms blip: dropped
    regions = regions_from(probs, SpeechSettings())
    assert len(regions) == 1
    a, b = regions[0]
    # the end moved back by the model's lag, then both edges padded
    assert abs(a - (50 * 0.032 - PAD_S)) < 1e-6
    assert abs(b - (150 * 0.032 - END_LAG_S + PAD_S)) < 1e-6
    assert regions_from(probs, SpeechSettings(min_gap_s=0.1, min_speech_s=0.05)) != regions


def test_a_film_of_key_frames_only_gives_its_grid_without_decoding_every_frame(
        tmp_path: Path) -> None:
    if shutil.which("ffmpeg") is None:
        pytest.skip("no ffmpeg")
    film = make_numbered_film(tmp_path / "intra.mov", seconds=6, size=(320, 180),
                              codec_args=["-c:v", "mjpeg", "-q:v", "3"])
    info = probe(film)
    assert info.intra_only
    job = ThumbnailJob(info, folder=tmp_path, fingerprint="cs1:6:intra")
    assert job.wait(60) and job.phase == "done", job.error
    assert job.strip.frames() == list(range(0, info.frame_count, 24))  # only the grid
    assert all(read_frame_number(job.strip.at(f).pixels) == f  # type: ignore[union-attr]
               for f in job.strip.frames())
    job.close()


# -- damaged cache files, at random --------------------------------------------------------------
_PEAKS_FILE: list[bytes] = []


def _a_peaks_file(tmp: Path) -> bytes:
    if not _PEAKS_FILE:
        x = (np.arange(5000 * 2).reshape(-1, 2) % 700 - 350).astype(np.int16)
        pk.write_peaks(pk.summarise(iter([x]), 48000, 2), tmp / "seed.peaks")
        _PEAKS_FILE.append((tmp / "seed.peaks").read_bytes())
    return _PEAKS_FILE[0]


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
       st.integers(0, 10**6))
@settings(max_examples=150, deadline=None)
def test_a_damaged_peaks_file_is_refused_or_read_never_a_crash(
        flips: list[tuple[int, int]], cut: int) -> None:
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        data = bytearray(_a_peaks_file(Path(tmp)))
        for at, value in flips:
            data[at % len(data)] = value
        path = Path(tmp) / "x.peaks"
        path.write_bytes(bytes(data[:max(0, len(data) - cut % (len(data) + 1))]))
        try:
            peaks = pk.read_peaks(path)
        except pk.PeaksCacheError:
            return
        for level in peaks.levels:  # read: then it is whole and in order
            assert level.min.shape == level.max.shape == level.rms.shape
            assert (level.min <= level.max).all()


@given(st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=8),
       st.integers(0, 10**5))
@settings(max_examples=150, deadline=None)
def test_a_damaged_strip_file_is_refused_or_read_never_a_crash(
        flips: list[tuple[int, int]], cut: int) -> None:
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        strip = ThumbnailStrip(8, 6, 100)
        for f in (0, 10, 50, 99):
            strip.add(f, np.full((6, 8, 3), f, np.uint8))
        path = Path(tmp) / "x.strip"
        strip.write(path)
        data = bytearray(path.read_bytes())
        for at, value in flips:
            data[at % len(data)] = value
        path.write_bytes(bytes(data[:max(0, len(data) - cut % (len(data) + 1))]))
        try:
            back = ThumbnailStrip.read(path, 8, 6, 100)
        except ThumbnailCacheError:
            return
        frames = back.frames()
        assert frames == sorted(set(frames)) and all(0 <= f < 100 for f in frames)
