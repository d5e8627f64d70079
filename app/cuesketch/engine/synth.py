"""The synth: FluidSynth as a sample generator that renders only when asked.

No FluidSynth audio driver renders for us: whoever needs sound (the audio callback, the
offline renderer) calls ``render(n)`` and gets float32 stereo. FluidSynth renders in 64-sample
blocks and applies an event at the start of its next block, so the engine counts the samples
it has handed out: ``samples_written % 64`` is the block phase the scheduler aims with.

Live input (monitoring) calls ``note_on`` & co. straight from the MIDI thread: FluidSynth's
API is thread-safe (``synth.threadsafe-api``) and the note sounds from the next block the
audio callback renders. Without a SoundFont the engine still runs and renders silence.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import numpy as np
import numpy.typing as npt

from cuesketch.engine import fluid_api as fl
from cuesketch.engine import soundfonts
from cuesketch.engine.soundfonts import SoundFontError
from cuesketch.timing.units import SAMPLE_RATE

BLOCK = 64  # FluidSynth's internal block (FLUID_BUFSIZE)
CHANNELS = 256
# Channel 255 is never used: FluidSynth marks idle voices with channel 0xFF, so a controller
# sent on 255 "modulates" every idle, uninitialised voice and crashes.
CLICK_CHANNEL = 252  # the metronome's own percussion channel
MONITOR_CHANNEL = 253  # live input sounds here, apart from playback's note-offs
PLAYBACK_CHANNELS = 252  # 0..251 are for tracks
USABLE_CHANNELS = 254
DRUM_BANK = 128

Audio = npt.NDArray[np.float32]


@dataclass(frozen=True)
class ChannelSetup:
    """What one synth channel plays: a preset, its level and its place."""

    bank: int = 0
    program: int = 0
    volume: float = 0.8  # 0..1, sent as CC7
    pan: float = 0.0  # -1 left .. +1 right, sent as CC10
    drums: bool = False  # a percussion channel (GM channel 10): bank 128 presets
    soundfont: str = ""  # the track's SoundFont (a path); empty or not loaded: the default

    @property
    def volume_cc(self) -> int:
        return max(0, min(127, round(self.volume * 127)))

    @property
    def pan_cc(self) -> int:
        return max(0, min(127, round(64 + self.pan * 63.5)))


@dataclass(frozen=True)
class Preset:
    bank: int
    program: int
    name: str


def _file_state(name: str) -> tuple[int, int] | None:
    """A SoundFont file's size and modification time (None: not there)."""
    try:
        st = Path(name).stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def _check_channel(channel: int) -> None:
    if not 0 <= channel < USABLE_CHANNELS:
        raise ValueError(f"synth channels are 0 to {USABLE_CHANNELS - 1}, not {channel}")


class SynthEngine:
    """One FluidSynth synth, its SoundFonts and channels, rendered on request."""

    def __init__(self, soundfont: str | Path | None = "default", *, sample_rate: int = SAMPLE_RATE,
                 gain: float = 0.2, polyphony: int = 256, reverb: bool = True,
                 chorus: bool = True) -> None:
        """``soundfont``: a path, "default" (the GM one found by ``soundfonts``) or None.

        A missing or unreadable SoundFont raises SoundFontError; pass None to run silent.
        """
        fl.quiet_logs()
        self.sample_rate = int(sample_rate)
        self._fs = fl.Synth(gain=gain, samplerate=float(sample_rate), channels=CHANNELS, **{
            "synth.polyphony": polyphony,
            "synth.reverb.active": int(reverb),
            "synth.chorus.active": int(chorus),
            "synth.threadsafe-api": 1,
            "synth.cpu-cores": 1,
        })
        self._synth: int = self._fs.synth
        self._render_lock = threading.Lock()
        # Held while a SoundFont loads: FluidSynth's API lock is taken for the whole load, so
        # any note or channel call would wait (100+ ms for a large font). The audio thread only
        # tries it and, when it is held, renders what is sounding without calling the API.
        # Re-entrant: offline, the thread that renders is the one that loads.
        self.api_gate = threading.RLock()
        self.samples_written = 0
        self.soundfonts: list[tuple[int, Path]] = []  # (FluidSynth id, path), first is the default
        self._by_name: dict[str, int] = {}  # a SoundFont as tracks name it -> its FluidSynth id
        self.missing: dict[str, str] = {}  # a track's SoundFont that could not load -> why
        # the file as it was when it could not load: once it changes (put there, copied
        # again, repaired) it is tried again
        self._missing_file: dict[str, tuple[int, int] | None] = {}
        self._setups: dict[int, ChannelSetup] = {}
        self._closed = False
        if soundfont == "default":
            found = soundfonts.find_default()
            if found is None:
                raise SoundFontError(
                    "no General MIDI SoundFont found (install fluid-soundfont-gm, or put an "
                    ".sf2/.sf3 in the soundfonts folder)")
            soundfont = found
        if soundfont is not None:
            self.load_soundfont(soundfont)

    # -- SoundFonts ----------------------------------------------------------------------------
    def load_soundfont(self, path: str | Path) -> int:
        """Load a .sf2/.sf3; the first one loaded serves every channel that names no other
        (the default). Returns its id; loading one already loaded returns the same id."""
        name = str(path)
        if name in self._by_name:
            return self._by_name[name]
        path = soundfonts.check(path)
        with self.api_gate:
            sfid = int(fl.sfload(self._synth, str(path).encode(), 0))
        if sfid < 0:
            raise SoundFontError(f"FluidSynth could not load the SoundFont {path}")
        self.soundfonts.append((sfid, path))
        self._by_name[name] = sfid
        self.missing.pop(name, None)
        for channel, setup in list(self._setups.items()):
            self.configure(channel, setup)
        return sfid

    def prepare_soundfonts(self, names: Iterable[str]) -> list[str]:
        """Load the SoundFonts tracks name that are not loaded yet (not from the audio thread:
        a large font takes a while). One that can't load is remembered in ``missing`` and its
        tracks play the default; returns a plain warning for each newly missing one."""
        warnings = []
        for name in sorted({n for n in names if n}):
            if name in self.missing and _file_state(name) != self._missing_file.get(name):
                del self.missing[name]  # changed since: try again
            if name in self._by_name or name in self.missing:
                continue
            try:
                self.load_soundfont(name)
            except SoundFontError as e:
                self.missing[name] = str(e)
                self._missing_file[name] = _file_state(name)
                warnings.append(f"{e}; its tracks play the General MIDI SoundFont instead "
                                f"and keep asking for {Path(name).name}")
        return warnings

    def unloaded(self, names: Iterable[str]) -> list[str]:
        """The SoundFonts among ``names`` that ``prepare_soundfonts`` would try to load."""
        return sorted({n for n in names if n and n not in self._by_name
                       and (n not in self.missing
                            or _file_state(n) != self._missing_file.get(n))})

    def soundfont_id(self, name: str = "") -> int | None:
        """The FluidSynth id of a SoundFont by the name tracks give it (empty: the default);
        None when it is not loaded (its tracks play the default)."""
        if not name:
            return self.soundfonts[0][0] if self.soundfonts else None
        return self._by_name.get(name)

    @property
    def silent(self) -> bool:
        """No SoundFont: notes make no sound (the app runs and says so)."""
        return not self.soundfonts

    def presets(self, soundfont: str = "") -> list[Preset]:
        """Every preset of a loaded SoundFont (default: the default one), by bank and program
        (the instrument list)."""
        sfid = self.soundfont_id(soundfont)
        if sfid is None or fl.sfont_iteration_start is None:
            return []
        sfont = fl.get_sfont_by_id(self._synth, sfid)
        out: list[Preset] = []
        fl.sfont_iteration_start(sfont)
        while preset := fl.sfont_iteration_next(sfont):
            name = fl.preset_get_name(preset) or b""
            out.append(Preset(fl.preset_get_banknum(preset), fl.preset_get_num(preset),
                              name.decode("latin-1").strip()))
        return sorted(out, key=lambda p: (p.bank, p.program))

    def preset_name(self, bank: int, program: int, soundfont: str = "") -> str | None:
        sfid = self.soundfont_id(soundfont)
        if sfid is None:
            return None
        sfont = fl.get_sfont_by_id(self._synth, sfid)
        preset = fl.sfont_get_preset(sfont, bank, program)
        if not preset:
            return None
        return (fl.preset_get_name(preset) or b"").decode("latin-1").strip()

    # -- channels ------------------------------------------------------------------------------
    def configure(self, channel: int, setup: ChannelSetup) -> None:
        """Give a channel its preset, volume and pan (thread-safe; takes effect next block)."""
        _check_channel(channel)
        self._setups[channel] = setup
        fl.set_channel_type(self._synth, channel,
                            fl.CHANNEL_TYPE_DRUM if setup.drums else fl.CHANNEL_TYPE_MELODIC)
        if not self.silent:
            # A SoundFont not loaded (missing on this machine): the default, as GM players do.
            own = self.soundfont_id(setup.soundfont)
            sfid = own if own is not None else self.soundfonts[0][0]
            bank = DRUM_BANK if setup.drums and setup.bank == 0 else setup.bank
            # A preset the font lacks falls back as GM players do: same program in bank 0
            # (or the standard kit), then the first program.
            for b, p in ((bank, setup.program), (DRUM_BANK if setup.drums else 0, setup.program),
                         (DRUM_BANK if setup.drums else 0, 0)):
                if fl.program_select(self._synth, channel, sfid, b, p) == fl.FLUID_OK:
                    break
        fl.cc(self._synth, channel, 7, setup.volume_cc)
        fl.cc(self._synth, channel, 10, setup.pan_cc)

    def setup_of(self, channel: int) -> ChannelSetup | None:
        return self._setups.get(channel)

    def set_monitor(self, setup: ChannelSetup) -> None:
        """Live input plays on MONITOR_CHANNEL with this (the record-armed track's) setup."""
        self.configure(MONITOR_CHANNEL, setup)

    # -- events: callable from any thread ----------------------------------------------------
    def note_on(self, channel: int, key: int, velocity: int) -> None:
        if not 0 <= channel < USABLE_CHANNELS:
            return
        if velocity <= 0:
            fl.noteoff(self._synth, channel, key)
        else:
            fl.noteon(self._synth, channel, key, min(velocity, 127))

    def note_off(self, channel: int, key: int) -> None:
        if not 0 <= channel < USABLE_CHANNELS:
            return
        fl.noteoff(self._synth, channel, key)

    def control_change(self, channel: int, controller: int, value: int) -> None:
        if not 0 <= channel < USABLE_CHANNELS:
            return
        fl.cc(self._synth, channel, controller, max(0, min(127, value)))

    def pitch_bend(self, channel: int, value: int) -> None:
        """``value`` -8192..8191, 0 is no bend."""
        if not 0 <= channel < USABLE_CHANNELS:
            return
        fl.pitch_bend(self._synth, channel, max(0, min(16383, value + 8192)))

    def program_change(self, channel: int, program: int, bank: int | None = None) -> None:
        setup = self._setups.get(channel, ChannelSetup())
        self.configure(channel, ChannelSetup(setup.bank if bank is None else bank, program,
                                             setup.volume, setup.pan, setup.drums,
                                             setup.soundfont))

    def release(self, channel: int) -> None:
        """Sustain off, then all notes off (they ring out through their release)."""
        _check_channel(channel)
        fl.cc(self._synth, channel, 64, 0)
        fl.all_notes_off(self._synth, channel)

    def silence(self) -> None:
        """Every voice on every channel stops at once (a panic)."""
        for channel in range(USABLE_CHANNELS):
            fl.cc(self._synth, channel, 64, 0)
        fl.all_sounds_off(self._synth, -1)

    def active_voices(self) -> int:
        return int(fl.active_voices(self._synth))

    # -- rendering -----------------------------------------------------------------------------
    @property
    def block_phase(self) -> int:
        """Samples into FluidSynth's current 64-sample block (0: on a boundary)."""
        return self.samples_written % BLOCK

    def render(self, n: int) -> Audio:
        """The next ``n`` samples as float32, shape (n, 2)."""
        out = np.empty((n, 2), dtype=np.float32)
        self.render_into(out)
        return out

    def render_into(self, out: Audio, start: int = 0, stop: int | None = None) -> None:
        """Render into rows ``start:stop`` of a C-contiguous float32 (n, 2) array."""
        stop = out.shape[0] if stop is None else stop
        n = stop - start
        if n <= 0:
            return
        if out.dtype != np.float32 or out.ndim != 2 or out.shape[1] != 2 \
                or not out.flags.c_contiguous:
            raise ValueError("render_into needs a C-contiguous float32 array of shape (n, 2)")
        base = out.ctypes.data + start * 8
        with self._render_lock:
            if self._closed or not self.soundfonts:
                # Closed, or no SoundFont: nothing can sound; exact silence, time still runs.
                out[start:stop] = 0.0
                self.samples_written += n
                return
            fl.write_float(self._synth, n, base, 0, 2, base + 4, 0, 2)
            self.samples_written += n

    def set_sample_rate(self, rate: int) -> None:
        """Follow a device that runs at another rate (FluidSynth resets its voices)."""
        if rate != self.sample_rate and fl.set_sample_rate is not None:
            fl.set_sample_rate(self._synth, float(rate))
            self.sample_rate = int(rate)
            for channel, setup in list(self._setups.items()):
                self.configure(channel, setup)

    # -- lifetime ------------------------------------------------------------------------------
    def close(self) -> None:
        with self._render_lock:
            if self._closed:
                return
            self._closed = True
            # FluidSynth's calls refuse a NULL synth: a late MIDI message is a no-op, not a crash.
            self._synth = 0
        self._fs.delete()

    def __enter__(self) -> SynthEngine:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
