"""File ▸ Export Preview Movie…: the choices of ``cuesketch preview``, then a progress bar with
the time left, and Cancel, which leaves no file (``media.preview`` writes the movie whole).

    dialog = PreviewDialog(project_copy, project_path, snapshot_names, folder, soundfont,
                           cue="1M3", parent=window)
    dialog.exec()        # dialog.result_: the PreviewResult when it finished

The export runs on a worker thread (``BackgroundTask``): it finds the original film, renders
and mixes the sketch and runs ffmpeg; its progress comes back as a queued signal. The project
is a copy: editing goes on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout,
                               QHBoxLayout, QLabel,
                               QLineEdit, QProgressBar, QPushButton, QRadioButton,
                               QVBoxLayout, QWidget)

from cuesketch.engine.soundfonts import SoundFontError
from cuesketch.engine.stem_plan import cue_version
from cuesketch.media.preview import (PreviewError, PreviewResult, Progress, export_preview,
                                     locate_film, plan_for)
from cuesketch.media.preview_plan import PreviewOptions, default_name
from cuesketch.model.project import Project
from cuesketch.timing.timecode import format_timecode
from cuesketch.ui.export_dialog import ExportDialog

SIZES = (("The film's size", None), ("1080 lines", 1080), ("720 lines", 720),
         ("540 lines", 540), ("360 lines", 360))
LOUDNESS = (("−23 LUFS (EBU R 128, broadcast)", -23.0), ("−16 LUFS (web, phones)", -16.0),
            ("As it is (not normalized)", None))


class _Progress(QObject):
    changed = Signal(object)  # a media.preview.Progress (emitted on the worker thread)


def time_left_text(seconds: float | None) -> str:
    if seconds is None:
        return "working out the time left…"
    seconds = max(0, round(seconds))
    minutes, secs = divmod(seconds, 60)
    return f"about {minutes}:{secs:02d} left" if minutes else f"about {secs} s left"


class PreviewDialog(ExportDialog):
    def __init__(self, project: Project, project_path: Path | None,
                 snapshot_names: list[str], folder: Path, soundfont: str = "default",
                 cue: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Preview Movie")
        self.project = project
        self.project_path = project_path
        self.snapshot_names = snapshot_names
        self.soundfont = soundfont
        self.result_: PreviewResult | None = None
        self._progress = _Progress(self)
        self._progress.changed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self._folder = folder
        s = project.settings

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The sketch over the original film, marked as a sketch, for "
                                "the director to watch anywhere."))
        form = QFormLayout()
        cues = sorted(project.cues.values(), key=lambda c: (c.start_frame, c.name))
        self.cue_choice = QRadioButton("Cue:", self)
        self.cue_box = QComboBox(self)
        for c in cues:
            self.cue_box.addItem(f"{c.name} — {c.title}" if c.title else c.name, c.name)
        if cue is not None and self.cue_box.findData(cue) >= 0:
            self.cue_box.setCurrentIndex(self.cue_box.findData(cue))
        self.range_choice = QRadioButton("Range:", self)
        first = cues[0] if cues else None
        start = s.start_frame + (first.start_frame if first else 0)
        end = s.start_frame + (first.end_frame if first else s.rate.nominal * 10)
        self.range_in = QLineEdit(format_timecode(start, s.rate), self)
        self.range_out = QLineEdit(format_timecode(end, s.rate), self)
        self.all_choice = QRadioButton("The whole film", self)
        (self.cue_choice if cues else self.all_choice).setChecked(True)
        self.cue_choice.setEnabled(bool(cues))
        form.addRow(self.cue_choice, self.cue_box)
        row = QHBoxLayout()
        row.addWidget(self.range_in)
        row.addWidget(QLabel("to", self))
        row.addWidget(self.range_out)
        form.addRow(self.range_choice, self._holder(row))
        form.addRow(self.all_choice, QLabel("", self))
        self.handles = QDoubleSpinBox(self)
        self.handles.setRange(0.0, 60.0)
        self.handles.setValue(2.0)
        self.handles.setSuffix(" s")
        form.addRow("Handles:", self.handles)
        self.film_sound = QCheckBox("The film's sound, at", self)
        self.film_sound.setChecked(True)
        self.film_level = QDoubleSpinBox(self)
        self.film_level.setRange(-60.0, 12.0)
        self.film_level.setValue(-12.0)
        self.film_level.setSuffix(" dB")
        self.film_sound.toggled.connect(self.film_level.setEnabled)
        row = QHBoxLayout()
        row.addWidget(self.film_sound)
        row.addWidget(self.film_level, 1)
        form.addRow("Sound:", self._holder(row))
        self.loudness = QComboBox(self)
        for text, value in LOUDNESS:
            self.loudness.addItem(text, value)
        form.addRow("Loudness:", self.loudness)
        self.burn_in = QCheckBox("Timecode, cue, version, date and watermark", self)
        self.burn_in.setChecked(True)
        self.streamers = QCheckBox("Streamers and punches, as the picture shows them", self)
        form.addRow("Burn in:", self.burn_in)
        form.addRow("", self.streamers)
        self.watermark = QLineEdit(self)
        self.watermark.setPlaceholderText("e.g. For R. Smith")
        form.addRow("Watermark:", self.watermark)
        self.version = QLineEdit(self)
        self.version.setPlaceholderText("from the cue's latest snapshot (else v1)")
        form.addRow("Version:", self.version)
        self.picture_size = QComboBox(self)
        for text, value in SIZES:
            self.picture_size.addItem(text, value)
        form.addRow("Picture:", self.picture_size)
        self.format = QComboBox(self)
        self.format.addItem("MP4 (H.264, AAC)", "mp4")
        self.format.addItem("QuickTime .mov (H.264, AAC)", "mov")
        form.addRow("Format:", self.format)
        self.path = QLineEdit(self)
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow("Save as:", self._holder(row))
        layout.addLayout(form)
        self._choices: list[QWidget] = [
            self.cue_choice, self.cue_box, self.range_choice, self.range_in, self.range_out,
            self.all_choice, self.handles, self.film_sound, self.film_level, self.loudness,
            self.burn_in, self.streamers, self.watermark, self.version, self.picture_size,
            self.format, self.path, browse]

        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)
        layout.addWidget(self.bar)
        self.add_controls(layout)
        self._named_by_hand = False
        self._suggest_name()
        self.path.textEdited.connect(self._typed_name)
        for signal in (self.cue_box.currentIndexChanged, self.format.currentIndexChanged,
                       self.cue_choice.toggled, self.range_choice.toggled):
            signal.connect(lambda *_: self._suggest_name())
        self.version.textChanged.connect(lambda *_: self._suggest_name())
        self.cue_box.currentIndexChanged.connect(lambda *_: self._range_from_cue())
        self._range_from_cue()

    def _range_from_cue(self) -> None:
        """The range's fields start as the chosen cue's extent: easy to widen by hand."""
        name = self.cue_box.currentData()
        s = self.project.settings
        for cue in self.project.cues.values():
            if cue.name == name:
                self.range_in.setText(format_timecode(s.start_frame + cue.start_frame, s.rate))
                self.range_out.setText(format_timecode(s.start_frame + cue.end_frame, s.rate))

    def _holder(self, row: QHBoxLayout) -> QWidget:
        holder = QWidget(self)
        row.setContentsMargins(0, 0, 0, 0)
        holder.setLayout(row)
        return holder

    # -- choices -------------------------------------------------------------------------------
    def options(self) -> PreviewOptions:
        fmt = cast(Literal["mp4", "mov"], self.format.currentData())
        return PreviewOptions(
            cue=self.cue_box.currentData() if self.cue_choice.isChecked() else None,
            range_tc=(self.range_in.text(), self.range_out.text())
            if self.range_choice.isChecked() else None,
            handles=self.handles.value(), burn_in=self.burn_in.isChecked(),
            streamers=self.streamers.isChecked(), watermark=self.watermark.text().strip(),
            version=self.version.text().strip(),
            film_level=self.film_level.value() if self.film_sound.isChecked() else None,
            loudness=self.loudness.currentData(), format=fmt, height=self.picture_size.currentData())

    def _typed_name(self, _text: str) -> None:
        self._named_by_hand = True

    def _suggest_name(self) -> None:
        """``1M3_v4.mp4`` in the folder, until the composer names the file."""
        if self._named_by_hand:
            return
        fmt = str(self.format.currentData())
        if self.cue_choice.isChecked() and self.cue_box.currentData():
            cue = str(self.cue_box.currentData())
            name = default_name(cue, cue_version(cue, self.snapshot_names,
                                                 self.version.text()), fmt)
        else:
            label = self.version.text().strip() or "v1"
            name = default_name(f"{self.project.settings.title} preview", label, fmt)
        self.path.setText(str(self._folder / name))

    def _browse(self) -> None:
        fmt = str(self.format.currentData())
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Save the preview as", self.path.text(),
            f"{fmt.upper()} movies (*.{fmt});;All files (*)")
        if chosen:
            self.path.setText(chosen)
            self._named_by_hand = True

    def target(self) -> Path:
        out = Path(self.path.text().strip()).expanduser()
        fmt = str(self.format.currentData())
        if out.suffix.lower() != f".{fmt}":
            out = out.with_name(out.name + f".{fmt}") if out.suffix.lower() not in (
                ".mp4", ".mov") else out.with_suffix(f".{fmt}")
        return out

    # -- running -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        if not self.path.text().strip():
            self.status.setText("Name the movie to write (Save as).")
            return
        out = self.target()
        options = self.options()
        try:
            options.check()
        except PreviewError as e:
            self.status.setText(str(e))
            return
        self.cancel.clear()
        self._hold(True)
        self.bar.setValue(0)
        self.status.setText(f"Finding the film and rendering the sketch for {out.name}…")
        project, path, names = self.project, self.project_path, self.snapshot_names
        soundfont, cancel, signal = self.soundfont, self.cancel, self._progress.changed

        def job() -> PreviewResult:
            film = locate_film(path, project.settings)
            plan = plan_for(project, film, options, names,
                            "" if soundfont == "default" else Path(soundfont).name)
            return export_preview(project, film, plan, out, soundfont=soundfont,
                                  progress=signal.emit, cancel=cancel)

        self.launch(job, (PreviewError, SoundFontError, ImportError, OSError),
                    "cuesketch-preview")

    def _hold(self, running: bool) -> None:
        """While the movie is made its choices stand still (they are what it is made of)."""
        self.export_button.setEnabled(not running)
        for widget in self._choices:
            widget.setEnabled(not running)
        if not running:
            self.film_level.setEnabled(self.film_sound.isChecked())

    def _show_progress(self, progress: object) -> None:
        assert isinstance(progress, Progress)
        self.bar.setValue(round(progress.fraction * 1000))
        if progress.phase == "done" or self.cancel.is_set():
            return
        doing = "Mixing the sound" if progress.phase == "sound" else "Encoding the picture"
        self.status.setText(f"{doing}: {time_left_text(progress.seconds_left)}")

    def _done(self, result: object) -> None:
        assert isinstance(result, PreviewResult)
        self.result_ = result
        plan = result.plan
        loud = "" if result.loudness is None else f", {result.loudness:.1f} LUFS"
        self.message = (f"Exported the preview of {plan.what} ({plan.version}) to "
                        f"{result.path}: {plan.frame_count} frames from "
                        f"{plan.start_timecode}{loud}, {result.size / 1e6:.1f} MB in "
                        f"{result.seconds:.0f} s")
        self.finishedExport.emit(self.message)
        self.accept()

    def _failed(self, why: str) -> None:
        cancelled = self.cancel.is_set()
        self.message = why if cancelled else f"The preview could not be made: {why}"
        self.status.setText(self.message)
        self.bar.setValue(0)
        self._hold(False)
        self.cancel_button.setEnabled(True)
        self.finishedExport.emit(self.message)
        if cancelled:
            self.reject()


__all__ = ["PreviewDialog", "time_left_text"]
