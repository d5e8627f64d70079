"""What playback plays: the project as time-sorted synth events, in samples.

``Snapshot.build`` reads a project once into an immutable snapshot (notes and controller
points in transport samples, per-track synth channels, mute and solo applied); the playback
adopts a new one between two buffers when the project changes. ``ChannelMap`` keeps each
track on its synth channel for as long as the track lives.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from cuesketch.engine.click import TempoStretch
from cuesketch.engine.scheduler import CONTROL, PITCH, Event
from cuesketch.engine.synth import PLAYBACK_CHANNELS, ChannelSetup
from cuesketch.model.entities import Controller, Track
from cuesketch.model.project import Project
from cuesketch.model.tempo_regions import regions_in_force
from cuesketch.timing.rates import STANDARD_RATES, FrameRate
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import flicks_to_samples

# Controller state a chase starts from when no point says otherwise.
_CC_DEFAULTS = {1: 0, 11: 127, 64: 0}


class PlayNote(NamedTuple):
    id: int
    channel: int
    key: int
    velocity: int
    start: int  # transport samples
    end: int


def track_setup(track: Track) -> ChannelSetup:
    return ChannelSetup(track.bank, track.program, track.volume, track.pan,
                        drums=track.channel == 9 or track.bank == 128, soundfont=track.soundfont)


class ChannelMap:
    """Which synth channel each track plays on, stable while the track lives.

    A track takes its own ``channel`` when that is free, else the first free channel from 16
    up, so two tracks on one MIDI channel (two programs) never share a synth channel.
    """

    def __init__(self) -> None:
        self._of: dict[int, int] = {}

    def assign(self, tracks: Sequence[Track]) -> dict[int, int]:
        ids = {t.id for t in tracks}
        self._of = {tid: ch for tid, ch in self._of.items() if tid in ids}
        used = set(self._of.values())
        for t in tracks:
            if t.id in self._of:
                continue
            if 0 <= t.channel < 16 and t.channel not in used:
                ch = t.channel
            else:
                ch = next((c for c in range(16, PLAYBACK_CHANNELS) if c not in used),
                          next((c for c in range(PLAYBACK_CHANNELS) if c not in used), 0))
            self._of[t.id] = ch
            used.add(ch)
        return dict(self._of)


@dataclass(frozen=True)
class Snapshot:
    """What playback plays, in transport samples at ``rate``; immutable once built."""

    rate: int
    tempo: TempoMap = field(default_factory=TempoMap)
    frame_rate: FrameRate = STANDARD_RATES["24"]
    track_channels: dict[int, int] = field(default_factory=dict)
    setups: dict[int, ChannelSetup] = field(default_factory=dict)  # every track's channel
    audible: tuple[int, ...] = ()  # channels of the tracks that sound (mute/solo)
    starts: list[int] = field(default_factory=list)  # note starts, sorted
    notes: list[PlayNote] = field(default_factory=list)  # in the order of ``starts``
    note_by_id: dict[int, PlayNote] = field(default_factory=dict)
    max_length: int = 0
    ctl_times: list[int] = field(default_factory=list)
    ctls: list[Event] = field(default_factory=list)  # time = transport sample
    # per (channel, kind, controller): the point times and the points, for chasing
    lanes: dict[tuple[int, int, int], tuple[list[int], list[Event]]] = \
        field(default_factory=dict)
    end: int = 0  # the last note end or point, samples
    # where a cue has a map of its own, the stretches each map is in force (else empty: the
    # project's map everywhere)
    stretches: tuple[TempoStretch, ...] = ()

    @classmethod
    def build(cls, project: Project, channels: ChannelMap, rate: int) -> Snapshot:
        tracks = project.sorted_tracks()
        track_channels = channels.assign(tracks)
        audible_tracks = set(project.heard_tracks())
        setups = {track_channels[t.id]: track_setup(t) for t in tracks}
        notes: list[PlayNote] = []
        for n in list(project.notes.values()):
            if n.track_id in audible_tracks:
                start = flicks_to_samples(n.start, rate)
                end = max(flicks_to_samples(n.end, rate), start + 1)
                notes.append(PlayNote(n.id, track_channels[n.track_id], n.pitch, n.velocity,
                                      start, end))
        notes.sort(key=lambda n: (n.start, n.channel, n.key))
        ctls: list[Event] = []
        for p in list(project.controls.values()):
            if p.track_id not in audible_tracks:
                continue
            t = flicks_to_samples(p.time, rate)
            ch = track_channels[p.track_id]
            if p.controller is Controller.PITCH_BEND:
                ctls.append(Event(t, PITCH, ch, p.value))
            else:
                ctls.append(Event(t, CONTROL, ch, p.controller.cc or 0, p.value))
        ctls.sort()
        lanes: dict[tuple[int, int, int], tuple[list[int], list[Event]]] = {}
        for e in ctls:
            times, points = lanes.setdefault(_lane(e), ([], []))
            times.append(e.time)
            points.append(e)
        end = max([n.end for n in notes] + [e.time for e in ctls] + [0])
        return cls(rate=rate, tempo=project.settings.tempo, frame_rate=project.settings.rate,
                   stretches=tempo_stretches(project, rate),
                   track_channels=track_channels, setups=setups,
                   audible=tuple(sorted({track_channels[t] for t in audible_tracks})),
                   starts=[n.start for n in notes], notes=notes,
                   note_by_id={n.id: n for n in notes},
                   max_length=max((n.end - n.start for n in notes), default=0),
                   ctl_times=[e.time for e in ctls], ctls=ctls, lanes=lanes, end=end)

    def controls_before(self, position: int) -> list[Event]:
        """The controller state in force just before ``position`` on every audible channel."""
        state: dict[tuple[int, int, int], Event] = {}
        for ch in self.audible:
            for cc, value in _CC_DEFAULTS.items():
                state[(ch, CONTROL, cc)] = Event(0, CONTROL, ch, cc, value)
            state[(ch, PITCH, 0)] = Event(0, PITCH, ch, 0)
        for lane, (times, points) in self.lanes.items():
            i = bisect_left(times, position)
            if i:
                state[lane] = points[i - 1]
        return list(state.values())

    def notes_sounding(self, position: int) -> list[PlayNote]:
        """Notes that started before ``position`` and are still sounding at it."""
        i = bisect_left(self.starts, position - self.max_length)
        j = bisect_left(self.starts, position)
        return [n for n in self.notes[i:j] if n.end > position]


def tempo_stretches(project: Project, rate: int) -> tuple[TempoStretch, ...]:
    """The stretches where each tempo map is in force, in samples at ``rate`` (none when
    the project's map holds everywhere)."""
    regions = regions_in_force(project)
    if len(regions) == 1:
        return ()

    def samples(t: int | None) -> int | None:
        return None if t is None else flicks_to_samples(t, rate)

    return tuple(TempoStretch(samples(r.start), samples(r.end), r.tempo) for r in regions)


def _lane(e: Event) -> tuple[int, int, int]:
    return (e.channel, e.kind, e.a if e.kind == CONTROL else 0)
