"""The review window: what the director sees on opening a ``.cuereview`` package.

A player, not an editor: the picture (the director's copy of the film, or the package's
preview movie) with the timecode and cue overlays, the cues with their versions, play/stop,
a scrub bar, jump to a cue, loop it, A/B between versions at the same place, film only; the
notes, clickable, typed at the current frame or over an in-out range; a verdict per version;
Send Back. Everything is the ``ReviewSession``'s (no Qt there); this only shows and forwards.
The composition root (``app.run_review``) builds the parts (``ReviewParts``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QInputDialog, QLabel,
                               QMainWindow, QMessageBox, QPushButton, QSlider, QSplitter,
                               QVBoxLayout, QWidget)

from cuesketch.engine.review_session import ReviewError, ReviewSession, check_author
from cuesketch.engine.transport import Transport
from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document
from cuesketch.store.review_schema import REPLY_SUFFIX, ReviewFileError
from cuesketch.ui.picture_view import FrameSource, PictureView
from cuesketch.ui.review_panels import CueTree, NotesPanel, VerdictBox, ask_text, guarded
from cuesketch.ui.review_roll import ReviewRoll

HANDLE_FRAMES_S = 2  # the scrub bar runs this long before the first cue and after the last


@dataclass
class ReviewParts:
    """What the review window is given by the composition root."""

    session: ReviewSession
    transport: Transport
    document: Document  # the package's cues and hits, for the picture's overlays
    picture: FrameSource | None = None
    picture_problem: str | None = None
    film_label: str = ""  # which film is on screen, in words
    problems: list[str] = field(default_factory=list)
    close: Callable[[], None] = lambda: None


def application() -> QApplication:
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    app.setApplicationName("Cuesketch")
    app.setOrganizationName("Cuesketch")
    return app


def ask_author(parent: QWidget | None = None) -> str | None:
    """Asked once, on the first review: the name that signs the notes and verdicts."""
    while True:
        name, ok = QInputDialog.getText(parent, "Your name",
                                        "Your name, as the composer will read it with your "
                                        "notes:")
        if not ok or not name.strip():
            return None
        try:
            return check_author(name)
        except ReviewError as e:  # the reply could not carry it: ask again
            QMessageBox.warning(parent, "Your name", str(e)[:1].upper() + str(e)[1:])


class ReviewWindow(QMainWindow):
    def __init__(self, parts: ReviewParts) -> None:
        super().__init__()
        self.setObjectName("ReviewWindow")
        self.parts = parts
        s = self.session = parts.session
        info = s.info
        self.setWindowTitle(f"{info.title} — review for {info.made_for} — Cuesketch")
        self.picture = PictureView(parts.document, parts.transport, parts.picture, parent=self)
        if parts.picture_problem:
            self.picture.set_problem(parts.picture_problem)
        self.cues = CueTree(s, self)
        self.verdict = VerdictBox(s, self)
        self.notes = NotesPanel(s, lambda title, text: ask_text(self, title, text), self)
        self.notes.goTo.connect(lambda frame: guarded(self, lambda: s.seek_frame(frame)))

        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        heading = QLabel(f"<b>{info.title}</b><br>for {info.made_for}"
                         + (f", from {info.made_by}" if info.made_by else "")
                         + f"<br><small>{parts.film_label}</small>", side)
        heading.setWordWrap(True)
        side_layout.addWidget(heading)
        side_layout.addWidget(self.cues, 2)
        side_layout.addWidget(self.verdict)
        side_layout.addWidget(QLabel("<b>Notes</b>", side))
        side_layout.addWidget(self.notes, 3)

        self.roll = ReviewRoll(s, self)
        left = QSplitter(Qt.Orientation.Vertical, self)
        left.addWidget(self.picture)
        left.addWidget(self.roll)
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([880, 480])
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split, 1)
        layout.addLayout(self._transport_row())
        self.setCentralWidget(central)
        for problem in parts.problems:
            self.statusBar().showMessage(problem)
        self._keys()
        s.observe(self._session_changed)
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self._timer.start(40)
        self._tick()
        self.resize(1360, 800)

    # -- building ------------------------------------------------------------------------------
    def _transport_row(self) -> QHBoxLayout:
        s = self.session
        row = QHBoxLayout()
        self.play_button = QPushButton("▶ Play", self)
        self.play_button.setObjectName("ReviewPlay")
        self.play_button.clicked.connect(s.toggle)
        self.timecode = QLabel(self)
        self.timecode.setObjectName("ReviewTimecode")
        font = QFont("DejaVu Sans Mono")
        font.setPointSize(16)
        font.setBold(True)
        self.timecode.setFont(font)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("ReviewScrub")
        handle = round(HANDLE_FRAMES_S * float(s.rate.fps))
        cues = [pc.cue for pc in s.info.cues]
        self.slider.setRange(max(0, min((c.start_frame for c in cues), default=0) - handle),
                             max((c.end_frame for c in cues), default=0) + handle)
        self.slider.sliderMoved.connect(lambda frame: s.seek_frame(frame))
        prev_cue = QPushButton("◀ Cue", self)
        prev_cue.clicked.connect(lambda: self._step_cue(-1))
        next_cue = QPushButton("Cue ▶", self)
        next_cue.clicked.connect(lambda: self._step_cue(1))
        self.loop = QPushButton("Loop cue", self)
        self.loop.setCheckable(True)
        self.loop.toggled.connect(s.loop_cue)
        self.ab = QPushButton("A/B", self)
        self.ab.setObjectName("ReviewAB")
        self.ab.setToolTip("Hear the next version of this cue, here, at once (B)")
        self.ab.clicked.connect(lambda: s.switch_version())
        self.film_only = QPushButton("Film only", self)
        self.film_only.setCheckable(True)
        self.film_only.toggled.connect(s.set_film_only)
        send = QPushButton("Send Back…", self)
        send.setObjectName("ReviewSendBack")
        send.clicked.connect(self.send_back)
        for w in (self.play_button, self.timecode):
            row.addWidget(w)
        row.addWidget(self.slider, 1)
        for w in (prev_cue, next_cue, self.loop, self.ab, self.film_only, send):
            row.addWidget(w)
        return row

    def _keys(self) -> None:
        s = self.session
        table: list[tuple[str, Callable[[], object]]] = [
            ("Space", s.toggle), ("B", lambda: s.switch_version()),
            ("Left", lambda: s.seek_frame(s.frame - 1)),
            ("Right", lambda: s.seek_frame(s.frame + 1)),
            ("I", s.set_in), ("O", s.set_out), ("N", self.notes.entry.setFocus),
            ("Ctrl+Shift+S", self.send_back)]
        for key, fn in table:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(lambda fn=fn: self._key(fn))

    def _key(self, fn: Callable[[], object]) -> None:
        focus = QApplication.focusWidget()
        if focus is self.notes.entry or focus is self.verdict.comment:
            return  # typing: the keys are the text's
        guarded(self, fn)

    # -- following the session -----------------------------------------------------------------
    def _session_changed(self) -> None:
        self._follow_tempo()
        self.cues.refresh()
        self.verdict.refresh()
        self.notes.refresh()

    def _follow_tempo(self) -> None:
        """The picture's bar|beat by the tempo map of the version heard (A/B may change it)."""
        s, doc = self.session, self.parts.document
        changes: list[Change] = []
        for pc in s.info.cues:
            heard = s.selected_version(pc.cue.id)
            shown = doc.project.cues.get(pc.cue.id)
            if heard is not None and shown is not None and shown.tempo != heard.tempo:
                changes.append(EntityChange(shown, replace(shown, tempo=heard.tempo)))
        if changes:
            doc.execute_changes(changes, "Version heard")

    def _tick(self) -> None:
        s = self.session
        frame = s.frame
        pc = s.cue_at(frame)
        version = s.selected_version(pc.cue.id) if pc else None
        about = f"   {pc.cue.name} {version.name if version else ''}" if pc else ""
        self.timecode.setText(s.timecode() + about)
        if not self.slider.isSliderDown():
            self.slider.setValue(frame)
        playing = s.transport.playing
        self.play_button.setText("■ Stop" if playing else "▶ Play")
        if pc is not None and pc.cue.id != getattr(self, "_shown_cue", None):
            self._shown_cue = pc.cue.id
            s.current_cue = pc.cue.id
            self._session_changed()
        self.ab.setText(f"A/B: {version.name}" if version else "A/B")
        self.roll.refresh()

    def _step_cue(self, step: int) -> None:
        s = self.session
        cues = [pc.cue for pc in s.info.cues]
        if not cues:
            return
        ids = [c.id for c in cues]
        i = ids.index(s.current_cue) if s.current_cue in ids else 0
        s.jump_to_cue(ids[max(0, min(len(ids) - 1, i + step))])

    def send_back(self) -> None:
        s = self.session
        chosen, _ = QFileDialog.getSaveFileName(self, "Send back to the composer",
                                                str(s.reply_path()),
                                                f"Cuesketch replies (*{REPLY_SUFFIX})")
        if not chosen:
            return
        dest = Path(chosen)
        if dest.suffix.lower() != REPLY_SUFFIX:
            dest = dest.with_name(dest.name + REPLY_SUFFIX)
        try:
            s.send_back(dest)
        except ReviewFileError as e:
            QMessageBox.warning(self, "Send back", str(e))
            return
        except (OSError, ValueError) as e:  # a name or a place no file can have
            QMessageBox.warning(self, "Send back", f"The reply could not be written as "
                                                   f"{dest.name}: {e}. Choose another name.")
            return
        notes, verdicts = len(s.notes), len(s.verdicts)
        self.statusBar().showMessage(
            f"Written {dest.name}: {notes} note{'s' * (notes != 1)}, {verdicts} "
            f"verdict{'s' * (verdicts != 1)}. Send it to the composer (mail, a shared folder).")

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        self.session.stop()
        super().closeEvent(event)


def run_review_window(parts: ReviewParts) -> int:
    app = application()
    window = ReviewWindow(parts)
    window.show()
    return app.exec()
