"""Track edits as pure functions: each returns the changes, the Document applies them.

    document.execute_changes(set_volume(project, track_id, 0.6), "Change volume")

(a fader drag inside ``document.begin("Change volume")`` ... ``commit()``: one undo step)

Nothing here changes the project (except reserving ids for new tracks). An edit that would
change nothing returns no changes. Channels follow the General MIDI habit: a new track takes
the next free MIDI channel, channel 10 (9 from 0) only for a drum kit, and a track that
becomes (or stops being) a drum kit moves onto (or off) it, since playback plays channel 9
as drums whatever its program.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from cuesketch.model import palette, sections
from cuesketch.model.changes import Change, delete, insert
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.entities import Track
from cuesketch.model.project import Project

MIDI_CHANNELS = 16
DEFAULT_VOLUME = 0.8
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")

Labeler = Callable[[int, int], str]  # (bank, program) -> a preset's name


def _track(project: Project, track_id: int) -> Track:
    track = project.tracks.get(track_id)
    if track is None:
        raise ValueError(f"there is no track {track_id}")
    return track


def _update(project: Project, track_id: int, **fields: Any) -> list[Change]:
    old = _track(project, track_id)
    new = replace(old, **fields)
    return [replace_change(old, new)] if new != old else []


def _finite(value: float, what: str) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"a track's {what} is a number, not {value}")
    return value


def next_free_channel(project: Project, drums: bool = False,
                      ignore: int | None = None) -> int:
    """The MIDI channel (0..15) a track takes: 9 for a drum kit, else the first free one but
    9; with all fifteen taken, the least shared (playback still gives each track a synth
    channel of its own). ``ignore``: a track whose own channel does not count as taken."""
    if drums:
        return palette.DRUM_CHANNEL
    counts = Counter(t.channel for t in project.tracks.values() if t.id != ignore)
    melodic = [c for c in range(MIDI_CHANNELS) if c != palette.DRUM_CHANNEL]
    return min(melodic, key=lambda c: (counts[c], c))


def unique_name(project: Project, base: str, ignore: int | None = None) -> str:
    """``base``, or "base 2", "base 3" ... if a track has that name already."""
    taken = {t.name.casefold() for t in project.tracks.values() if t.id != ignore}
    if base.casefold() not in taken:
        return base
    n = 2
    while f"{base} {n}".casefold() in taken:
        n += 1
    return f"{base} {n}"


def add_track(project: Project, name: str = "", bank: int = 0, program: int = 0, *,
              color: str | None = None, volume: float = DEFAULT_VOLUME,
              label: Labeler = palette.preset_label) -> list[Change]:
    """A new track at the bottom, named after its instrument unless named, in the family's
    color, on the next free channel."""
    _check_preset(bank, program)
    base = name.strip() or label(bank, program)
    order = max((t.order for t in project.tracks.values()), default=-1) + 1
    track = Track(project.new_id(Track), unique_name(project, base), bank=bank, program=program,
                  volume=min(1.0, max(0.0, _finite(volume, "volume"))),
                  color=_check_color(color) if color else palette.color_of(bank, program),
                  order=order,
                  channel=next_free_channel(project, palette.is_drum_kit(bank)))
    return [insert(track)]


def rename_track(project: Project, track_id: int, name: str) -> list[Change]:
    name = name.strip()
    if not name:
        raise ValueError("a track needs a name")
    return _update(project, track_id, name=name)


def set_instrument(project: Project, track_id: int, bank: int, program: int,
                   label: Labeler = palette.preset_label) -> list[Change]:
    """Play another preset. The track moves onto channel 9 for a drum kit and off it for
    anything else; a name or color still the old instrument's default follows the new one."""
    _check_preset(bank, program)
    old = _track(project, track_id)
    if (old.bank, old.program) == (bank, program):
        return []
    fields: dict[str, Any] = {"bank": bank, "program": program}
    drums = palette.is_drum_kit(bank)
    if drums and old.channel != palette.DRUM_CHANNEL:
        fields["channel"] = palette.DRUM_CHANNEL
    elif not drums and old.channel == palette.DRUM_CHANNEL:
        fields["channel"] = next_free_channel(project, ignore=track_id)
    if old.name == label(old.bank, old.program):
        fields["name"] = unique_name(project, label(bank, program), ignore=track_id)
    if old.color.lower() == palette.color_of(old.bank, old.program).lower():
        fields["color"] = palette.color_of(bank, program)
    return _update(project, track_id, **fields)


def set_volume(project: Project, track_id: int, volume: float) -> list[Change]:
    """``volume`` 0..1 (played as CC7), clamped."""
    return _update(project, track_id, volume=min(1.0, max(0.0, _finite(volume, "volume"))))


def set_pan(project: Project, track_id: int, pan: float) -> list[Change]:
    """``pan`` -1 (left) .. +1 (right), clamped."""
    return _update(project, track_id, pan=min(1.0, max(-1.0, _finite(pan, "pan"))))


def set_mute(project: Project, track_id: int, mute: bool) -> list[Change]:
    return _update(project, track_id, mute=bool(mute))


def set_solo(project: Project, track_id: int, solo: bool) -> list[Change]:
    return _update(project, track_id, solo=bool(solo))


def set_color(project: Project, track_id: int, color: str) -> list[Change]:
    return _update(project, track_id, color=_check_color(color))


def set_section(project: Project, track_id: int, section: str) -> list[Change]:
    """Put the track in a stem section (``model.sections``): a known one by key or label, or
    a name of the user's own; the empty string (or the family's own section) goes back to
    following the instrument's family."""
    track = _track(project, track_id)
    if not section.strip():
        return _update(project, track_id, section="")
    key = sections.normalize(section)
    if key == sections.default_section(track.bank, track.program):
        key = ""  # the family's own: keeps following the instrument
    return _update(project, track_id, section=key)


def delete_track(project: Project, track_id: int) -> list[Change]:
    """The track with its notes and controller points (in that order undone: track first)."""
    track = _track(project, track_id)
    notes = sorted(project.notes_of(track_id), key=lambda n: (n.start, n.pitch, n.id))
    points = sorted((p for p in project.controls.values() if p.track_id == track_id),
                    key=lambda p: (p.time, p.id))
    out: list[Change] = [delete(n) for n in notes]
    out += [delete(p) for p in points]
    out.append(delete(track))
    return out


def move_track(project: Project, track_id: int, step: int) -> list[Change]:
    """Move a track ``step`` places down (negative: up), stopping at the ends. The orders are
    renumbered 0, 1, 2 ... (tracks may share an order, e.g. after an import)."""
    tracks = project.sorted_tracks()
    ids = [t.id for t in tracks]
    if track_id not in ids:
        raise ValueError(f"there is no track {track_id}")
    i = ids.index(track_id)
    j = max(0, min(len(ids) - 1, i + step))
    if i == j:
        return []
    ids.insert(j, ids.pop(i))
    return [replace_change(t, replace(t, order=ids.index(t.id)))
            for t in tracks if t.order != ids.index(t.id)]


def content_of(project: Project, track_id: int) -> tuple[int, int]:
    """How many notes and controller points a track holds (what deleting it loses)."""
    notes = sum(1 for _ in project.notes_of(track_id))
    points = sum(1 for p in project.controls.values() if p.track_id == track_id)
    return notes, points


def _check_preset(bank: int, program: int) -> None:
    if not 0 <= bank <= 16383:
        raise ValueError(f"a bank is 0 to 16383, not {bank}")
    if not 0 <= program <= 127:
        raise ValueError(f"a program is 0 to 127, not {program}")


def _check_color(color: str) -> str:
    if not _COLOR.match(color):
        raise ValueError(f"a track color is written #rrggbb, not {color!r}")
    return color.lower()


__all__ = ["add_track", "rename_track", "set_instrument", "set_volume", "set_pan", "set_mute",
           "set_solo", "set_color", "set_section", "delete_track", "move_track", "next_free_channel",
           "unique_name", "content_of"]
