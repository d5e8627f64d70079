"""The piano roll's right-click menu: the note under the pointer (named, and selected if it
was not), the Edit menu's note commands (the window's own actions, so keys, greying and
undo are the same), and a few things to do with that note.

    RollMenu(roll, window.action_map, refresh=commands.sync)   # once, when the window is built
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from cuesketch.model.edits import pitch_name
from cuesketch.model.entities import Note
from cuesketch.timing.timecode import format_position
from cuesketch.ui.piano_roll import PianoRoll

# The window's actions in the menu, in order; "" a separator, "Title:" a submenu's start and
# "" after its last entry closes it.
ENTRIES: tuple[str, ...] = (
    "edit.cut", "edit.copy", "edit.paste", "edit.duplicate", "edit.delete", "",
    "edit.select_all", "edit.select_none", "", "edit.quantize",
    "Transpose:", "edit.transpose_up", "edit.transpose_down", "edit.octave_up",
    "edit.octave_down", "edit.transpose", "/",
    "Nudge:", "edit.frame_later", "edit.frame_earlier", "edit.tick_later", "edit.tick_earlier",
    "edit.nudge_later", "edit.nudge_earlier", "/", "",
    "view.zoom_selection",
)


def describe(roll: PianoRoll, note: Note) -> str:
    """``E4 · 01:00:02:05 · 3|2|480 · velocity 90 · Strings``: the note, as the menu names it."""
    settings = roll.document.project.settings
    where = format_position(note.start, settings.rate, settings.start_frame)
    bbt = roll.editor.tempo_at(note.start).flicks_to_bbt(note.start)
    track = roll.document.project.tracks.get(note.track_id)
    name = f" · {track.name}" if track is not None else ""
    return f"{pitch_name(note.pitch)} · {where} · {bbt} · velocity {note.velocity}{name}"


class RollMenu(QObject):
    def __init__(self, roll: PianoRoll, actions: dict[str, QAction],
                 refresh: Callable[[], None] = lambda: None) -> None:
        """``actions``: the window's, by name; ``refresh``: brings their greying up to date."""
        super().__init__(roll)
        self.roll = roll
        self.actions = actions
        self.refresh = refresh
        self.menu: QMenu | None = None  # the one shown last
        canvas = roll.canvas
        canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        canvas.customContextMenuRequested.connect(self.show_at)

    def note_at(self, pos: QPoint) -> Note | None:
        return self.roll.canvas._note_under(QPointF(pos))

    def show_at(self, pos: QPoint) -> QMenu:
        """The menu for a right-click at ``pos`` (canvas pixels): a note there that is not
        selected becomes the selection (on its track), as in every editor."""
        editor = self.roll.editor
        note = self.note_at(pos)
        if note is not None and note.id not in editor.selection:
            if note.track_id != editor.active_track:
                self.roll.set_active_track(note.track_id)
            editor.set_selection({note.id})
        self.refresh()
        menu = self.build(note)
        menu.popup(self.roll.canvas.mapToGlobal(pos))
        return menu

    def build(self, note: Note | None) -> QMenu:
        if self.menu is not None:
            self.menu.deleteLater()
        menu = self.menu = QMenu(self.roll.canvas)
        menu.setObjectName("RollMenu")
        if note is not None:
            title = menu.addAction(describe(self.roll, note))
            title.setEnabled(False)
            go = menu.addAction("Playhead to This Note")
            go.triggered.connect(lambda _c=False, t=note.start: self.roll.transport.seek(t))
            menu.addSeparator()
        target = menu
        for entry in ENTRIES:
            if entry == "":
                target.addSeparator()
            elif entry == "/":
                target = menu
            elif entry.endswith(":"):
                target = menu.addMenu(entry[:-1])
            elif entry in self.actions:
                target.addAction(self.actions[entry])
        return menu
