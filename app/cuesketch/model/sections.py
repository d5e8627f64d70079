"""Stem groups ("sections"): which stem a track's sound goes to when the cue is delivered.

Every track belongs to one section: strings, brass, woodwinds, percussion, keys, synths, choir,
FX, or a name of the user's own. A track that was never given one (``Track.section`` empty,
as in every project made before sections existed) is in the section of its instrument's
family (``model.palette``): guitars and folk instruments go with the keys (the rhythm
section), sound effects to FX, a preset no family knows to synths.

    section_of(track)        # "strings"
    stem_code("strings")     # "STR", as in 1M3_v4_STR.wav
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cuesketch.model import palette
from cuesketch.model.entities import Track


@dataclass(frozen=True)
class Section:
    key: str  # what a track keeps
    label: str  # what the Tracks dock shows
    code: str  # the stem file's suffix


SECTIONS: tuple[Section, ...] = (
    Section("strings", "Strings", "STR"),
    Section("brass", "Brass", "BRS"),
    Section("woodwinds", "Woodwinds", "WW"),
    Section("percussion", "Percussion", "PERC"),
    Section("keys", "Keys", "KEYS"),
    Section("synths", "Synths", "SYN"),
    Section("choir", "Choir", "CHOIR"),
    Section("fx", "FX", "FX"),
)
_BY_KEY = {s.key: s for s in SECTIONS}
RESERVED_CODES = ("MIX", "CLICK")  # the other files of a cue's folder

FAMILY_SECTION: dict[str, str] = {
    "Strings": "strings", "Brass": "brass", "Woodwinds": "woodwinds",
    "Percussion": "percussion", "Keys": "keys", "Synth": "synths", "Choir": "choir",
    "Guitars and plucked": "keys", "Ethnic and folk": "keys", "Sound effects": "fx",
}
UNKNOWN_FAMILY_SECTION = "synths"
MAX_NAME = 24


def default_section(bank: int, program: int) -> str:
    """The section of an instrument's family."""
    family = palette.family_of(bank, program)
    return FAMILY_SECTION.get(family.name, UNKNOWN_FAMILY_SECTION) if family \
        else UNKNOWN_FAMILY_SECTION


def section_of(track: Track) -> str:
    """The track's section: its own, else its family's."""
    return track.section or default_section(track.bank, track.program)


def normalize(name: str) -> str:
    """A section as a track keeps it: one of ``SECTIONS`` by key or label (any case), or the
    user's own name, trimmed. ValueError for an empty, too long or reserved one."""
    text = " ".join(name.split())
    if not text:
        raise ValueError("a section needs a name")
    for s in SECTIONS:
        if text.casefold() in (s.key, s.label.casefold(), s.code.casefold()):
            return s.key
    if len(text) > MAX_NAME:
        raise ValueError(f"a section's name is at most {MAX_NAME} characters")
    if not re.search(r"[A-Za-z0-9]", text):
        raise ValueError(f"a section's name needs a letter or a digit: {text!r}")
    if code_of_text(text) in RESERVED_CODES:
        raise ValueError(f"'{text}' names the cue's {code_of_text(text).lower()} file; "
                         "call the section something else")
    return text


def code_of_text(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", text).upper()[:12]


def label(section: str) -> str:
    known = _BY_KEY.get(section)
    return known.label if known else section


def stem_code(section: str) -> str:
    """The suffix of the section's stem file: STR, BRS ...; a user's section spelt in capitals
    with only letters and digits ("Low Synths" -> LOWSYNTHS)."""
    known = _BY_KEY.get(section)
    return known.code if known else code_of_text(section)


def order_key(section: str) -> tuple[int, str]:
    """Score order: the known sections in their order, then the user's alphabetically."""
    keys = [s.key for s in SECTIONS]
    return (keys.index(section), "") if section in keys else (len(keys), section.casefold())


__all__ = ["Section", "SECTIONS", "default_section", "section_of", "normalize", "label",
           "stem_code", "order_key", "FAMILY_SECTION"]
