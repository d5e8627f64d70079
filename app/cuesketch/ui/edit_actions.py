"""The Edit menu's note commands (cut, copy, paste, duplicate, delete, select, quantize,
transpose, nudge) and the roll's zooms in View, as the window's actions: each forwards to the
piano roll's editor (``roll_editor``, where the logic lives), and each is greyed out when it
would do nothing (no selection, no track, nothing copied).

    commands = EditCommands(roll, window)
    handlers.update(commands.handlers())
    ...                                    # the window builds its actions from the table
    commands.attach(window.action_map)     # enabling follows the selection from now on

Copied notes go to the system clipboard too: as JSON under ``NOTES_MIME`` (another Cuesketch
window pastes them) and as plain text (a text editor shows one note a line).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QByteArray, QMimeData, QObject, QTimer
from PySide6.QtGui import QAction, QClipboard, QGuiApplication
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from cuesketch.model import edits
from cuesketch.ui.bridge import DocumentSignals
from cuesketch.ui.piano_roll import PianoRoll
from cuesketch.ui.roll_editor import ACTION_COMMANDS, Command

NOTES_MIME = "application/x-cuesketch-notes"
NEEDS_SELECTION = ("edit.transpose",)  # window actions that are not roll commands


class SystemClipboard:
    """The editor's clipboard on the system's: what was copied here, or notes another
    Cuesketch put there since."""

    def __init__(self, clipboard: QClipboard) -> None:
        self.clipboard = clipboard
        self._last = edits.Clip((), 0)
        self._read: tuple[bytes, edits.Clip] | None = None  # the clipboard's bytes, parsed

    def put(self, clip: edits.Clip) -> None:
        self._last = clip
        data = QMimeData()
        data.setData(NOTES_MIME, QByteArray(edits.clip_to_json(clip).encode()))
        data.setText(edits.clip_to_text(clip))
        self.clipboard.setMimeData(data)

    def get(self) -> edits.Clip:
        """The notes on the clipboard (``ValueError`` if they are damaged); when it holds
        something else, the notes last copied here."""
        data = self.clipboard.mimeData()
        if data is None or not data.hasFormat(NOTES_MIME):
            return self._last
        raw = bytes(data.data(NOTES_MIME).data())
        if self._read is None or self._read[0] != raw:  # asked at every selection change
            self._read = (raw, edits.clip_from_json(raw))
        return self._read[1]


class EditCommands(QObject):
    def __init__(self, roll: PianoRoll, parent: QWidget,
                 ask_interval: Callable[[QWidget], int | None] | None = None) -> None:
        """``ask_interval``: asks how far to transpose (the small dialog, unless a test
        answers)."""
        super().__init__(parent)
        self.roll = roll
        self.editor = roll.editor
        self.parent_widget = parent
        self.ask_interval = ask_interval or _ask_interval
        self.actions: dict[str, QAction] = {}
        clipboard = QGuiApplication.clipboard()
        self.editor.clipboard_store = SystemClipboard(clipboard)
        self._pending = False
        self._document = DocumentSignals(roll.document, self, history=False)
        self._document.changed.connect(lambda _changes: self.schedule_sync())
        # The clipboard and the editor outlive this window: let go of them when it goes.
        alive = [True]

        def poke(*_args: object) -> None:
            if alive[0]:
                self.schedule_sync()

        unobserve = self.editor.observe(poke)
        clipboard.dataChanged.connect(poke)

        def detach() -> None:
            alive[0] = False
            unobserve()
            clipboard.dataChanged.disconnect(poke)

        self.destroyed.connect(detach)

    def handlers(self) -> dict[str, Callable[[], None]]:
        out: dict[str, Callable[[], None]] = {
            name: partial(self.roll.perform, command) for name, command in ACTION_COMMANDS.items()}
        out["edit.transpose"] = self.transpose_by
        return out

    def attach(self, actions: dict[str, QAction]) -> None:
        """The window's actions, to grey out and light up from now on."""
        self.actions = actions
        self.sync()

    def schedule_sync(self) -> None:
        """Many changes at once (a rubber band, an undo) make one update, after them."""
        if not self._pending:
            self._pending = True
            QTimer.singleShot(0, self.sync)

    def sync(self) -> None:
        self._pending = False
        for name, command in ACTION_COMMANDS.items():
            action = self.actions.get(name)
            if action is not None and isValid(action):
                action.setEnabled(self._available(command))
        for name in NEEDS_SELECTION:
            action = self.actions.get(name)
            if action is not None and isValid(action):
                action.setEnabled(bool(self.editor.selection))

    def _available(self, command: Command) -> bool:
        if command is Command.PASTE:
            try:
                return self.editor.available(command) and bool(self.editor.clipboard)
            except ValueError:
                return True  # damaged: Paste says so
        return self.editor.available(command)

    def transpose_by(self) -> None:
        if not self.editor.selection:
            return
        semitones = self.ask_interval(self.parent_widget)
        if semitones:
            self.editor.transpose(semitones)


def _ask_interval(parent: QWidget) -> int | None:
    from cuesketch.ui.transpose_dialog import TransposeDialog
    return TransposeDialog.ask(parent)
