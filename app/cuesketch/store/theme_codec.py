"""A theme's values to plain JSON values and back, checked and bounded.

Shared by the project file (``store.codec``: a theme's snippet and a use's transform are JSON
columns) and the personal theme library (``store.themes_library``). Every reader checks each
value and raises ``ThemeError`` in plain words; ``store.codec`` turns it into a FormatError.

    {"bpm": "120", "meter": [4, 4], "length": "16",
     "notes": [["0", "1/2", 62, 100], ["1/2", "3/2", 65, 90], ...]}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from cuesketch.model.entities import Theme, ThemeUse
from cuesketch.model.theme_values import (MAX_SNIPPET_NOTES, Key, Mode, Snippet, SnippetNote,
                                          ThemeError, ThemeRole, Transform, parse_key)

MAX_TEXT = 100_000  # a name, a note: more than any composer types
MAX_NOTE_IDS = 100_000
_NUMBER = re.compile(r"-?[0-9]{1,12}(?:/[0-9]{1,12})?")  # exact and small: no "1e99999"


def fraction_text(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def _fraction(v: Any, what: str) -> Fraction:
    if type(v) is int and abs(v) < 10**12:
        return Fraction(v)
    if isinstance(v, str) and _NUMBER.fullmatch(v):
        try:
            return Fraction(v)
        except ZeroDivisionError:
            pass
    raise ThemeError(f"{what} must be a number like 3 or 3/2, not {str(v)[:40]!r}")


def _int(v: Any, what: str, lo: int, hi: int) -> int:
    if type(v) is not int or not lo <= v <= hi:
        raise ThemeError(f"{what} must be a whole number {lo}..{hi}, not {str(v)[:40]!r}")
    return v


def _text(d: Mapping[str, Any], key: str, default: str | None = None) -> str:
    v = d.get(key, default)
    if not isinstance(v, str) or len(v) > MAX_TEXT:
        raise ThemeError(f"a theme's {key} must be text (at most {MAX_TEXT} characters)")
    return v


def _mapping(v: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(v, Mapping):
        raise ThemeError(f"{what} must be an object")
    return v


# -- snippet -------------------------------------------------------------------------------------
def snippet_to_dict(s: Snippet) -> dict[str, Any]:
    return {"bpm": fraction_text(s.bpm), "meter": [s.numerator, s.denominator],
            "length": fraction_text(s.length),
            "notes": [[fraction_text(n.start), fraction_text(n.duration), n.pitch, n.velocity]
                      for n in s.sorted_notes()]}


def snippet_from_dict(v: Any) -> Snippet:
    d = _mapping(v, "a theme's notes")
    meter = d.get("meter")
    if not isinstance(meter, list) or len(meter) != 2:
        raise ThemeError("a theme's meter must be [top, bottom]")
    raw = d.get("notes")
    if not isinstance(raw, list) or len(raw) > MAX_SNIPPET_NOTES:
        raise ThemeError(f"a theme's notes must be a list of at most {MAX_SNIPPET_NOTES}")
    notes = []
    for item in raw:
        if not isinstance(item, list) or len(item) != 4:
            raise ThemeError("a theme's note is [start, duration, pitch, velocity]")
        notes.append(SnippetNote(_fraction(item[0], "a note's start"),
                                 _fraction(item[1], "a note's duration"),
                                 _int(item[2], "a pitch", 0, 127),
                                 _int(item[3], "a velocity", 1, 127)))
    return Snippet(tuple(notes), _fraction(d.get("length", 0), "a theme's length"),
                   _fraction(d.get("bpm"), "a theme's tempo"),
                   _int(meter[0], "a meter's top", 1, 1000),
                   _int(meter[1], "a meter's bottom", 1, 64))


# -- transform -----------------------------------------------------------------------------------
def transform_to_dict(t: Transform) -> dict[str, Any]:
    return {"shift": t.shift, "diatonic": t.diatonic, "key": str(t.key),
            "ratio": fraction_text(t.ratio), "invert_around": t.invert_around,
            "retrograde": t.retrograde,
            "quantize": None if t.quantize is None else fraction_text(t.quantize)}


def _bool(d: Mapping[str, Any], key: str) -> bool:
    v = d.get(key, False)
    if type(v) is not bool:
        raise ThemeError(f"{key} must be true or false")
    return v


def transform_from_dict(v: Any) -> Transform:
    d = _mapping(v, "a theme's transform")
    inv = d.get("invert_around")
    q = d.get("quantize")
    return Transform(_int(d.get("shift", 0), "shift", -127, 127), _bool(d, "diatonic"),
                     parse_key(_text(d, "key", "C major")),
                     _fraction(d.get("ratio", 1), "ratio"),
                     None if inv is None else _int(inv, "invert_around", 0, 127),
                     _bool(d, "retrograde"), None if q is None else _fraction(q, "quantize"))


# -- whole themes (the personal library) ---------------------------------------------------------
_ROLES = {r.value: r for r in ThemeRole}


def role_from_text(v: Any) -> ThemeRole:
    if not isinstance(v, str) or v not in _ROLES:
        raise ThemeError(f"a theme stands for one of {', '.join(_ROLES)}, not {str(v)[:40]!r}")
    return _ROLES[v]


def key_from_text(v: Any) -> Key:
    if not isinstance(v, str) or len(v) > 40:
        raise ThemeError("a theme's key must be text such as 'D minor'")
    return parse_key(v)


def theme_to_dict(t: Theme) -> dict[str, Any]:
    return {"id": t.id, "name": t.name, "stands_for": t.stands_for, "role": t.role.value,
            "snippet": snippet_to_dict(t.snippet), "key": str(t.key), "color": t.color,
            "notes": t.notes}


def theme_from_dict(v: Any) -> Theme:
    d = _mapping(v, "a theme")
    return Theme(_int(d.get("id", 1), "a theme's id", 1, 2**62), _text(d, "name"),
                 _text(d, "stands_for", ""), role_from_text(d.get("role", "character")),
                 snippet_from_dict(d.get("snippet")), key_from_text(d.get("key", "C major")),
                 _text(d, "color", "#e3c341"), _text(d, "notes", ""))


def note_ids_from(v: Any) -> tuple[int, ...]:
    if not isinstance(v, list) or len(v) > MAX_NOTE_IDS:
        raise ThemeError(f"a theme use's notes must be a list of at most {MAX_NOTE_IDS} ids")
    return tuple(_int(i, "a note id", 1, 2**63 - 1) for i in v)


def use_from_dict(v: Any) -> ThemeUse:
    d = _mapping(v, "a theme use")
    return ThemeUse(_int(d.get("id"), "id", 1, 2**63 - 1),
                    _int(d.get("theme_id"), "theme_id", 1, 2**63 - 1),
                    _int(d.get("track_id"), "track_id", -2**63, 2**63 - 1),
                    _int(d.get("start"), "start", -2**63, 2**63 - 1),
                    transform_from_dict(d.get("transform")), note_ids_from(d.get("note_ids")))


__all__ = ["snippet_to_dict", "snippet_from_dict", "transform_to_dict", "transform_from_dict",
           "theme_to_dict", "theme_from_dict", "use_from_dict", "Mode"]
