"""The project's named snapshots: open one read-only in its own window, restore one, delete one.

Restoring is one undo step (``store.snapshots.restore_snapshot`` keeps the state before it as a
snapshot too); deleting can't be undone, so it asks first.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLabel, QMessageBox,
                               QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from cuesketch.model.document import Document
from cuesketch.store.project_file import SUFFIX, ProjectFile, ProjectFileError
from cuesketch.store.relink import film_path
from cuesketch.store.snapshots import (SnapshotInfo, delete_snapshot, export_snapshot,
                                       list_snapshots, restore_snapshot)

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def export_for_viewing(pf: ProjectFile, info: SnapshotInfo, folder: Path | None = None) -> Path:
    """The snapshot as a project file of its own in a fresh temporary folder, to open beside
    the project: its film linked by absolute path (the copy lives elsewhere), its title naming
    the snapshot, and the file made read-only (edits to it would be lost work)."""
    folder = Path(folder or tempfile.mkdtemp(prefix="cuesketch-snapshot-"))
    stem = _UNSAFE.sub("_", pf.path.stem).strip() or "project"
    name = _UNSAFE.sub("_", info.name).strip()[:80] or f"snapshot {info.id}"
    dest = folder / f"{stem} — {name}{SUFFIX}"
    export_snapshot(pf, info.id, dest)
    with ProjectFile.open(dest) as view:
        project = view.load()
        settings = project.settings
        media = settings.media
        if media is not None:
            media = replace(media, path=str(film_path(pf.path, media)))
        Document(project, view).set_settings(
            replace(settings, media=media, title=f"{settings.title} — snapshot “{info.name}”"),
            "Open a snapshot")
    os.chmod(dest, 0o444)
    return dest


def describe_size(size: int) -> str:
    return f"{size / 1024:.0f} KB" if size < 1 << 20 else f"{size / (1 << 20):.1f} MB"


class SnapshotsDialog(QDialog):
    def __init__(self, pf: ProjectFile, document: Document, launch: Callable[[Path], None],
                 post: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pf, self.document, self.launch, self.post = pf, document, launch, post
        self.setWindowTitle(f"Snapshots of {pf.path.name}")
        self.resize(640, 360)
        self.list = QTreeWidget(self)
        self.list.setHeaderLabels(["Name", "Taken", "Notes", "Size"])
        self.list.setRootIsDecorated(False)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda *_: self.open_selected())
        self.empty = QLabel("No snapshots yet: File › Take Snapshot… keeps the project as it "
                            "is now under a name.", self)
        self.empty.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.open_button = self._button(buttons, "&Open Read-Only", role, self.open_selected)
        self.restore_button = self._button(buttons, "&Restore", role, self.restore_selected)
        self.delete_button = self._button(buttons, "&Delete", role, self.delete_selected)
        self.open_button.setToolTip("Open the snapshot in a window of its own, beside this one")
        self.restore_button.setToolTip("Make the project what the snapshot holds (undoable; "
                                       "the current state is kept as a snapshot first)")
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        layout.addWidget(buttons)
        self.refresh()

    def _button(self, box: QDialogButtonBox, text: str, role: QDialogButtonBox.ButtonRole,
                slot: Callable[[], None]) -> QPushButton:
        button = box.addButton(text, role)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def refresh(self) -> None:
        keep = self.selected()
        self.list.clear()
        try:
            snapshots = list_snapshots(self.pf)
        except ProjectFileError as e:
            snapshots = []
            self.empty.setText(str(e))
        for info in snapshots:
            item = QTreeWidgetItem([info.name, info.created[:16].replace("T", " "),
                                    str(info.notes), describe_size(info.size)])
            item.setData(0, Qt.ItemDataRole.UserRole, info)
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight)
            self.list.addTopLevelItem(item)
            if keep is not None and info.id == keep.id:
                item.setSelected(True)
        self.empty.setVisible(not snapshots)
        self._update_buttons()

    def _items(self) -> list[QTreeWidgetItem]:
        items = (self.list.topLevelItem(i) for i in range(self.list.topLevelItemCount()))
        return [item for item in items if item is not None]

    def snapshots(self) -> list[SnapshotInfo]:
        return [item.data(0, Qt.ItemDataRole.UserRole) for item in self._items()]

    def select(self, snapshot_id: int) -> None:
        for item in self._items():
            item.setSelected(item.data(0, Qt.ItemDataRole.UserRole).id == snapshot_id)

    def selected(self) -> SnapshotInfo | None:
        items = self.list.selectedItems()
        return items[0].data(0, Qt.ItemDataRole.UserRole) if items else None

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        writable = not self.document.read_only and not self.pf.read_only
        self.open_button.setEnabled(chosen)
        self.restore_button.setEnabled(chosen and writable)
        self.delete_button.setEnabled(chosen and writable)

    # -- the actions -------------------------------------------------------------------------
    def open_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        try:
            path = export_for_viewing(self.pf, info)
            self.launch(path)
        except (ProjectFileError, OSError) as e:
            self._error("Open snapshot", f"The snapshot “{info.name}” can't be opened: {e}")
            return
        self.post(f"Opening snapshot “{info.name}” in a new window (a read-only copy)")

    def restore_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        try:
            safety = restore_snapshot(self.pf, info.id, self.document)
        except (ProjectFileError, PermissionError) as e:
            self._error("Restore snapshot", f"The snapshot “{info.name}” can't be restored: {e}")
            return
        self.refresh()
        self.post(f"Restored “{info.name}”; Undo takes it back, and the state before is kept "
                  f"as the snapshot “{safety.name}”")

    def delete_selected(self) -> None:
        info = self.selected()
        if info is None:
            return
        answer = QMessageBox.question(
            self, "Delete snapshot",
            f"Delete the snapshot “{info.name}”? This can't be undone.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            delete_snapshot(self.pf, info.id)
        except ProjectFileError as e:
            self._error("Delete snapshot", f"The snapshot “{info.name}” can't be deleted: {e}")
            return
        self.refresh()
        self.post(f"Deleted the snapshot “{info.name}”")

    def _error(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)
