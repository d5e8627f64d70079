"""The user's preferences: declared, typed and versioned in one place.

Stored as strings by a backend (QSettings in the app, a dict in tests). ``UPGRADES`` moves an
older stored version forward step by step, like the project schema.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field, fields
import json
import math

from cuesketch.timing.units import FLICKS_PER_SECOND

VERSION = 1


@dataclass
class Preferences:
    midi_inputs: list[str] = field(default_factory=list)  # empty: the first port found
    midi_backend: str = ""  # empty: rtmidi's default API for the platform
    audio_driver: str = ""  # empty: the platform's usual (pulseaudio, jack, alsa, coreaudio)
    audio_buffer: int = 512  # frames per period
    soundfont: str = ""  # empty: the default General MIDI SoundFont
    soundfonts: list[str] = field(default_factory=list)  # more a track may choose (paths)
    film_volume: float = 0.8
    click_level: float = 0.8  # 0..1
    click_sound: str = "gm"  # "gm": woodblocks through the SoundFont; "synth": a plain tick
    film_muted: bool = False
    overlay_timecode: bool = True
    overlay_cue: bool = True
    overlay_streamers: bool = True
    streamer_seconds: float = 2.0  # a streamer's run across the picture before its hit
    pre_roll_seconds: float = 0.0  # play starts this long before a place gone to (0: off)
    recent_projects: list[str] = field(default_factory=list)
    review_author: str = ""  # the name review notes and verdicts are signed with (asked once)


STREAMER_SECONDS = (0.5, 10.0)  # the range offered and kept
PRE_ROLL_SECONDS = (0.0, 10.0)


# UPGRADES[v] takes a stored mapping from version v to v + 1.
UPGRADES: dict[int, Callable[[MutableMapping[str, str]], None]] = {}


def load(store: MutableMapping[str, str]) -> Preferences:
    version = int(store.get("version", VERSION) or VERSION)
    while version < VERSION:
        UPGRADES[version](store)
        version += 1
    prefs = Preferences()
    for f in fields(Preferences):
        raw = store.get(f.name)
        if raw is None:
            continue
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            continue  # a damaged value falls back to its default
        default = getattr(prefs, f.name)
        if isinstance(value, type(default)) or (isinstance(default, float) and
                                                isinstance(value, int)):
            if isinstance(value, list):  # lists of names and paths: only the texts
                value = [v for v in value if isinstance(v, str)]
            setattr(prefs, f.name, type(default)(value) if not isinstance(default, list)
                    else value)
    prefs.streamer_seconds = _within(prefs.streamer_seconds, STREAMER_SECONDS, 2.0)
    prefs.pre_roll_seconds = _within(prefs.pre_roll_seconds, PRE_ROLL_SECONDS, 0.0)
    return prefs


def _within(value: float, bounds: tuple[float, float], default: float) -> float:
    """A stored number kept in its range (a hand-edited or damaged one: its default)."""
    if math.isnan(value):
        return default
    return min(max(value, bounds[0]), bounds[1])


def pre_roll_flicks(prefs: Preferences) -> int:
    """The pre-roll as the transport counts it."""
    return round(prefs.pre_roll_seconds * FLICKS_PER_SECOND)


def save(prefs: Preferences, store: MutableMapping[str, str]) -> None:
    store["version"] = str(VERSION)
    for f in fields(Preferences):
        store[f.name] = json.dumps(getattr(prefs, f.name))
