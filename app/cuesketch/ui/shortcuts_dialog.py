"""Help › Keyboard Shortcuts: every key of the window, the piano roll and musical typing on
one searchable sheet, built from the tables that make the keys work (``actions.ACTIONS``,
``roll_editor.KEYS``, the roll's view keys, ``typing_keyboard``), so it cannot fall out of date.

    rows = shortcut_rows()
    matching(rows, "nudge")   # what the search box shows
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView,
                               QLabel, QLineEdit, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from cuesketch.engine import typing_keyboard as typing
from cuesketch.ui.actions import ACTIONS, Scope
from cuesketch.ui.piano_roll import VIEW_KEY_NAMES
from cuesketch.ui.roll_editor import ACTION_COMMANDS, KEYS

WINDOW, ROLL, TYPING = "Anywhere", "Piano roll", "Musical typing"
TYPING_TAKES = "played by musical typing while it is on"


@dataclass(frozen=True)
class ShortcutRow:
    keys: str  # as this system writes them: "Ctrl+Shift+Z, Ctrl+Y"
    command: str  # "Undo"
    where: str  # "Anywhere" (menu: Edit), "Piano roll", "Musical typing"
    note: str = ""  # "played by musical typing while it is on"

    def text(self) -> str:
        return " ".join((self.keys, self.command, self.where, self.note)).lower()


def native(key: str) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def _typing_takes(key: str) -> bool:
    """A plain letter musical typing plays while it is on (its filter wins over shortcuts)."""
    return len(key) == 1 and typing.TypingKeyboard(lambda _m: None).handles(key)


def shortcut_rows() -> list[ShortcutRow]:
    rows: list[ShortcutRow] = []
    shown_roll_keys: set[str] = set()
    for spec in ACTIONS:
        if not spec.shortcuts:
            continue
        menu = spec.menu.replace("&", "").replace("/", " › ")
        if spec.scope is Scope.ROLL:
            where = f"{ROLL} (menu: {menu})"
            shown_roll_keys.update(spec.shortcuts)
        else:
            where = f"{WINDOW} (menu: {menu})" if menu else WINDOW
        if spec.name in ACTION_COMMANDS:  # the roll runs the same keys itself
            shown_roll_keys.update(spec.shortcuts)
        note = TYPING_TAKES if any(_typing_takes(k) for k in spec.shortcuts) else ""
        submenu = spec.menu.partition("/")[2].replace("&", "")
        text = f"{submenu}: {spec.plain_text}" if submenu else spec.plain_text
        rows.append(ShortcutRow(", ".join(native(k) for k in spec.shortcuts), text, where, note))
    for key, command in KEYS.items():
        if key not in shown_roll_keys:
            note = TYPING_TAKES if _typing_takes(key) else ""
            rows.append(ShortcutRow(native(key), command.value.capitalize(), ROLL, note))
    rows += [ShortcutRow(native(key), text, ROLL) for key, text in VIEW_KEY_NAMES.items()]
    rows += _typing_rows()
    return rows


def _typing_rows() -> list[ShortcutRow]:
    rows = []
    for key, offset in typing.KEY_OFFSETS.items():
        name = typing.NOTE_NAMES[offset % 12] + ("" if offset < 12 else " (octave up)")
        rows.append(ShortcutRow(key.upper(), f"Play {name}", TYPING))
    rows += [
        ShortcutRow(typing.OCTAVE_DOWN.upper(), "An octave down", TYPING),
        ShortcutRow(typing.OCTAVE_UP.upper(), "An octave up", TYPING),
        ShortcutRow(typing.VELOCITY_DOWN.upper(),
                    f"Softer (velocity −{typing.VELOCITY_STEP})", TYPING),
        ShortcutRow(typing.VELOCITY_UP.upper(),
                    f"Louder (velocity +{typing.VELOCITY_STEP})", TYPING),
    ]
    return rows


def matching(rows: Iterable[ShortcutRow], query: str) -> list[ShortcutRow]:
    """The rows with every word of ``query`` in their keys, command or place (any case)."""
    words = query.lower().split()
    return [r for r in rows if all(w in r.text() for w in words)]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None,
                 rows: Sequence[ShortcutRow] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.rows = list(rows if rows is not None else shortcut_rows())
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search keys and commands: “nudge”, “ctrl+”, “typing”…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.filter)
        self.table = QTableWidget(len(self.rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Keys", "Command", "Where"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        for i, row in enumerate(self.rows):
            keys = QTableWidgetItem(row.keys)
            font = keys.font()
            font.setBold(True)
            keys.setFont(font)
            command = QTableWidgetItem(row.command + (f" — {row.note}" if row.note else ""))
            for column, item in enumerate((keys, command, QTableWidgetItem(row.where))):
                item.setToolTip(row.note)
                self.table.setItem(i, column, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.count = QLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self.resize(760, 600)
        self.filter("")
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def filter(self, query: str) -> None:
        shown = set(map(id, matching(self.rows, query)))
        for i, row in enumerate(self.rows):
            self.table.setRowHidden(i, id(row) not in shown)
        n = len(shown)
        self.count.setText(f"{n} of {len(self.rows)} keys" if query.strip() else
                           f"{n} keys · ‘Anywhere’ keys work unless a text field is being "
                           "edited; ‘Piano roll’ keys while the roll has the focus")

    def visible_rows(self) -> list[ShortcutRow]:
        return [r for i, r in enumerate(self.rows) if not self.table.isRowHidden(i)]
