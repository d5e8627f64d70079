"""SIGKILL mid-take through a real MIDI port: on restart the project opens for writing and every
note played more than 0.5 s before the kill is there (tests/crash_trial.py; 100 trials in
tests/bench/bench_crash.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crash_trial import run_trial

pytestmark = [pytest.mark.jack, pytest.mark.slow]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_while_recording_loses_nothing_played_half_a_second_before(
        jackd: None, tmp_path: Path, seed: int) -> None:
    result = run_trial(tmp_path, seed)
    assert result.ok, result.failure
    assert result.due > 0 and result.recovered >= result.due  # the check checked something
