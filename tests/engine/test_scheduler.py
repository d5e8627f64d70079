"""Sample-tight scheduling: each event on the 64-sample block boundary nearest its sample."""

from __future__ import annotations

import random

import numpy as np
import pytest

from audio_checks import onsets
from cuesketch.engine import soundfonts
from cuesketch.engine.scheduler import NOTE_ON, Event, Scheduler, nearest_boundary
from cuesketch.engine.synth import ChannelSetup, SynthEngine

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")


def test_nearest_boundary():
    assert [nearest_boundary(s) for s in (0, 1, 31, 32, 63, 64, 95, 96)] == \
        [0, 0, 0, 64, 64, 64, 64, 128]


@pytest.mark.parametrize("chunk", [64, 256, 333, 1000, 4096])
def test_onsets_within_half_a_block_whatever_the_chunk_size(chunk):
    rng = random.Random(chunk)
    due = [5000 + i * 20000 + rng.randrange(64) for i in range(12)]
    with SynthEngine(reverb=False, chorus=False) as synth:
        synth.configure(9, ChannelSetup(drums=True))
        sched = Scheduler(synth)
        events = [Event(t, NOTE_ON, 9, 76, 110) for t in due]
        blocks = []
        total = 0
        while total < due[-1] + 10000:
            end = total + chunk
            # The caller hands over what is due up to half a block past the chunk's end.
            now = [e for e in events if total <= e.time < end + 32]
            events = [e for e in events if e.time >= end + 32]
            blocks.append(sched.render(chunk, now))
            total = end
    found = onsets(np.vstack(blocks))
    assert len(found) == len(due)
    errors = [o - 1 - t for o, t in zip(found, due)]
    assert max(map(abs, errors)) <= 32, errors
    assert sched.max_error <= 32


def test_an_event_past_the_chunk_waits_for_the_next_one():
    with SynthEngine(reverb=False, chorus=False) as synth:
        sched = Scheduler(synth)
        sched.render(100, [Event(150, NOTE_ON, 9, 76, 100)])
        assert [e.time for e in sched.pending] == [150]
        sched.render(100)
        assert sched.pending == []
        sched.render(100, [Event(500, NOTE_ON, 9, 76, 100)])
        assert sched.clear() and sched.pending == []


def test_a_late_event_plays_at_once():
    with SynthEngine(reverb=False, chorus=False) as synth:
        synth.configure(9, ChannelSetup(drums=True))
        sched = Scheduler(synth)
        sched.render(3000)
        out = sched.render(3000, [Event(1000, NOTE_ON, 9, 76, 110)])  # 2000 samples late
        assert onsets(np.vstack([np.zeros((3000, 2), np.float32), out]))[0] == 3000 + 8 + 1
        assert sched.max_error == 3008 - 1000
