"""The cue sheet's writers and publishers: a row each (role, name, society, share), kept in the
project as one undo step (``model.spotting_sheet.rights_changes`` checks the shares)."""

from __future__ import annotations

import math

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from cuesketch.model.document import Document
from cuesketch.model.entities import RightsShare
from cuesketch.model.spotting_sheet import ROLES, RightsError, rights_changes

HEADERS = ("Role", "Name", "Society (PRO)", "Share %")


class RightsDialog(QDialog):
    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Cue sheet: writers and publishers")
        self.document = document
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        add = QPushButton("Add", self)
        add.clicked.connect(lambda: self.add_row("composer", "", "", 100.0))
        remove = QPushButton("Remove", self)
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout.addLayout(row)
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        layout.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.keep)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        for r in sorted(document.project.table(RightsShare).values(),
                        key=lambda r: (ROLES.index(r.role) if r.role in ROLES else 9, r.id)):
            self.add_row(r.role, r.name, r.society, r.share / 100)
        self.resize(560, 320)

    def add_row(self, role: str, name: str, society: str, share: float) -> None:
        i = self.table.rowCount()
        self.table.insertRow(i)
        combo = QComboBox(self.table)
        combo.addItems(list(ROLES))
        combo.setCurrentIndex(max(0, combo.findText(role)))
        self.table.setCellWidget(i, 0, combo)
        for col, text in ((1, name), (2, society), (3, f"{share:g}")):
            self.table.setItem(i, col, QTableWidgetItem(text))

    def people(self) -> list[tuple[str, str, str, int]]:
        out = []
        for i in range(self.table.rowCount()):
            combo = self.table.cellWidget(i, 0)
            cells = [self.table.item(i, c) for c in (1, 2, 3)]
            name, society, share = (c.text().strip() if c is not None else "" for c in cells)
            if not name and not society:
                continue
            try:
                percent = float(share.rstrip("%").strip() or "0")
            except ValueError:
                percent = math.nan
            if not math.isfinite(percent) or not 0 <= percent <= 100:
                raise RightsError(f"{name or society}'s share is a percentage from 0 to 100, "
                                  f"not {share[:20]!r}")
            role = combo.currentText() if isinstance(combo, QComboBox) else "composer"
            out.append((role, name, society, round(percent * 100)))
        return out

    def keep(self) -> None:
        try:
            changes = rights_changes(self.document.project, self.people())
        except RightsError as e:
            self.problem.setText(str(e))
            return
        if changes:
            try:
                with self.document.transaction("Set the cue sheet's writers and publishers"):
                    self.document.execute_changes(changes)
            except PermissionError as e:  # made read-only while the dialog was open
                self.problem.setText(f"Nothing was kept: {e}")
                return
        self.accept()
