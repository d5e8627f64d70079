"""A quiet JACK client for looking only: the MIDI output ports there are, the period length.

Why not rtmidi for this: an rtmidi JACK client is activated, so it gets a process thread that
JACK wakes every period (one more thread to schedule in time, one more chance of an xrun),
and python-rtmidi holds the GIL while it asks the server for the port list, which keeps our
input clients' callbacks waiting. This client is never activated, and ctypes lets the GIL go
during each libjack call. It hears the server go away (``alive``): the MIDI inputs then start
over when a server answers again.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

JACK_NO_START_SERVER = 0x01
JACK_PORT_IS_INPUT = 0x01
JACK_PORT_IS_OUTPUT = 0x02
MIDI_TYPE = b"8 bit raw midi"


class JackUnavailable(OSError):
    pass


@cache
def _libjack() -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("jack") or "libjack.so.0")
    except OSError as e:
        raise JackUnavailable(f"libjack is not installed ({e})") from None
    vp = ctypes.c_void_p
    lib.jack_client_open.restype = vp
    lib.jack_client_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_int)]
    lib.jack_client_close.argtypes = [vp]
    lib.jack_get_buffer_size.argtypes = [vp]
    lib.jack_get_buffer_size.restype = ctypes.c_uint32
    lib.jack_get_sample_rate.argtypes = [vp]
    lib.jack_get_sample_rate.restype = ctypes.c_uint32
    lib.jack_get_ports.argtypes = [vp, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong]
    lib.jack_get_ports.restype = ctypes.POINTER(ctypes.c_char_p)
    lib.jack_free.argtypes = [vp]
    lib.jack_on_shutdown.argtypes = [vp, SHUTDOWN_FUNC, vp]
    lib.jack_connect.argtypes = [vp, ctypes.c_char_p, ctypes.c_char_p]
    lib.jack_disconnect.argtypes = [vp, ctypes.c_char_p, ctypes.c_char_p]
    lib.jack_on_shutdown.restype = None
    return lib


SHUTDOWN_FUNC = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


class JackPorts:
    def __init__(self, client_name: str) -> None:
        lib = _libjack()
        status = ctypes.c_int(0)
        client = lib.jack_client_open(client_name.encode(), JACK_NO_START_SERVER,
                                      ctypes.byref(status))
        if not client:
            raise JackUnavailable(f"no JACK server is running (status {status.value:#x})")
        self._lib = lib
        self._client: int | None = client
        self.alive = True  # False once the server went away (it shut down or was killed)

        def on_shutdown(_arg: object) -> None:
            self.alive = False
        self._on_shutdown = SHUTDOWN_FUNC(on_shutdown)  # kept: libjack may call it any time
        lib.jack_on_shutdown(client, self._on_shutdown, None)

    def midi_outputs(self) -> list[str]:
        """Every JACK MIDI output port ("client:port"), in the server's order (rtmidi's too)."""
        return self._ports(None, JACK_PORT_IS_OUTPUT)

    def midi_inputs(self, pattern: str) -> list[str]:
        """The JACK MIDI input ports whose names match ``pattern`` (a regular expression)."""
        return self._ports(pattern.encode(), JACK_PORT_IS_INPUT)

    def connect(self, source: str, destination: str) -> None:
        """Connect two ports (the GIL is let go meanwhile: JACK may wait for a period, and our
        audio callback needs the GIL to finish it); OSError if JACK refuses."""
        if self._client is None:
            raise JackUnavailable("the JACK client is closed")
        code = self._lib.jack_connect(self._client, source.encode(), destination.encode())
        if code not in (0, 17):  # EEXIST: connected already
            raise JackUnavailable(f"JACK did not connect {source} to {destination} ({code})")

    def disconnect(self, source: str, destination: str) -> None:
        if self._client is not None:
            self._lib.jack_disconnect(self._client, source.encode(), destination.encode())

    def _ports(self, pattern: bytes | None, flags: int) -> list[str]:
        if self._client is None:
            return []
        found = self._lib.jack_get_ports(self._client, pattern, MIDI_TYPE, flags)
        if not found:
            return []
        try:
            names: list[str] = []
            i = 0
            while found[i] is not None:
                names.append(found[i].decode("utf-8", "replace"))
                i += 1
            return names
        finally:
            self._lib.jack_free(ctypes.cast(found, ctypes.c_void_p))

    def period(self) -> tuple[int, int]:
        """(frames per period, sample rate)."""
        if self._client is None:
            raise JackUnavailable("the JACK client is closed")
        return (int(self._lib.jack_get_buffer_size(self._client)),
                int(self._lib.jack_get_sample_rate(self._client)))

    def close(self) -> None:
        if self._client is not None:
            self._lib.jack_client_close(self._client)
            self._client = None
