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


# -- what a file offers: its presets, read from its own header (no synth needed) ----------------
MAX_CHUNKS = 4096  # a SoundFont has a dozen; bounds a damaged or hostile file's walk
_PHDR_SIZE = 38


def read_presets(path: str | Path) -> list[tuple[int, int, str]]:
    """(bank, program, name) of every preset in a .sf2/.sf3, from its ``phdr`` chunk, sorted;
    a SoundFontError in plain words for a file that is not one or is damaged."""
    path = check(path)
    try:
        with path.open("rb") as f:
            f.seek(12)
            for _ in range(MAX_CHUNKS):
                head = f.read(8)
                if len(head) < 8:
                    break
                tag, size = head[:4], int.from_bytes(head[4:], "little")
                if tag == b"LIST":
                    kind = f.read(4)
                    if kind == b"pdta":
                        return _presets_in_pdta(f, size - 4, path)
                    f.seek(size - 4 + (size & 1), os.SEEK_CUR)
                else:
                    f.seek(size + (size & 1), os.SEEK_CUR)
    except OSError as e:
        raise SoundFontError(f"can't read the SoundFont {path}: {e.strerror or e}") from None
    raise SoundFontError(f"{path} is damaged: it lists no presets")


def _presets_in_pdta(f: object, size: int, path: Path) -> list[tuple[int, int, str]]:
    import io
    assert isinstance(f, io.BufferedReader)
    # A truncated or lying file: the list ends where the file does, and a short read ends the
    # walk (at the end of the file a seek past it does not move, so the walk would never end).
    end = min(f.tell() + size, os.fstat(f.fileno()).st_size)
    for _ in range(MAX_CHUNKS):
        if f.tell() + 8 > end:
            break
        head = f.read(8)
        if len(head) < 8:
            break
        tag, length = head[:4], int.from_bytes(head[4:], "little")
        if tag != b"phdr":
            f.seek(length + (length & 1), os.SEEK_CUR)
            continue
        if length % _PHDR_SIZE or length > 65536 * _PHDR_SIZE:
            break
        data = f.read(length)
        if len(data) < length:
            break
        out = []
        for i in range(0, len(data) - _PHDR_SIZE, _PHDR_SIZE):  # the last record ends the list
            rec = data[i:i + _PHDR_SIZE]
            name = rec[:20].split(b"\0", 1)[0].decode("latin-1").strip()
            program = int.from_bytes(rec[20:22], "little")
            bank = int.from_bytes(rec[22:24], "little")
            if program <= 127 and bank <= 16383:
                out.append((bank, program, name))
        return sorted(out)
    raise SoundFontError(f"{path} is damaged: its preset list can't be read")


def missing(names: list[str]) -> list[str]:
    """The SoundFonts (as tracks name them) that are not readable SoundFonts here."""
    out = []
    for name in sorted({n for n in names if n}):
        try:
            check(name)
        except SoundFontError:
            out.append(name)
    return out
