"""Speech regions in the project: the edits a composer makes to them, and what they tell.

Regions are transport flicks (``SpeechRegion``), kept sorted and apart: an added region that
overlaps others takes them in, a moved or resized one stops at its neighbours. A detection
replaces every region at once (one undo step); a "dialogue" hit can mark the start of each
line. ``density`` says how busy the sketch is under each line: how many notes sound over it,
and how many at most at once. Pure functions over a ``Project`` returning changes;
``SpeechEdits`` runs them through the document, each one undo step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace as evolve

import numpy as np

from cuesketch.model.changes import Change, delete, insert
from cuesketch.model.changes import replace as change
from cuesketch.model.document import Document
from cuesketch.model.entities import Hit, HitKind, SpeechRegion
from cuesketch.model.project import Project
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.units import FLICKS_PER_SECOND

MIN_LENGTH = FLICKS_PER_SECOND // 10  # a region is at least 100 ms long
LINE_NAME = "Line"  # a dialogue hit's name


def regions(project: Project) -> list[SpeechRegion]:
    """Every region, in time order."""
    return sorted(project.speech_regions.values(), key=lambda r: (r.start, r.id))


def _neighbours(project: Project, region: SpeechRegion) -> tuple[int, int | None]:
    """The end of the region before and the start of the one after (None: no later one)."""
    before, after = 0, None
    for r in regions(project):
        if r.id == region.id:
            continue
        if r.start < region.start or (r.start == region.start and r.id < region.id):
            before = max(before, r.end)
        elif after is None:
            after = r.start
    return before, after


def add_region(project: Project, start: int, end: int) -> list[Change]:
    """A new region over ``start``..``end``; the regions it overlaps are taken into it."""
    start, end = max(0, min(start, end)), max(start, end)
    end = max(end, start + MIN_LENGTH)
    touched = [r for r in regions(project) if r.start <= end and r.end >= start]
    if touched:
        start = min([start] + [r.start for r in touched])
        end = max([end] + [r.end for r in touched])
    new = SpeechRegion(project.new_id(SpeechRegion), start, end)
    changes: list[Change] = [delete(r) for r in touched]
    return changes + [insert(new)]


def move_region(project: Project, region_id: int, delta: int) -> list[Change]:
    """Move a region by ``delta`` flicks, stopping at its neighbours (and the start)."""
    r = project.get(SpeechRegion, region_id)
    before, after = _neighbours(project, r)
    length = r.end - r.start
    start = max(before, r.start + delta)
    if after is not None:
        start = min(start, after - length)
    start = max(start, before)
    if start == r.start:
        return []
    return [change(r, evolve(r, start=start, end=start + length))]


def resize_region(project: Project, region_id: int, start: int, end: int) -> list[Change]:
    """Give a region new edges, kept between its neighbours and at least ``MIN_LENGTH``."""
    r = project.get(SpeechRegion, region_id)
    before, after = _neighbours(project, r)
    start = max(before, start)
    if after is not None:
        end = min(after, end)
    if end - start < MIN_LENGTH:  # keep the edge that did not move
        if start != r.start:
            start = end - MIN_LENGTH
        else:
            end = start + MIN_LENGTH
    if (start, end) == (r.start, r.end) or start < before or (after is not None and end > after):
        return []
    return [change(r, evolve(r, start=start, end=end))]


def delete_regions(project: Project, ids: Iterable[int]) -> list[Change]:
    return [delete(project.speech_regions[i]) for i in ids if i in project.speech_regions]


def replace_all(project: Project, spans: Iterable[tuple[int, int]]) -> list[Change]:
    """Every region replaced by ``spans`` (a detection): sorted, overlaps joined."""
    changes: list[Change] = [delete(r) for r in regions(project)]
    merged: list[list[int]] = []
    for a, b in sorted((min(a, b), max(a, b)) for a, b in spans):
        a = max(0, a)
        if b - a <= 0:
            continue
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    changes += [insert(SpeechRegion(project.new_id(SpeechRegion), a, max(b, a + 1)))
                for a, b in merged]
    return changes


def follow_film(project: Project, delta: int) -> list[Change]:
    """Every region moved by ``delta`` flicks with the film (its offset changed): they are
    where people speak in the film, not places in the project. What would fall before the
    project's start is cut there, and a region left shorter than ``MIN_LENGTH`` goes."""
    changes: list[Change] = []
    for r in regions(project):
        start, end = max(0, r.start + delta), r.end + delta
        if end - start < MIN_LENGTH:
            changes.append(delete(r))
        elif (start, end) != (r.start, r.end):
            changes.append(change(r, evolve(r, start=start, end=end)))
    return changes


def dialogue_hits(project: Project, rate: FrameRate | None = None) -> list[Change]:
    """A "dialogue" hit at the first frame of each line that has none there yet."""
    rate = rate or project.settings.rate
    have = {h.frame for h in project.hits.values() if h.kind is HitKind.DIALOGUE}
    changes: list[Change] = []
    for k, r in enumerate(regions(project), 1):
        frame = rate.flicks_to_frame(r.start)
        if frame in have:
            continue
        have.add(frame)
        changes.append(insert(Hit(project.new_id(Hit), frame, f"{LINE_NAME} {k}",
                                  HitKind.DIALOGUE)))
    return changes


# -- density ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LineDensity:
    region_id: int
    notes: int  # notes that sound at some time over the line
    most_at_once: int  # the most notes sounding together over it


def density(spans: Sequence[tuple[int, int, int]], starts: np.ndarray, ends: np.ndarray,
            ) -> list[LineDensity]:
    """How busy the music is under each line. ``spans``: (region id, start, end);
    ``starts``/``ends``: the notes' flicks (any order)."""
    if not len(spans):
        return []
    order = np.argsort(starts, kind="stable")
    s_sorted = np.asarray(starts)[order]
    e_sorted_all = np.sort(np.asarray(ends))
    out = []
    for rid, a, b in spans:
        # notes overlapping [a, b): started before b and ending after a
        n = int(np.searchsorted(s_sorted, b, "left")) - int(np.searchsorted(e_sorted_all, a,
                                                                             "right"))
        most = 0
        if n > 0:
            inside = (np.asarray(starts) < b) & (np.asarray(ends) > a)
            ss = np.maximum(np.asarray(starts)[inside], a)
            ee = np.asarray(ends)[inside]
            events = np.concatenate([ss, ee])
            steps = np.concatenate([np.ones(len(ss), np.int64), -np.ones(len(ee), np.int64)])
            k = np.lexsort((steps, events))  # an end before a start at the same time
            most = int(np.cumsum(steps[k]).max())
        out.append(LineDensity(rid, max(0, n), most))
    return out


def project_density(project: Project) -> list[LineDensity]:
    notes = project.notes.values()
    starts = np.fromiter((n.start for n in notes), np.int64, len(project.notes))
    ends = np.fromiter((n.end for n in notes), np.int64, len(project.notes))
    return density([(r.id, r.start, r.end) for r in regions(project)], starts, ends)


# -- through the document ----------------------------------------------------------------------
class SpeechEdits:
    """The speech lane's edits, each one undo step (a drag: ``begin`` ... ``finish``)."""

    def __init__(self, document: Document, say: Callable[[str], None] | None = None) -> None:
        self.document = document
        self.say = say or (lambda _text: None)

    @property
    def project(self) -> Project:
        return self.document.project

    def _run(self, label: str, changes: list[Change]) -> bool:
        if not changes:
            return False
        try:
            with self.document.transaction(label):
                self.document.execute_changes(changes, label)
        except PermissionError as e:
            self.say(str(e))
            return False
        return True

    def add(self, start: int, end: int) -> bool:
        return self._run("Add speech region", add_region(self.project, start, end))

    def move(self, region_id: int, delta: int) -> bool:
        return self._run("Move speech region", move_region(self.project, region_id, delta))

    def resize(self, region_id: int, start: int, end: int) -> bool:
        return self._run("Resize speech region",
                         resize_region(self.project, region_id, start, end))

    def delete(self, ids: Iterable[int]) -> bool:
        ids = list(ids)
        label = "Delete speech region" + ("s" if len(ids) > 1 else "")
        return self._run(label, delete_regions(self.project, ids))

    def replace_detection(self, spans: Iterable[tuple[int, int]]) -> bool:
        spans = list(spans)
        ok = self._run("Detect speech", replace_all(self.project, spans))
        if ok:
            self.say(f"{len(self.project.speech_regions)} speech regions found")
        return ok

    def clear(self) -> bool:
        return self._run("Clear speech regions", delete_regions(self.project,
                                                                list(self.project.speech_regions)))

    def add_dialogue_hits(self) -> int:
        changes = dialogue_hits(self.project)
        self._run("Add dialogue hits", changes)
        return len(changes)
