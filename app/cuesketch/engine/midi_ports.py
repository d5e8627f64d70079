"""Where MIDI input ports come from: rtmidi on one backend, and the arrival time of a message.

``RtMidiSystem`` lists the input ports of one rtmidi API and opens them, one rtmidi client
each (rtmidi can't reopen a closed input object on JACK: it stays silent, so every open makes
a fresh ``rtmidi.MidiIn``). Its callback stamps each message with the app's clock (the
``MonotonicClock`` the transport runs on) first thing, then ``ArrivalClock`` takes out the time the callback waited for the GIL, using
rtmidi's own delta times, measured in C.

Backends: the platform's default rtmidi API (ALSA sequencer on Linux, CoreMIDI on macOS),
falling back to JACK when it can't start (no ``/dev/snd/seq``, as in containers and CI).

JACK hands MIDI to a client once per period, at the period's start, and rtmidi drops the
frame offset inside the period: a message arrives between 0 and one period after it was sent,
half a period on average. The JACK backend therefore says that messages arrive half a period
after they were played (``delivery_delay_ns``, from the server's buffer size), and
``MidiInputs`` dates them that much earlier: the error is centred on zero, within +-half a
period instead of 0..1 period.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import time
from collections.abc import Callable
from typing import Protocol

import rtmidi

from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.engine.jack_ports import JackPorts

ALSA, JACK, COREMIDI = "LINUX_ALSA", "UNIX_JACK", "MACOSX_CORE"
API_IDS: dict[str, int] = {name[4:]: getattr(rtmidi, name) for name in dir(rtmidi)
                           if name.startswith("API_")}
API_LABELS = {ALSA: "ALSA sequencer", JACK: "JACK", COREMIDI: "CoreMIDI",
              "WINDOWS_MM": "Windows MIDI"}

# rtmidi times each message in C (JACK: jack_get_time in the process callback; ALSA: the
# sequencer queue's timestamps; CoreMIDI: the packet's host time).
DELTAS_MEASURED_IN_C = frozenset({ALSA, JACK, COREMIDI})

# rtmidi's callback gets raw bytes; the deliver function takes them with the arrival stamp.
Deliver = Callable[[list[int], int], None]


class MidiUnavailable(RuntimeError):
    """No MIDI input system could start; the message says why and what to do, in plain words."""


class OpenPort(Protocol):
    def close(self) -> None: ...


class PortSystem(Protocol):
    """A MIDI backend: rtmidi on one API in the app, a fake in unit tests."""

    api: str

    @property
    def delivery_delay_ns(self) -> int:
        """How long after it was sent a message typically arrives."""
        ...

    def list_ports(self) -> list[str]: ...

    def open(self, name: str, deliver: Deliver) -> OpenPort: ...

    def close(self) -> None: ...


RtMidiCallback = Callable[[tuple[list[int], float], object], None]


class ArrivalClock:
    """Arrival times that don't wait for the GIL.

    Our callback runs only once its thread holds the GIL: while another Python thread computes
    (the window painting), the stamp can be many ms late. rtmidi measures each message's
    ``delta_time`` since the previous one in C, before asking for the GIL. Summed, the deltas
    give an arrival clock with an unknown origin; the stamp minus that clock is the origin plus
    the GIL wait, so its running minimum is the origin. A message then arrived at its rtmidi
    time plus the origin: never later than its stamp, and exact once one stamp was prompt.
    The minimum may creep up (``DRIFT``) so that two slightly drifting clocks stay together,
    and never corrects by more than ``MAX_CORRECTION_NS`` (a backend with broken deltas).
    """

    DRIFT = 1e-4
    MAX_CORRECTION_NS = 25_000_000

    def __init__(self) -> None:
        self._c_ns: int | None = None  # rtmidi's clock: the sum of its deltas
        self._origin = 0

    def arrival(self, delta_s: float, stamp_ns: int) -> int:
        if self._c_ns is None:
            self._c_ns = 0
            self._origin = stamp_ns
            return stamp_ns
        step = round(delta_s * 1e9)
        self._c_ns += step
        offset = stamp_ns - self._c_ns
        origin = min(self._origin + round(step * self.DRIFT), offset)
        self._origin = max(origin, offset - self.MAX_CORRECTION_NS)
        return self._c_ns + self._origin


def rtmidi_callback(deliver: Deliver, clock: MonotonicClock,
                    use_deltas: bool = True) -> RtMidiCallback:
    """The function rtmidi calls on its thread for each message (benchmarks call it too)."""
    now = clock.now_ns
    arrivals = ArrivalClock() if use_deltas else None

    def on_message(event: tuple[list[int], float], _data: object) -> None:
        stamp = now()  # first: what the recording is timed by
        deliver(event[0], arrivals.arrival(event[1], stamp) if arrivals is not None else stamp)
    return on_message


class _RtPort:
    def __init__(self, rt: rtmidi.MidiIn) -> None:
        self._rt = rt

    def close(self) -> None:
        # Stop the callback, let one already waiting for the GIL run out, then close: closing
        # holds the GIL and, on JACK, waits for the process thread that may be in our callback.
        self._rt.cancel_callback()
        time.sleep(0.02)
        self._rt.close_port()
        self._rt.delete()


class _KeptJackInput:
    """A JACK input port of our own for one keyboard, kept while the MIDI system lives.

    Opening or closing an rtmidi JACK client holds the GIL while JACK changes its graph, and
    JACK waits for every client's period to end first, our audio callback's too, which waits
    for the GIL: each open or close stalled the app for half a second (JACK's timeout), and
    the MIDI thread with it. So a keyboard gets one rtmidi client with a port of its own,
    made once; going away and coming back is a disconnection and a connection by the quiet
    client (``JackPorts``: ctypes lets the GIL go), and the callback just changes target.
    """

    def __init__(self, client: str, clock: MonotonicClock, jack: JackPorts) -> None:
        self.target: RtMidiCallback | None = None
        self.rt = rtmidi.MidiIn(rtapi=API_IDS[JACK], name=client)
        try:
            self.rt.ignore_types(sysex=True, timing=True, active_sense=True)
            self.rt.set_callback(self._on_message)
            self.rt.open_virtual_port("in")
            found = jack.midi_inputs(f"^{re.escape(client)}(-[0-9]+)?:in$")
            if not found:
                raise OSError(f"the JACK port of {client} was not found")
        except BaseException:
            self.rt.delete()
            raise
        self.port = found[0]

    def _on_message(self, event: tuple[list[int], float], data: object) -> None:
        target = self.target
        if target is not None:
            target(event, data)

    def delete(self) -> None:
        self.target = None
        self.rt.cancel_callback()
        time.sleep(0.02)  # one already waiting for the GIL runs out
        self.rt.delete()


class _JackLink:
    """An open keyboard on JACK: its port connected to our kept input."""

    def __init__(self, jack: JackPorts, kept: _KeptJackInput, source: str) -> None:
        self._jack, self._kept, self._source = jack, kept, source

    def close(self) -> None:
        self._kept.target = None  # nothing from it any more, even before JACK has let go
        try:
            self._jack.disconnect(self._source, self._kept.port)
        except OSError:
            pass  # gone with its keyboard already


class RtMidiSystem:
    """Input ports on one rtmidi API; each open port is its own rtmidi client.

    The port list comes from a listing client: on JACK a quiet one (``JackPorts``), which
    also gives the period for ``delivery_delay_ns``, and connects keyboards to the input
    kept for each (``_KeptJackInput``); elsewhere an rtmidi ``MidiIn``.
    """

    def __init__(self, api: str, client_name: str = "Cuesketch",
                 clock: MonotonicClock | None = None) -> None:
        if api not in API_IDS:
            raise MidiUnavailable(f"unknown MIDI backend {api!r} (known: {', '.join(API_IDS)})")
        self.api = api
        self.client_name = client_name
        self._clock = clock or SystemClock()
        self._jack: JackPorts | None = None
        self._lister: rtmidi.MidiIn | None = None
        self._kept: dict[str, _KeptJackInput] = {}  # JACK: port key -> our input for it
        self.period: tuple[int, int] | None = None  # JACK: (frames, rate)
        try:
            if api == JACK:
                self._jack = JackPorts(f"{client_name} ports")
                self.period = self._jack.period()
            else:
                self._lister = rtmidi.MidiIn(rtapi=API_IDS[api], name=f"{client_name} ports")
        except (rtmidi.RtMidiError, OSError, RuntimeError) as e:
            raise MidiUnavailable(f"{API_LABELS.get(api, api)} did not start ({e})") from None

    def alive(self) -> bool:
        """False once the backend's server went away (JACK killed or stopped): its ports and
        clients are dead, and a new system must be opened when a server answers again."""
        if self._jack is None:
            return True
        return self._jack.alive and jack_server_running()

    @property
    def delivery_delay_ns(self) -> int:
        if not self.period or self.period[1] <= 0:
            return 0
        return self.period[0] * 1_000_000_000 // self.period[1] // 2

    def list_ports(self) -> list[str]:
        if self._jack is not None:
            self.period = self._jack.period()  # the user may have changed it (jack_bufsize)
            return self._jack.midi_outputs()
        assert self._lister is not None
        return [str(p) for p in self._lister.get_ports()]

    def open(self, name: str, deliver: Deliver) -> OpenPort:
        if self._jack is not None:
            return self._open_jack(name, deliver)
        rt = rtmidi.MidiIn(rtapi=API_IDS[self.api], name=self.client_name)
        try:
            ports = rt.get_ports()
            index = next((i for i, p in enumerate(ports) if port_key(p) == port_key(name)), None)
            if index is None:
                raise OSError(f"no MIDI input named {name!r}")
            rt.ignore_types(sysex=True, timing=True, active_sense=True)
            rt.set_callback(rtmidi_callback(deliver, self._clock,
                                            use_deltas=self.api in DELTAS_MEASURED_IN_C))
            rt.open_port(index, "in")
        except BaseException:
            rt.delete()
            raise
        return _RtPort(rt)

    def _open_jack(self, name: str, deliver: Deliver) -> _JackLink:
        assert self._jack is not None
        key = port_key(name)
        kept = self._kept.get(key)
        if kept is None:
            kept = _KeptJackInput(f"{self.client_name}-in{len(self._kept) + 1}", self._clock,
                                  self._jack)
            self._kept[key] = kept
        kept.target = rtmidi_callback(deliver, self._clock)  # a fresh arrival clock
        try:
            self._jack.connect(name, kept.port)
        except OSError:
            kept.target = None
            raise
        return _JackLink(self._jack, kept, name)

    def close(self) -> None:
        for kept in self._kept.values():
            try:
                kept.delete()
            except Exception:
                pass  # its server is gone
        self._kept.clear()
        if self._jack is not None:
            self._jack.close()
        if self._lister is not None:
            self._lister.delete()


def port_key(name: str) -> str:
    """What identifies a port across unplugging: ALSA renumbers "Keys:Keys MIDI 1 24:0"."""
    return re.sub(r"\s+\d+:\d+$", "", name).strip()


def compiled_apis() -> list[str]:
    names = {v: k for k, v in API_IDS.items()}
    return [names[a] for a in rtmidi.get_compiled_api() if names.get(a) != "RTMIDI_DUMMY"]


def jack_server_running(server: str | None = None) -> bool:
    """Whether a JACK server (``server``, else the one JACK_DEFAULT_SERVER names) is up,
    without asking libjack, which prints to stderr when there is none."""
    return _jack_socket_exists(server)


def _jack_socket_exists(server: str | None = None) -> bool:
    """The server's socket is there *and answers*: a killed jackd leaves its socket behind."""
    server = server or os.environ.get("JACK_DEFAULT_SERVER", "default")
    path = f"/dev/shm/jack_{server}_{os.getuid()}_0"
    if not os.path.exists(path):
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.settimeout(0.5)
        probe.connect(path)
        return True
    except OSError:
        return False
    finally:
        probe.close()


def api_may_start(api: str) -> bool:
    """A cheap look before trying: failing libasound/libjack clients print to stderr."""
    if sys.platform.startswith("linux"):
        if api == ALSA:
            return os.path.exists("/dev/snd/seq")
        if api == JACK:
            return _jack_socket_exists()
    return True


def open_system(api: str | None = None, client_name: str = "Cuesketch",
                clock: MonotonicClock | None = None) -> RtMidiSystem:
    """The chosen backend, or the platform's default then JACK; MidiUnavailable if none."""
    candidates = [api] if api else compiled_apis()
    reasons: list[str] = []
    for name in candidates:
        label = API_LABELS.get(name, name)
        if api is None and not api_may_start(name):
            reasons.append(f"no {label}" + (" (/dev/snd/seq is missing)" if name == ALSA
                                           else " server is running" if name == JACK else ""))
            continue
        try:
            return RtMidiSystem(name, client_name, clock)
        except MidiUnavailable as e:
            reasons.append(str(e))
    hint = (" Load the ALSA sequencer (modprobe snd-seq) or start JACK (for example "
            "'jackd -d dummy'), then Cuesketch finds the keyboard by itself."
            if sys.platform.startswith("linux") else "")
    raise MidiUnavailable(f"no MIDI input: {'; '.join(reasons) or 'no MIDI backend'}.{hint} "
                          "Musical typing (the computer keyboard) still plays notes.")


def list_input_ports(api: str | None = None) -> list[str]:
    """The input ports on a backend right now (for preferences); [] when there is none."""
    try:
        system = open_system(api, "Cuesketch list")
    except MidiUnavailable:
        return []
    try:
        return system.list_ports()
    finally:
        system.close()
