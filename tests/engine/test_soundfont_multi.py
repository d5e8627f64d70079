"""Several SoundFonts in one synth: a track plays the one it names, a missing one falls back
to the default with a plain warning and is still asked for, presets are read from each file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sf2_maker
from cuesketch.engine import soundfonts
from cuesketch.engine.playback import Playback
from cuesketch.engine.synth import ChannelSetup, SynthEngine
from cuesketch.model.entities import Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SECOND as F

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")


def test_presets_are_read_from_the_file_itself(tmp_path: Path) -> None:
    beep = sf2_maker.write_sf2(tmp_path / "beep.sf2", "Beep", bank=8, program=5)
    assert soundfonts.read_presets(beep) == [(8, 5, "Beep")]
    gm = soundfonts.read_presets(soundfonts.find_default())  # type: ignore[arg-type]
    assert (0, 48, "String Ensemble 1") in gm or any(p[:2] == (0, 48) for p in gm)
    bad = tmp_path / "bad.sf2"
    bad.write_bytes(b"RIFF\x10\0\0\0sfbkLIST\xff\xff\xff\x7f")
    with pytest.raises(soundfonts.SoundFontError, match="damaged"):
        soundfonts.read_presets(bad)
    with pytest.raises(soundfonts.SoundFontError, match="not a SoundFont"):
        soundfonts.read_presets(tmp_path / "x.wav")


def _energy(synth: SynthEngine, setup: ChannelSetup) -> np.ndarray:
    synth.configure(0, setup)
    synth.note_on(0, 69, 110)
    out = synth.render(4800)
    synth.note_off(0, 69)
    synth.render(48000)
    return out


def test_a_channel_plays_the_soundfont_it_names(tmp_path: Path) -> None:
    sine = sf2_maker.write_sf2(tmp_path / "sine.sf2", "Sine", program=0, freq=660)
    square = sf2_maker.write_sf2(tmp_path / "square.sf2", "Square", program=0, wave="square")
    with SynthEngine(reverb=False, chorus=False) as synth:
        assert synth.prepare_soundfonts([str(sine), str(square)]) == []
        assert len(synth.soundfonts) == 3
        assert [p.name for p in synth.presets(str(square))] == ["Square"]
        a = _energy(synth, ChannelSetup(0, 0, soundfont=str(sine)))
        b = _energy(synth, ChannelSetup(0, 0, soundfont=str(square)))
        gm = _energy(synth, ChannelSetup(0, 0))
    assert not np.allclose(a, b) and not np.allclose(a, gm)
    assert np.abs(a[3000:]).max() == 0  # the 50 ms beep is over: not the piano


def test_a_missing_soundfont_falls_back_to_gm_and_is_remembered(tmp_path: Path) -> None:
    gone = str(tmp_path / "strings.sf2")
    project = Project()
    project.load(Settings(), [Track(1, "Strings", program=48, soundfont=gone),
                              Note(1, 1, 0, F // 2, 60, 100)])
    with SynthEngine(reverb=False, chorus=False) as synth:
        playback = Playback(synth, project)
        assert gone in synth.missing and "no SoundFont" in synth.missing[gone]
        playback.play(0)
        out = playback.process(9600)
        assert np.abs(out).max() > 0  # the GM strings play
        warned = synth.prepare_soundfonts([gone])
        assert warned == []  # said once
    assert project.tracks[1].soundfont == gone  # the track still asks for it
    assert soundfonts.missing([gone, ""]) == [gone]
