"""The review window's side panels: the cues with their versions, the verdict, the notes.

Each shows the ``ReviewSession`` (``engine.review_session``) and forwards clicks to it; the
window refreshes them when the session says something changed.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QMessageBox, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from cuesketch.engine.review_session import ReviewError, ReviewSession
from cuesketch.store.review_schema import ReviewFileError
from cuesketch.model.review import DirectorNote, Verdict

VERDICT_MARKS = {Verdict.PENDING: "·", Verdict.APPROVED: "✔", Verdict.CHANGES: "✎"}
VERDICT_COLORS = {Verdict.PENDING: "#9aa0a6", Verdict.APPROVED: "#5fd068",
                  Verdict.CHANGES: "#ffae42"}
CUE_ROLE = Qt.ItemDataRole.UserRole
VERSION_ROLE = Qt.ItemDataRole.UserRole + 1


def guarded(widget: QWidget, fn: Callable[[], object]) -> None:
    """Run what a click asks for; what can't be done is said in a box, in plain words."""
    try:
        fn()
    except (ReviewError, ReviewFileError) as e:
        QMessageBox.warning(widget.window(), "Review", str(e))


class CueTree(QTreeWidget):
    """Cues, each with its versions; the one heard is bold; a verdict mark beside each."""

    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("ReviewCues")
        self.setHeaderLabels(["Cue", "Version", "Verdict"])
        self.setRootIsDecorated(True)
        self.setColumnWidth(0, 190)
        self.setColumnWidth(1, 90)
        self.itemClicked.connect(self._clicked)
        self.refresh()

    def refresh(self) -> None:
        s = self.session
        self.clear()
        bold = QFont(self.font())
        bold.setBold(True)
        for pc in s.info.cues:
            c = pc.cue
            top = QTreeWidgetItem([f"{c.name}  {c.title}".strip(), "",
                                   s.timecode(c.start_frame)])
            top.setData(0, CUE_ROLE, c.id)
            heard = s.selected_version(c.id)
            if c.id == s.current_cue:
                top.setFont(0, bold)
            for v in pc.versions:
                verdict = s.verdict(v.id)
                item = QTreeWidgetItem(["", v.name, f"{VERDICT_MARKS[verdict.verdict]} "
                                                    f"{verdict.verdict.value}"])
                item.setData(0, CUE_ROLE, c.id)
                item.setData(0, VERSION_ROLE, v.id)
                item.setForeground(2, QBrush(QColor(VERDICT_COLORS[verdict.verdict])))
                if heard is not None and heard.id == v.id:
                    item.setFont(1, bold)
                    item.setText(1, f"▶ {v.name}" if not s.film_only else f"({v.name}: off)")
                    item.setToolTip(1, "the version heard (A/B switches)")
                top.addChild(item)
            self.addTopLevelItem(top)
            top.setExpanded(True)

    def _clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        cue = item.data(0, CUE_ROLE)
        version = item.data(0, VERSION_ROLE)
        s = self.session
        if version is not None:
            s.current_cue = int(cue)
            guarded(self, lambda: s.select_version(int(cue), int(version)))
        elif cue is not None:
            guarded(self, lambda: s.jump_to_cue(int(cue)))


class VerdictBox(QWidget):
    """The verdict on the version heard of the cue in view: approve, ask for changes, not yet."""

    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.label = QLabel(self)
        self.comment = QLineEdit(self)
        self.comment.setObjectName("VerdictComment")
        self.comment.setPlaceholderText("A comment with the verdict (optional)")
        buttons = QHBoxLayout()
        self.buttons: dict[Verdict, QPushButton] = {}
        for verdict, text in ((Verdict.APPROVED, "&Approve"),
                              (Verdict.CHANGES, "&Changes requested"),
                              (Verdict.PENDING, "&Not yet")):
            b = QPushButton(text, self)
            b.setObjectName(f"Verdict_{verdict.value}")
            b.setCheckable(True)
            b.clicked.connect(lambda _c=False, v=verdict: self._judge(v))
            buttons.addWidget(b)
            self.buttons[verdict] = b
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addLayout(buttons)
        layout.addWidget(self.comment)
        self.refresh()

    def _version(self) -> int | None:
        s = self.session
        v = s.selected_version(s.current_cue) if s.current_cue is not None else None
        return None if v is None else v.id

    def refresh(self) -> None:
        vid = self._version()
        s = self.session
        if vid is None:
            self.label.setText("No cue in view")
            return
        v = s.info.version(vid)
        judged = s.verdict(vid)
        self.label.setText(f"<b>Verdict on {judged.cue} {v.name}:</b> "
                           f"<span style='color:{VERDICT_COLORS[judged.verdict]}'>"
                           f"{judged.verdict.value}</span>")
        for verdict, b in self.buttons.items():
            b.setChecked(verdict is judged.verdict)
        if not self.comment.hasFocus():
            self.comment.setText(judged.comment)

    def _judge(self, verdict: Verdict) -> None:
        vid = self._version()
        if vid is not None:
            guarded(self, lambda: self.session.set_verdict(vid, verdict, self.comment.text()))
        self.refresh()


class NotesPanel(QWidget):
    """Every note, by timecode; a click goes there; your own may be edited or deleted; a line
    to type a new one at the current frame (or over the marked in-out range)."""

    goTo = Signal(int)  # a frame

    def __init__(self, session: ReviewSession, ask_text: Callable[[str, str], str | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.ask_text = ask_text
        self.list = QListWidget(self)
        self.list.setObjectName("ReviewNotes")
        self.list.setWordWrap(True)
        self.list.itemClicked.connect(self._clicked)
        self.entry = QLineEdit(self)
        self.entry.setObjectName("NoteEntry")
        self.entry.setPlaceholderText("Type a note at the current frame, then Enter")
        self.entry.returnPressed.connect(self.add)
        leave = QShortcut(QKeySequence("Escape"), self.entry)
        leave.setContext(Qt.ShortcutContext.WidgetShortcut)
        leave.activated.connect(self.entry.clearFocus)  # back to the player's keys
        self.range_label = QLabel(self)
        row = QHBoxLayout()
        self.mark_in = QPushButton("In", self)
        self.mark_out = QPushButton("Out", self)
        self.edit = QPushButton("Edit…", self)
        self.delete = QPushButton("Delete", self)
        for b in (self.mark_in, self.mark_out, self.edit, self.delete):
            row.addWidget(b)
        self.mark_in.clicked.connect(session.set_in)
        self.mark_out.clicked.connect(session.set_out)
        self.edit.clicked.connect(self._edit)
        self.delete.clicked.connect(self._delete)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.range_label)
        layout.addWidget(self.entry)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        s = self.session
        chosen = self._chosen()
        self.list.clear()
        for note in s.notes_sorted():
            self.list.addItem(self._item(note))
        for thread in s.info.threads:
            replies = s.thread_replies.get(thread.uuid, ())
            text = (f"{s.timecode(thread.frame)}  earlier note by {thread.author}: "
                    f"{thread.text}" + (" (resolved)" if thread.resolved else "")
                    + "".join(f"\n    ↳ {r.author}: {r.text}" for r in thread.replies + replies))
            item = QListWidgetItem(text)
            item.setData(CUE_ROLE, thread.frame)
            item.setForeground(QBrush(QColor("#9aa0a6")))
            self.list.addItem(item)
        if chosen is not None:
            for i in range(self.list.count()):
                if self.list.item(i).data(VERSION_ROLE) == chosen:
                    self.list.setCurrentRow(i)
        a, b = s.mark_in, s.mark_out
        self.range_label.setText(
            f"Range {s.timecode(a) if a is not None else '…'} – "
            f"{s.timecode(b) if b is not None else '…'}: the next note covers it"
            if a is not None or b is not None else "")

    def _item(self, note: DirectorNote) -> QListWidgetItem:
        s = self.session
        where = s.timecode(note.frame)
        if note.end_frame is not None:
            where += f"–{s.timecode(note.end_frame)}"
        about = f"{note.cue} {note.version}".strip()
        item = QListWidgetItem(f"{where}  [{about}]  {note.author}: {note.text}"
                               + ("  (edited)" if note.edited else ""))
        item.setData(CUE_ROLE, note.frame)
        item.setData(VERSION_ROLE, note.uuid)
        return item

    def _chosen(self) -> str | None:
        item = self.list.currentItem()
        uuid = item.data(VERSION_ROLE) if item is not None else None
        return uuid if isinstance(uuid, str) else None

    def _clicked(self, item: QListWidgetItem) -> None:
        frame = item.data(CUE_ROLE)
        if isinstance(frame, int):
            self.goTo.emit(frame)

    def add(self) -> None:
        text = self.entry.text().strip()
        if text:
            guarded(self, lambda: self.session.add_note(text))
            if any(n.text == text for n in self.session.notes.values()):
                self.entry.clear()

    def _edit(self) -> None:
        uuid = self._chosen()
        if uuid is None:
            return
        note = self.session.notes[uuid]
        text = self.ask_text("Edit note", note.text)
        if text is not None and text.strip():
            guarded(self, lambda: self.session.edit_note(uuid, text))

    def _delete(self) -> None:
        uuid = self._chosen()
        if uuid is not None:
            guarded(self, lambda: self.session.delete_note(uuid))


def ask_text(parent: QWidget, title: str, text: str) -> str | None:
    value, ok = QInputDialog.getMultiLineText(parent, title, "Note:", text)
    return value if ok else None
