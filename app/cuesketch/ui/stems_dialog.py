"""File ▸ Export Stems…: the choices of ``cuesketch stems``, then a progress bar per cue and
Cancel, which leaves no file of the cue in progress (``engine.stems`` writes a cue whole).

    dialog = StemsDialog(project_copy, snapshot_names, folder, soundfont, parent=window)
    dialog.exec()        # dialog.report: the StemReport when it finished

The export runs on a worker thread (``BackgroundTask``), which starts the render processes;
their progress comes back as a queued signal. The project is a copy: editing goes on.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QProgressBar,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from cuesketch.engine.soundfonts import SoundFontError
from cuesketch.engine.stems import (StemError, StemOptions, StemReport,
                                    export_stems, plan_stems, stem_groups)
from cuesketch.model import sections
from cuesketch.model.project import Project
from cuesketch.ui.export_dialog import ExportDialog


class _Progress(QObject):
    changed = Signal(str, float)  # cue, 0..1 (emitted on the worker thread)


class StemsDialog(ExportDialog):
    def __init__(self, project: Project, snapshot_names: list[str], folder: Path,
                 soundfont: str = "default", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Stems")
        self.project = project
        self.snapshot_names = snapshot_names
        self.soundfont = soundfont
        self.report: StemReport | None = None
        self.bars: dict[str, QProgressBar] = {}
        self._progress = _Progress(self)
        self._progress.changed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)

        layout = QVBoxLayout(self)
        groups = stem_groups(project)
        layout.addWidget(QLabel(
            "Stems: " + (", ".join(f"{sections.label(k)} ({sections.stem_code(k)}, "
                                   f"{len(ids)} track{'s' if len(ids) > 1 else ''})"
                                   for k, ids in groups) or "none (every track is muted)")
            + ".\nEach stem carries its own reverb: the stems sum to the mix."))
        self.cues = QListWidget(self)
        for cue in sorted(project.cues.values(), key=lambda c: (c.start_frame, c.name)):
            item = QListWidgetItem(f"{cue.name} — {cue.title}" if cue.title else cue.name)
            item.setData(Qt.ItemDataRole.UserRole, cue.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.cues.addItem(item)
        self.cues.setMaximumHeight(140)
        layout.addWidget(QLabel("Cues:"))
        layout.addWidget(self.cues)

        form = QFormLayout()
        self.folder = QLineEdit(str(folder), self)
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        holder = QWidget(self)
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        form.addRow("Folder:", holder)
        self.handles = QDoubleSpinBox(self)
        self.handles.setRange(0.0, 60.0)
        self.handles.setValue(2.0)
        self.handles.setSuffix(" s")
        form.addRow("Handles:", self.handles)
        self.mix = QCheckBox("The mix (MIX)", self)
        self.mix.setChecked(True)
        self.click = QCheckBox("The click (CLICK)", self)
        form.addRow("Also:", self.mix)
        form.addRow("", self.click)
        self.bits = QComboBox(self)
        for text, bits in (("24-bit", 24), ("32-bit float", 32), ("16-bit", 16)):
            self.bits.addItem(text, bits)
        form.addRow("Samples:", self.bits)
        self.rate = QComboBox(self)
        for r in (48000, 44100, 96000):
            self.rate.addItem(f"{r} Hz", r)
        form.addRow("Rate:", self.rate)
        self.jobs = QSpinBox(self)
        self.jobs.setRange(0, 64)
        self.jobs.setSpecialValueText("one per core")
        form.addRow("Processes:", self.jobs)
        self.version = QLineEdit(self)
        self.version.setPlaceholderText("from the cue's latest snapshot (else v1)")
        form.addRow("Version:", self.version)
        layout.addLayout(form)

        self.progress_box = QFormLayout()
        layout.addLayout(self.progress_box)
        self.add_controls(layout)

    # -- choices -------------------------------------------------------------------------------
    def chosen_cues(self) -> list[str]:
        return [self.cues.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.cues.count())
                if self.cues.item(i).checkState() == Qt.CheckState.Checked]

    def options(self) -> StemOptions:
        return StemOptions(handles=self.handles.value(), click=self.click.isChecked(),
                           mix=self.mix.isChecked(), bits=int(self.bits.currentData()),
                           sample_rate=int(self.rate.currentData()), jobs=self.jobs.value(),
                           version=self.version.text().strip(), soundfont=self.soundfont)

    def _browse(self) -> None:
        chosen = QFileDialog.getExistingDirectory(self, "Export stems to", self.folder.text())
        if chosen:
            self.folder.setText(chosen)

    # -- running -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        cues = self.chosen_cues()
        if not cues:
            self.status.setText("Tick at least one cue.")
            return
        out = Path(self.folder.text().strip()).expanduser()
        if not self.folder.text().strip():
            self.status.setText("Choose a folder to export to.")
            return
        options = self.options()
        try:
            plans = plan_stems(self.project, out, cues, options, self.snapshot_names)
        except StemError as e:
            self.status.setText(str(e))
            return
        for plan in plans:
            if plan.cue.name not in self.bars:
                bar = QProgressBar(self)
                bar.setRange(0, 1000)
                self.bars[plan.cue.name] = bar
                self.progress_box.addRow(f"{plan.cue.name} ({len(plan.jobs)} files):", bar)
            self.bars[plan.cue.name].setValue(0)
        self.cancel.clear()
        self.export_button.setEnabled(False)
        self.status.setText(f"Rendering {sum(len(p.jobs) for p in plans)} files…")
        signal = self._progress.changed
        self.launch(lambda: export_stems(self.project, out, plans, options,
                                         lambda cue, f: signal.emit(cue, f), self.cancel),
                    (StemError, SoundFontError, ImportError, OSError), "cuesketch-stems")

    def _show_progress(self, cue: str, fraction: float) -> None:
        bar = self.bars.get(cue)
        if bar is not None:
            bar.setValue(round(fraction * 1000))

    def _done(self, report: object) -> None:
        assert isinstance(report, StemReport)
        self.report = report
        files = sum(1 for r in report.rows if r.stem != "MIDI")
        silent = sum(1 for r in report.rows if r.note.startswith("silent"))
        self.message = (f"Exported {files} stems of {', '.join(report.cues)} to "
                        f"{report.folder} in {report.seconds:.1f} s"
                        + (f" ({silent} silent, noted in the manifest)" if silent else "")
                        + (f"; {len(report.clipped)} clipped" if report.clipped else ""))
        self.finishedExport.emit(self.message)
        self.accept()

    def _failed(self, why: str) -> None:
        self.message = why if why.startswith("stems cancelled") else \
            f"The stems could not be exported: {why}"
        self.status.setText(self.message)
        self.export_button.setEnabled(True)
        self.cancel_button.setEnabled(True)
        self.finishedExport.emit(self.message)
        if why.startswith("stems cancelled"):
            self.reject()


__all__ = ["StemsDialog"]
