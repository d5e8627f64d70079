"""Standard MIDI Files (mido): import into a project, export a project.

Reading (``formats.smf_read``, re-exported here): notes, controllers, each track's name and
sound, the tempo map and meters, the SMPTE offset and markers, into a ``MidiImport``; here it
becomes a new project (``new_project``) or tracks added to one (``import_into``).

Writing: type 1, 960 ticks a quarter note; a conductor track (title, SMPTE offset of the
project start, tempo map, meters, cues and hits as markers) and one track per project track.
Markers read "Cue 1M1: title", "Cue 1M1 end" and "Hit (kind): name", so a round trip brings
cues and hits back; other files' markers become soft hits. Note times are ticks of the
project's tempo map, so a round trip keeps every note to the tick; what a MIDI file can't hold
(tempo ramps are written as steps, track colours, mute and solo) is not written.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import mido

from cuesketch.files import replacing
from cuesketch.formats.smf_read import (US_PER_MINUTE, MidiFileError, MidiImport,
                                        MidiTrackData, file_bpm, load, read)
from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import (ControlPoint, Controller, Cue, Hit, HitKind, Note, Settings,
                                      Track)
from cuesketch.model.project import Project
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import BarBeatTick, TempoMap
from cuesketch.timing.timecode import Timecode, TimecodeError
from cuesketch.timing.units import FLICKS_PER_SECOND

__all__ = ["PPQ", "MidiFileError", "MidiImport", "MidiTrackData", "file_bpm", "import_into",
           "load", "new_project", "offset_position", "read", "to_midifile", "write"]

PPQ = 960
_CUE_START = re.compile(r"^Cue (\S+)(?:: (.*))?$", re.S)
_CUE_END = re.compile(r"^Cue (\S+) end$")
_HIT = re.compile(r"^Hit(?: \((hard|soft|cut|dialogue)\))?:\s?(.*)$", re.S)


# --- into a project ---------------------------------------------------------------------------

def offset_position(imp: MidiImport, settings: Settings) -> int | None:
    """Where the file's SMPTE offset falls on a project's transport (flicks), if it has one.

    The offset's label is read at the project's rate when both count the same frames a
    timecode second (24 for 23.976, 30 for 29.97); otherwise by its wall-clock time.
    """
    if imp.offset is None or imp.rate is None:
        return None
    rate = settings.rate
    sub = Fraction(imp.offset_subframes, 100)
    try:
        if rate.nominal == imp.rate.nominal and rate.drop == imp.rate.drop:
            frame = imp.offset.to_frame(rate) - settings.start_frame
            return round((frame + sub) * rate.flicks_per_frame)
        if rate.nominal == 2 * imp.rate.nominal:
            half = FrameRate(rate.fps / 2, rate.drop)
            frame = 2 * imp.offset.to_frame(half) - settings.start_frame
            return round((frame + 2 * sub) * rate.flicks_per_frame)
        seconds = (imp.offset.to_frame(imp.rate) + sub) / imp.rate.fps
    except TimecodeError:
        return None
    start = Fraction(settings.start_frame) / rate.fps
    return round((seconds - start) * FLICKS_PER_SECOND)


def new_project(imp: MidiImport, settings: Settings | None = None) -> Project:
    """A new project holding the file: its rate and start from the SMPTE offset."""
    base = settings or Settings()
    shift = 0
    if imp.offset is not None and imp.rate is not None:
        start = imp.offset.to_frame(imp.rate)
        base = replace(base, rate=imp.rate, start_frame=start)
        shift = imp.offset_subframes * imp.rate.flicks_per_frame // 100
    elif imp.rate is not None:
        base = replace(base, rate=imp.rate)
    tempo = TempoMap(shift, imp.tempo.tempos, imp.tempo.meters)
    base = replace(base, tempo=tempo, title=imp.title or base.title)
    project = Project()
    project.load(base, _entities(imp, project, base, shift))
    return project


def import_into(document: Document, imp: MidiImport, at: int | None = None, *,
                use_tempo: bool = False, label: str = "Import MIDI file") -> list[Track]:
    """Add the file's tracks to an open project as one undo step.

    ``at``: the transport position of the file's start (the playhead); None places it at
    its SMPTE offset when it has one, else at the project start. ``use_tempo`` replaces the
    project's tempo map by the file's.
    """
    project = document.project
    if at is None:
        at = offset_position(imp, project.settings)
        at = 0 if at is None else at
    entities = _entities(imp, project, project.settings, at)
    with document.transaction(label):
        if use_tempo:
            tempo = TempoMap(at, imp.tempo.tempos, imp.tempo.meters)
            document.set_settings(replace(project.settings, tempo=tempo))
        document.execute_changes([changes.insert(e) for e in entities], label)
    return [e for e in entities if isinstance(e, Track)]


def _entities(imp: MidiImport, project: Project, settings: Settings, shift: int
              ) -> list[Track | Note | ControlPoint | Hit | Cue]:
    out: list[Track | Note | ControlPoint | Hit | Cue] = []
    order = max((t.order for t in project.tracks.values()), default=-1) + 1
    for i, data in enumerate(imp.tracks):
        track = Track(project.new_id(Track), data.name or f"Track {i + 1}", bank=data.bank,
                      program=data.program, volume=data.volume, pan=data.pan, order=order + i,
                      channel=data.channel)
        out.append(track)
        for start, duration, key, velocity in data.notes:
            out.append(Note(project.new_id(Note), track.id, start + shift, duration, key,
                            max(1, velocity)))
        for time, controller, value in data.controls:
            out.append(ControlPoint(project.new_id(ControlPoint), track.id, time + shift,
                                    controller, value))
    out += _markers(imp, project, settings, shift)
    return out


def _markers(imp: MidiImport, project: Project, settings: Settings, shift: int
             ) -> list[Hit | Cue]:
    cues: dict[str, tuple[int, int | None, str]] = {}
    out: list[Hit | Cue] = []
    for flicks, text in imp.markers:
        frame = settings.rate.nearest_frame(flicks + shift)
        if m := _CUE_END.match(text):
            if m.group(1) in cues:
                start, _end, title = cues[m.group(1)]
                cues[m.group(1)] = (start, frame, title)
        elif m := _CUE_START.match(text):
            cues[m.group(1)] = (frame, None, m.group(2) or "")
        elif m := _HIT.match(text):
            out.append(Hit(project.new_id(Hit), frame, m.group(2).strip(),
                           HitKind(m.group(1) or "hard")))
        elif text.strip():
            out.append(Hit(project.new_id(Hit), frame, text.strip(), HitKind.SOFT))
    for name, (start, end, title) in cues.items():
        if end is None or end <= start:
            end = start + max(1, settings.rate.nominal)  # an unended cue: one second
        out.append(Cue(project.new_id(Cue), name, start, end, title=title))
    return out


# --- writing ----------------------------------------------------------------------------------

def to_midifile(project: Project, ticks_per_beat: int = PPQ) -> mido.MidiFile:
    """The project as a type 1 MIDI file (see the module's notes for what it carries)."""
    settings = project.settings
    tempo = settings.tempo
    beat0 = tempo.flicks_to_beat(0)  # tick 0 is the project start

    def tick(flicks: int) -> int:
        return max(0, round((tempo.flicks_to_beat(flicks) - beat0) * ticks_per_beat))

    def beat_tick(beat: Fraction) -> int:
        return max(0, round((beat - beat0) * ticks_per_beat))

    mid = mido.MidiFile(type=1, ticks_per_beat=ticks_per_beat)
    conductor: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
        (0, 0, mido.MetaMessage("track_name", name=settings.title)),
        (0, 1, _smpte_offset(settings)),
    ]
    for m in tempo.meters:
        beat = tempo.bbt_to_beat(BarBeatTick(m.bar + 1, 1, 0))
        conductor.append((beat_tick(beat), 2, mido.MetaMessage(
            "time_signature", numerator=m.numerator, denominator=m.denominator,
            clocks_per_click=24 * 4 // m.denominator or 1)))
    for t, us in _tempo_steps(tempo):
        conductor.append((beat_tick(t), 3, mido.MetaMessage("set_tempo", tempo=us)))
    rate = settings.rate
    for cue in sorted(project.cues.values(), key=lambda c: (c.start_frame, c.id)):
        title = f": {cue.title}" if cue.title else ""
        conductor.append((tick(rate.frame_to_flicks(cue.start_frame)), 4,
                          mido.MetaMessage("marker", text=f"Cue {cue.name}{title}")))
        conductor.append((tick(rate.frame_to_flicks(cue.end_frame)), 4,
                          mido.MetaMessage("marker", text=f"Cue {cue.name} end")))
    for hit in sorted(project.hits.values(), key=lambda h: (h.frame, h.id)):
        kind = "" if hit.kind is HitKind.HARD else f" ({hit.kind.value})"
        conductor.append((tick(rate.frame_to_flicks(hit.frame)), 4,
                          mido.MetaMessage("marker", text=f"Hit{kind}: {hit.name}")))
    mid.tracks.append(_track(conductor))

    channels = _export_channels(project.sorted_tracks())
    for track in project.sorted_tracks():
        ch = channels[track.id]
        events: list[tuple[int, int, mido.Message | mido.MetaMessage]] = [
            (0, 0, mido.MetaMessage("track_name", name=track.name))]
        if 0 < track.bank < 128:
            events.append((0, 1, mido.Message("control_change", channel=ch, control=0,
                                              value=track.bank)))
        events.append((0, 2, mido.Message("program_change", channel=ch,
                                          program=max(0, min(127, track.program)))))
        volume = max(0, min(127, round(track.volume * 127)))
        pan = max(0, min(127, round(64 + track.pan * 63.5)))
        # General MIDI's defaults (volume 100, pan centre) go without saying.
        if volume != 100:
            events.append((0, 3, mido.Message("control_change", channel=ch, control=7,
                                              value=volume)))
        if pan != 64:
            events.append((0, 3, mido.Message("control_change", channel=ch, control=10,
                                              value=pan)))
        for p in project.controls.values():
            if p.track_id != track.id:
                continue
            if p.controller is Controller.PITCH_BEND:
                msg = mido.Message("pitchwheel", channel=ch, pitch=max(-8192, min(8191, p.value)))
            else:
                msg = mido.Message("control_change", channel=ch, control=p.controller.cc or 0,
                                   value=max(0, min(127, p.value)))
            events.append((tick(p.time), 5, msg))
        for n in project.notes_of(track.id):
            start = tick(n.start)
            end = max(tick(n.end), start + 1)
            events.append((start, 6, mido.Message("note_on", channel=ch, note=n.pitch,
                                                  velocity=max(1, min(127, n.velocity)))))
            events.append((end, 4, mido.Message("note_off", channel=ch, note=n.pitch,
                                                velocity=64)))
        mid.tracks.append(_track(events))
    return mid


def _track(events: list[tuple[int, int, mido.Message | mido.MetaMessage]]) -> mido.MidiTrack:
    """Absolute (tick, order, message) to a track with delta times (offs before ons)."""
    track = mido.MidiTrack()
    now = 0
    for tick, _order, msg in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def _tempo_steps(tempo: TempoMap) -> list[tuple[Fraction, int]]:
    """The tempo map as MIDI tempo events (beat, us per quarter); ramps as 1/16-note steps."""
    out: list[tuple[Fraction, int]] = []
    tempos = tempo.tempos
    for i, change in enumerate(tempos):
        if change.ramp and i + 1 < len(tempos) and tempos[i + 1].bpm != change.bpm:
            step = Fraction(1, 4)
            beat = change.beat
            while beat < tempos[i + 1].beat:
                nxt = min(beat + step, tempos[i + 1].beat)
                flicks = tempo.beat_to_flicks(nxt) - tempo.beat_to_flicks(beat)
                us = round(Fraction(flicks, FLICKS_PER_SECOND) * 1_000_000 / (nxt - beat))
                out.append((beat, max(1, min(0xFFFFFF, us))))
                beat = nxt
        else:
            out.append((change.beat, max(1, min(0xFFFFFF, round(US_PER_MINUTE / change.bpm)))))
    return out


def _smpte_offset(settings: Settings) -> mido.MetaMessage:
    """The project start as an SMPTE offset (rates above 30 fps as half-rate plus sub-frames)."""
    rate, frame, sub = settings.rate, settings.start_frame, 0
    if rate.nominal > 30:
        rate = FrameRate(rate.fps / 2, rate.drop)
        frame, odd = divmod(frame, 2)
        sub = 50 * odd
    tc = Timecode.from_frame(frame, rate)
    code = {24: 24, 25: 25, 30: 29.97 if rate.drop else 30}.get(rate.nominal, 24)
    return mido.MetaMessage("smpte_offset", frame_rate=code, hours=tc.hours, minutes=tc.minutes,
                            seconds=tc.seconds, frames=tc.frames, sub_frames=sub)


def _export_channels(tracks: list[Track]) -> dict[int, int]:
    """Each track's MIDI channel: its own, unless an earlier track took it (then a free one)."""
    used: set[int] = set()
    out: dict[int, int] = {}
    for t in tracks:
        ch = t.channel if 0 <= t.channel < 16 else 0
        if ch in used:
            free = [c for c in range(16) if c not in used and c != 9]
            ch = free[0] if free else ch
        used.add(ch)
        out[t.id] = ch
    return out


def write(project: Project, path: str | Path, ticks_per_beat: int = PPQ) -> Path:
    """Export to ``path`` through a temporary file renamed into place."""
    path = Path(path)
    mid = to_midifile(project, ticks_per_beat)
    with replacing(path, MidiFileError) as tmp, open(tmp, "wb") as f:
        mid.save(file=f)
    return path
