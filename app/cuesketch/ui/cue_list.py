"""The Cues dock: the spotting list. Cues, hits, no-music ranges and notes in groups, with the
cue's number, in/out, duration, kind, usage, status (its colour), tags, palette, notes and
versions; filtered by status, reel, tag or words (``SpottingFilterBar``) and sorted by a click
on a column's header. A cell is edited in place (F2, or a click on a selected cell, or a
double-click away from the timecodes); a double-click on a number or a timecode goes there.
Every change is one undo step through ``model.spotting_list``; the right-click menu adds hits
and cues at the playhead, sets the status, renumbers and deletes."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QLineEdit, QMenu,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document
from cuesketch.model.entities import Cue, CueStatus, Hit, HitKind, Marker, NoMusic
from cuesketch.model.spotting_list import ListFilter, Row, SpottingList
from cuesketch.model.spotting_live import LiveSpotting
from cuesketch.model.spotting_sheet import status_color
from cuesketch.ui.bridge import DocumentSignals

# The tree's columns (the first four as the list always had them) and the list's names.
HEADERS = ("Cue / hit", "In", "Out", "Title / note", "Duration", "Kind", "Usage", "Status",
           "Tags", "Palette", "Notes", "Versions")
NAMES = ("Cue", "In", "Out", "Title", "Duration", "Kind", "Usage", "Status", "Tags", "Palette",
         "Notes", "Versions")
_GROUPS = ((Cue, "Cues"), (Hit, "Hits"), (NoMusic, "No music"), (Marker, "Notes"))
_JUMP_COLUMNS = (0, 1, 2)
_ROW = Qt.ItemDataRole.UserRole


class CueList(QTreeWidget):
    def __init__(self, document: Document, go_to_frame: Callable[[int], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.go_to_frame = go_to_frame
        self.spotting = SpottingList(document)
        self.live: LiveSpotting | None = None  # set by the spotting actions: adds at the playhead
        self.post: Callable[[str], None] = lambda _text: None
        self._building = False
        self.setColumnCount(len(HEADERS))
        self.setHeaderLabels(list(HEADERS))
        self.setRootIsDecorated(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        self.header().setSectionsClickable(True)
        self.header().sectionClicked.connect(self._sort_by)
        self.itemDoubleClicked.connect(self._on_double_click)
        self.itemChanged.connect(self._on_item_changed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)
        # a burst of changes (a drag's moves, an import) rebuilds the list once, after it
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(0)
        self._rebuild_timer.timeout.connect(self.rebuild)
        self._signals = DocumentSignals(document, self)
        self._signals.changed.connect(self._on_changes)
        self.rebuild()

    def _on_changes(self, changes: Sequence[Change]) -> None:
        if shows_changes(changes):
            self._rebuild_timer.start()

    def set_filter(self, f: ListFilter) -> None:
        self.spotting.filter = f
        self.rebuild()

    def rebuild(self) -> None:
        """Fill the list again now, keeping the selection, the current row and the scroll."""
        self._rebuild_timer.stop()
        selected = {_identity(self.row_of(i)) for i in self.selectedItems()}
        current = _identity(self.row_of(self.currentItem()))
        scroll = self.verticalScrollBar().value(), self.horizontalScrollBar().value()
        self._building = True
        try:
            self._fill()
            for item in self._row_items():
                key = _identity(self.row_of(item))
                if key in selected:
                    item.setSelected(True)
                if key == current and current is not None:
                    self.setCurrentItem(item, 0, QItemSelectionModel.SelectionFlag.NoUpdate)
        finally:
            self._building = False
        self.verticalScrollBar().setValue(scroll[0])
        self.horizontalScrollBar().setValue(scroll[1])

    def flush(self) -> None:
        """Rebuild now if changes are waiting (before reading the list)."""
        if self._rebuild_timer.isActive():
            self.rebuild()

    def _row_items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        for g in range(self.topLevelItemCount()):
            group = self.topLevelItem(g)
            if group is not None:
                out += [c for i in range(group.childCount()) if (c := group.child(i)) is not None]
        return out

    def _fill(self) -> None:
        self.clear()
        rows = self.spotting.rows()
        for kind, title in _GROUPS:
            mine = [r for r in rows if isinstance(r.entity, kind)]
            if not mine and kind in (NoMusic, Marker):
                continue
            group = QTreeWidgetItem(self, [title])
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for row in mine:
                self._item(group, row)
        self.expandAll()
        for col in range(4):
            self.resizeColumnToContents(col)

    def _item(self, group: QTreeWidgetItem, row: Row) -> None:
        cells = dict(zip(("Cue", "Title", "In", "Out", "Duration", "Kind", "Usage", "Status",
                          "Tags", "Palette", "Notes", "Versions"), row.cells))
        e = row.entity
        shown = [cells[n] for n in NAMES]
        if isinstance(e, Hit):
            shown[0] = f"{e.kind.value} hit"
        if isinstance(e, Cue) and e.palette:  # where the list always said it
            shown[3] = f"{e.title}  · palette: {e.palette}"
        item = QTreeWidgetItem(group, shown)
        item.setData(0, _ROW, row)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        item.setToolTip(3, (getattr(e, "notes", "") or getattr(e, "note", "")
                            or shown[3]))
        if isinstance(e, Cue):
            tint = QColor(status_color(e.status.value))
            tint.setAlpha(60)
            item.setBackground(7, QBrush(tint))
            item.setForeground(7, QBrush(QColor(status_color(e.status.value)).darker(150)))
            item.setBackground(0, QBrush(tint))
        elif isinstance(e, Hit):
            item.setForeground(0, QBrush(QColor(e.kind.color)))

    # -- editing -------------------------------------------------------------------------------
    def row_of(self, item: QTreeWidgetItem | None) -> Row | None:
        row = item.data(0, _ROW) if item is not None else None
        return row if isinstance(row, Row) else None

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._building:
            return
        row = self.row_of(item)
        if row is None:
            return
        text = item.text(column)
        if column == 3 and "  · palette: " in text:
            text = text.split("  · palette: ", 1)[0]
        name = NAMES[column]
        if name == "Title" and isinstance(row.entity, Hit | Marker):
            name = "Title"
        problem = self.spotting.edit(row, name, text)
        if problem:
            self.post(problem)
        self.rebuild()  # the edit's own change rebuilt it already; a refusal puts it back

    def editable(self, item: QTreeWidgetItem, column: int) -> bool:
        row = self.row_of(item)
        return row is not None and row.editable(NAMES[column]) and not self.document.read_only

    def edit(self, index, trigger=None, event=None):  # type: ignore[no-untyped-def,override]
        item = self.itemFromIndex(index)
        if item is not None and not self.editable(item, index.column()):
            return False
        if trigger is None:
            return super().edit(index)
        return super().edit(index, trigger, event)

    def _on_double_click(self, item: QTreeWidgetItem, column: int) -> None:
        row = self.row_of(item)
        if row is None:
            return
        if column in _JUMP_COLUMNS or not self.editable(item, column):
            self.go_to_frame(row.frame)
        else:
            self.editItem(item, column)

    def selected_rows(self) -> list[Row]:
        return [r for r in (self.row_of(i) for i in self.selectedItems()) if r is not None]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected_rows():
            self._say(self.spotting.delete(self.selected_rows()))
            return
        super().keyPressEvent(event)

    def _sort_by(self, column: int) -> None:
        name = NAMES[column]
        if name in ("Duration", "Versions"):
            return
        self.spotting.descending = self.spotting.sort_column == name and not self.spotting.descending
        self.spotting.sort_column = name
        self.rebuild()

    # -- the right-click menu --------------------------------------------------------------------
    def _menu(self, at: QPoint) -> None:
        menu = self.context_menu()
        menu.exec(self.viewport().mapToGlobal(at))

    def context_menu(self) -> QMenu:
        menu = QMenu(self)
        live = self.live
        if live is not None:
            for kind in HitKind:
                menu.addAction(f"Add {kind.value} hit at the playhead", self._hit_tap(live, kind))
            menu.addAction("Cue start at the playhead", lambda: self.post(live.cue_start().text))
            menu.addAction("Cue end at the playhead", lambda: self.post(live.cue_end().text))
            menu.addAction("No music from/to the playhead", lambda: self.post(live.no_music().text))
            menu.addSeparator()
        rows = self.selected_rows()
        cues = [r for r in rows if isinstance(r.entity, Cue)]
        if cues:
            status = menu.addMenu("Status")
            for s in CueStatus:
                status.addAction(s.value, lambda s=s: self._set_status(cues, s))
        menu.addAction("Renumber cues per reel", lambda: self._renumber(False))
        menu.addAction("Renumber cues running", lambda: self._renumber(True))
        if rows:
            menu.addSeparator()
            menu.addAction("Delete", lambda: self._say(self.spotting.delete(rows)))
        if self.document.read_only:
            for action in menu.actions():
                action.setEnabled(False)
        return menu

    def _say(self, problem: str | None) -> None:
        if problem:
            self.post(problem)

    def _hit_tap(self, live: LiveSpotting, kind: HitKind) -> Callable[[], None]:
        return lambda: self.post(live.hit(kind).text)

    def _set_status(self, rows: list[Row], status: CueStatus) -> None:
        with self.document.transaction(f"Status {status.value}"):
            for r in rows:
                self.spotting.editor.edit(r.entity, status=status)

    def _renumber(self, running: bool) -> None:
        n = self.spotting.editor.renumber(running)
        self.post(f"Renumbered: {n} cue{'s' if n != 1 else ''} changed number" if n
                  else "The cues are numbered in order already")


class SpottingFilterBar(QWidget):
    """Status, reel, tag and words to filter the list by."""

    def __init__(self, cues: CueList, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cues = cues
        layout = QHBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.status = QComboBox(self)
        self.status.addItem("Any status", None)
        for s in CueStatus:
            self.status.addItem(s.value, s)
        self.reel = QComboBox(self)
        self.tag = QComboBox(self)
        self.text = QLineEdit(self)
        self.text.setPlaceholderText("Find…")
        self.text.setClearButtonEnabled(True)
        for w in (self.status, self.reel, self.tag, self.text):
            layout.addWidget(w)
        self.status.currentIndexChanged.connect(self.apply)
        self.reel.currentIndexChanged.connect(self.apply)
        self.tag.currentIndexChanged.connect(self.apply)
        self.text.textChanged.connect(self.apply)
        self._signals = DocumentSignals(cues.document, self)
        self._signals.changed.connect(self._on_changes)
        self.refresh_choices()

    def _on_changes(self, changes: Sequence[Change]) -> None:
        if any(not isinstance(c, EntityChange) or c.kind is Cue for c in changes):
            self.refresh_choices()  # reels and tags come from the cues alone

    def refresh_choices(self) -> None:
        for combo, label, values in ((self.reel, "Any reel", self.cues.spotting.reels()),
                                     (self.tag, "Any tag", self.cues.spotting.tags())):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(label, None)
            for v in values:
                combo.addItem(f"Reel {v}" if combo is self.reel else str(v), v)
            index = combo.findData(current)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def apply(self) -> None:
        self.cues.set_filter(ListFilter(status=self.status.currentData(),
                                        reel=self.reel.currentData(),
                                        tag=self.tag.currentData() or "",
                                        text=self.text.text().strip()))


def shows_changes(changes: Sequence[Change]) -> bool:
    """Whether changes touch what the list shows (its entities, or the settings: rate, start)."""
    return any(not isinstance(c, EntityChange) or c.kind in (Cue, Hit, NoMusic, Marker)
               for c in changes)


def _identity(row: Row | None) -> tuple[str, int] | None:
    return (type(row.entity).__name__, row.entity.id) if row is not None else None


def spotting_panel(cues: CueList) -> QWidget:
    """The list with its filter bar above, for the dock."""
    panel = QWidget(cues.parentWidget())
    layout = QVBoxLayout(panel)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    panel.filter_bar = SpottingFilterBar(cues, panel)  # type: ignore[attr-defined]
    layout.addWidget(panel.filter_bar)  # type: ignore[attr-defined]
    layout.addWidget(cues)
    return panel
