"""Entities and settings to plain values and back: one mapping shared by SQLite and JSON.

Two ways in: ``entity_from_dict`` checks every value and says what is wrong in plain words (JSON
import, salvaging a damaged file); ``fast_from_rows`` trusts rows that SQLite has already
checked (STRICT tables, CHECK constraints, ``quick_check`` on open) and only builds objects.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from cuesketch.model.entities import (CUE_USAGES, ControlPoint, Controller, Cue, CueKind, CueStatus,
                                      Entity, Hit, HitKind, Marker, Media, NoMusic, Note,
                                      ReviewNote, RightsShare, Settings, Theme, ThemeUse, Track, SpeechRegion)
from cuesketch.model.theme_values import Key, Snippet, ThemeError, ThemeRole, Transform
from cuesketch.store import theme_codec
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoError, TempoMap


class FormatError(ValueError):
    """Stored data that does not make sense, said in plain words."""


# -- checked plain values ------------------------------------------------------------------------
_INT64 = 2**63


def _int(d: Mapping[str, Any], key: str, lo: int = -_INT64, hi: int = _INT64 - 1) -> int:
    v = _get(d, key)
    if type(v) is not int:
        raise FormatError(f"{key} must be a whole number, not {v!r}")
    if not lo <= v <= hi:
        bounds = f"at least {lo}" if hi == _INT64 - 1 else f"{lo}..{hi}"
        raise FormatError(f"{key} must be {bounds}, not {v}")
    return v


def _float(d: Mapping[str, Any], key: str) -> float:
    v = _get(d, key)
    if type(v) not in (int, float) or not math.isfinite(v):
        raise FormatError(f"{key} must be a number, not {v!r}")
    return float(v)


def _str(d: Mapping[str, Any], key: str) -> str:
    v = _get(d, key)
    if not isinstance(v, str):
        raise FormatError(f"{key} must be text, not {v!r}")
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        raise FormatError(f"{key} holds characters that are not valid text") from None
    return v


def _bool(d: Mapping[str, Any], key: str) -> bool:
    v = _get(d, key)
    if type(v) is bool:
        return v
    if type(v) is int and v in (0, 1):  # SQLite keeps booleans as 0 and 1
        return bool(v)
    raise FormatError(f"{key} must be true or false, not {v!r}")


def _get(d: Mapping[str, Any], key: str, default: Any = ...) -> Any:
    if not isinstance(d, Mapping):
        raise FormatError(f"expected an object with {key}, not {str(d)[:40]!r}")
    if key not in d and default is not ...:
        return default
    try:
        return d[key]
    except KeyError:
        raise FormatError(f"{key} is missing") from None


# Exact numbers as text: "120", "-3", "2997/100", "23.976". No exponents: "1e999999999" would
# make Fraction compute a number with a billion digits.
_FRACTION = re.compile(r"-?[0-9]{1,30}(?:/[0-9]{1,30}|\.[0-9]{1,30})?")


def _fraction(v: Any, what: str) -> Fraction:
    if type(v) is int and abs(v) < _INT64:
        return Fraction(v)
    if isinstance(v, str) and _FRACTION.fullmatch(v):
        try:
            return Fraction(v)
        except ZeroDivisionError:
            pass
    raise FormatError(f"{what} must be a number like 120 or 2997/100, not {str(v)[:40]!r}")


def _list(d: Mapping[str, Any], key: str) -> list[Any]:
    v = _get(d, key)
    if not isinstance(v, list):
        raise FormatError(f"{key} must be a list")
    return v


# -- tempo and settings --------------------------------------------------------------------------
def tempo_to_dict(tm: TempoMap) -> dict[str, Any]:
    return {
        "origin": tm.origin,
        "tempos": [{"beat": str(t.beat), "bpm": str(t.bpm), "ramp": t.ramp} for t in tm.tempos],
        "meters": [{"bar": m.bar, "num": m.numerator, "den": m.denominator} for m in tm.meters],
    }


def tempo_from_dict(d: Mapping[str, Any]) -> TempoMap:
    tempos = []
    for t in _list(d, "tempos"):
        bpm = _fraction(_get(t, "bpm"), "bpm")
        if bpm <= 0:
            raise FormatError(f"a tempo must be above 0 bpm, not {bpm}")
        ramp = _get(t, "ramp", False)
        if type(ramp) is not bool:
            raise FormatError(f"ramp must be true or false, not {ramp!r}")
        tempos.append(TempoChange(_fraction(_get(t, "beat"), "beat"), bpm, ramp))
    meters = [MeterChange(_int(m, "bar", 0), _int(m, "num", 1, 1000), _int(m, "den", 1, 64))
              for m in _list(d, "meters")]
    try:
        return TempoMap(origin=_int(d, "origin"), tempos=tuple(tempos), meters=tuple(meters))
    except TempoError as e:
        raise FormatError(str(e)) from None


def settings_to_dict(s: Settings) -> dict[str, Any]:
    return {
        "title": s.title,
        "rate": {"fps": str(s.rate.fps), "drop": s.rate.drop},
        "start_frame": s.start_frame,
        "tempo": tempo_to_dict(s.tempo),
        "media": None if s.media is None else {
            "path": s.media.path, "content_hash": s.media.content_hash,
            "offset_frames": s.media.offset_frames},
        "sample_rate": s.sample_rate,
        "soundfont": s.soundfont,
    }


def settings_from_dict(d: Mapping[str, Any]) -> Settings:
    """Checked settings; title, media, sample_rate and soundfont may be left out."""
    defaults = Settings()
    rate = _get(d, "rate")
    fps = _fraction(_get(rate, "fps"), "the frame rate")
    if not 0 < fps <= 1000:
        raise FormatError(f"the frame rate must be above 0 and at most 1000 fps, not {fps}")
    m = _get(d, "media", None)
    media = None if m is None else Media(_str(m, "path"), _str(m, "content_hash"),
                                         _int(m, "offset_frames"))
    return Settings(
        title=_str(d, "title") if "title" in d else defaults.title,
        rate=FrameRate(fps, _bool(rate, "drop")),
        start_frame=_int(d, "start_frame", 0),
        tempo=tempo_from_dict(_get(d, "tempo")),
        media=media,
        sample_rate=_int(d, "sample_rate", 1, 1_000_000) if "sample_rate" in d
        else defaults.sample_rate,
        soundfont=_str(d, "soundfont") if "soundfont" in d else defaults.soundfont,
    )


def settings_to_json(s: Settings) -> str:
    return json.dumps(settings_to_dict(s), sort_keys=True)


def settings_from_json(text: Any) -> Settings:
    if not isinstance(text, str):
        raise FormatError("the settings are not text")
    try:
        d = json.loads(text)
    except (ValueError, RecursionError):
        raise FormatError("the settings are not readable JSON") from None
    return settings_from_dict(d)


# -- entities ------------------------------------------------------------------------------------
_CONTROLLERS = {c.value: c for c in Controller}
_HIT_KINDS = {k.value: k for k in HitKind}
_CUE_KINDS = {k.value: k for k in CueKind}
_CUE_STATUSES = {s.value: s for s in CueStatus}
_USAGES = {u: u for u in CUE_USAGES}
_MAX_TAGS = 64


def _enum(table: Mapping[str, Any], d: Mapping[str, Any], key: str) -> Any:
    v = _get(d, key)
    if not isinstance(v, str) or v not in table:
        raise FormatError(f"{key} must be one of {', '.join(sorted(table))}, not {v!r}")
    return table[v]


def _note(d: Mapping[str, Any]) -> Note:
    return Note(_int(d, "id", 1), _int(d, "track_id"), _int(d, "start"),
                _int(d, "duration", 1), _int(d, "pitch", 0, 127), _int(d, "velocity", 1, 127))


def _control(d: Mapping[str, Any]) -> ControlPoint:
    return ControlPoint(_int(d, "id", 1), _int(d, "track_id"), _int(d, "time"),
                        _enum(_CONTROLLERS, d, "controller"), _int(d, "value", -8192, 8191))


def _track(d: Mapping[str, Any]) -> Track:
    return Track(_int(d, "id", 1), _str(d, "name"), _int(d, "bank", 0, 16383),
                 _int(d, "program", 0, 127), _float(d, "volume"), _float(d, "pan"),
                 _bool(d, "mute"), _bool(d, "solo"), _str(d, "color"), _int(d, "order"),
                 _int(d, "channel", 0, 15),
                 _str(d, "section") if d.get("section") is not None else "",
                 _str(d, "soundfont") if d.get("soundfont") is not None else "")


def _hit(d: Mapping[str, Any]) -> Hit:
    return Hit(_int(d, "id", 1), _int(d, "frame"), _str(d, "name"),
               _enum(_HIT_KINDS, d, "kind"), _str(d, "note"))


def _cue(d: Mapping[str, Any]) -> Cue:
    """A cue; the spotting fields (kind .. palette) may be left out, as files before them do."""
    tempo = _get(d, "tempo")
    tags = _get(d, "tags", [])
    if not isinstance(tags, list) or len(tags) > _MAX_TAGS:
        raise FormatError(f"a cue's tags must be a list of at most {_MAX_TAGS} words")
    return Cue(_int(d, "id", 1), _str(d, "name"), _int(d, "start_frame"), _int(d, "end_frame"),
               None if tempo is None else tempo_from_dict(tempo), _str(d, "title"),
               _str(d, "notes"),
               _enum(_CUE_KINDS, d, "kind") if "kind" in d else CueKind.SCORE,
               _enum(_USAGES, d, "usage") if "usage" in d else "",
               _enum(_CUE_STATUSES, d, "status") if "status" in d else CueStatus.SPOTTED,
               tuple(_str({"tag": t}, "tag") for t in tags),
               _str(d, "palette") if "palette" in d else "")


def _marker(d: Mapping[str, Any]) -> Marker:
    return Marker(_int(d, "id", 1), _int(d, "frame"), _str(d, "name"), _str(d, "color"),
                  _str(d, "note"), _int(d, "length", 0))


def _no_music(d: Mapping[str, Any]) -> NoMusic:
    return NoMusic(_int(d, "id", 1), _int(d, "start_frame"), _int(d, "end_frame"),
                   _str(d, "note"))


def _rights_share(d: Mapping[str, Any]) -> RightsShare:
    return RightsShare(_int(d, "id", 1), _str(d, "role"), _str(d, "name"), _str(d, "society"),
                       _int(d, "share", 0, 10000))


def _theme(d: Mapping[str, Any]) -> Theme:
    try:
        return theme_codec.theme_from_dict(d)
    except ThemeError as e:
        raise FormatError(str(e)) from None


def _theme_use(d: Mapping[str, Any]) -> ThemeUse:
    try:
        return theme_codec.use_from_dict(d)
    except ThemeError as e:
        raise FormatError(str(e)) from None


def _review_note(d: Mapping[str, Any]) -> ReviewNote:
    end = _get(d, "end_frame", None)
    replies = _list(d, "replies")
    if len(replies) > 10_000 or not all(isinstance(r, list) and len(r) == 3 for r in replies):
        raise FormatError("a review note's replies must be a list of [author, created, text]")
    return ReviewNote(_int(d, "id", 1), _str(d, "uuid"), _int(d, "frame"),
                      None if end is None else _int(d, "end_frame", _int(d, "frame")),
                      _str(d, "text"), _str(d, "author"), _str(d, "created"), _str(d, "cue"),
                      _str(d, "version"), _bool(d, "resolved"),
                      tuple(tuple(_str({"r": x}, "r") for x in r) for r in replies),  # type: ignore[misc]
                      _str(d, "film_hash"), _bool(d, "off_cut"), _str(d, "source"))


def _speech_region(d: Mapping[str, Any]) -> SpeechRegion:
    start = _int(d, "start")
    return SpeechRegion(_int(d, "id", 1), start, _int(d, "end", start + 1))


def _plain(e: Entity, field: str) -> Any:
    v = getattr(e, field)
    if isinstance(v, (Controller, HitKind, CueKind, CueStatus, ThemeRole)):
        return v.value
    if isinstance(v, Snippet):
        return theme_codec.snippet_to_dict(v)
    if isinstance(v, Transform):
        return theme_codec.transform_to_dict(v)
    if isinstance(v, Key):
        return str(v)
    if isinstance(v, TempoMap):
        return tempo_to_dict(v)
    if isinstance(v, tuple):
        return list(v)
    return v


@dataclass(frozen=True)
class Kind:
    """How one kind of entity is kept: its table (and JSON key) and its fields, in column order."""

    cls: type
    table: str
    fields: tuple[str, ...]
    from_dict: Callable[[Mapping[str, Any]], Entity]


KINDS: dict[type, Kind] = {k.cls: k for k in (
    Kind(Track, "tracks", ("id", "name", "bank", "program", "volume", "pan", "mute", "solo",
                           "color", "order", "channel", "section", "soundfont"), _track),
    Kind(Cue, "cues", ("id", "name", "start_frame", "end_frame", "tempo", "title", "notes",
                       "kind", "usage", "status", "tags", "palette"), _cue),
    Kind(Hit, "hits", ("id", "frame", "name", "kind", "note"), _hit),
    Kind(Note, "notes", ("id", "track_id", "start", "duration", "pitch", "velocity"), _note),
    Kind(ControlPoint, "controls", ("id", "track_id", "time", "controller", "value"), _control),
    Kind(Marker, "markers", ("id", "frame", "name", "color", "note", "length"), _marker),
    Kind(NoMusic, "no_music", ("id", "start_frame", "end_frame", "note"), _no_music),
    Kind(RightsShare, "rights_shares", ("id", "role", "name", "society", "share"), _rights_share),
    Kind(Theme, "themes", ("id", "name", "stands_for", "role", "snippet", "key", "color",
                           "notes"), _theme),
    Kind(ThemeUse, "theme_uses", ("id", "theme_id", "track_id", "start", "transform",
                                  "note_ids"), _theme_use),
    Kind(ReviewNote, "review_notes", ("id", "uuid", "frame", "end_frame", "text", "author",
                                      "created", "cue", "version", "resolved", "replies",
                                      "film_hash", "off_cut", "source"), _review_note),
    Kind(SpeechRegion, "speech_regions", ("id", "start", "end"), _speech_region),
)}


def entity_to_dict(e: Entity) -> dict[str, Any]:
    return {f: _plain(e, f) for f in KINDS[type(e)].fields}


def entity_from_dict(cls: type, d: Mapping[str, Any]) -> Entity:
    """A checked entity; FormatError says which value is wrong."""
    return KINDS[cls].from_dict(d)


# -- SQLite rows ---------------------------------------------------------------------------------
def to_row(e: Entity) -> tuple[Any, ...]:
    if type(e) is Note:
        return (e.id, e.track_id, e.start, e.duration, e.pitch, e.velocity)
    row = []
    for f in KINDS[type(e)].fields:
        v = _plain(e, f)
        row.append(json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v)
    return tuple(row)


# Columns that hold JSON text (a dict or a list in the entity's plain form).
_JSON_COLUMNS: dict[type, tuple[str, ...]] = {Cue: ("tempo", "tags"), Theme: ("snippet",),
                                              ThemeUse: ("transform", "note_ids"),
                                              ReviewNote: ("replies",)}
_MAX_JSON_TEXT = 2_000_000  # what a JSON column may hold; the schema's CHECKs say the same


def row_to_entity(cls: type, row: Iterable[Any]) -> Entity:
    """A checked entity from a row of unknown quality (salvaging a damaged file)."""
    d = dict(zip(KINDS[cls].fields, row))
    for key in _JSON_COLUMNS.get(cls, ()):
        if d.get(key) is not None:
            if isinstance(d[key], str) and len(d[key]) > _MAX_JSON_TEXT:
                raise FormatError(f"a {cls.__name__.lower()}'s {key} is too large")
            try:
                d[key] = json.loads(d[key])
            except (ValueError, TypeError, RecursionError):
                raise FormatError(f"a {cls.__name__.lower()}'s {key} is not readable") from None
    return entity_from_dict(cls, d)


# What ``fast_from_rows`` takes on trust, as SQL every row must satisfy: the STRICT types and
# CHECKs of the schema. SQLite enforces them on write, and its quick_check verifies them, but
# not on a read-only connection; so the loader asks for them itself (``tables.load``).
TRUSTED_ROWS: dict[type, str] = {
    Note: "typeof(track_id) = 'integer' AND typeof(start) = 'integer' "
          "AND typeof(duration) = 'integer' AND duration > 0 "
          "AND typeof(pitch) = 'integer' AND pitch BETWEEN 0 AND 127 "
          "AND typeof(velocity) = 'integer' AND velocity BETWEEN 1 AND 127",
    ControlPoint: "typeof(track_id) = 'integer' AND typeof(time) = 'integer' "
                  "AND typeof(controller) = 'text' "
                  "AND typeof(value) = 'integer' AND value BETWEEN -8192 AND 8191",
}


def fast_from_rows(cls: type, rows: Iterable[Any]) -> list[Entity]:
    """Entities from rows that satisfy ``TRUSTED_ROWS`` (types, ranges); enums and JSON are
    still checked."""
    if cls is Note:
        return [Note(*r) for r in rows]  # the hot path: 100,000 notes in ~0.1 s
    if cls is ControlPoint:
        ctl = _CONTROLLERS
        try:
            return [ControlPoint(r[0], r[1], r[2], ctl[r[3]], r[4]) for r in rows]
        except KeyError as e:
            raise FormatError(f"unknown controller {e.args[0]!r}") from None
    return [row_to_entity(cls, r) for r in rows]
