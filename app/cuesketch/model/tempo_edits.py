"""Tempo and meter edits as pure functions: each takes a tempo map and returns the new one.

    new = move_tempo(tm, 2, Fraction(32))          # the third tempo change to beat 32
    document.execute_changes(put_map(project, MapRef(), new), "Move tempo change")

Every edit checks what it is given and says what is wrong in plain words (``TempoEditError``):
two changes never share a tick (tempo) or a bar (meter), a tempo stays within 10 to 400 bpm,
a meter is 1 to 32 over a power of two, and the first change (beat 0, bar 1) is never removed
or moved: it can only be edited. Tempo positions are kept on whole ticks (960 a quarter note).

A map is the project's (``MapRef()``) or a cue's own (``MapRef(cue_id)``, its origin at the
cue's start): ``map_of`` reads one, ``put_map`` returns the one change that sets it. Nothing
here changes a project.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

from cuesketch.model.changes import Change, SettingsChange
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.entities import Cue
from cuesketch.model.grid import tempo_grid
from cuesketch.model.project import Project
from cuesketch.timing.tempo import (
    DENOMINATORS,
    PPQ,
    BarBeatTick,
    MeterChange,
    TempoChange,
    TempoError,
    TempoMap,
)

MIN_BPM = Fraction(10)
MAX_BPM = Fraction(400)
MAX_NUMERATOR = 32


class TempoEditError(ValueError):
    """A tempo or meter edit that cannot be made, said in plain words."""


# -- values -----------------------------------------------------------------------------------

def on_tick(beat: Fraction | int) -> Fraction:
    """A beat rounded to the nearest tick (halves up)."""
    b = Fraction(beat) * PPQ
    return Fraction((2 * b.numerator + b.denominator) // (2 * b.denominator), PPQ)


def tick_of(beat: Fraction | int) -> int:
    return int(on_tick(beat) * PPQ)


def check_bpm(bpm: Fraction | int | float | str) -> Fraction:
    """A tempo within ``MIN_BPM``..``MAX_BPM``, as an exact fraction."""
    try:
        value = Fraction(bpm) if not isinstance(bpm, float) else Fraction(str(bpm))
    except (ValueError, ZeroDivisionError):
        raise TempoEditError(f"'{bpm}' is not a tempo; write a number of beats a minute, "
                             f"e.g. 96 or 117.5") from None
    if not MIN_BPM <= value <= MAX_BPM:
        raise TempoEditError(f"a tempo of {fmt_bpm(value)} bpm is out of range: use "
                             f"{MIN_BPM} to {MAX_BPM} bpm")
    return value


def check_meter(numerator: int, denominator: int) -> tuple[int, int]:
    if not 1 <= numerator <= MAX_NUMERATOR:
        raise TempoEditError(f"a meter's top number goes from 1 to {MAX_NUMERATOR}, "
                             f"not {numerator}")
    if denominator not in DENOMINATORS:
        raise TempoEditError(f"a meter's bottom number is a power of two "
                             f"({', '.join(map(str, DENOMINATORS))}), not {denominator}")
    return numerator, denominator


def fmt_bpm(bpm: Fraction | float) -> str:
    """``120``, ``117.5``, ``97.33`` (two decimals at most)."""
    return f"{float(bpm):.2f}".rstrip("0").rstrip(".")


def where(tm: TempoMap, beat: Fraction | int) -> str:
    """A beat as bars|beats|ticks, for messages."""
    return str(tm.beat_to_bbt(beat))


def _map(origin: int, tempos: list[TempoChange], meters: list[MeterChange]) -> TempoMap:
    try:
        return TempoMap(origin, tuple(sorted(tempos, key=lambda t: t.beat)),
                        tuple(sorted(meters, key=lambda m: m.bar)))
    except TempoError as e:  # the checks above should have caught it
        raise TempoEditError(str(e)) from None


def _tempo_index(tm: TempoMap, index: int) -> TempoChange:
    if not 0 <= index < len(tm.tempos):
        raise TempoEditError(f"there is no tempo change number {index + 1} "
                             f"(the map has {len(tm.tempos)})")
    return tm.tempos[index]


def _meter_index(tm: TempoMap, index: int) -> MeterChange:
    if not 0 <= index < len(tm.meters):
        raise TempoEditError(f"there is no meter change number {index + 1} "
                             f"(the map has {len(tm.meters)})")
    return tm.meters[index]


# -- reading ----------------------------------------------------------------------------------

def tempo_index_at(tm: TempoMap, beat: Fraction | int) -> int | None:
    """The index of the tempo change on this beat's tick, if there is one."""
    tick = tick_of(beat)
    return next((i for i, t in enumerate(tm.tempos) if tick_of(t.beat) == tick), None)


def meter_index_at(tm: TempoMap, bar_index: int) -> int | None:
    """The index of the meter change at a (0-based) bar, if there is one."""
    return next((i for i, m in enumerate(tm.meters) if m.bar == bar_index), None)


def bpm_at_beat(tm: TempoMap, beat: Fraction | int) -> Fraction:
    """The tempo sounding at a beat (inside a ramp, exactly)."""
    return tm.bpm_at(tm.beat_to_flicks(beat))


def segment_of(tm: TempoMap, beat: Fraction | int) -> TempoChange:
    """The tempo change in force at a beat (the first one before the origin)."""
    beat = Fraction(beat)
    return next((t for t in reversed(tm.tempos) if t.beat <= beat), tm.tempos[0])


def bar_start_beat(tm: TempoMap, bar_index: int) -> Fraction:
    """Where a (0-based) bar starts, in beats."""
    return tempo_grid(tm).bar_start(bar_index + 1)


def bar_index_at(tm: TempoMap, beat: Fraction | int) -> int:
    """The (0-based) bar a beat lies in."""
    return tempo_grid(tm).bar_at(Fraction(beat)) - 1


# -- tempo changes ----------------------------------------------------------------------------

def add_tempo(tm: TempoMap, beat: Fraction | int, bpm: Fraction | int | float | str,
              ramp: bool = False) -> TempoMap:
    """A tempo change at ``beat`` (rounded to a tick)."""
    beat = on_tick(beat)
    value = check_bpm(bpm)
    if beat < 0:
        raise TempoEditError("a tempo change can't go before the start of the map (bar 1)")
    if tempo_index_at(tm, beat) is not None:
        raise TempoEditError(f"there is a tempo change at {where(tm, beat)} already")
    return _map(tm.origin, [*tm.tempos, TempoChange(beat, value, ramp)], list(tm.meters))


def move_tempo(tm: TempoMap, index: int, beat: Fraction | int) -> TempoMap:
    """The tempo change ``index`` to another beat (the first one stays at the start)."""
    old = _tempo_index(tm, index)
    beat = on_tick(beat)
    if tick_of(beat) == tick_of(old.beat):
        return tm
    if index == 0:
        raise TempoEditError("the first tempo change stays at the start of the map; "
                             "add a change where the tempo should change")
    if beat <= 0:
        raise TempoEditError("only the first tempo change sits at the start of the map "
                             "(bar 1): move this one later")
    if tempo_index_at(tm, beat) is not None:
        raise TempoEditError(f"there is a tempo change at {where(tm, beat)} already")
    rest = [t for i, t in enumerate(tm.tempos) if i != index]
    return _map(tm.origin, [*rest, replace(old, beat=beat)], list(tm.meters))


def set_tempo(tm: TempoMap, index: int, bpm: Fraction | int | float | str | None = None,
              ramp: bool | None = None) -> TempoMap:
    """Another tempo for the change ``index``, or a step (``ramp=False``) or a ramp to the next
    change (``ramp=True``)."""
    old = _tempo_index(tm, index)
    new = replace(old, bpm=old.bpm if bpm is None else check_bpm(bpm),
                  ramp=old.ramp if ramp is None else ramp)
    if new == old:
        return tm
    tempos = list(tm.tempos)
    tempos[index] = new
    return _map(tm.origin, tempos, list(tm.meters))


def remove_tempo(tm: TempoMap, index: int) -> TempoMap:
    _tempo_index(tm, index)
    if index == 0:
        raise TempoEditError("the first tempo change can't be removed, only edited: "
                             "the map needs a tempo from its start")
    return _map(tm.origin, [t for i, t in enumerate(tm.tempos) if i != index], list(tm.meters))


# -- meter changes ----------------------------------------------------------------------------

def add_meter(tm: TempoMap, bar_index: int, numerator: int, denominator: int) -> TempoMap:
    """A meter change from the (0-based) bar ``bar_index`` on."""
    check_meter(numerator, denominator)
    if bar_index < 0:
        raise TempoEditError("a meter change can't go before the start of the map (bar 1)")
    if meter_index_at(tm, bar_index) is not None:
        raise TempoEditError(f"there is a meter change at bar {bar_index + 1} already")
    return _map(tm.origin, list(tm.tempos),
                [*tm.meters, MeterChange(bar_index, numerator, denominator)])


def move_meter(tm: TempoMap, index: int, bar_index: int) -> TempoMap:
    old = _meter_index(tm, index)
    if bar_index == old.bar:
        return tm
    if index == 0:
        raise TempoEditError("the first meter change stays at bar 1; add a change where "
                             "the meter should change")
    if bar_index <= 0:
        raise TempoEditError("only the first meter change sits at bar 1: move this one later")
    if meter_index_at(tm, bar_index) is not None:
        raise TempoEditError(f"there is a meter change at bar {bar_index + 1} already")
    rest = [m for i, m in enumerate(tm.meters) if i != index]
    return _map(tm.origin, list(tm.tempos), [*rest, replace(old, bar=bar_index)])


def set_meter(tm: TempoMap, index: int, numerator: int, denominator: int) -> TempoMap:
    old = _meter_index(tm, index)
    check_meter(numerator, denominator)
    if (old.numerator, old.denominator) == (numerator, denominator):
        return tm
    meters = list(tm.meters)
    meters[index] = replace(old, numerator=numerator, denominator=denominator)
    return _map(tm.origin, list(tm.tempos), meters)


def remove_meter(tm: TempoMap, index: int) -> TempoMap:
    _meter_index(tm, index)
    if index == 0:
        raise TempoEditError("the first meter change can't be removed, only edited: "
                             "the map needs a meter from bar 1")
    return _map(tm.origin, list(tm.tempos), [m for i, m in enumerate(tm.meters) if i != index])


# -- the editor's form: what is at one position -------------------------------------------------

@dataclass(frozen=True)
class ChangeForm:
    """What the tempo and meter editor shows and returns for one position of a map.

    ``bpm`` None: no tempo change here; ``meter`` None: no meter change here (a meter change
    needs a bar line: beat 1, tick 0)."""

    position: BarBeatTick
    bpm: Fraction | None = None
    ramp: bool = False
    meter: tuple[int, int] | None = None

    @property
    def on_bar_line(self) -> bool:
        return self.position.beat == 1 and self.position.tick == 0


def form_at(tm: TempoMap, beat: Fraction | int) -> ChangeForm:
    """The editor's form for the changes at a beat (the tempo and meter in force there if no
    change sits on it, marked as absent)."""
    beat = on_tick(beat)
    bbt = tm.beat_to_bbt(beat)
    ti = tempo_index_at(tm, beat)
    bpm, ramp = (tm.tempos[ti].bpm, tm.tempos[ti].ramp) if ti is not None else (None, False)
    meter = None
    if bbt.beat == 1 and bbt.tick == 0:
        mi = meter_index_at(tm, bbt.bar - 1)
        if mi is not None:
            meter = (tm.meters[mi].numerator, tm.meters[mi].denominator)
    return ChangeForm(bbt, bpm, ramp, meter)


def apply_form(tm: TempoMap, beat: Fraction | int, form: ChangeForm) -> TempoMap:
    """The map with the changes at ``beat`` made as the form says: moved to its position, a
    tempo or meter change added, edited or removed. The first changes stay at the start."""
    beat = on_tick(beat)
    old = form_at(tm, beat)
    ti = tempo_index_at(tm, beat)
    mi = meter_index_at(tm, old.position.bar - 1) if old.on_bar_line else None
    at_start = form.position == BarBeatTick(1)
    if ti == 0 and (form.bpm is None or not at_start):
        raise TempoEditError("the first tempo change stays at the start of the map (1|1|000) "
                             "and can't be removed, only edited")
    if mi == 0 and (form.meter is None or not at_start):
        raise TempoEditError("the first meter change stays at bar 1 and can't be removed, "
                             "only edited")
    if form.position.bar < 1:
        raise TempoEditError(f"{form.position} is before the start of the map (bar 1)")
    meters = [m for i, m in enumerate(tm.meters) if i != mi]
    if form.meter is not None:
        if not form.on_bar_line:
            raise TempoEditError(f"a meter change sits on a bar line: {form.position} is "
                                 f"inside bar {form.position.bar}")
        check_meter(*form.meter)
        bar = form.position.bar - 1
        if any(m.bar == bar for m in meters):
            raise TempoEditError(f"there is a meter change at bar {bar + 1} already")
        meters.append(MeterChange(bar, *form.meter))
    tempos = [t for i, t in enumerate(tm.tempos) if i != ti]
    if form.bpm is not None:
        bpm = check_bpm(form.bpm)
        try:  # where the position is once the meters are as the form says
            to = on_tick(_map(tm.origin, list(tm.tempos), meters).bbt_to_beat(form.position))
        except TempoError as e:
            raise TempoEditError(str(e)) from None
        if any(tick_of(t.beat) == tick_of(to) for t in tempos):
            raise TempoEditError(f"there is a tempo change at {form.position} already")
        tempos.append(TempoChange(to, bpm, form.ramp))
    return _map(tm.origin, tempos, meters)


# -- which map ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class MapRef:
    """The project's tempo map (``cue_id`` None) or a cue's own."""

    cue_id: int | None = None


def map_of(project: Project, ref: MapRef) -> TempoMap:
    if ref.cue_id is None:
        return project.settings.tempo
    cue = _cue(project, ref.cue_id)
    if cue.tempo is None:
        raise TempoEditError(f"cue {cue.name} follows the project's tempo map; give it one "
                             f"of its own first")
    return cue.tempo


def put_map(project: Project, ref: MapRef, tm: TempoMap) -> list[Change]:
    """The change that makes ``tm`` the map ``ref`` (none if it is that already)."""
    if ref.cue_id is None:
        settings = project.settings
        return [] if settings.tempo == tm else [
            SettingsChange(settings, replace(settings, tempo=tm))]
    cue = _cue(project, ref.cue_id)
    return [] if cue.tempo == tm else [replace_change(cue, replace(cue, tempo=tm))]


def _cue(project: Project, cue_id: int) -> Cue:
    cue = project.cues.get(cue_id)
    if cue is None:
        raise TempoEditError(f"there is no cue {cue_id}")
    return cue


def own_map(project: Project, cue_id: int) -> list[Change]:
    """Give a cue a tempo map of its own, bar 1 at the cue's start, keeping the tempo the
    project's map has there (its changes inside the cue, and the one after it that a ramp
    leads to): the music and its beats stay where they were, now apart from the rest. Its
    meter changes come along when the cue starts on a bar line. No change if it has one."""
    cue = _cue(project, cue_id)
    if cue.tempo is not None:
        return []
    settings = project.settings
    pm = settings.tempo
    origin = settings.rate.frame_to_flicks(cue.start_frame)
    b0 = pm.flicks_to_beat(origin)
    b1 = pm.flicks_to_beat(settings.rate.frame_to_flicks(cue.end_frame))
    tempos = [TempoChange(Fraction(0), pm.bpm_at(origin), segment_of(pm, b0).ramp)]
    for t in pm.tempos:
        if t.beat > b0:
            tempos.append(TempoChange(t.beat - b0, t.bpm, t.ramp))
            if t.beat >= b1:  # the first change after the cue: what a ramp in it leads to
                break
    start = pm.beat_to_bbt(b0)
    first = pm.meter_at(start.bar)
    meters = [MeterChange(0, first.numerator, first.denominator)]
    if start.beat == 1 and start.tick == 0 and bar_start_beat(pm, start.bar - 1) == b0:
        meters += [replace(m, bar=m.bar - (start.bar - 1)) for m in pm.meters
                   if m.bar > start.bar - 1 and bar_start_beat(pm, m.bar) < b1]
    tm = TempoMap(origin, tuple(tempos), tuple(meters))
    return [replace_change(cue, replace(cue, tempo=tm))]


def drop_own_map(project: Project, cue_id: int) -> list[Change]:
    """The cue follows the project's map again (its own map goes)."""
    cue = _cue(project, cue_id)
    return [] if cue.tempo is None else [replace_change(cue, replace(cue, tempo=None))]
