"""Shared test services: Qt offscreen by default, a JACK server with the dummy backend, Xvfb."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parent.parent
FILM = ROOT / "resources" / "trailer_bbb.mp4"


def _jack_running() -> bool:
    try:
        return subprocess.run(["jack_lsp"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.fixture(scope="session")
def jackd() -> Iterator[None]:
    """A JACK server of this test run's own (dummy backend, 48 kHz, 256-frame periods).

    Named after the process, and chosen through JACK_DEFAULT_SERVER for every client the
    tests make (rtmidi, FluidSynth, jack_connect), so two test runs never share a server.
    """
    if shutil.which("jackd") is None:
        pytest.skip("jackd is not installed (make setup installs it)")
    name = f"cuesketch-test-{os.getpid()}"
    previous = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name
    proc = subprocess.Popen(["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", "48000",
                             "-p", "256"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    for _ in range(150):
        if _jack_running():
            break
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    else:
        proc.kill()
    if not _jack_running():
        err = proc.stderr.read().decode(errors="replace")[-600:] if proc.stderr else ""
        proc.kill()
        pytest.fail(f"jackd did not start: {err}")
    yield
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    if previous is None:
        os.environ.pop("JACK_DEFAULT_SERVER", None)
    else:
        os.environ["JACK_DEFAULT_SERVER"] = previous


@pytest.fixture(scope="session")
def xvfb() -> Iterator[str]:
    """A virtual X screen; yields its DISPLAY."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (make setup installs it)")
    display = f":{200 + os.getpid() % 500}"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        if Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
            break
        time.sleep(0.1)
    yield display
    proc.terminate()
    proc.wait(10)
