"""The personal library: themes and palettes of the user's own, shared between projects.

One JSON file in the user's data folder (``paths.data_dir() / "library.json"``), written whole
or not at all; read with every value checked and its size bounded, so a damaged or foreign
file is a plain message, never a crash. Themes are copied in and out of projects: a project
keeps its own copy, so a theme changed in one project changes nowhere else.

    {"format": "cuesketch-library", "version": 1,
     "themes": [{...theme...}, ...],
     "palettes": [{"name": "My noir", "tracks": [{"name": "Alto Sax", ...}, ...]}, ...]}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cuesketch import paths
from cuesketch.files import replacing
from cuesketch.model.entities import Theme
from cuesketch.model.palette_templates import (BUILTIN, MAX_TEMPLATE_TRACKS, PaletteError,
                                               Template, TemplateTrack)
from cuesketch.model.theme_values import ThemeError
from cuesketch.store.theme_codec import theme_from_dict, theme_to_dict

FORMAT = "cuesketch-library"
VERSION = 1
MAX_BYTES = 32 * 1024 * 1024
MAX_ITEMS = 10_000
FILE_NAME = "library.json"


class LibraryError(RuntimeError):
    """The library file can't be read or written, in plain words."""


def default_path() -> Path:
    return paths.data_dir() / FILE_NAME


@dataclass
class Library:
    themes: list[Theme] = field(default_factory=list)
    palettes: list[Template] = field(default_factory=list)

    # -- themes ----------------------------------------------------------------------------
    def theme(self, name: str) -> Theme:
        for t in self.themes:
            if t.name.casefold() == name.strip().casefold():
                return t
        known = ", ".join(t.name for t in self.themes) or "none"
        raise LibraryError(f"your library has no theme '{name}' (its themes: {known})")

    def put_theme(self, theme: Theme) -> Theme:
        """Copy a theme in, replacing one of the same name; returns it as kept (ids are the
        library's own, not the project's)."""
        kept = [t for t in self.themes if t.name.casefold() != theme.name.casefold()]
        theme = replace(theme, id=max((t.id for t in kept), default=0) + 1)
        self.themes = kept + [theme]
        return theme

    def remove_theme(self, name: str) -> None:
        self.themes = [t for t in self.themes if t.name.casefold() != name.casefold()]

    # -- palettes --------------------------------------------------------------------------
    def all_palettes(self) -> list[Template]:
        """The built-in palettes, then the user's own."""
        own = {p.name.casefold() for p in self.palettes}
        return [t for t in BUILTIN.values() if t.name.casefold() not in own] + self.palettes

    def palette(self, name: str) -> Template:
        for t in self.all_palettes():
            if t.name.casefold() == name.strip().casefold():
                return t
        known = ", ".join(t.name for t in self.all_palettes())
        raise LibraryError(f"there is no palette '{name}' (palettes: {known})")

    def put_palette(self, template: Template) -> None:
        self.palettes = [p for p in self.palettes
                         if p.name.casefold() != template.name.casefold()] + [
            replace(template, builtin=False)]

    def remove_palette(self, name: str) -> None:
        self.palettes = [p for p in self.palettes if p.name.casefold() != name.casefold()]


# -- reading and writing ---------------------------------------------------------------------------
def _track_to_dict(t: TemplateTrack) -> dict[str, Any]:
    return {"name": t.name, "section": t.section, "bank": t.bank, "program": t.program,
            "volume": t.volume, "pan": t.pan, "color": t.color, "soundfont": t.soundfont}


_COLOR = re.compile(r"#[0-9a-fA-F]{6}")  # as tracks hold it (empty: the section's colour)


def _track_from_dict(d: Any) -> TemplateTrack:
    if not isinstance(d, dict):
        raise LibraryError("a palette's track must be an object")

    def text(key: str) -> str:
        v = d.get(key, "")
        if not isinstance(v, str) or len(v) > 4096:
            raise LibraryError(f"a palette track's {key} must be text")
        return v

    def number(key: str, lo: float, hi: float) -> float:
        v = d.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not lo <= v <= hi:
            raise LibraryError(f"a palette track's {key} must be a number {lo}..{hi}")
        return float(v)

    color = text("color")
    if color and not _COLOR.fullmatch(color):
        raise LibraryError(f"a palette track's color must be #rrggbb, not {color[:20]!r}")
    bank, program = d.get("bank"), d.get("program")
    if type(bank) is not int or not 0 <= bank <= 16383 or type(program) is not int \
            or not 0 <= program <= 127:
        raise LibraryError("a palette track's preset must be a bank 0..16383 and a program 0..127")
    return TemplateTrack(text("name"), text("section"), bank, program, number("volume", 0, 1),
                         number("pan", -1, 1), color, text("soundfont"))


def dumps(library: Library) -> str:
    return json.dumps({
        "format": FORMAT, "version": VERSION,
        "themes": [theme_to_dict(t) for t in library.themes],
        "palettes": [{"name": p.name, "tracks": [_track_to_dict(t) for t in p.tracks]}
                     for p in library.palettes],
    }, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def loads(text: str) -> Library:
    try:
        d = json.loads(text)
    except (ValueError, RecursionError):
        raise LibraryError("the library is not readable JSON") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise LibraryError("this is not a Cuesketch library")
    if type(d.get("version")) is not int or d["version"] > VERSION:
        raise LibraryError("the library was written by a newer Cuesketch; update Cuesketch")
    themes, palettes = d.get("themes", []), d.get("palettes", [])
    if not isinstance(themes, list) or not isinstance(palettes, list) \
            or len(themes) > MAX_ITEMS or len(palettes) > MAX_ITEMS:
        raise LibraryError(f"the library's themes and palettes are lists of at most {MAX_ITEMS}")
    library = Library()
    try:
        library.themes = [theme_from_dict(t) for t in themes]
        for p in palettes:
            if not isinstance(p, dict) or not isinstance(p.get("tracks"), list) \
                    or len(p["tracks"]) > MAX_TEMPLATE_TRACKS or not isinstance(p.get("name"), str):
                raise LibraryError("a palette is a name and a list of tracks")
            library.palettes.append(Template(p["name"], tuple(_track_from_dict(t)
                                                              for t in p["tracks"])))
    except (ThemeError, PaletteError) as e:
        raise LibraryError(f"the library holds a damaged entry: {e}") from None
    return library


def load(path: Path | None = None) -> Library:
    """The library (empty if there is none yet)."""
    path = path or default_path()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise LibraryError(f"{path} is too large to be a Cuesketch library")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Library()
    except UnicodeDecodeError:
        raise LibraryError(f"{path} is not a Cuesketch library (not text)") from None
    except OSError as e:
        raise LibraryError(f"can't read {path}: {e.strerror or e}") from None
    try:
        return loads(text)
    except LibraryError as e:
        raise LibraryError(f"{path}: {e}") from None


def save(library: Library, path: Path | None = None) -> None:
    """Write the library whole or not at all."""
    path = path or default_path()
    with replacing(path, LibraryError) as tmp:
        tmp.write_text(dumps(library), encoding="utf-8")
