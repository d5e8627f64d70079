"""Every action of the window in one place: its name, text, shortcut and tip.

Menus, toolbars and shortcuts are built from this table, so they stay consistent; the window
connects each name to its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    shortcuts: tuple[str, ...] = ()
    tip: str = ""
    checkable: bool = False
    menu: str = ""
    group_start: bool = False  # a separator above it in its menu


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("file.new", "&New Project from Film…", ("Ctrl+N",), menu="File"),
    ActionSpec("file.open", "&Open Project…", ("Ctrl+O",), menu="File"),
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
    ActionSpec("file.relink_film", "Re&link Film…", (),
               "Find the film again in a folder, by its name and content", menu="File"),
    ActionSpec("file.film_offset", "Film O&ffset…", (),
               "The timecode of the film's first frame", menu="File"),
    ActionSpec("file.quit", "&Quit", ("Ctrl+Q",), menu="File"),
    ActionSpec("edit.undo", "&Undo", ("Ctrl+Z",), menu="Edit"),
    ActionSpec("edit.redo", "&Redo", ("Ctrl+Shift+Z", "Ctrl+Y"), menu="Edit"),
    ActionSpec("edit.musical_typing", "&Musical Typing", ("Ctrl+K",),
               "Play and record from the computer keyboard (A S D F ... ; Z/X octave)",
               checkable=True, menu="Edit"),
    ActionSpec("edit.preferences", "&Preferences…", ("Ctrl+,",), menu="Edit"),
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
    ActionSpec("help.about", "&About Cuesketch", (), menu="Help"),
)


def build_actions(parent: QWidget, handlers: dict[str, Callable[[], None]]) -> dict[str, QAction]:
    """QActions for the table, connected to ``handlers`` by name (missing ones disabled)."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(spec.text, parent)
        action.setObjectName(spec.name)
        action.setShortcuts([QKeySequence(s) for s in spec.shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setCheckable(spec.checkable)
        if spec.tip:
            action.setToolTip(spec.tip)
        handler = handlers.get(spec.name)
        if handler is None:
            action.setEnabled(False)
        else:
            action.triggered.connect(lambda _checked=False, h=handler: h())
        parent.addAction(action)
        actions[spec.name] = action
    return actions
