"""Crash figure.

- ``kill_trials_ok_ratio``: 100 trials of tests/crash_trial.py on a JACK server of the
  benchmark's own: the app records through a real JACK MIDI port and is SIGKILLed 0.7-3 s into
  the take; a trial is ok when the project then opens writable, nothing raises, and every note
  played more than 0.5 s before the kill is recovered where it was played (and none invented).
  Target 1.0. The dict gives the notes checked, the failures in short, and how many app starts
  JACK refused before a take began (retried; not counted against the app). A failed trial's
  directory is kept (``kept``), with its ``failure.json`` and the journal as the kill left it.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "app"))
sys.path.insert(0, str(ROOT / "tests"))

from crash_trial import run_trial  # noqa: E402
from jack_server import jack_server  # noqa: E402

TRIALS = 100


def figure_kill_trials_ok_ratio() -> dict[str, Any]:
    ok = checked = retries = 0
    failures: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="cuesketch-crash-"))
    with jack_server("cuesketch-bench"):
        for seed in range(TRIALS):
            workdir = tmp / f"trial{seed}"
            result = run_trial(workdir, seed)
            ok += result.ok
            checked += result.due
            retries += result.start_retries
            if result.ok:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                failures.append(f"trial {seed}: {result.failure}")
    figure: dict[str, Any] = {"value": ok / TRIALS, "trials": TRIALS, "notes_checked": checked,
                              "failures": failures, "start_retries": retries}
    if failures:
        figure["kept"] = str(tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return figure
