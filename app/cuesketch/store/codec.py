"""Entities and settings to plain dicts and back: one mapping shared by SQLite and JSON."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from cuesketch.model.entities import (ControlPoint, Controller, Cue, Hit, HitKind, Media, Note,
                                      Settings, Track)
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap


class FormatError(ValueError):
    """Stored data that does not make sense, said in plain words."""


def _frac(x: Fraction) -> str:
    return str(x)


def tempo_to_dict(tm: TempoMap) -> dict[str, Any]:
    return {
        "origin": tm.origin,
        "tempos": [{"beat": _frac(t.beat), "bpm": _frac(t.bpm), "ramp": t.ramp} for t in tm.tempos],
        "meters": [{"bar": m.bar, "num": m.numerator, "den": m.denominator} for m in tm.meters],
    }


def tempo_from_dict(d: dict[str, Any]) -> TempoMap:
    return TempoMap(
        origin=int(d["origin"]),
        tempos=tuple(TempoChange(Fraction(t["beat"]), Fraction(t["bpm"]), bool(t.get("ramp", False)))
                     for t in d["tempos"]),
        meters=tuple(MeterChange(int(m["bar"]), int(m["num"]), int(m["den"])) for m in d["meters"]),
    )


def settings_to_dict(s: Settings) -> dict[str, Any]:
    return {
        "title": s.title,
        "rate": {"fps": _frac(s.rate.fps), "drop": s.rate.drop},
        "start_frame": s.start_frame,
        "tempo": tempo_to_dict(s.tempo),
        "media": None if s.media is None else {
            "path": s.media.path, "content_hash": s.media.content_hash,
            "offset_frames": s.media.offset_frames},
        "sample_rate": s.sample_rate,
        "soundfont": s.soundfont,
    }


def settings_from_dict(d: dict[str, Any]) -> Settings:
    m = d.get("media")
    return Settings(
        title=str(d.get("title", "Untitled")),
        rate=FrameRate(Fraction(d["rate"]["fps"]), bool(d["rate"]["drop"])),
        start_frame=int(d["start_frame"]),
        tempo=tempo_from_dict(d["tempo"]),
        media=None if m is None else Media(str(m["path"]), str(m.get("content_hash", "")),
                                           int(m.get("offset_frames", 0))),
        sample_rate=int(d.get("sample_rate", 48_000)),
        soundfont=str(d.get("soundfont", "")),
    )


# Column order of each table; the same keys name the JSON fields.
NOTE_FIELDS = ("id", "track_id", "start", "duration", "pitch", "velocity")
CONTROL_FIELDS = ("id", "track_id", "time", "controller", "value")
TRACK_FIELDS = ("id", "name", "bank", "program", "volume", "pan", "mute", "solo", "color", "order",
                "channel")
HIT_FIELDS = ("id", "frame", "name", "kind", "note")
CUE_FIELDS = ("id", "name", "start_frame", "end_frame", "tempo", "title", "notes")


def note_row(n: Note) -> tuple[Any, ...]:
    return (n.id, n.track_id, n.start, n.duration, n.pitch, n.velocity)


def note_from_row(r: Any) -> Note:
    return Note(int(r[0]), int(r[1]), int(r[2]), int(r[3]), int(r[4]), int(r[5]))


def control_row(c: ControlPoint) -> tuple[Any, ...]:
    return (c.id, c.track_id, c.time, c.controller.value, c.value)


def control_from_row(r: Any) -> ControlPoint:
    return ControlPoint(int(r[0]), int(r[1]), int(r[2]), Controller(r[3]), int(r[4]))


def track_row(t: Track) -> tuple[Any, ...]:
    return (t.id, t.name, t.bank, t.program, t.volume, t.pan, int(t.mute), int(t.solo), t.color,
            t.order, t.channel)


def track_from_row(r: Any) -> Track:
    return Track(int(r[0]), str(r[1]), int(r[2]), int(r[3]), float(r[4]), float(r[5]),
                 bool(r[6]), bool(r[7]), str(r[8]), int(r[9]), int(r[10]))


def hit_row(h: Hit) -> tuple[Any, ...]:
    return (h.id, h.frame, h.name, h.kind.value, h.note)


def hit_from_row(r: Any) -> Hit:
    return Hit(int(r[0]), int(r[1]), str(r[2]), HitKind(r[3]), str(r[4]))


def cue_row(c: Cue) -> tuple[Any, ...]:
    import json
    return (c.id, c.name, c.start_frame, c.end_frame,
            None if c.tempo is None else json.dumps(tempo_to_dict(c.tempo)), c.title, c.notes)


def cue_from_row(r: Any) -> Cue:
    import json
    return Cue(int(r[0]), str(r[1]), int(r[2]), int(r[3]),
               None if r[4] is None else tempo_from_dict(json.loads(r[4])), str(r[5]), str(r[6]))


# kind -> (table name, fields, to row, from row)
TABLES: dict[type, tuple[str, tuple[str, ...], Any, Any]] = {
    Track: ("tracks", TRACK_FIELDS, track_row, track_from_row),
    Note: ("notes", NOTE_FIELDS, note_row, note_from_row),
    ControlPoint: ("controls", CONTROL_FIELDS, control_row, control_from_row),
    Hit: ("hits", HIT_FIELDS, hit_row, hit_from_row),
    Cue: ("cues", CUE_FIELDS, cue_row, cue_from_row),
}
