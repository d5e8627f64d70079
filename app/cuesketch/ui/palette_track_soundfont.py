"""A track's SoundFont, chosen from its row's menu: the default General MIDI one, or any the
user added in Preferences, each with its presets read from the file. A SoundFont that is not
on this machine is shown as missing (the track plays General MIDI and keeps asking for it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMenu, QWidget

from cuesketch.engine.soundfonts import SoundFontError, read_presets
from cuesketch.model.document import Document
from cuesketch.model.palette_templates import PaletteError, set_soundfont

MAX_MENU_PRESETS = 400  # a menu, not a browser: the first ones of a huge font


def choose(document: Document, track_id: int, soundfont: str, bank: int | None = None,
           program: int | None = None, say: Callable[[str], None] = lambda _t: None) -> bool:
    """Set the track's SoundFont (and preset) as one undo step."""
    try:
        changes = set_soundfont(document.project, track_id, soundfont, bank, program)
    except PaletteError as e:
        say(f"SoundFont not set: {e}")
        return False
    if changes:
        try:
            with document.transaction("Choose SoundFont"):
                document.execute_changes(changes)
        except PermissionError as e:
            say(f"SoundFont not set: {e}")
            return False
    return True


def soundfont_menu(document: Document, track_id: int, fonts: list[str],
                   say: Callable[[str], None], parent: QWidget | None = None) -> QMenu:
    menu = QMenu("SoundFont", parent)
    track = document.project.tracks.get(track_id)
    if track is None:
        return menu
    gm = menu.addAction("General MIDI (the default)")
    gm.setCheckable(True)
    gm.setChecked(not track.soundfont)
    gm.triggered.connect(lambda _c=False: choose(document, track_id, "", say=say))
    wanted = list(dict.fromkeys(fonts + ([track.soundfont] if track.soundfont else [])))
    if wanted:
        menu.addSeparator()
    for path in wanted:
        name = Path(path).name
        try:
            presets = read_presets(path)
        except SoundFontError:
            gone = menu.addAction(f"{name} (missing: plays General MIDI)")
            gone.setCheckable(True)
            gone.setChecked(track.soundfont == path)
            gone.setEnabled(False)
            continue
        sub = menu.addMenu(("✓ " if track.soundfont == path else "") + name)
        for bank, program, preset in presets[:MAX_MENU_PRESETS]:
            action = sub.addAction(f"{bank:03d}:{program:03d}  {preset}")
            action.triggered.connect(
                lambda _c=False, p=path, b=bank, g=program: choose(document, track_id, p, b, g,
                                                                   say))
    return menu


def missing_warning(document: Document) -> str | None:
    """A plain warning for the tracks whose SoundFont is not on this machine, or None."""
    from cuesketch.engine.soundfonts import missing
    tracks = list(document.project.sorted_tracks())
    gone = missing([t.soundfont for t in tracks])
    if not gone:
        return None
    parts = []
    for path in gone:
        names = ", ".join(t.name for t in tracks if t.soundfont == path)
        parts.append(f"{Path(path).name} ({names})")
    return ("SoundFont missing: " + "; ".join(parts) + ". Those tracks play the General MIDI "
            "SoundFont until it is back; they keep asking for it.")
