"""Figures of the whole app: launch to the first picture frame on screen.

- ``startup_to_first_frame_s``: warm, as on any start after the first: the demo project and
  its proxy are there already. Median of 5 launches.
- ``startup_to_first_frame_cold_s``: the very first start: fresh data, config and cache
  folders, so the demo is built and there is no proxy yet; the first frame comes from the film
  itself while the proxy is made in the background. Median of 3 launches, each from nothing,
  taken in turns with the warm ones.

Each launch is a fresh process under Xvfb, timed from its start until the app says the first
frame was painted (``CUESKETCH_QUIT_AFTER_FIRST_FRAME``, then it quits). Cuesketch runs as
installed, its Python compiled to bytecode beforehand (into a folder of the benchmark's own,
``PYTHONPYCACHEPREFIX``, not the checkout), even where the environment says not to write
bytecode: otherwise every launch would compile the window's modules again (about 0.3 s here).
"""

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
COLD_RUNS = 3
WARM_RUNS = 5
_results: dict[str, dict[str, object]] = {}


def _xvfb() -> tuple[subprocess.Popen[bytes], str]:
    display = f":{300 + os.getpid() % 400}"
    proc = subprocess.Popen(["Xvfb", display, "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        if Path(f"/tmp/.X11-unix/X{display[1:]}").exists():
            break
        time.sleep(0.05)
    return proc, display


def _env(home: Path, display: str) -> dict[str, str]:
    env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=str(home),
               XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"),
               XDG_CACHE_HOME=str(home / "cache"), CUESKETCH_QUIT_AFTER_FIRST_FRAME="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if _pycache:
        env["PYTHONPYCACHEPREFIX"] = _pycache[0]
    return env


_pycache: list[str] = []  # the bytecode folder of this run


def _compile(folder: Path) -> None:
    """Compile Cuesketch's modules to bytecode, as an installed Cuesketch is."""
    import cuesketch

    _pycache[:] = [str(folder)]
    env = dict(os.environ, PYTHONPYCACHEPREFIX=str(folder))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q",
                    str(Path(cuesketch.__file__).parent)], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def _launch(home: Path, display: str) -> float:
    """Seconds from starting `cuesketch` (on the demo) to its first painted frame."""
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "cuesketch"], env=_env(home, display),
                            text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
    return elapsed


def _make_demo_proxy(home: Path) -> Path:
    """The demo film's proxy in this home's cache, where the app looks for it."""
    from cuesketch import paths
    from cuesketch.media.proxy import make_proxy

    return make_proxy(paths.demo_film(), folder=home / "cache" / "cuesketch" / "proxies")


def _startup() -> dict[str, object]:
    if "startup" in _results:
        return _results["startup"]
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is needed (make setup installs it)")
    xvfb, display = _xvfb()
    homes: list[Path] = []

    def fresh() -> Path:
        homes.append(Path(tempfile.mkdtemp(prefix="cuesketch-bench-home-")))
        return homes[-1]

    try:
        _compile(fresh())
        home = fresh()
        _launch(home, display)  # the first start builds the demo ...
        _make_demo_proxy(home)  # ... and its proxy is made, as a first session would
        os.sync()  # its writing out is not timed as part of a launch
        cold: list[float] = []
        warm: list[float] = []
        for i in range(max(COLD_RUNS, WARM_RUNS)):  # in turns: the machine's load falls on both
            if i < COLD_RUNS:
                cold.append(_launch(fresh(), display))
            if i < WARM_RUNS:
                warm.append(_launch(home, display))
    finally:
        xvfb.terminate()
        xvfb.wait(5)
        for home in homes:
            shutil.rmtree(home, ignore_errors=True)
        _pycache.clear()
    result: dict[str, object] = {
        "cold": round(statistics.median(cold), 3), "cold_runs": [round(t, 3) for t in cold],
        "warm": round(statistics.median(warm), 3), "warm_runs": [round(t, 3) for t in warm],
        "load_1min": round(os.getloadavg()[0], 2), "cores": os.cpu_count(),
    }
    _results["startup"] = result
    return result


def figure_startup_to_first_frame_s() -> dict[str, object]:
    """Warm start (demo and proxy there) to the first painted frame; median of 5 launches."""
    r = _startup()
    return {"value": r["warm"], "cold": r["cold"], "runs": r["warm_runs"],
            "load_1min": r["load_1min"], "cores": r["cores"]}


def figure_startup_to_first_frame_cold_s() -> dict[str, object]:
    """First start ever (nothing in the data, config or cache folders: the demo is built, no
    proxy yet) to the first painted frame, from the film itself; median of 3."""
    r = _startup()
    return {"value": r["cold"], "warm": r["warm"], "runs": r["cold_runs"],
            "load_1min": r["load_1min"], "cores": r["cores"]}
