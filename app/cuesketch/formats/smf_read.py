"""Standard MIDI Files, read (mido): the file's bytes into ``MidiImport``, in project terms.

Reading (type 0 and 1): notes (paired first in, first out per channel and key), sustain,
modulation, expression and pitch bend, each track's name, bank, program, volume and pan, the
tempo map and meters, the SMPTE offset (the time of tick 0) and markers. A track playing on
several channels becomes one project track per channel.

Time division: metrical files count ticks per quarter note; SMPTE files count ticks per frame
(a negative division: frames per second in the high byte, ticks per frame in the low one).
mido reads the division as a signed 16-bit ``ticks_per_beat``, so an SMPTE file shows up as a
negative number that mido's own tick-to-second helpers treat as ticks per beat; we decode it
(``-6360`` is -25 fps, 40 ticks a frame), and -29 means 29.97 fps drop-frame: ticks then run
at 30000/1001 frames a second. In an SMPTE file, time ignores the tempo events; they still
make the tempo map, placed at their times.

What the import means for a project (where it lands, cues and hits from markers) is
``formats.smf``'s.
"""

from __future__ import annotations

import io
import struct
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import mido
from mido.midifiles.meta import KeySignatureError

from cuesketch.model.entities import CC_CONTROLLERS, Controller
from cuesketch.timing.rates import STANDARD_RATES, FrameRate
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoError, TempoMap
from cuesketch.timing.timecode import Timecode, TimecodeError
from cuesketch.timing.units import FLICKS_PER_SAMPLE, FLICKS_PER_SECOND

US_PER_MINUTE = 60_000_000
_MAX_TICK = 1 << 40  # past this a file is not music (and Fractions get slow)
# SMPTE division's frames-per-second byte, and the smpte_offset meta's frame_rate, as rates
_DIVISION_FPS = {24: Fraction(24), 25: Fraction(25), 29: Fraction(30000, 1001), 30: Fraction(30)}
_OFFSET_RATES = {24: STANDARD_RATES["24"], 25: STANDARD_RATES["25"],
                 29.97: STANDARD_RATES["29.97df"], 30: STANDARD_RATES["30"]}


class MidiFileError(ValueError):
    """A MIDI file that can't be read or written, said in plain words."""


@dataclass
class MidiTrackData:
    """One project track to be, from a MIDI track (and one channel of it)."""

    name: str
    channel: int
    bank: int = 0
    program: int = 0
    volume: float = 100 / 127  # the GM default CC7
    pan: float = 0.0
    notes: list[tuple[int, int, int, int]] = field(default_factory=list)  # start, dur, key, vel
    controls: list[tuple[int, Controller, int]] = field(default_factory=list)  # time, ctl, value


@dataclass
class MidiImport:
    """A MIDI file read into project terms; times are flicks from tick 0."""

    tempo: TempoMap
    tracks: list[MidiTrackData]
    markers: list[tuple[int, str]]  # (flicks, text)
    title: str = ""
    rate: FrameRate | None = None  # from the SMPTE offset (or an SMPTE division)
    offset: Timecode | None = None  # the SMPTE offset: the timecode of tick 0
    offset_subframes: int = 0  # hundredths of a frame past ``offset``
    warnings: list[str] = field(default_factory=list)

    @property
    def end(self) -> int:
        ends = [s + d for t in self.tracks for s, d, _k, _v in t.notes]
        ends += [t for t, _ in self.markers]
        return max(ends, default=0)


# --- reading -------------------------------------------------------------------------------

def load(source: str | Path | bytes | BinaryIO) -> mido.MidiFile:
    """Parse a MIDI file with mido; anything unreadable is a MidiFileError."""
    name = str(source) if isinstance(source, (str, Path)) else "the MIDI data"
    try:
        if isinstance(source, (str, Path)):
            with open(source, "rb") as f:
                data = f.read()
        elif isinstance(source, bytes):
            data = source
        else:
            data = source.read()
    except FileNotFoundError:
        raise MidiFileError(f"there is no file {name}") from None
    except OSError as e:
        raise MidiFileError(f"can't read {name}: {e.strerror or e}") from None
    if data[:4] != b"MThd":
        raise MidiFileError(f"{name} is not a Standard MIDI File (it does not start with MThd)")
    try:
        return mido.MidiFile(file=io.BytesIO(data), clip=False)
    except (OSError, EOFError, ValueError, KeyError, IndexError, TypeError, struct.error,
            UnicodeError, KeySignatureError) as e:
        detail = str(e) or type(e).__name__
        raise MidiFileError(f"{name} is damaged or not a MIDI file ({detail})") from None


def read(source: str | Path | bytes | BinaryIO) -> MidiImport:
    """Read a Standard MIDI File (type 0 or 1) into project terms."""
    mid = load(source)
    if mid.type not in (0, 1):
        raise MidiFileError(f"MIDI file type {mid.type} is not supported (only types 0 and 1: "
                            f"type 2 holds independent patterns with no common time)")
    return _convert(mid)


def _absolute(track: mido.MidiTrack) -> list[tuple[int, mido.Message]]:
    tick = 0
    out = []
    for msg in track:
        tick += msg.time
        out.append((tick, msg))
    if tick > _MAX_TICK:
        raise MidiFileError("the MIDI file's times are out of any musical range")
    return out


def _convert(mid: mido.MidiFile) -> MidiImport:
    warnings: list[str] = []
    tracks = [_absolute(t) for t in mid.tracks]
    events = sorted(((tick, i, msg) for i, t in enumerate(tracks) for tick, msg in t),
                    key=lambda e: (e[0], e[1]))
    division = mid.ticks_per_beat
    if division == 0:
        raise MidiFileError("the MIDI file's time division is 0 ticks")

    # Tempo: (tick, microseconds per quarter), the last at a tick wins.
    tempos: dict[int, int] = {}
    for tick, _i, msg in events:
        if msg.type == "set_tempo":
            if msg.tempo <= 0:
                warnings.append(f"a tempo of {msg.tempo} us per beat at tick {tick} was ignored")
                continue
            tempos[tick] = msg.tempo
    tempo_list = sorted(tempos.items())
    if not tempo_list or tempo_list[0][0] != 0:
        tempo_list.insert(0, (0, 500_000))

    rate: FrameRate | None = None
    if division > 0:
        to_flicks, beat_of, tempo_map_tempos = _metrical(division, tempo_list)
    else:
        fps_byte, ticks_per_frame = -(division >> 8), division & 0xFF
        if fps_byte not in _DIVISION_FPS or ticks_per_frame == 0:
            raise MidiFileError(f"the MIDI file's SMPTE time division ({fps_byte} fps, "
                                f"{ticks_per_frame} ticks a frame) is not a valid one")
        rate = {24: STANDARD_RATES["24"], 25: STANDARD_RATES["25"],
                29: STANDARD_RATES["29.97df"], 30: STANDARD_RATES["30"]}[fps_byte]
        to_flicks, beat_of, tempo_map_tempos = _smpte(_DIVISION_FPS[fps_byte] * ticks_per_frame,
                                                      tempo_list)

    meters = _meters([(tick, msg) for tick, _i, msg in events if msg.type == "time_signature"],
                     beat_of, warnings)
    try:
        tempo = TempoMap(0, tempo_map_tempos, meters)
    except TempoError as e:
        warnings.append(f"the file's tempo map was replaced by 120 bpm 4/4 ({e})")
        tempo = TempoMap()

    title = ""
    offset: Timecode | None = None
    subframes = 0
    markers: list[tuple[int, str]] = []
    for tick, i, msg in events:
        if msg.type == "smpte_offset" and offset is None:
            offset_rate = _OFFSET_RATES.get(msg.frame_rate)
            if offset_rate is None:
                continue
            tc = Timecode(msg.hours, msg.minutes, msg.seconds, msg.frames, offset_rate.drop)
            try:
                tc.to_frame(offset_rate)
            except TimecodeError as e:
                warnings.append(f"the SMPTE offset was ignored: {e}")
                continue
            offset, subframes = tc, min(msg.sub_frames, 99)
            rate = offset_rate
        elif msg.type in ("marker", "cue_marker"):
            markers.append((to_flicks(tick), msg.text))
        elif msg.type == "track_name" and i == 0 and not title and mid.type == 1:
            title = msg.name.strip()

    data = [_read_track(i, t, to_flicks, warnings) for i, t in enumerate(tracks)]
    out_tracks = [t for ts in data for t in ts]
    if data and data[0]:
        title = ""  # the first track plays: its name is that track's, not the title
    return MidiImport(tempo, out_tracks, markers, title, rate, offset, subframes, warnings)


def file_bpm(us_per_quarter: int) -> Fraction:
    """The tempo a file's microseconds per quarter note were written from.

    A file holds whole microseconds: 132 bpm is stored as 454545 us. The simplest tempo (to a
    thousandth of a bpm) that rounds to the same microseconds is taken, so 132 comes back as
    132 and writing it again gives the same 454545.
    """
    exact = Fraction(US_PER_MINUTE, us_per_quarter)
    simple = exact.limit_denominator(1000)
    if simple > 0 and round(US_PER_MINUTE / simple) == us_per_quarter:
        return simple
    return exact


def _metrical(ppq: int, tempo_list: list[tuple[int, int]]
              ) -> tuple[Callable[[int], int], Callable[[int], Fraction], tuple[TempoChange, ...]]:
    tempos = tuple(TempoChange(Fraction(tick, ppq), file_bpm(us)) for tick, us in tempo_list)
    tempo_map = TempoMap(0, tempos)

    def to_flicks(tick: int) -> int:
        return tempo_map.beat_to_flicks(Fraction(tick, ppq))

    def beat_of(tick: int) -> Fraction:
        return Fraction(tick, ppq)

    return to_flicks, beat_of, tempos


def _smpte(ticks_per_second: Fraction, tempo_list: list[tuple[int, int]]
           ) -> tuple[Callable[[int], int], Callable[[int], Fraction], tuple[TempoChange, ...]]:
    flicks_per_tick = FLICKS_PER_SECOND / ticks_per_second

    def to_flicks(tick: int) -> int:
        return round(tick * flicks_per_tick)

    # Tempo events sit at times; their beats follow from integrating the tempo before them.
    beats = [Fraction(0)]
    for (t0, us), (t1, _) in zip(tempo_list, tempo_list[1:]):
        seconds = (t1 - t0) / ticks_per_second
        beats.append(beats[-1] + seconds * 1_000_000 / us)
    tempos = tuple(TempoChange(b, file_bpm(us)) for b, (_t, us) in zip(beats, tempo_list))

    def beat_of(tick: int) -> Fraction:
        i = max(j for j, (t, _us) in enumerate(tempo_list) if t <= tick) if tick >= 0 else 0
        t0, us = tempo_list[i]
        return beats[i] + (tick - t0) / ticks_per_second * 1_000_000 / us

    return to_flicks, beat_of, tempos


def _meters(sigs: list[tuple[int, mido.MetaMessage]], beat_of: Callable[[int], Fraction],
            warnings: list[str]) -> tuple[MeterChange, ...]:
    meters = [MeterChange(0, 4, 4)]
    bar, beat0 = 0, Fraction(0)  # the last time signature's bar and beat
    for tick, msg in sigs:
        num, den = msg.numerator, msg.denominator
        if num < 1 or den not in (1, 2, 4, 8, 16, 32, 64):
            warnings.append(f"a time signature {num}/{den} at tick {tick} was ignored")
            continue
        last = meters[-1]
        bar_beats = Fraction(4 * last.numerator, last.denominator)
        bars = (beat_of(tick) - beat0) / bar_beats
        whole = max(0, -(-bars.numerator // bars.denominator))  # mid-bar: from the next bar
        if whole != bars:
            warnings.append(f"the time signature {num}/{den} at tick {tick} is not on a bar "
                            f"line; it starts at the next bar")
        bar += whole
        beat0 += whole * bar_beats
        if bar == last.bar:
            meters[-1] = MeterChange(bar, num, den)
        elif (num, den) != (last.numerator, last.denominator):
            meters.append(MeterChange(bar, num, den))
    return tuple(meters)


def _read_track(index: int, events: list[tuple[int, mido.Message]],
                to_flicks: Callable[[int], int], warnings: list[str]) -> list[MidiTrackData]:
    name = ""
    by_channel: dict[int, MidiTrackData] = {}
    open_notes: dict[tuple[int, int], deque[tuple[int, int]]] = defaultdict(deque)
    started: set[int] = set()  # channels that have played a note (later programs are lost)
    last_tick = 0
    dropped: dict[str, int] = defaultdict(int)

    def chan(c: int) -> MidiTrackData:
        if c not in by_channel:
            by_channel[c] = MidiTrackData("", c)
        return by_channel[c]

    for tick, msg in events:
        last_tick = tick
        kind = msg.type
        if kind == "track_name" and not name:
            name = msg.name.strip()
        elif kind == "note_on" and msg.velocity > 0:
            chan(msg.channel)
            started.add(msg.channel)
            open_notes[(msg.channel, msg.note)].append((tick, msg.velocity))
        elif kind in ("note_off", "note_on"):
            queue = open_notes.get((msg.channel, msg.note))
            if queue:
                start, velocity = queue.popleft()
                _add_note(chan(msg.channel), start, tick, msg.note, velocity, to_flicks)
        elif kind == "program_change":
            if msg.channel in started:
                dropped["program changes after the first note"] += 1
            else:
                chan(msg.channel).program = msg.program
        elif kind == "control_change":
            t = chan(msg.channel)
            if msg.control in CC_CONTROLLERS:
                t.controls.append((to_flicks(tick), CC_CONTROLLERS[msg.control], msg.value))
            elif msg.channel in started and msg.control in (0, 7, 10):
                dropped["bank, volume and pan changes after the first note"] += 1
            elif msg.control == 0:
                t.bank = msg.value
            elif msg.control == 7:
                t.volume = msg.value / 127
            elif msg.control == 10:
                t.pan = max(-1.0, min(1.0, (msg.value - 64) / 63.5))
            elif msg.control != 32:
                dropped[f"controller {msg.control} changes"] += 1
        elif kind == "pitchwheel":
            chan(msg.channel).controls.append((to_flicks(tick), Controller.PITCH_BEND, msg.pitch))
    held = sum(len(q) for q in open_notes.values())
    for (channel, key), queue in open_notes.items():
        for start, velocity in queue:
            _add_note(chan(channel), start, last_tick, key, velocity, to_flicks)
    if held:
        warnings.append(f"track {index + 1}: {held} notes never ended; they end with the track")
    for what, count in dropped.items():
        warnings.append(f"track {index + 1}: {count} {what} could not be kept")
    out = [t for t in by_channel.values() if t.notes or t.controls]
    for t in sorted(out, key=lambda t: t.channel):
        base = name or ("Drums" if t.channel == 9 else f"Track {index + 1}")
        t.name = f"{base} (channel {t.channel + 1})" if len(out) > 1 else base
        t.notes.sort()
        t.controls.sort(key=lambda c: (c[0], c[1].value))
    return sorted(out, key=lambda t: t.channel)


def _add_note(track: MidiTrackData, start_tick: int, end_tick: int, key: int, velocity: int,
              to_flicks: Callable[[int], int]) -> None:
    start = to_flicks(start_tick)
    duration = max(to_flicks(end_tick) - start, FLICKS_PER_SAMPLE)
    track.notes.append((start, duration, key, velocity))
