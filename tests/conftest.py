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
    """A JACK server (dummy backend, 48 kHz, 256-frame periods) for real MIDI ports."""
    if shutil.which("jackd") is None:
        pytest.skip("jackd is not installed (make setup installs it)")
    if _jack_running():
        yield
        return
    proc = subprocess.Popen(["jackd", "--no-realtime", "-d", "dummy", "-r", "48000", "-p", "256"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if _jack_running():
            break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("jackd did not start")
    yield
    proc.terminate()
    proc.wait(10)


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
