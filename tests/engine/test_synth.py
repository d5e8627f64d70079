"""The synth engine: float blocks on request, SoundFonts, channels, live calls from threads."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from audio_checks import onsets, rms
from cuesketch.engine import soundfonts
from cuesketch.engine.soundfonts import SoundFontError
from cuesketch.engine.synth import BLOCK, ChannelSetup, SynthEngine

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")


@pytest.fixture
def synth():
    s = SynthEngine(reverb=False, chorus=False)
    yield s
    s.close()


def test_render_gives_float_stereo_and_counts_samples(synth):
    out = synth.render(1000)
    assert out.dtype == np.float32 and out.shape == (1000, 2)
    assert synth.samples_written == 1000 and synth.block_phase == 1000 % BLOCK
    assert not np.any(out)  # nothing played: exact silence


def test_a_note_sounds_on_its_channel_preset(synth):
    synth.configure(0, ChannelSetup(program=48))  # strings
    synth.note_on(0, 60, 100)
    out = synth.render(4800)
    assert rms(out) > 0.005
    synth.note_off(0, 60)


def test_an_event_between_renders_starts_at_the_next_block(synth):
    synth.configure(9, ChannelSetup(drums=True))
    synth.render(3020)  # 3020 = 47 * 64 + 12: the next boundary is 52 samples ahead
    assert synth.block_phase == 12
    synth.note_on(9, 76, 110)
    out = synth.render(4000)
    assert onsets(np.vstack([np.zeros((3000, 2), np.float32), out]))[0] - 3000 - 1 == 52


def test_volume_and_pan_follow_the_setup(synth):
    def level(setup: ChannelSetup) -> np.ndarray:
        synth.configure(0, setup)
        synth.note_on(0, 60, 100)
        out = synth.render(9600)
        synth.note_off(0, 60)
        synth.render(48000)
        return np.sqrt(np.mean(np.square(out, dtype=np.float64), axis=0))

    loud = level(ChannelSetup(volume=1.0))
    soft = level(ChannelSetup(volume=0.3))
    left = level(ChannelSetup(volume=1.0, pan=-1.0))
    right = level(ChannelSetup(volume=1.0, pan=1.0))
    assert soft.sum() < 0.5 * loud.sum()
    # The piano's samples carry their own stereo spread; CC10 moves the whole image.
    assert left[0] / left[1] > 1.2 * loud[0] / loud[1]
    assert right[1] / right[0] > 1.2 * loud[1] / loud[0]


def test_mono_voice_is_released_by_release(synth):
    synth.configure(0, ChannelSetup(program=48))
    synth.control_change(0, 64, 127)
    synth.note_on(0, 60, 100)
    synth.note_off(0, 60)  # held by the pedal
    synth.render(4800)
    synth.release(0)  # sustain off, all notes off
    synth.render(48000 * 3)
    assert synth.active_voices() == 0


def test_presets_name_the_general_midi_instruments(synth):
    names = {(p.bank, p.program): p.name for p in synth.presets()}
    assert "String" in names[(0, 48)]
    assert synth.preset_name(0, 48) == names[(0, 48)]
    assert synth.preset_name(99, 99) is None


def test_a_preset_missing_from_the_font_falls_back(synth):
    synth.configure(0, ChannelSetup(bank=77, program=48))
    synth.note_on(0, 60, 100)
    assert rms(synth.render(4800)) > 0.001


def test_live_calls_from_another_thread_while_rendering(synth):
    synth.configure(0, ChannelSetup(program=0))
    stop = threading.Event()

    def player() -> None:
        key = 40
        while not stop.is_set():
            synth.note_on(0, key, 90)
            synth.note_off(0, key)
            key = 40 + (key + 1) % 40

    t = threading.Thread(target=player)
    t.start()
    try:
        for _ in range(200):
            synth.render(256)
    finally:
        stop.set()
        t.join()
    assert synth.samples_written == 200 * 256


def test_no_soundfont_runs_silent():
    with SynthEngine(None) as s:
        assert s.silent and s.presets() == []
        s.note_on(0, 60, 100)
        assert np.abs(s.render(4800)).max() < 1e-6


def test_a_missing_or_bad_soundfont_is_a_plain_error(tmp_path: Path):
    with pytest.raises(SoundFontError, match="no SoundFont at"):
        SynthEngine(tmp_path / "gone.sf2")
    junk = tmp_path / "junk.sf2"
    junk.write_bytes(b"RIFF\0\0\0\0WAVEfmt ")
    with pytest.raises(SoundFontError, match="not a SoundFont"):
        SynthEngine(junk)
    with pytest.raises(SoundFontError, match=r"\.sf2 or \.sf3"):
        soundfonts.check(tmp_path / "song.mid")


def test_the_default_soundfont_can_be_pointed_at(tmp_path: Path, monkeypatch):
    font = soundfonts.find_default()
    assert font is not None
    monkeypatch.setenv("CUESKETCH_SOUNDFONT", str(font))
    assert soundfonts.candidates()[0] == font
    monkeypatch.setenv("CUESKETCH_SOUNDFONT", str(tmp_path / "nope.sf2"))
    assert soundfonts.find_default() != tmp_path / "nope.sf2"


def test_closed_engine_ignores_late_calls():
    s = SynthEngine(reverb=False)
    s.close()
    s.note_on(0, 60, 100)  # a MIDI message arriving after shutdown: no crash
    assert not np.any(s.render(64))
