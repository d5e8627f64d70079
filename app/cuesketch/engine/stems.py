"""Stems for the music editor and the mixer: per cue, one Broadcast WAV per section (strings,
brass ...; ``model.sections``), the mix and the click if asked, the cue's MIDI file, and a
manifest, in one folder per cue:

    out/1M3/1M3_v4_STR.wav  1M3_v4_BRS.wav ... 1M3_v4_MIX.wav  1M3_v4_CLICK.wav  1M3_v4.mid
    out/manifest.csv  out/manifest.json

    plans = plan_stems(project, out, ["1M3"], StemOptions(handles=2.0, mix=True))
    report = export_stems(project, plans, options, progress=on_progress, cancel=event)

What a stem holds: the tracks of its section that the mix hears (mute and solo as in the mix),
through their own synth with FluidSynth's reverb and chorus, so the stems sum to the mix
sample for sample (wet stems; the manifest says so). Every file of a cue starts at the cue's
start minus the handles and ends at its end plus the handles: they are sample-aligned, and
the ``bext`` time reference of each places it at its timecode in a DAW.

A section with tracks but no notes in a cue is still written (silence, marked "silent" in the
manifest): every cue then delivers the same stems, which is what a mixer's template expects.
A section no heard track belongs to has no stem.

Each file is rendered in a process of its own with a synth of its own (FluidSynth is not
shared across threads), one process per core. A cue's files are written under hidden
temporary names and put in place together when the cue is complete: a cancel, an error or a
full disk leaves the cues already finished and nothing of the one in progress.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import multiprocessing
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from cuesketch.engine.click import Click
from cuesketch.engine.render import SAMPLE_FORMATS, RenderError, _write_blocks, cue_range, \
    find_cue, render_blocks
from cuesketch.engine.stem_files import (FX_POLICY, ManifestRow, StemFileError, ixml_text,
                                         loudness_lufs, peak_dbfs, write_cue_midi,
                                         write_manifest)
from cuesketch.files import commit_file, os_words, remove_quietly
from cuesketch.formats.bwf import BwfError, BwfWriter, set_loudness, stamped, time_reference
from cuesketch.model import sections
from cuesketch.model.entities import ControlPoint, Controller, Cue
from cuesketch.model.project import Project
from cuesketch.timing.timecode import format_position
from cuesketch.timing.units import FLICKS_PER_SECOND, flicks_to_samples, seconds_to_flicks

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


def heard_tracks(project: Project) -> list[int]:
    tracks = project.sorted_tracks()
    soloed = any(t.solo for t in tracks)
    return [t.id for t in tracks if not t.mute and (t.solo or not soloed)]


def stem_groups(project: Project) -> list[tuple[str, list[int]]]:
    """The sections the heard tracks fall in, in score order, with their tracks."""
    groups: dict[str, list[int]] = {}
    for tid in heard_tracks(project):
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
            wanted.append(("MIX", "Mix", tuple(heard_tracks(project)), False))
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


# -- one file, in a worker -----------------------------------------------------------------------

_state: dict[str, Any] = {}
_LONG_AGO = -(10 ** 15)  # flicks (about 16 days before the start): chased at any start


def _init_worker(project: Project, soundfont: str, cancel: Any, reports: Any) -> None:
    _state.update(project=project, soundfont=soundfont, cancel=cancel, reports=reports)


def stem_project(project: Project, heard: Iterable[int]) -> Project:
    """The project with only ``heard`` tracks sounding.

    The other tracks the mix hears still play, at volume 0 and expression 0 (attenuated past
    what a 24-bit or float file holds): FluidSynth reuses a finished voice's slot for the next
    note, and a voice started in a slot another note used sounds a hair different (about
    -80 dBFS on a note's attack); playing every note in every stem keeps the slots as in the
    mix, so the stems sum to the mix. The tracks the mix doesn't hear stay muted."""
    keep = set(heard)
    mix = set(heard_tracks(project))
    silenced = mix - keep
    out = Project()
    entities: list[Any] = []
    for t in project.tracks.values():
        if t.id in silenced:
            entities.append(replace(t, volume=0.0, mute=False, solo=False))
        else:
            entities.append(replace(t, mute=t.id not in keep, solo=False))
    entities += [p for p in project.controls.values()
                 if p.track_id not in silenced or p.controller is not Controller.EXPRESSION]
    next_id = max(project.controls, default=0) + 1
    for i, tid in enumerate(sorted(silenced)):
        entities.append(ControlPoint(next_id + i, tid, _LONG_AGO, Controller.EXPRESSION, 0))
    for table in (project.notes, project.hits, project.cues):
        entities.extend(table.values())
    out.load(project.settings, entities)
    return out


def render_job(job: StemJob) -> JobResult:
    """Render one file to its temporary name (removed on failure or cancel)."""
    from cuesketch.engine.playback import Playback
    from cuesketch.engine.synth import SynthEngine

    project: Project = _state["project"]
    cancel = _state["cancel"]
    reports = _state["reports"]
    synth = SynthEngine(_state["soundfont"], sample_rate=job.sample_rate)
    try:
        playback = Playback(synth, stem_project(project, job.tracks),
                            click=job.click or Click())
        if job.click_tempo is not None:
            playback.click_tempo = job.click_tempo
        total = flicks_to_samples(job.end, job.sample_rate) - \
            flicks_to_samples(job.start, job.sample_rate)
        last = [time.monotonic()]

        def blocks() -> Iterable[Any]:
            done = 0
            for block in render_blocks(playback, job.start, job.end):
                if cancel.is_set():
                    raise Cancelled("cancelled")
                yield block
                done += len(block)
                if time.monotonic() - last[0] > 0.2:
                    last[0] = time.monotonic()
                    reports.put((job.index, done / max(1, total)))

        bext = stamped(job.description, job.time_reference)
        bext = replace(bext, originator_reference=f"{job.cue}_{job.version}_{job.stem}"[:32])
        try:
            with BwfWriter(job.tmp, job.sample_rate, 2, SAMPLE_FORMATS[job.bits], bext,
                           ixml=job.ixml) as w:
                frames, peak, clipped = _write_blocks(w, iter(blocks()), job.bits)
        except BaseException:
            remove_quietly(job.tmp)
            raise
    finally:
        synth.close()
    loudness = loudness_lufs(job.tmp) if peak >= SILENT else None
    if loudness is not None:
        set_loudness(job.tmp, loudness)  # the bext's LoudnessValue (EBU Tech 3285 v2)
    reports.put((job.index, 1.0))
    return JobResult(job.index, frames, peak, clipped, loudness)


# -- running ---------------------------------------------------------------------------------------

Progress = Callable[[str, float], None]  # (cue, 0..1)


def check_folder(out: Path) -> None:
    """The export folder exists (or can be made) and takes files, or StemError says why."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise StemError(f"{out} is a file, not a folder") from None
    except OSError as e:
        raise StemError(f"can't make the folder {out}: {os_words(e)}") from None
    probe = out / f".cuesketch-write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
    except OSError as e:
        raise StemError(f"can't write in the folder {out}: {os_words(e)}") from None
    finally:
        remove_quietly(probe)


def export_stems(project: Project, out: Path, plans: list[CuePlan], options: StemOptions,
                 progress: Progress | None = None,
                 cancel: CancelFlag | None = None) -> StemReport:
    """Render every file of ``plans``; each cue is put in place whole when its files are done,
    then its MIDI file; the manifest lists what was written. Cancelled (a StemError) if
    ``cancel`` is set; on an error the finished cues stay and the message says which."""
    options.check()
    check_folder(out)
    began = time.monotonic()
    for plan in plans:
        try:
            plan.folder.mkdir(exist_ok=True)
        except OSError as e:
            raise StemError(f"can't make the folder {plan.folder}: {os_words(e)}") from None
    jobs = [j for p in plans for j in p.jobs]
    workers = options.jobs or (os.cpu_count() or 1)
    workers = max(1, min(workers, len(jobs)))
    executor: cf.Executor
    if workers == 1:
        flag: Any = threading.Event()
        reports: Any = queue.Queue()
        executor = cf.ThreadPoolExecutor(1, initializer=_init_worker,
                                         initargs=(project, options.soundfont, flag, reports))
    else:
        ctx = multiprocessing.get_context("spawn")  # no fork of a process with threads
        flag = ctx.Event()
        reports = ctx.Queue()
        executor = cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                          initargs=(project, options.soundfont, flag, reports))
    report = StemReport(out, [], [])
    done_frac: dict[int, float] = {}
    results: dict[int, JobResult] = {}
    committed: set[int] = set()
    failure: StemError | None = None
    try:
        futures = {executor.submit(render_job, j): j for j in jobs}
        pending = set(futures)
        while pending:
            finished, pending = cf.wait(pending, timeout=0.1,
                                        return_when=cf.FIRST_COMPLETED)
            _drain(reports, done_frac)
            if cancel is not None and cancel.is_set() and not flag.is_set():
                flag.set()
            for fut in finished:
                job = futures[fut]
                try:
                    results[job.index] = fut.result()
                except Cancelled:
                    failure = failure or Cancelled("cancelled")
                except (BwfError, OSError) as e:
                    failure = failure or StemError(_write_failed(job, e))
                    flag.set()
                except (RenderError, ValueError, ImportError) as e:
                    failure = failure or StemError(f"{job.path.name}: {e}")
                    flag.set()
                except (cf.process.BrokenProcessPool, RuntimeError) as e:
                    failure = failure or StemError(
                        f"the render processes stopped or could not start ({e}); try "
                        "again with one process (--jobs 1)")
                    flag.set()
            if failure is None:
                for i, plan in enumerate(plans):
                    if i not in committed and all(j.index in results for j in plan.jobs):
                        try:
                            _commit(project, plan, results, report)
                        except StemError as e:
                            failure = e
                            flag.set()
                            break
                        committed.add(i)
            if progress is not None:
                for plan in plans:
                    parts = [1.0 if j.index in results else done_frac.get(j.index, 0.0)
                             for j in plan.jobs]
                    progress(plan.cue.name, sum(parts) / len(parts))
        if failure is None and cancel is not None and cancel.is_set():
            failure = Cancelled("cancelled")
    except BaseException:
        flag.set()
        raise
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        for i, plan in enumerate(plans):
            if i not in committed:
                remove_quietly(*(j.tmp for j in plan.jobs))
                _remove_empty(plan.folder)
    if report.rows:
        write_manifest(out, report.rows, _header(project, options))
    report.seconds = time.monotonic() - began
    if failure is not None:
        kept = (f"; the cues finished are kept ({', '.join(report.cues)})" if report.cues
                else "; nothing was written")
        lost = [p.cue.name for i, p in enumerate(plans) if i not in committed]
        if isinstance(failure, Cancelled):
            raise Cancelled(f"stems cancelled: {', '.join(lost)} not written{kept}")
        raise StemError(f"{failure}; {', '.join(lost)} not written{kept}")
    return report


def _drain(reports: Any, done: dict[int, float]) -> None:
    while True:
        try:
            index, frac = reports.get_nowait()
        except (queue.Empty, EOFError, OSError):
            return
        done[index] = frac


def _write_failed(job: StemJob, e: BaseException) -> str:
    words = os_words(e) if isinstance(e, OSError) else str(e)
    return f"can't write {job.path.name} in {job.path.parent}: {words}"


def _remove_empty(folder: Path) -> None:
    try:
        folder.rmdir()  # only if nothing is in it
    except OSError:
        pass


def _commit(project: Project, plan: CuePlan, results: dict[int, JobResult],
            report: StemReport) -> None:
    """Put a finished cue's files in place (each rename atomic) and its MIDI file."""
    rows = []
    for job in plan.jobs:
        r = results[job.index]
        try:
            commit_file(job.tmp, job.path)
        except OSError as e:
            raise StemError(_write_failed(job, e)) from None
        if r.clipped:
            report.clipped[str(job.path.relative_to(report.folder))] = r.clipped
        s = project.settings
        length_tc = format_position(seconds_to_flicks(r.frames / job.sample_rate), s.rate)
        note = "silent: its section plays nothing in this cue" if r.peak < SILENT and \
            job.stem != "CLICK" else ""
        if r.clipped:
            note = f"{r.clipped} samples clipped"
        rows.append(ManifestRow(str(job.path.relative_to(report.folder)), job.cue, job.version,
                                job.stem, job.start_tc, length_tc, r.frames, job.sample_rate,
                                job.bits, peak_dbfs(r.peak),
                                None if r.loudness is None else round(r.loudness, 2),
                                job.time_reference, note))
    if plan.midi is not None:
        try:
            write_cue_midi(project, plan.cue, plan.midi)
        except StemFileError as e:
            raise StemError(f"{plan.midi.name}: {e}") from None
        rows.append(ManifestRow(str(plan.midi.relative_to(report.folder)), plan.cue.name,
                                plan.version, "MIDI",
                                format_position(cue_range(project, plan.cue)[0],
                                                project.settings.rate,
                                                project.settings.start_frame),
                                "", 0, 0, 0, None, None, 0,
                                "the cue's notes, its tempo map, an SMPTE offset at its start"))
    report.rows.extend(rows)
    report.cues.append(plan.cue.name)


def _header(project: Project, options: StemOptions) -> dict[str, object]:
    s = project.settings
    return {"project": s.title, "timecode_rate": s.rate.name, "drop_frame": s.rate.drop,
            "handles_seconds": options.handles, "sample_rate": options.sample_rate,
            "bits": options.bits, "sample_format": "float" if options.bits == 32 else "pcm",
            "effects": FX_POLICY,
            "silent_stems": "written (a section with no notes in a cue is silence, noted)",
            "not_heard": [t.name for t in project.sorted_tracks()
                          if t.id not in set(heard_tracks(project))],  # muted, or not soloed
            "made_by": "Cuesketch"}


__all__ = ["StemOptions", "StemError", "Cancelled", "plan_stems", "export_stems",
           "cue_version", "stem_groups", "StemReport", "CuePlan", "StemJob", "render_job",
           "stem_project", "check_folder", "SAMPLE_RATES"]
