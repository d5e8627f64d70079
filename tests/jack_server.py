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


class JackUnavailable(RuntimeError):
    pass


def jack_running() -> bool:
    try:
        return subprocess.run(["jack_lsp"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


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
    proc = subprocess.Popen(["jackd", "-n", name, "--no-realtime", "-d", "dummy", "-r", "48000",
                             "-p", str(period)], stdout=subprocess.DEVNULL, stderr=log)
    try:
        for _ in range(150):
            if jack_running() or proc.poll() is not None:
                break
            time.sleep(0.1)
        if not jack_running():
            proc.kill()
            log.seek(0)
            err = log.read().decode(errors="replace")[-600:]
            raise RuntimeError(f"jackd did not start: {err}")
        yield name
    finally:
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
