"""A track's SoundFont never loads while the audio thread needs the synth: live, loading waits
for the transport to stop (the tracks play General MIDI meanwhile, and the status says so), and
a period that comes while a load runs renders what sounds without waiting on FluidSynth."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

import sf2_maker
from cuesketch.engine import soundfonts
from cuesketch.engine.playback import Playback
from cuesketch.engine.synth import SynthEngine
from cuesketch.model import palette_templates as pt
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SECOND as F

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")


def _document() -> Document:
    project = Project()
    project.load(Settings(), [Track(1, "Lead"),
                              *[Note(i + 1, 1, i * F // 4, F // 8, 60 + i % 12, 100)
                                for i in range(200)]])
    return Document(project)


def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.01)


def test_a_soundfont_chosen_while_playing_loads_when_playback_stops(tmp_path: Path) -> None:
    beep = str(sf2_maker.write_sf2(tmp_path / "beep.sf2", "Beep", program=0))
    document = _document()
    said: list[str] = []
    with SynthEngine(reverb=False, chorus=False) as synth:
        playback = Playback(synth, document=document, background_rebuild=True)
        playback.say = said.append
        try:
            playback.play(0)
            playback.process(4800)
            assert playback.playing
            document.execute_changes(pt.set_soundfont(document.project, 1, beep), "SoundFont")
            _until(lambda: said, "the deferral is said")
            assert "beep.sf2 will load when playback stops" in said[0]
            assert "General MIDI" in said[0]
            assert synth.soundfont_id(beep) is None  # not loaded under the playing notes
            playback.process(4800)  # the tracks go on (General MIDI)
            playback.stop()
            playback.process(4800)
            _until(lambda: synth.soundfont_id(beep) is not None, "it loads once stopped")
        finally:
            playback.close()


def test_a_period_during_a_load_neither_waits_nor_loses_commands() -> None:
    document = _document()
    with SynthEngine(reverb=False, chorus=False) as synth:
        playback = Playback(synth, document=document)
        loading = threading.Event()
        done = threading.Event()

        def load() -> None:
            with synth.api_gate:  # as load_soundfont holds it around FluidSynth's load
                loading.set()
                done.wait()

        loader = threading.Thread(target=load)
        loader.start()
        loading.wait()
        try:
            playback.play(0)
            before = synth.samples_written
            out = playback.process(960)
            assert out.shape == (960, 2) and synth.samples_written == before + 960
            assert not playback.playing  # the play command waits for the load
        finally:
            done.set()
            loader.join()
        playback.process(960)
        assert playback.playing


def test_a_missing_soundfont_is_tried_again_once_its_file_is_there(tmp_path: Path) -> None:
    later = tmp_path / "later.sf2"
    document = _document()
    document.execute_changes(pt.set_soundfont(document.project, 1, str(later)), "SoundFont")
    said: list[str] = []
    with SynthEngine(reverb=False, chorus=False) as synth:
        playback = Playback(synth, document=document)
        playback.say = said.append
        assert str(later) in synth.missing
        playback.invalidate()
        playback.process(480)
        assert said == [] and str(later) in synth.missing  # unchanged: not tried, not said
        sf2_maker.write_sf2(later, "Later", program=0)  # copied there since
        playback.invalidate()
        playback.process(480)
        assert str(later) not in synth.missing and synth.soundfont_id(str(later)) is not None
        assert synth.setup_of(playback.channel_of(1) or 0).soundfont == str(later)
