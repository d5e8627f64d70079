"""Find Tempo: the panel that fits a cue's tempo to its hits.

    dialog = FindTempoDialog(document, cue_id, parent)
    dialog.show()

Pick the cue, the tempo range, how many changes the map may have, the grid, the meters the
bars may change between (none: the cue's meter throughout) and whether ramps are allowed; Find lists the answers (the best map when it needs changes, then the best steady
tempos, each with a nice tempo or a frame click inside when there is one). Choosing one shows
every hit on it: timecode, bar|beat|tick, frames off and caught / near / missed, in colour;
with Preview on, the window shows it as if applied (the roll's grid and bars follow it)
until Apply keeps it or the panel closes.
Apply sets it as the cue's tempo map in one undo step, keeping the notes at their times (on
the picture) or at their bars (with the music). The click book goes to CSV or PDF. The logic
is ``model.tempo_fit.FindTempo``; this only shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from PySide6.QtGui import QBrush, QCloseEvent, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cuesketch.model.document import Document
from cuesketch.model.tempo_fit import Candidate, FindTempo, answers
from cuesketch.timing.cues import cue_at
from cuesketch.timing.tempo_fit import FitError, FitProblem, Grid, parse_meters
from cuesketch.ui.background import BackgroundTask

_GRIDS = [(Grid.BEAT, "Any beat"), (Grid.HALF, "Half beats"), (Grid.THIRD, "Triplets"),
          (Grid.QUARTER, "Quarter beats"), (Grid.DOWNBEAT, "Downbeats")]


class FindTempoDialog(QDialog):
    def __init__(self, document: Document, cue_id: int | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("FindTempoDialog")
        self.setWindowTitle("Find Tempo")
        self.document = document
        self.session: FindTempo | None = None
        self._task: BackgroundTask | None = None
        self._searches = 0  # the search whose answer is awaited
        self._closed = False

        self.cue = QComboBox(self)
        cues = sorted(document.project.cues.values(), key=lambda c: c.start_frame)
        for c in cues:
            self.cue.addItem(f"{c.name}  {c.title}".strip(), c.id)
        if cue_id is not None:
            self.cue.setCurrentIndex(max(self.cue.findData(cue_id), 0))
        self.lo, self.hi = self._bpm_box(60), self._bpm_box(140)
        self.changes = QSpinBox(self)
        self.changes.setRange(0, 16)
        self.changes.setValue(4)
        self.changes.setToolTip("The most tempo changes the map may have")
        self.grid = QComboBox(self)
        for g, text in _GRIDS:
            self.grid.addItem(text, g)
        self.meters = QLineEdit(self)
        self.meters.setObjectName("meters")
        self.meters.setPlaceholderText("the cue's meter throughout")
        self.meters.setToolTip("The bar lengths the map may use, e.g. 4/4, 3/4, 5/4: hits on "
                               "downbeats may then fall after bars of any of them")
        self.ramps = QCheckBox("Allow ramps (accel., rit.)", self)
        self.max_step = self._bpm_box(40)
        self.max_step.setRange(1, 200)
        self.max_step.setToolTip("The largest tempo change the map may make, in bpm")
        self.window_frames = QSpinBox(self)
        self.window_frames.setRange(0, 240)
        self.window_frames.setSuffix(" frames")
        self.window_frames.setToolTip("Bar 1 may start this many frames before or after the "
                                      "cue's start")
        self.find_button = QPushButton("&Find", self)
        self.find_button.setDefault(True)
        self.find_button.clicked.connect(self.solve)

        form = QFormLayout()
        form.addRow("Cue", self.cue)
        tempo = QHBoxLayout()
        tempo.addWidget(self.lo)
        tempo.addWidget(QLabel("to", self))
        tempo.addWidget(self.hi)
        tempo.addWidget(QLabel("bpm", self))
        form.addRow("Tempos", tempo)
        form.addRow("Changes at most", self.changes)
        form.addRow("Largest change (bpm)", self.max_step)
        form.addRow("Bar 1 may move", self.window_frames)
        form.addRow("Hits land on", self.grid)
        form.addRow("Meters allowed", self.meters)
        form.addRow("", self.ramps)

        self.message = QLabel("", self)
        self.message.setWordWrap(True)
        self.answers = QListWidget(self)
        self.answers.setObjectName("answers")
        self.answers.currentRowChanged.connect(self._show_hits)
        self.hits = QTableWidget(0, 5, self)
        self.hits.setObjectName("hits")
        self.hits.setHorizontalHeaderLabels(["Timecode", "Bar|beat|tick", "Off", "Status", "Hit"])
        self.hits.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.hits.verticalHeader().setVisible(False)
        self.hits.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

        self.keep_times = QRadioButton("Notes stay on the picture (their times)", self)
        self.keep_bars = QRadioButton("Notes move with the music (their bars)", self)
        self.keep_times.setChecked(True)
        self.keep_bars.toggled.connect(lambda _on: self._follow_preview())
        self.preview = QCheckBox("&Preview in the window (the roll's grid and bars)", self)
        self.preview.setToolTip("Show the chosen answer as if applied; nothing is kept until "
                                "Apply")
        self.preview.toggled.connect(lambda _on: self._follow_preview())
        self.apply_button = QPushButton("&Apply to Cue", self)
        self.apply_button.clicked.connect(self.apply)
        self.book = QPushButton("Save Click &Book…", self)
        self.book.clicked.connect(self.save_book)
        close = QPushButton("Close", self)
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.book)
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addLayout(form, 1)
        top.addWidget(self.find_button)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("Answers (best first)", self))
        layout.addWidget(self.answers, 1)
        layout.addWidget(self.hits, 2)
        layout.addWidget(self.preview)
        layout.addWidget(self.keep_times)
        layout.addWidget(self.keep_bars)
        layout.addLayout(buttons)
        self.resize(720, 640)
        self._enable()

    def _bpm_box(self, value: float) -> QDoubleSpinBox:
        box = QDoubleSpinBox(self)
        box.setRange(10, 400)
        box.setDecimals(2)
        box.setValue(value)
        return box

    def _enable(self) -> None:
        chosen = self.session is not None and self.answers.currentRow() >= 0
        self.apply_button.setEnabled(chosen and not self.document.read_only)
        self.preview.setEnabled(chosen and not self.document.read_only)
        self.book.setEnabled(chosen)

    def _keep(self) -> str:
        return "bars" if self.keep_bars.isChecked() else "times"

    def _follow_preview(self) -> None:
        """Show the chosen answer when Preview is on; take it back when it is off."""
        if self.session is None:
            return
        row = self.answers.currentRow()
        if self.preview.isChecked() and row >= 0:
            try:
                self.session.preview(row, self._keep())
            except (FitError, PermissionError, OSError) as e:
                self.message.setText(f"Can't preview it: {e}")
        else:
            self.session.end_preview()

    def done(self, result: int) -> None:  # closed in any way: the preview goes
        self._closed = True
        if self.session is not None:
            self.session.end_preview()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        if self.session is not None:
            self.session.end_preview()
        super().closeEvent(event)

    # -- what the buttons do ----------------------------------------------------------------
    def solve(self) -> None:
        if self.session is not None:
            self.session.end_preview()
        self.answers.clear()
        self.hits.setRowCount(0)
        self.session = None
        cue_id = self.cue.currentData()
        if cue_id is None:
            self.message.setText("The project has no cues: spot one first.")
            self._enable()
            return
        try:
            meters = parse_meters(self.meters.text())
        except FitError as e:
            self._say_error(e)
            return
        session = FindTempo(self.document, int(cue_id), {
            "meters": meters,
            "lo": Fraction(str(self.lo.value())), "hi": Fraction(str(self.hi.value())),
            "max_changes": self.changes.value(), "grid": self.grid.currentData(),
            "ramps": self.ramps.isChecked(), "max_step": Fraction(str(self.max_step.value())),
            "origin_window": self.window_frames.value()})
        try:
            problem = session.question()
        except FitError as e:
            self._say_error(e)
            return
        # The search runs on a worker thread: a long one (ramps over many hits) must not stop
        # the window. A newer search, or the panel closing, makes this one's answer moot.
        self._searches += 1
        search = self._searches
        start = self.document.project.settings.start_frame
        task = BackgroundTask(lambda: answers(problem, start), (FitError,), "cuesketch-fit")
        task.finished.connect(lambda found: self._found(search, session, problem, found))
        task.failed.connect(lambda why: self._failed(search, why))
        self._task = task
        self.message.setText(f"Looking for the tempo of {session.cue.name}…")
        self.find_button.setEnabled(False)
        task.start()

    def _say_error(self, e: BaseException | str) -> None:
        text = str(e)
        self.message.setText(f"{text[:1].upper()}{text[1:]}.")
        self._enable()

    def _failed(self, search: int, why: str) -> None:
        if search == self._searches and not self._closed:
            self.find_button.setEnabled(True)
            self._say_error(why)

    def _found(self, search: int, session: FindTempo, problem: FitProblem,
               candidates: list[Candidate]) -> None:
        if search != self._searches or self._closed:
            return
        self.find_button.setEnabled(True)
        session.take(problem, candidates)
        self.session = session
        n = len(candidates[0].hits) if candidates else 0
        for c in candidates:
            self.answers.addItem(f"{c.label}: {c.caught} of {n} hits caught")
        self.message.setText(f"{n} hits in {session.cue.name}. Choose an answer to see every "
                             f"hit on it.")
        if candidates:
            self.answers.setCurrentRow(0)
        self._enable()

    def wait_for_search(self, timeout: float = 60.0) -> None:
        """Until the search running now has answered (for tests and scripts)."""
        if self._task is not None:
            self._task.wait(timeout)
        from PySide6.QtCore import QCoreApplication
        QCoreApplication.processEvents()

    def _show_hits(self, row: int) -> None:
        self.hits.setRowCount(0)
        if self.session is None or row < 0 or row >= len(self.session.candidates):
            self._enable()
            return
        results = self.session.candidates[row].hits
        self.hits.setRowCount(len(results))
        for i, h in enumerate(results):
            color = QBrush(QColor(h.status.color))
            for col, text in enumerate((h.timecode, str(h.bbt), h.off_text, h.status.value,
                                        h.name)):
                item = QTableWidgetItem(text)
                if col == 3:
                    item.setForeground(color)
                self.hits.setItem(i, col, item)
        self._enable()
        self._follow_preview()

    def apply(self) -> None:
        if self.session is None or self.answers.currentRow() < 0:
            return
        keep = self._keep()
        try:
            self.session.apply(self.answers.currentRow(), keep)
        except (FitError, PermissionError, OSError) as e:
            self.message.setText(f"Can't apply it: {e}")
            return
        self.preview.blockSignals(True)  # applied: nothing is previewed any more
        self.preview.setChecked(False)
        self.preview.blockSignals(False)
        label = self.session.candidates[self.answers.currentRow()].label
        self.message.setText(f"{self.session.cue.name}'s tempo map is now {label}; the notes "
                             f"kept their {keep}. Edit ▸ Undo takes it back.")

    def save_book(self, path: Path | None = None) -> None:
        if self.session is None or self.answers.currentRow() < 0:
            return
        if path is None:
            name, _ = QFileDialog.getSaveFileName(
                self, "Save Click Book", f"{self.session.cue.name} click book.pdf",
                "PDF (*.pdf);;CSV (*.csv)")
            if not name:
                return
            path = Path(name)
        row = self.answers.currentRow()
        try:
            if path.suffix.lower() == ".csv":
                self.session.write_csv(row, path)
            else:
                from cuesketch.ui.find_tempo_book import write_pdf
                write_pdf(self.session.click_book(row), path,
                          f"Click book: {self.session.cue.name}, "
                          f"{self.session.candidates[row].label}")
        except (FitError, OSError) as e:
            self.message.setText(f"Can't save the click book: {e}")
            return
        self.message.setText(f"Click book saved: {path}")


def find_tempo_handler(window: Callable[[], QWidget], document: Document,
                       position: Callable[[], int]) -> Callable[[], None]:
    """Edit ▸ Find Tempo: the panel on the cue at the playhead (``position``: flicks), kept
    while open so a second press raises it."""
    open_dialogs: list[FindTempoDialog] = []

    def show() -> None:
        for d in open_dialogs:
            if d.isVisible():
                d.raise_()
                d.activateWindow()
                return
        open_dialogs.clear()
        rate = document.project.settings.rate
        cue = cue_at(document.project.cues.values(), rate.flicks_to_frame(position()))
        dialog = FindTempoDialog(document, cue.id if cue is not None else None, window())
        open_dialogs.append(dialog)
        dialog.show()

    return show
