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
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from cuesketch.engine.click import Click
from cuesketch.engine.render import SAMPLE_FORMATS, RenderError, write_blocks, cue_range, \
    render_blocks
from cuesketch.engine.stem_plan import (SAMPLE_RATES, SILENT, Cancelled, CancelFlag, CuePlan,
                                        JobResult, StemError, StemJob, StemOptions, StemReport,
                                        cue_version, plan_stems, stem_groups)
from cuesketch.engine.stem_files import (FX_POLICY, ManifestRow, StemFileError,
                                         loudness_lufs, peak_dbfs, write_cue_midi,
                                         write_manifest)
from cuesketch.files import commit_file, os_words, remove_quietly
from cuesketch.formats.bwf import BwfError, BwfWriter, set_loudness, stamped
from cuesketch.model.entities import ControlPoint, Controller
from cuesketch.model.project import Project
from cuesketch.timing.timecode import format_position
from cuesketch.timing.units import flicks_to_samples, seconds_to_flicks


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
    mix = set(project.heard_tracks())
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
                frames, peak, clipped = write_blocks(w, iter(blocks()), job.bits)
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
    heard = set(project.heard_tracks())
    return {"project": s.title, "timecode_rate": s.rate.name, "drop_frame": s.rate.drop,
            "handles_seconds": options.handles, "sample_rate": options.sample_rate,
            "bits": options.bits, "sample_format": "float" if options.bits == 32 else "pcm",
            "effects": FX_POLICY,
            "silent_stems": "written (a section with no notes in a cue is silence, noted)",
            "not_heard": [t.name for t in project.sorted_tracks()
                          if t.id not in heard],  # muted, or not soloed
            "made_by": "Cuesketch"}


__all__ = ["StemOptions", "StemError", "Cancelled", "plan_stems", "export_stems",
           "cue_version", "stem_groups", "StemReport", "CuePlan", "StemJob", "render_job",
           "stem_project", "check_folder", "SAMPLE_RATES", "JobResult", "CancelFlag"]
