"""Where SoundFonts are: the default General MIDI one, and a check that a file is one.

The default is the first that exists of: ``$CUESKETCH_SOUNDFONT``, the repository's
``soundfonts/`` folder, Debian's FluidR3 and its other GM fonts, Homebrew's folders.
"""

from __future__ import annotations

import os
from pathlib import Path

SUFFIXES = (".sf2", ".sf3")
REPO_FOLDER = Path(__file__).resolve().parents[3] / "soundfonts"


class SoundFontError(RuntimeError):
    """A SoundFont that is missing or can't be read, said in plain words."""


def _fonts_in(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
    except OSError:
        return []


def candidates() -> list[Path]:
    """Every place a default General MIDI SoundFont may be, best first."""
    found: list[Path] = []
    env = os.environ.get("CUESKETCH_SOUNDFONT")
    if env:
        found.append(Path(env))
    found += _fonts_in(REPO_FOLDER)
    found.append(Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"))
    found += _fonts_in(Path("/usr/share/sounds/sf3"))
    found += _fonts_in(Path("/usr/share/sounds/sf2"))
    for prefix in (os.environ.get("HOMEBREW_PREFIX", ""), "/opt/homebrew", "/usr/local"):
        if prefix:
            found += _fonts_in(Path(prefix) / "share" / "soundfonts")
            found += _fonts_in(Path(prefix) / "share" / "fluid-synth" / "sf2")
    return found


def find_default() -> Path | None:
    """The default General MIDI SoundFont, or None when the machine has none."""
    for path in candidates():
        if path.is_file():
            return path
    return None


def check(path: str | Path) -> Path:
    """``path`` if it is a readable SoundFont (RIFF ``sfbk``), else a SoundFontError."""
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise SoundFontError(f"{path} is not a SoundFont (.sf2 or .sf3)")
    try:
        with path.open("rb") as f:
            head = f.read(12)
    except FileNotFoundError:
        raise SoundFontError(f"there is no SoundFont at {path}") from None
    except OSError as e:
        raise SoundFontError(f"can't read the SoundFont {path}: {e.strerror or e}") from None
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"sfbk":
        raise SoundFontError(f"{path} is not a SoundFont or is damaged")
    return path
