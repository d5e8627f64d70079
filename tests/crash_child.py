"""The app recording a take through a real MIDI port, waiting to be killed (tests/crash_trial.py).

    python tests/crash_child.py PROJECT SENDER_PORT RECORD_AT

Builds what the app builds (``open_document``, ``Services``, ``build_engine`` with JACK MIDI
and JACK audio), arms the first track, rolls from RECORD_AT (flicks) and starts a take as the
record key does (``RecordSession.toggle``). Then prints ``ready T_NS POSITION`` (a monotonic
time and the transport position at it, so the player can place what it sends) and, every
``CLOCK_EVERY_S``, ``at T_NS POSITION``: the transport follows the audio device's samples, and
a JACK server that stalls (it does, reaping a killed client) moves it off the monotonic clock;
the recording must follow the transport. Then it waits for its SIGKILL. Anything that goes
wrong before that is one ``error ...`` line and exit 1.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from cuesketch.app import Services, build_engine, open_document
from cuesketch.engine.midi_input import JACK
from cuesketch.engine.session import RecordSession
from cuesketch.engine.transport import Transport
from cuesketch.prefs import Preferences

PORT_TIMEOUT_S = 15.0
CLOCK_EVERY_S = 0.02


def main(argv: list[str]) -> int:
    path, port, record_at = Path(argv[1]), argv[2], int(argv[3])
    document, pf, reason = open_document(path)
    if reason:
        print(f"error the project did not open for writing: {reason}", flush=True)
        return 1
    services = Services(document, Transport(), pf, path)
    build_engine(services, Preferences(midi_backend=JACK, midi_inputs=[port],
                                       audio_driver="jack"))
    for problem in services.problems:
        print(f"crash_child: {problem}", file=sys.stderr, flush=True)
    midi = services.midi
    deadline = time.monotonic() + PORT_TIMEOUT_S
    while not any(port in name for name in midi.open_ports()):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            print(f"error the keyboard {port} was not opened: {services.problems}", flush=True)
            return 1
        time.sleep(0.01)
    session = RecordSession(document, services.recorder, services.monitor,  # type: ignore[arg-type]
                            services.playback)  # type: ignore[arg-type]
    session.arm(document.project.sorted_tracks()[0].id)
    services.transport.seek(record_at)
    message = session.toggle()
    if not services.recorder.active:  # type: ignore[attr-defined]
        print(f"error the take did not start: {message}", flush=True)
        return 1
    t_ns = time.monotonic_ns()
    print(f"ready {t_ns} {services.transport.position_at(t_ns)}", flush=True)
    while True:  # the GUI thread would run the window; the parent kills us
        time.sleep(CLOCK_EVERY_S)
        t_ns = time.monotonic_ns()
        print(f"at {t_ns} {services.transport.position_at(t_ns)}", flush=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
