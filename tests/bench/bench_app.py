"""Figures of the whole app: launch to the first picture frame on screen."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _xvfb() -> tuple[subprocess.Popen[bytes], str]:
    display = f":{300 + os.getpid() % 400}"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
            break
        time.sleep(0.05)
    return proc, display


def figure_startup_to_first_frame_s() -> dict[str, float]:
    """Launch `cuesketch` on the demo (a fresh process each time) until the first frame of the
    film is painted in the window; median of 5 launches, the first (cold caches) apart."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is needed (make setup installs it)")
    xvfb, display = _xvfb()
    home = Path(tempfile.mkdtemp(prefix="cuesketch-bench-home-"))
    times: list[float] = []
    try:
        for _ in range(6):
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=str(home),
                       XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
                       CUESKETCH_QUIT_AFTER_FIRST_FRAME="1")
            t0 = time.monotonic()
            proc = subprocess.Popen([sys.executable, "-m", "cuesketch"], env=env, text=True,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            assert proc.stdout is not None
            elapsed = None
            for line in proc.stdout:  # the app prints the marker when the frame is painted
                if line.startswith("first-frame"):
                    elapsed = time.monotonic() - t0
                    break
            try:
                _out, err = proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                _out, err = proc.communicate()
            if elapsed is None:
                raise RuntimeError(f"no first frame was shown: {err[-800:]}")
            times.append(elapsed)
    finally:
        xvfb.terminate()
        shutil.rmtree(home, ignore_errors=True)
    return {"value": round(statistics.median(times[1:]), 3), "cold": round(times[0], 3),
            "runs": len(times)}
