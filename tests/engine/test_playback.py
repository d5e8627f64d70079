"""Playback, golden-style: render offline and read the samples.

Onsets must land within 32 samples of their due sample, silence where nothing is due, and
loops, seeks, stops, mute/solo and edits during playback must sound as they say.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from audio_checks import onsets, rms
from cuesketch.engine import soundfonts
from cuesketch.engine.click import Click
from cuesketch.engine.clock import FakeClock
from cuesketch.engine.playback import Playback
from cuesketch.engine.synth import MONITOR_CHANNEL, SynthEngine
from cuesketch.engine.transport import Transport
from cuesketch.model.changes import delete, insert, replace
from cuesketch.model.document import Document
from cuesketch.model.entities import ControlPoint, Controller, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import FLICKS_PER_SAMPLE, FLICKS_PER_SECOND

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")
S = FLICKS_PER_SAMPLE  # flicks per sample at 48 kHz
WOOD = 76


@pytest.fixture
def synth():
    s = SynthEngine(reverb=False, chorus=False)
    yield s
    s.close()


def drum_project(starts: list[int], length: int = 2400, **track) -> Project:
    """A percussion track with a woodblock at each start (samples)."""
    p = Project()
    p.load(Settings(), [Track(1, "Perc", channel=9, **track)]
           + [Note(i + 1, 1, s * S, length * S, WOOD, 110) for i, s in enumerate(starts)])
    return p


def play(pb: Playback, samples: int, chunk: int = 512, start: int = 0) -> np.ndarray:
    pb.play(start)
    out = []
    done = 0
    while done < samples:
        n = min(chunk, samples - done)
        out.append(pb.process(n).copy())
        done += n
    return np.vstack(out)


@pytest.mark.parametrize("chunk", [256, 441, 1024])
def test_onsets_land_within_half_a_block_and_silence_between(synth, chunk):
    due = [3000 + 24000 * i + 13 * i for i in range(10)]
    pb = Playback(synth, drum_project(due))
    out = play(pb, due[-1] + 24000, chunk)
    found = [o - 1 for o in onsets(out)]
    assert len(found) == len(due)
    assert max(abs(f - d) for f, d in zip(found, due)) <= 32
    assert not np.any(out[:due[0] - 32])  # silence before the first note
    assert not np.any(out[due[0] + 20000:due[1] - 32])  # and after each has died away


def test_levels_follow_the_track_volume(synth):
    due = [3000]
    loud = play(Playback(synth, drum_project(due, volume=1.0)), 20000)
    with SynthEngine(reverb=False, chorus=False) as other:
        soft = play(Playback(other, drum_project(due, volume=0.4)), 20000)
    assert 0.05 < rms(soft) / rms(loud) < 0.6


def test_mute_and_solo(synth):
    p = drum_project([3000], mute=True)
    assert not np.any(play(Playback(synth, p), 10000))
    p = Project()
    p.load(Settings(), [Track(1, "a", channel=9), Track(2, "b", channel=9, solo=True),
                        Note(1, 1, 3000 * S, 2400 * S, WOOD, 110),
                        Note(2, 2, 30000 * S, 2400 * S, WOOD, 110)])
    with SynthEngine(reverb=False, chorus=False) as other:
        found = onsets(play(Playback(other, p), 40000))
    assert len(found) == 1 and abs(found[0] - 1 - 30000) <= 32


def test_playing_from_the_middle_chases_a_sounding_note(synth):
    p = Project()
    p.load(Settings(), [Track(1, "Strings", program=48),
                        Note(1, 1, 0, 4 * FLICKS_PER_SECOND, 60, 100)])
    out = play(Playback(synth, p), 9600, start=FLICKS_PER_SECOND)
    assert rms(out[:4800]) > 0.003
    with SynthEngine(reverb=False, chorus=False) as other:
        quiet = play(Playback(other, p, chase_notes=False), 9600, start=FLICKS_PER_SECOND)
    assert not np.any(quiet)


def test_controllers_are_chased_and_played(synth):
    p = Project()
    p.load(Settings(), [
        Track(1, "Strings", program=48),
        ControlPoint(1, 1, 0, Controller.EXPRESSION, 20),
        ControlPoint(2, 1, 2 * FLICKS_PER_SECOND, Controller.EXPRESSION, 127),
        Note(1, 1, 0, 4 * FLICKS_PER_SECOND, 60, 100)])
    pb = Playback(synth, p)
    out = play(pb, 48000 * 3, start=FLICKS_PER_SECOND // 2)  # chase: expression 20
    soft, loud = rms(out[24000:48000]), rms(out[96000:120000])
    assert loud > 3 * soft


def test_stop_ends_every_note_even_under_the_pedal(synth):
    p = Project()
    p.load(Settings(), [Track(1, "Strings", program=48),
                        ControlPoint(1, 1, 0, Controller.SUSTAIN, 127),
                        Note(1, 1, 0, FLICKS_PER_SECOND // 10, 60, 100)])
    pb = Playback(synth, p)
    play(pb, 24000)
    assert synth.active_voices() > 0
    pb.stop()
    for _ in range(48000 * 3 // 1024):
        pb.process(1024)
    assert synth.active_voices() == 0 and not pb.playing


def test_a_loop_plays_its_notes_on_every_pass(synth):
    due = [3000, 30000, 70000]  # the last is outside the loop
    pb = Playback(synth, drum_project(due))
    pb.set_loop((0, 48000 * S))
    out = play(pb, 48000 * 3, chunk=500)
    found = [o - 1 for o in onsets(out)]
    expected = [d + k * 48000 for k in range(3) for d in due[:2]]
    assert len(found) == len(expected)
    assert max(abs(f - e) for f, e in zip(found, expected)) <= 32


def test_a_seek_while_playing_jumps(synth):
    due = [3000, 100000]
    pb = Playback(synth, drum_project(due))
    first = play(pb, 30000)  # the first note has died away
    pb.play(95000 * S)  # a jump: the note at 100000 is 5000 samples ahead
    rest = np.vstack([pb.process(500).copy() for _ in range(30)])
    assert len(onsets(first)) == 1
    found = onsets(rest, gap=1000)
    assert len(found) == 1 and abs(found[0] - 1 - 5000) <= 32


def test_edits_during_playback_are_heard(synth):
    doc = Document(drum_project([3000, 60000]))
    pb = Playback(synth, document=doc)
    out = [play(pb, 20000)]
    note = doc.project.notes[2]
    doc.execute_changes([delete(note), insert(Note(3, 1, 40000 * S, 2400 * S, WOOD, 110))])
    while sum(len(b) for b in out) < 80000:
        out.append(pb.process(500).copy())
    found = [o - 1 for o in onsets(np.vstack(out))]
    assert len(found) == 2 and abs(found[1] - 40000) <= 32


def test_a_deleted_or_muted_sounding_note_stops_at_once(synth):
    p = Project()
    p.load(Settings(), [Track(1, "Strings", program=48),
                        Note(1, 1, 0, 10 * FLICKS_PER_SECOND, 60, 100)])
    doc = Document(p)
    pb = Playback(synth, document=doc)
    play(pb, 9600)
    assert synth.active_voices() > 0
    track = doc.project.tracks[1]
    doc.execute_changes([replace(track, Track(1, "Strings", program=48, mute=True))])
    for _ in range(100):
        pb.process(1024)
    assert synth.active_voices() == 0


def test_background_rebuild_swaps_in_between_buffers(synth):
    doc = Document(drum_project([3000]))
    pb = Playback(synth, document=doc, background_rebuild=True)
    try:
        doc.execute_changes([insert(Note(5, 1, 30000 * S, 2400 * S, WOOD, 110))])
        deadline = time.monotonic() + 5
        while pb._dirty and time.monotonic() < deadline:  # the worker takes it
            time.sleep(0.002)
        time.sleep(0.05)
        out = play(pb, 40000)
        assert len(onsets(out)) == 2
    finally:
        pb.close()


def test_the_click_follows_the_tempo_map_with_accents(synth):
    p = Project()
    p.load(Settings(tempo=TempoMap.constant(120, 3, 4)), [])
    pb = Playback(synth, p, click=Click(enabled=True))
    out = play(pb, 48000 * 3 + 6000, start=-3000 * S)  # from just before the first beat
    found = [o - 1 - 3000 for o in onsets(out, gap=1000)]
    assert len(found) == 7
    assert max(abs(f - 24000 * i) for i, f in enumerate(found)) <= 32
    peaks = [float(np.abs(out[f + 3000:f + 3000 + 4000]).max()) for f in found]
    assert peaks[0] > 1.2 * peaks[1] and peaks[3] > 1.2 * peaks[4]  # downbeats of 3/4


def test_inside_a_cue_with_its_own_map_the_click_follows_that_map(synth):
    """120 bpm outside; the cue from 1 s to 3 s has its own 90 bpm (bar 1 at its start): the
    click changes pace at the cue's start and goes back at its end."""
    from cuesketch.model.entities import Cue
    p = Project()
    p.load(Settings(tempo=TempoMap.constant(120)),
           [Cue(1, "1M1", 24, 72, tempo=TempoMap.constant(90, origin=FLICKS_PER_SECOND))])
    pb = Playback(synth, p, click=Click(enabled=True))
    out = play(pb, 48000 * 4, start=-2000 * S)
    found = [o - 1 - 2000 for o in onsets(out, gap=1000)]
    want = [0, 24000, 48000, 48000 + 32000, 48000 + 64000, 144000, 144000 + 24000]
    assert len(found) == len(want), found
    assert max(abs(f - w) for f, w in zip(found, want)) <= 32


def test_the_count_in_clicks_before_the_record_point(synth):
    p = Project()
    p.load(Settings(tempo=TempoMap.constant(120)), [])
    click = Click(enabled=False)
    record_at = 2 * FLICKS_PER_SECOND
    click.count_in = (click.count_in_start(record_at, 1, p.settings.tempo), record_at)
    assert click.count_in[0] == 0
    pb = Playback(synth, p, click=click)
    out = play(pb, 48000 * 3, start=-2000 * S)
    found = [o - 1 - 2000 for o in onsets(out, gap=1000)]
    assert len(found) == 4 and max(abs(f - 24000 * i) for i, f in enumerate(found)) <= 32


def test_a_frame_click_every_twelve_frames(synth):
    p = Project()
    p.load(Settings(), [])  # 24 fps: 12 frames = half a second
    pb = Playback(synth, p, click=Click(enabled=True, mode="frames", frame_click="12-0",
                                        frame_origin=FLICKS_PER_SECOND // 10))
    out = play(pb, 48000 * 2)
    found = [o - 1 for o in onsets(out, gap=1000)]
    assert len(found) == 4
    assert max(abs(f - (4800 + 24000 * i)) for i, f in enumerate(found)) <= 32


def test_the_synthesized_click_is_sample_exact():
    with SynthEngine(None) as silent:  # no SoundFont: the synthesized tick
        p = Project()
        p.load(Settings(), [])
        pb = Playback(silent, p, click=Click(enabled=True))
        out = play(pb, 48000 * 2, chunk=300, start=-1000 * S)
    found = [o - 1000 for o in onsets(out, gap=500)]
    assert found == [1, 24001, 48001, 72001]  # its first sample is 0, like a voice's


def test_monitoring_plays_on_its_own_channel(synth):
    p = Project()
    p.load(Settings(), [Track(7, "Strings", program=48)])
    pb = Playback(synth, p)
    channel = pb.monitor(7)
    assert channel == MONITOR_CHANNEL and synth.setup_of(channel).program == 48
    synth.note_on(channel, 60, 100)
    pb.play(0)
    pb.stop()  # playback's stop must not cut what the player holds
    assert rms(pb.process(4800)) > 0.003


def test_the_transport_follows_the_samples():
    clock = FakeClock()
    transport = Transport(clock)
    with SynthEngine(None) as synth:
        p = Project()
        p.load(Settings(), [])
        pb = Playback(synth, p, transport=transport)

        def period() -> None:  # the device clock runs 1% fast against the monotonic clock
            pb.process(480, latency_ns=10_000_000)
            clock.advance(9_900_000)

        for _ in range(50):  # the device runs before play is pressed (from the app's start)
            period()
        transport.seek(FLICKS_PER_SECOND)
        transport.play()
        for _ in range(100):
            period()
        heard = transport.position()
        rendered = pb.position
        # The take starts exactly where play was pressed, on the device's first period.
        assert rendered == FLICKS_PER_SECOND + 48000 * S
        assert abs(heard - (rendered - FLICKS_PER_SECOND // 100)) < FLICKS_PER_SECOND // 2000
        transport.stop()
        pb.process(480)
        assert not pb.playing


def test_the_audio_joins_a_transport_that_runs_without_it():
    clock = FakeClock()
    transport = Transport(clock)
    with SynthEngine(None) as synth:
        p = Project()
        p.load(Settings(), [])
        pb = Playback(synth, p, transport=transport)
        transport.seek(FLICKS_PER_SECOND)
        transport.play()  # no device has reported yet: the transport runs on its own clock
        clock.advance(3_000_000)
        pb.process(480, latency_ns=10_000_000)
        # The audio starts where the transport will be when its first sample is heard.
        assert pb.playing
        started = pb.position - 480 * S
        assert abs(started - (FLICKS_PER_SECOND + 13 * FLICKS_PER_SECOND // 1000)) <= S


@pytest.mark.parametrize("sound", ["gm", "synth"])
def test_the_click_level_and_sound_from_the_preferences(synth, sound):
    from cuesketch.app import apply_click_preferences
    from cuesketch.prefs import Preferences

    def peak(level: float) -> float:
        p = Project()
        p.load(Settings(tempo=TempoMap.constant(120)), [])
        click = Click(enabled=True)
        apply_click_preferences(click, Preferences(click_level=level, click_sound=sound))
        assert (click.level, click.sound) == (level, sound)
        out = play(Playback(synth, p, click=click), 48000, start=-1000 * S)
        return float(np.abs(out).max())

    loud, soft = peak(0.8), peak(0.2)
    assert loud > 0.01 and soft > 0
    assert loud / soft > 2.5  # quieter by the level (CC7 is a curve for "gm", a gain for "synth")
    assert peak(0.0) < 1e-4


def test_click_preferences_out_of_range_are_kept_sane():
    from cuesketch.app import apply_click_preferences
    from cuesketch.prefs import Preferences
    click = Click()
    apply_click_preferences(click, Preferences(click_level=7.0, click_sound="cowbell"))
    assert (click.level, click.sound) == (1.0, "gm")
