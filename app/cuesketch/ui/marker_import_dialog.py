"""Import Markers: a marker file read, what each marker would become shown before anything
lands (the plan, with markers already in the project and those left out said), then landed as
one undo step. The rules, the CSV column mapping and "import as" are remembered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from cuesketch.formats.markers_common import MarkerFormatError, read_bytes
from cuesketch.formats.markers_io import MarkerImport, detect, plan_file
from cuesketch.formats.markers_text import csv_header, parse_columns
from cuesketch.model.document import Document
from cuesketch.model.markers_rules import RulesError, land, parse_rules
from cuesketch.timing.rates import STANDARD_RATES, RateError, parse_rate
from cuesketch.timing.timecode import format_timecode

_KEY = "spotting/import_markers/"
REFRESH_DELAY_MS = 300


class MarkerImportDialog(QDialog):
    def __init__(self, document: Document, path: Path, settings: QSettings | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Import markers from {path.name}")
        self.document = document
        self.path = path
        self.settings = settings or QSettings("Cuesketch", "Cuesketch")
        self.result_import: MarkerImport | None = None
        self.landed = 0
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.as_what = QComboBox(self)
        for value, label in (("hits", "hits (by colour)"), ("cues", "cues"),
                             ("notes", "notes")):
            self.as_what.addItem(label, value)
        self.as_what.setCurrentIndex(max(0, self.as_what.findData(
            self.settings.value(_KEY + "as", "hits"))))
        form.addRow("Import as", self.as_what)
        self.rules = QPlainTextEdit(self)
        self.rules.setPlaceholderText("color red -> hit hard\nprefix CUE -> cue\n"
                                      "color black -> no-music\nany -> note")
        self.rules.setPlainText(str(self.settings.value(_KEY + "rules", "")))
        self.rules.setFixedHeight(80)
        form.addRow("Rules", self.rules)
        self.columns = QLineEdit(str(self.settings.value(_KEY + "columns", "")), self)
        self.columns.setVisible(False)  # the combos below write it; kept for the settings
        self.column_boxes: dict[str, QComboBox] = {}
        headers = _csv_headers(path)
        if headers is not None:
            remembered = _mapping(self.columns.text())
            row = QHBoxLayout()
            for field_name, label in (("tc", "Timecode"), ("name", "Name"), ("color", "Colour"),
                                      ("note", "Note"), ("duration", "Duration")):
                box = QComboBox(self)
                box.addItem(f"{label}: guess", None)
                for number, h in headers:
                    # a name the mapping can't hold (FIELD=COLUMN,...) goes by its number
                    box.addItem(f"{label}: {h}", str(number) if "," in h or "=" in h else h)
                box.setCurrentIndex(max(0, box.findData(remembered.get(field_name))))
                box.currentIndexChanged.connect(self._columns_changed)
                self.column_boxes[field_name] = box
                row.addWidget(box)
            form.addRow("CSV columns", row)
            self._columns_changed()
        self.rate = QComboBox(self)
        self.rate.addItem("the project's", None)
        for name in STANDARD_RATES:
            self.rate.addItem(name, name)
        form.addRow("File's frame rate", self.rate)
        self.start = QLineEdit(self)
        self.start.setPlaceholderText("the project's start (or what the file says)")
        form.addRow("File's start timecode", self.start)
        layout.addLayout(form)
        self.preview = QTreeWidget(self)
        self.preview.setHeaderLabels(["Line", "Timecode", "Marker", "Colour", "Becomes"])
        self.preview.setRootIsDecorated(False)
        layout.addWidget(self.preview)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._land)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        for signal in (self.as_what.currentIndexChanged, self.rate.currentIndexChanged):
            signal.connect(self.refresh)
        # typing rules reads the file again only once the typing pauses
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        self.rules.textChanged.connect(self._refresh_timer.start)
        self.start.editingFinished.connect(self.refresh)
        self.resize(720, 520)
        self.refresh()

    def _columns_changed(self) -> None:
        self.columns.setText(",".join(f"{k}={b.currentData()}" for k, b in
                                      self.column_boxes.items() if b.currentData()))
        if hasattr(self, "preview"):
            self.refresh()

    def refresh(self) -> None:
        """Read the file again with the choices, and show the plan (nothing changes)."""
        self._refresh_timer.stop()
        self.preview.clear()
        self.result_import = None
        try:
            rules = parse_rules(self.rules.toPlainText())
            columns = parse_columns(self.columns.text()) if self.columns.text().strip() \
                else None
            rate = parse_rate(self.rate.currentData()) if self.rate.currentData() else None
            imp = plan_file(self.document.project, self.path, self.as_what.currentData(),
                            rules, None, columns, rate, self.start.text().strip() or None)
        except (MarkerFormatError, RulesError, RateError) as e:
            self.summary.setText(f"<b>Nothing can be imported:</b> {e}")
            self.ok.setEnabled(False)
            return
        self.result_import = imp
        s = self.document.project.settings
        for row in imp.plan.rows[:5000]:
            m = row.marker
            becomes = row.problem or ("already there" if row.duplicate else row.action)
            item = QTreeWidgetItem(self.preview, [
                str(m.line), format_timecode(s.start_frame + m.frame, s.rate), m.name,
                m.color, becomes])
            if row.problem or row.duplicate:
                for col in range(5):
                    item.setForeground(col, QColor("#888888"))
        self.summary.setText(f"{imp.file.format}, {len(imp.file.markers)} markers: "
                             f"will add {imp.plan.summary()}")
        self.ok.setEnabled(bool(imp.plan.changes))

    def _land(self) -> None:
        if self._refresh_timer.isActive():  # the rules just typed, not the plan before them
            self.refresh()
        if self.result_import is None:
            return
        self.settings.setValue(_KEY + "as", self.as_what.currentData())
        self.settings.setValue(_KEY + "rules", self.rules.toPlainText())
        self.settings.setValue(_KEY + "columns", self.columns.text())
        try:
            self.landed = land(self.document, self.result_import.plan,
                               f"Import markers from {self.path.name}")
        except PermissionError as e:  # made read-only while the dialog was open
            self.summary.setText(f"<b>Nothing was imported:</b> {e}")
            self.ok.setEnabled(False)
            return
        self.accept()


def _csv_headers(path: Path) -> list[tuple[int, str]] | None:
    """The column numbers (from 1) and names of a CSV file's named columns (None for another
    format or an unreadable file)."""
    try:
        data = read_bytes(path)
        if detect(path, data) != "csv":
            return None
        _dialect, header = csv_header(data)
    except MarkerFormatError:
        return None
    return [(i, h.strip()) for i, h in enumerate(header, 1) if h.strip()][:100]


def _mapping(text: str) -> dict[str, str]:
    try:
        return parse_columns(text) if text.strip() else {}
    except MarkerFormatError:
        return {}
