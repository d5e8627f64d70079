"""Broadcast WAV (EBU Tech 3285 v2): the ``bext`` chunk that tells a DAW where a WAV starts.

A WAV is a RIFF file of chunks (``fmt ``, ``data``, ...). A Broadcast WAV adds ``bext``: a
description, who made it and when, and ``TimeReference``, the file's first sample counted in
samples since midnight at the file's own rate. A DAW spotting the file to its time reference
drops it in at its timecode.

    bext = stamped("1M1 Peach Project", time_reference(86400, rate, 48000))
    with BwfWriter(tmp, 48000, channels=2, sample_format="pcm24", bext=bext) as w:
        w.write(frames_bytes)                  # one pass; the sizes are filled in at the end
    write_bext(existing_wav, bext)             # or stamp a finished WAV (atomically)
    read_bext(wav)                             # what a file says (None: not a Broadcast WAV)

The chunk's layout (little-endian, 602 bytes before the coding history):

    Description 256, Originator 32, OriginatorReference 32, OriginationDate 10 (yyyy-mm-dd),
    OriginationTime 8 (hh:mm:ss), TimeReference u64, Version u16 (2), UMID 64,
    LoudnessValue, LoudnessRange, MaxTruePeakLevel, MaxMomentaryLoudness,
    MaxShortTermLoudness (i16 each, 1/100 LU or dB; 0x7FFF: not measured), Reserved 180,
    CodingHistory (ASCII lines ending CR LF).

Text fields are ASCII (accents and dashes are spelled plainly, the rest dropped), padded with
NULs and cut to their length.

A file written here starts with a 28-byte ``JUNK`` chunk (EBU Tech 3306's reservation): past
4 GiB of samples it becomes the ``ds64`` chunk of an RF64 file (``RF64`` and ``data`` sizes
set to 0xFFFFFFFF, the real ones in ``ds64``), which the readers here, ffmpeg and the DAWs
read; under 4 GiB the file stays a plain RIFF WAV that skips it. An ``iXML`` chunk (the
project, its timecode rate, the cue, version and stem) follows ``bext`` when given.
"""

from __future__ import annotations

import datetime as dt
import os
import struct
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO, Literal

from cuesketch.files import replacing
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.timecode import frames_per_day
from cuesketch.timing.units import FLICKS_PER_SECOND

BEXT_FIXED = 602  # bytes before the coding history
NOT_MEASURED = 0x7FFF  # a loudness field left unset (EBU Tech 3285 v2)
ORIGINATOR = "Cuesketch"
_FIELDS = struct.Struct("<256s32s32s10s8sQH64s5h180s")
assert _FIELDS.size == BEXT_FIXED
_MAX_RIFF = 0xFFFF_FFFF
DS64_SIZE = 28  # riff size, data size, sample count (u64 each), table length (u32)
_COPY = 1 << 20

WAVE_FORMAT_PCM = 1
WAVE_FORMAT_IEEE_FLOAT = 3
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
SampleFormat = Literal["pcm16", "pcm24", "float32"]
_FORMATS: dict[str, tuple[int, int]] = {  # format tag, bytes per sample
    "pcm16": (WAVE_FORMAT_PCM, 2), "pcm24": (WAVE_FORMAT_PCM, 3),
    "float32": (WAVE_FORMAT_IEEE_FLOAT, 4)}


class BwfError(ValueError):
    """A WAV that can't be read or stamped, said in plain words."""


@dataclass(frozen=True)
class Bext:
    description: str = ""
    originator: str = ORIGINATOR
    originator_reference: str = ""
    origination_date: str = ""  # yyyy-mm-dd
    origination_time: str = ""  # hh:mm:ss
    time_reference: int = 0  # the first sample, in samples since midnight at the file's rate
    version: int = 2
    umid: bytes = b""  # 64 bytes, or empty
    loudness_value: int = NOT_MEASURED  # 1/100 LUFS
    loudness_range: int = NOT_MEASURED  # 1/100 LU
    max_true_peak_level: int = NOT_MEASURED  # 1/100 dBTP
    max_momentary_loudness: int = NOT_MEASURED
    max_short_term_loudness: int = NOT_MEASURED
    coding_history: str = ""


@dataclass(frozen=True)
class WavFormat:
    format_tag: int  # 1 PCM, 3 IEEE float (an extensible file's sub-format)
    channels: int
    sample_rate: int
    bits: int

    @property
    def block_align(self) -> int:
        return self.channels * self.bits // 8


@dataclass(frozen=True)
class Chunk:
    id: bytes
    offset: int  # of the chunk's body in the file
    size: int  # of the body (without the pad byte)


# -- time ----------------------------------------------------------------------------------------

def time_reference(start_frame: int, rate: FrameRate, sample_rate: int,
                   offset_flicks: int = 0) -> int:
    """Samples since midnight at ``sample_rate`` of the position ``offset_flicks`` after the
    frame ``start_frame`` (a project's start: a frame count, drop-frame counted as such).

    Timecode frames last 1/fps of real time: 01:00:00:00 at 23.976 is 3603.6 s after
    00:00:00:00, at 29.97 drop-frame 3599.9964 s. Positions before midnight wrap to the day's
    end, as timecode does."""
    seconds = Fraction(start_frame) / rate.fps + Fraction(offset_flicks, FLICKS_PER_SECOND)
    day = Fraction(frames_per_day(rate)) / rate.fps
    return round((seconds % day) * sample_rate)


def stamped(description: str, reference: int, *, now: dt.datetime | None = None,
            coding_history: str = "") -> Bext:
    """A ``bext`` by Cuesketch, made now (local time)."""
    now = now or dt.datetime.now()
    return Bext(description=description, origination_date=now.strftime("%Y-%m-%d"),
                origination_time=now.strftime("%H:%M:%S"), time_reference=reference,
                coding_history=coding_history)


def coding_history_line(fmt: WavFormat, text: str = ORIGINATOR) -> str:
    """One EBU R 98 line for a file made here: ``A=PCM,F=48000,W=24,M=stereo,T=Cuesketch``."""
    kind = "PCM" if fmt.format_tag == WAVE_FORMAT_PCM else "FLOAT"
    mode = {1: "mono", 2: "stereo"}.get(fmt.channels, f"{fmt.channels}ch")
    return f"A={kind},F={fmt.sample_rate},W={fmt.bits},M={mode},T={text}\r\n"


# -- the chunk -----------------------------------------------------------------------------------

def _ascii(text: str) -> bytes:
    text = text.replace("—", "-").replace("–", "-").replace("“", '"').replace("”", '"') \
        .replace("‘", "'").replace("’", "'").replace("…", "...")
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore")
    return bytes(b for b in plain if b >= 0x20 or b in (0x0D, 0x0A))


def pack(bext: Bext) -> bytes:
    """The chunk's body (without its id and size): 602 bytes and the coding history."""
    if not 0 <= bext.time_reference < 1 << 64:
        raise BwfError(f"a time reference of {bext.time_reference} samples is out of range")
    if bext.umid and len(bext.umid) != 64:
        raise BwfError("a UMID is 64 bytes")
    history = _ascii(bext.coding_history)
    body = _FIELDS.pack(
        _ascii(bext.description)[:256], _ascii(bext.originator)[:32],
        _ascii(bext.originator_reference)[:32], _ascii(bext.origination_date)[:10],
        _ascii(bext.origination_time)[:8], bext.time_reference, bext.version,
        bext.umid, bext.loudness_value, bext.loudness_range, bext.max_true_peak_level,
        bext.max_momentary_loudness, bext.max_short_term_loudness, b"") + history
    return body


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("ascii", "replace")


def unpack(body: bytes) -> Bext:
    if len(body) < BEXT_FIXED - 190:  # version 0 files end after the UMID
        raise BwfError(f"the bext chunk is {len(body)} bytes, too short to be one")
    (desc, orig, ref, date, time, reference, version, umid, *loud,
     _reserved) = _FIELDS.unpack(body[:BEXT_FIXED].ljust(BEXT_FIXED, b"\0"))
    if version < 2 or len(body) < BEXT_FIXED:
        loud = [NOT_MEASURED] * 5
    return Bext(description=_text(desc), originator=_text(orig),
                originator_reference=_text(ref), origination_date=_text(date),
                origination_time=_text(time), time_reference=reference, version=version,
                umid=umid if any(umid) else b"", loudness_value=loud[0],
                loudness_range=loud[1], max_true_peak_level=loud[2],
                max_momentary_loudness=loud[3], max_short_term_loudness=loud[4],
                coding_history=_text(body[BEXT_FIXED:]))


# -- reading -------------------------------------------------------------------------------------

def chunks(f: BinaryIO, name: str = "the file") -> list[Chunk]:
    """The chunks of a RIFF WAVE file, in order."""
    f.seek(0, os.SEEK_END)
    length = f.tell()
    f.seek(0)
    head = f.read(12)
    if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
        raise BwfError(f"{name} is not a WAV file")
    data_size: int | None = None  # an RF64 file's, from its ds64 chunk
    if head[:4] == b"RF64":
        cid, size = struct.unpack("<4sI", f.read(8))
        if cid != b"ds64" or size < 24:
            raise BwfError(f"{name} is an RF64 WAV without its ds64 chunk; the file is damaged")
        _riff, data_size, _count = struct.unpack("<QQQ", f.read(24))
    found: list[Chunk] = []
    pos = 12
    while pos + 8 <= length:
        f.seek(pos)
        cid, size = struct.unpack("<4sI", f.read(8))
        if cid == b"data" and data_size is not None and size == _MAX_RIFF:
            size = data_size
        if pos + 8 + size > length:
            if cid == b"data":  # a writer that never filled in the size: what is there
                found.append(Chunk(cid, pos + 8, length - pos - 8))
                break
            raise BwfError(f"{name} is cut short (its {cid.decode('ascii', 'replace')!r} "
                           "chunk runs past the end)")
        found.append(Chunk(cid, pos + 8, size))
        pos += 8 + size + (size & 1)
    return found


def _body(f: BinaryIO, chunk: Chunk) -> bytes:
    f.seek(chunk.offset)
    return f.read(chunk.size)


def read_format(path: Path) -> tuple[WavFormat, Chunk]:
    """A WAV's sample format and where its samples are (the ``data`` chunk)."""
    path = Path(path)
    with open(path, "rb") as f:
        found = chunks(f, path.name)
        fmt = next((c for c in found if c.id == b"fmt "), None)
        data = next((c for c in found if c.id == b"data"), None)
        if fmt is None or data is None or fmt.size < 16:
            raise BwfError(f"{path.name} has no {'samples' if fmt else 'sample format'}; "
                           "the file is damaged")
        raw = _body(f, fmt)
    tag, channels, rate, _bps, _align, bits = struct.unpack("<HHIIHH", raw[:16])
    if tag == WAVE_FORMAT_EXTENSIBLE and len(raw) >= 26:
        tag = struct.unpack("<H", raw[24:26])[0]  # the sub-format GUID's first two bytes
    return WavFormat(tag, channels, rate, bits), data


def read_bext(path: Path) -> Bext | None:
    """The ``bext`` a WAV holds, or None."""
    path = Path(path)
    with open(path, "rb") as f:
        found = [c for c in chunks(f, path.name) if c.id == b"bext"]
        return unpack(_body(f, found[0])) if found else None


# -- writing -------------------------------------------------------------------------------------

def _chunk(cid: bytes, body: bytes) -> bytes:
    return struct.pack("<4sI", cid, len(body)) + body + (b"\0" if len(body) & 1 else b"")


def fmt_body(fmt: WavFormat) -> bytes:
    body = struct.pack("<HHIIHH", fmt.format_tag, fmt.channels, fmt.sample_rate,
                       fmt.sample_rate * fmt.block_align, fmt.block_align, fmt.bits)
    return body + (b"\0\0" if fmt.format_tag != WAVE_FORMAT_PCM else b"")  # cbSize


_LOUDNESS_AT = 256 + 32 + 32 + 10 + 8 + 8 + 2 + 64  # LoudnessValue's place in the body


def set_loudness(path: Path, lufs: float) -> None:
    """Fill in the ``bext`` LoudnessValue (integrated, 1/100 LUFS) of a WAV in place (a file
    being made, before it is put where it goes)."""
    path = Path(path)
    with open(path, "r+b") as f:
        found = [c for c in chunks(f, path.name) if c.id == b"bext"]
        if not found or found[0].size < BEXT_FIXED:
            raise BwfError(f"{path.name} has no version 2 bext chunk to hold its loudness")
        f.seek(found[0].offset + _LOUDNESS_AT)
        f.write(struct.pack("<h", max(-32767, min(32766, round(lufs * 100)))))


def write_bext(path: Path, bext: Bext, dest: Path | None = None) -> None:
    """Give the WAV ``path`` this ``bext`` (replacing one it has), written to ``dest`` (by
    default ``path`` itself) whole or not at all. The other chunks are kept in their order;
    a new ``bext`` goes before the samples."""
    path = Path(path)
    dest = Path(dest) if dest is not None else path
    new = _chunk(b"bext", pack(bext))
    with open(path, "rb") as src:
        found = chunks(src, path.name)
        if not any(c.id == b"data" for c in found):
            raise BwfError(f"{path.name} has no samples; the file is damaged")
        total = 4 + sum(8 + c.size + (c.size & 1) for c in found if c.id != b"bext") + len(new)
        if total > _MAX_RIFF:
            raise BwfError(f"{path.name} would be over 4 GiB with its bext chunk; RF64 is "
                           "not written here")
        with replacing(dest, BwfError) as tmp, open(tmp, "wb") as out:
            out.write(b"RIFF" + struct.pack("<I", total) + b"WAVE")
            for c in found:
                if c.id == b"bext":
                    continue
                if c.id == b"data":
                    out.write(new)
                out.write(struct.pack("<4sI", c.id, c.size))
                src.seek(c.offset)
                left = c.size
                while left:
                    block = src.read(min(_COPY, left))
                    if not block:
                        raise BwfError(f"{path.name} is cut short")
                    out.write(block)
                    left -= len(block)
                if c.size & 1:
                    out.write(b"\0")


class BwfWriter:
    """A Broadcast WAV written in one pass to ``path`` (a temp file: see ``files.replacing``):
    ``fmt``, ``bext`` (when given; its coding history says how the file was made when it has
    none), ``fact`` for float, then the samples, whose sizes are filled in on ``close``."""

    riff_limit = _MAX_RIFF  # past this many bytes the file becomes RF64 (tests lower it)

    def __init__(self, path: Path, sample_rate: int, channels: int = 2,
                 sample_format: SampleFormat = "pcm24", bext: Bext | None = None,
                 ixml: str | None = None) -> None:
        if sample_format not in _FORMATS:
            raise BwfError(f"WAV samples here are {', '.join(_FORMATS)}, not {sample_format}")
        tag, width = _FORMATS[sample_format]
        self.format = WavFormat(tag, channels, sample_rate, width * 8)
        self.frames = 0
        self.rf64 = False
        self._file: BinaryIO = open(path, "wb")
        head = _chunk(b"JUNK", bytes(DS64_SIZE))  # becomes ds64 past 4 GiB
        head += _chunk(b"fmt ", fmt_body(self.format))
        if bext is not None:
            if not bext.coding_history:
                bext = replace(bext, coding_history=coding_history_line(self.format))
            head += _chunk(b"bext", pack(bext))
        if ixml is not None:
            head += _chunk(b"iXML", ixml.encode("utf-8"))
        self._fact_at = None
        if tag != WAVE_FORMAT_PCM:
            self._fact_at = 12 + len(head) + 8
            head += _chunk(b"fact", struct.pack("<I", 0))
        self._file.write(b"RIFF\0\0\0\0WAVE" + head + b"data\0\0\0\0")
        self._data_at = 12 + len(head) + 8

    def write(self, data: bytes) -> None:
        """Interleaved samples in the file's format, whole frames."""
        align = self.format.block_align
        if len(data) % align:
            raise BwfError("samples must be written in whole frames")
        self._file.write(data)
        self.frames += len(data) // align

    def close(self) -> None:
        f = self._file
        if f.closed:
            return
        size = self.frames * self.format.block_align
        if size & 1:
            f.write(b"\0")
        end = f.tell()
        if end - 8 > self.riff_limit or size > self.riff_limit:
            self.rf64 = True
            f.seek(0)
            f.write(b"RF64" + struct.pack("<I", _MAX_RIFF) + b"WAVE")
            f.write(b"ds64" + struct.pack("<IQQQI", DS64_SIZE, end - 8, size, self.frames, 0))
            f.seek(self._data_at - 4)
            f.write(struct.pack("<I", _MAX_RIFF))
        else:
            f.seek(4)
            f.write(struct.pack("<I", end - 8))
            f.seek(self._data_at - 4)
            f.write(struct.pack("<I", size))
        if self._fact_at is not None:
            f.seek(self._fact_at)
            f.write(struct.pack("<I", min(self.frames, _MAX_RIFF)))
        f.close()

    def __enter__(self) -> BwfWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def iter_samples(path: Path, frames_per_block: int = 65536) -> Iterator[bytes]:
    """A WAV's raw sample bytes, in blocks of whole frames (for readers and tests)."""
    fmt, data = read_format(path)
    step = max(1, frames_per_block) * fmt.block_align
    with open(path, "rb") as f:
        f.seek(data.offset)
        left = data.size - data.size % fmt.block_align
        while left:
            block = f.read(min(step, left))
            if not block:
                return
            yield block
            left -= len(block)
