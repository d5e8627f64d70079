"""MIDI input: the chosen ports, several at once, each message dated and handed on.

Every message is stamped in the rtmidi callback itself, before anything else happens, and
corrected for the time the callback waited for the GIL (``midi_ports``); a JACK message is
dated half a period before its arrival (JACK delivers at period starts).
``Transport.position_at(event.t_ns)`` turns that into transport time. Then the message is
parsed (mido) and handed to the listeners on the MIDI thread. Listeners must be quick and
thread-safe (the monitor calls the synth, the recorder appends under a lock); nothing on this
thread touches widgets or the model. Port changes ("keyboard X went away" / "came back") go to
the status listeners, from the watcher thread.

A watcher thread looks at the port list every ``poll_interval`` (0.5 s): a port that
disappeared is closed and reported, and reopened by name when a port of that name returns.
A port that went away is reported as gone at the last moment it was known to be there (the
later of the last look that found it and the last message from it): a take ends its held
notes there, not up to half a second later.

``start()`` lowers Python's thread switch interval to 0.5 ms (``SWITCH_INTERVAL_S``): with the
default 5 ms, a busy GUI thread held the MIDI callback up to 20 ms (measured, p99), and what
the monitor plays can't be corrected afterwards.
"""

from __future__ import annotations

import enum
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import mido

from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.engine.midi_ports import (  # re-exported: callers import them from here
    ALSA,
    COREMIDI,
    JACK,
    ArrivalClock,
    Deliver,
    MidiUnavailable,
    OpenPort,
    PortSystem,
    RtMidiSystem,
    api_may_start,
    compiled_apis,
    list_input_ports,
    open_system,
    port_key,
    rtmidi_callback,
)

__all__ = ["ALSA", "COREMIDI", "JACK", "ArrivalClock", "Deliver", "MidiUnavailable", "OpenPort",
           "PortSystem", "RtMidiSystem", "list_input_ports", "open_system", "port_key",
           "rtmidi_callback", "MidiEvent", "PortChange", "PortStatus", "MidiInputs"]


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


def _is_through(name: str) -> bool:
    return port_key(name).lower().startswith("midi through")


@dataclass
class _Opened:
    name: str
    port: OpenPort
    seen_ns: int = 0  # the last look at the port list that found it


class MidiInputs:
    """The app's MIDI inputs: several ports at once, watched for unplugging.

    ``wanted`` None means "the first port found" (a "Midi Through" port is never chosen by
    default); otherwise a list of port names from preferences, opened as they appear.
    """

    SWITCH_INTERVAL_S: float | None = 0.0005  # None: leave Python's thread switching alone

    def __init__(self, api: str | None = None, client_name: str = "Cuesketch",
                 clock: MonotonicClock | None = None, poll_interval: float = 0.5,
                 system: PortSystem | None = None) -> None:
        self.client_name = client_name
        self.poll_interval = poll_interval
        self.clock = clock or SystemClock()  # the app's one clock (the transport's)
        self._now = self.clock.now_ns
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
        self._heard: dict[str, int] = {}  # port name -> when its last message arrived

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

    AWAY_POLL_S = 0.1  # while the MIDI server or a JACK keyboard is away: a cheap look

    def _watch(self) -> None:
        while not self._stop.wait(self._next_look()):
            try:
                self.poll()
            except Exception as e:  # the watcher outlives a backend's hiccup
                print(f"cuesketch: MIDI port watcher: {e!r}", file=sys.stderr)

    def _next_look(self) -> float:
        """Sooner while something is away and looking is cheap (the server's socket; JACK's
        port list through the quiet client), so that it is back within a tenth of a second."""
        if self._system is None and self.problem is not None and self.problem.startswith(
                "the MIDI server stopped"):
            return min(self.poll_interval, self.AWAY_POLL_S)
        if self._away and self.api == JACK:
            return min(self.poll_interval, self.AWAY_POLL_S)
        return self.poll_interval

    def poll(self) -> None:
        """One look at the port list: report and close what went away, open what is wanted."""
        statuses: list[PortStatus] = []
        with self._lock:
            alive = getattr(self._system, "alive", None)
            if alive is not None and not alive():
                self._lose_system(statuses)
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
                if key in present:
                    opened.seen_ns = now
                else:
                    del self._open[key]
                    opened.port.close()
                    self._away.add(key)
                    went = max(opened.seen_ns, self._heard.get(opened.name, 0)) or now
                    statuses.append(PortStatus(opened.name, PortChange.WENT_AWAY, went, (
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
                self._open[key] = _Opened(name, port, now)
                came_back = key in self._away
                self._away.discard(key)
                statuses.append(PortStatus(
                    name, PortChange.CAME_BACK if came_back else PortChange.OPENED, now,
                    f"MIDI input “{name}” came back" if came_back
                    else f"MIDI input: {name}"))
            self._failed &= set(present)  # a port that vanished may open when it returns
            self._say_missing(present, now, statuses)
        self._emit(statuses)

    def _lose_system(self, statuses: list[PortStatus]) -> None:
        """The MIDI server went away (jackd killed): every port with it. They are reported,
        and reopened by name once a server answers again (``_start_system`` on a later poll)."""
        assert self._system is not None
        now = self._now()
        for key, opened in list(self._open.items()):
            del self._open[key]
            try:
                opened.port.close()
            except Exception:
                pass  # its server is gone: nothing to close there
            self._away.add(key)
            went = max(opened.seen_ns, self._heard.get(opened.name, 0)) or now
            statuses.append(PortStatus(opened.name, PortChange.WENT_AWAY, went, (
                f"MIDI input “{opened.name}” went away with the MIDI server: what was played "
                "is kept, and it is reconnected by itself when the server returns.")))
        try:
            self._system.close()
        except Exception:
            pass
        self._system = None
        self.problem = "the MIDI server stopped: inputs come back by themselves when it returns"

    def _start_system(self, statuses: list[PortStatus]) -> bool:
        api = self._api_choice
        if api is not None and not api_may_start(api) and self.problem is not None:
            return False  # still nothing there: don't make libjack/libasound print again
        if api is None and self.problem is not None and not any(
                api_may_start(a) for a in compiled_apis()):
            return False
        try:
            self._system = open_system(api, self.client_name, self.clock)
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
        heard = self._heard

        def deliver(data: list[int], arrived_ns: int) -> None:
            heard[name] = arrived_ns
            self.deliver(name, data, arrived_ns - delay_ns, arrived_ns)
        return deliver

    def _emit(self, statuses: list[PortStatus]) -> None:
        for status in statuses:
            for listener in self._status_listeners:
                try:
                    listener(status)
                except Exception as e:
                    print(f"cuesketch: MIDI status listener failed: {e!r}", file=sys.stderr)
