"""What a stem export renders: the options, and per cue the files (which tracks each one
hears, where it starts and ends, its time reference, names and text). See ``engine.stems``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from cuesketch.engine.click import Click
from cuesketch.engine.render import SAMPLE_FORMATS, RenderError, cue_range, find_cue
from cuesketch.engine.stem_files import ManifestRow, ixml_text
from cuesketch.formats.bwf import time_reference
from cuesketch.model import sections
from cuesketch.model.entities import Cue
from cuesketch.model.project import Project
from cuesketch.timing.timecode import format_position
from cuesketch.timing.units import FLICKS_PER_SECOND, seconds_to_flicks

SAMPLE_RATES = (44_100, 48_000, 96_000)
MAX_HANDLES = 60.0
SILENT = 1e-6  # a peak below -120 dBFS: FluidSynth's reverb idles at about -150 dBFS


class StemError(RuntimeError):
    """Stems that can't be made, said in plain words (which cue, which file, why)."""


class Cancelled(StemError):
    pass


class CancelFlag(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class StemOptions:
    handles: float = 2.0  # seconds before the cue's start and after its end
    click: bool = False  # a CLICK file (the cue's click, alone)
    mix: bool = False  # a MIX file (everything heard, rendered alone)
    bits: int = 24  # 16 or 24 (PCM), 32 (float)
    sample_rate: int = 48_000
    jobs: int = 0  # processes; 0: one per core
    version: str = ""  # e.g. "v5"; empty: from the cue's latest snapshot
    soundfont: str = "default"
    midi: bool = True  # the cue's Standard MIDI File

    def check(self) -> None:
        if not 0 <= self.handles <= MAX_HANDLES or self.handles != self.handles:
            raise StemError(f"handles are 0 to {MAX_HANDLES:g} seconds, not {self.handles}")
        if self.bits not in SAMPLE_FORMATS:
            raise StemError(f"stems are 16 or 24-bit, or 32-bit float, not {self.bits}-bit")
        if self.sample_rate not in SAMPLE_RATES:
            raise StemError(f"stems are made at 44100, 48000 or 96000 Hz, not "
                            f"{self.sample_rate}")
        if self.jobs < 0:
            raise StemError(f"--jobs takes a number of processes (0: one per core), not "
                            f"{self.jobs}")


@dataclass(frozen=True)
class StemJob:
    index: int
    cue: str
    version: str
    stem: str  # STR ..., MIX, CLICK
    label: str  # Strings ..., Mix, Click
    path: Path  # where it goes
    tmp: Path  # where it is written first
    tracks: tuple[int, ...]  # the tracks it hears
    click: Click | None
    click_tempo: Any  # the cue's own tempo map (TempoMap) or None
    start: int  # flicks
    end: int
    time_reference: int
    start_tc: str
    description: str
    ixml: str
    bits: int
    sample_rate: int


@dataclass
class CuePlan:
    cue: Cue
    version: str
    folder: Path
    jobs: list[StemJob]
    midi: Path | None
    notes: dict[str, str] = field(default_factory=dict)  # stem -> what to say of it


@dataclass(frozen=True)
class JobResult:
    index: int
    frames: int
    peak: float
    clipped: int
    loudness: float | None


@dataclass
class StemReport:
    folder: Path
    cues: list[str]  # the cues written, in order
    rows: list[ManifestRow]
    clipped: dict[str, int] = field(default_factory=dict)  # file -> samples clipped
    seconds: float = 0.0


# -- planning ------------------------------------------------------------------------------------

_VERSION = re.compile(r"\bv(?:ersion)?\s*(\d+)\b", re.IGNORECASE)


def cue_version(cue: str, snapshot_names: Iterable[str], label: str = "") -> str:
    """``label`` ("5" or "v5"), else the version in the name of the latest snapshot naming the
    cue ("1M3 v4, sent to the director" -> "v4"), else "v1"."""
    if label.strip():
        text = label.strip()
        return f"v{text}" if text.isdigit() else safe_name(text)
    word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(cue)}(?![A-Za-z0-9])", re.IGNORECASE)
    for name in reversed(list(snapshot_names)):
        if word.search(name):
            m = _VERSION.search(name)
            if m:
                return f"v{int(m.group(1))}"
    return "v1"


def safe_name(text: str) -> str:
    """A name fit for a file in every file system (the cue's, a version label)."""
    out = re.sub(r"[^A-Za-z0-9._-]+", "-", text.strip()).strip("-.")
    return out or "cue"


def stem_groups(project: Project) -> list[tuple[str, list[int]]]:
    """The sections the heard tracks fall in, in score order, with their tracks."""
    groups: dict[str, list[int]] = {}
    for tid in project.heard_tracks():
        groups.setdefault(sections.section_of(project.tracks[tid]), []).append(tid)
    return sorted(groups.items(), key=lambda kv: sections.order_key(kv[0]))


def plan_stems(project: Project, out: Path, cue_names: list[str] | None,
               options: StemOptions, snapshot_names: Iterable[str] = (),
               now: dt.datetime | None = None) -> list[CuePlan]:
    """What to render for these cues (None: every cue, in order of time)."""
    options.check()
    snapshot_names = list(snapshot_names)
    if cue_names is None:
        cues = sorted(project.cues.values(), key=lambda c: (c.start_frame, c.name))
        if not cues:
            raise StemError("the project has no cues; mark one first (Cue ▸ New Cue)")
    else:
        try:
            found = [find_cue(project, name) for name in cue_names]
        except RenderError as e:
            raise StemError(str(e)) from None
        cues = list({c.id: c for c in found}.values())  # a cue asked for twice: once
    names = [safe_name(c.name) for c in cues]
    if len(set(n.casefold() for n in names)) < len(names):
        raise StemError("two of these cues have the same name; rename one so each has a "
                        "folder of its own")
    groups = stem_groups(project)
    s = project.settings
    rate = options.sample_rate
    hand = seconds_to_flicks(options.handles)
    plans: list[CuePlan] = []
    index = 0
    now = now or dt.datetime.now()
    for cue, name in zip(cues, names):
        version = cue_version(cue.name, snapshot_names, options.version)
        folder = out / name
        cue_start, cue_end = cue_range(project, cue)
        start = cue_start - hand if cue_start - hand >= 0 or cue_start < 0 else 0
        end = cue_end + hand
        # The time reference is the sample since midnight nearest the exact instant (cue start
        # less handles). The project's own sample grid starts at the project start, which at
        # 29.97 or 59.94 is not on a whole sample since midnight: the file starts on the
        # project's sample nearest that instant, so its content sits within a sample of it.
        reference = time_reference(s.start_frame, s.rate, rate, start)
        per = FLICKS_PER_SECOND // rate  # a flick divides every sample rate here
        start = (start + per // 2) // per * per
        start_tc = format_position(start, s.rate, s.start_frame)
        wanted: list[tuple[str, str, tuple[int, ...], bool]] = [
            (sections.stem_code(key), sections.label(key), tuple(ids), False)
            for key, ids in groups]
        if options.mix:
            wanted.append(("MIX", "Mix", tuple(project.heard_tracks()), False))
        if options.click:
            wanted.append(("CLICK", "Click", (), True))
        if not wanted:
            raise StemError("no track is heard (all muted), and neither the mix nor the click "
                            "was asked for: there is nothing to write")
        jobs = []
        for code, label, ids, is_click in wanted:
            path = folder / f"{name}_{version}_{code}.wav"
            title = f"{s.title}: cue {cue.name} {version}, {label}"
            click = None
            if is_click:
                click = Click(enabled=True)
            jobs.append(StemJob(
                index, cue.name, version, code, label, path, folder / f".{path.name}.part",
                ids, click, cue.tempo, start, end, reference, start_tc, title,
                ixml_text(project=s.title, cue=cue.name, version=version, stem=code,
                          rate=s.rate, sample_rate=rate, bits=options.bits,
                          time_reference=reference, note=title),
                options.bits, rate))
            index += 1
        midi = folder / f"{name}_{version}.mid" if options.midi else None
        plans.append(CuePlan(cue, version, folder, jobs, midi))
    return plans
