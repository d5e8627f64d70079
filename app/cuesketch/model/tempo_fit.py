"""Find Tempo on a project: a cue's hits as the question, and a found map applied as one step.

Each kind of hit asks something different by default: a hard hit must be caught on its frame,
a cut weighs 2 and a soft hit 1 (either may be a frame off), a line of dialogue weighs 1 and
may be two frames off. Applying a map sets the cue's own tempo map; the notes and controller
points inside the cue either stay where they are on the picture (``keep="times"``) or move
with the music, keeping their bars and beats (``keep="bars"``). Nothing here changes a
project: ``apply_changes`` returns the changes, to be executed as one undo step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import cast

from cuesketch.model.changes import Change
from cuesketch.model.document import Document, Gesture
from cuesketch.model.entities import Cue, Hit, HitKind
from cuesketch.model.project import Project
from cuesketch.model.tempo_edits import MapRef, put_map
from cuesketch.model.tempo_follow import follow
from cuesketch.timing.position import tempo_at
from cuesketch.timing.tempo import TempoMap, bpm_to_click, click_to_bpm
from cuesketch.timing.tempo_fit import (
    FitError,
    FitHit,
    FitProblem,
    Grid,
    Status,
    best_map,
    constant_intervals,
    merge_same_frame,
)
from cuesketch.timing.tempo_fit.report import HitResult, measure
from cuesketch.timing.timecode import format_timecode

# kind -> (must, weight, tolerance in frames)
KIND_DEFAULTS: dict[HitKind, tuple[bool, int, int]] = {
    HitKind.HARD: (True, 1, 0),
    HitKind.CUT: (False, 2, 1),
    HitKind.SOFT: (False, 1, 1),
    HitKind.DIALOGUE: (False, 1, 2),
}

KEEP = ("times", "bars")
LABEL = "Fit tempo to hits"  # the undo step's name


def find_cue(project: Project, name: str) -> Cue:
    """The cue of this name (``1M3``; case and spaces don't matter)."""
    key = name.strip().lower().replace(" ", "")
    for cue in project.cues.values():
        if cue.name.strip().lower().replace(" ", "") == key:
            return cue
    names = ", ".join(sorted(c.name for c in project.cues.values())) or "none"
    raise FitError(f"there is no cue '{name}' (the cues: {names})")


def cue_hits(project: Project, cue: Cue) -> list[Hit]:
    return sorted((h for h in project.hits.values()
                   if cue.start_frame <= h.frame < cue.end_frame), key=lambda h: h.frame)


def fit_hits(hits: list[Hit], grid: Grid = Grid.BEAT, tolerance: int | None = None,
             musts: frozenset[HitKind] | None = None) -> list[FitHit]:
    """The hits as Find Tempo weighs them (see ``KIND_DEFAULTS``); ``musts`` overrides which
    kinds must be caught, ``tolerance`` every hit's tolerance."""
    out = []
    for h in hits:
        must, weight, tol = KIND_DEFAULTS[h.kind]
        if musts is not None:
            must = h.kind in musts
        out.append(FitHit(h.frame, must, weight, tol if tolerance is None else tolerance, grid,
                          h.name or h.kind.value, h.id))
    return merge_same_frame(out)


def cue_problem(project: Project, cue: Cue, **options: object) -> FitProblem:
    """The question for a cue: its hits, bar 1 at its start, the meter in force there.
    ``options``: ``grid``, ``tolerance``, ``musts`` for the hits, the rest for FitProblem.
    With a free meter plan (``meters``) the cue's meter comes first if the plan has it: bar 1
    stays in it unless a hit asks otherwise."""
    hit_options = {k: options.pop(k) for k in ("grid", "tolerance", "musts") if k in options}
    hits = fit_hits(cue_hits(project, cue), **hit_options)  # type: ignore[arg-type]
    if not hits:
        raise FitError(f"cue {cue.name} has no hits to fit a tempo to")
    settings = project.settings
    current = current_map(project, cue)
    meter = current.meter_at(current.flicks_to_bbt(
        settings.rate.frame_to_flicks(cue.start_frame)).bar)
    plan = cast("tuple[tuple[int, int], ...]", tuple(options.get("meters") or ()))  # type: ignore[arg-type]
    if plan:  # one meter: fixed at it
        now = (meter.numerator, meter.denominator)
        plan = ((now,) if now in plan else ()) + tuple(m for m in plan if m != now)
        options["meters"] = plan
        options["numerator"], options["denominator"] = plan[0]
    options.setdefault("numerator", meter.numerator)
    options.setdefault("denominator", meter.denominator)
    unit = Fraction(options.get("beat_unit")  # type: ignore[arg-type]
                    or Fraction(4, int(options["denominator"])))  # type: ignore[call-overload]
    options.setdefault("prefer", current.bpm_at(settings.rate.frame_to_flicks(cue.start_frame))
                       / unit)
    return FitProblem(tuple(hits), settings.rate, cue.start_frame,
                      **options)  # type: ignore[arg-type]


def current_map(project: Project, cue: Cue) -> TempoMap:
    """The map in force in the cue: its own, else the project's."""
    return cue.tempo if cue.tempo is not None else project.settings.tempo


def apply_changes(project: Project, cue: Cue, tm: TempoMap, keep: str = "times") -> list[Change]:
    """The changes that make ``tm`` the cue's map; with ``keep="bars"`` the notes and
    controller points starting inside the cue move to the same beats on the new map."""
    if keep not in KEEP:
        raise FitError(f"keep the notes at their 'times' or their 'bars', not '{keep}'")
    changes: list[Change] = list(put_map(project, MapRef(cue.id), tm))
    if keep == "bars":  # the notes keep their beats, as a tempo edit in the lane does
        rate = project.settings.rate
        lo, hi = rate.frame_to_flicks(cue.start_frame), rate.frame_to_flicks(cue.end_frame)
        old = tempo_at(lo, project.settings, project.cues.values())
        changes += follow(project, old, tm, lambda t: lo <= t < hi)
    return changes


# -- a Find Tempo session: what the window's panel drives -------------------------------------

@dataclass(frozen=True)
class Candidate:
    """One answer to offer: a steady tempo interval's suggestion or the best map, the map it
    makes and every hit measured on it."""

    label: str
    tempo_map: TempoMap
    hits: tuple[HitResult, ...]
    changes: int

    @property
    def caught(self) -> int:
        return sum(1 for h in self.hits if h.status is Status.CAUGHT)


def answers(problem: FitProblem, start_frame: int, top: int = 5) -> list[Candidate]:
    """The candidates for a question: the best map first when it changes tempo or meter, then
    the best steady tempos. Pure (reads no document), so a window can run it on a worker thread."""
    intervals = constant_intervals(problem, top=top)
    found = best_map(problem)
    out: list[Candidate] = []
    if found is not None and (found.changes > 0 or found.meter_changes > 0):
        tm = found.tempo_map(problem)
        label = f"Map: {found.changes} tempo change{'s' if found.changes != 1 else ''}"
        if found.meter_changes:
            meters = ", ".join(f"{m.numerator}/{m.denominator}" for m in tm.meters)
            label += f", {found.meter_changes} meter change" \
                f"{'s' if found.meter_changes != 1 else ''} ({meters})"
        out.append(Candidate(label, tm, tuple(measure(tm, problem, start_frame)),
                             found.changes))
    for iv in intervals:
        tm = TempoMap.constant(iv.bpm * problem.unit, problem.numerator,
                               problem.denominator, origin=iv.origin)
        where = "frame click" if iv.bpm == iv.click_bpm else \
            "nice" if iv.nice_inside else "minimax"
        click = f"click {iv.click}" if iv.click_inside else \
            f"nearest click {iv.click} = {float(iv.click_bpm):.3f}"
        span = f"{float(iv.lo_bpm):.3f}-{float(iv.hi_bpm):.3f}"
        out.append(Candidate(f"{float(iv.bpm):.3f} bpm ({where}; takes {span}; {click})",
                             tm, tuple(measure(tm, problem, start_frame)), 0))
    return out


@dataclass
class FindTempo:
    """Find Tempo for one cue of a document: ``solve()`` lists the candidates (the best map
    first when it changes tempo, then the best steady tempos), ``apply(i, keep)`` sets one as
    the cue's map in one undo step, ``click_book(i)`` lists its rows for the click book."""

    document: Document
    cue_id: int
    options: dict[str, object] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    problem: FitProblem | None = None
    _preview: tuple[Gesture, int, str] | None = None

    @property
    def cue(self) -> Cue:
        return self.document.project.cues[self.cue_id]

    def solve(self, top: int = 5) -> list[Candidate]:
        problem = self.question()
        return self.take(problem, answers(problem, self.document.project.settings.start_frame,
                                          top))

    def question(self) -> FitProblem:
        """The cue as it is now (not as previewed), as a question for ``answers``."""
        self.end_preview()
        return cue_problem(self.document.project, self.cue, **dict(self.options))

    def take(self, problem: FitProblem, candidates: list[Candidate]) -> list[Candidate]:
        """Keep ``answers``' candidates for ``problem`` (to preview, apply, print)."""
        self.problem, self.candidates = problem, candidates
        return candidates

    def apply(self, index: int, keep: str = "times") -> None:
        """Set candidate ``index`` as the cue's map: one undo step (the preview's, if it is
        showing this one)."""
        if self._preview is not None and self._preview[1:] == (index, keep) \
                and self._preview[0].is_open:
            gesture, self._preview = self._preview[0], None
            gesture.commit()
            return
        self.end_preview()
        candidate = self.candidates[index]
        with self.document.transaction(LABEL):
            self.document.execute_changes(
                apply_changes(self.document.project, self.cue, candidate.tempo_map, keep))

    def preview(self, index: int, keep: str = "times") -> None:
        """Show candidate ``index`` as if applied (whatever follows the cue's map) without
        making it an undo step or writing it: an open gesture, taken back by ``end_preview`` or made
        the step by ``apply``. (Another edit begun meanwhile commits it, as any gesture.)"""
        self.end_preview()
        gesture = self.document.begin(LABEL)
        self.document.execute_changes(apply_changes(
            self.document.project, self.cue, self.candidates[index].tempo_map, keep))
        self._preview = (gesture, index, keep)

    def end_preview(self) -> None:
        """Take the preview back, if one is showing."""
        if self._preview is not None:
            gesture, self._preview = self._preview[0], None
            if gesture.is_open:
                gesture.rollback()

    @property
    def previewing(self) -> int | None:
        """The candidate shown as a preview, if any."""
        if self._preview is None or not self._preview[0].is_open:
            return None
        return self._preview[1]

    def click_book(self, index: int) -> list[list[str]]:
        """The click book of a candidate: its tempo changes (bar|beat, bpm, frame click,
        ramp), its meter, and each hit (bar|beat|tick, timecode, frames off, status)."""
        assert self.problem is not None
        problem = self.problem
        candidate = self.candidates[index]
        tm = candidate.tempo_map
        rate = problem.rate
        start = self.document.project.settings.start_frame
        rows = [["what", "bar|beat", "timecode", "bpm", "click", "frames off", "status", "name"]]
        for t in tm.tempos:
            at = tm.beat_to_flicks(t.beat)
            bpm = t.bpm / problem.unit
            click = bpm_to_click(bpm, rate)
            if click_to_bpm(click, rate) != bpm:  # only near a frame click: say so
                click = f"≈{click}"
            rows.append(["tempo" + (" (ramp)" if t.ramp else ""), str(tm.beat_to_bbt(t.beat)),
                         format_timecode(start + rate.flicks_to_frame(at), rate),
                         f"{float(bpm):.3f}", click, "", "", ""])
        for m in tm.meters:
            rows.append(["meter", f"{m.bar + 1}|1|000", "", "", "", "", "",
                         f"{m.numerator}/{m.denominator}"])
        for h in candidate.hits:
            rows.append(["hit", str(h.bbt), h.timecode, "", "", h.off_text, h.status.value,
                         h.name])
        return rows

    def write_csv(self, index: int, path: Path) -> None:
        """The click book as CSV, written whole or not at all."""
        import csv

        from cuesketch.files import replacing
        with replacing(path, FitError) as tmp:
            with tmp.open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerows(self.click_book(index))
