"""Store figures: opening 100,000 notes, committing an edit, fuzzing the project reader."""

from __future__ import annotations

import faulthandler
import importlib.util
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType

from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile
from cuesketch.timing.units import FLICKS_PER_SECOND as S

FUZZ_INPUTS = 10_000
HANG_S = 2.0  # one input taking longer than this counts as a hang


def _samples() -> ModuleType:
    """tests/store/store_samples.py: the same seeds and mutations as the test suite."""
    path = Path(__file__).resolve().parent.parent / "store" / "store_samples.py"
    spec = importlib.util.spec_from_file_location("store_samples", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("store_samples", module)
    spec.loader.exec_module(module)
    return module


def _big_project(folder: Path, notes: int = 100_000) -> Path:
    rng = random.Random(1)
    tracks = [Track(i, f"Track {i}", program=rng.randrange(128), order=i) for i in range(1, 17)]
    project = Project()
    project.load(Settings(title="Feature, reel 1-6"), [*tracks, *(
        Note(i, 1 + i % 16, i * S // 20 + rng.randrange(S // 100), S // 8 + rng.randrange(S),
             rng.randrange(24, 100), rng.randrange(1, 128)) for i in range(1, notes + 1))])
    path = folder / "big.cuesketch"
    ProjectFile.write_new(path, project)
    return path


def figure_open_100k_notes_ms() -> float:
    """Open a project of 100,000 notes and load it into a Project: median of 7, in ms."""
    with tempfile.TemporaryDirectory() as d:
        path = _big_project(Path(d))
        times = []
        for _ in range(7):
            t0 = time.perf_counter()
            pf = ProjectFile.open(path)
            project = pf.load()
            times.append((time.perf_counter() - t0) * 1000)
            assert len(project.notes) == 100_000 and not pf.read_only
            pf.close()
        return round(statistics.median(times), 1)


def figure_edit_commit_ms_median() -> float:
    """A typical edit, moving 10 notes as one undo step, applied and committed (WAL, a sync
    per commit) in a project of 100,000 notes: median of 300, in ms."""
    with tempfile.TemporaryDirectory() as d:
        pf = ProjectFile.open(_big_project(Path(d)))
        doc = Document(pf.load(), pf)
        rng = random.Random(2)
        ids = list(doc.project.notes)
        times = []
        for _ in range(300):
            moved = [doc.project.notes[i] for i in rng.sample(ids, 10)]
            t0 = time.perf_counter()
            with doc.transaction("Move notes"):
                doc.execute_changes([changes.replace(n, replace(n, start=n.start + S // 10))
                                     for n in moved])
            times.append((time.perf_counter() - t0) * 1000)
        pf.close()
        return round(statistics.median(times), 3)


def figure_fuzz_failures() -> int:
    """Mutated project files (bits, runs, cuts, lost and swapped pages, header bytes) opened
    and loaded, snapshots included, writable and read-only in turn: every input must open
    (maybe read-only, damaged) or fail with a plain ProjectFileError; a damaged file must stay
    unchanged; none may take over 2 s. Returns how many did not."""
    samples = _samples()
    failures = 0
    outcomes: dict[str, int] = {}
    slowest = 0.0
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        seeds = [p.read_bytes() for p in samples.seed_files(folder / "seeds")]
        rng = random.Random(20260)
        for i in range(FUZZ_INPUTS):
            path = folder / "fuzzed.cuesketch"
            path.write_bytes(samples.mutate(seeds[i % len(seeds)], rng))
            faulthandler.dump_traceback_later(60, exit=True)  # a real hang ends the run
            t0 = time.perf_counter()
            try:
                outcome = samples.read_outcome(path, read_only=bool(i % 2))
            except Exception as e:
                outcome = f"failure: {type(e).__name__}"
                failures += 1
                print(f"input {i}: {type(e).__name__}: {e}", file=sys.stderr)
            elapsed = time.perf_counter() - t0
            faulthandler.cancel_dump_traceback_later()
            slowest = max(slowest, elapsed)
            if elapsed > HANG_S:
                failures += 1
                print(f"input {i}: took {elapsed:.1f} s", file=sys.stderr)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            for p in folder.glob("fuzzed.*"):
                p.unlink()
    print(f"fuzz: {FUZZ_INPUTS} inputs {outcomes}, slowest {slowest * 1000:.0f} ms",
          file=sys.stderr)
    return failures
