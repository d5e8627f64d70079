"""A keyboard in another process, playing into the app's MIDI inputs through a real JACK port.

``script`` is Python run with ``-c``: it opens a JACK MIDI output named ``out`` for the client
name it gets as its first argument, prints ``ready`` and then plays as it was written to.
"""

from __future__ import annotations

import subprocess
import sys

from cuesketch.engine.midi_input import MidiInputs


def start_keyboard(inputs: MidiInputs, script: str, client: str,
                   *args: str) -> subprocess.Popen[str]:
    """The keyboard process, ready, with ``inputs`` listening to it (started)."""
    proc = subprocess.Popen([sys.executable, "-c", script, client, *args],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    if proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise RuntimeError("the bench keyboard did not start")
    inputs.set_ports([f"{client}:out"])
    inputs.start()
    if not inputs.open_ports():
        proc.kill()
        raise RuntimeError(f"the bench keyboard was not found: {inputs.problem}")
    return proc
