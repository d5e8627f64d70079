"""The app recording takes through a real MIDI port while faults are injected (tests/fault_trial.py).

    python tests/fault_child.py PROJECT SENDER_PORT

Builds what the app builds (``open_document``, ``Services``, ``build_engine`` with JACK MIDI,
JACK audio and the fault watch) on JACK_DEFAULT_SERVER's server. The main thread is the
GUI thread: it runs the commands read from stdin and calls ``faults.service()`` every 0.1 s
as the window's timer does. SIGTERM and SIGHUP close it as the window does (``services.close``
lands the take), then it exits 0.

Commands (one a line): ``take POSITION`` (arm the first track, go there, start a take as the
record key does), ``stop`` (land it, as the record key does), ``edit`` (rename the armed
track: an edit made after a fault), ``saveas PATH`` (Save As from memory), ``quit``.

It prints: ``ready``; ``rec T_NS POSITION TRACK_ID`` once a take runs; ``at T_NS POSITION``
every ``CLOCK_EVERY_S`` (the transport); ``heard T_NS PITCH`` for each note-on that reaches
the recorder; ``status T_NS TEXT`` for what the user is told; ``stopped OK|ERROR TEXT``
after ``stop``; ``reattached T_NS`` when the lost audio driver calls back again; ``path P``
when the project goes on in another file; ``sounded T_NS`` for each note-on the synth is asked
to play (stale bursts show there); ``closed`` before a signal's exit.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from cuesketch.app import Services, build_engine, open_document
from cuesketch.engine.fault_watch import on_stop_signals
from cuesketch.engine.midi_input import JACK, MidiEvent
from cuesketch.engine.session import RecordSession
from cuesketch.engine.transport import Transport
from cuesketch.model import changes
from cuesketch.prefs import Preferences

PORT_TIMEOUT_S = 15.0
CLOCK_EVERY_S = 0.02
SERVICE_EVERY_S = 0.1

_out_lock = threading.Lock()


def say(line: str) -> None:
    with _out_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main(argv: list[str]) -> int:
    path, port = Path(argv[1]), argv[2]
    document, pf, reason = open_document(path)
    if reason:
        say(f"error the project did not open for writing: {reason}")
        return 1
    services = Services(document, Transport(), pf, path)
    services.status.listen(lambda text: say(f"status {time.monotonic_ns()} {text}"))
    build_engine(services, Preferences(midi_backend=JACK, midi_inputs=[port],
                                       audio_driver="jack"))
    for problem in services.problems:
        print(f"fault_child: {problem}", file=sys.stderr, flush=True)
    midi, faults = services.midi, services.faults
    assert midi is not None and faults is not None and services.synth is not None
    deadline = time.monotonic() + PORT_TIMEOUT_S
    while not any(port in name for name in midi.open_ports()):
        if time.monotonic() > deadline:
            say(f"error the keyboard {port} was not opened: {services.problems}")
            return 1
        time.sleep(0.01)

    if os.environ.get("FAULT_CHILD_DEBUG"):  # how long each look at the MIDI ports takes
        poll = midi.poll

        def timed_poll() -> None:
            began = time.monotonic_ns()
            poll()
            print(f"poll {began} {time.monotonic_ns() - began} {midi.open_ports()}",
                  file=sys.stderr, flush=True)
        midi.poll = timed_poll  # type: ignore[method-assign]

    debug = bool(os.environ.get("FAULT_CHILD_DEBUG"))

    # The MIDI and audio threads never write to the pipe themselves (a reader that falls
    # behind would block them, and JACK with them): their lines wait here for the clock thread.
    later: queue.SimpleQueue[str] = queue.SimpleQueue()

    def heard(event: MidiEvent) -> None:
        if event.message.type == "note_on" and event.message.velocity > 0:
            later.put(f"heard {event.arrived_ns} {event.message.note}")
        if debug:
            later.put(f"debug got {event.arrived_ns} {event.message}")
    midi.add_listener(heard)
    synth = services.synth
    note_on = synth.note_on

    def sounded(channel: int, key: int, velocity: int) -> None:
        later.put(f"sounded {time.monotonic_ns()}")
        note_on(channel, key, velocity)
    synth.note_on = sounded  # type: ignore[method-assign]

    session = RecordSession(document, services.recorder, services.monitor,  # type: ignore[arg-type]
                            services.playback, services.status.post)
    stop_wanted = threading.Event()
    on_stop_signals(stop_wanted.set)
    commands: queue.Queue[str | None] = queue.Queue()

    def read_commands() -> None:
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put(None)
    threading.Thread(target=read_commands, daemon=True).start()

    def tell_clock() -> None:
        transport = services.transport
        while True:
            time.sleep(CLOCK_EVERY_S)
            t_ns = time.monotonic_ns()
            lines = [f"at {t_ns} {transport.position_at(t_ns)}"]
            while not later.empty():
                lines.append(later.get())
            say("\n".join(lines))
    threading.Thread(target=tell_clock, daemon=True).start()
    say("ready")
    reattached: int | None = None
    path_said = services.project_path
    while True:
        if stop_wanted.is_set():  # as the window's close does
            services.close()
            say("closed")
            return 0
        try:
            command = commands.get(timeout=SERVICE_EVERY_S)
        except queue.Empty:
            command = ""
        faults.service()
        audio = services.audio
        if audio is not None and audio.reattached_at != reattached:
            reattached = audio.reattached_at
            say(f"reattached {reattached}")
        if services.project_path != path_said:
            path_said = services.project_path
            say(f"path {path_said}")
        if command is None or command == "quit":
            services.close()
            return 0
        if command.startswith("take "):
            track = document.project.sorted_tracks()[0].id
            session.arm(track)
            services.transport.seek(int(command.split()[1]))
            message = session.toggle()
            if not services.recorder.active:  # type: ignore[union-attr]
                say(f"error the take did not start: {message}")
                continue
            t_ns = time.monotonic_ns()
            say(f"rec {t_ns} {services.transport.position_at(t_ns)} {track}")
        elif command == "stop":
            message = session.toggle()
            failed = "could not be saved" in message
            say(f"stopped {'ERROR' if failed else 'OK'} {message}")
        elif command == "edit":
            track = document.project.sorted_tracks()[0]
            try:
                with document.transaction("Rename track"):
                    document.execute_changes([changes.replace(
                        track, replace(track, name="Edited after"))])
            except Exception as e:
                say(f"status {time.monotonic_ns()} the edit failed: {e}")
        elif command.startswith("saveas "):
            dest = Path(command.split(" ", 1)[1])
            faults.save_as(dest)
            say(f"saved {dest}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
