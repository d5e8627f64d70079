"""The core loop end to end, on real parts, as the composition root builds them.

A virtual JACK MIDI keyboard plays into the app's MIDI input (the first port found, as on a
fresh install); the synth sounds as it is played (FluidSynth on JACK audio); the take lands in
the project file as one undo step at the picture time it was played; the project closed and
reopened holds it; an offline render of it sounds where it was played.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import mido
import numpy as np
import pytest

from cuesketch.app import Services, build_engine, open_document
from cuesketch.demo import ensure_demo
from cuesketch.engine.midi_input import JACK
from cuesketch.engine.render import render_blocks
from cuesketch.engine.playback import Playback
from cuesketch.engine.session import RecordSession
from cuesketch.engine.synth import SynthEngine
from cuesketch.engine.transport import Transport
from cuesketch.prefs import Preferences
from cuesketch.timing.units import FLICKS_PER_SECOND, flicks_to_samples

pytestmark = pytest.mark.jack

PERIOD_S = 256 / 48000
TOLERANCE = round((PERIOD_S + 0.001) * FLICKS_PER_SECOND)
RECORD_AT = 53 * FLICKS_PER_SECOND  # after the demo's last note
SENDER = f"cuesketch-loop-keys-{os.getpid()}"


def wait_for(predicate, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_record_through_a_real_port_then_reopen_and_play_back(jackd: None, tmp_path: Path) -> None:
    path = ensure_demo(tmp_path / "demo.cuesketch")
    keys = mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output("out", client_name=SENDER)
    try:
        document, pf, _ = open_document(path)
        services = Services(document, Transport(), pf, path)
        prefs = Preferences(midi_backend=JACK, midi_inputs=[f"{SENDER}:out"], audio_driver="jack")
        build_engine(services, prefs)
        assert services.audio.driver == "jack", services.problems
        assert wait_for(lambda: f"{SENDER}:out" in " ".join(services.midi.open_ports())), \
            services.midi.ports()
        strings = next(t for t in document.project.tracks.values() if t.name == "Strings")
        before = {n.id for n in document.project.notes_of(strings.id)}
        session = RecordSession(document, services.recorder, services.monitor, services.playback)
        session.arm(strings.id)
        services.transport.seek(RECORD_AT)
        assert session.toggle().startswith("recording on Strings")

        played: list[tuple[int, int]] = []  # (pitch, transport position when sent)
        voices_heard = 0
        for i, pitch in enumerate((60, 64, 67, 72)):
            time.sleep(0.15)
            played.append((pitch, services.transport.position()))
            keys.send(mido.Message("note_on", note=pitch, velocity=90))
            if wait_for(lambda: services.synth.active_voices() > 0, 0.2):
                voices_heard += 1  # it sounds as it is played
            time.sleep(0.1)
            keys.send(mido.Message("note_off", note=pitch))
        time.sleep(0.1)
        message = session.toggle()
        assert message.startswith("take recorded: 4 notes"), message
        assert document.history()[-1].lower().startswith("record")
        assert voices_heard == 4

        recorded = sorted((n for n in document.project.notes_of(strings.id)
                           if n.id not in before), key=lambda n: n.start)
        assert [n.pitch for n in recorded] == [p for p, _ in played]
        for note, (_pitch, expected) in zip(recorded, played):
            assert abs(note.start - expected) <= TOLERANCE, (note.start - expected) / FLICKS_PER_SECOND
            assert note.velocity == 90
        services.close()
    finally:
        keys.close()

    # Quit, reopen: all there.
    document, pf, _ = open_document(path)
    again = sorted((n for n in document.project.notes_of(strings.id) if n.id not in before),
                   key=lambda n: n.start)
    pf.close()
    assert [(n.start, n.pitch) for n in again] == [(n.start, n.pitch) for n in recorded]

    # Play back: it sounds where it was played.
    synth = SynthEngine("default")
    try:
        playback = Playback(synth, document.project)
        start = RECORD_AT - FLICKS_PER_SECOND // 2
        blocks = render_blocks(playback, start, RECORD_AT + 2 * FLICKS_PER_SECOND)
        audio = np.concatenate([b.copy() for b in blocks])  # the generator reuses its buffer
    finally:
        synth.close()
    level = np.abs(audio).max(axis=1)
    first_note = flicks_to_samples(recorded[0].start - start)
    before_take = level[: first_note - 64].max()
    take = level[first_note: first_note + 24000].max()
    assert before_take < 1e-4  # silence before the take
    assert take > 0.01  # the first note sounds
