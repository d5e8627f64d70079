"""MIDI input: the chosen ports on one rtmidi backend, each message stamped as it arrives.

Every message is stamped with the monotonic clock in the rtmidi callback itself, before
anything else happens, and the stamp is corrected for the time the callback waited for the GIL
(``ArrivalClock``, from rtmidi's own C-side delta times); ``Transport.position_at(t_ns)`` turns
it into transport time. Then it is parsed (mido) and handed to the listeners on the MIDI thread. Listeners must be quick and
thread-safe (the monitor calls the synth, the recorder appends under a lock); nothing on this
thread touches widgets or the model. Port changes ("keyboard X went away" / "came back") go to
the status listeners, from the watcher thread.

A watcher looks at the port list every second: a port that disappeared is closed and reported,
and reopened when it returns. rtmidi can't reopen a closed input object on JACK (it stays
silent), so every open makes a fresh ``rtmidi.MidiIn``.

Backends: the platform's default rtmidi API (ALSA sequencer on Linux, CoreMIDI on macOS),
falling back to JACK when it can't start (no ``/dev/snd/seq``, as in containers and CI).

JACK hands MIDI to a client once per period, at the period's start, and rtmidi drops the
frame offset inside the period: a message arrives between 0 and one period after it was sent,
half a period on average. The JACK backend therefore dates each message half a period before
its arrival (``delivery_delay_ns``, from the server's buffer size), which centres the error
on zero: within +-half a period instead of 0..1 period. ``MidiEvent.arrived_ns`` keeps the
arrival itself (the monitor's latency is measured from it).

``start()`` lowers Python's thread switch interval to 0.5 ms (``SWITCH_INTERVAL_S``): with the
default 5 ms, a busy GUI thread held the MIDI callback up to 20 ms (measured, p99), and what
the monitor plays can't be corrected afterwards.
"""

from __future__ import annotations

import enum
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import mido
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


@dataclass(frozen=True)
class MidiEvent:
    source: str  # the input port's name, as listed
    message: mido.Message
    t_ns: int  # monotonic ns when it was played: the arrival less the backend's typical delay
    arrived_ns: int  # monotonic ns when it arrived (stamped first thing in the rtmidi callback)


class PortChange(enum.Enum):
    OPENED = "opened"
    WENT_AWAY = "went away"
    CAME_BACK = "came back"
    FAILED = "failed"
    UNAVAILABLE = "unavailable"  # no MIDI system at all (text says why)
    MISSING = "missing"  # the system works, but the keyboard wanted is not plugged in


@dataclass(frozen=True)
class PortStatus:
    port: str
    change: PortChange
    t_ns: int
    text: str  # for the status bar

    def __str__(self) -> str:
        return self.text


# -- where ports come from -------------------------------------------------------------------
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


def rtmidi_callback(deliver: Deliver, now: Callable[[], int],
                    use_deltas: bool = True) -> RtMidiCallback:
    """The function rtmidi calls on its thread for each message (benchmarks call it too)."""
    clock = ArrivalClock() if use_deltas else None

    def on_message(event: tuple[list[int], float], _data: object) -> None:
        stamp = now()  # first: what the recording is timed by
        deliver(event[0], clock.arrival(event[1], stamp) if clock is not None else stamp)
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


class RtMidiSystem:
    """Input ports on one rtmidi API; each open port is its own rtmidi client.

    The port list comes from a listing client: on JACK a quiet one (``JackPorts``), which
    also gives the period for ``delivery_delay_ns``; elsewhere an rtmidi ``MidiIn``.
    """

    def __init__(self, api: str, client_name: str = "Cuesketch",
                 now: Callable[[], int] = time.monotonic_ns) -> None:
        if api not in API_IDS:
            raise MidiUnavailable(f"unknown MIDI backend {api!r} (known: {', '.join(API_IDS)})")
        self.api = api
        self.client_name = client_name
        self._now = now
        self._jack: JackPorts | None = None
        self._lister: rtmidi.MidiIn | None = None
        self.period: tuple[int, int] | None = None  # JACK: (frames, rate)
        try:
            if api == JACK:
                self._jack = JackPorts(f"{client_name} ports")
                self.period = self._jack.period()
            else:
                self._lister = rtmidi.MidiIn(rtapi=API_IDS[api], name=f"{client_name} ports")
        except (rtmidi.RtMidiError, OSError, RuntimeError) as e:
            raise MidiUnavailable(f"{API_LABELS.get(api, api)} did not start ({e})") from None

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

    def open(self, name: str, deliver: Deliver) -> _RtPort:
        rt = rtmidi.MidiIn(rtapi=API_IDS[self.api], name=self.client_name)
        try:
            ports = rt.get_ports()
            index = next((i for i, p in enumerate(ports) if port_key(p) == port_key(name)), None)
            if index is None:
                raise OSError(f"no MIDI input named {name!r}")
            rt.ignore_types(sysex=True, timing=True, active_sense=True)
            rt.set_callback(rtmidi_callback(deliver, self._now,
                                            use_deltas=self.api in DELTAS_MEASURED_IN_C))
            rt.open_port(index, "in")
        except BaseException:
            rt.delete()
            raise
        return _RtPort(rt)

    def close(self) -> None:
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


def _jack_socket_exists() -> bool:
    server = os.environ.get("JACK_DEFAULT_SERVER", "default")
    return os.path.exists(f"/dev/shm/jack_{server}_{os.getuid()}_0")


def api_may_start(api: str) -> bool:
    """A cheap look before trying: failing libasound/libjack clients print to stderr."""
    if sys.platform.startswith("linux"):
        if api == ALSA:
            return os.path.exists("/dev/snd/seq")
        if api == JACK:
            return _jack_socket_exists()
    return True


def open_system(api: str | None = None, client_name: str = "Cuesketch",
                now: Callable[[], int] = time.monotonic_ns) -> RtMidiSystem:
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
            return RtMidiSystem(name, client_name, now)
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


def _is_through(name: str) -> bool:
    return port_key(name).lower().startswith("midi through")


@dataclass
class _Opened:
    name: str
    port: OpenPort


class MidiInputs:
    """The app's MIDI inputs: several ports at once, watched for unplugging.

    ``wanted`` None means "the first port found" (a "Midi Through" port is never chosen by
    default); otherwise a list of port names from preferences, opened as they appear.
    """

    SWITCH_INTERVAL_S: float | None = 0.0005  # None: leave Python's thread switching alone

    def __init__(self, api: str | None = None, client_name: str = "Cuesketch",
                 clock: MonotonicClock | None = None, poll_interval: float = 1.0,
                 system: PortSystem | None = None) -> None:
        self.client_name = client_name
        self.poll_interval = poll_interval
        self._clock = clock or SystemClock()
        self._now = self._clock.now_ns
        self._api_choice = api
        self._system = system
        self.problem: str | None = None  # why there is no MIDI input, in plain words
        self.wanted: list[str] | None = None
        self._default_key: str | None = None
        self._open: dict[str, _Opened] = {}
        self._away: set[str] = set()
        self._failed: set[str] = set()
        self._missing_said: set[str] = set()
        self._lock = threading.RLock()
        self._listeners: tuple[Callable[[MidiEvent], None], ...] = ()
        self._status_listeners: tuple[Callable[[PortStatus], None], ...] = ()
        self._stop = threading.Event()
        self._watcher: threading.Thread | None = None
        self._listener_errors = 0

    # -- listeners ---------------------------------------------------------------------------
    def add_listener(self, listener: Callable[[MidiEvent], None]) -> None:
        """Called on the MIDI thread for each message: be quick, touch no widget or model."""
        self._listeners = (*self._listeners, listener)

    def remove_listener(self, listener: Callable[[MidiEvent], None]) -> None:
        self._listeners = tuple(x for x in self._listeners if x != listener)

    def add_status_listener(self, listener: Callable[[PortStatus], None]) -> None:
        """Called (from the watcher thread) when a port opens, goes away or comes back."""
        self._status_listeners = (*self._status_listeners, listener)

    # -- the message path --------------------------------------------------------------------
    def deliver(self, source: str, data: Sequence[int], t_ns: int,
                arrived_ns: int | None = None) -> None:
        """Every message goes this way: from the rtmidi callback, musical typing or a test.

        ``t_ns``: when it was played; ``arrived_ns`` (default ``t_ns``): when it arrived.
        """
        try:
            message = mido.Message.from_bytes(data)
        except (ValueError, TypeError):
            return  # a partial or unknown message: nothing to play or record
        event = MidiEvent(source, message, t_ns, t_ns if arrived_ns is None else arrived_ns)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception as e:  # a listener's bug must not silence the keyboard
                self._listener_errors += 1
                if self._listener_errors <= 3:
                    print(f"cuesketch: MIDI listener failed: {e!r}", file=sys.stderr)

    def sender(self, source: str) -> Callable[[list[int]], None]:
        """A function sending raw MIDI bytes in as if ``source`` had played them now."""
        def send(data: list[int]) -> None:
            self.deliver(source, data, self._now())
        return send

    # -- ports -------------------------------------------------------------------------------
    @property
    def api(self) -> str | None:
        return self._system.api if self._system is not None else None

    @property
    def delivery_delay_ns(self) -> int:
        """How much earlier than its arrival a message is dated (half a JACK period; else 0)."""
        return self._system.delivery_delay_ns if self._system is not None else 0

    def ports(self) -> list[str]:
        """The input ports available now."""
        with self._lock:
            if self._system is None:
                return []
            try:
                return [p for p in self._system.list_ports() if not self._is_ours(p)]
            except Exception:
                return []

    def open_ports(self) -> list[str]:
        with self._lock:
            return [o.name for o in self._open.values()]

    def set_ports(self, names: Sequence[str] | None) -> None:
        """Open these ports (None: the first one found); close the others."""
        with self._lock:
            self.wanted = None if names is None else list(names)
            keep = self._wanted_keys()
            for key in list(self._open):
                if keep is not None and key not in keep:
                    self._open.pop(key).port.close()
            self._away &= keep or set()
            self._failed.clear()
            self._missing_said.clear()
        self.poll()

    def start(self) -> None:
        """Open the wanted ports now and watch the port list from then on."""
        if self.SWITCH_INTERVAL_S is not None and sys.getswitchinterval() > self.SWITCH_INTERVAL_S:
            sys.setswitchinterval(self.SWITCH_INTERVAL_S)
        self.poll()
        if self._watcher is None:
            self._stop.clear()
            self._watcher = threading.Thread(target=self._watch, name="MIDI port watcher",
                                             daemon=True)
            self._watcher.start()

    def close(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(5)
            self._watcher = None
        with self._lock:
            for opened in self._open.values():
                opened.port.close()
            self._open.clear()
            if self._system is not None:
                self._system.close()
                self._system = None

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_interval):
            try:
                self.poll()
            except Exception as e:  # the watcher outlives a backend's hiccup
                print(f"cuesketch: MIDI port watcher: {e!r}", file=sys.stderr)

    def poll(self) -> None:
        """One look at the port list: report and close what went away, open what is wanted."""
        statuses: list[PortStatus] = []
        with self._lock:
            if self._system is None and not self._start_system(statuses):
                self._emit(statuses)
                return
            assert self._system is not None
            try:
                present = {port_key(n): n for n in self._system.list_ports()
                           if not self._is_ours(n)}
            except Exception as e:
                present = {}
                self.problem = f"the MIDI port list can't be read ({e})"
            now = self._now()
            for key, opened in list(self._open.items()):
                if key not in present:
                    del self._open[key]
                    opened.port.close()
                    self._away.add(key)
                    statuses.append(PortStatus(opened.name, PortChange.WENT_AWAY, now, (
                        f"MIDI input “{opened.name}” went away: what was played is kept. "
                        "Plug it in again to go on playing.")))
            for key in self._targets(present):
                if key in self._open or key in self._failed:
                    continue
                name = present[key]
                try:
                    port = self._system.open(name, self._deliver_from(
                        name, self._system.delivery_delay_ns))
                except Exception as e:
                    self._failed.add(key)
                    statuses.append(PortStatus(name, PortChange.FAILED, now,
                                               f"MIDI input “{name}” can't be opened ({e})"))
                    continue
                self._open[key] = _Opened(name, port)
                came_back = key in self._away
                self._away.discard(key)
                statuses.append(PortStatus(
                    name, PortChange.CAME_BACK if came_back else PortChange.OPENED, now,
                    f"MIDI input “{name}” came back" if came_back
                    else f"MIDI input: {name}"))
            self._failed &= set(present)  # a port that vanished may open when it returns
            self._say_missing(present, now, statuses)
        self._emit(statuses)

    def _start_system(self, statuses: list[PortStatus]) -> bool:
        api = self._api_choice
        if api is not None and not api_may_start(api) and self.problem is not None:
            return False  # still nothing there: don't make libjack/libasound print again
        if api is None and self.problem is not None and not any(
                api_may_start(a) for a in compiled_apis()):
            return False
        try:
            self._system = open_system(api, self.client_name, self._now)
        except MidiUnavailable as e:
            if self.problem != str(e):
                statuses.append(PortStatus("", PortChange.UNAVAILABLE, self._now(), str(e)))
            self.problem = str(e)
            return False
        self.problem = None
        return True

    def _say_missing(self, present: dict[str, str], now: int,
                     statuses: list[PortStatus]) -> None:
        """Once per missing keyboard: what is missing, and that it opens when plugged in."""
        if self.wanted is None:
            found = self._default_key in present if self._default_key else any(
                not _is_through(n) for n in present.values())
            missing = [] if found or self._away else [""]
        else:
            missing = [n for n in self.wanted
                       if port_key(n) not in present and port_key(n) not in self._away]
        for name in missing:
            if name in self._missing_said:
                continue
            self._missing_said.add(name)
            text = (f"MIDI input “{name}” is not plugged in" if name
                    else "no MIDI keyboard found") + (
                ": it is picked up by itself when plugged in; meanwhile musical typing "
                "(the computer keyboard) plays notes")
            statuses.append(PortStatus(name, PortChange.MISSING, now, text))
        self._missing_said &= set(missing)  # said again if it goes missing again later

    def _wanted_keys(self) -> set[str] | None:
        if self.wanted is None:
            return {self._default_key} if self._default_key else None
        return {port_key(n) for n in self.wanted}

    def _targets(self, present: dict[str, str]) -> list[str]:
        if self.wanted is not None:
            return [k for k in (port_key(n) for n in self.wanted) if k in present]
        if self._default_key is None:
            first = next((k for k, n in present.items() if not _is_through(n)), None)
            if first is None:
                return []
            self._default_key = first
        return [self._default_key] if self._default_key in present else []

    def _is_ours(self, name: str) -> bool:
        return name.startswith(f"{self.client_name}:") or name.startswith(f"{self.client_name}-")

    def _deliver_from(self, name: str, delay_ns: int) -> Deliver:
        def deliver(data: list[int], arrived_ns: int) -> None:
            self.deliver(name, data, arrived_ns - delay_ns, arrived_ns)
        return deliver

    def _emit(self, statuses: list[PortStatus]) -> None:
        for status in statuses:
            for listener in self._status_listeners:
                try:
                    listener(status)
                except Exception as e:
                    print(f"cuesketch: MIDI status listener failed: {e!r}", file=sys.stderr)
