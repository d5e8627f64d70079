"""The piano roll's index of the project: notes and controller points per track, sorted by time
in numpy columns, kept up to date change by change. No Qt.

A repaint asks "which notes of track T lie in this window of time and pitch" many times a
second over 100,000 notes; a bisection on the sorted starts (back by the track's longest note)
answers it without touching a Python object per note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.entities import ControlPoint, Controller, Cue, Hit, Note
from cuesketch.model.project import Project

I64 = npt.NDArray[np.int64]
_EMPTY = np.zeros(0, np.int64)


class Columns:
    """Rows sorted by ``key``, one int64 array per column, with an ``id`` column."""

    def __init__(self, names: Sequence[str], key: str) -> None:
        self.names = tuple(names)
        self.key = key
        self.cols: dict[str, I64] = {n: _EMPTY for n in self.names}

    def __len__(self) -> int:
        return len(self.cols["id"])

    def __getitem__(self, name: str) -> I64:
        return self.cols[name]

    def replace_rows(self, removed_ids: Iterable[int], added: Sequence[tuple[int, ...]]) -> None:
        """Remove rows by id, then insert rows (tuples in ``names`` order) at their places."""
        removed = np.fromiter(removed_ids, np.int64)
        if len(removed) and len(self):
            keep = ~np.isin(self.cols["id"], removed)
            if not keep.all():
                self.cols = {n: c[keep] for n, c in self.cols.items()}
        if added:
            new = np.array(added, np.int64).reshape(len(added), len(self.names))
            k = self.names.index(self.key)
            new = new[np.argsort(new[:, k], kind="stable")]
            at = np.searchsorted(self.cols[self.key], new[:, k], side="right")
            self.cols = {n: np.insert(self.cols[n], at, new[:, i]) for i, n in enumerate(self.names)}


class TrackNotes(Columns):
    NAMES = ("start", "end", "pitch", "velocity", "id")

    def __init__(self) -> None:
        super().__init__(self.NAMES, "start")
        self.longest = 0

    def replace_rows(self, removed_ids: Iterable[int], added: Sequence[tuple[int, ...]]) -> None:
        super().replace_rows(removed_ids, added)
        self.longest = int((self["end"] - self["start"]).max()) if len(self) else 0

    def window(self, t0: int, t1: int, low: int = 0, high: int = 127) -> I64:
        """Row indices of the notes sounding in [t0, t1) with pitch in [low, high]."""
        starts = self["start"]
        lo = int(np.searchsorted(starts, t0 - self.longest, side="left"))
        hi = int(np.searchsorted(starts, t1, side="left"))
        if hi <= lo:
            return _EMPTY
        sl = slice(lo, hi)
        mask = self["end"][sl] > t0
        if low > 0 or high < 127:
            p = self["pitch"][sl]
            mask &= (p >= low) & (p <= high)
        return np.flatnonzero(mask) + lo


def note_row(n: Note) -> tuple[int, ...]:
    return (n.start, n.end, n.pitch, n.velocity, n.id)


def control_row(p: ControlPoint) -> tuple[int, ...]:
    return (p.time, p.value, p.id)


@dataclass
class Marks:
    """Hits and cues, small enough to rebuild on any change to them."""

    hit_frames: I64
    hits: list[Hit]  # sorted by frame, aligned with hit_frames
    cues: list[Cue]  # sorted by start


class RollIndex:
    """Everything the roll draws, indexed; ``apply(changes)`` keeps it current."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.notes: dict[int, TrackNotes] = {}
        self.controls: dict[tuple[int, Controller], Columns] = {}
        self.marks = Marks(_EMPTY, [], [])
        self.rebuild()

    # -- building --------------------------------------------------------------------------
    def rebuild(self) -> None:
        self.notes = {}
        by_track: dict[int, list[tuple[int, ...]]] = {}
        for n in self.project.notes.values():
            by_track.setdefault(n.track_id, []).append(note_row(n))
        for tid, rows in by_track.items():
            self.track(tid).replace_rows((), rows)
        self.controls = {}
        by_lane: dict[tuple[int, Controller], list[tuple[int, ...]]] = {}
        for p in self.project.controls.values():
            by_lane.setdefault((p.track_id, p.controller), []).append(control_row(p))
        for lane, rows in by_lane.items():
            self.lane(*lane).replace_rows((), rows)
        self._rebuild_marks()

    def _rebuild_marks(self) -> None:
        hits = sorted(self.project.hits.values(), key=lambda h: (h.frame, h.id))
        cues = sorted(self.project.cues.values(), key=lambda c: (c.start_frame, c.id))
        self.marks = Marks(np.array([h.frame for h in hits], np.int64), hits, cues)

    def track(self, track_id: int) -> TrackNotes:
        t = self.notes.get(track_id)
        if t is None:
            t = self.notes[track_id] = TrackNotes()
        return t

    def lane(self, track_id: int, controller: Controller) -> Columns:
        key = (track_id, controller)
        c = self.controls.get(key)
        if c is None:
            c = self.controls[key] = Columns(("time", "value", "id"), "time")
        return c

    def apply(self, changes: Sequence[Change]) -> set[int]:
        """Follow the project's changes; returns the ids of the tracks whose notes changed.

        A batch may pass one note through several states (a merged drag, an undo): only its
        last state counts. Every touched id is taken out of every touched track, then each
        note's last state is put back where it now belongs.
        """
        notes: dict[int, Note | None] = {}
        tracks: set[int] = set()
        points: dict[int, ControlPoint | None] = {}
        lanes: set[tuple[int, Controller]] = set()
        marks = False
        for c in changes:
            if not isinstance(c, EntityChange):
                continue
            if c.kind is Note:
                for n in (c.before, c.after):
                    if isinstance(n, Note):
                        tracks.add(n.track_id)
                notes[c.id] = c.after if isinstance(c.after, Note) else None
            elif c.kind is ControlPoint:
                for p in (c.before, c.after):
                    if isinstance(p, ControlPoint):
                        lanes.add((p.track_id, p.controller))
                points[c.id] = c.after if isinstance(c.after, ControlPoint) else None
            elif c.kind in (Hit, Cue):
                marks = True
        for tid in tracks:
            self.track(tid).replace_rows(
                notes, [note_row(n) for n in notes.values() if n is not None and n.track_id == tid])
        for lane in lanes:
            self.lane(*lane).replace_rows(points, [
                control_row(p) for p in points.values()
                if p is not None and (p.track_id, p.controller) == lane])
        if marks:
            self._rebuild_marks()
        return tracks

    # -- queries ---------------------------------------------------------------------------
    def note_at(self, track_id: int, t: int, pitch: int, slack: int = 0) -> int | None:
        """The note of a track under a point (the latest starting one), or None.

        ``slack`` (flicks) widens short notes so a note a pixel wide can still be grabbed."""
        tn = self.notes.get(track_id)
        if tn is None or not len(tn):
            return None
        rows = tn.window(t - slack, t + slack + 1, pitch, pitch)
        if not len(rows):
            return None
        starts, ends = tn["start"][rows], tn["end"][rows]
        inside = rows[(starts <= t) & (ends > t)]
        if len(inside):
            return int(tn["id"][inside[-1]])
        nearest = rows[np.argmin(np.minimum(np.abs(starts - t), np.abs(ends - t)))]
        return int(tn["id"][nearest])

    def notes_in(self, track_id: int, t0: int, t1: int, low: int, high: int) -> list[int]:
        tn = self.notes.get(track_id)
        if tn is None:
            return []
        return tn["id"][tn.window(t0, t1, low, high)].tolist()

    def track_ids(self, track_id: int) -> list[int]:
        tn = self.notes.get(track_id)
        return [] if tn is None else tn["id"].tolist()

    def notes_extent(self) -> tuple[int, int, int, int] | None:
        """(lowest pitch, highest pitch, first start, last end) of every note, or None."""
        tracks = [tn for tn in self.notes.values() if len(tn)]
        if not tracks:
            return None
        return (min(int(tn["pitch"].min()) for tn in tracks),
                max(int(tn["pitch"].max()) for tn in tracks),
                min(int(tn["start"][0]) for tn in tracks),
                max(int(tn["end"].max()) for tn in tracks))

    def extent(self) -> tuple[int, int]:
        """The span holding every note, cue and hit (flicks), or (0, 0)."""
        lo, hi = [], []
        for tn in self.notes.values():
            if len(tn):
                lo.append(int(tn["start"][0]))
                hi.append(int(tn["end"].max()))
        rate = self.project.settings.rate
        if len(self.marks.hit_frames):
            lo.append(rate.frame_to_flicks(int(self.marks.hit_frames[0])))
            hi.append(rate.frame_to_flicks(int(self.marks.hit_frames[-1])))
        for c in self.marks.cues:
            lo.append(rate.frame_to_flicks(c.start_frame))
            hi.append(rate.frame_to_flicks(c.end_frame))
        return (min(lo), max(hi)) if lo else (0, 0)
