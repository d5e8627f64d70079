"""`cuesketch render PROJECT --out mix.wav [--cue 1M1] [--click]`: the mix as a 48 kHz WAV.

The same path as playback (``engine.render``), as fast as the synth goes; the WAV appears
only when complete.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from cuesketch.cli import UserError
from cuesketch.cli.common import open_project_or_fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("render", help="render a project (or one cue) to a 48 kHz WAV",
                       description="Render the project's tracks through the SoundFont to a "
                                   "WAV file: the whole project, or one cue with --cue.")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, metavar="WAV", help="the WAV to write")
    p.add_argument("--cue", metavar="NAME", help="render only this cue (e.g. 1M1)")
    p.add_argument("--click", action="store_true", help="mix the click track in")
    p.add_argument("--soundfont", type=Path, metavar="SF2",
                   help="the SoundFont (.sf2/.sf3; default: the project's, else General MIDI)")
    p.add_argument("--tail", type=float, default=2.0, metavar="SECONDS",
                   help="ring-out after the last note or the cue's end (default 2)")
    p.add_argument("--bits", type=int, choices=(16, 24), default=24, help="sample size")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cuesketch.engine.render import RenderError, render_project
    from cuesketch.engine.soundfonts import SoundFontError
    from cuesketch.engine.synth import SynthEngine

    if not 0 <= args.tail <= 600 or math.isnan(args.tail):
        raise UserError("--tail takes 0 to 600 seconds")
    with open_project_or_fail(args.project, read_only=True) as project:
        try:
            soundfont = args.soundfont or project.settings.soundfont or "default"
            synth = SynthEngine(soundfont)
        except SoundFontError as e:
            raise UserError(str(e)) from None
        except ImportError as e:
            raise UserError(f"FluidSynth is not installed ({e})") from None
        try:
            result = render_project(project, args.out, synth=synth, cue=args.cue,
                                    click=args.click, tail=args.tail, bits=args.bits)
        except RenderError as e:
            raise UserError(str(e)) from None
        finally:
            synth.close()
    peak = 20 * math.log10(result.peak) if result.peak > 0 else -math.inf
    minutes, seconds = divmod(result.seconds, 60)
    print(f"{result.path}: {int(minutes)}:{seconds:06.3f}, {result.sample_rate} Hz "
          f"{args.bits}-bit stereo, peak {peak:.1f} dBFS", file=sys.stderr)
    if result.clipped:
        print(f"cuesketch: warning: {result.clipped} samples were above full scale and were "
              f"clipped; lower the tracks' volumes", file=sys.stderr)
    return 0
