"""Every action of the window in one place: its name, text, shortcut and tip.

Menus, toolbars, shortcuts and the shortcuts sheet (``shortcuts_dialog``) are built from this
table, so they stay consistent; the window connects each name to its handler. ``menu`` is the
menu's title, ``"Edit/Transpose"`` a submenu of it.

An action's keys are the window's (they work wherever the focus is, unless a text field takes
them), or, for ``Scope.ROLL``, the piano roll's own key table (``roll_editor.KEYS``): those
work while the roll has the focus and the menu only shows them, so that the arrows still move
through lists and step the transport elsewhere.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


class Scope(enum.Enum):
    WINDOW = "window"  # the keys are window shortcuts
    ROLL = "roll"  # the keys are the roll's, while it has the focus; the menu shows them


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    shortcuts: tuple[str, ...] = ()
    tip: str = ""
    checkable: bool = False
    menu: str = ""
    group_start: bool = False  # a separator above it in its menu
    scope: Scope = Scope.WINDOW

    @property
    def plain_text(self) -> str:
        """The text without its mnemonic and ellipsis: "Save As" for "Save &As…"."""
        return self.text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


ROLL = Scope.ROLL


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("file.new", "&New Project from Film…", ("Ctrl+N",), menu="File"),
    ActionSpec("file.open", "&Open Project…", ("Ctrl+O",), menu="File"),
    ActionSpec("file.open_recent", "Open &Recent", menu="File"),  # its menu: ui.recent
    ActionSpec("file.save_as", "Save &As…", ("Ctrl+Shift+S",), menu="File"),
    ActionSpec("file.save_copy", "Save a &Copy…", (),
               "Write the project as it is now to another file; go on working here", menu="File"),
    ActionSpec("file.snapshot", "Take &Snapshot…", ("Ctrl+Alt+S",),
               "Keep the project as it is now under a name", menu="File"),
    ActionSpec("file.snapshots", "Sna&pshots…", (),
               "Open, restore or delete the project's snapshots", menu="File"),
    ActionSpec("file.import_midi", "&Import MIDI File…", ("Ctrl+I",), menu="File"),
    ActionSpec("file.export_midi", "&Export MIDI File…", ("Ctrl+E",), menu="File"),
    ActionSpec("file.render", "&Render Mix to WAV…", ("Ctrl+Shift+R",), menu="File"),
    ActionSpec("file.export_stems", "Export S&tems…", (),
               "Time-stamped stems per section, per cue, for the music editor", menu="File"),
    ActionSpec("file.export_preview", "Export Pre&view Movie…", (),
               "The sketch over the film, marked, for the director", menu="File"),
    ActionSpec("file.send_review", "Sen&d for Review…", (),
               "A package of cue versions for the director to watch, note and approve",
               menu="File", group_start=True),
    ActionSpec("file.import_review", "Import Revie&w…", (),
               "Bring a director's reply in: notes at their frames, verdicts as cue status",
               menu="File"),
    ActionSpec("file.relink_film", "Re&link Film…", (),
               "Find the film again in a folder, by its name and content", menu="File"),
    ActionSpec("file.film_offset", "Film O&ffset…", (),
               "The timecode of the film's first frame", menu="File"),
    ActionSpec("file.quit", "&Quit", ("Ctrl+Q",), menu="File"),
    ActionSpec("edit.undo", "&Undo", ("Ctrl+Z",), menu="Edit"),
    ActionSpec("edit.redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), menu="Edit"),
    ActionSpec("edit.cut", "Cu&t", ("Ctrl+X",), "Cut the selected notes", menu="Edit",
               group_start=True),
    ActionSpec("edit.copy", "&Copy", ("Ctrl+C",), "Copy the selected notes", menu="Edit"),
    ActionSpec("edit.paste", "&Paste at Playhead", ("Ctrl+V",),
               "Paste the copied notes at the playhead, on the active track", menu="Edit"),
    ActionSpec("edit.duplicate", "&Duplicate", ("Ctrl+D",),
               "Copy the selected notes onto the grid line after them", menu="Edit"),
    ActionSpec("edit.delete", "De&lete", ("Del", "Backspace"), "Delete the selected notes",
               menu="Edit"),
    ActionSpec("edit.select_all", "Select &All in Track", ("Ctrl+A",),
               "Select every note of the active track", menu="Edit", group_start=True),
    ActionSpec("edit.select_none", "Select &None", ("Esc",), menu="Edit", scope=ROLL),
    ActionSpec("edit.quantize", "&Quantize", ("Q",),
               "Move the selected notes (none selected: the track's) onto the grid",
               menu="Edit", group_start=True),
    ActionSpec("edit.transpose_up", "Up a &Semitone", ("Up",), menu="Edit/&Transpose",
               scope=ROLL),
    ActionSpec("edit.transpose_down", "&Down a Semitone", ("Down",), menu="Edit/&Transpose",
               scope=ROLL),
    ActionSpec("edit.octave_up", "Up an &Octave", ("Shift+Up",), menu="Edit/&Transpose",
               scope=ROLL),
    ActionSpec("edit.octave_down", "Down an Oc&tave", ("Shift+Down",), menu="Edit/&Transpose",
               scope=ROLL),
    ActionSpec("edit.transpose", "&Transpose by…", ("Ctrl+T",),
               "Transpose the selected notes by any interval", menu="Edit/&Transpose",
               group_start=True),
    ActionSpec("edit.nudge_later", "Later by a &Grid Step", ("Right",), menu="Edit/&Nudge",
               scope=ROLL),
    ActionSpec("edit.nudge_earlier", "Earlier by a G&rid Step", ("Left",), menu="Edit/&Nudge",
               scope=ROLL),
    ActionSpec("edit.frame_later", "Later by a &Frame", ("Alt+Right",), menu="Edit/&Nudge",
               group_start=True),
    ActionSpec("edit.frame_earlier", "Earlier by a Fr&ame", ("Alt+Left",), menu="Edit/&Nudge"),
    ActionSpec("edit.tick_later", "Later by a &Tick", ("Ctrl+Alt+Right",),
               "One tick: 1/960 of a quarter note", menu="Edit/&Nudge", group_start=True),
    ActionSpec("edit.tick_earlier", "Earlier by a T&ick", ("Ctrl+Alt+Left",),
               "One tick: 1/960 of a quarter note", menu="Edit/&Nudge"),
    ActionSpec("edit.musical_typing", "&Musical Typing", ("Ctrl+K",),
               "Play and record from the computer keyboard (A S D F ... ; Z/X octave)",
               checkable=True, menu="Edit", group_start=True),
    ActionSpec("edit.find_tempo", "&Find Tempo…", ("Ctrl+Shift+T",),
               "Fit the cue's tempo to its hits", menu="Edit", group_start=True),
    ActionSpec("edit.capture_theme", "Capture T&heme from Selection…", ("Ctrl+Alt+C",),
               "A theme (leitmotif) from the notes selected in the roll", menu="Edit",
               group_start=True),
    ActionSpec("edit.insert_theme", "Insert Th&eme at Playhead…", ("Ctrl+Alt+I",),
               "A theme, transformed, at the playhead on the armed track", menu="Edit"),
    ActionSpec("edit.palettes", "Pa&lettes…", ("Ctrl+Alt+P",),
               "Instrument templates: apply to the project or a cue, save the tracks as one",
               menu="Edit"),
    ActionSpec("edit.preferences", "&Preferences…", ("Ctrl+,",), menu="Edit",
               group_start=True),
    ActionSpec("transport.play", "Play", ("Space",), "Play or stop (Space)", menu="Transport"),
    ActionSpec("transport.stop", "Stop", (), "Stop", menu="Transport"),
    ActionSpec("transport.record", "Record", ("R",), "Arm recording and play (R)",
               checkable=True, menu="Transport"),
    ActionSpec("transport.start", "To Start", ("Home",), "Go to the project start (Home)",
               menu="Transport"),
    ActionSpec("transport.frame_back", "Back One Frame", ("Left",), menu="Transport",
               group_start=True),
    ActionSpec("transport.frame_forward", "Forward One Frame", ("Right",), menu="Transport"),
    ActionSpec("transport.second_back", "Back One Second", ("Shift+Left",), menu="Transport"),
    ActionSpec("transport.second_forward", "Forward One Second", ("Shift+Right",),
               menu="Transport"),
    ActionSpec("transport.shuttle_back", "Shuttle Backward", ("J",), menu="Transport",
               group_start=True),
    ActionSpec("transport.shuttle_pause", "Shuttle Pause", ("K",), menu="Transport"),
    ActionSpec("transport.shuttle_forward", "Shuttle Forward", ("L",), menu="Transport"),
    ActionSpec("transport.goto", "&Go to Timecode…", ("Ctrl+G",), menu="Transport"),
    ActionSpec("transport.mark_in", "Mark &In", ("I",), "The range starts at the playhead (I)",
               menu="Transport", group_start=True),
    ActionSpec("transport.mark_out", "Mark &Out", ("O",), "The range ends at the playhead (O)",
               menu="Transport"),
    ActionSpec("transport.range_cue", "Range to Current C&ue", ("Shift+U",),
               "Mark the cue under the playhead as the range", menu="Transport"),
    ActionSpec("transport.range_selection", "Range to Selected &Notes", ("Shift+N",),
               "Mark the selected notes' time as the range", menu="Transport"),
    ActionSpec("transport.range_clear", "Clear Range", ("Alt+X",), menu="Transport"),
    ActionSpec("transport.go_in", "Go to In", ("Shift+I",), menu="Transport"),
    ActionSpec("transport.go_out", "Go to Out", ("Shift+O",), menu="Transport"),
    ActionSpec("transport.loop", "&Loop Range", ("Ctrl+L",),
               "Loop the in–out range (no range marked: the cue under the playhead)",
               checkable=True, menu="Transport", group_start=True),
    ActionSpec("transport.click", "&Click Track", ("Ctrl+Shift+C",), checkable=True,
               menu="Transport", group_start=True),
    ActionSpec("transport.count_in", "Count-in One &Bar", (), checkable=True,
               menu="Transport"),
    ActionSpec("transport.mode_replace", "Record: &Replace", (), checkable=True,
               menu="Transport", group_start=True),
    ActionSpec("transport.mode_overdub", "Record: &Overdub", (), checkable=True,
               menu="Transport"),
    ActionSpec("transport.mode_loop", "Record: Loop &Takes", (), checkable=True,
               menu="Transport"),
    ActionSpec("transport.punch", "Record: &Punch In/Out over the Range", (),
               "Record only inside the in–out range (no range marked: the cue under the "
               "playhead)", checkable=True, menu="Transport"),
    ActionSpec("view.film_mute", "&Mute Film Sound", ("Ctrl+Shift+M",), checkable=True,
               menu="View"),
    ActionSpec("view.picture_window", "Picture in Own &Window", ("Ctrl+Shift+F",),
               checkable=True, menu="View"),
    ActionSpec("view.zoom_selection", "&Zoom to Selection", ("Z",), menu="View",
               group_start=True, scope=ROLL),
    ActionSpec("view.zoom_cue", "Zoom to &Cue", ("Shift+Z",), "Zoom to the cue at the playhead",
               menu="View", scope=ROLL),
    ActionSpec("spot.hit_hard", "&Hard Hit at Playhead", ("H",),
               "A hard hit where the picture is, while it plays or not (H)", menu="Spot"),
    ActionSpec("spot.hit_soft", "&Soft Hit at Playhead", ("Shift+H",), menu="Spot"),
    ActionSpec("spot.hit_cut", "C&ut Hit at Playhead", ("Ctrl+H",), menu="Spot"),
    ActionSpec("spot.hit_dialogue", "&Dialogue Hit at Playhead", ("Ctrl+Alt+H",), menu="Spot"),
    ActionSpec("spot.cue_start", "Cue S&tart at Playhead", ("[",),
               "A cue starts here; the cue end makes it ([)", menu="Spot", group_start=True),
    ActionSpec("spot.cue_end", "Cue &End at Playhead", ("]",),
               "The cue started before ends here (])", menu="Spot"),
    ActionSpec("spot.no_music", "&No Music from/to Playhead", ("\\",),
               "Opens a no-music range, or closes the open one (\\)", menu="Spot"),
    ActionSpec("spot.tap_latency", "Tap &Latency…", (),
               "Taps land this much earlier than the key", menu="Spot"),
    ActionSpec("spot.renumber", "&Renumber Cues", (), "Number the cues in time order, per reel",
               menu="Spot", group_start=True),
    ActionSpec("spot.cue_version", "Keep a &Version of This Cue", (),
               "A snapshot named after the cue at the playhead (1M3 v2)", menu="Spot"),
    ActionSpec("spot.import_markers", "&Import Markers…", ("Ctrl+Shift+I",),
               "Markers from an EDL, Avid, Premiere, Pro Tools, OTIO or CSV file", menu="Spot",
               group_start=True),
    ActionSpec("spot.export_markers", "E&xport Markers…", (), menu="Spot"),
    ActionSpec("spot.detect_cuts", "Detect &Cuts…", (), "Find the picture cuts in the film",
               menu="Spot"),
    ActionSpec("spot.detect_speech", "Detect S&peech…", (),
               "Find where people speak in the film's sound (the speech lane)", menu="Spot"),
    ActionSpec("spot.print_notes", "&Print Spotting Notes…", ("Ctrl+P",), menu="Spot",
               group_start=True),
    ActionSpec("spot.cue_sheet", "Music Cue S&heet…", (), menu="Spot"),
    ActionSpec("spot.rights", "Cue Sheet &Writers and Publishers…", (),
               "The composers and publishers, their shares and societies", menu="Spot"),
    ActionSpec("help.manual", "Cuesketch &Manual", ("F1",), menu="Help"),
    ActionSpec("help.shortcuts", "&Keyboard Shortcuts", ("Ctrl+/",),
               "Every key, searchable", menu="Help"),
    ActionSpec("help.about", "&About Cuesketch", (), menu="Help", group_start=True),
)

SPECS: dict[str, ActionSpec] = {spec.name: spec for spec in ACTIONS}


def build_actions(parent: QWidget, handlers: dict[str, Callable[[], None]]) -> dict[str, QAction]:
    """QActions for the table, connected to ``handlers`` by name (missing ones disabled)."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, parent)
        action.setObjectName(spec.name)
        if spec.scope is Scope.WINDOW:
            action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        elif spec.shortcuts:  # the roll's key: shown in the menu's key column, not a shortcut
            key = QKeySequence(spec.shortcuts[0]).toString(QKeySequence.SequenceFormat.NativeText)
            action.setText(f"{spec.text}\t{key}")
            action.setIconText(spec.plain_text)
            action.setToolTip(f"{spec.tip or spec.plain_text} ({key} in the piano roll)")
        action.setCheckable(spec.checkable)
        if spec.tip and spec.scope is Scope.WINDOW:
            action.setToolTip(spec.tip)
        handler = handlers.get(spec.name)
        if handler is None:
            action.setEnabled(False)
        else:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        parent.addAction(action)
        actions[spec.name] = action
    return actions
