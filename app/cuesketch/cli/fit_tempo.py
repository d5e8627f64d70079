"""`cuesketch fit-tempo PROJECT --cue 1M3`: the steady tempo and the tempo map with the fewest
changes that catch a cue's hits, found exactly; ``--apply`` sets the cue's map (one undo step).

Prints the best tempo intervals (each with its least-squares, minimax, nice tempo and frame
click), the best map with ``--changes`` changes at most, and each hit on what would be applied:
bar|beat|tick, timecode, frames off (+ late, - early) and caught / near / missed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

from cuesketch.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fit-tempo", help="find the tempo (or tempo map) that catches a cue's hits",
                       description="Find the steady tempo and the tempo map with the fewest "
                                   "changes that put a cue's hits on the beat. Hard hits must "
                                   "be caught on their frame; cuts, soft hits and dialogue are "
                                   "weighed and may be a frame or two off.")
    p.add_argument("project", type=Path)
    p.add_argument("--cue", required=True, help="the cue, by name (e.g. 1M3)")
    p.add_argument("--range", default="40-240", metavar="LO-HI",
                   help="the tempos to try, in bpm (default 40-240)")
    p.add_argument("--changes", default="0..4", metavar="[MIN..]MAX",
                   help="how many tempo changes the map may have (default 0..4)")
    p.add_argument("--grid", default="beat", help="where hits land: bar, beat, 1/2, 1/3, 1/4")
    p.add_argument("--beat", metavar="NOTE",
                   help="the beat the tempo counts, as a note value: 1/4, 1/8, 3/8 (a dotted "
                        "quarter, for 6/8) ... (default: the meter's lower number)")
    p.add_argument("--meters", default="", metavar="M,M,...",
                   help="the bar lengths the map may use, e.g. 4/4,3/4,5/4: hits on the bar "
                        "(--grid bar) may then fall after bars of any of them (default: the "
                        "cue's meter throughout)")
    p.add_argument("--tolerance", type=int, metavar="FRAMES",
                   help="frames either way a hit may be off and still be caught "
                        "(default: 0 for hard hits, 1 for cuts and soft hits, 2 for dialogue)")
    p.add_argument("--must", metavar="KINDS",
                   help="the kinds of hit that must be caught, e.g. hard,cut (default: hard)")
    p.add_argument("--near", type=int, default=2, metavar="FRAMES",
                   help="a missed hit within this many frames more than its tolerance is near "
                        "(default 2)")
    p.add_argument("--window", type=int, default=0, metavar="FRAMES",
                   help="bar 1 may move this many frames either way from the cue start")
    p.add_argument("--ramps", action="store_true", help="allow linear tempo ramps between hits")
    p.add_argument("--max-step", default="40", metavar="BPM",
                   help="the largest tempo change allowed (default 40 bpm)")
    p.add_argument("--top", type=int, default=5, help="how many tempo intervals to show")
    p.add_argument("--apply", action="store_true",
                   help="set the cue's tempo map to the best answer (one undo step)")
    p.add_argument("--keep", choices=("times", "bars"), default="times",
                   help="with --apply: notes stay at their times on the picture (default) or "
                        "move with the music, keeping their bars")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=run)


def parse_range(text: str) -> tuple[Fraction, Fraction]:
    m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\s*$", text)
    if m is None:
        raise UserError(f"'{text}' is not a tempo range; write e.g. 60-140")
    lo, hi = Fraction(m.group(1)), Fraction(m.group(2))
    if not 0 < lo < hi:
        raise UserError(f"the tempo range {text} must go up from above 0 bpm")
    return lo, hi


def parse_changes(text: str) -> tuple[int, int]:
    m = re.match(r"^\s*(?:(\d+)\s*\.\.\s*)?(\d+)\s*$", text)
    if m is None:
        raise UserError(f"'{text}' is not a number of changes; write e.g. 0..3 or 3")
    hi = int(m.group(2))
    lo = int(m.group(1)) if m.group(1) is not None else 0
    if lo > hi:
        raise UserError(f"--changes {text}: the least is more than the most")
    if hi > 16:
        raise UserError("--changes: at most 16 tempo changes")
    return lo, hi


def run(args: argparse.Namespace) -> int:
    from cuesketch.model.entities import HitKind
    from cuesketch.model.tempo_fit import apply_changes, cue_problem, find_cue
    from cuesketch.timing.tempo_fit import (
        FitError,
        Grid,
        best_map,
        constant_intervals,
        parse_meters,
    )
    from cuesketch.timing.tempo_fit.report import measure

    lo, hi = parse_range(args.range)
    least, most = parse_changes(args.changes)
    try:
        meters = parse_meters(args.meters)
    except FitError as e:
        raise UserError(f"--meters: {e}") from None
    try:
        max_step = Fraction(args.max_step)
    except (ValueError, ZeroDivisionError):
        raise UserError(f"--max-step {args.max_step} is not a tempo in bpm") from None
    musts = None
    if args.must is not None:
        try:
            musts = frozenset(HitKind(k.strip().lower()) for k in args.must.split(",") if k.strip())
        except ValueError:
            raise UserError(f"--must {args.must}: the kinds are "
                            f"{', '.join(k.value for k in HitKind)}") from None
    if args.tolerance is not None and args.tolerance < 0:
        raise UserError("--tolerance is 0 frames or more")
    if args.window < 0 or args.near < 0:
        raise UserError("--window and --near are 0 frames or more")
    beat_unit = None
    if args.beat is not None:
        try:
            beat_unit = 4 * Fraction(args.beat)  # in quarter notes
        except (ValueError, ZeroDivisionError):
            beat_unit = None
        if beat_unit is None or beat_unit <= 0:
            raise UserError(f"--beat {args.beat} is not a note value; write e.g. 1/4 or 3/8")
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    try:
        pf = ProjectFile.open(args.project, read_only=not args.apply)
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    try:
        if args.apply and pf.read_only:
            raise UserError(f"can't change {args.project}: {pf.reason or 'it is read-only'}")
        project = pf.load()
        try:
            grid = Grid.parse(args.grid)
            cue = find_cue(project, args.cue)
            problem = cue_problem(project, cue, grid=grid, tolerance=args.tolerance,
                                  musts=musts, lo=lo, hi=hi, origin_window=args.window,
                                  ramps=args.ramps, max_step=max_step, min_changes=least,
                                  max_changes=most, beat_unit=beat_unit,
                                  near=args.near, meters=meters)
            intervals = constant_intervals(problem, top=max(args.top, 1))
            found = best_map(problem)
        except FitError as e:
            raise UserError(str(e)) from None
        tm = chosen_map(problem, intervals, found)
        settings = project.settings
        results = measure(tm, problem, settings.start_frame) if tm is not None else []
        report = build_report(problem, cue.name, intervals[:args.top], found, tm, results,
                              settings.start_frame)
        if args.apply:
            if tm is None:
                raise UserError(f"no map with {least} to {most} changes catches every hit that "
                                f"must be caught; allow more changes (--changes) or a wider "
                                f"range (--range)")
            from cuesketch.model.document import Document
            document = Document(project, sink=pf)
            with document.transaction("Fit tempo to hits"):
                document.execute_changes(apply_changes(project, cue, tm, args.keep))
            report["applied"] = {"keep": args.keep}
    finally:
        pf.close()
    try:
        if args.json:
            print(json.dumps(report, indent=2))
        else:
            print_report(report)
        sys.stdout.flush()
    except BrokenPipeError:  # `| head`: the reader has what it wanted
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def chosen_map(problem: Any, intervals: list[Any], found: Any) -> Any:
    """What --apply sets: the best map; when it holds one tempo, the best steady tempo's
    suggestion (a nice tempo or a frame click) if that catches as much."""
    from cuesketch.timing.tempo import TempoMap
    from cuesketch.timing.tempo_fit.report import measure
    if found is None:
        return None
    tm = found.tempo_map(problem)
    if found.changes == 0 and intervals:
        best = intervals[0]
        steady = TempoMap.constant(best.bpm * problem.unit, problem.numerator,
                                   problem.denominator, origin=best.origin)
        if _score(problem, measure(steady, problem)) <= _score(problem, measure(tm, problem)):
            return steady
    return tm


def _score(problem: Any, results: list[Any]) -> tuple[int, int, int]:
    """(musts missed, weight missed, frames off) of a measured map: smaller is better."""
    musts = weight = frames = 0
    for r in results:
        hit = problem.hits[r.index]
        if r.status.value != "caught":
            musts += hit.must
            weight += 0 if hit.must else hit.weight
        else:
            frames += abs(r.off)
    return musts, weight, frames


def _bpm(x: Fraction) -> float:
    return round(float(x), 3)


def build_report(problem: Any, cue: str, intervals: list[Any], found: Any, tm: Any,
                 results: list[Any], start_frame: int) -> dict[str, Any]:
    from cuesketch.timing.timecode import format_timecode
    rate = problem.rate
    report: dict[str, Any] = {
        "cue": cue, "rate": rate.name, "range": [_bpm(problem.lo), _bpm(problem.hi)],
        "hits": len(problem.hits),
        "meter_plan": [f"{n}/{d}" for n, d in problem.meters] if problem.free else None,
        "steady": [{
            "from_bpm": _bpm(iv.lo_bpm), "to_bpm": _bpm(iv.hi_bpm),
            "bar_1": format_timecode(start_frame + iv.origin // problem.fpf, rate),
            "caught": iv.score.caught, "near": iv.score.near,
            "musts_missed": iv.score.musts_missed, "worst_frames_off": iv.score.worst,
            "bpm": _bpm(iv.bpm), "least_squares": _bpm(iv.least_squares),
            "minimax": _bpm(iv.minimax), "nice": _bpm(iv.nice), "nice_inside": iv.nice_inside,
            "click": iv.click, "click_bpm": _bpm(iv.click_bpm), "click_inside": iv.click_inside,
        } for iv in intervals],
        "map": None,
    }
    if found is not None and tm is not None:
        report["map"] = {
            "changes": found.changes, "weight_missed": found.cost[1],
            "steps_bpm": _bpm(found.cost[2]), "frames_off": found.cost[3],
            "tempos": [{"bar": str(tm.beat_to_bbt(t.beat)), "bpm": _bpm(t.bpm / problem.unit),
                        "ramp": t.ramp} for t in tm.tempos],
            "meter_changes": max(len(tm.meters) - 1, 0),
            "meters": [{"bar": m.bar + 1, "meter": f"{m.numerator}/{m.denominator}"}
                       for m in tm.meters],
            "hits": [{"name": r.name, "timecode": r.timecode, "bar": str(r.bbt),
                      "frames_off": r.off, "status": r.status.value} for r in results],
        }
    return report


_MARK = {"caught": "✓", "near": "~", "missed": "✗"}
_COLOUR = {"caught": "32", "near": "33", "missed": "31"}  # ANSI green, yellow, red


def print_report(report: dict[str, Any]) -> None:
    lo, hi = report["range"]
    n = report["hits"]
    print(f"cue {report['cue']}: {n} hit{'' if n == 1 else 's'}, {lo:g}-{hi:g} bpm at "
          f"{report['rate']} fps")
    plan = report.get("meter_plan")
    print(f"steady tempo in {plan[0]} (best first):" if plan else "steady tempo (best first):")
    for iv in report["steady"]:
        where = "inside" if iv["click_inside"] else "nearest"
        print(f"  {iv['from_bpm']:8.3f} - {iv['to_bpm']:8.3f} bpm  weight caught "
              f"{iv['caught']}, near {iv['near']}, worst {iv['worst_frames_off']}f"
              + (f", {iv['musts_missed']} must-catch missed" if iv["musts_missed"] else "")
              + f"  ->  {iv['bpm']:g} bpm (least squares {iv['least_squares']:g}, minimax "
              f"{iv['minimax']:g}; click {iv['click']} = {iv['click_bpm']:g} {where})")
    m = report["map"]
    if m is None:
        print("no tempo map within the changes allowed catches every hit that must be caught")
        return
    print(f"tempo map: {m['changes']} change{'s' if m['changes'] != 1 else ''}, "
          f"weight missed {m['weight_missed']}, frames off {m['frames_off']}")
    for t in m["tempos"]:
        print(f"  {t['bar']:>12}  {t['bpm']:g} bpm{'  ramp ->' if t['ramp'] else ''}")
    if m["meter_changes"]:
        print(f"meters: {m['meter_changes']} change{'s' if m['meter_changes'] != 1 else ''}")
        for mt in m["meters"]:
            print(f"  {str(mt['bar']) + '|1|000':>12}  {mt['meter']}")
    print("hits:")
    paint = sys.stdout.isatty()  # in colour on a terminal: green, amber, red
    for h in m["hits"]:
        off = "-" if h["frames_off"] is None else (f"{h['frames_off']:+d}f" if h["frames_off"]
                                                    else "0f")
        status = f"{h['status']:<6}"
        if paint:
            status = f"\033[{_COLOUR[h['status']]}m{status}\033[0m"
        print(f"  {_MARK[h['status']]} {h['timecode']}  {h['bar']:>12}  {off:>5}  "
              f"{status}  {h['name']}")
    if "applied" in report:
        print(f"applied: the cue's tempo map is set; notes kept at their "
              f"{report['applied']['keep']}", file=sys.stderr)
