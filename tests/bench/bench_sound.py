"""Sound figures: onset accuracy, offline render speed against the fluidsynth CLI, MIDI fuzzing.

- ``playback_onset_error_max_samples``: woodblocks at known samples (every block phase),
  played through ``Playback.process`` in audio-callback sized buffers (256, and odd sizes);
  onsets detected in the output; the largest |onset - due| in samples (48 kHz).
- ``render_speed_vs_fluidsynth_cli``: the same MIDI file and SoundFont rendered by
  ``fluidsynth -ni -q -F out.wav -r 48000`` and by us (read the file, load the font, render,
  write the WAV), in the same run; the CLI's time over ours (> 1: we are faster).
- ``fuzz_failures_midi``: 10,000 mutated MIDI files; a failure is any exception other than
  ``MidiFileError`` or a file taking over 2 s.
"""

from __future__ import annotations

import io
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import mido
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import midi_songs  # noqa: E402
from audio_checks import onsets  # noqa: E402
from cuesketch.engine import soundfonts  # noqa: E402
from cuesketch.engine.playback import Playback  # noqa: E402
from cuesketch.engine.render import read_wav, render_blocks, write_wav  # noqa: E402
from cuesketch.engine.synth import SynthEngine  # noqa: E402
from cuesketch.formats import smf  # noqa: E402
from cuesketch.model.entities import Note, Settings, Track  # noqa: E402
from cuesketch.model.project import Project  # noqa: E402
from cuesketch.timing.units import FLICKS_PER_SAMPLE  # noqa: E402


def _font() -> Path:
    font = soundfonts.find_default()
    if font is None:
        raise RuntimeError("no General MIDI SoundFont installed")
    return font


def figure_playback_onset_error_max_samples() -> int:
    rng = random.Random(1)
    spacing = 24_000  # half a second: the woodblock dies away to exact silence in between
    due = [4000 + i * spacing + rng.randrange(64) for i in range(300)]
    project = Project()
    project.load(Settings(), [Track(1, "Click", channel=9)] + [
        Note(i + 1, 1, t * FLICKS_PER_SAMPLE, 2400 * FLICKS_PER_SAMPLE, 76, 110)
        for i, t in enumerate(due)])
    sizes = [256, 256, 256, 441, 128, 1000, 333, 64, 4096]
    with SynthEngine(_font(), reverb=False, chorus=False) as synth:
        playback = Playback(synth, project)
        playback.play(0)
        blocks, total, k = [], 0, 0
        while total < due[-1] + spacing:
            n = sizes[k % len(sizes)]
            blocks.append(playback.process(n).copy())
            total += n
            k += 1
    found = onsets(np.vstack(blocks), gap=4000)
    if len(found) != len(due):
        raise RuntimeError(f"found {len(found)} onsets for {len(due)} clicks")
    errors = [o - 1 - t for o, t in zip(found, due)]  # a voice's first sample is 0
    print(f"  onset error: mean {np.mean(np.abs(errors)):.1f}, max {max(map(abs, errors))} "
          f"samples over {len(errors)} clicks", file=sys.stderr)
    return int(max(map(abs, errors)))


def _ours(midi: Path, out: Path, font: Path, frames: int) -> float:
    t0 = time.perf_counter()
    project = smf.new_project(smf.read(midi))
    with SynthEngine(font) as synth:
        playback = Playback(synth, project)
        write_wav(out, render_blocks(playback, 0, frames * FLICKS_PER_SAMPLE), 48000, bits=16)
    return time.perf_counter() - t0


def figure_render_speed_vs_fluidsynth_cli() -> float:
    if shutil.which("fluidsynth") is None:
        raise RuntimeError("the fluidsynth program is not installed")
    font = _font()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        midi = midi_songs.write_song(folder / "song.mid", bars=64)
        cli_times, our_times = [], []
        frames = 0
        for _ in range(3):  # interleaved, best of three: the machine is shared
            t0 = time.perf_counter()
            subprocess.run(["fluidsynth", "-ni", "-q", "-F", str(folder / "cli.wav"), "-r",
                            "48000", str(font), str(midi)], check=True, capture_output=True)
            cli_times.append(time.perf_counter() - t0)
            frames = len(read_wav(folder / "cli.wav")[0])
            our_times.append(_ours(midi, folder / "ours.wav", font, frames))
    seconds = frames / 48000
    cli, ours = min(cli_times), min(our_times)
    print(f"  {seconds:.1f} s of audio: fluidsynth CLI {cli:.2f} s, ours {ours:.2f} s "
          f"(best of 3 each, file reading and SoundFont loading included)", file=sys.stderr)
    return round(cli / ours, 3)


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Timeout


def _seeds() -> list[bytes]:
    def data(mid: mido.MidiFile) -> bytes:
        buf = io.BytesIO()
        mid.save(file=buf)
        return buf.getvalue()

    song = data(midi_songs.song(bars=2))
    sketch = data(smf.to_midifile(smf.new_project(smf.read(song))))
    smpte = mido.MidiFile(type=1, ticks_per_beat=((256 - 29) << 8 | 80) - 65536)
    smpte.tracks.append(mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=400_000),
                                        mido.MetaMessage("time_signature", numerator=6,
                                                         denominator=8, time=500)]))
    smpte.tracks.append(mido.MidiTrack([mido.Message("note_on", note=60, velocity=99, time=10),
                                        mido.Message("pitchwheel", pitch=-300, time=5),
                                        mido.Message("note_off", note=60, time=300)]))
    type0 = mido.MidiFile(type=0)
    type0.tracks.append(mido.merge_tracks(mido.MidiFile(file=io.BytesIO(song)).tracks))
    return [song, sketch, data(smpte), data(type0)]


def figure_fuzz_failures_midi(count: int = 10_000) -> int:
    seeds = _seeds()
    rng = random.Random(2024)
    failures = 0
    shown = 0
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        for i in range(count):
            data = bytearray(seeds[i % len(seeds)])
            for _ in range(rng.randrange(1, 10)):
                pos = rng.randrange(len(data)) if data else 0
                kind = rng.randrange(5)
                if kind == 0:
                    data[pos:pos + 1] = bytes([rng.randrange(256)])
                elif kind == 1:
                    del data[pos:pos + rng.randrange(1, 32)]
                elif kind == 2:
                    data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
                elif kind == 3 and len(data) > 4:
                    data[pos:pos + 4] = rng.randrange(1 << 32).to_bytes(4, "big")  # lengths
                else:
                    data = data[:rng.randrange(len(data) + 1)]  # truncated
            signal.setitimer(signal.ITIMER_REAL, 2.0)
            try:
                smf.new_project(smf.read(bytes(data)))
            except smf.MidiFileError:
                pass
            except BaseException:
                failures += 1
                if shown < 5:
                    shown += 1
                    print(f"  fuzz case {i}:", file=sys.stderr)
                    traceback.print_exc(limit=3)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    print(f"  {count} mutated files, {failures} failures", file=sys.stderr)
    return failures
