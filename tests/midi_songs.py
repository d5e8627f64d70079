"""MIDI files made for the sound tests and benchmarks: deterministic, musical, many features.

``song(seconds)`` is a type 1 file like one a DAW writes: a conductor track (name, SMPTE
offset, tempo changes, a meter change, markers) and piano, strings, bass and drum tracks with
programs, volume, pan, sustain pedal, modulation and pitch bend.
"""

from __future__ import annotations

import random
from pathlib import Path

import mido

PPQ = 480


def _track(events: list[tuple[int, mido.Message | mido.MetaMessage]]) -> mido.MidiTrack:
    track = mido.MidiTrack()
    now = 0
    order = {"note_off": 0, "control_change": 1, "pitchwheel": 1, "program_change": 1}
    for tick, msg in sorted(events, key=lambda e: (e[0], order.get(e[1].type, 2))):
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    return track


def song(bars: int = 16, seed: int = 5, ppq: int = PPQ) -> mido.MidiFile:
    rng = random.Random(seed)
    mid = mido.MidiFile(type=1, ticks_per_beat=ppq)
    bar = 4 * ppq
    conductor = [
        (0, mido.MetaMessage("track_name", name="Test Song")),
        (0, mido.MetaMessage("smpte_offset", frame_rate=25, hours=1, minutes=0, seconds=10,
                             frames=5, sub_frames=0)),
        (0, mido.MetaMessage("time_signature", numerator=4, denominator=4)),
        (0, mido.MetaMessage("set_tempo", tempo=500_000)),
        (0, mido.MetaMessage("marker", text="Intro")),
        (4 * bar, mido.MetaMessage("set_tempo", tempo=investigate_tempo(rng))),
        (8 * bar, mido.MetaMessage("marker", text="Hit: door slam")),
        (8 * bar, mido.MetaMessage("set_tempo", tempo=600_000)),
        (12 * bar, mido.MetaMessage("time_signature", numerator=3, denominator=4)),
    ]
    mid.tracks.append(_track(conductor))
    chords = [(48, 52, 55, 60), (45, 48, 52, 57), (41, 45, 48, 53), (43, 47, 50, 55)]

    def pos(b: int) -> int:  # 4/4 up to bar 12, then 3/4
        return b * bar if b <= 12 else 12 * bar + (b - 12) * 3 * ppq

    piano = [(0, mido.MetaMessage("track_name", name="Piano")),
             (0, mido.Message("program_change", channel=0, program=0)),
             (0, mido.Message("control_change", channel=0, control=7, value=100)),
             (0, mido.Message("control_change", channel=0, control=10, value=40))]
    strings = [(0, mido.MetaMessage("track_name", name="Strings")),
               (0, mido.Message("program_change", channel=1, program=48)),
               (0, mido.Message("control_change", channel=1, control=7, value=90)),
               (0, mido.Message("control_change", channel=1, control=10, value=88))]
    bass = [(0, mido.MetaMessage("track_name", name="Bass")),
            (0, mido.Message("program_change", channel=2, program=32))]
    drums = [(0, mido.MetaMessage("track_name", name="Drums"))]
    for b in range(bars):
        chord = chords[b % 4]
        beats = 3 if b >= 12 else 4
        start = pos(b)
        for beat in range(beats):
            t = start + beat * ppq
            for k in chord:
                v = rng.randrange(60, 100)
                piano.append((t, mido.Message("note_on", channel=0, note=k + 12, velocity=v)))
                piano.append((t + ppq // 2 + rng.randrange(ppq // 4),
                              mido.Message("note_off", channel=0, note=k + 12)))
            drums.append((t, mido.Message("note_on", channel=9, note=42, velocity=80)))
            drums.append((t + ppq // 4, mido.Message("note_on", channel=9, note=42, velocity=0)))
            if beat % 2 == 0:
                drums.append((t, mido.Message("note_on", channel=9, note=36, velocity=110)))
                drums.append((t + ppq // 4, mido.Message("note_off", channel=9, note=36)))
        piano.append((start, mido.Message("control_change", channel=0, control=64, value=127)))
        piano.append((start + beats * ppq - 10,
                      mido.Message("control_change", channel=0, control=64, value=0)))
        for k in chord:
            strings.append((start, mido.Message("note_on", channel=1, note=k, velocity=70)))
            strings.append((start + beats * ppq - 1, mido.Message("note_off", channel=1, note=k)))
        strings.append((start + ppq, mido.Message("control_change", channel=1, control=1,
                                                  value=rng.randrange(128))))
        strings.append((start + ppq, mido.Message("control_change", channel=1, control=11,
                                                  value=rng.randrange(64, 128))))
        bass.append((start, mido.Message("note_on", channel=2, note=chord[0] - 12, velocity=100)))
        bass.append((start + 2 * ppq, mido.Message("note_off", channel=2, note=chord[0] - 12)))
        bass.append((start + 2 * ppq, mido.Message("pitchwheel", channel=2,
                                                   pitch=rng.randrange(-8192, 8192))))
        bass.append((start + 3 * ppq, mido.Message("pitchwheel", channel=2, pitch=0)))
    for events in (piano, strings, bass, drums):
        mid.tracks.append(_track(events))
    return mid


def investigate_tempo(rng: random.Random) -> int:
    return 400_000 + rng.randrange(0, 1000)


def write_song(path: Path, bars: int = 16, seed: int = 5) -> Path:
    song(bars, seed).save(str(path))
    return path


def clicks_file(path: Path, onsets_s: list[float], ppq: int = 960, key: int = 76) -> Path:
    """Type 0, 120 bpm, one woodblock (channel 10) at each time in seconds (tick-rounded)."""
    mid = mido.MidiFile(type=0, ticks_per_beat=ppq)
    events = []
    for s in onsets_s:
        t = round(s * 2 * ppq)
        events.append((t, mido.Message("note_on", channel=9, note=key, velocity=110)))
        events.append((t + ppq // 8, mido.Message("note_off", channel=9, note=key)))
    mid.tracks.append(_track([(0, mido.MetaMessage("set_tempo", tempo=500_000))] + events))
    mid.save(str(path))
    return path
