"""Realtime output: FluidSynth's audio drivers calling back into ``Playback.process``.

``new_fluid_audio_driver2`` opens the platform's device (JACK, PulseAudio (PipeWire answers to
it), ALSA, SDL2 on Linux; CoreAudio on macOS) and calls our ``fluid_audio_func_t`` for every
period; the callback renders through the playback, which syncs the transport to the samples:
the device is the master clock. A driver counts as started only when it returned a driver
*and* called back (pyfluidsynth's ``Synth.start()`` says OK even when the driver failed).

With no device at all, ``status`` says "no audio device: playing silently" and the transport
runs on its monotonic clock.

A device can go mid-take (the JACK server killed or restarted, a USB interface pulled): its
callbacks stop. ``watch()`` (called about every 0.1 s off the GUI thread, by
``engine.fault_watch``) sees a driver silent for ``LOST_AFTER_S``, lets it go, hands the
transport to the monotonic clock from exactly where the audio left it
(``Transport.device_gone``) and opens the next driver that works, or plays silently; then it
looks for the lost one every ``RETRY_EVERY_S`` and goes back to it when it answers. It
returns what to tell the user; nothing in it touches the model.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from cuesketch.engine import fluid_api as fl
from cuesketch.engine.midi_ports import jack_server_running
from cuesketch.engine.playback import Playback

SILENT_STATUS = "no audio device: playing silently"


def default_drivers() -> tuple[str, ...]:
    if sys.platform == "darwin":
        return ("coreaudio", "sdl2")
    if sys.platform.startswith("win"):
        return ("wasapi", "dsound", "sdl2")
    # A running JACK server is the studio's choice; PipeWire serves PulseAudio clients.
    return ("jack", "pulseaudio", "alsa", "sdl2")


class AudioOutput:
    """Plays a Playback on the first audio driver that really starts."""

    LOST_AFTER_S = 0.3  # a running driver that has not called back this long is gone
    RETRY_EVERY_S = 0.2  # how often a lost driver is looked for
    PAUSED_S = 1.0  # a watch this late was paused itself (SIGSTOP, sleep), not merely slow

    def __init__(self, playback: Playback, *, drivers: Sequence[str] | None = None,
                 period_size: int = 256, periods: int = 2, device: str | None = None,
                 client_name: str = "Cuesketch", start_timeout: float = 2.0,
                 jack_autoconnect: bool = True, jack_server: str | None = None) -> None:
        self.playback = playback
        self.drivers = tuple(drivers) if drivers is not None else default_drivers()
        self.period_size = int(period_size)
        self.periods = int(periods)
        self.device = device
        self.client_name = client_name
        self.start_timeout = start_timeout
        self.jack_autoconnect = jack_autoconnect
        self.jack_server = jack_server  # None: JACK_DEFAULT_SERVER, else "default"
        self.lost: str | None = None  # the driver that went away, looked for until it returns
        self.reattached_at: int | None = None  # monotonic ns: the lost driver called back again
        self._seen = (0, time.monotonic())  # (callbacks, when that count was first seen)
        self._looked = 0.0  # when the lost driver was last looked for
        self._watched = time.monotonic()  # the last watch
        self._watch_lock = threading.Lock()
        self._closed = False  # closed for good: the watch does nothing more
        self.driver: str | None = None  # the driver that runs, None when silent or stopped
        self.status = "stopped"
        self.failures: dict[str, str] = {}  # driver -> why it did not start
        self.callbacks = 0
        self.errors = 0
        self.last_error = ""
        self.period = 0  # frames of the last callback
        self.sample_rate = playback.rate
        self.latency_ns = 0
        self._settings: int | None = None
        self._handle: int | None = None
        self._called = threading.Event()
        self._buf = np.zeros((0, 2), dtype=np.float32)
        # Kept referenced for as long as the driver may call it.
        self._callback = fl.AUDIO_FUNC(self._process)

    @property
    def silent(self) -> bool:
        return self.driver is None

    # -- lifetime ------------------------------------------------------------------------------
    def start(self) -> bool:
        """Open the first driver that works; False (and silent) when none does."""
        self.stop()
        self.failures.clear()
        if fl.new_audio_driver2 is None:
            self.failures["fluidsynth"] = "this libfluidsynth has no callback audio driver"
        for name in self.drivers if fl.new_audio_driver2 is not None else ():
            why = self._try(name)
            if why is None:
                self._started(name)
                return True
            self.failures[name] = why
        self.status = SILENT_STATUS
        return False

    def stop(self) -> None:
        handle, self._handle = self._handle, None
        if handle:
            fl.delete_audio_driver(handle)
        settings, self._settings = self._settings, None
        if settings:
            fl.settings_delete(settings)
        if self.driver is not None:
            self.status = "stopped"
        self.driver = None

    def close(self) -> None:
        """Stop for good (another output takes its place): waits for a watch in progress, so
        the watcher never reopens a driver here or deletes the same one twice."""
        with self._watch_lock:
            self._closed = True
            self.stop()

    # -- a device that goes and comes back ----------------------------------------------------
    def watch(self) -> str | None:
        """One look (any thread but the audio one): a running driver that stopped calling is
        let go and the next one opened; a lost driver that answers again is gone back to.
        Returns what to tell the user, or None."""
        with self._watch_lock:
            if self._closed:
                return None
            now = time.monotonic()
            watched, self._watched = self._watched, now
            if now - watched > self.PAUSED_S:
                # The watch itself did not run (the process was stopped, or starved): the
                # driver's silence since then proves nothing; look again from now.
                self._seen = (self.callbacks, now)
                return None
            if self.driver is not None:
                if self.callbacks != self._seen[0]:
                    self._seen = (self.callbacks, now)
                elif now - self._seen[1] >= self.LOST_AFTER_S:
                    return self._lose(now)
            if self.lost is not None:
                return self._look_for_lost(now)
            return None

    def _lose(self, now: float) -> str:
        lost = self.driver
        assert lost is not None
        self.stop()
        transport = self.playback.transport
        if transport is not None:
            transport.device_gone()  # on the monotonic clock from exactly where it is
        if self.lost is None:  # a fallback that goes too: the first one lost is looked for
            self.lost = lost
        self._looked = now
        for name in self.drivers:
            if name not in (lost, self.lost) and fl.new_audio_driver2 is not None and (
                    self._try(name) is None):
                self._started(name)
                return (f"the audio server ({lost}) stopped: sound goes on through {name}; "
                        f"the take goes on. Cuesketch goes back to {self.lost} when it returns")
        self.status = SILENT_STATUS
        return (f"the audio server ({lost}) stopped: playing silently, the take goes on. "
                f"Cuesketch goes back to {self.lost} by itself when it returns")

    def _look_for_lost(self, now: float) -> str | None:
        lost = self.lost
        if lost is None or now - self._looked < self.RETRY_EVERY_S:
            return None
        self._looked = now
        if lost == "jack" and sys.platform.startswith("linux") and not jack_server_running(
                self.jack_server):
            return None  # not back yet (asked quietly: libjack would print each time)
        fallback = self.driver
        self.stop()
        if self._try(lost) is None:
            self._started(lost)
            self.lost = None
            self.reattached_at = time.monotonic_ns()
            return f"the audio server ({lost}) is back: sound goes on through it"
        if fallback is not None and self._try(fallback) is None:
            self._started(fallback)
        else:
            self.status = SILENT_STATUS
        return None

    def _started(self, name: str) -> None:
        self.driver = name
        self._seen = (self.callbacks, time.monotonic())
        self.status = (f"{name}: {self.period or self.period_size} frames at "
                       f"{self.sample_rate} Hz, {self.latency_ns / 1e6:.1f} ms")

    def _try(self, name: str) -> str | None:
        if name == "jack" and sys.platform.startswith("linux") and not jack_server_running(
                self.jack_server):
            return "no JACK server is running"  # libjack would print its own complaint
        settings = fl.settings_new()
        rate = self.playback.synth.sample_rate
        fl.set_setting(settings, "audio.driver", name)
        fl.set_setting(settings, "audio.period-size", self.period_size)
        fl.set_setting(settings, "audio.periods", self.periods)
        fl.set_setting(settings, "synth.sample-rate", float(rate))
        if self.device:
            fl.set_setting(settings, f"audio.{name}.device", self.device)
        if name == "jack":
            fl.set_setting(settings, "audio.jack.id", self.client_name)
            if self.jack_server:
                fl.set_setting(settings, "audio.jack.server", self.jack_server)
            fl.set_setting(settings, "audio.jack.autoconnect", int(self.jack_autoconnect))
        self._called.clear()
        self.callbacks = 0
        saved = os.environ.get("JACK_NO_START_SERVER")
        os.environ["JACK_NO_START_SERVER"] = "1"  # use a running server, never start one
        try:
            handle = fl.new_audio_driver2(settings, self._callback, None)
        finally:
            if saved is None:
                os.environ.pop("JACK_NO_START_SERVER", None)
            else:
                os.environ["JACK_NO_START_SERVER"] = saved
        if not handle:
            fl.settings_delete(settings)
            return "the driver did not open (no such device or server)"
        # The device may run at another rate (JACK imposes its own): follow it.
        device_rate = fl.settings_number(settings, "synth.sample-rate")
        if device_rate and int(device_rate) != rate:
            self.playback.set_sample_rate(int(device_rate))
        self.sample_rate = self.playback.rate
        if not self._called.wait(self.start_timeout):
            fl.delete_audio_driver(handle)
            fl.settings_delete(settings)
            return "the driver opened but never asked for audio"
        self._handle, self._settings = handle, settings
        return None

    # -- the audio thread ----------------------------------------------------------------------
    def _process(self, data: Any, n: int, nfx: int, fx: Any, nout: int, out: Any) -> int:
        try:
            if n != self.period:
                self.period = n
                self._buf = np.zeros((n, 2), dtype=np.float32)
                self.latency_ns = n * self.periods * 1_000_000_000 // self.playback.rate
            buf = self.playback.process(n, out=self._buf, latency_ns=self.latency_ns)
            if nout >= 2:
                np.ctypeslib.as_array(out[0], shape=(n,))[:] = buf[:, 0]
                np.ctypeslib.as_array(out[1], shape=(n,))[:] = buf[:, 1]
            self.callbacks += 1
            self._called.set()
            return 0
        except BaseException as e:  # never let an exception unwind into the C driver
            self.errors += 1
            self.last_error = f"{type(e).__name__}: {e}"
            self._called.set()
            return 0

    def wait_for_callbacks(self, count: int, timeout: float = 5.0) -> bool:
        """Block until the driver has called back ``count`` more times (tests)."""
        target = self.callbacks + count
        deadline = time.monotonic() + timeout
        while self.callbacks < target:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

