"""MIDI recording and monitoring figures.

- ``record_error_inprocess_p99_ms``: note-ons and note-offs are injected at known monotonic
  times into the rtmidi callback function (``midi_input.rtmidi_callback``, the code rtmidi
  calls), through ``MidiInputs``, the monitor and the ``Recorder``; the transport meanwhile
  follows a simulated audio device (a period every 256 samples, a 50 ppm clock offset,
  ``Transport.device_period`` as the audio callback calls it). Error: the recorded position against the
  device's true position at the injection time, p99 of |error| in ms. Target <= 1 ms.
  ``record_error_inprocess_busy_gui_p99_ms``: the same while another Python thread computes
  (the GIL is then rarely free when a message comes in).
- ``record_error_jack_p99_ms``: a separate process plays notes into a real JACK MIDI port
  (a jackd dummy backend of the benchmark's own); the app's ``MidiInputs`` records them.
  Error against the transport position when each message was sent. Target <= one JACK
  period + 1 ms; the dict gives the period and the error without the half-period dating.
- ``monitor_latency_ms``: arrival stamp to the synth's ``note_on``/``note_off`` call, on the
  JACK run, with the real FluidSynth engine as the sink when a SoundFont is there.
"""

from __future__ import annotations

import json
import os
import random
import sys
import textwrap
import threading
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "app"))

from cuesketch.engine.clock import SystemClock  # noqa: E402
from cuesketch.engine.midi_input import (  # noqa: E402
    JACK,
    Deliver,
    MidiInputs,
    rtmidi_callback,
)
from cuesketch.engine.monitor import Monitor  # noqa: E402
from cuesketch.engine.recorder import Recorder, RecordOptions  # noqa: E402
from cuesketch.engine.transport import Transport  # noqa: E402
from cuesketch.model import changes  # noqa: E402
from cuesketch.model.document import Document  # noqa: E402
from cuesketch.model.entities import Track  # noqa: E402
from cuesketch.model.project import Project  # noqa: E402
from cuesketch.timing.units import FLICKS_PER_SECOND, FLICKS_PER_SAMPLE  # noqa: E402

MS = FLICKS_PER_SECOND / 1000


def _p99(values: list[float]) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(0.99 * len(v)))]


def _studio() -> tuple[Transport, Document, Recorder]:
    transport = Transport(SystemClock())
    document = Document(Project())
    document.execute_changes([changes.insert(Track(1, "Piano"))], "Add track")
    return transport, document, Recorder(document, transport)


class NullSink:
    def note_on(self, channel: int, pitch: int, velocity: int) -> None: ...
    def note_off(self, channel: int, pitch: int) -> None: ...
    def control_change(self, channel: int, controller: int, value: int) -> None: ...
    def pitch_bend(self, channel: int, value: int) -> None: ...


# -- in process ------------------------------------------------------------------------------
class _LoopbackPort:
    def __init__(self, deliver: Deliver) -> None:
        self.callback = rtmidi_callback(deliver, SystemClock())  # what rtmidi would call

    def close(self) -> None:
        pass


class _Loopback:
    """A port system whose one port is driven by the benchmark instead of rtmidi."""

    api = "LOOPBACK"
    delivery_delay_ns = 0

    def __init__(self) -> None:
        self.port: _LoopbackPort | None = None

    def list_ports(self) -> list[str]:
        return ["bench:out"]

    def open(self, name: str, deliver: Deliver) -> _LoopbackPort:
        self.port = _LoopbackPort(deliver)
        return self.port

    def close(self) -> None:
        pass


class _AudioDevice(threading.Thread):
    """Reports to the transport like the audio callback: a period every 256 samples of a device
    clock running 50 ppm fast against the monotonic clock, heard 10.7 ms after its wake-up."""

    PPM = 50e-6
    RATE, FRAMES, LATENCY_NS = 48000, 256, 10_666_667

    def __init__(self, transport: Transport) -> None:
        super().__init__(daemon=True)
        self.transport = transport
        self.origin_ns = time.monotonic_ns() + self.LATENCY_NS  # sample 0 is heard then
        self.audio: tuple[int, int] | None = None  # (device sample, flicks) playing from
        self.stop = threading.Event()

    def heard(self, sample: int) -> int:
        return self.origin_ns + round(sample * 1e9 / (self.RATE * (1 + self.PPM)))

    def true_position(self, t_ns: int) -> int:
        """What is heard at ``t_ns``: the audio's position then."""
        assert self.audio is not None
        sample, position = self.audio
        heard = (t_ns - self.origin_ns) * self.RATE * (1 + self.PPM) / 1e9
        return position + round((heard - sample) * FLICKS_PER_SECOND / self.RATE)

    def run(self) -> None:
        sample = 0
        while not self.stop.is_set():
            wake = self.heard(sample) - self.LATENCY_NS
            delay = (wake - time.monotonic_ns()) / 1e9
            if delay > 0:
                time.sleep(delay)
            state = self.transport.state()
            # It knows when its samples are heard (as CoreAudio's and JACK's time stamps say):
            # wake-up jitter is left to the JACK figures, this one measures the recording path.
            cue = self.transport.device_period(sample, self.heard(sample), self.FRAMES,
                                               self.RATE, state.epoch)
            if cue is not None:
                self.audio = (sample, cue)
            sample += self.FRAMES


def _inprocess(busy: bool, notes: int = 300) -> float:
    random.seed(5)
    transport, document, recorder = _studio()
    system = _Loopback()
    inputs = MidiInputs(system=system)
    inputs.add_listener(Monitor(NullSink()).on_event)
    inputs.add_listener(recorder.on_event)
    inputs.set_ports(["bench:out"])
    switch = sys.getswitchinterval()
    inputs.start()  # as in the app (this also lowers the thread switch interval)
    assert system.port is not None
    callback = system.port.callback
    stop_busy = threading.Event()

    def gui_at_work() -> None:  # pure Python, holding the GIL as long as it is let
        while not stop_busy.is_set():
            sum(i * i for i in range(2000))

    if busy:
        threading.Thread(target=gui_at_work, daemon=True).start()
    device = _AudioDevice(transport)
    device.start()
    time.sleep(0.5)  # the device runs before the take (from the app's start)
    recorder.start(1, RecordOptions(early_grace=0))
    time.sleep(0.05)
    sent: list[tuple[int, int]] = []  # (on, off) injection times
    t = time.monotonic_ns() + 10_000_000
    previous = t
    for i in range(notes):
        on, off = t, t + random.randint(3, 40) * 1_000_000
        for when, data in ((on, [0x90, 36 + i % 60, 100]), (off, [0x80, 36 + i % 60, 0])):
            while time.monotonic_ns() < when - 1_000_000:
                time.sleep(0.0002)
            while time.monotonic_ns() < when:
                pass
            # rtmidi's delta_time is measured in C when the message comes in; the callback
            # (and its stamp) may come later, when this thread gets the GIL.
            callback((data, (when - previous) / 1e9), None)
            previous = when
        sent.append((on, off))
        t = off + random.randint(1, 8) * 1_000_000
    truth = [(device.true_position(a), device.true_position(b)) for a, b in sent]
    recorder.stop()
    stop_busy.set()
    device.stop.set()
    device.join()
    inputs.close()
    sys.setswitchinterval(switch)
    notes_got = sorted(document.project.notes.values(), key=lambda n: n.start)
    assert len(notes_got) == len(sent), (len(notes_got), len(sent))
    errors = [abs(n.start - a) / MS for n, (a, _b) in zip(notes_got, truth)]
    errors += [abs(n.end - b) / MS for n, (_a, b) in zip(notes_got, truth)
               if n.duration > FLICKS_PER_SAMPLE]
    return round(_p99(errors), 3)


def figure_record_error_inprocess_p99_ms() -> float:
    return _inprocess(busy=False)


def figure_record_error_inprocess_busy_gui_p99_ms() -> float:
    """The same with another Python thread computing all along (a GUI thread at work)."""
    return _inprocess(busy=True)


# -- through JACK ----------------------------------------------------------------------------
def _jackd() -> AbstractContextManager[str]:
    from jack_server import jack_server
    return jack_server("cuesketch-bench")


# The keyboard: another process, sending at random moments, telling when it sent each message.
SENDER = textwrap.dedent("""
    import json, random, sys, time
    import mido
    random.seed(7)
    out = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output("out", client_name=sys.argv[1])
    print("ready", flush=True)
    sys.stdin.readline()
    sent = []
    for i in range(int(sys.argv[2])):
        pitch = 36 + i % 60
        time.sleep(random.uniform(0.004, 0.02))
        on = time.monotonic_ns()
        out.send(mido.Message("note_on", note=pitch, velocity=100))
        time.sleep(random.uniform(0.003, 0.04))
        off = time.monotonic_ns()
        out.send(mido.Message("note_off", note=pitch))
        sent.append((on, off))
    time.sleep(0.1)
    print(json.dumps(sent), flush=True)
    out.close()
""")

_jack_result: dict[str, Any] | None = None


def _jack_session(notes: int = 400) -> dict[str, Any]:
    global _jack_result
    if _jack_result is not None:
        return _jack_result
    with _jackd():
        transport, document, recorder = _studio()
        try:
            from cuesketch.engine.synth import SynthEngine
            sink: Any = SynthEngine("default", reverb=False, chorus=False)
            sink_name = "FluidSynth"
        except Exception:
            sink, sink_name = NullSink(), "none (no synth)"
        monitor = Monitor(sink)
        monitor.arm(0)
        inputs = MidiInputs(api=JACK, client_name=f"CuesketchBench{os.getpid()}")
        inputs.add_listener(monitor.on_event)  # first: what is heard comes before what is kept
        inputs.add_listener(recorder.on_event)
        client = f"cuesketch-bench-keys-{os.getpid()}"
        from jack_keyboard import start_keyboard
        proc = start_keyboard(inputs, SENDER, client, str(notes))
        try:
            assert proc.stdout is not None and proc.stdin is not None
            time.sleep(0.2)
            recorder.start(1, RecordOptions(early_grace=0))
            roll_ns = time.monotonic_ns()
            roll_pos = transport.position_at(roll_ns)
            proc.stdin.write("go\n")
            proc.stdin.flush()
            sent = json.loads(proc.stdout.readline())
            recorder.stop()
        finally:
            proc.wait(30)
            inputs.close()
        delay = inputs.delivery_delay_ns or 256 * 10**9 // 48000 // 2

        def position(t_ns: int) -> int:  # the transport ran on the system clock alone
            return roll_pos + (t_ns - roll_ns) * FLICKS_PER_SECOND // 10**9

        # Each sent note against the recorded one of its pitch nearest in time (a pitch comes
        # back only every 60 notes). A message JACK dropped in an xrun (a non-realtime server
        # on a busy machine) is counted as lost, not as an error of ours.
        by_pitch: dict[int, list[int]] = {}
        for n in document.project.notes.values():
            by_pitch.setdefault(n.pitch, []).append(n.start)
        ends = {(n.pitch, n.start): n.end for n in document.project.notes.values()}
        signed: list[float] = []
        lost = 0
        for i, (a, b) in enumerate(sent):
            pitch = 36 + i % 60
            starts = by_pitch.get(pitch, [])
            start = min(starts, key=lambda x: abs(x - position(a)), default=None)
            if start is None or abs(start - position(a)) > 50 * MS:
                lost += 1
                continue
            signed.append((start - position(a)) / MS)
            end_error = (ends[(pitch, start)] - position(b)) / MS
            if abs(end_error) > 50:
                lost += 1
                continue
            signed.append(end_error)
        period_ms = 256 / 48
        _jack_result = {
            "record": {
                "p99_ms": round(_p99([abs(e) for e in signed]), 3),
                "max_ms": round(max(abs(e) for e in signed), 3),
                "mean_ms": round(sum(signed) / len(signed), 3),
                "uncompensated_p99_ms": round(_p99([abs(e + delay / 1e6) for e in signed]), 3),
                "period_ms": round(period_ms, 3),
                "limit_ms": round(period_ms + 1, 3),
                "messages": len(signed),
                "lost_messages": lost,
            },
            "monitor": {**{k: round(v, 4) for k, v in monitor.latency_ms().items()},
                        "sink": sink_name},
        }
        if hasattr(sink, "close"):
            sink.close()
    return _jack_result


def figure_record_error_jack_p99_ms() -> dict[str, Any]:
    return dict(_jack_session()["record"])


def figure_monitor_latency_ms() -> dict[str, Any]:
    return dict(_jack_session()["monitor"])


if __name__ == "__main__":
    print(figure_record_error_inprocess_p99_ms())
    print(figure_record_error_jack_p99_ms())
    print(figure_monitor_latency_ms())
