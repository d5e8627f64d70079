"""Cue numbers as the spotting list writes them: ``1M1`` (reel 1, music cue 1), an insert
between two cues ``1M7A``, a source cue ``1M2s``; and Renumber, per reel or running.

Per reel every reel counts from 1 (``1M1 1M2 2M1``); running counts on through the reels
(``1M1 1M2 2M3``), as some productions ask. Renumbering folds inserts back into the count and
keeps the ``s`` of source cues (from the cue's kind). A name that is not a cue number (``Main
title``) is left alone by the parser's callers: its reel is taken from the cue before it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from cuesketch.model.changes import Change
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.entities import Cue, CueKind

_NUMBER = re.compile(r"^\s*(\d{1,3})\s*[Mm]\s*(\d{1,4})([A-Za-z]?)(s|S)?\s*$")
_INSERT = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class CueNumberError(ValueError):
    """A cue number that can't be read, said in plain words."""


@dataclass(frozen=True, order=True)
class CueNumber:
    reel: int
    number: int
    insert: str = ""  # "A", "B"...: a cue put between number and number + 1
    source: bool = False  # heard in the scene: written 1M2s

    def __str__(self) -> str:
        return f"{self.reel}M{self.number}{self.insert}{'s' if self.source else ''}"


def parse_cue_number(text: str) -> CueNumber:
    """``1M7``, ``1m7A``, ``2M3s``; raises CueNumberError for anything else."""
    m = _NUMBER.match(text)
    if m is None:
        raise CueNumberError(f"'{text.strip()}' is not a cue number; write reel M number, "
                             f"e.g. 1M7, an insert 1M7A, a source cue 1M2s")
    insert, source = m.group(3).upper(), m.group(4) is not None
    if insert == "S" and not source:  # "1M2s": a source cue (inserts never reach S)
        insert, source = "", True
    return CueNumber(int(m.group(1)), int(m.group(2)), insert, source)


def cue_number(text: str) -> CueNumber | None:
    try:
        return parse_cue_number(text)
    except CueNumberError:
        return None


def reels_of(cues: Sequence[Cue]) -> dict[int, int]:
    """Each cue's reel (by id): from its number, else from the cue before it in time (1 at
    the start)."""
    out: dict[int, int] = {}
    reel = 1
    for cue in sorted(cues, key=lambda c: (c.start_frame, c.id)):
        n = cue_number(cue.name)
        if n is not None:
            reel = n.reel
        out[cue.id] = reel
    return out


def renumbered(cues: Iterable[Cue], running: bool = False) -> list[Change]:
    """The changes that number the cues in time order: per reel, or ``running`` through the
    reels. Only cues whose name changes are in the list."""
    ordered = sorted(cues, key=lambda c: (c.start_frame, c.id))
    reels = reels_of(ordered)
    out: list[Change] = []
    count: dict[int, int] = {}
    total = 0
    for cue in ordered:
        reel = reels[cue.id]
        total += 1
        count[reel] = count.get(reel, 0) + 1
        number = CueNumber(reel, total if running else count[reel], "",
                           cue.kind is CueKind.SOURCE)
        if cue.name != str(number):
            out.append(replace_change(cue, replace(cue, name=str(number))))
    return out


def name_for_new_cue(cues: Iterable[Cue], start_frame: int, kind: CueKind = CueKind.SCORE,
                     reel: int | None = None) -> str:
    """The number a cue spotted at ``start_frame`` gets: the next after the last cue of its
    reel, or an insert (``1M7A``) when it lands between two numbered cues."""
    numbered = sorted(((c.start_frame, c.id, n) for c in cues
                       if (n := cue_number(c.name)) is not None))
    before = [n for start, _id, n in numbered if start <= start_frame]
    after = [n for start, _id, n in numbered if start > start_frame]
    if reel is None:
        reel = before[-1].reel if before else (after[0].reel if after else 1)
    source = kind is CueKind.SOURCE
    same_reel_before = [n for n in before if n.reel == reel]
    same_reel_after = [n for n in after if n.reel == reel]
    taken = {(n.reel, n.number, n.insert) for _s, _i, n in numbered}
    if not same_reel_before:
        if same_reel_after and same_reel_after[0].number <= 1:
            return str(_insert_after(CueNumber(reel, 0), taken, source))
        return str(CueNumber(reel, 1, "", source))
    last = same_reel_before[-1]
    if not same_reel_after:
        highest = max(n.number for _s, _i, n in numbered if n.reel == reel)
        return str(CueNumber(reel, highest + 1, "", source))
    return str(_insert_after(last, taken, source))


def _insert_after(n: CueNumber, taken: set[tuple[int, int, str]], source: bool) -> CueNumber:
    start = _INSERT.index(n.insert) + 1 if n.insert else 0
    for letter in _INSERT[start:]:
        if (n.reel, n.number, letter) not in taken:
            return CueNumber(n.reel, n.number, letter, source)
    raise CueNumberError(f"no insert letter is free after {n}; renumber the cues first")


def versions_of(cue_name: str, snapshot_names: Iterable[str]) -> int:
    """How many snapshots were taken for a cue: those named after it (``1M3 v2``,
    ``1M3 – sent``), not those of another cue that starts alike (``1M31``)."""
    key = cue_name.strip().lower()
    if not key:
        return 0
    count = 0
    for name in snapshot_names:
        low = name.strip().lower()
        if low == key or (low.startswith(key) and not low[len(key)].isalnum()):
            count += 1
    return count


def snapshot_name(cue_name: str, existing: Iterable[str], note: str = "") -> str:
    """The name of the next version of a cue: ``1M3 v3`` (plus ``note`` after a dash)."""
    n = versions_of(cue_name, existing) + 1
    return f"{cue_name} v{n}" + (f" – {note.strip()}" if note.strip() else "")
