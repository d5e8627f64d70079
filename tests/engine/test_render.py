"""Offline render to WAV: the realtime path, a whole project or a cue, never a half file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from audio_checks import onsets
from cuesketch.cli import main
from cuesketch.engine import soundfonts
from cuesketch.engine.playback import Playback
from cuesketch.engine.render import (RenderError, read_wav, render_blocks, render_project,
                                     write_wav)
from cuesketch.engine.synth import SynthEngine
from cuesketch.model.entities import Cue, Note, Settings, Track
from cuesketch.model.project import Project
from cuesketch.store.project_file import ProjectFile
from cuesketch.model.changes import insert
from cuesketch.timing.units import FLICKS_PER_SAMPLE

pytestmark = pytest.mark.skipif(soundfonts.find_default() is None,
                                reason="no General MIDI SoundFont installed")
S = FLICKS_PER_SAMPLE


def project() -> Project:
    p = Project()
    p.load(Settings(), [Track(1, "Perc", channel=9),
                        Note(1, 1, 6000 * S, 2400 * S, 76, 110),
                        Note(2, 1, 60000 * S, 2400 * S, 76, 110),
                        Cue(1, "1M1", 48, 96)])  # 2 s to 4 s at 24 fps
    return p


@pytest.mark.parametrize("bits", [16, 24])
def test_render_writes_what_playback_plays(tmp_path: Path, bits: int):
    with SynthEngine(reverb=False, chorus=False) as synth:
        result = render_project(project(), tmp_path / "mix.wav", synth=synth, tail=1.0,
                                bits=bits)
    audio, rate = read_wav(tmp_path / "mix.wav")
    assert rate == 48000 and audio.shape == (62400 + 48000, 2) == (result.frames, 2)
    with SynthEngine(reverb=False, chorus=False) as synth:
        playback = Playback(synth, project())
        reference = np.vstack([b.copy() for b in render_blocks(playback, 0, len(audio) * S)])
    assert np.abs(audio - reference).max() <= 1.0 / 2 ** (bits - 1)
    if bits == 24:  # 16 bits round the first quiet samples of an attack to zero
        found = [o - 1 for o in onsets(audio)]
        assert len(found) == 2 and abs(found[0] - 6000) <= 32 and abs(found[1] - 60000) <= 32
    assert 0 < result.peak < 1 and result.clipped == 0
    assert list(tmp_path.iterdir()) == [tmp_path / "mix.wav"]


def test_a_cue_renders_its_range(tmp_path: Path):
    p = project()
    p.apply([insert(Note(3, 1, 120000 * S, 2400 * S, 76, 110))])  # 2.5 s: inside 1M1
    with SynthEngine(reverb=False, chorus=False) as synth:
        result = render_project(p, tmp_path / "cue.wav", synth=synth, cue="1m1", tail=0.5)
        with pytest.raises(RenderError, match="no cue '9M9'.*1M1"):
            render_project(p, tmp_path / "x.wav", synth=synth, cue="9M9")
    audio, _ = read_wav(tmp_path / "cue.wav")
    assert result.frames == 2 * 48000 + 24000  # 2 s to 4 s, and the tail
    found = [o - 1 for o in onsets(audio)]
    assert len(found) == 1 and abs(found[0] - 24000) <= 32


def test_a_failed_render_leaves_no_file(tmp_path: Path):
    def blocks():
        yield np.zeros((100, 2), np.float32)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_wav(tmp_path / "mix.wav", blocks(), 48000)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(RenderError, match="no folder"):
        write_wav(tmp_path / "nope" / "mix.wav", iter([]), 48000)


def test_the_render_command(tmp_path: Path, capsys):
    path = tmp_path / "p.cuesketch"
    ProjectFile.write_new(path, project())
    out = tmp_path / "mix.wav"
    assert main(["render", str(path), "--out", str(out), "--tail", "0.2"]) == 0
    audio, rate = read_wav(out)
    assert rate == 48000 and len(audio) == 62400 + 9600
    err = capsys.readouterr().err
    assert "48000 Hz 24-bit" in err and "starts at 01:00:00:00" in err
    assert main(["render", str(path), "--out", str(out), "--tail", "0", "--bits", "32"]) == 0
    assert "48000 Hz 32-bit float" in capsys.readouterr().err
    assert read_wav(out)[0].dtype == np.float32
    assert main(["render", str(path), "--out", str(out), "--cue", "2M1"]) == 1
    assert "no cue '2M1'" in capsys.readouterr().err
    assert main(["render", str(path), "--out", str(out),
                 "--soundfont", str(tmp_path / "none.sf2")]) == 1
    assert "no SoundFont at" in capsys.readouterr().err
    assert main(["render", str(tmp_path / "nothing.cuesketch"), "--out", str(out)]) == 1


def test_the_click_can_be_rendered(tmp_path: Path):
    p = Project()
    p.load(Settings(), [Cue(1, "1M1", 0, 48)])
    with SynthEngine(reverb=False, chorus=False) as synth:
        render_project(p, tmp_path / "click.wav", synth=synth, cue="1M1", click=True, tail=0)
    audio, _ = read_wav(tmp_path / "click.wav")
    found = onsets(np.vstack([np.zeros((3000, 2), np.float32), audio]), gap=1000)
    expected = [0, 24000, 48000, 72000]
    assert len(found) == 4 and max(abs(f - 3001 - e) for f, e in zip(found, expected)) <= 32


def test_a_frame_click_of_a_cue_renders_from_the_cue_start_at_its_level(tmp_path: Path, capsys):
    from cuesketch.store.project_file import ProjectFile
    p = Project()
    p.load(Settings(), [Cue(1, "1M1", 6, 54)])  # 24 fps: from 0.25 s (between beats), 2 s long
    path = tmp_path / "p.cuesketch"
    ProjectFile.write_new(path, p)
    loud, soft = tmp_path / "loud.wav", tmp_path / "soft.wav"
    for out, level in ((loud, "80"), (soft, "20")):
        assert main(["render", str(path), "--out", str(out), "--cue", "1M1", "--tail", "0",
                     "--frame-click", "12-0", "--click-level", level,
                     "--click-sound", "synth"]) == 0  # a plain tick: exact silence between
    audio, _ = read_wav(loud)
    found = onsets(np.vstack([np.zeros((3000, 2), np.float32), audio]), gap=1000)
    expected = [24000 * k for k in range(4)]  # every 12 frames from the cue's start, not the beats
    assert len(found) == 4 and max(abs(f - 3001 - e) for f, e in zip(found, expected)) <= 32
    quiet, _ = read_wav(soft)
    assert float(np.abs(audio).max()) > 2.5 * float(np.abs(quiet).max()) > 0
    for bad, words in ((["--frame-click", "12-9"], "is not a frame click"),
                       (["--click", "--click-level", "150"], "--click-level takes 0 to 100")):
        assert main(["render", str(path), "--out", str(tmp_path / "x.wav"), *bad]) == 1
        assert words in capsys.readouterr().err
    assert not (tmp_path / "x.wav").exists()


def test_the_render_is_a_broadcast_wav_placed_at_its_timecode(tmp_path: Path):
    import datetime as dt
    import json
    import shutil
    import subprocess
    from dataclasses import replace

    from cuesketch.formats.bwf import read_bext
    from cuesketch.timing.rates import STANDARD_RATES

    p = project()
    rate = STANDARD_RATES["23.976"]  # the cue 1M1 starts at frame 48: 01:00:02:00
    p.settings = replace(p.settings, title="Reel 1", rate=rate, start_frame=86400)
    now = dt.datetime(2026, 3, 14, 9, 26, 53)
    with SynthEngine(reverb=False, chorus=False) as synth:
        result = render_project(p, tmp_path / "cue.wav", synth=synth, cue="1M1", tail=0.1,
                                now=now)
        whole = render_project(p, tmp_path / "mix.wav", synth=synth, tail=0.1, bits=32)
    bext = read_bext(tmp_path / "cue.wav")
    assert bext is not None
    # 01:00:02:00 at 23.976 is (86400 + 48) frames of 1001/24000 s: 2002 samples each
    assert bext.time_reference == result.time_reference == (86400 + 48) * 2002
    assert result.start_timecode == "01:00:02:00"
    assert bext.description == "Reel 1: cue 1M1, from 01:00:02:00 at 23.976 fps"
    assert (bext.originator, bext.origination_date, bext.origination_time) == (
        "Cuesketch", "2026-03-14", "09:26:53")
    assert bext.coding_history == "A=PCM,F=48000,W=24,M=stereo,T=Cuesketch\r\n"
    mix = read_bext(tmp_path / "mix.wav")
    assert mix is not None and mix.time_reference == 86400 * 2002  # from the project start
    audio, _ = read_wav(tmp_path / "mix.wav")  # 32-bit float reads back
    assert audio.dtype == np.float32 and len(audio) == whole.frames
    if shutil.which("ffprobe"):
        out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format_tags",
                              "-of", "json", str(tmp_path / "cue.wav")], capture_output=True,
                             text=True, check=True)
        assert json.loads(out.stdout)["format"]["tags"]["time_reference"] == str(
            (86400 + 48) * 2002)
