"""The tempo and meter lane's editing without Qt: which map is where, the changes in view,
snapping, and the edits (add, drag, edit, delete), one undo step each.

    control = TempoControl(document, tell=say)
    mark = control.add(t, Row.TEMPO, fpp)          # a double-click in the empty lane
    control.begin_drag(mark); control.drag_to(t2, fpp); control.end_drag()   # one step
    control.delete(mark)

Where a cue has a tempo map of its own, that map is in force inside the cue (``timing.position
.tempo_at``, ``tempo_regions``): the lane shows and edits it there, and the project's map
everywhere else. A tempo edit moves the notes and controller points with their beats
(``tempo_follow``; ``notes_follow`` off: they stay on their frames). Times are transport
flicks; ``fpp`` (flicks per pixel) only decides whether a drag snaps to beats or, zoomed out,
to bars. The lane widget (``ui/tempo_lane``) only draws what this says and forwards the mouse
to it.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from cuesketch.model import tempo_edits as te
from cuesketch.model.changes import Change
from cuesketch.model.document import Document, Gesture
from cuesketch.model.entities import ControlPoint, Cue, Note
from cuesketch.model.grid import Grid, GridKind, tempo_grid
from cuesketch.model.project import Project
from cuesketch.model.tempo_edits import ChangeForm, MapRef, TempoEditError
from cuesketch.model.tempo_follow import follow
from cuesketch.model.tempo_regions import Region, regions_between, regions_in_force
from cuesketch.timing.cues import cue_at
from cuesketch.timing.tempo import TempoError, TempoMap, bpm_to_click

SNAP_BEAT_PX = 8  # beats closer than this (pixels) snap a drag to bars instead
_BEAT = Grid(GridKind.BEAT)


class Row(enum.Enum):
    TEMPO = "tempo"
    METER = "meter"


@dataclass(frozen=True)
class Mark:
    """A tempo or meter change as the lane shows it."""

    ref: MapRef
    row: Row
    index: int  # in the map's tempos or meters
    at: int  # flicks
    beat: Fraction
    label: str  # "120", "90 ↗" (ramping up to the next), "3/4"
    ramp: bool = False  # a tempo ramping to the next change
    bpm: Fraction | None = None

    @property
    def key(self) -> tuple[MapRef, Row, Fraction]:
        """Which change this is, whatever its index after other edits."""
        return self.ref, self.row, self.beat

    @property
    def first(self) -> bool:
        return self.index == 0


@dataclass
class _Drag:
    mark: Mark
    base: TempoMap  # the map at the press
    region: Region
    gesture: Gesture
    current: Mark
    notes: dict[int, Note]  # where they were at the press
    controls: dict[int, ControlPoint]
    focus: tuple[int, int] | None = None  # flicks: the music moved live (the view)


def _silent(text: str) -> None:
    pass


class TempoControl:
    def __init__(self, document: Document, tell: Callable[[str], None] = _silent) -> None:
        self.document = document
        self.tell = tell
        self.selected: tuple[MapRef, Row, Fraction] | None = None
        # A tempo edit moves the notes and controller points with their beats (the music
        # speeds up or slows down, its frames-off readouts with it); off: they stay on their
        # frames (a map being fitted to a free performance).
        self.notes_follow = True
        self._drag: _Drag | None = None
        self._marks_cache: dict[MapRef, tuple[TempoMap, list[Mark]]] = {}

    @property
    def project(self) -> Project:
        return self.document.project

    # -- where each map is in force --------------------------------------------------------------
    def regions(self) -> list[Region]:
        """The maps in force from the earliest time to the latest, in order."""
        return regions_in_force(self.project)

    def region_at(self, t: int) -> Region:
        return next(r for r in self.regions() if r.holds(t))

    def cue_at(self, t: int) -> Cue | None:
        """The cue at a time, with or without a map of its own."""
        rate = self.project.settings.rate
        return cue_at(self.project.cues.values(), rate.flicks_to_frame(t))

    # -- what the lane shows ---------------------------------------------------------------------
    def marks(self, t0: int | None = None, t1: int | None = None) -> list[Mark]:
        """The changes in force between two times (all of them by default), in time order."""
        out: list[Mark] = []
        regions = (self.regions() if t0 is None or t1 is None
                   else regions_between(self.project, t0, t1))
        for region in regions:
            out.extend(m for m in self._marks_of(region) if region.holds(m.at)
                       and (t0 is None or m.at >= t0) and (t1 is None or m.at <= t1))
        return sorted(out, key=lambda m: (m.at, m.row is Row.METER))

    def _marks_of(self, region: Region) -> list[Mark]:
        tm, ref = region.tempo, region.ref
        cached = self._marks_cache.get(ref)
        if cached is not None and cached[0] is tm:  # maps are immutable: the same map, the same
            return cached[1]
        out = []
        for i, t in enumerate(tm.tempos):
            nxt = tm.tempos[i + 1] if i + 1 < len(tm.tempos) else None
            ramp = t.ramp and nxt is not None and nxt.bpm != t.bpm
            label = te.fmt_bpm(t.bpm)
            if ramp and nxt is not None:
                label += " \u2197" if nxt.bpm > t.bpm else " \u2198"  # rising or falling
            out.append(Mark(ref, Row.TEMPO, i, tm.beat_to_flicks(t.beat), t.beat, label, ramp,
                            t.bpm))
        for j, m in enumerate(tm.meters):
            beat = te.bar_start_beat(tm, m.bar)
            out.append(Mark(ref, Row.METER, j, tm.beat_to_flicks(beat), beat,
                            f"{m.numerator}/{m.denominator}"))
        self._marks_cache[ref] = (tm, out)
        return out

    def curve(self, region: Region, t0: int, t1: int) -> list[tuple[int, float]]:
        """The tempo over time in a region, as (flicks, bpm) corners of a line: flat for a step,
        straight for a ramp (its tempo moves linearly in time)."""
        tm = region.tempo
        lo = t0 if region.start is None else max(t0, region.start)
        hi = t1 if region.end is None else min(t1, region.end)
        if hi <= lo:
            return []
        times = [m.at for m in self._marks_of(region) if m.row is Row.TEMPO]
        points = [(lo, float(tm.bpm_at(lo)))]
        for i in range(bisect_right(times, lo), bisect_left(times, hi)):
            at = times[i]
            if lo < at < hi:
                before = float(tm.bpm_at(at - 1)) if i > 0 else float(tm.tempos[0].bpm)
                points += [(at, before), (at, float(tm.tempos[i].bpm))]
        points.append((hi, float(tm.bpm_at(hi))))
        return points

    def bpm_range(self) -> tuple[float, float]:
        """The slowest and fastest tempo of every map, for the lane's scale."""
        maps = [r.tempo for r in self.regions()]
        bpms = [float(t.bpm) for tm in maps for t in tm.tempos]
        return min(bpms), max(bpms)

    def describe(self, mark: Mark) -> str:
        """A change in words, for the lane's tooltip."""
        tm = te.map_of(self.project, mark.ref)
        cue = self.project.cues.get(mark.ref.cue_id) if mark.ref.cue_id is not None else None
        whose = f" ({cue.name}'s own tempo map)" if cue is not None else ""
        if mark.row is Row.METER:
            return f"Meter {mark.label} from bar {tm.beat_to_bbt(mark.beat).bar}{whose}"
        change = tm.tempos[mark.index]
        rate = self.project.settings.rate
        text = f"Tempo {te.fmt_bpm(change.bpm)} bpm from {tm.beat_to_bbt(change.beat)}"
        if mark.ramp:
            nxt = tm.tempos[mark.index + 1]
            text += f", ramping to {te.fmt_bpm(nxt.bpm)} bpm at {tm.beat_to_bbt(nxt.beat)}"
        try:
            click = bpm_to_click(change.bpm, rate)
        except TempoError:
            click = ""
        if click:
            text += f"; a {click} click at {rate.name} fps"
        return text + whose

    def mark_at(self, t: int, row: Row, reach: int) -> Mark | None:
        """The change in a row nearest a time, if within ``reach`` flicks."""
        near = [m for m in self.marks(t - reach, t + reach) if m.row is row]
        return min(near, key=lambda m: abs(m.at - t), default=None)

    def find(self, key: tuple[MapRef, Row, Fraction] | None) -> Mark | None:
        if key is None:
            return None
        return next((m for m in self.marks() if m.key == key), None)

    def select(self, mark: Mark | None) -> None:
        self.selected = mark.key if mark is not None else None

    # -- snapping --------------------------------------------------------------------------------
    def snap_beat(self, tm: TempoMap, t: int, fpp: float, free: bool = False,
                  region: Region | None = None) -> Fraction:
        """The beat a tempo change dropped at ``t`` lands on: the nearest beat of the meter (the
        nearest bar line when beats are under ``SNAP_BEAT_PX`` apart), inside ``region`` if
        given (else the tick under ``t``); ``free``: the tick."""
        beat = tm.flicks_to_beat(t)
        if free:
            return te.on_tick(beat)
        grid = tempo_grid(tm)
        bar = te.bar_index_at(tm, beat) + 1
        meter = tm.meter_at(bar)
        beat_px = (tm.beat_to_flicks(grid.bar_start(bar) + Fraction(4, meter.denominator))
                   - tm.beat_to_flicks(grid.bar_start(bar))) / fpp
        if beat_px >= SNAP_BEAT_PX:
            candidates = [*grid.line_beats(bar, _BEAT), grid.bar_start(bar + 1)]
        else:
            candidates = [grid.bar_start(bar), grid.bar_start(bar + 1)]
        if region is not None:
            candidates = [b for b in candidates if region.holds(tm.beat_to_flicks(b))]
            if not candidates:
                return te.on_tick(beat)
        return min(candidates, key=lambda b: (abs(tm.beat_to_flicks(b) - t), b))

    def snap_bar(self, tm: TempoMap, t: int, region: Region | None = None) -> int:
        """The (0-based) bar whose start is nearest ``t`` (inside ``region`` if given: raises
        ``TempoEditError`` if no bar line of the map is there)."""
        bar = te.bar_index_at(tm, tm.flicks_to_beat(t))
        bars = [b for b in (bar - 1, bar, bar + 1, bar + 2) if region is None
                or region.holds(tm.beat_to_flicks(te.bar_start_beat(tm, b)))]
        if not bars:
            raise TempoEditError("no bar line falls here: a meter change sits on one")
        return min(bars, key=lambda b: abs(tm.beat_to_flicks(te.bar_start_beat(tm, b)) - t))

    # -- edits -----------------------------------------------------------------------------------
    def _put(self, ref: MapRef, tm: TempoMap, label: str, drag: _Drag | None = None) -> bool:
        """Make ``tm`` the map ``ref``, with the notes and controller points where it is in
        force keeping their beats (``notes_follow``): one step, or part of the drag's (whose
        moves carry only the music in ``focus``, the rest follows at the release)."""
        project = self.project
        changes = te.put_map(project, ref, tm)
        if changes and drag is None:
            changes += self._follow(ref, te.map_of(project, ref), tm)
        elif changes and drag is not None:
            notes, controls = drag.notes, drag.controls
            if drag.focus is not None:
                lo, hi = drag.focus
                notes = {i: n for i, n in notes.items() if n.end >= lo and n.start <= hi}
                controls = {i: c for i, c in controls.items() if lo <= c.time <= hi}
            changes += self._follow(ref, drag.base, tm, notes, controls)
        return self._execute(changes, label)

    def _follow(self, ref: MapRef, old: TempoMap, new: TempoMap,
                notes: Mapping[int, Note] | None = None,
                controls: Mapping[int, ControlPoint] | None = None) -> list[Change]:
        if not self.notes_follow:
            return []
        regions = [r for r in self.regions() if r.ref == ref]
        return follow(self.project, old, new, lambda t: any(r.holds(t) for r in regions),
                      notes, controls)

    def add(self, t: int, row: Row, fpp: float, free: bool = False) -> Mark | None:
        """A change at the snapped position near ``t`` in the map in force there: the tempo or
        meter already in force, so nothing sounds different until it is edited. Selected."""
        region = self.region_at(t)
        tm = region.tempo
        try:
            if row is Row.TEMPO:
                beat = self.snap_beat(tm, region.clamp(t), fpp, free, region)
                new = te.add_tempo(tm, beat, te.bpm_at_beat(tm, beat),
                                   te.segment_of(tm, beat).ramp)
                label = "Add tempo change"
            else:
                bar = self.snap_bar(tm, region.clamp(t), region)
                meter = tm.meter_at(bar + 1)
                new = te.add_meter(tm, bar, meter.numerator, meter.denominator)
                beat = te.bar_start_beat(tm, bar)
                label = "Add meter change"
        except TempoEditError as e:
            self.tell(_cap(str(e)))
            return None
        if not self._put(region.ref, new, label):
            return None
        mark = self.find((region.ref, row, beat))
        self.select(mark)
        if mark is not None:
            what = "tempo" if row is Row.TEMPO else "meter"
            where = str(new.beat_to_bbt(beat))
            self.tell(f"{_cap(what)} change added at {where}"
                      f"{_in(region)}: double-click it to edit")
        return mark

    def delete(self, mark: Mark | None = None) -> bool:
        """Remove a change (by default the selected one); the first ones can't go."""
        mark = mark or self.find(self.selected)
        if mark is None:
            return False
        try:
            tm = te.map_of(self.project, mark.ref)
            if mark.row is Row.TEMPO:
                new, label = te.remove_tempo(tm, mark.index), "Delete tempo change"
            else:
                new, label = te.remove_meter(tm, mark.index), "Delete meter change"
        except TempoEditError as e:
            self.tell(_cap(str(e)))
            return False
        if not self._put(mark.ref, new, label):
            return False
        if self.selected == mark.key:
            self.selected = None
        return True

    def form(self, mark: Mark) -> ChangeForm:
        """What the editor shows for a change: the tempo and meter changes at its position."""
        return te.form_at(te.map_of(self.project, mark.ref), mark.beat)

    def has_next(self, mark: Mark) -> bool:
        """Whether a tempo change has a next one to ramp to."""
        tm = te.map_of(self.project, mark.ref)
        return any(t.beat > mark.beat for t in tm.tempos)

    def check(self, mark: Mark, form: ChangeForm) -> TempoMap:
        """The map the form would make (raises ``TempoEditError`` saying what is wrong)."""
        return te.apply_form(te.map_of(self.project, mark.ref), mark.beat, form)

    def submit(self, mark: Mark, form: ChangeForm) -> bool:
        """The editor's OK: one undo step. Raises ``TempoEditError`` (nothing changed)."""
        new = self.check(mark, form)
        changed = self._put(mark.ref, new, "Edit tempo and meter")
        row = mark.row if (form.bpm if mark.row is Row.TEMPO else form.meter) else (
            Row.METER if mark.row is Row.TEMPO else Row.TEMPO)
        self.select(self.find((mark.ref, row, new.bbt_to_beat(form.position))))
        return changed

    def set_bpm(self, mark: Mark, bpm: Fraction | int | float | str,
                ramp: bool | None = None) -> bool:
        """Another tempo (and step or ramp) for a tempo change: one step; errors are told."""
        try:
            tm = te.map_of(self.project, mark.ref)
            return self._put(mark.ref, te.set_tempo(tm, mark.index, bpm, ramp), "Change tempo")
        except TempoEditError as e:
            self.tell(_cap(str(e)))
            return False

    def set_meter(self, mark: Mark, numerator: int, denominator: int) -> bool:
        try:
            tm = te.map_of(self.project, mark.ref)
            return self._put(mark.ref, te.set_meter(tm, mark.index, numerator, denominator),
                             "Change meter")
        except TempoEditError as e:
            self.tell(_cap(str(e)))
            return False

    # -- a drag: one gesture ----------------------------------------------------------------------
    @property
    def dragging(self) -> Mark | None:
        return self._drag.current if self._drag is not None else None

    def begin_drag(self, mark: Mark) -> bool:
        """Start moving a change (press); False for the first ones, which stay at the start."""
        if mark.first:
            what = "tempo" if mark.row is Row.TEMPO else "meter"
            self.tell(f"The first {what} change stays at the start of its map: "
                      f"double-click it to edit")
            return False
        self.cancel_drag()
        found = self.find(mark.key)  # as the map is now (an undo may have come between)
        if found is None:
            self.tell("That change is not there any more")
            return False
        mark = found
        label = "Move tempo change" if mark.row is Row.TEMPO else "Move meter change"
        region = next(r for r in self.regions() if r.ref == mark.ref and r.holds(mark.at))
        self._drag = _Drag(mark, te.map_of(self.project, mark.ref), region,
                           self.document.begin(label), mark, dict(self.project.notes),
                           dict(self.project.controls))
        self.select(mark)
        return True

    def drag_to(self, t: int, fpp: float, free: bool = False,
                focus: tuple[int, int] | None = None) -> Mark | None:
        """Move the dragged change toward ``t`` (snapped; ``free``: to the tick; meters always
        to bar lines), kept inside the stretch where its map is in force. A position another
        change holds is passed over: the change stays where it was last. ``focus`` (flicks,
        the view): only the music there moves with each step; the rest at the release."""
        d = self._drag
        if d is not None and not d.gesture.is_open:  # undone (Ctrl+Z) while dragging
            self._drag = d = None
        if d is None:
            return None
        d.focus = focus
        t = d.region.clamp(t)
        m = d.mark
        try:
            if m.row is Row.TEMPO:
                without = te.remove_tempo(d.base, m.index)
                beat = self.snap_beat(without, t, fpp, free, d.region)
                new = te.move_tempo(d.base, m.index, beat)
            else:
                without = te.remove_meter(d.base, m.index)
                bar = self.snap_bar(without, t, d.region)
                new = te.move_meter(d.base, m.index, bar)
                beat = te.bar_start_beat(new, bar)
        except TempoEditError as e:
            self.tell(_cap(str(e)))
            return d.current
        self._put(m.ref, new, d.gesture.label, d)
        current = self.find((m.ref, m.row, beat))
        if current is not None:
            d.current = current
            self.select(current)
            self.tell(f"{d.gesture.label[5:].capitalize()} at {new.beat_to_bbt(beat)}")
        return d.current

    def end_drag(self) -> bool:
        """Release: the drag is one undo step (none if it ended where it began)."""
        d, self._drag = self._drag, None
        if d is None:
            return False
        if d.focus is not None and d.gesture.is_open:  # the music outside the view follows
            tm = te.map_of(self.project, d.mark.ref)
            self._execute(self._follow(d.mark.ref, d.base, tm, d.notes, d.controls),
                          d.gesture.label)
        try:
            return d.gesture.commit()
        except Exception as e:  # the project file refused it: the drag is taken back
            self.tell(f"{d.gesture.label}: could not be saved ({e})")
            return False

    def cancel_drag(self) -> None:
        """Escape: the change goes back to where it was."""
        d, self._drag = self._drag, None
        if d is not None:
            d.gesture.rollback()
            self.select(d.mark)

    # -- a cue's own map ------------------------------------------------------------------------
    def give_own_map(self, cue_id: int) -> bool:
        """The cue gets a tempo map of its own (bar 1 at its start), one step."""
        cue = self.project.cues.get(cue_id)
        if cue is None:
            return False
        return self._execute(te.own_map(self.project, cue_id),
                             f"Give {cue.name} its own tempo")

    def follow_project(self, cue_id: int) -> bool:
        """The cue follows the project's map again (its own map goes), one step."""
        cue = self.project.cues.get(cue_id)
        if cue is None:
            return False
        return self._execute(te.drop_own_map(self.project, cue_id),
                             f"{cue.name} follows the project's tempo")

    def _execute(self, changes: Sequence[Change], label: str) -> bool:
        """One undo step (or part of the open drag's); False if nothing was done."""
        if not changes:
            return False
        try:
            self.document.execute_changes(changes, label)
        except PermissionError as e:  # open read-only
            self.tell(_cap(str(e)))
            return False
        return True


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _in(region: Region) -> str:
    return f" in {region.name}'s tempo map" if region.name else ""
