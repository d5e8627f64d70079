"""Broadcast WAV: the bext chunk's layout, the time reference, and files an independent reader
(ffprobe) reads back the same."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import struct
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from cuesketch.formats.bwf import (BEXT_FIXED, NOT_MEASURED, Bext, BwfError, BwfWriter, chunks,
                                   pack, read_bext, read_format, stamped, time_reference,
                                   unpack, write_bext)
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.timecode import parse_timecode
from cuesketch.timing.units import FLICKS_PER_SECOND

needs_ffmpeg = pytest.mark.skipif(shutil.which("ffprobe") is None or shutil.which("ffmpeg")
                                  is None, reason="ffmpeg is not installed")
NOW = dt.datetime(2026, 3, 14, 9, 26, 53)


def ffprobe_tags(path: Path) -> dict[str, str]:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags:stream="
                          "codec_name,duration_ts,sample_rate,channels", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    tags = dict(data["format"].get("tags", {}))
    stream = data["streams"][0]
    tags.update({f"stream.{k}": str(v) for k, v in stream.items()})
    return tags


def decoded_md5(path: Path) -> str:
    out = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", str(path), "-map", "0:a",
                          "-c:a", "pcm_f32le", "-f", "md5", "-"], capture_output=True,
                         text=True, check=True)
    return out.stdout.strip()


# -- the chunk -----------------------------------------------------------------------------------

def test_the_chunk_has_the_ebu_layout() -> None:
    bext = Bext("A description", "Cuesketch", "ref-1", "2026-03-14", "09:26:53",
                0x1_0000_0002, coding_history="A=PCM,F=48000,W=24,M=stereo,T=Cuesketch\r\n")
    body = pack(bext)
    assert len(body) == BEXT_FIXED + len(bext.coding_history) and BEXT_FIXED == 602
    assert body[:13] == b"A description" and body[13:256] == bytes(243)
    assert body[256:265] == b"Cuesketch" and body[288:293] == b"ref-1"
    assert body[320:330] == b"2026-03-14" and body[330:338] == b"09:26:53"
    assert struct.unpack_from("<II", body, 338) == (2, 1)  # TimeReferenceLow, High
    assert struct.unpack_from("<H", body, 346) == (2,)  # version 2
    assert body[348:412] == bytes(64)  # no UMID
    assert struct.unpack_from("<5h", body, 412) == (NOT_MEASURED,) * 5  # no loudness
    assert body[422:602] == bytes(180)  # reserved
    assert unpack(body) == bext


def test_text_is_plain_ascii_and_cut_to_its_field() -> None:
    bext = Bext(description="1M1 — “Peach” Café " + "x" * 300, originator="Cuesketch" * 9)
    back = unpack(pack(bext))
    assert back.description.startswith('1M1 - "Peach" Cafe xxx')
    assert len(back.description) == 256 and len(back.originator) == 32


def test_stamped_says_who_and_when() -> None:
    b = stamped("1M1", 42, now=NOW)
    assert (b.originator, b.origination_date, b.origination_time, b.time_reference) == (
        "Cuesketch", "2026-03-14", "09:26:53", 42)


def test_a_time_reference_out_of_range_is_refused() -> None:
    with pytest.raises(BwfError, match="out of range"):
        pack(Bext(time_reference=-1))


# -- the time reference --------------------------------------------------------------------------

@pytest.mark.parametrize("rate_name, timecode, sample_rate, expected", [
    ("24", "01:00:00:00", 48000, 3600 * 48000),
    ("25", "10:00:00:00", 48000, 36000 * 48000),
    # 23.976: timecode frames last 1001/24000 s, so 01:00:00:00 is 3603.6 s after midnight
    ("23.976", "01:00:00:00", 48000, 172_972_800),
    ("23.976", "00:59:52:00", 48000, (86400 - 192) * 2002),
    # 29.97 drop-frame keeps to the wall clock: 01:00:00;00 is frame 107892, 3599.9964 s
    ("29.97df", "01:00:00;00", 48000, 172_799_827),
    ("29.97", "01:00:00:00", 48000, 108000 * 1601 + 108000 * 3 // 5),  # 1601.6 per frame
    ("24", "01:00:00:00", 44100, 3600 * 44100),
    ("59.94df", "00:10:00;00", 96000, round(35964 * 1001 / 60000 * 96000)),
])
def test_the_time_reference_is_samples_since_midnight(rate_name: str, timecode: str,
                                                      sample_rate: int, expected: int) -> None:
    rate = STANDARD_RATES[rate_name]  # type: ignore[index]
    assert time_reference(parse_timecode(timecode, rate), rate, sample_rate) == expected


def test_the_time_reference_adds_the_offset_and_wraps_before_midnight() -> None:
    rate = STANDARD_RATES["24"]
    start = parse_timecode("01:00:00:00", rate)
    assert time_reference(start, rate, 48000, 2 * FLICKS_PER_SECOND) == 3602 * 48000
    assert time_reference(start, rate, 48000, -FLICKS_PER_SECOND // 2) == 3599 * 48000 + 24000
    # A render starting 8 s before 00:00:00:00 starts 8 s before the day's end.
    assert time_reference(0, rate, 48000, -8 * FLICKS_PER_SECOND) == (86400 - 8) * 48000
    df = STANDARD_RATES["29.97df"]
    day = round(2_589_408 * 1001 / 30000 * 48000)  # 24 h of drop-frame timecode
    assert time_reference(0, df, 48000, -FLICKS_PER_SECOND) == day - 48000


# -- writing and reading files -------------------------------------------------------------------

def tone(frames: int, channels: int) -> np.ndarray:
    t = np.arange(frames) / 48000
    return np.stack([0.5 * np.sin(2 * np.pi * 440 * (c + 1) * t) for c in range(channels)],
                    axis=1).astype("<f4")


def pcm(audio: np.ndarray, bits: int) -> bytes:
    ints = np.rint(audio * (2 ** (bits - 1) - 1)).astype("<i4")
    if bits == 16:
        return ints.astype("<i2").tobytes()
    return ints.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()


@needs_ffmpeg
@pytest.mark.parametrize("fmt, codec", [("pcm16", "pcm_s16le"), ("pcm24", "pcm_s24le"),
                                        ("float32", "pcm_f32le")])
@pytest.mark.parametrize("channels", [1, 2])
def test_the_writer_makes_a_file_ffprobe_reads(tmp_path: Path, fmt: str, codec: str,
                                               channels: int) -> None:
    audio = tone(4801, channels)  # an odd count: a mono 24-bit data chunk needs a pad byte
    data = audio.tobytes() if fmt == "float32" else pcm(audio, int(fmt[3:]))
    path = tmp_path / "cue.wav"
    bext = stamped("Big Buck Bunny: cue 1M1 (Peach Project)", 172_972_800, now=NOW)
    with BwfWriter(path, 48000, channels, fmt, bext) as w:  # type: ignore[arg-type]
        w.write(data)
    tags = ffprobe_tags(path)
    assert tags["time_reference"] == "172972800"
    assert tags["comment"] == "Big Buck Bunny: cue 1M1 (Peach Project)"  # the description
    assert tags["encoded_by"] == "Cuesketch"  # the originator
    assert (tags["date"], tags["creation_time"]) == ("2026-03-14", "09:26:53")
    assert tags["coding_history"].startswith("A=")
    assert (tags["stream.codec_name"], tags["stream.duration_ts"]) == (codec, "4801")
    assert tags["stream.channels"] == str(channels)
    back = read_bext(path)
    assert back is not None and back.time_reference == 172_972_800
    fmt_read, chunk = read_format(path)
    assert chunk.size == len(data) and (fmt_read.sample_rate, fmt_read.channels) == (
        48000, channels)
    with open(path, "rb") as f:
        f.seek(chunk.offset)
        assert f.read(chunk.size) == data
        assert [c.id for c in chunks(f)][:3] == [b"JUNK", b"fmt ", b"bext"]


def test_python_wave_reads_a_pcm_broadcast_wav(tmp_path: Path) -> None:
    path = tmp_path / "mix.wav"
    data = pcm(tone(1000, 2), 24)
    with BwfWriter(path, 48000, 2, "pcm24", stamped("mix", 7, now=NOW)) as w:
        w.write(data)
    with wave.open(str(path), "rb") as r:  # skips the bext chunk, as a plain reader does
        assert (r.getnchannels(), r.getsampwidth(), r.getnframes()) == (2, 3, 1000)
        assert r.readframes(1000) == data


def test_partial_frames_are_refused(tmp_path: Path) -> None:
    with BwfWriter(tmp_path / "x.wav", 48000, 2, "pcm24") as w:
        with pytest.raises(BwfError, match="whole frames"):
            w.write(bytes(5))


@needs_ffmpeg
@pytest.mark.parametrize("codec", ["pcm_s16le", "pcm_s24le", "pcm_f32le"])
def test_stamping_a_wav_ffmpeg_made_keeps_its_samples(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "stem.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-f", "lavfi", "-i",
                    "sine=frequency=330:duration=0.7:sample_rate=48000", "-ac", "2", "-c:a",
                    codec, str(path)], check=True)
    before = decoded_md5(path)
    write_bext(path, stamped("stem", 1234567, now=NOW))
    write_bext(path, stamped("stem, again", 7654321, now=NOW))  # replaces, never adds
    with open(path, "rb") as f:
        ids = [c.id for c in chunks(f)]
    assert ids.count(b"bext") == 1 and ids.index(b"bext") == ids.index(b"data") - 1
    tags = ffprobe_tags(path)
    assert tags["time_reference"] == "7654321" and tags["comment"] == "stem, again"
    assert decoded_md5(path) == before
    assert [p.name for p in tmp_path.iterdir()] == ["stem.wav"]  # no temp file left


def test_stamping_into_another_file_leaves_the_source(tmp_path: Path) -> None:
    src = tmp_path / "a.wav"
    with BwfWriter(src, 48000, 2, "pcm16") as w:
        w.write(pcm(tone(100, 2), 16))
    original = src.read_bytes()
    write_bext(src, Bext(time_reference=5), dest=tmp_path / "b.wav")
    assert src.read_bytes() == original and read_bext(src) is None
    stamped_copy = read_bext(tmp_path / "b.wav")
    assert stamped_copy is not None and stamped_copy.time_reference == 5


def test_what_is_not_a_wav_is_said_plainly_and_left_alone(tmp_path: Path) -> None:
    text = tmp_path / "notes.wav"
    text.write_text("not audio at all")
    with pytest.raises(BwfError, match="notes.wav is not a WAV file"):
        write_bext(text, Bext())
    assert text.read_text() == "not audio at all"
    cut = tmp_path / "cut.wav"
    with BwfWriter(cut, 48000, 2, "pcm16") as w:
        w.write(bytes(4000))
    whole = cut.read_bytes()
    cut.write_bytes(whole[:36] + struct.pack("<4sI", b"LIST", 9999) + b"xx")
    with pytest.raises(BwfError, match="cut short"):
        read_bext(cut)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cut.wav", "notes.wav"]


def test_a_stamp_that_cannot_be_written_leaves_nothing(tmp_path: Path) -> None:
    src = tmp_path / "a.wav"
    with BwfWriter(src, 48000, 1, "pcm16") as w:
        w.write(bytes(200))
    with pytest.raises(BwfError, match="can't write"):
        write_bext(src, Bext(), dest=tmp_path / "missing" / "b.wav")
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]
