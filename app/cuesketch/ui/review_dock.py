"""The Review dock: the project's review notes by timecode, to go to, resolve and answer.

A note made against another cut of the film (``ReviewNote.off_cut``) is flagged, not shown as
if it fit. Resolving and replying are undoable edits (``model.review_notes``); the next
package sent carries the replies and the resolved state to the director.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from cuesketch.model.document import Document
from cuesketch.model.entities import ReviewNote
from cuesketch.model.review_notes import add_reply, notes_by_time, set_resolved
from cuesketch.timing.timecode import format_timecode
from cuesketch.ui.bridge import DocumentSignals

ID_ROLE = Qt.ItemDataRole.UserRole
OFF_CUT = "#ffae42"
RESOLVED = "#7d8590"


def your_name(parent: QWidget) -> str | None:
    """The name replies and reviews are signed with: asked once, kept in the preferences."""
    from cuesketch.prefs import load, save
    from cuesketch.ui.qsettings_store import QSettingsMapping
    store = QSettingsMapping()
    prefs = load(store)
    if prefs.review_author:
        return prefs.review_author
    name, ok = QInputDialog.getText(parent, "Your name", "Your name, as the director will "
                                                         "read it with your replies:")
    if not ok or not name.strip():
        return None
    prefs.review_author = name.strip()
    save(prefs, store)
    return prefs.review_author


class ReviewDock(QWidget):
    def __init__(self, document: Document, go_to_frame: Callable[[int], None],
                 author: Callable[[QWidget], str | None] | None = None,
                 parent: QWidget | None = None) -> None:
        """``author``: the composer's name for replies (default: asked once, kept in the
        preferences)."""
        super().__init__(parent)
        self.setObjectName("ReviewNotesPanel")
        self.document = document
        self.go_to_frame = go_to_frame
        self.author = author or your_name
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("ReviewNotesTree")
        self.tree.setHeaderLabels(["Timecode", "Cue", "From", "Note", ""])
        self.tree.setColumnWidth(0, 230)
        self.tree.setIndentation(14)
        self.tree.setColumnWidth(1, 90)
        self.tree.setColumnWidth(2, 110)
        self.tree.setColumnWidth(3, 420)
        self.tree.setWordWrap(True)
        self.tree.itemDoubleClicked.connect(self._go)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.summary = QLabel(self)
        self.resolve = QPushButton("Resolve", self)
        self.resolve.setObjectName("ReviewResolve")
        self.resolve.clicked.connect(self._toggle_resolved)
        self.reply = QPushButton("Reply…", self)
        self.reply.setObjectName("ReviewReply")
        self.reply.clicked.connect(self._reply)
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.resolve)
        row.addWidget(self.reply)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        self.signals = DocumentSignals(document, self)
        self.signals.changed.connect(self._changed)
        self.refresh()

    def _changed(self, changes: object) -> None:
        if any(getattr(c, "kind", None) is ReviewNote for c in changes):  # type: ignore[attr-defined]
            self.refresh()

    def refresh(self) -> None:
        project = self.document.project
        s = project.settings
        chosen = self.chosen()
        self.tree.clear()
        notes = notes_by_time(project)
        for note in notes:
            where = format_timecode(s.start_frame + note.frame, s.rate)
            if note.end_frame is not None:
                where += f" – {format_timecode(s.start_frame + note.end_frame, s.rate)}"
            state = ("⚠ other cut" if note.off_cut else "") + (" ✔ resolved" if note.resolved
                                                               else "")
            item = QTreeWidgetItem([where, f"{note.cue} {note.version}".strip(), note.author,
                                    note.text, state.strip()])
            item.setData(0, ID_ROLE, note.id)
            item.setToolTip(3, f"{note.text}\n\n{note.author}, {note.created}")
            if note.off_cut:
                item.setForeground(4, QBrush(QColor(OFF_CUT)))
                item.setToolTip(4, "Written against another cut of the film (its content "
                                   "differs): check where it belongs before acting on it")
            if note.resolved:
                for col in range(4):
                    item.setForeground(col, QBrush(QColor(RESOLVED)))
            for author, created, text in note.replies:
                child = QTreeWidgetItem(["", "", author, f"↳ {text}", created[:16]])
                child.setData(0, ID_ROLE, note.id)
                item.addChild(child)
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
            if note.id == chosen:
                self.tree.setCurrentItem(item)
        open_notes = sum(not n.resolved for n in notes)
        flagged = sum(n.off_cut for n in notes)
        self.summary.setText(f"{len(notes)} note{'s' * (len(notes) != 1)}, {open_notes} open"
                             + (f", {flagged} against another cut" if flagged else ""))
        self._update_buttons()

    def chosen(self) -> int | None:
        item = self.tree.currentItem()
        value = item.data(0, ID_ROLE) if item is not None else None
        return value if isinstance(value, int) else None

    def _note(self) -> ReviewNote | None:
        nid = self.chosen()
        return self.document.project.review_notes.get(nid) if nid is not None else None

    def _update_buttons(self) -> None:
        note = self._note()
        editable = note is not None and not self.document.read_only
        self.resolve.setEnabled(editable)
        self.reply.setEnabled(editable)
        self.resolve.setText("Reopen" if note is not None and note.resolved else "Resolve")

    def _go(self, item: QTreeWidgetItem, _column: int) -> None:
        nid = item.data(0, ID_ROLE)
        note = self.document.project.review_notes.get(nid) if isinstance(nid, int) else None
        if note is not None:
            self.go_to_frame(note.frame)

    def _toggle_resolved(self) -> None:
        note = self._note()
        if note is not None:
            set_resolved(self.document, note.id, not note.resolved)

    def _reply(self) -> None:
        note = self._note()
        if note is None:
            return
        author = self.author(self)
        if not author:
            return
        text, ok = QInputDialog.getMultiLineText(self, "Reply to the note",
                                                 f"{note.author}: {note.text}\n\nYour reply:")
        if ok and text.strip():
            add_reply(self.document, note.id, author, time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                      text)
