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


@pytest.fixture(scope="session")
def jackd() -> Iterator[None]:
    """A JACK server of this test run's own (see tests/jack_server.py)."""
    from jack_server import JackUnavailable, jack_server
    try:
        with jack_server("cuesketch-test"):
            yield
    except JackUnavailable as e:
        pytest.skip(str(e))


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
