"""A JACK server of one test or benchmark run's own: dummy backend, 48 kHz, 256-frame periods.

Named after the process and chosen through JACK_DEFAULT_SERVER for every client the run
makes (rtmidi, FluidSynth, jack_connect, child processes), so two runs never share or stop
each other's server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class JackUnavailable(RuntimeError):
    pass


def jack_running() -> bool:
    try:
        return subprocess.run(["jack_lsp"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _other_jackd_running() -> bool:
    try:
        return subprocess.run(["pgrep", "-x", "jackd"], capture_output=True,
                              timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return True  # can't tell: assume one is, and touch nothing


def _clear_stale_jack_shm() -> bool:
    """Remove what killed JACK servers left in /dev/shm (their registry slots and semaphores;
    the registry has 8 server slots, and a full one refuses every new server). Only when no
    jackd runs at all, so nothing alive loses its segments. True if anything was removed."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or _other_jackd_running():
        return False
    stale = [p for p in shm.iterdir() if p.name.startswith("jack")]
    for p in stale:
        try:
            p.unlink()
        except OSError:
            pass
    return bool(stale)


def _start(name: str, period: int, log: IO[bytes]) -> subprocess.Popen[bytes] | None:
    proc = subprocess.Popen(["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", "48000",
                             "-p", str(period)], stdout=subprocess.DEVNULL, stderr=log)
    for _ in range(150):
        if jack_running() or proc.poll() is not None:
            break
        time.sleep(0.1)
    if jack_running():
        return proc
    proc.kill()
    proc.wait(10)
    return None


@contextmanager
def jack_server(prefix: str = "cuesketch-test", period: int = 256) -> Iterator[str]:
    """Start the server, yield its name; stop it and restore the environment after."""
    if shutil.which("jackd") is None:
        raise JackUnavailable("jackd is not installed (make setup installs it)")
    name = f"{prefix}-{os.getpid()}"
    previous = os.environ.get("JACK_DEFAULT_SERVER")
    os.environ["JACK_DEFAULT_SERVER"] = name
    # jackd's complaints go to a file, not a pipe: nobody reads a pipe while the server runs,
    # and jackd prints a line every period a client misses (a killed one does until it is
    # dropped); a full pipe blocks jackd in write(2), freezing it and every client.
    log = tempfile.TemporaryFile()
    proc = _start(name, period, log)
    if proc is None and _clear_stale_jack_shm():
        proc = _start(name, period, log)  # once more, with the leftovers of dead servers gone
    try:
        if proc is None:
            log.seek(0)
            err = log.read().decode(errors="replace")[-600:]
            raise RuntimeError(f"jackd did not start: {err}")
        yield name
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()
        if previous is None:
            os.environ.pop("JACK_DEFAULT_SERVER", None)
        else:
            os.environ["JACK_DEFAULT_SERVER"] = previous
