"""Realtime output on a real driver: JACK with the dummy backend; and no device at all."""

from __future__ import annotations

import time

import pytest

from cuesketch.engine import soundfonts
from cuesketch.engine.audio_out import SILENT_STATUS, AudioOutput
from cuesketch.engine.playback import Playback
from cuesketch.engine.synth import SynthEngine
from cuesketch.engine.transport import Transport
from cuesketch.model.entities import Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SECOND

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")


def project() -> Project:
    p = Project()
    p.load(Settings(), [Track(1, "Piano"), Note(1, 1, 0, FLICKS_PER_SECOND, 60, 100)])
    return p


@pytest.mark.jack
def test_the_jack_callback_plays_and_drives_the_transport(jackd):
    transport = Transport()
    with SynthEngine() as synth:
        playback = Playback(synth, project(), transport=transport)
        out = AudioOutput(playback, drivers=["jack"], client_name="cuesketch-test")
        try:
            assert out.start(), out.failures
            assert out.driver == "jack" and out.status.startswith("jack: ")
            assert out.period > 0 and out.sample_rate == 48000
            transport.play()
            assert out.wait_for_callbacks(50)
            t0, p0 = time.monotonic(), transport.position()
            assert out.wait_for_callbacks(100)
            elapsed = (time.monotonic() - t0) * FLICKS_PER_SECOND
            moved = transport.position() - p0
            assert abs(moved - elapsed) < 0.05 * FLICKS_PER_SECOND
            # the rendered position leads what is heard by the output latency
            lead = playback.position - transport.position()
            assert 0 <= lead < FLICKS_PER_SECOND // 10
            assert synth.active_voices() > 0 and out.errors == 0
            transport.stop()
            assert out.wait_for_callbacks(5) and not playback.playing
        finally:
            out.stop()
    assert out.driver is None


def test_no_device_runs_silent_and_says_so():
    with SynthEngine(None) as synth:
        playback = Playback(synth, project())
        out = AudioOutput(playback, drivers=["no-such-driver"], start_timeout=0.2)
        assert out.start() is False
        assert out.silent and out.status == SILENT_STATUS
        assert "no-such-driver" in out.failures


def test_a_closed_output_is_watched_no_more_and_waits_for_a_watch_in_progress():
    import threading
    import time
    with SynthEngine(None) as synth:
        playback = Playback(synth, project())
        out = AudioOutput(playback, drivers=["no-such-driver"], start_timeout=0.2)
        out.lost = "no-such-driver"  # as if its driver had gone: the watch looks for it
        out._watch_lock.acquire()  # a watch in progress on the watcher thread
        closed = threading.Event()
        closer = threading.Thread(target=lambda: (out.close(), closed.set()))
        closer.start()
        time.sleep(0.1)
        assert not closed.is_set()  # Preferences waits for that watch to end
        out._watch_lock.release()
        closer.join(5)
        assert closed.is_set() and out.driver is None
        assert out.watch() is None and out.driver is None  # never reopened once closed
