"""`cuesketch render PROJECT --out mix.wav [--cue 1M1] [--click | --frame-click 12-2]`: the mix as
a 48 kHz Broadcast WAV, the click track in it if asked (its level and sound too).

The same path as playback (``engine.render``), as fast as the synth goes; the WAV appears
only when complete. Its ``bext`` time reference places it at its timecode in a DAW.
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
    p.add_argument("--click", action="store_true",
                   help="mix the click track in (the beats of the tempo map)")
    p.add_argument("--frame-click", metavar="FRAMES", help="mix a frame click in instead: "
                   "frames-eighths between clicks, e.g. 12-2 (from the cue's start with --cue)")
    p.add_argument("--click-level", type=float, default=80.0, metavar="PERCENT",
                   help="the click's level, 0-100 (default 80)")
    p.add_argument("--click-sound", choices=("gm", "synth"), default="gm",
                   help="gm: woodblocks from the SoundFont (default); synth: a plain tick")
    p.add_argument("--soundfont", type=Path, metavar="SF2",
                   help="the SoundFont (.sf2/.sf3; default: the project's, else General MIDI)")
    p.add_argument("--tail", type=float, default=2.0, metavar="SECONDS",
                   help="ring-out after the last note or the cue's end (default 2)")
    p.add_argument("--bits", type=int, choices=(16, 24, 32), default=24,
                   help="sample size: 16 or 24-bit PCM, or 32-bit float (default 24)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cuesketch.engine.click import Click, frame_click_flicks
    from cuesketch.engine.render import RenderError, render_project
    from cuesketch.timing.tempo import TempoError
    from cuesketch.engine.soundfonts import SoundFontError
    from cuesketch.engine.synth import SynthEngine

    if not 0 <= args.tail <= 600 or math.isnan(args.tail):
        raise UserError("--tail takes 0 to 600 seconds")
    if not 0 <= args.click_level <= 100 or math.isnan(args.click_level):
        raise UserError("--click-level takes 0 to 100 (percent)")
    with open_project_or_fail(args.project, read_only=True) as project:
        click = Click(enabled=args.click or args.frame_click is not None,
                      level=args.click_level / 100, sound=args.click_sound)
        if args.frame_click is not None:
            try:
                frame_click_flicks(args.frame_click, project.settings.rate)
            except TempoError as e:
                raise UserError(str(e)) from None
            click.mode, click.frame_click = "frames", args.frame_click.strip()
        try:
            soundfont = args.soundfont or project.settings.soundfont or "default"
            synth = SynthEngine(soundfont)
        except SoundFontError as e:
            raise UserError(str(e)) from None
        except ImportError as e:
            raise UserError(f"FluidSynth is not installed ({e})") from None
        try:
            result = render_project(project, args.out, synth=synth, cue=args.cue,
                                    click=click, tail=args.tail, bits=args.bits)
        except RenderError as e:
            raise UserError(str(e)) from None
        finally:
            synth.close()
    peak = 20 * math.log10(result.peak) if result.peak > 0 else -math.inf
    minutes, seconds = divmod(result.seconds, 60)
    size = "32-bit float" if args.bits == 32 else f"{args.bits}-bit"
    print(f"{result.path}: {int(minutes)}:{seconds:06.3f}, {result.sample_rate} Hz "
          f"{size} stereo, peak {peak:.1f} dBFS, starts at {result.start_timecode}",
          file=sys.stderr)
    if result.clipped:
        print(f"cuesketch: warning: {result.clipped} samples were above full scale and were "
              f"clipped; lower the tracks' volumes", file=sys.stderr)
    return 0
