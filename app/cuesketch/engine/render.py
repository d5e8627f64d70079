"""Offline rendering: a project, or a cue of it, to a 48 kHz Broadcast WAV, by the realtime path.

The renderer drives ``Playback.process`` exactly as the audio callback does, only as fast as
the synth goes, and writes 24-bit (or 16-bit) PCM or 32-bit float to a temporary file renamed
into place when complete: a failed or interrupted render never leaves a half-written WAV.

The file is a Broadcast WAV (``formats.bwf``): its ``bext`` time reference is the first
sample's place in the day at the project's timecode, so a DAW spots it to where it belongs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from cuesketch.engine.click import Click
from cuesketch.files import replacing
from cuesketch.formats.bwf import (WAVE_FORMAT_IEEE_FLOAT, Bext, BwfError, BwfWriter,
                                   SampleFormat, iter_samples, read_format, stamped,
                                   time_reference)
from cuesketch.engine.playback import Playback
from cuesketch.engine.synth import Audio, SynthEngine
from cuesketch.model.entities import Cue
from cuesketch.model.project import Project
from cuesketch.timing.timecode import format_position
from cuesketch.timing.units import flicks_to_samples, seconds_to_flicks

CHUNK = 8192  # samples per process call offline: large, a multiple of the 64-sample block


class RenderError(RuntimeError):
    """A render that can't be done (no such cue, a file that can't be written), in plain words."""


@dataclass(frozen=True)
class RenderResult:
    path: Path
    frames: int
    sample_rate: int
    peak: float  # the largest absolute sample (1.0 is full scale)
    clipped: int  # samples beyond full scale, clipped in the file
    time_reference: int = 0  # the first sample, in samples since midnight (the bext chunk)
    start_timecode: str = ""  # where it starts, as the project counts it

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate


def find_cue(project: Project, name: str) -> Cue:
    for cue in project.cues.values():
        if cue.name.lower() == name.strip().lower():
            return cue
    names = ", ".join(sorted(c.name for c in project.cues.values())) or "none"
    raise RenderError(f"the project has no cue '{name}' (its cues: {names})")


def cue_range(project: Project, cue: Cue) -> tuple[int, int]:
    """The cue's start and end on the transport (flicks)."""
    rate = project.settings.rate
    return rate.frame_to_flicks(cue.start_frame), rate.frame_to_flicks(cue.end_frame)


def project_range(project: Project, playback: Playback) -> tuple[int, int]:
    """From the project start (or the first note, if earlier) to the last note's end."""
    first = min([0] + [n.start for n in project.notes.values()])
    return first, playback.end


def render_blocks(playback: Playback, start: int, end: int,
                  chunk: int = CHUNK) -> Iterator[Audio]:
    """Blocks of float32 stereo from ``start`` to ``end`` (flicks), by ``Playback.process``.

    Each block is a view of one reused buffer: consume it (or copy it) before the next.
    """
    rate = playback.rate
    total = flicks_to_samples(end, rate) - flicks_to_samples(start, rate)
    playback.play(start)
    done = 0
    buf = np.empty((chunk, 2), dtype=np.float32)
    while done < total:
        n = min(chunk, total - done)
        yield playback.process(n, out=buf[:n])
        done += n
    playback.stop()
    playback.process(0)


def render_project(project: Project, out: Path, *, synth: SynthEngine | None = None,
                   cue: str | None = None, click: bool | Click = False, tail: float = 2.0,
                   bits: int = 24, soundfont: str | Path | None = "default",
                   now: dt.datetime | None = None) -> RenderResult:
    """Render ``project`` (or one cue) to the Broadcast WAV ``out``; ``tail`` seconds of
    ring-out; ``bits`` 16 or 24 (PCM) or 32 (float).

    ``click``: True mixes the default click in; a ``Click`` is used as it is (level, sound,
    a frame click); a frame click of a cue counts from the cue's start. ``now`` stamps the
    file's origination date and time (default: the clock's)."""
    own_synth = synth is None
    if synth is None:
        synth = SynthEngine(project.settings.soundfont or soundfont)
    try:
        the_click = click if isinstance(click, Click) else Click(enabled=click)
        playback = Playback(synth, project, click=the_click)
        s = project.settings
        if cue is not None:
            the_cue = find_cue(project, cue)
            start, end = cue_range(project, the_cue)
            if the_click.mode == "frames":
                the_click.frame_origin = start
            if the_cue.tempo is not None:
                playback.click_tempo = the_cue.tempo
            what = f"cue {the_cue.name}" + (f" ({the_cue.title})" if the_cue.title else "")
        else:
            start, end = project_range(project, playback)
            what = "the whole project"
        end += seconds_to_flicks(tail)
        where = format_position(start, s.rate, s.start_frame)
        bext = stamped(f"{s.title}: {what}, from {where} at {s.rate.name} fps",
                       time_reference(s.start_frame, s.rate, synth.sample_rate, start),
                       now=now)
        result = write_wav(out, render_blocks(playback, start, end), synth.sample_rate, bits,
                           bext=bext)
        return replace(result, start_timecode=where)
    finally:
        if own_synth:
            synth.close()


SAMPLE_FORMATS: dict[int, SampleFormat] = {16: "pcm16", 24: "pcm24", 32: "float32"}


def write_wav(path: Path, blocks: Iterator[Audio], sample_rate: int, bits: int = 24,
              bext: Bext | None = None) -> RenderResult:
    """Write float blocks to ``path`` through a temporary file and a rename: 16- or 24-bit
    PCM (clipped at full scale) or 32-bit float (as they are); a Broadcast WAV with ``bext``."""
    if bits not in SAMPLE_FORMATS:
        raise RenderError(f"WAV files here are 16 or 24 bits, or 32-bit float, not {bits}")
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise RenderError(f"there is no folder {folder} to write {path.name} in")
    try:
        with replacing(path, RenderError) as tmp, BwfWriter(
                tmp, sample_rate, 2, SAMPLE_FORMATS[bits], bext) as w:
            frames, peak, clipped = write_blocks(w, blocks, bits)
    except BwfError as e:  # the file is gone (replacing removed it); say why
        raise RenderError(str(e)) from None
    return RenderResult(path, frames, sample_rate, peak, clipped,
                        bext.time_reference if bext is not None else 0)


def write_blocks(w: BwfWriter, blocks: Iterator[Audio], bits: int) -> tuple[int, float, int]:
    """Write float blocks as ``bits``-bit PCM (16, 24) or 32-bit float; returns the frames
    written, the peak and how many samples clipped (renders and stems write alike)."""
    frames = clipped = 0
    peak = 0.0
    scale = float(2 ** (bits - 1) - 1)
    for block in blocks:
        if not len(block):
            continue
        level = float(np.abs(block).max())
        peak = max(peak, level)
        if bits == 32:
            w.write(np.ascontiguousarray(block, dtype="<f4").tobytes())
            frames += len(block)
            continue
        if level > 1.0:
            clipped += int(np.count_nonzero(np.abs(block) > 1.0))
        ints = np.rint(np.clip(block, -1.0, 1.0) * scale).astype("<i4")
        if bits == 16:
            data = ints.astype("<i2").tobytes()
        else:
            data = ints.view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
        w.write(data)
        frames += len(block)
    return frames, peak, clipped


def read_wav(path: Path) -> tuple[Audio, int]:
    """A 16- or 24-bit PCM or 32-bit float WAV as float32 (frames, channels) and its rate
    (tests, tools)."""
    try:
        fmt, _ = read_format(path)
        data = b"".join(iter_samples(path))
    except BwfError as e:
        raise RenderError(str(e)) from None
    width, channels = fmt.bits // 8, fmt.channels
    if fmt.format_tag == WAVE_FORMAT_IEEE_FLOAT and width == 4:
        return np.frombuffer(data, dtype="<f4").reshape(-1, channels).copy(), fmt.sample_rate
    if width == 2:
        ints = np.frombuffer(data, dtype="<i2").astype(np.int32)
    elif width == 3:
        b = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = (b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16))
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
    else:
        raise RenderError(f"{path}: {8 * width}-bit WAV is not read here")
    full = float(2 ** (8 * width - 1))
    return (ints.reshape(-1, channels) / full).astype(np.float32), fmt.sample_rate
