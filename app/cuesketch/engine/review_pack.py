"""Making a review package from a project: which versions, their audio, what goes with them.

    plan = plan_package(pf, project, cues=["1M3", "1M5"], versions=["v3", "v4"])
    info, audio = render_package(plan, project, made_for="R. Smith", film=identity)
    write_package(out, info, audio, movie)

A **version** is one of the project's named snapshots (``store.snapshots``) or the project as it
is now (``current``). A snapshot is found for a cue by its name: ``1M3 v3`` (the cue's own, as
``model.spotting_numbers.snapshot_name`` names them, note after a dash allowed) first, else a
snapshot named just ``v3``. Each version's cue is rendered by the realtime path
(``engine.render.render_blocks``) from the cue's start to its end plus a ring-out, and encoded
(``review_audio.encode_opus``); what goes with it: its notes, tracks and tempo map, the cue's
spotting fields and hits from the project as it is now, and earlier review notes with their
replies (the composer's answers travel with the next package).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from cuesketch.engine.playback import Playback
from cuesketch.engine.render import cue_range, render_blocks
from cuesketch.engine.review_audio import RATE, encode_opus
from cuesketch.engine.synth import SynthEngine
from cuesketch.model.entities import Cue
from cuesketch.model.project import Project
from cuesketch.model.review import (FilmIdentity, PackageCue, PackageInfo, PackageVersion,
                                    PackedNote, PackedTrack, Reply, Thread, new_uuid,
                                    now_text)
from cuesketch.store.project_file import ProjectFile
from cuesketch.store.review_package import VersionSize, check_limits
from cuesketch.store.review_schema import ReviewFileError
from cuesketch.store.snapshots import SnapshotInfo, list_snapshots, open_snapshot
from cuesketch.timing.units import flicks_to_samples, seconds_to_flicks

CURRENT = "current"
TAIL_S = 2.0  # ring-out rendered after a cue's end


class PackError(RuntimeError):
    """A package that can't be made (no such cue or version), in plain words."""


@dataclass(frozen=True)
class PlannedVersion:
    cue: str
    name: str  # as the director sees it: "v3", "current"
    created: str
    project: Project


@dataclass(frozen=True)
class PackPlan:
    cues: tuple[Cue, ...]  # from the project as it is now, in timeline order
    versions: tuple[PlannedVersion, ...]
    skipped: tuple[str, ...] = ()  # "v3 has no cue 1M5": said, not fatal


def find_cues(project: Project, names: Sequence[str]) -> list[Cue]:
    by_name = {c.name.lower(): c for c in project.cues.values()}
    if not names:
        return sorted(project.cues.values(), key=lambda c: c.start_frame)
    out = []
    for name in names:
        cue = by_name.get(name.strip().lower())
        if cue is None:
            known = ", ".join(sorted(c.name for c in project.cues.values())) or "none"
            raise PackError(f"the project has no cue '{name.strip()}' (its cues: {known})")
        out.append(cue)
    return sorted(out, key=lambda c: c.start_frame)


def snapshot_for(cue: str, version: str, snapshots: Sequence[SnapshotInfo]) -> SnapshotInfo | None:
    """The snapshot that is ``version`` of ``cue``: the cue's own (``1M3 v3 – sent``), else a
    snapshot named ``v3``; the latest when several are."""
    want, key = version.strip().lower(), f"{cue.strip().lower()} {version.strip().lower()}"
    own = [s for s in snapshots if (low := s.name.strip().lower()) == key
           or (low.startswith(key) and not low[len(key)].isalnum())]
    plain = [s for s in snapshots if s.name.strip().lower() == want]
    found = own or plain
    return found[-1] if found else None


def plan_package(pf: ProjectFile | None, project: Project, cues: Sequence[str],
                 versions: Sequence[str]) -> PackPlan:
    chosen = find_cues(project, cues)
    if not chosen:
        raise PackError("the project has no cues to send")
    wanted = [v.strip() for v in versions if v.strip()] or [CURRENT]
    snapshots = list_snapshots(pf) if pf is not None else []
    opened: dict[int, Project] = {}
    planned: list[PlannedVersion] = []
    skipped: list[str] = []
    for cue in chosen:
        for name in wanted:
            if name.lower() in (CURRENT, "now"):
                planned.append(PlannedVersion(cue.name, CURRENT, now_text(), project))
                continue
            snap = snapshot_for(cue.name, name, snapshots)
            if snap is None or pf is None:
                skipped.append(f"{cue.name} has no version {name}")
                continue
            if snap.id not in opened:
                opened[snap.id] = open_snapshot(pf, snap.id)
            version_project = opened[snap.id]
            if not any(c.name.lower() == cue.name.lower() for c in version_project.cues.values()):
                skipped.append(f"{name} has no cue {cue.name}")
                continue
            planned.append(PlannedVersion(cue.name, name, snap.created, version_project))
    for cue in chosen:
        if not any(v.cue == cue.name for v in planned):
            known = ", ".join(s.name for s in snapshots) or "none"
            raise PackError(f"there is no version {', '.join(wanted)} of {cue.name} (the "
                            f"snapshots: {known}; 'current' is the project as it is now)")
    return PackPlan(tuple(chosen), tuple(planned), tuple(skipped))


def check_plan(plan: PackPlan, project: Project, *, made_for: str = "", made_by: str = "",
               movie_bytes: int = 0) -> None:
    """Refuse, before the slow render, a package the director's reader would refuse: its
    sound estimated from the cue lengths (``store.review_package.check_limits`` says what to
    drop; ``write_package`` checks again what was made)."""
    sizes = []
    for planned in plan.versions:
        p = planned.project
        cue = next(c for c in p.cues.values() if c.name.lower() == planned.cue.lower())
        first, last = cue_range(p, cue)
        notes = sum(1 for n in p.notes.values() if n.end > first and n.start < last)
        sizes.append(VersionSize(planned.cue, planned.name,
                                 flicks_to_samples(last + seconds_to_flicks(TAIL_S) - first, RATE),
                                 notes, len(p.tracks)))
    hits = [(c.name, sum(1 for h in project.hits.values()
                         if c.start_frame <= h.frame < c.end_frame)) for c in plan.cues]
    try:
        check_limits(hits, sizes, title=project.settings.title, made_for=made_for,
                     made_by=made_by, movie_bytes=movie_bytes)
    except ReviewFileError as e:
        raise PackError(str(e)) from None


Progress = Callable[[str], None]
SynthFactory = Callable[[Project], SynthEngine]


def default_synth(project: Project) -> SynthEngine:
    return SynthEngine(project.settings.soundfont or "default", sample_rate=RATE)


def render_package(plan: PackPlan, project: Project, *, made_for: str, made_by: str = "",
                   film: FilmIdentity | None = None, synth: SynthFactory = default_synth,
                   progress: Progress | None = None, package_id: str | None = None,
                   movie_start_frame: int | None = None
                   ) -> tuple[PackageInfo, dict[int, bytes]]:
    """Render and encode every planned version; the package's contents and its audio."""
    audio: dict[int, bytes] = {}
    cues: list[PackageCue] = []
    next_id = 1
    for cue in plan.cues:
        versions = []
        for planned in (v for v in plan.versions if v.cue == cue.name):
            if progress is not None:
                progress(f"{cue.name} {planned.name}")
            version_cue = next(c for c in planned.project.cues.values()
                               if c.name.lower() == cue.name.lower())
            start, data = render_version(planned.project, version_cue, synth)
            audio[next_id] = encode_opus(data)
            versions.append(_version(next_id, planned, version_cue, start, len(data),
                                     len(audio[next_id])))
            next_id += 1
        hits = tuple(sorted((h for h in project.hits.values()
                             if cue.start_frame <= h.frame < cue.end_frame),
                            key=lambda h: h.frame))
        cues.append(PackageCue(cue, hits, tuple(versions)))
    s = project.settings
    info = PackageInfo(package_id or new_uuid(), s.title, made_for, made_by, now_text(), s.rate,
                       s.start_frame, film, tuple(cues), threads_of(project, plan.cues),
                       movie_start_frame)
    return info, audio


def render_version(project: Project, cue: Cue, synth: SynthFactory) -> tuple[int, np.ndarray]:
    """The cue as the composer hears it: float stereo at 48 kHz from the cue's start to its
    end plus the ring-out; and where it starts (flicks)."""
    engine = synth(project)
    try:
        playback = Playback(engine, project)
        if cue.tempo is not None:
            playback.click_tempo = cue.tempo
        start, end = cue_range(project, cue)
        blocks = [b.copy() for b in render_blocks(playback, start, end + seconds_to_flicks(TAIL_S))]
    finally:
        engine.close()
    data = np.concatenate(blocks) if blocks else np.zeros((1, 2), dtype=np.float32)
    return start, data


def _version(vid: int, planned: PlannedVersion, cue: Cue, start: int, frames: int,
             size: int) -> PackageVersion:
    p = planned.project
    tracks = p.sorted_tracks()
    index = {t.id: i for i, t in enumerate(tracks)}
    first, last = cue_range(p, cue)
    notes = tuple(PackedNote(index[n.track_id], n.start, n.duration, n.pitch, n.velocity)
                  for n in sorted(p.notes.values(), key=lambda n: (n.start, n.pitch))
                  if n.track_id in index and n.end > first and n.start < last)
    return PackageVersion(vid, cue.id, planned.name, planned.created,
                          cue.tempo or p.settings.tempo,
                          tuple(PackedTrack(t.name, t.color) for t in tracks), notes, "opus",
                          RATE, start, frames, size)


def threads_of(project: Project, cues: Sequence[Cue]) -> tuple[Thread, ...]:
    """Earlier review notes on these cues (by name, or at a frame of one: its end is the
    next cue's, as everywhere), with the composer's replies and whether resolved."""
    names = {c.name.lower() for c in cues}
    ranges = [(c.start_frame, c.end_frame) for c in cues]
    out = []
    for n in sorted(project.review_notes.values(), key=lambda n: (n.frame, n.created)):
        if n.cue.lower() in names or any(a <= n.frame < b for a, b in ranges):
            out.append(Thread(n.uuid, n.cue, n.version, n.author, n.created, n.text, n.frame,
                              n.end_frame, n.resolved, tuple(Reply(*r) for r in n.replies)))
    return tuple(out)


