"""Playback: the project as time-sorted synth events, rendered sample-tight on demand.

``Playback.process(n)`` is the one render path: the audio callback calls it (and reports every
period to ``Transport.device_period``: the audio device is the master clock, and the transport
says where a take starts or the audio re-cues), and so does the offline renderer. Each call
hands the scheduler the events due in the next ``n`` samples plus its half-block look-ahead,
walking the transport position through loop wraps.

The project is read into an immutable ``Snapshot`` (``play_snapshot``: notes and controller
points in samples, per-track channels, mute/solo applied). Edits mark it stale
(``Document.observe``); the next ``process`` (or a background thread) rebuilds it and the audio
thread adopts it between two buffers: changed channel setups are sent, and a sounding note that
was deleted, moved or muted is ended at once. Note-offs come from the notes playback started (a
heap of their ends), so an edit can never leave a note hanging.

Seeks, play and stop reach the audio thread as typed messages (``PlayFrom``, ``Stop``,
``SetLoop``, ``Follow``: from ``play``/``stop`` or from the transport's listener). A stop or a
jump ends the notes (sustain off, all notes off); a start, a jump or a loop wrap chases the
controllers (the pedal already down, the bend in force) and the notes already sounding at the
new position.
"""

from __future__ import annotations

import heapq
import threading
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cuesketch.engine.click import Click, SynthesizedClick
from cuesketch.engine.play_snapshot import ChannelMap, PlayNote, Snapshot
from cuesketch.engine.scheduler import LOOKAHEAD, NOTE_OFF, NOTE_ON, RELEASE, Event, Scheduler
from cuesketch.engine.synth import (CLICK_CHANNEL, MONITOR_CHANNEL, Audio, ChannelSetup,
                                    SynthEngine)
from cuesketch.engine.transport import Transport, TransportState
from cuesketch.model.changes import Change
from cuesketch.model.document import Document
from cuesketch.model.project import Project
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import flicks_to_samples, samples_to_flicks


@dataclass(frozen=True)
class PlayFrom:
    """Offline use: start (or jump) at a position, in flicks."""

    position: int


@dataclass(frozen=True)
class Stop:
    pass


@dataclass(frozen=True)
class SetLoop:
    loop: tuple[int, int] | None  # flicks


@dataclass(frozen=True)
class Follow:
    """The transport changed (play, stop, seek, loop, record)."""

    state: TransportState


Message = PlayFrom | Stop | SetLoop | Follow


class Playback:
    """Plays a project (or a Document's) through a SynthEngine, driven by ``process``."""

    def __init__(self, synth: SynthEngine, project: Project | None = None, *,
                 document: Document | None = None, transport: Transport | None = None,
                 click: Click | None = None, chase_notes: bool = True,
                 background_rebuild: bool = False) -> None:
        if project is None and document is None:
            raise ValueError("Playback needs a project or a document")
        self.synth = synth
        self.document = document
        self.project: Project = document.project if document is not None else project  # type: ignore[assignment]
        self.transport = transport
        self.click = click or Click()
        self.click_tempo: TempoMap | None = None  # the click's tempo map if not the project's
        self.chase_notes = chase_notes
        self.scheduler = Scheduler(synth)
        self.rate = synth.sample_rate
        self._channels = ChannelMap()
        self._snap = Snapshot(self.rate)
        self._next_snap: Snapshot | None = None
        self._dirty = True
        self._handoff = threading.Lock()  # guards _next_snap only: held for an assignment
        # Bounded: with no audio device nothing drains it, and only the latest matter then.
        self._commands: deque[Message] = deque(maxlen=4096)
        # Audio-thread state.
        self._playing = False
        self._pos = 0  # transport sample at the next sample rendered
        self._sched_out = 0  # output (synth) sample up to which events were handed over
        self._sched_pos = 0  # the transport sample at _sched_out
        self._loop: tuple[int, int] | None = None
        self._active: dict[int, PlayNote] = {}
        self._ends: list[tuple[int, int]] = []  # heap of (end sample, note id)
        self._held: dict[tuple[int, int], int] = {}  # (channel, key) -> notes sounding it
        self._immediate: list[Event] = []
        self._click_level_sent = -1
        self._synth_click = SynthesizedClick(self.rate)
        self._synth_click_hits: list[tuple[int, bool]] = []  # (output sample, accent)
        self._monitor_track: int | None = None
        self._epoch = -1  # the transport state last heard of (see Transport.device_period)
        self._device_driven = False  # an audio device calls process (it reports its periods)
        self._latency_samples = 0
        self._worker: threading.Thread | None = None
        self._wake = threading.Event()
        self._closed = False
        # Live (background rebuild): a SoundFont is never loaded while playing (loading blocks
        # the synth); its tracks play General MIDI until the transport stops, then it loads.
        self._fonts_deferred = False
        # Plain-words notes about SoundFonts (deferred, missing) for the status bar; called
        # from the rebuild thread.
        self.say: Callable[[str], None] | None = None
        if background_rebuild:
            self._worker = threading.Thread(target=self._rebuild_loop, name="playback-rebuild",
                                            daemon=True)
            self._worker.start()
        if document is not None:
            document.observe(self._on_change)
        if transport is not None:
            transport.observe(self._on_transport)
        self._rebuild()
        self._adopt()

    # -- commands: any thread ------------------------------------------------------------------
    def play(self, position: int) -> None:
        """Start (or jump) at ``position`` flicks: for offline use. With a transport, drive
        the transport instead (play, seek, stop, set_loop): playback follows it."""
        self._commands.append(PlayFrom(position))

    def stop(self) -> None:
        self._commands.append(Stop())

    def set_loop(self, loop: tuple[int, int] | None) -> None:
        """Loop ``(start, end)`` flicks while playing, or None."""
        self._commands.append(SetLoop(loop))

    def set_sample_rate(self, rate: int) -> None:
        """Follow an audio device that runs at another rate (before playing, ideally)."""
        if rate == self.rate:
            return
        position = self.position
        self.synth.set_sample_rate(rate)
        self.rate = self.synth.sample_rate
        self._synth_click = SynthesizedClick(self.rate)
        self._rebuild()
        if self._playing:
            self.play(position)

    def invalidate(self) -> None:
        """The project changed: rebuild before the next buffer (or in the background)."""
        self._dirty = True
        if self._worker is not None:
            self._wake.set()

    def monitor(self, track_id: int | None) -> int:
        """Set the monitor channel up as ``track_id``'s instrument; returns MONITOR_CHANNEL.

        Live input plays there, so playback's note-offs (a seek, a loop) never cut a held key.
        """
        self._monitor_track = track_id
        snap = self._snap
        if track_id is not None and track_id in snap.track_channels:
            self.synth.set_monitor(snap.setups[snap.track_channels[track_id]])
        return MONITOR_CHANNEL

    def channel_of(self, track_id: int) -> int | None:
        return self._snap.track_channels.get(track_id)

    @property
    def playing(self) -> bool:
        return self._playing

    @property
    def position(self) -> int:
        """The transport position (flicks) of the next sample to be rendered."""
        return samples_to_flicks(self._pos, self.rate)

    @property
    def end(self) -> int:
        """Where the project's last note or controller point ends (flicks)."""
        return samples_to_flicks(self._snap.end, self.rate)

    def close(self) -> None:
        self._closed = True
        self._wake.set()

    # -- listeners ---------------------------------------------------------------------------
    def _on_change(self, changes: Sequence[Change]) -> None:
        if not self._closed:
            self.invalidate()

    def _on_transport(self, state: TransportState) -> None:
        if not self._closed:
            self._commands.append(Follow(state))

    # -- the audio thread ----------------------------------------------------------------------
    def process(self, n: int, out: Audio | None = None, latency_ns: int | None = None) -> Audio:
        """Render the next ``n`` samples (float32, (n, 2)), playing what is due in them.

        With a transport and ``latency_ns`` (how long until the first sample is heard), every
        period is reported to the transport, which follows the samples (the audio device is
        the master clock) and says where a take starts or where the audio must re-cue.
        """
        gate = self.synth.api_gate
        if not gate.acquire(blocking=False):
            # A SoundFont is loading (only ever while stopped): what sounds rings on; commands
            # and events wait for the next period rather than stall this one.
            if out is None:
                out = np.empty((n, 2), dtype=np.float32)
            self.synth.render_into(out)
            return out
        try:
            return self._process(n, out, latency_ns)
        finally:
            gate.release()

    def _process(self, n: int, out: Audio | None, latency_ns: int | None) -> Audio:
        transport = self.transport
        device = transport is not None and latency_ns is not None
        self._device_driven = device
        if latency_ns is not None:
            self._latency_samples = latency_ns * self.rate // 1_000_000_000
        while self._commands:
            self._command(self._commands.popleft())
        if device:
            assert transport is not None and latency_ns is not None
            cue = transport.device_period(self.synth.samples_written,
                                          transport.clock.now_ns() + latency_ns, n, self.rate,
                                          self._epoch)
            if cue is not None:
                self._start_at(flicks_to_samples(cue, self.rate))
        if self._dirty and self._worker is None:
            self._rebuild()
        self._adopt()
        start = self.synth.samples_written
        events, self._immediate = self._immediate, []
        if self._playing:
            self._send_click_level()
            self._window(start + n + LOOKAHEAD, events)
            events.sort()
        buf = self.scheduler.render(n, events, out)
        if self._synth_click_hits or self._synth_click.ringing:
            due = [(t - start, a) for t, a in self._synth_click_hits if t < start + n]
            self._synth_click_hits = [(t, a) for t, a in self._synth_click_hits if t >= start + n]
            self._synth_click.mix(buf, due, self.click.level)
        if self._playing:
            self._pos = self._advance(self._pos, n)
        return buf

    def _command(self, message: Message) -> None:
        if isinstance(message, PlayFrom):
            self._start_at(flicks_to_samples(message.position, self.rate))
        elif isinstance(message, Stop):
            self._stop_sound()
        elif isinstance(message, SetLoop):
            self._loop = self._loop_samples(message.loop)
        else:
            self._follow(message.state)

    def _follow(self, state: TransportState) -> None:
        jumped = state.epoch != self._epoch
        self._epoch = state.epoch
        self._loop = self._loop_samples(state.loop)
        if not state.playing or state.speed != 1.0:
            # A shuttle (J/K/L) runs on the monotonic clock, silently.
            self._stop_sound()
            return
        if self._device_driven:
            return  # the transport says where to start (``device_period``)
        # Offline, with a transport but no device: start where the transport says.
        target = flicks_to_samples(state.position, self.rate)
        tolerance = self.rate // 20 + 2 * self._latency_samples
        if not self._playing or jumped or abs(target - self._pos) > tolerance:
            self._start_at(target)

    def _loop_samples(self, loop: tuple[int, int] | None) -> tuple[int, int] | None:
        if loop is None:
            return None
        a, b = flicks_to_samples(loop[0], self.rate), flicks_to_samples(loop[1], self.rate)
        return (a, b) if b > a else None

    def _release_all(self, at: int, events: list[Event]) -> None:
        for ch in set(self._snap.audible) | {n.channel for n in self._active.values()}:
            events.append(Event(at, RELEASE, ch))
        events.append(Event(at, RELEASE, CLICK_CHANNEL))
        self._active.clear()
        self._ends.clear()
        self._held.clear()

    def _stop_sound(self) -> None:
        if self._playing:
            self.scheduler.clear()
            self._release_all(self.synth.samples_written, self._immediate)
        self._playing = False
        self._synth_click_hits.clear()
        if self._fonts_deferred:
            self.invalidate()  # now the SoundFonts held back while playing can load

    def _start_at(self, position: int) -> None:
        now = self.synth.samples_written
        if self._playing:
            self.scheduler.clear()
            self._synth_click_hits.clear()
        self._release_all(now, self._immediate)
        self._pos = self._sched_pos = position
        self._sched_out = now
        self._chase(position, now, self._immediate)
        self._playing = True

    def _chase(self, position: int, at: int, events: list[Event]) -> None:
        snap = self._snap
        events += [e._replace(time=at) for e in snap.controls_before(position)]
        if self.chase_notes:
            for note in snap.notes_sounding(position):
                self._note_on(note, at, events)

    def _advance(self, pos: int, k: int) -> int:
        loop = self._loop
        while loop is not None and pos < loop[1] <= pos + k:
            k -= loop[1] - pos
            pos = loop[0]
        return pos + k

    def _window(self, until: int, events: list[Event]) -> None:
        """Hand over the events for output samples [_sched_out, until)."""
        o, p = self._sched_out, self._sched_pos
        while o < until:
            q = p + (until - o)
            loop = self._loop
            wrap = loop is not None and p < loop[1] <= q
            if wrap:
                assert loop is not None
                q = loop[1]
            self._segment(p, q, o, events)
            o += q - p
            p = q
            if wrap:
                assert loop is not None
                self._release_all(o, events)
                p = loop[0]
                self._chase(p, o, events)
        self._sched_out, self._sched_pos = o, p

    def _segment(self, p: int, q: int, o: int, events: list[Event]) -> None:
        """Events of transport samples [p, q), placed from output sample ``o``."""
        snap = self._snap
        shift = o - p
        starts = snap.starts
        for note in snap.notes[bisect_left(starts, p):bisect_left(starts, q)]:
            self._note_on(note, note.start + shift, events)
        times = snap.ctl_times
        for e in snap.ctls[bisect_left(times, p):bisect_left(times, q)]:
            events.append(e._replace(time=e.time + shift))
        ends = self._ends
        while ends and ends[0][0] < q:
            end, nid = heapq.heappop(ends)
            ending = self._active.get(nid)
            if ending is not None and ending.end == end:  # else: ended already, or changed
                del self._active[nid]
                self._note_off(ending, max(end, p) + shift, events)
        click = self.click
        if click.enabled or click.count_in is not None:
            if self.click_tempo is not None:
                hits = click.hits(p, q, self.click_tempo, snap.frame_rate, self.rate)
            else:  # each stretch by the map in force there (a cue's own inside it)
                hits = click.hits(p, q, snap.tempo, snap.frame_rate, self.rate, snap.stretches)
            if click.sound == "synth" or self.synth.silent:
                self._synth_click_hits += [(h.time + shift, h.accent) for h in hits]
            else:
                for h in hits:
                    events.append(Event(h.time + shift, NOTE_ON, CLICK_CHANNEL,
                                        click.accent_key if h.accent else click.beat_key,
                                        click.accent_velocity if h.accent else click.beat_velocity))

    def _note_on(self, note: PlayNote, at: int, events: list[Event]) -> None:
        key = (note.channel, note.key)
        self._held[key] = self._held.get(key, 0) + 1
        self._active[note.id] = note
        heapq.heappush(self._ends, (note.end, note.id))
        events.append(Event(at, NOTE_ON, note.channel, note.key, note.velocity))

    def _note_off(self, note: PlayNote, at: int, events: list[Event]) -> None:
        # Two notes on one key: the key is released when the last of them ends.
        key = (note.channel, note.key)
        left = self._held.get(key, 1) - 1
        if left > 0:
            self._held[key] = left
        else:
            self._held.pop(key, None)
            events.append(Event(at, NOTE_OFF, note.channel, note.key))

    def _send_click_level(self) -> None:
        level = max(0, min(127, round(self.click.level * 127)))
        if level != self._click_level_sent:
            self.synth.configure(CLICK_CHANNEL, ChannelSetup(volume=self.click.level, drums=True))
            self._click_level_sent = level

    # -- snapshots -----------------------------------------------------------------------------
    def _rebuild(self) -> None:
        self._dirty = False
        snap = Snapshot.build(self.project, self._channels, self.rate)
        # Tracks' own SoundFonts load here, before the audio thread adopts the snapshot; live,
        # only while stopped (a load blocks the synth: playing notes would stall).
        fonts = [s.soundfont for s in snap.setups.values()]
        waiting = self.synth.unloaded(fonts)
        if waiting and self._worker is not None and self._playing:
            if not self._fonts_deferred:
                self._tell(f"{', '.join(Path(n).name for n in waiting)} will load when playback "
                           "stops; until then the tracks play General MIDI")
            self._fonts_deferred = True
        else:
            self._fonts_deferred = False
            for warning in self.synth.prepare_soundfonts(fonts):
                self._tell(warning)
        with self._handoff:
            self._next_snap = snap

    def _tell(self, message: str) -> None:
        if self.say is not None:
            self.say(message)

    def _rebuild_loop(self) -> None:
        while not self._closed:
            self._wake.wait()
            self._wake.clear()
            if self._closed:
                return
            if self._dirty:
                self._rebuild()

    def _adopt(self) -> None:
        with self._handoff:
            new, self._next_snap = self._next_snap, None
        if new is None:
            return
        old, self._snap = self._snap, new
        synth = self.synth
        for ch, setup in new.setups.items():
            if old.setups.get(ch) != setup or synth.setup_of(ch) != setup:
                synth.configure(ch, setup)
        now = synth.samples_written
        for ch in set(old.setups) - set(new.setups):
            self._immediate.append(Event(now, RELEASE, ch))
        # A sounding note that was deleted, changed or muted ends now.
        for nid, note in list(self._active.items()):
            if new.note_by_id.get(nid) != note:
                del self._active[nid]
                self._note_off(note, now, self._immediate)
        if self._monitor_track is not None:
            self.monitor(self._monitor_track)
